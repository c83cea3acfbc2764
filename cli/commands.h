#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace onnxgen::cli {

// `--name value` options and positional arguments; unknown or repeated options are errors.
class Args {
 public:
  Args(int argc, char** argv);
  const std::vector<std::string>& positional() const { return positional_; }
  // The value of an option given at most once; repeating it is an error.
  std::string get(const std::string& name, const std::string& fallback = "") const;
  // Every value of an option that may repeat (e.g. --input-ids), in order.
  std::vector<std::string> get_all(const std::string& name) const;
  std::string require(const std::string& name) const;
  int get_int(const std::string& name, int fallback) const;
  int64_t get_int64(const std::string& name, int64_t fallback) const;
  double get_double(const std::string& name, double fallback) const;
  bool has(const std::string& name) const { return options_.count(name) != 0; }
  // Throws naming any option not in `known`.
  void allow_only(const std::vector<std::string>& known) const;

 private:
  const std::string* single(const std::string& name) const;

  std::vector<std::string> positional_;
  std::map<std::string, std::vector<std::string>> options_;
};

int run_exec(const Args& args);
int run_ops(const Args& args);
int run_tokenize(const Args& args);
int run_detokenize(const Args& args);
int run_chat_template(const Args& args);
int run_generate(const Args& args);
int run_chat(const Args& args);
int run_serve(const Args& args);
int run_bench(const Args& args);

}  // namespace onnxgen::cli
