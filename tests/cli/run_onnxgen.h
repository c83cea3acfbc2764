#pragma once
// Runs the onnxgen binary under test with a command line and optional stdin; returns its exit
// code and its stdout + stderr.
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace onnxgen::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

// `stderr_too`: merge stderr into the output (error-message tests want it; ids parsing does not).
inline CommandResult run_onnxgen(const std::string& args, const std::string& stdin_text = "", bool stderr_too = true) {
  static std::atomic<int> counter{0};
  namespace fs = std::filesystem;
  fs::path input = fs::temp_directory_path() /
                   ("onnxgen_stdin_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  std::ofstream(input) << stdin_text;
  std::string cmd = std::string(ONNXGEN_BINARY) + " " + args + " < " + input.string() + (stderr_too ? " 2>&1" : " 2>/dev/null");
  CommandResult r;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
    int status = pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  fs::remove(input);
  return r;
}

}  // namespace onnxgen::testing
