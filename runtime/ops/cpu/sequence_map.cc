// SequenceMap: runs its body once per element of the first input sequence; further sequence inputs
// contribute their element at the same position, tensor inputs are passed whole every time. Each
// body output collects into an output sequence.
#include "runtime/core/sequence.h"
#include "runtime/exec/op_registry.h"
#include "runtime/exec/subgraph.h"

namespace onnxgen {
namespace {

class SequenceMap : public OpKernel {
 public:
  explicit SequenceMap(const KernelInit& init) : body_(init.attrs().get_graph("body"), init) {
    ONNXGEN_CHECK(body_.num_inputs() == init.node.inputs.size(), "body takes ", body_.num_inputs(),
                  " inputs, the node has ", init.node.inputs.size());
    ONNXGEN_CHECK(body_.num_outputs() == init.node.outputs.size(), "body returns ", body_.num_outputs(),
                  " outputs, the node has ", init.node.outputs.size());
  }

  void compute(KernelContext& ctx) override {
    const size_t length = sequence_items(ctx.required(0)).size();
    for (size_t i = 1; i < ctx.num_inputs(); ++i)
      if (is_sequence(ctx.required(i)))
        ONNXGEN_CHECK(sequence_items(ctx.required(i)).size() == length, "input ", i, " is a sequence of ",
                      sequence_items(ctx.required(i)).size(), " elements, the first one of ", length);
    std::vector<std::vector<Tensor>> results(body_.num_outputs());
    std::vector<Tensor> body_in(ctx.num_inputs());
    for (size_t k = 0; k < length; ++k) {
      for (size_t i = 0; i < body_in.size(); ++i) {
        const Tensor& x = ctx.required(i);
        body_in[i] = is_sequence(x) ? sequence_items(x)[k] : x;
      }
      std::vector<Tensor> out = body_.run(body_in, ctx.captured());
      for (size_t j = 0; j < out.size(); ++j) results[j].push_back(std::move(out[j]));
    }
    for (size_t j = 0; j < results.size(); ++j)
      ctx.set_output(j, make_sequence(body_.graph().outputs[j].dtype, std::move(results[j])));
  }

 private:
  Subgraph body_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "SequenceMap", 17, ONNXGEN_LATEST, SequenceMap);

}  // namespace onnxgen
