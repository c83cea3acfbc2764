#include "runtime/exec/kernel.h"

namespace onnxgen {

const Tensor& KernelContext::required(size_t i) const {
  const Tensor* t = input(i);
  if (!t) fail("required input ", i, " is missing");
  return *t;
}

Tensor& KernelContext::allocate(size_t i, DataType dtype, Shape shape) {
  ONNXGEN_CHECK(i < outputs_.size(), "output ", i, " does not exist (node has ", outputs_.size(), ")");
  outputs_[i] = Tensor::empty(dtype, std::move(shape), allocator_);
  return outputs_[i];
}

void KernelContext::set_output(size_t i, Tensor t) {
  ONNXGEN_CHECK(i < outputs_.size(), "output ", i, " does not exist (node has ", outputs_.size(), ")");
  outputs_[i] = std::move(t);
}

}  // namespace onnxgen
