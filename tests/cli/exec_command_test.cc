// `onnxgen exec` end to end: the real binary on ONNX backend cases.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstring>
#include <filesystem>

#include "runtime/graph/tensor_proto.h"
#include "tests/cli/run_onnxgen.h"

namespace fs = std::filesystem;

namespace {

using Result = onnxgen::testing::CommandResult;

Result run(const std::string& args) { return onnxgen::testing::run_onnxgen(args); }

class ExecCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    case_dir_ = fs::path(ONNXGEN_ONNX_TESTDATA) / "node" / "test_identity";
    if (!fs::exists(case_dir_)) GTEST_SKIP() << "ONNX backend test data not installed at " << ONNXGEN_ONNX_TESTDATA;
    out_dir_ = fs::temp_directory_path() / ("onnxgen_exec_" + std::to_string(::getpid()));
  }
  void TearDown() override { fs::remove_all(out_dir_); }
  fs::path case_dir_, out_dir_;
};

TEST_F(ExecCommand, WritesOutputsMatchingTheBackendCase) {
  Result r = run("exec " + (case_dir_ / "model.onnx").string() + " --data " + (case_dir_ / "test_data_set_0").string() +
                 " --out " + out_dir_.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  onnxgen::Tensor got = onnxgen::read_tensor_file((out_dir_ / "output_0.pb").string());
  onnxgen::Tensor want = onnxgen::read_tensor_file((case_dir_ / "test_data_set_0" / "output_0.pb").string());
  ASSERT_EQ(got.describe(), want.describe());
  EXPECT_EQ(0, std::memcmp(got.raw(), want.raw(), want.bytes()));
}

TEST_F(ExecCommand, MissingInputFileIsAnErrorNamingIt) {
  fs::create_directories(out_dir_);
  Result r = run("exec " + (case_dir_ / "model.onnx").string() + " --data " + out_dir_.string() + " --out " +
                 out_dir_.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("input_0.pb"), std::string::npos) << r.output;
}

TEST_F(ExecCommand, BadUsageIsReported) {
  Result r = run("exec");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("exactly one MODEL.onnx"), std::string::npos) << r.output;
  r = run("exec " + (case_dir_ / "model.onnx").string() + " --data x --out y --bogus 1");
  EXPECT_NE(r.output.find("unknown option --bogus"), std::string::npos) << r.output;
  r = run("frobnicate");
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
