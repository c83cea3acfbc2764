// Runs ONNX's backend test cases (model.onnx + test_data_set_N/{input,output}_K.pb) in-process,
// each case in a forked child so a crash or hang is reported against that case, not the suite.
// Fails when a case listed in --expected no longer passes: the list only grows.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "onnx/onnx_pb.h"
#include "runtime/exec/session.h"
#include "runtime/core/sequence.h"
#include "runtime/graph/tensor_proto.h"
#include "tests/conformance/value_files.h"

namespace fs = std::filesystem;
using onnxgen::DataType;
using onnxgen::Tensor;

namespace {

constexpr double kRtol = 1e-3;
constexpr double kAtol = 1e-5;
constexpr int kCaseTimeoutSeconds = 120;

struct Options {
  std::string data_dir;
  std::string expected_file;
  std::string report_file;
  std::string update_file;
  std::string filter;
};

// ONNX 1.12's test data stores bfloat16 tensors as uint16 (the generator predates bfloat16 in
// numpy); the bits are the bfloat16 values.
Tensor as_declared_bfloat16(const Tensor& t) {
  if (t.dtype() != DataType::kUInt16) return t;
  return Tensor(DataType::kBFloat16, t.shape(), t.buffer());
}

std::string compare_tensors(const Tensor& got, const Tensor& want_as_stored) {
  const Tensor want = got.dtype() == DataType::kBFloat16 ? as_declared_bfloat16(want_as_stored) : want_as_stored;
  if (got.dtype() != want.dtype()) return "dtype " + got.describe() + " vs expected " + want.describe();
  if (got.shape() != want.shape()) return "shape " + got.describe() + " vs expected " + want.describe();
  int64_t n = want.numel();
  if (want.dtype() == DataType::kString) {
    for (int64_t i = 0; i < n; ++i)
      if (got.data<std::string>()[i] != want.data<std::string>()[i])
        return "string mismatch at " + std::to_string(i);
    return "";
  }
  bool exact = !onnxgen::is_float(want.dtype());
  for (int64_t i = 0; i < n; ++i) {
    if (exact) {
      if (got.to_int64(i) != want.to_int64(i) ||
          (want.dtype() == DataType::kUInt64 && got.data<uint64_t>()[i] != want.data<uint64_t>()[i]))
        return onnxgen::str_cat("value at ", i, ": ", got.to_int64(i), " vs expected ", want.to_int64(i));
      continue;
    }
    double a = got.to_double(i), b = want.to_double(i);
    if (std::isnan(a) && std::isnan(b)) continue;
    if (a == b) continue;  // covers equal infinities
    if (!(std::fabs(a - b) <= kAtol + kRtol * std::fabs(b)))
      return onnxgen::str_cat("value at ", i, ": ", a, " vs expected ", b);
  }
  return "";
}

// Returns "" when equal, otherwise why not. Sequences compare element by element; an optional
// holding a value is that value.
std::string compare(const Tensor& got, const Tensor& want) {
  if (onnxgen::is_empty_optional(want) || onnxgen::is_empty_optional(got))
    return onnxgen::is_empty_optional(want) == onnxgen::is_empty_optional(got)
               ? ""
               : "got " + got.describe() + ", expected " + want.describe();
  if (!onnxgen::is_sequence(want)) {
    if (onnxgen::is_sequence(got)) return "got a sequence, expected " + want.describe();
    return compare_tensors(got, want);
  }
  if (!onnxgen::is_sequence(got)) return "got " + got.describe() + ", expected a sequence";
  const auto& g = onnxgen::sequence_items(got);
  const auto& w = onnxgen::sequence_items(want);
  if (g.size() != w.size()) return onnxgen::str_cat("sequence of ", g.size(), " elements, expected ", w.size());
  for (size_t i = 0; i < w.size(); ++i)
    if (std::string why = compare_tensors(g[i], w[i]); !why.empty()) return onnxgen::str_cat("element ", i, ": ", why);
  return "";
}

bool uses_maps(const onnxgen::Graph& g) {
  auto is_map = [](const onnxgen::ValueInfo& v) {
    return v.kind == onnxgen::ValueInfo::Kind::kMap || v.kind == onnxgen::ValueInfo::Kind::kUnknown;
  };
  return std::any_of(g.inputs.begin(), g.inputs.end(), is_map) || std::any_of(g.outputs.begin(), g.outputs.end(), is_map);
}

// "" on pass, "SKIP: ..." when out of scope, else the failure.
std::string run_case(const fs::path& dir) {
  fs::path model = dir / "model.onnx";
  if (!fs::exists(model)) return "SKIP: no model.onnx";
  try {
    onnxgen::Model loaded = onnxgen::load_model(model.string());
    if (uses_maps(*loaded.graph)) return "SKIP: map inputs or outputs";
    onnxgen::Session session(std::move(loaded));
    std::vector<fs::path> sets;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0) sets.push_back(e.path());
    std::sort(sets.begin(), sets.end());
    if (sets.empty()) return "SKIP: no test data sets";
    for (const auto& set : sets) {
      std::vector<Tensor> inputs;
      for (size_t k = 0; k < session.inputs().size(); ++k) {
        Tensor t = onnxgen::conformance::read_value_file((set / ("input_" + std::to_string(k) + ".pb")).string(),
                                                         session.inputs()[k]->kind);
        inputs.push_back(session.inputs()[k]->dtype == DataType::kBFloat16 ? as_declared_bfloat16(t) : t);
      }
      std::vector<Tensor> outputs = session.run(inputs);
      for (size_t k = 0; k < outputs.size(); ++k) {
        fs::path expected = set / ("output_" + std::to_string(k) + ".pb");
        if (!fs::exists(expected)) continue;
        std::string why =
            compare(outputs[k], onnxgen::conformance::read_value_file(expected.string(), session.outputs()[k].kind));
        if (!why.empty()) return "wrong output " + std::to_string(k) + " in " + set.filename().string() + ": " + why;
      }
    }
    return "";
  } catch (const std::exception& e) {
    return std::string("error: ") + e.what();
  }
}

