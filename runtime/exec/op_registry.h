#pragma once
// One registry of kernels keyed by (domain, op, opset range, device). A kernel file registers
// itself with ONNXGEN_REGISTER_KERNEL, so adding an op touches one file.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/exec/kernel.h"

namespace onnxgen {

using KernelFactory = std::function<std::unique_ptr<OpKernel>(const KernelInit&)>;

struct KernelDef {
  std::string domain;  // "" is the default ONNX domain
  std::string op_type;
  int64_t since_version;
  int64_t until_version;  // inclusive
  DeviceType device;
  KernelFactory factory;
};

class OpRegistry {
 public:
  static OpRegistry& global();
  // Records a kernel. One that overlaps an existing (domain, op, device, opset) range is not
  // added but remembered in conflicts(): registration runs in static initialisers, where a throw
  // would kill every program before main.
  bool add(KernelDef def);
  const std::vector<std::string>& conflicts() const { return conflicts_; }
  // The kernel for `op_type` at `opset`, or null.
  const KernelDef* find(const std::string& domain, const std::string& op_type, int64_t opset, DeviceType device) const;
  // Why find() failed, for the error message.
  std::string explain_missing(const std::string& domain, const std::string& op_type, int64_t opset,
                              DeviceType device) const;
  std::vector<const KernelDef*> all() const;

 private:
  std::map<std::string, std::vector<KernelDef>> defs_;  // key: domain + "::" + op_type
  std::vector<std::string> conflicts_;
};

template <class K>
KernelFactory kernel_factory() {
  return [](const KernelInit& init) -> std::unique_ptr<OpKernel> { return std::make_unique<K>(init); };
}

}  // namespace onnxgen

#define ONNXGEN_CONCAT_INNER(a, b) a##b
#define ONNXGEN_CONCAT(a, b) ONNXGEN_CONCAT_INNER(a, b)
// Registers a kernel class (constructible from const KernelInit&) for opsets [since, until]. The
// class is variadic so template arguments with commas need no extra parentheses.
#define ONNXGEN_REGISTER_KERNEL(domain, op, since, until, ...)                                        \
  static const bool ONNXGEN_CONCAT(onnxgen_registered_, __COUNTER__) = ::onnxgen::OpRegistry::global().add( \
      {domain, op, since, until, ::onnxgen::DeviceType::kCpu, ::onnxgen::kernel_factory<__VA_ARGS__>()})
// For ops whose newest version is still current.
#define ONNXGEN_LATEST 1000
