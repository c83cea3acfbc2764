// libFuzzer target: arbitrary bytes through the model loader and the planner (which builds every
// kernel and folds constants). Any outcome but a clean onnxgen::Error is a bug.
#include <cstddef>
#include <cstdint>

#include "runtime/exec/session.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    onnxgen::Model model = onnxgen::load_model_from_bytes(data, size, "/nonexistent-fuzz-dir", "fuzz.onnx");
    onnxgen::Session session(std::move(model));
  } catch (const onnxgen::Error&) {
  }
  return 0;
}
