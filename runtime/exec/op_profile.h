#pragma once
// Time per op type across every plan run, for finding where a model's time goes (ORT's
// enable_profiling, GGML_PERF). Off unless the environment sets ONNXGEN_PROFILE=1; then each
// kernel call is timed and the table goes to stderr when the process exits. (Device kernels are
// timed as launched, not as run.) Calls are grouped by the phase a caller names around them
// (a model runner marks prefill and decode steps), since the two differ in what bounds them.
#include <cstdint>
#include <string_view>

namespace onnxgen::op_profile {

bool enabled();
// Adds one call of `ns` nanoseconds to `domain`:`op_type`.
void record(std::string_view domain, std::string_view op_type, int64_t ns);

// Names the phase that calls recorded on any thread belong to while it lives; `name` must be a
// string literal (or outlive the process).
class Phase {
 public:
  explicit Phase(const char* name);
  ~Phase();
  Phase(const Phase&) = delete;
  Phase& operator=(const Phase&) = delete;

 private:
  const char* previous_;
};

}  // namespace onnxgen::op_profile
