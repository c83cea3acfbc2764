// The seq(tensor) ops: build, index, insert into, erase from and measure sequences. Sequences are
// immutable values, so every edit makes a new one that shares the element tensors.
#include "runtime/core/sequence.h"
#include "runtime/exec/op_registry.h"

namespace onnxgen {
namespace {

// A position input (int32/int64 scalar), negative counting from the back, checked against
// [-size, size) or, when `allow_end`, [-size, size].
size_t position(const Tensor& p, size_t size, bool allow_end) {
  ONNXGEN_CHECK(p.numel() == 1 && is_integer(p.dtype()), "position must be an integer scalar, got ", p.describe());
  const int64_t n = static_cast<int64_t>(size);
  int64_t i = p.to_int64(0);
  const int64_t hi = allow_end ? n : n - 1;
  ONNXGEN_CHECK(i >= -n && i <= hi, "position ", i, " is out of range for a sequence of length ", n);
  return static_cast<size_t>(i < 0 ? i + n : i);
}

class SequenceEmpty : public OpKernel {
 public:
  explicit SequenceEmpty(const KernelInit& init)
      : dtype_(static_cast<DataType>(init.attrs().get_int("dtype", static_cast<int64_t>(DataType::kFloat)))) {}
  void compute(KernelContext& ctx) override { ctx.set_output(0, make_sequence(dtype_, {})); }

 private:
  DataType dtype_;
};

class SequenceConstruct : public OpKernel {
 public:
  explicit SequenceConstruct(const KernelInit&) {}
  void compute(KernelContext& ctx) override {
    std::vector<Tensor> items;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) items.push_back(ctx.required(i));
    ONNXGEN_CHECK(!items.empty(), "SequenceConstruct needs at least one input");
    const DataType elem_type = items[0].dtype();
    ctx.set_output(0, make_sequence(elem_type, std::move(items)));
  }
};

class SequenceAt : public OpKernel {
 public:
  explicit SequenceAt(const KernelInit&) {}
  void compute(KernelContext& ctx) override {
    const auto& items = sequence_items(ctx.required(0));
    ctx.set_output(0, items[position(ctx.required(1), items.size(), false)]);
  }
};

class SequenceInsert : public OpKernel {
 public:
  explicit SequenceInsert(const KernelInit&) {}
  void compute(KernelContext& ctx) override {
    const Tensor& seq = ctx.required(0);
    std::vector<Tensor> items = sequence_items(seq);
    const size_t at = ctx.input(2) ? position(*ctx.input(2), items.size(), true) : items.size();
    items.insert(items.begin() + static_cast<std::ptrdiff_t>(at), ctx.required(1));
    ctx.set_output(0, make_sequence(sequence_elem_type(seq), std::move(items)));
  }
};

class SequenceErase : public OpKernel {
 public:
  explicit SequenceErase(const KernelInit&) {}
  void compute(KernelContext& ctx) override {
    const Tensor& seq = ctx.required(0);
    std::vector<Tensor> items = sequence_items(seq);
    ONNXGEN_CHECK(!items.empty(), "SequenceErase on an empty sequence");
    const size_t at = ctx.input(1) ? position(*ctx.input(1), items.size(), false) : items.size() - 1;
    items.erase(items.begin() + static_cast<std::ptrdiff_t>(at));
    ctx.set_output(0, make_sequence(sequence_elem_type(seq), std::move(items)));
  }
};

class SequenceLength : public OpKernel {
 public:
  explicit SequenceLength(const KernelInit&) {}
  void compute(KernelContext& ctx) override {
    ctx.set_output(0, Tensor::scalar<int64_t>(static_cast<int64_t>(sequence_items(ctx.required(0)).size())));
  }
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "SequenceEmpty", 11, ONNXGEN_LATEST, SequenceEmpty);
ONNXGEN_REGISTER_KERNEL("", "SequenceConstruct", 11, ONNXGEN_LATEST, SequenceConstruct);
ONNXGEN_REGISTER_KERNEL("", "SequenceAt", 11, ONNXGEN_LATEST, SequenceAt);
ONNXGEN_REGISTER_KERNEL("", "SequenceInsert", 11, ONNXGEN_LATEST, SequenceInsert);
ONNXGEN_REGISTER_KERNEL("", "SequenceErase", 11, ONNXGEN_LATEST, SequenceErase);
ONNXGEN_REGISTER_KERNEL("", "SequenceLength", 11, ONNXGEN_LATEST, SequenceLength);

}  // namespace onnxgen
