#!/usr/bin/env bash
# Fresh Debian 12 → built onnxgen. Idempotent: installs what is missing, then configures and
# builds into build/. Run as root (or with sudo available).
#   ONNXGEN_BUILD_TYPE   Release (default) | Debug | RelWithDebInfo
#   ONNXGEN_JOBS         parallel build jobs (default: number of cores)
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build pkg-config git python3 python3-venv
  libprotobuf-dev protobuf-compiler libonnx-dev libdnnl-dev
  libsentencepiece-dev nlohmann-json3-dev libcpp-httplib-dev
  libpcre2-dev libutf8proc-dev libgtest-dev libgmock-dev
  libonnx-testdata
)

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${ONNXGEN_BUILD_TYPE:-Release}"
cmake --build build -j "${ONNXGEN_JOBS:-$(nproc)}"
echo "setup: built build/cli/onnxgen"
