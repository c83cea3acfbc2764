// ai.onnx.ml LabelEncoder: maps each element through a key -> value table (strings, int64s,
// floats, or any tensor type from opset 4's keys_tensor/values_tensor), with a default for keys
// not in the table. NaN keys match NaN inputs.
#include <bit>
#include <cmath>
#include <unordered_map>

#include "runtime/exec/op_registry.h"

namespace onnxgen {
namespace {

template <class T>
Tensor vector_tensor(const std::vector<T>& v) {
  Tensor t = Tensor::empty(data_type_of<T>(), {static_cast<int64_t>(v.size())});
  std::copy(v.begin(), v.end(), t.data<T>());
  return t;
}

// Element i of t as a lookup key: the string itself, or a number's double bit pattern (every
// NaN the same), tagged by kind so "1" and 1 differ.
std::string key_of(const Tensor& t, int64_t i) {
  if (t.dtype() == DataType::kString) return "s" + t.data<std::string>()[i];
  double v = t.to_double(i);
  if (std::isnan(v)) v = std::numeric_limits<double>::quiet_NaN();
  if (v == 0) v = 0;  // -0 and 0 are one key
  const uint64_t bits = std::bit_cast<uint64_t>(v);
  return "n" + std::string(reinterpret_cast<const char*>(&bits), sizeof(bits));
}

class LabelEncoder : public OpKernel {
 public:
  explicit LabelEncoder(const KernelInit& init) {
    const AttributeMap& a = init.attrs();
    keys_ = table(a, "keys");
    values_ = table(a, "values");
    ONNXGEN_CHECK(keys_.numel() == values_.numel(), "LabelEncoder has ", keys_.numel(), " keys but ",
                  values_.numel(), " values");
    if (const Tensor* d = a.get_tensor("default_tensor")) {
      ONNXGEN_CHECK(d->numel() == 1 && d->dtype() == values_.dtype(), "default_tensor must be one ",
                    to_string(values_.dtype()), ", got ", d->describe());
      default_ = *d;
    } else if (values_.dtype() == DataType::kString) {
      default_ = Tensor::scalar(a.get_string("default_string", "_Unused"));
    } else if (values_.dtype() == DataType::kInt64) {
      default_ = Tensor::scalar(a.get_int("default_int64", -1));
    } else {
      ONNXGEN_CHECK(values_.dtype() == DataType::kFloat, "values of ", to_string(values_.dtype()),
                    " need default_tensor");
      default_ = Tensor::scalar(a.get_float("default_float", -0.0f));
    }
    for (int64_t i = 0; i < keys_.numel(); ++i) index_.emplace(key_of(keys_, i), i);
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    ONNXGEN_CHECK((x.dtype() == DataType::kString) == (keys_.dtype() == DataType::kString),
                  "input ", x.describe(), " does not match keys of ", to_string(keys_.dtype()));
    Tensor& y = ctx.allocate(0, values_.dtype(), x.shape());
    dispatch_all(values_.dtype(), [&](auto tag) {
      using V = decltype(tag);
      const V* values = values_.data<V>();
      const V fallback = *default_.data<V>();
      V* out = y.data<V>();
      for (int64_t i = 0; i < x.numel(); ++i) {
        auto it = index_.find(key_of(x, i));
        out[i] = it == index_.end() ? fallback : values[it->second];
      }
    });
  }

 private:
  // The keys_* or values_* attribute present, as a 1-D tensor.
  static Tensor table(const AttributeMap& a, const std::string& prefix) {
    if (const Tensor* t = a.get_tensor(prefix + "_tensor")) return t->reshaped({t->numel()});
    if (a.has(prefix + "_strings")) return vector_tensor(a.get_strings(prefix + "_strings"));
    if (a.has(prefix + "_int64s")) return vector_tensor(a.get_ints(prefix + "_int64s"));
    if (a.has(prefix + "_floats")) return vector_tensor(a.get_floats(prefix + "_floats"));
    fail("LabelEncoder needs one of ", prefix, "_strings, ", prefix, "_int64s, ", prefix, "_floats, ", prefix,
         "_tensor");
  }

  Tensor keys_, values_, default_;
  std::unordered_map<std::string, int64_t> index_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("ai.onnx.ml", "LabelEncoder", 1, ONNXGEN_LATEST, LabelEncoder);

}  // namespace onnxgen
