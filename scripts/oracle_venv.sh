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
  # The model builder imports onnx_ir without declaring it.
  "${PIP[@]}" onnxruntime-genai onnx-ir
  # optimum-onnx pins transformers<4.58 while the model builder needs 5.x, so Optimum and its
  # transformers live in an overlay that shadows the venv's through PYTHONPATH (make_fixtures.py
  # sets it); torch and the rest come from the venv.
  "${PIP[@]}" --no-deps --upgrade --target "$VENV/optimum-overlay" optimum-onnx "optimum~=2.1.0" \
    "transformers>=4.36,<4.58" "huggingface_hub>=0.34,<1.0" "tokenizers>=0.22,<=0.23.0"
  "${PIP[@]}" "transformers>=5" "huggingface_hub>=1" tokenizers
  "${PIP[@]}" openai llama-cpp-python || echo "warning: llama-cpp-python not installed" >&2
fi
echo "oracle virtualenv ready: $VENV"
