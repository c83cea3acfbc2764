// If: runs one of two planned branches on a scalar condition. Optimum's merged decoders use it
// to switch between the first step (no past) and later steps.
#include "runtime/exec/op_registry.h"
#include "runtime/exec/subgraph.h"

namespace onnxgen {
namespace {

class If : public OpKernel {
 public:
  explicit If(const KernelInit& init)
      : then_(init.attrs().get_graph("then_branch"), init), else_(init.attrs().get_graph("else_branch"), init) {
    ONNXGEN_CHECK(then_.num_outputs() == init.node.outputs.size() && else_.num_outputs() == init.node.outputs.size(),
                  "branches have ", then_.num_outputs(), " and ", else_.num_outputs(), " outputs, the node ",
                  init.node.outputs.size());
  }

  void compute(KernelContext& ctx) override {
    const Tensor& cond = ctx.required(0);
    ONNXGEN_CHECK(cond.numel() == 1, "condition must hold one element, got ", cond.describe());
    Subgraph& branch = cond.to_int64(0) != 0 ? then_ : else_;
    std::vector<Tensor> outputs = branch.run({}, ctx.captured());
    for (size_t i = 0; i < outputs.size(); ++i) ctx.set_output(i, std::move(outputs[i]));
  }

 private:
  Subgraph then_;
  Subgraph else_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "If", 1, ONNXGEN_LATEST, If);

}  // namespace onnxgen
