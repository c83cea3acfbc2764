#!/usr/bin/env bash
# The test command of the README and CI: the full suite on build/.
#   --sanitize   then builds build-asan/ with AddressSanitizer + UndefinedBehaviorSanitizer and runs
#                the same suite there. It doubles the build (about 20 more minutes on 2 cores),
#                which CI's 45-minute budget cannot spare, so CI runs without it.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${ONNXGEN_JOBS:-$(nproc)}

# The server's openai-client test runs the official `openai` package (pure Python, small) from
# .venv-ci; without network the test skips itself.
if [[ ! -x .venv-ci/bin/python ]] || ! .venv-ci/bin/python -c "import openai" 2>/dev/null; then
  python3 -m venv .venv-ci && .venv-ci/bin/pip install -q openai \
    || echo "test.sh: could not install openai into .venv-ci; server_openai_client will skip"
fi

ctest --test-dir build --output-on-failure -j "$JOBS"

if [[ "${1:-}" == "--sanitize" ]]; then
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DONNXGEN_SANITIZE=address,undefined >/dev/null
  cmake --build build-asan -j "$JOBS"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j "$JOBS"
fi
