#!/usr/bin/env bash
# The CUDA backend's check on a GPU machine (issue 9), in two halves:
#   scripts/gpu_check.sh --stage [BUILD]   here, after building the targets of tests/cuda, the
#                                          engine's device test and the CLI into BUILD (default
#                                          build-cuda): packs them and the shared libraries they load
#                                          (glibc aside) into .gpu/bundle.tar.xz. The rest of .gpu
#                                          (the qwen-shape graphs) stays.
#   scripts/gpu_check.sh [--engine]        there, with .gpu carried (--engine: only the engine half):
#                                          unpacks into /tmp, reports what the machine has (GPU,
#                                          driver, cuBLAS), runs the device unit tests and each CUDA
#                                          kernel against the CPU's (MatMul also through the tiled
#                                          fallback), every fixture's parity on cuda as a table, and
#                                          the GEMM benchmark; then the engine on cuda: its device
#                                          tests, `onnxgen generate` greedy ids on cuda against the
#                                          CPU's for every fp32 fixture, and `onnxgen bench` on cuda
#                                          with the host<->device copies and CPU-placed nodes per
#                                          decode step, on the Qwen2.5-0.5B-shaped graphs in .gpu
#                                          (qwen-shape fp16, qwen-shape-int4; weights drawn there by
#                                          scripts/random_weights.py: timed, never read) at batch 1
#                                          and 32 (with the host time per op of a batch-1
#                                          decode step), and on the qwen2-genai-fp16 fixture.
# The GPU machine has no network and no apt, so nothing is installed there, and nothing is
# unpacked outside /tmp. The whole run takes under 6 minutes.
set -uo pipefail
cd "$(dirname "$0")/.."

if [[ ${1:-} == --stage ]]; then
  set -e
  build=${2:-build-cuda}
  rm -rf .gpu/stage .gpu/bundle.tar.xz && mkdir -p .gpu/stage/bin .gpu/stage/lib
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
# Only the reports go to $out (the device tool brings back at most 8 files); stderr logs stay in /tmp.
logs=/tmp/onnxgen_gpu/logs
mkdir -p "$out" "$logs"
tar -C /tmp/onnxgen_gpu -xJf .gpu/bundle.tar.xz
export LD_LIBRARY_PATH=/tmp/onnxgen_gpu/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
bin=/tmp/onnxgen_gpu/bin
run_start=$(date +%s)

echo "== machine"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
ls -d /usr/local/cuda* 2>/dev/null
ldconfig -p | grep -i cublas | head -5

status=0
# Runs "$@" under `timeout SECONDS`, keeping the last lines of its output; a failure sets status.
checked() {
  local seconds=$1
  shift
  timeout "$seconds" "$@" 2>&1 | tail -40
  local rc=${PIPESTATUS[0]}
  (( rc == 0 )) || { echo "-- exit status $rc"; status=$rc; }
}

if [[ ${1:-} != --engine ]]; then
  echo "== device unit tests, CUDA kernels against the CPU's"
  checked 60 $bin/device_test --gtest_brief=1
  checked 120 $bin/cuda_kernels_test --gtest_brief=1
  echo "-- MatMul and MatMulNBits's GEMM through the tiled kernel"
  ONNXGEN_NO_CUBLAS=1 checked 60 $bin/cuda_kernels_test --gtest_brief=1 --gtest_filter='*MatMul*'

  echo "== parity on cuda (every fixture against the stored ONNX Runtime outputs)"
  start=$(date +%s)
  timeout 150 $bin/cuda_parity --device cuda --fixtures tests/fixtures/models 2>&1 | tee "$out/parity.txt"
  rc=${PIPESTATUS[0]}
  echo "parity took $(( $(date +%s) - start )) s, exit status $rc"
  (( rc == 0 )) || status=$rc

  echo "== GEMM benchmark"
  timeout 60 $bin/cuda_gemm_bench 2>&1 | tee "$out/gemm_bench.txt"
fi

echo "== engine on cuda: device tests (block pool on the GPU, greedy tokens on cuda = cpu, paged and contiguous)"
ONNXGEN_SOURCE_DIR=$PWD checked 150 $bin/engine_device_test --gtest_brief=1

echo "== onnxgen generate --greedy --ignore-eos --output ids: cuda against cpu (a batch of two prompts)"
for dir in tests/fixtures/models/*-fp32 tests/fixtures/models/*-int4; do
  gen=(generate "$dir" --input-ids 5,17,42,99,7,30,12,64,3,88 --input-ids 9,8,27 --greedy --ignore-eos
       --max-new-tokens 40 --output ids --block-size 4)
  cpu=$(timeout 60 $bin/onnxgen "${gen[@]}" --device cpu 2>/dev/null)
  cuda=$(timeout 60 $bin/onnxgen "${gen[@]}" --device cuda 2>"$logs/generate_$(basename "$dir").err")
  if [[ -n $cpu && $cpu == "$cuda" ]]; then
    echo "same   $(basename "$dir"): $(echo "$cuda" | head -1 | cut -c1-60)..."
  else
    echo "DIFFER $(basename "$dir")"; echo "  cpu:  $cpu"; echo "  cuda: $cuda"; tail -3 "$logs/generate_$(basename "$dir").err"
    # int4 greedy ids may part where two logits nearly tie (float sums in another order).
    [[ $dir == *-int4 ]] || status=1
  fi
done

echo "== onnxgen bench --device cuda (the last line: host<->device copies and CPU-placed nodes per decode step)"
bench=(bench --prompt-len 128 --gen 64 --repeat 3 --kv-cache-mb 1024 --device cuda)
# The Qwen2.5-0.5B-shaped graphs carried in .gpu (scripts/make_bench_model.py, fp16 and the
# builder's int4 for cuda) get their weights drawn here by scripts/random_weights.py.
for model in qwen-shape qwen-shape-int4; do
  if [[ ! -f .gpu/$model/weights.txt ]]; then echo "-- .gpu/$model was not carried"; continue; fi
  dir=/tmp/onnxgen_gpu/$model
  mkdir -p $dir && cp .gpu/$model/* $dir/
  filled=0
  for py in /opt/torch/.venv/bin/python python3; do
    if timeout 90 $py scripts/random_weights.py fill $dir 2>"$logs/weights_$model.err"; then filled=1; break; fi
  done
  if (( !filled )); then
    echo "-- no weights for $model: no Python with torch here"; tail -2 "$logs/weights_$model.err"; continue
  fi
  for batch in 1 32; do
    echo "-- $model, random weights, batch $batch"
    checked 120 $bin/onnxgen "${bench[@]}" --batch $batch $dir
  done
  echo "-- $model, batch 1: host time per op in decode steps (ONNXGEN_PROFILE; kernels run asynchronously)"
  ONNXGEN_PROFILE=1 timeout 60 $bin/onnxgen bench --prompt-len 128 --gen 32 --repeat 1 --kv-cache-mb 1024 \
    --device cuda $dir 2>&1 | grep -A12 'decode steps' || true
done
echo "-- the qwen2-genai-fp16 fixture (2 layers, hidden 64: launch overhead, not bandwidth)"
checked 60 $bin/onnxgen "${bench[@]}" tests/fixtures/models/qwen2-genai-fp16
echo "== done in $(( $(date +%s) - run_start )) s, exit status $status"
exit "$status"
