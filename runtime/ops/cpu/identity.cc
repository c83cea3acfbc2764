// Identity and Constant: values that pass through or are baked into the graph.
#include "runtime/exec/op_registry.h"

namespace onnxgen {
namespace {

class Identity : public OpKernel {
 public:
  explicit Identity(const KernelInit&) {}
  void compute(KernelContext& ctx) override { ctx.set_output(0, ctx.required(0)); }
};

class Constant : public OpKernel {
 public:
  explicit Constant(const KernelInit& init) {
    const auto& a = init.attrs();
    if (const Tensor* t = a.get_tensor("value")) value_ = *t;
    else if (const Tensor* s = a.get_tensor("sparse_value")) value_ = *s;
    else if (a.has("value_float")) value_ = Tensor::scalar(a.get_float("value_float", 0));
    else if (a.has("value_int")) value_ = Tensor::scalar(a.get_int("value_int"));
    else if (a.has("value_string")) value_ = Tensor::scalar(a.get_string("value_string", ""));
    else if (a.has("value_floats")) value_ = vector_tensor(a.get_floats("value_floats"));
    else if (a.has("value_ints")) value_ = vector_tensor(a.get_ints("value_ints"));
    else if (a.has("value_strings")) value_ = vector_tensor(a.get_strings("value_strings"));
    else fail("Constant has no value attribute");
  }
  void compute(KernelContext& ctx) override { ctx.set_output(0, value_); }

 private:
  template <class T>
  static Tensor vector_tensor(const std::vector<T>& v) {
    Tensor t = Tensor::empty(data_type_of<T>(), {static_cast<int64_t>(v.size())});
    std::copy(v.begin(), v.end(), t.data<T>());
    return t;
  }
  Tensor value_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Identity", 1, ONNXGEN_LATEST, Identity);
ONNXGEN_REGISTER_KERNEL("", "Constant", 1, ONNXGEN_LATEST, Constant);

}  // namespace onnxgen
