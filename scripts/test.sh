#!/usr/bin/env bash
# The test command of the README and CI: the full suite on build/, then the same suite on an
# AddressSanitizer + UndefinedBehaviorSanitizer build (build-asan/) unless --no-sanitize.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${ONNXGEN_JOBS:-$(nproc)}

ctest --test-dir build --output-on-failure -j "$JOBS"

if [[ "${1:-}" != "--no-sanitize" ]]; then
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DONNXGEN_SANITIZE=address,undefined >/dev/null
  cmake --build build-asan -j "$JOBS"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j "$JOBS"
fi
