#!/usr/bin/env bash
# Fuzzes the model loader + planner with libFuzzer (clang, ASan, UBSan) for a bounded time,
# seeded with ONNX's conformance models. Usage: scripts/fuzz_loader.sh [SECONDS=60]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${1:-60}
if ! command -v clang++ >/dev/null || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get install -y -qq clang libclang-rt-14-dev
fi
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DONNXGEN_FUZZ=ON -DONNXGEN_SANITIZE=address,undefined -DONNXGEN_BUILD_TESTS=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target model_loader_fuzzer
CORPUS=build-fuzz/corpus
mkdir -p "$CORPUS"
if [[ -d /usr/share/libonnx-testdata/data/node ]]; then
  find /usr/share/libonnx-testdata/data/node -name model.onnx -size -8k | head -300 |
    while read -r f; do cp "$f" "$CORPUS/$(echo "$f" | md5sum | cut -c1-16)"; done
fi
build-fuzz/tests/fuzz/model_loader_fuzzer -max_total_time="$SECONDS_TO_RUN" -rss_limit_mb=4096 \
  -max_len=65536 "$CORPUS"
