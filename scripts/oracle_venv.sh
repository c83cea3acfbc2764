#!/usr/bin/env bash
# Creates .venv with the Python oracles (reference implementations used to make expected
# outputs and to compare speed). Neither the build nor the C++ tests need it.
# Usage: scripts/oracle_venv.sh [--full]   (--full adds torch, the genai builder and llama.cpp)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${ONNXGEN_VENV:-.venv}
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip
"$VENV/bin/pip" install -q numpy onnx onnxruntime tokenizers transformers jinja2 sentencepiece protobuf
if [[ "${1:-}" == "--full" ]]; then
  "$VENV/bin/pip" install -q --index-url https://download.pytorch.org/whl/cpu torch || "$VENV/bin/pip" install -q torch
  "$VENV/bin/pip" install -q onnxruntime-genai optimum-onnx openai llama-cpp-python
fi
echo "oracle virtualenv ready: $VENV"
