// Scan: iterates its body over slices of the scan inputs along their scan axes, carrying state
// and stacking each iteration's scan outputs. Opset 8 adds a leading batch axis and
// sequence_lens, handled by running the opset-9 form per batch entry.
#include "runtime/exec/op_registry.h"
#include "runtime/exec/subgraph.h"
#include "runtime/ops/cpu/stacking.h"

namespace onnxgen {
namespace {

class Scan : public OpKernel {
 public:
  explicit Scan(const KernelInit& init)
      : body_(init.attrs().get_graph("body"), init), batched_(init.opset < 9) {
    const auto& a = init.attrs();
    num_scan_inputs_ = a.get_int("num_scan_inputs");
    size_t offset = batched_ ? 1 : 0;  // opset 8's optional sequence_lens
    ONNXGEN_CHECK(init.node.inputs.size() >= offset + num_scan_inputs_, "fewer inputs than num_scan_inputs");
    num_states_ = init.node.inputs.size() - offset - num_scan_inputs_;
    num_scan_outputs_ = init.node.outputs.size() - num_states_;
    ONNXGEN_CHECK(body_.num_inputs() == num_states_ + num_scan_inputs_, "body takes ", body_.num_inputs(),
                  " inputs, expected ", num_states_ + num_scan_inputs_);
    ONNXGEN_CHECK(body_.num_outputs() == init.node.outputs.size(), "body returns ", body_.num_outputs(),
                  " outputs, the node has ", init.node.outputs.size());
    input_axes_ = a.get_ints("scan_input_axes", std::vector<int64_t>(num_scan_inputs_, 0));
    input_reverse_ = a.get_ints(batched_ ? "directions" : "scan_input_directions",
                                std::vector<int64_t>(num_scan_inputs_, 0));
    output_axes_ = a.get_ints("scan_output_axes", std::vector<int64_t>(num_scan_outputs_, 0));
    output_reverse_ = a.get_ints("scan_output_directions", std::vector<int64_t>(num_scan_outputs_, 0));
    ONNXGEN_CHECK(input_axes_.size() == num_scan_inputs_ && input_reverse_.size() == num_scan_inputs_ &&
                      output_axes_.size() == num_scan_outputs_ && output_reverse_.size() == num_scan_outputs_,
                  "scan axis/direction attributes do not match the number of scan inputs/outputs");
  }

  void compute(KernelContext& ctx) override {
    if (!batched_) {
      std::vector<Tensor> in;
      for (size_t i = 0; i < ctx.num_inputs(); ++i) in.push_back(ctx.required(i));
      std::vector<Tensor> out = run(in, -1, ctx.captured());
      for (size_t i = 0; i < out.size(); ++i) ctx.set_output(i, std::move(out[i]));
      return;
    }
    const Tensor* lens = ctx.input(0);
    int64_t batch = ctx.required(1).dim(0);
    std::vector<std::vector<Tensor>> per_batch(ctx.num_outputs());
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<Tensor> in;
      for (size_t i = 1; i < ctx.num_inputs(); ++i) in.push_back(take_along_axis(ctx.required(i), 0, b));
      std::vector<Tensor> out = run(in, lens ? lens->to_int64(b) : -1, ctx.captured());
      for (size_t i = 0; i < out.size(); ++i) per_batch[i].push_back(std::move(out[i]));
    }
    for (size_t i = 0; i < per_batch.size(); ++i) ctx.set_output(i, stack_along_axis(per_batch[i], 0));
  }

 private:
  // One unbatched scan; `length` < 0 means the full scan axis.
  std::vector<Tensor> run(const std::vector<Tensor>& in, int64_t length, std::span<const Tensor* const> captured) {
    std::vector<Tensor> state(in.begin(), in.begin() + static_cast<long>(num_states_));
    std::vector<int64_t> axes(num_scan_inputs_);
    int64_t steps = -1;
    for (size_t j = 0; j < num_scan_inputs_; ++j) {
      const Tensor& x = in[num_states_ + j];
      axes[j] = normalize_axis(input_axes_[j], static_cast<int64_t>(x.rank()));
      if (steps < 0) steps = x.dim(axes[j]);
      ONNXGEN_CHECK(x.dim(axes[j]) == steps, "scan inputs have different lengths along their scan axes");
    }
    if (length >= 0) {
      ONNXGEN_CHECK(length <= steps, "sequence length ", length, " exceeds the scan length ", steps);
      steps = length;
    }
    std::vector<std::vector<Tensor>> scans(num_scan_outputs_);
    std::vector<Tensor> body_in(num_states_ + num_scan_inputs_);
    for (int64_t t = 0; t < steps; ++t) {
      for (size_t i = 0; i < num_states_; ++i) body_in[i] = state[i];
      for (size_t j = 0; j < num_scan_inputs_; ++j)
        body_in[num_states_ + j] = take_along_axis(in[num_states_ + j], axes[j], input_reverse_[j] ? steps - 1 - t : t);
      std::vector<Tensor> out = body_.run(body_in, captured);
      for (size_t i = 0; i < num_states_; ++i) state[i] = std::move(out[i]);
      for (size_t k = 0; k < num_scan_outputs_; ++k) scans[k].push_back(std::move(out[num_states_ + k]));
    }
    ONNXGEN_CHECK(steps > 0 || num_scan_outputs_ == 0, "scan over zero steps cannot shape its scan outputs");
    std::vector<Tensor> result = std::move(state);
    for (size_t k = 0; k < num_scan_outputs_; ++k) {
      int64_t axis = normalize_axis(output_axes_[k], static_cast<int64_t>(scans[k][0].rank()) + 1);
      result.push_back(stack_along_axis(scans[k], axis, output_reverse_[k] != 0));
    }
    return result;
  }

  Subgraph body_;
  bool batched_;
  size_t num_scan_inputs_ = 0, num_states_ = 0, num_scan_outputs_ = 0;
  std::vector<int64_t> input_axes_, input_reverse_, output_axes_, output_reverse_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Scan", 8, ONNXGEN_LATEST, Scan);

}  // namespace onnxgen
