// Parity of the repository's fixtures (tests/fixtures/models) on a device against the ONNX
// Runtime outputs stored with them, like tests/parity but for any --device and with a table:
// per fixture the worst relative error over every step's outputs (max |got - want| / max |want|
// per output), the tolerance (fp16 2e-2, fp32 and int4 1e-3), whether each step's last-token
// argmax matches the CPU's, the device and CPU runs' wall times, and the model's ops that have no
// kernel on the device (they run on the CPU). Exit status 1 if any fixture fails.
//   cuda_parity [--device cuda:N] [--fixtures DIR] [--only SUBSTRING]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "runtime/core/error.h"
#include "runtime/exec/op_registry.h"
#include "runtime/exec/session.h"
#include "runtime/graph/tensor_proto.h"

namespace fs = std::filesystem;
using namespace onnxgen;

namespace {

struct Result {
  double max_rel = 0;
  bool argmax_match = true;
  double seconds = 0, cpu_seconds = 0;
  std::string error;
};

double relative_error(const Tensor& got, const Tensor& want, std::string& error) {
  if (got.dtype() != want.dtype() || got.shape() != want.shape()) {
    error = got.describe() + " vs ORT " + want.describe();
    return INFINITY;
  }
  double diff = 0, scale = 0;
  for (int64_t i = 0; i < want.numel(); ++i) {
    const double a = got.to_double(i), b = want.to_double(i);
    double d = a == b ? 0 : std::fabs(a - b);
    if (std::isnan(d)) d = INFINITY;
    diff = std::max(diff, d);
    scale = std::max(scale, std::fabs(b));
  }
  return diff / (scale > 0 ? scale : 1.0);
}

// The argmax of the last position of [batch, seq, vocab] logits.
int64_t last_argmax(const Tensor& logits) {
  const int64_t vocab = logits.dim(logits.rank() - 1);
  const int64_t base = logits.numel() - vocab;
  int64_t best = 0;
  for (int64_t i = 1; i < vocab; ++i)
    if (logits.to_double(base + i) > logits.to_double(base + best)) best = i;
  return best;
}

std::vector<std::vector<Tensor>> run_steps(const fs::path& dir, Device device, double* seconds) {
  SessionOptions options;
  options.device = device;
  Session session((dir / "model.onnx").string(), options);
  std::vector<std::vector<Tensor>> outputs;
  const auto start = std::chrono::steady_clock::now();
  for (int step = 0; fs::exists(dir / ("step_" + std::to_string(step))); ++step) {
    const fs::path step_dir = dir / ("step_" + std::to_string(step));
    std::vector<Tensor> inputs;
    for (size_t k = 0; k < session.inputs().size(); ++k)
      inputs.push_back(read_tensor_file((step_dir / ("input_" + std::to_string(k) + ".pb")).string()));
    outputs.push_back(session.run(inputs));
  }
  if (seconds) *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return outputs;
}

Result check_fixture(const fs::path& dir, Device device) {
  Result r;
  try {
    const auto got = run_steps(dir, device, &r.seconds);
    const auto cpu = run_steps(dir, Device::cpu(), &r.cpu_seconds);
    for (size_t step = 0; step < got.size(); ++step) {
      const fs::path step_dir = dir / ("step_" + std::to_string(step));
      for (size_t k = 0; k < got[step].size(); ++k) {
        const fs::path want = step_dir / ("output_" + std::to_string(k) + ".pb");
        if (!fs::exists(want)) continue;
        std::string error;
        r.max_rel = std::max(r.max_rel, relative_error(got[step][k], read_tensor_file(want.string()), error));
        if (!error.empty() && r.error.empty()) r.error = str_cat("step_", step, " output ", k, ": ", error);
      }
      if (last_argmax(got[step][0]) != last_argmax(cpu[step][0])) r.argmax_match = false;
    }
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  return r;
}

// Op types of the model with no kernel for `device` (the planner runs those nodes on the CPU).
std::string host_only_ops(const fs::path& model_path, Device device) {
  const Model model = load_model(model_path.string());
  std::set<std::string> ops;
  for (const Node& node : model.graph->nodes) {
    const int64_t opset = std::max<int64_t>(model.opset(node.domain), 1);
    if (!OpRegistry::global().find(node.domain, node.op_type, opset, device.type)) ops.insert(node.op_type);
  }
  std::string s;
  for (const auto& op : ops) s += (s.empty() ? "" : ",") + op;
  return s.empty() ? "-" : s;
}

double tolerance(const std::string& name) { return name.ends_with("-fp16") ? 2e-2 : 1e-3; }

}  // namespace

int main(int argc, char** argv) {
  Device device{DeviceType::kCuda, 0};
  fs::path fixtures = ONNXGEN_FIXTURES_DIR;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--device" && i + 1 < argc) device = parse_device(argv[++i]);
    else if (arg == "--fixtures" && i + 1 < argc) fixtures = argv[++i];
    else if (arg == "--only" && i + 1 < argc) only = argv[++i];
    else {
      std::cerr << "usage: cuda_parity [--device cuda:N] [--fixtures DIR] [--only SUBSTRING]\n";
      return 2;
    }
  }
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(fixtures))
    if (e.is_directory() && fs::exists(e.path() / "model.onnx") && e.path().filename().string().find(only) != std::string::npos)
      dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  std::printf("%-22s %-8s %10s %9s %-6s %8s %8s  %-6s %s\n", "fixture", "device", "max_rel", "tolerance", "argmax",
              "dev_s", "cpu_s", "result", "ops on cpu");
  int failures = 0;
  for (const auto& dir : dirs) {
    const std::string name = dir.filename().string();
    const Result r = check_fixture(dir, device);
    const bool pass = r.error.empty() && r.max_rel <= tolerance(name) && r.argmax_match;
    failures += pass ? 0 : 1;
    std::printf("%-22s %-8s %10.3e %9.0e %-6s %8.3f %8.3f  %-6s %s\n", name.c_str(), to_string(device).c_str(),
                r.max_rel, tolerance(name), r.argmax_match ? "same" : "DIFF", r.seconds, r.cpu_seconds,
                pass ? "pass" : "FAIL", host_only_ops(dir / "model.onnx", device).c_str());
    if (!r.error.empty()) std::printf("  %s\n", r.error.c_str());
    std::fflush(stdout);
  }
  std::printf("%zu fixtures, %d failing\n", dirs.size(), failures);
  return failures ? 1 : 0;
}
