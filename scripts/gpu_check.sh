#!/usr/bin/env bash
# The CUDA backend's check on a GPU machine (issue 9), in two halves:
#   scripts/gpu_check.sh --stage [BUILD]   here, after building the targets of tests/cuda into
#                                          BUILD (default build-cuda): packs them and the shared
#                                          libraries they load (glibc aside) into .gpu/bundle.tar.xz
#   scripts/gpu_check.sh                   there, with .gpu carried: unpacks into /tmp, reports what
#                                          the machine has (GPU, driver, cuBLAS), runs the device unit
#                                          tests and each CUDA kernel against the CPU's, every fixture's parity on cuda as a table (MatMul
#                                          through cuBLAS, then through the tiled fallback kernel), and
#                                          the GEMM benchmark.
# The GPU machine has no network and no apt, so nothing is installed there, and nothing is
# unpacked outside /tmp.
set -uo pipefail
cd "$(dirname "$0")/.."

if [[ ${1:-} == --stage ]]; then
  set -e
  build=${2:-build-cuda}
  rm -rf .gpu && mkdir -p .gpu/stage/bin .gpu/stage/lib
  for tool in cuda_parity cuda_gemm_bench cuda_kernels_test device_test; do cp "$build/tests/cuda/$tool" .gpu/stage/bin/; done
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

status=0
echo "== device unit tests, CUDA kernels against the CPU's"
for test in device_test cuda_kernels_test; do
  timeout 120 /tmp/onnxgen_gpu/bin/$test --gtest_brief=1 2>&1 | tail -30
  rc=${PIPESTATUS[0]}
  (( rc == 0 )) || status=$rc
done
echo "-- MatMul through the tiled kernel"
ONNXGEN_NO_CUBLAS=1 timeout 60 /tmp/onnxgen_gpu/bin/cuda_kernels_test --gtest_brief=1 --gtest_filter='*MatMul*' 2>&1 | tail -5
rc=${PIPESTATUS[0]}
(( rc == 0 )) || status=$rc

for gemm in cublas tiled; do
  echo "== parity on cuda, MatMul through $gemm"
  start=$(date +%s)
  if [[ $gemm == tiled ]]; then export ONNXGEN_NO_CUBLAS=1; fi
  timeout 150 /tmp/onnxgen_gpu/bin/cuda_parity --device cuda --fixtures tests/fixtures/models 2>&1 | tee "$out/parity_$gemm.txt"
  rc=${PIPESTATUS[0]}
  unset ONNXGEN_NO_CUBLAS
  echo "parity took $(( $(date +%s) - start )) s, exit status $rc"
  (( rc == 0 )) || status=$rc
done

echo "== GEMM benchmark"
timeout 120 /tmp/onnxgen_gpu/bin/cuda_gemm_bench 2>&1 | tee "$out/gemm_bench.txt"
exit "$status"
