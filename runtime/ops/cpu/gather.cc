// Gather, GatherElements and GatherND: copies picked out of `data` by an index tensor.
#include "runtime/core/scratch.h"
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/indices.h"
#include "runtime/ops/cpu/strided_copy.h"

namespace onnxgen {
namespace {

constexpr int64_t kCopyGrain = int64_t{1} << 14;  // elements per parallel task, roughly

class Gather : public OpKernel {
 public:
  explicit Gather(const KernelInit& init) : axis_(init.attrs().get_int("axis", 0)) {}

  void compute(KernelContext& ctx) override {
    const Tensor& data = ctx.required(0);
    const Tensor& indices_t = ctx.required(1);
    ONNXGEN_CHECK(data.rank() >= 1, "Gather: data must have rank >= 1");
    const int64_t axis = normalize_axis(axis_, static_cast<int64_t>(data.rank()));
    const std::span<int64_t> indices =
        thread_scratch<int64_t, struct GatherIndices>(static_cast<size_t>(indices_t.numel()));
    read_indices(indices_t, data.dim(axis), "Gather", indices);
    const Shape& s = data.shape();
    Shape out_shape(s.begin(), s.begin() + axis);
    out_shape.insert(out_shape.end(), indices_t.shape().begin(), indices_t.shape().end());
    out_shape.insert(out_shape.end(), s.begin() + axis + 1, s.end());
    Tensor& y = ctx.allocate(0, data.dtype(), out_shape);
    if (y.numel() == 0) return;
    const int64_t outer = num_elements(Shape(s.begin(), s.begin() + axis));
    const int64_t inner = num_elements(Shape(s.begin() + axis + 1, s.end()));
    const int64_t n = static_cast<int64_t>(indices.size()), dim = data.dim(axis);
    dispatch_by_size(data.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* src = elements_of<T>(data);
      T* dst = mutable_elements_of<T>(y);
      ctx.pool().parallel_for(outer * n, std::max<int64_t>(1, kCopyGrain / inner), [&](int64_t begin, int64_t end) {
        for (int64_t k = begin; k < end; ++k) {
          const T* in = src + ((k / n) * dim + indices[k % n]) * inner;
          std::copy(in, in + inner, dst + k * inner);
        }
      });
    });
  }

 private:
  int64_t axis_;
};

class GatherElements : public OpKernel {
 public:
  explicit GatherElements(const KernelInit& init) : axis_(init.attrs().get_int("axis", 0)) {}

  void compute(KernelContext& ctx) override {
    const Tensor& data = ctx.required(0);
    const Tensor& indices = ctx.required(1);
    const std::vector<int64_t> offsets = element_offsets(data, indices, axis_, "GatherElements");
    Tensor& y = ctx.allocate(0, data.dtype(), indices.shape());
    dispatch_by_size(data.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* src = elements_of<T>(data);
      T* dst = mutable_elements_of<T>(y);
      for (size_t k = 0; k < offsets.size(); ++k) dst[k] = src[offsets[k]];
    });
  }

 private:
  int64_t axis_;
};

class GatherND : public OpKernel {
 public:
  explicit GatherND(const KernelInit& init) : batch_dims_(init.attrs().get_int("batch_dims", 0)) {}

  void compute(KernelContext& ctx) override {
    const Tensor& data = ctx.required(0);
    const Tensor& indices = ctx.required(1);
    const std::vector<int64_t> offsets = tuple_offsets(data, indices, batch_dims_, "GatherND");
    const int64_t m = indices.dim(indices.rank() - 1);
    const Shape& s = data.shape();
    Shape out_shape(indices.shape().begin(), indices.shape().end() - 1);
    out_shape.insert(out_shape.end(), s.begin() + batch_dims_ + m, s.end());
    const int64_t inner = num_elements(Shape(s.begin() + batch_dims_ + m, s.end()));
    const int64_t tuples = static_cast<int64_t>(offsets.size());
    Tensor& y = ctx.allocate(0, data.dtype(), out_shape);
    if (y.numel() == 0) return;
    dispatch_by_size(data.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T* src = elements_of<T>(data);
      T* dst = mutable_elements_of<T>(y);
      ctx.pool().parallel_for(tuples, std::max<int64_t>(1, kCopyGrain / std::max<int64_t>(inner, 1)),
                              [&](int64_t begin, int64_t end) {
                                for (int64_t t = begin; t < end; ++t)
                                  std::copy(src + offsets[t], src + offsets[t] + inner, dst + t * inner);
                              });
    });
  }

 private:
  int64_t batch_dims_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Gather", 1, ONNXGEN_LATEST, Gather);
ONNXGEN_REGISTER_KERNEL("", "GatherElements", 11, ONNXGEN_LATEST, GatherElements);
ONNXGEN_REGISTER_KERNEL("", "GatherND", 11, ONNXGEN_LATEST, GatherND);

}  // namespace onnxgen
