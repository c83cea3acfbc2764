#!/usr/bin/env bash
# Creates .venv with the Python oracles (reference implementations used to make expected
# outputs and to compare speed). Neither the build nor the C++ tests need it.
# Usage: scripts/oracle_venv.sh [--full]
#   --full adds the exporters behind tests/fixtures/models (torch CPU, transformers, the
#   onnxruntime-genai model builder, Optimum) and llama.cpp's bindings for speed comparisons.
# Idempotent: an existing venv is reused and pip skips what is already satisfied.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${ONNXGEN_VENV:-.venv}
PIP=("$VENV/bin/pip" install -q)
[[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
"${PIP[@]}" --upgrade pip
"${PIP[@]}" numpy onnx onnxruntime tokenizers transformers jinja2 sentencepiece protobuf

if [[ "${1:-}" == "--full" ]]; then
  # The CPU wheel index is far smaller than PyPI's CUDA build; PyPI is the fallback where
  # that index is unreachable.
  if ! "$VENV/bin/python" -c "import torch" 2>/dev/null; then
    "${PIP[@]}" --timeout 20 --retries 1 --index-url https://download.pytorch.org/whl/cpu torch || "${PIP[@]}" torch
  fi
  "${PIP[@]}" onnxruntime-genai transformers
  # Optimum's ONNX exporter moved to the optimum-onnx distribution; older registries only
  # have the extra on optimum itself.
  "${PIP[@]}" optimum-onnx || "${PIP[@]}" "optimum[onnxruntime]"
  "${PIP[@]}" openai llama-cpp-python || echo "warning: llama-cpp-python not installed" >&2
fi
echo "oracle virtualenv ready: $VENV"
