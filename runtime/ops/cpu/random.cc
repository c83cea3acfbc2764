// Random generators: RandomNormal/Uniform (+Like), Bernoulli and Multinomial. A `seed`
// attribute makes a node reproducible across runs; without one each node draws a fresh seed.
#include <cmath>
#include <random>

#include "runtime/exec/op_registry.h"

namespace onnxgen {
namespace {

std::mt19937_64 make_engine(const AttributeMap& a) {
  if (a.has("seed")) return std::mt19937_64(static_cast<uint64_t>(static_cast<int64_t>(a.get_float("seed", 0))));
  return std::mt19937_64(std::random_device{}());
}

// Fills y with draws of `dist`, converted to y's floating type.
template <class Dist>
void fill_random(Tensor& y, std::mt19937_64& engine, Dist dist) {
  dispatch_float(y.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* out = y.data<T>();
    for (int64_t i = 0; i < y.numel(); ++i) out[i] = T(static_cast<compute_t<T>>(dist(engine)));
  });
}

enum class Distribution { kNormal, kUniform };

// RandomNormal / RandomUniform take their shape from an attribute; the *Like forms from an
// input, whose dtype they also default to.
template <Distribution kDist, bool kLike>
class RandomFill : public OpKernel {
 public:
  explicit RandomFill(const KernelInit& init) : engine_(make_engine(init.attrs())) {
    const AttributeMap& a = init.attrs();
    if (a.has("dtype")) dtype_ = static_cast<DataType>(a.get_int("dtype"));
    else if (!kLike) dtype_ = DataType::kFloat;
    if (dtype_ != DataType::kUndefined)
      ONNXGEN_CHECK(is_float(dtype_), "dtype must be a floating-point type, got ", to_string(dtype_));
    if (!kLike) shape_ = Shape(a.get_ints("shape"));
    if constexpr (kDist == Distribution::kNormal) {
      p0_ = a.get_float("mean", 0);
      p1_ = a.get_float("scale", 1);
    } else {
      p0_ = a.get_float("low", 0);
      p1_ = a.get_float("high", 1);
      ONNXGEN_CHECK(p0_ <= p1_, "low ", p0_, " exceeds high ", p1_);
    }
  }

  void compute(KernelContext& ctx) override {
    Shape shape = shape_;
    DataType dtype = dtype_;
    if constexpr (kLike) {
      const Tensor& like = ctx.required(0);
      shape = like.shape();
      if (dtype == DataType::kUndefined) dtype = like.dtype();
      ONNXGEN_CHECK(is_float(dtype), "output dtype must be floating-point, got ", to_string(dtype));
    }
    Tensor& y = ctx.allocate(0, dtype, shape);
    if constexpr (kDist == Distribution::kNormal) fill_random(y, engine_, std::normal_distribution<double>(p0_, p1_));
    else fill_random(y, engine_, std::uniform_real_distribution<double>(p0_, p1_));
  }

 private:
  std::mt19937_64 engine_;
  DataType dtype_ = DataType::kUndefined;
  Shape shape_;
  double p0_ = 0, p1_ = 1;
};

class Bernoulli : public OpKernel {
 public:
  explicit Bernoulli(const KernelInit& init) : engine_(make_engine(init.attrs())) {
    if (init.attrs().has("dtype")) dtype_ = static_cast<DataType>(init.attrs().get_int("dtype"));
  }

  void compute(KernelContext& ctx) override {
    const Tensor& p = ctx.required(0);
    ONNXGEN_CHECK(is_float(p.dtype()), "probabilities must be floating-point, got ", p.describe());
    const DataType dtype = dtype_ == DataType::kUndefined ? p.dtype() : dtype_;
    Tensor& y = ctx.allocate(0, dtype, p.shape());
    std::uniform_real_distribution<double> uniform(0, 1);
    dispatch_all(dtype, [&](auto tag) {
      using T = decltype(tag);
      if constexpr (std::is_same_v<T, std::string>) {
        fail("Bernoulli cannot produce strings");
      } else {
        T* out = y.data<T>();
        for (int64_t i = 0; i < p.numel(); ++i) {
          const double prob = p.to_double(i);
          ONNXGEN_CHECK(prob >= 0 && prob <= 1, "probability ", prob, " outside [0, 1]");
          out[i] = T(static_cast<compute_t<T>>(uniform(engine_) < prob ? 1 : 0));
        }
      }
    });
  }

 private:
  std::mt19937_64 engine_;
  DataType dtype_ = DataType::kUndefined;
};

// Draws sample_size class indices per batch row from the softmax of unnormalised log-probs.
class Multinomial : public OpKernel {
 public:
  explicit Multinomial(const KernelInit& init)
      : engine_(make_engine(init.attrs())),
        dtype_(static_cast<DataType>(init.attrs().get_int("dtype", static_cast<int64_t>(DataType::kInt32)))),
        samples_(init.attrs().get_int("sample_size", 1)) {
    ONNXGEN_CHECK(dtype_ == DataType::kInt32 || dtype_ == DataType::kInt64, "dtype must be int32 or int64");
    ONNXGEN_CHECK(samples_ >= 0, "sample_size must be non-negative");
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    ONNXGEN_CHECK(x.rank() == 2 && is_float(x.dtype()), "input must be float [batch, classes], got ", x.describe());
    const int64_t batch = x.dim(0), classes = x.dim(1);
    ONNXGEN_CHECK(classes > 0, "no classes to sample from");
    Tensor& y = ctx.allocate(0, dtype_, {batch, samples_});
    std::vector<double> weights(static_cast<size_t>(classes));
    for (int64_t b = 0; b < batch; ++b) {
      double top = -INFINITY;
      for (int64_t c = 0; c < classes; ++c) top = std::max(top, x.to_double(b * classes + c));
      for (int64_t c = 0; c < classes; ++c) weights[c] = std::exp(x.to_double(b * classes + c) - top);
      std::discrete_distribution<int64_t> dist(weights.begin(), weights.end());
      for (int64_t s = 0; s < samples_; ++s) {
        const int64_t v = dist(engine_);
        if (dtype_ == DataType::kInt32) y.data<int32_t>()[b * samples_ + s] = static_cast<int32_t>(v);
        else y.data<int64_t>()[b * samples_ + s] = v;
      }
    }
  }

 private:
  std::mt19937_64 engine_;
  DataType dtype_;
  int64_t samples_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "RandomNormal", 1, ONNXGEN_LATEST, RandomFill<Distribution::kNormal, false>);
ONNXGEN_REGISTER_KERNEL("", "RandomUniform", 1, ONNXGEN_LATEST, RandomFill<Distribution::kUniform, false>);
ONNXGEN_REGISTER_KERNEL("", "RandomNormalLike", 1, ONNXGEN_LATEST, RandomFill<Distribution::kNormal, true>);
ONNXGEN_REGISTER_KERNEL("", "RandomUniformLike", 1, ONNXGEN_LATEST, RandomFill<Distribution::kUniform, true>);
ONNXGEN_REGISTER_KERNEL("", "Bernoulli", 15, ONNXGEN_LATEST, Bernoulli);
ONNXGEN_REGISTER_KERNEL("", "Multinomial", 7, ONNXGEN_LATEST, Multinomial);

}  // namespace onnxgen
