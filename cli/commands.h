#pragma once
#include <map>
#include <string>
#include <vector>

namespace onnxgen::cli {

// `--name value` options and positional arguments; unknown or repeated options are errors.
class Args {
 public:
  Args(int argc, char** argv);
  const std::vector<std::string>& positional() const { return positional_; }
  std::string get(const std::string& name, const std::string& fallback = "") const;
  std::string require(const std::string& name) const;
  int get_int(const std::string& name, int fallback) const;
  bool has(const std::string& name) const { return options_.count(name) != 0; }
  // Throws naming any option not in `known`.
  void allow_only(const std::vector<std::string>& known) const;

 private:
  std::vector<std::string> positional_;
  std::map<std::string, std::string> options_;
};

int run_exec(const Args& args);
int run_ops(const Args& args);
int run_tokenize(const Args& args);
int run_detokenize(const Args& args);
int run_chat_template(const Args& args);

}  // namespace onnxgen::cli
