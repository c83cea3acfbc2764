#include "runtime/exec/op_registry.h"

namespace onnxgen {

OpRegistry& OpRegistry::global() {
  static OpRegistry registry;
  return registry;
}

bool OpRegistry::add(KernelDef def) {
  auto& list = defs_[def.domain + "::" + def.op_type];
  auto range = [](const KernelDef& d) {
    return str_cat(d.since_version, "-", d.until_version >= ONNXGEN_LATEST ? std::string("latest") : std::to_string(d.until_version));
  };
  for (const auto& d : list)
    if (d.device == def.device && d.since_version <= def.until_version && def.since_version <= d.until_version) {
      conflicts_.push_back(str_cat("kernel '", def.domain.empty() ? "ai.onnx" : def.domain, "::", def.op_type,
                                   "' registered twice for ", to_string(def.device), " with overlapping opsets ",
                                   range(d), " and ", range(def)));
      return false;
    }
  list.push_back(std::move(def));
  return true;
}

const KernelDef* OpRegistry::find(const std::string& domain, const std::string& op_type, int64_t opset,
                                  DeviceType device) const {
  auto it = defs_.find(domain + "::" + op_type);
  if (it == defs_.end()) return nullptr;
  for (const auto& d : it->second)
    if (d.device == device && d.since_version <= opset && opset <= d.until_version) return &d;
  return nullptr;
}

std::string OpRegistry::explain_missing(const std::string& domain, const std::string& op_type, int64_t opset,
                                        DeviceType device) const {
  std::string where = str_cat("op '", op_type, "' in domain '", domain.empty() ? "ai.onnx" : domain, "'");
  auto it = defs_.find(domain + "::" + op_type);
  if (it == defs_.end()) return str_cat("unsupported ", where);
  std::string ranges;
  for (const auto& d : it->second) {
    if (d.device != device) continue;
    if (!ranges.empty()) ranges += ", ";
    ranges += str_cat(d.since_version, "-", d.until_version >= ONNXGEN_LATEST ? std::string("latest") : std::to_string(d.until_version));
  }
  if (ranges.empty()) return str_cat("no ", to_string(device), " kernel for ", where);
  return str_cat("no kernel for ", where, " at opset ", opset, " (supported opsets: ", ranges, ")");
}

std::vector<const KernelDef*> OpRegistry::all() const {
  std::vector<const KernelDef*> out;
  for (const auto& [key, list] : defs_)
    for (const auto& d : list) out.push_back(&d);
  return out;
}

}  // namespace onnxgen
