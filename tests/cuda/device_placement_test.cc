// Which nodes of the fixtures' paged graphs a cuda plan would send back to the CPU: built from
// the kernel registry alone, so it runs without a GPU wherever the CUDA kernels are compiled in.
// A node listed here costs every decode step a device sync and two copies; the Qwen2.5-shaped
// fp16 model's host-placed RotaryEmbedding (which converted its whole 32768-row cos/sin caches on
// each call) cost 220 ms per step on an H200.
#include <gtest/gtest.h>

#include <filesystem>

#include "models/model_config.h"
#include "models/paged_attention_rewrite.h"
#include "runtime/core/device_backend.h"
#include "runtime/exec/device_placement.h"
#include "runtime/graph/model_loader.h"
#include "runtime/graph/silu_mul_fusion.h"

namespace onnxgen {
namespace {

const Device kCuda{DeviceType::kCuda, 0};

// onnxruntime-genai (fp32, fp16, int4) and Optimum exports alike.
TEST(DevicePlacement, EveryNodeOfTheFixturesPagedGraphsHasACudaKernel) {
  if (!device_backend_available(DeviceType::kCuda)) GTEST_SKIP() << "built without CUDA";
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(ONNXGEN_FIXTURES_DIR)) {
    if (!entry.is_directory()) continue;
    const std::string dir = entry.path().string();
    SCOPED_TRACE(dir);
    const models::ModelConfig config = models::ModelConfig::load(dir);
    Model model = load_model(config.decoder_path);
    models::PagedAttentionRewrite rewrite(config);
    ASSERT_TRUE(rewrite.run(model)) << rewrite.report().reason;
    SiluMulFusion().run(model);  // as a cuda Session fuses the graph
    std::string listed;
    for (const HostFallback& f : host_fallbacks(*model.graph, model.opsets, kCuda))
      // Its one input is a shape, which lives on the host: the plan runs it there whatever kernels exist.
      if (f.node->op_type != "ConstantOfShape") listed += "\n  " + f.node->label() + ": " + f.reason;
    EXPECT_EQ(listed, "") << "nodes without a cuda kernel:";
    ++checked;
  }
  EXPECT_GE(checked, 16);
}

TEST(DevicePlacement, ListsAMissingKernelAndARefusedNode) {
  if (!device_backend_available(DeviceType::kCuda)) GTEST_SKIP() << "built without CUDA";
  Graph g;
  Node abs;
  abs.op_type = "Abs";  // no cuda kernel
  abs.inputs = {"x"};
  abs.outputs = {"c"};
  Node softmax;
  softmax.op_type = "Softmax";  // the cuda kernel refuses opset 11's 2-D coercion
  softmax.inputs = {"c"};
  softmax.outputs = {"y"};
  Node add;
  add.op_type = "Add";
  add.inputs = {"y", "y"};
  add.outputs = {"z"};
  g.nodes = {abs, softmax, add};
  const auto fallbacks = host_fallbacks(g, {{"", 11}}, kCuda);
  ASSERT_EQ(fallbacks.size(), 2u);
  EXPECT_EQ(fallbacks[0].node, &g.nodes[0]);
  EXPECT_EQ(fallbacks[1].node, &g.nodes[1]);
  EXPECT_NE(fallbacks[1].reason.find("opset 13"), std::string::npos) << fallbacks[1].reason;
}

}  // namespace
}  // namespace onnxgen
