// Parity with ONNX Runtime on real LLM exports: every step of every fixture (prefill, then decode
// steps fed with ORT's own present KV) runs through onnxgen and each output is compared with what
// ORT stored, relative to the largest |value| of that output: 1e-4 for fp32, 2e-2 for fp16
// outputs, 1e-3 for int4 fixtures. Fixtures listed in passing_fixtures.txt must pass; the others
// are reported as not yet passing and skipped. Each fixture runs in a forked child so a crashing
// kernel fails only a listed fixture, never the suite.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/core/error.h"
#include "runtime/exec/session.h"
#include "runtime/graph/tensor_proto.h"

namespace fs = std::filesystem;

namespace onnxgen {
namespace {

constexpr int kFixtureTimeoutSeconds = 300;

struct Fixture {
  std::string name;      // as listed in passing_fixtures.txt
  fs::path model;        // model.onnx
  fs::path steps;        // holds step_<k>/
  std::string missing;   // why it cannot run here, if it cannot
};

// gtest names each test's parameter with this (and ctest shows it) instead of raw bytes.
void PrintTo(const Fixture& f, std::ostream* os) { *os << f.name; }

std::vector<Fixture> discover_fixtures() {
  std::vector<Fixture> out;
  if (fs::exists(ONNXGEN_FIXTURES_DIR))
    for (const auto& e : fs::directory_iterator(ONNXGEN_FIXTURES_DIR))
      if (e.is_directory() && fs::exists(e.path() / "model.onnx"))
        out.push_back({e.path().filename().string(), e.path() / "model.onnx", e.path(), ""});
  std::sort(out.begin(), out.end(), [](const Fixture& a, const Fixture& b) { return a.name < b.name; });
  // ../shared models: their ORT outputs live in the build dir, never in the repository.
  const fs::path shared = ONNXGEN_SHARED_DIR;
  const fs::path expected = ONNXGEN_SHARED_EXPECTED_DIR;
  for (const auto& [name, file] : {std::pair{"gpt2-tiny-random", "past.onnx"}, {"qwen3.5-tiny-gqa", "decoder.onnx"}}) {
    Fixture f{std::string("shared/") + name, shared / "models" / name / file, expected / name, ""};
    if (!fs::exists(f.model))
      f.missing = "../shared not found at " + shared.string() + "; shared models are not part of the repository";
    else if (!fs::exists(f.steps / "step_0"))
      f.missing = "no ORT outputs in " + f.steps.string() +
                  "; make them with `scripts/make_fixtures.py --no-repo --shared-out " + expected.string() + "`";
    out.push_back(std::move(f));
  }
  return out;
}

std::set<std::string> passing_list() {
  std::set<std::string> out;
  std::ifstream in(ONNXGEN_PASSING_LIST);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty() && line[0] != '#') out.insert(line);
  return out;
}

double tolerance(const std::string& fixture, DataType dtype) {
  if (dtype == DataType::kFloat16 || dtype == DataType::kBFloat16) return 2e-2;
  if (fixture.ends_with("-int4")) return 1e-3;
  return 1e-4;
}

struct Outcome {
  double max_abs = 0;
  double max_rel = 0;  // max over outputs of max|got - want| / max|want|
  std::string failure;  // empty when every output is within tolerance
};

// Folds one output's comparison into `o`; exact for integer outputs.
void compare(const std::string& fixture, const std::string& where, const Tensor& got, const Tensor& want,
             Outcome& o) {
  auto note = [&](const std::string& why) {
    if (o.failure.empty()) o.failure = where + ": " + why;
  };
  if (got.dtype() != want.dtype() || got.shape() != want.shape()) {
    note(got.describe() + " vs ORT " + want.describe());
    return;
  }
  double diff = 0, scale = 0;
  for (int64_t i = 0; i < want.numel(); ++i) {
    double a = got.to_double(i), b = want.to_double(i);
    double d = a == b || (std::isnan(a) && std::isnan(b)) ? 0 : std::fabs(a - b);  // equal infinities too
    if (std::isnan(d)) d = INFINITY;
    diff = std::max(diff, d);
    scale = std::max(scale, std::fabs(b));
  }
  double rel = diff / (scale > 0 ? scale : 1.0);
  o.max_abs = std::max(o.max_abs, diff);
  o.max_rel = std::max(o.max_rel, rel);
  double tol = is_float(want.dtype()) ? tolerance(fixture, want.dtype()) : 0.0;
  if (!(rel <= tol)) note(str_cat("max abs diff ", diff, ", relative ", rel, " > ", tol));
}

Outcome run_fixture(const Fixture& f) {
  Outcome o;
  try {
    Session session(f.model.string());
    for (int step = 0;; ++step) {
      fs::path dir = f.steps / ("step_" + std::to_string(step));
      if (!fs::exists(dir)) {
        if (step == 0) o.failure = "no step_0 in " + f.steps.string();
        break;
      }
      std::vector<Tensor> inputs;
      for (size_t k = 0; k < session.inputs().size(); ++k)
        inputs.push_back(read_tensor_file((dir / ("input_" + std::to_string(k) + ".pb")).string()));
      std::vector<Tensor> outputs = session.run(inputs);
      for (size_t k = 0; k < outputs.size(); ++k) {
        fs::path want = dir / ("output_" + std::to_string(k) + ".pb");
        if (fs::exists(want))
          compare(f.name, str_cat("step_", step, " ", session.outputs()[k].name), outputs[k],
                  read_tensor_file(want.string()), o);
      }
    }
  } catch (const std::exception& e) {
    // An earlier mismatch usually explains the error, so it stays first.
    o.failure += (o.failure.empty() ? "" : "; then ") + std::string("error: ") + e.what();
  }
  return o;
}

// The child writes "max_abs max_rel\nfailure" to a pipe; a signal or timeout becomes the failure.
Outcome run_fixture_isolated(const Fixture& f) {
  int fds[2];
  if (pipe(fds) != 0) return run_fixture(f);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    alarm(kFixtureTimeoutSeconds);
    Outcome o = run_fixture(f);
    std::string msg = str_cat(o.max_abs, " ", o.max_rel, "\n", o.failure);
    for (size_t done = 0; done < msg.size();) {
      ssize_t n = write(fds[1], msg.data() + done, msg.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string msg;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) msg.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  Outcome o;
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    o.failure = sig == SIGALRM ? str_cat("timeout after ", kFixtureTimeoutSeconds, " s")
                               : str_cat("crash: signal ", sig, " (", strsignal(sig), ")");
    return o;
  }
  std::istringstream in(msg);
  in >> o.max_abs >> o.max_rel;
  in.ignore(1);
  std::getline(in, o.failure, '\0');
  if (!in && msg.empty()) o.failure = "child produced no result";
  return o;
}

class Parity : public ::testing::TestWithParam<Fixture> {};

TEST_P(Parity, MatchesOnnxRuntime) {
  const Fixture& f = GetParam();
  if (!f.missing.empty()) GTEST_SKIP() << f.name << ": " << f.missing;
  const bool listed = passing_list().count(f.name) > 0;
  Outcome o = run_fixture_isolated(f);
  RecordProperty("max_abs_diff", str_cat(o.max_abs));
  RecordProperty("max_rel_diff", str_cat(o.max_rel));
  std::cout << "PARITY " << f.name << " max_abs " << o.max_abs << " max_rel " << o.max_rel << " "
            << (o.failure.empty() ? "pass" : "FAIL: " + o.failure) << "\n";
  if (listed) {
    EXPECT_EQ(o.failure, "") << f.name << " is in passing_fixtures.txt";
  } else if (o.failure.empty()) {
    std::cout << f.name << " passes: add it to tests/parity/passing_fixtures.txt\n";
  } else {
    GTEST_SKIP() << f.name << " not yet passing: " << o.failure;
  }
}

std::string fixture_test_name(const ::testing::TestParamInfo<Fixture>& info) {
  std::string s = info.param.name;
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Parity, ::testing::ValuesIn(discover_fixtures()), fixture_test_name);

}  // namespace
}  // namespace onnxgen
