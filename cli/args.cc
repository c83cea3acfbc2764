#include <algorithm>
#include <stdexcept>

#include "cli/commands.h"

namespace onnxgen::cli {

Args::Args(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) == 0 && a.size() > 2) {
      std::string name = a.substr(2), value;
      auto eq = name.find('=');
      if (eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      } else if (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) {
        value = argv[++i];
      }
      options_[name].push_back(value);
    } else {
      positional_.push_back(a);
    }
  }
}

const std::string* Args::single(const std::string& name) const {
  auto it = options_.find(name);
  if (it == options_.end()) return nullptr;
  if (it->second.size() > 1) throw std::runtime_error("option --" + name + " given twice");
  return &it->second.front();
}

std::string Args::get(const std::string& name, const std::string& fallback) const {
  const std::string* v = single(name);
  return v ? *v : fallback;
}

std::vector<std::string> Args::get_all(const std::string& name) const {
  auto it = options_.find(name);
  return it == options_.end() ? std::vector<std::string>{} : it->second;
}

std::string Args::require(const std::string& name) const {
  const std::string* v = single(name);
  if (!v || v->empty()) throw std::runtime_error("missing required option --" + name);
  return *v;
}

int Args::get_int(const std::string& name, int fallback) const {
  return static_cast<int>(get_int64(name, fallback));
}

int64_t Args::get_int64(const std::string& name, int64_t fallback) const {
  const std::string* v = single(name);
  if (!v) return fallback;
  try {
    size_t used = 0;
    long long x = std::stoll(*v, &used);
    if (used != v->size()) throw std::invalid_argument("");
    return x;
  } catch (const std::exception&) {
    throw std::runtime_error("option --" + name + " expects an integer, got '" + *v + "'");
  }
}

double Args::get_double(const std::string& name, double fallback) const {
  const std::string* v = single(name);
  if (!v) return fallback;
  try {
    size_t used = 0;
    double x = std::stod(*v, &used);
    if (used != v->size()) throw std::invalid_argument("");
    return x;
  } catch (const std::exception&) {
    throw std::runtime_error("option --" + name + " expects a number, got '" + *v + "'");
  }
}

void Args::allow_only(const std::vector<std::string>& known) const {
  for (const auto& [name, value] : options_)
    if (std::find(known.begin(), known.end(), name) == known.end())
      throw std::runtime_error("unknown option --" + name);
}

}  // namespace onnxgen::cli
