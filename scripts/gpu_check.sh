#!/usr/bin/env bash
# The CUDA backend's check on a GPU machine (issue 9), in two halves:
#   scripts/gpu_check.sh --stage [BUILD]   here, after building cuda_parity and device_test into
#                                          BUILD (default build-cuda): packs them and the shared
#                                          libraries they load (glibc aside) into .gpu/bundle.tar.xz
#   scripts/gpu_check.sh                   there, with .gpu carried: unpacks into /tmp, reports what
#                                          the machine has (GPU, driver, cuBLAS), runs the device unit
#                                          tests, then every fixture's parity on cuda as a table.
# The GPU machine has no network and no apt, so nothing is installed there, and nothing is
# unpacked outside /tmp.
set -uo pipefail
cd "$(dirname "$0")/.."

if [[ ${1:-} == --stage ]]; then
  set -e
  build=${2:-build-cuda}
  rm -rf .gpu && mkdir -p .gpu/stage/bin .gpu/stage/lib
  cp "$build/tests/cuda/cuda_parity" "$build/tests/cuda/device_test" .gpu/stage/bin/
  strip .gpu/stage/bin/*
  ldd .gpu/stage/bin/* | awk '/=> \//{print $3}' | sort -u |
    grep -Ev '/(libc|libm|libdl|librt|libpthread|ld-linux-x86-64)\.so' | xargs -I{} cp -L {} .gpu/stage/lib/
  tar -C .gpu/stage -cJf .gpu/bundle.tar.xz bin lib
  rm -rf .gpu/stage
  du -h .gpu/bundle.tar.xz
  exit 0
fi

out=${OUT:-/tmp/gpu_check_out}
mkdir -p "$out" /tmp/onnxgen_gpu
tar -C /tmp/onnxgen_gpu -xJf .gpu/bundle.tar.xz
export LD_LIBRARY_PATH=/tmp/onnxgen_gpu/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

echo "== machine"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
ls -d /usr/local/cuda* 2>/dev/null
ldconfig -p | grep -i cublas | head -5
find / -xdev -name 'libcublasLt.so*' 2>/dev/null | head -5

echo "== device unit tests"
timeout 60 /tmp/onnxgen_gpu/bin/device_test --gtest_brief=1 2>&1 | tail -8

echo "== parity on cuda"
start=$(date +%s)
timeout 300 /tmp/onnxgen_gpu/bin/cuda_parity --device cuda --fixtures tests/fixtures/models 2>&1 | tee "$out/parity.txt"
status=${PIPESTATUS[0]}
echo "parity took $(( $(date +%s) - start )) s, exit status $status"
exit "$status"
