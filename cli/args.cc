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
      if (!options_.emplace(name, value).second) throw std::runtime_error("option --" + name + " given twice");
    } else {
      positional_.push_back(a);
    }
  }
}

std::string Args::get(const std::string& name, const std::string& fallback) const {
  auto it = options_.find(name);
  return it == options_.end() ? fallback : it->second;
}

std::string Args::require(const std::string& name) const {
  auto it = options_.find(name);
  if (it == options_.end() || it->second.empty()) throw std::runtime_error("missing required option --" + name);
  return it->second;
}

int Args::get_int(const std::string& name, int fallback) const {
  auto it = options_.find(name);
  if (it == options_.end()) return fallback;
  try {
    size_t used = 0;
    int v = std::stoi(it->second, &used);
    if (used != it->second.size()) throw std::invalid_argument("");
    return v;
  } catch (const std::exception&) {
    throw std::runtime_error("option --" + name + " expects an integer, got '" + it->second + "'");
  }
}

void Args::allow_only(const std::vector<std::string>& known) const {
  for (const auto& [name, value] : options_)
    if (std::find(known.begin(), known.end(), name) == known.end())
      throw std::runtime_error("unknown option --" + name);
}

}  // namespace onnxgen::cli
