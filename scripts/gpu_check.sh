#!/usr/bin/env bash
# The CUDA backend's check on a GPU machine (issue 9), in two halves:
#   scripts/gpu_check.sh --stage [BUILD]   here, after building the targets of tests/cuda into
#                                          BUILD (default build-cuda): packs them and the shared
#                                          libraries they load (glibc aside) into .gpu/bundle.tar.xz
#   scripts/gpu_check.sh [--engine]        there, with .gpu carried (--engine: only the engine half): unpacks into /tmp, reports what
#                                          the machine has (GPU, driver, cuBLAS), runs the device unit
#                                          tests and each CUDA kernel against the CPU's, every fixture's parity on cuda as a table (MatMul
#                                          through cuBLAS, then through the tiled fallback kernel), and
#                                          the GEMM benchmark; then the engine on cuda: its device
#                                          tests, `onnxgen generate` greedy ids on cuda against the
#                                          CPU's for every fp32 fixture, and `onnxgen bench` on cuda
#                                          (a Qwen2.5-0.5B-shaped fp16 model made there by
#                                          scripts/make_bench_model.py when the machine's Python can,
#                                          else the fp16 fixture).
# The GPU machine has no network and no apt, so nothing is installed there, and nothing is
# unpacked outside /tmp.
set -uo pipefail
cd "$(dirname "$0")/.."

if [[ ${1:-} == --stage ]]; then
  set -e
  build=${2:-build-cuda}
  rm -rf .gpu && mkdir -p .gpu/stage/bin .gpu/stage/lib
  for tool in cuda_parity cuda_gemm_bench cuda_kernels_test device_test; do cp "$build/tests/cuda/$tool" .gpu/stage/bin/; done
  cp "$build/tests/engine/engine_device_test" "$build/cli/onnxgen" .gpu/stage/bin/
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
if [[ ${1:-} != --engine ]]; then
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
fi

bin=/tmp/onnxgen_gpu/bin
echo "== engine on cuda: device tests (block pool on the GPU, greedy tokens on cuda = cpu, paged and contiguous)"
ONNXGEN_SOURCE_DIR=$PWD timeout 150 $bin/engine_device_test --gtest_brief=1 2>&1 | tail -30
rc=${PIPESTATUS[0]}
(( rc == 0 )) || status=$rc

echo "== onnxgen generate --greedy --ignore-eos --output ids: cuda against cpu (a batch of two prompts)"
for dir in tests/fixtures/models/*-fp32; do
  gen=(generate "$dir" --input-ids 5,17,42,99,7,30,12,64,3,88 --input-ids 9,8,27 --greedy --ignore-eos
       --max-new-tokens 40 --output ids --block-size 4)
  cpu=$(timeout 60 $bin/onnxgen "${gen[@]}" --device cpu 2>/dev/null)
  cuda=$(timeout 60 $bin/onnxgen "${gen[@]}" --device cuda 2>"$out/generate_$(basename "$dir").err")
  if [[ -n $cpu && $cpu == "$cuda" ]]; then
    echo "same   $(basename "$dir"): $(echo "$cuda" | head -1 | cut -c1-60)..."
  else
    echo "DIFFER $(basename "$dir")"; echo "  cpu:  $cpu"; echo "  cuda: $cuda"; tail -3 "$out/generate_$(basename "$dir").err"
    status=1
  fi
done

echo "== onnxgen bench --device cuda"
py=/opt/torch/.venv/bin/python
bench=(bench --prompt-len 128 --gen 64 --repeat 3 --kv-cache-mb 1024 --device cuda)
if [[ -x $py ]] && timeout 60 $py -c 'import torch, transformers, onnxruntime_genai' 2>"$out/python.err"; then
  echo "-- Qwen2.5-0.5B-shaped fp16, random weights (scripts/make_bench_model.py here)"
  if timeout 150 $py scripts/make_bench_model.py /tmp/onnxgen_gpu/qwen-0.5b-shape-fp16 >"$out/make_bench_model.log" 2>&1; then
    timeout 120 $bin/onnxgen "${bench[@]}" /tmp/onnxgen_gpu/qwen-0.5b-shape-fp16 2>&1 | tail -8
  else
    echo "make_bench_model.py failed:"; tail -5 "$out/make_bench_model.log"
  fi
else
  echo "-- no Qwen2.5-0.5B-shaped model: $py cannot import torch, transformers and onnxruntime_genai"
  tail -2 "$out/python.err" 2>/dev/null
fi
echo "-- the qwen2-genai-fp16 fixture (2 layers, hidden 64: launch overhead, not bandwidth)"
timeout 60 $bin/onnxgen "${bench[@]}" tests/fixtures/models/qwen2-genai-fp16 2>&1 | tail -8
exit "$status"