std::string run_case_isolated(const fs::path& dir) {
  int fds[2];
  if (pipe(fds) != 0) return run_case(dir);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    alarm(kCaseTimeoutSeconds);
    std::string result = run_case(dir);
    ssize_t ignored = write(fds[1], result.data(), result.size());
    (void)ignored;
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  std::string result;
  char buf[4096];
  ssize_t got;
  while ((got = read(fds[0], buf, sizeof buf)) > 0) result.append(buf, static_cast<size_t>(got));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    return sig == SIGALRM ? "timeout after " + std::to_string(kCaseTimeoutSeconds) + " s"
                          : "crash: signal " + std::to_string(sig) + " (" + strsignal(sig) + ")";
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "child exited with status " + std::to_string(WEXITSTATUS(status));
  return result;
}

std::set<std::string> read_list(const std::string& path) {
  std::set<std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty() && line[0] != '#') out.insert(line);
  return out;
}

// "unsupported op 'X'" → "X", for the summary of what is missing.
std::string missing_op(const std::string& why) {
  for (std::string key : {"unsupported op '", "no kernel for op '"}) {
    auto p = why.find(key);
    if (p != std::string::npos) {
      auto end = why.find('\'', p + key.size());
      return why.substr(p + key.size(), end - p - key.size());
    }
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--data") opt.data_dir = v;
    else if (k == "--expected") opt.expected_file = v;
    else if (k == "--report") opt.report_file = v;
    else if (k == "--update") opt.update_file = v;
    else if (k == "--filter") opt.filter = v;
    else {
      std::cerr << "unknown option " << k << "\n";
      return 2;
    }
  }
  if (opt.data_dir.empty() || !fs::exists(opt.data_dir)) {
    std::cout << "SKIPPED: ONNX backend test data not found at '" << opt.data_dir
              << "' (install Debian's libonnx-testdata)\n";
    return 77;
  }
  // Each subdirectory is a suite (ONNX's node, simple, pytorch-converted, ...; or a generated root).
  std::vector<std::string> suites;
  for (const auto& e : fs::directory_iterator(opt.data_dir))
    if (e.is_directory()) suites.push_back(e.path().filename().string());
  std::sort(suites.begin(), suites.end());
  std::set<std::string> expected = read_list(opt.expected_file);
  std::ofstream report(opt.report_file.empty() ? "/dev/null" : opt.report_file);
  std::set<std::string> passing;
  std::map<std::string, int> missing_ops;
  std::vector<std::string> regressions;
  int total = 0, passed = 0, skipped = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (const auto& suite : suites) {
    fs::path sdir = fs::path(opt.data_dir) / suite;
    if (!fs::exists(sdir)) continue;
    std::vector<fs::path> cases;
    for (const auto& e : fs::directory_iterator(sdir))
      if (e.is_directory()) cases.push_back(e.path());
    std::sort(cases.begin(), cases.end());
    int s_total = 0, s_pass = 0, s_skip = 0;
    for (const auto& c : cases) {
      std::string name = suite + "/" + c.filename().string();
      if (!opt.filter.empty() && name.find(opt.filter) == std::string::npos) continue;
      std::string why = run_case_isolated(c);
      ++s_total;
      if (why.empty()) {
        ++s_pass;
        passing.insert(name);
      } else if (why.rfind("SKIP:", 0) == 0) {
        ++s_skip;
        report << "SKIP " << name << ": " << why.substr(6) << "\n";
      } else {
        report << "FAIL " << name << ": " << why << "\n";
        if (auto op = missing_op(why); !op.empty()) ++missing_ops[op];
      }
      if (!why.empty() && expected.count(name)) regressions.push_back(name + ": " + why);
    }
    std::cout << suite << ": " << s_pass << " / " << s_total << " passed (" << s_skip << " out of scope)\n";
    total += s_total;
    passed += s_pass;
    skipped += s_skip;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "total: " << passed << " / " << total << " passed, " << skipped << " out of scope, " << secs << " s\n";
  if (!missing_ops.empty()) {
    std::vector<std::pair<int, std::string>> by_count;
    for (const auto& [op, n] : missing_ops) by_count.emplace_back(n, op);
    std::sort(by_count.rbegin(), by_count.rend());
    std::cout << "unsupported ops (cases):";
    for (const auto& [n, op] : by_count) std::cout << " " << op << "(" << n << ")";
    std::cout << "\n";
  }
  if (!opt.update_file.empty()) {
    std::ofstream out(opt.update_file);
    out << "# Conformance cases that pass; tests/conformance fails if one of these regresses.\n";
    for (const auto& name : passing) out << name << "\n";
  }
  if (!regressions.empty()) {
    std::cout << regressions.size() << " regression(s) against " << opt.expected_file << ":\n";
    for (const auto& r : regressions) std::cout << "  " << r << "\n";
    return 1;
  }
  if (!opt.report_file.empty()) std::cout << "report: " << opt.report_file << "\n";
  return 0;
}
