// Loop: runs its body while the trip count and condition allow, threading loop-carried values
// through iterations and stacking per-iteration scan outputs along a new first axis.
#include "runtime/exec/op_registry.h"
#include "runtime/exec/subgraph.h"
#include "runtime/ops/cpu/stacking.h"

namespace onnxgen {
namespace {

class Loop : public OpKernel {
 public:
  explicit Loop(const KernelInit& init) : body_(init.attrs().get_graph("body"), init) {
    size_t carried = init.node.inputs.size() >= 2 ? init.node.inputs.size() - 2 : 0;
    ONNXGEN_CHECK(body_.graph().inputs.size() == carried + 2, "body takes ", body_.graph().inputs.size(),
                  " inputs, expected 2 + ", carried, " loop-carried values");
    ONNXGEN_CHECK(body_.num_outputs() >= carried + 1, "body returns ", body_.num_outputs(), " outputs, expected at least ",
                  carried + 1);
    num_scan_outputs_ = body_.num_outputs() - 1 - carried;
    ONNXGEN_CHECK(init.node.outputs.size() == carried + num_scan_outputs_, "node has ", init.node.outputs.size(),
                  " outputs, the body produces ", carried, " loop-carried and ", num_scan_outputs_, " scan outputs");
  }

  void compute(KernelContext& ctx) override {
    const Tensor* max_trips = ctx.input(0);
    const Tensor* cond_in = ctx.input(1);
    int64_t trip_limit = max_trips ? max_trips->to_int64(0) : -1;
    bool cond = cond_in ? cond_in->to_int64(0) != 0 : true;
    size_t carried = ctx.num_inputs() - 2;

    std::vector<Tensor> state;
    for (size_t i = 0; i < carried; ++i) state.push_back(ctx.required(2 + i));
    std::vector<std::vector<Tensor>> scans(num_scan_outputs_);
    std::vector<Tensor> body_in(2 + carried);
    for (int64_t iter = 0; (trip_limit < 0 || iter < trip_limit) && cond; ++iter) {
      body_in[0] = Tensor::scalar<int64_t>(iter);
      body_in[1] = Tensor::scalar<bool>(cond);
      for (size_t i = 0; i < carried; ++i) body_in[2 + i] = state[i];
      std::vector<Tensor> out = body_.run(body_in, ctx.captured());
      if (cond_in) cond = out[0].to_int64(0) != 0;
      for (size_t i = 0; i < carried; ++i) state[i] = std::move(out[1 + i]);
      for (size_t k = 0; k < num_scan_outputs_; ++k) scans[k].push_back(std::move(out[1 + carried + k]));
    }
    for (size_t i = 0; i < carried; ++i) ctx.set_output(i, std::move(state[i]));
    for (size_t k = 0; k < num_scan_outputs_; ++k)
      ctx.set_output(carried + k, scans[k].empty() ? empty_scan_output(k) : stack_along_axis(scans[k], 0));
  }

 private:
  // Zero iterations: the element shape comes from the body's declared output, when it has one.
  Tensor empty_scan_output(size_t k) const {
    const ValueInfo& vi = body_.graph().outputs[1 + (body_.num_outputs() - 1 - num_scan_outputs_) + k];
    Shape shape{0};
    if (vi.has_shape)
      for (const auto& d : vi.dims) shape.push_back(std::max<int64_t>(d.value, 0));
    return Tensor::empty(vi.dtype == DataType::kUndefined ? DataType::kFloat : vi.dtype, shape);
  }

  Subgraph body_;
  size_t num_scan_outputs_ = 0;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Loop", 1, ONNXGEN_LATEST, Loop);

}  // namespace onnxgen
