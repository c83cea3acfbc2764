// Every CUDA kernel against the CPU kernel of the same op on random inputs, one node per plan,
// checking that the node really ran on the GPU. Skips where no GPU is available (CI); runs on a
// GPU machine through scripts/gpu_check.sh.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "runtime/core/device_backend.h"
#include "runtime/core/half.h"
#include "tests/runtime/test_graphs.h"

namespace onnxgen::testing {
namespace {

const Device kCuda{DeviceType::kCuda, 0};

bool cuda_available() {
  try {
    device_backend(kCuda);
    return true;
  } catch (const Error&) {
    return false;
  }
}

Tensor random_tensor(DataType dtype, Shape shape, std::mt19937& rng, float lo = -2.f, float hi = 2.f) {
  std::uniform_real_distribution<float> dist(lo, hi);
  Tensor t = Tensor::empty(dtype, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) {
    const float v = dist(rng);
    if (dtype == DataType::kFloat) t.data<float>()[i] = v;
    else if (dtype == DataType::kFloat16) t.data<Float16>()[i] = Float16(v);
    else fail("random_tensor: ", to_string(dtype));
  }
  return t;
}

// `tolerance` is relative to the output's largest magnitude (or 1).
void check(const std::string& op, const std::vector<Tensor>& inputs, const std::map<std::string, Attribute>& attrs = {},
           size_t outputs = 1, int64_t opset = 17, const std::string& domain = "", double tolerance = 1e-5) {
  SCOPED_TRACE(op);
  auto graph = single_node_graph(op, inputs, attrs, outputs, domain);
  const auto opsets = single_node_opsets(opset, domain);
  const auto fed = fed_inputs(inputs);
  PlanOptions cpu_options, cuda_options;
  cpu_options.fold_constants = cuda_options.fold_constants = false;
  cuda_options.device = kCuda;
  ExecutionPlan cpu(graph, opsets, {}, cpu_options), gpu(graph, opsets, {}, cuda_options);
  const std::vector<Tensor> want = cpu.run(fed), got = gpu.run(fed);
  ASSERT_EQ(gpu.placements().size(), 1u);
  EXPECT_EQ(gpu.placements()[0], kCuda) << op << " fell back to the CPU";
  ASSERT_EQ(got.size(), want.size());
  for (size_t k = 0; k < want.size(); ++k) {
    ASSERT_EQ(got[k].device(), Device::cpu());
    ASSERT_EQ(got[k].describe(), want[k].describe()) << "output " << k;
    double diff = 0, scale = 0;
    for (int64_t i = 0; i < want[k].numel(); ++i) {
      diff = std::max(diff, std::fabs(got[k].to_double(i) - want[k].to_double(i)));
      scale = std::max(scale, std::fabs(want[k].to_double(i)));
    }
    EXPECT_LE(diff, tolerance * std::max(scale, 1.0)) << op << " output " << k << " max abs diff " << diff;
  }
}

class CudaKernels : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!cuda_available()) GTEST_SKIP() << "no usable CUDA device here";
  }
  std::mt19937 rng{7};
  Tensor f32(Shape s, float lo = -2.f, float hi = 2.f) { return random_tensor(DataType::kFloat, std::move(s), rng, lo, hi); }
  Tensor f16(Shape s) { return random_tensor(DataType::kFloat16, std::move(s), rng); }
};

TEST_F(CudaKernels, BroadcastingBinaryOps) {
  check("Add", {f32({2, 3, 4}), f32({4})});
  check("Sub", {f32({2, 1, 4}), f32({3, 1})});
  check("Mul", {f32({3, 4}), f32({})});
  check("Div", {f32({5, 1, 6}), f32({1, 7, 1}, 0.5f, 2.f)});
  check("Pow", {f32({4, 5}, 0.1f, 3.f), f32({5})}, {}, 1, 17, "", 1e-4);
  check("Mul", {f16({2, 3, 8}), f16({8})}, {}, 1, 17, "", 1e-3);
}

TEST_F(CudaKernels, UnaryOps) {
  for (const char* op : {"Sigmoid", "Tanh", "Relu", "Neg", "Exp", "Erf"}) check(op, {f32({3, 70})}, {}, 1, 17, "", 1e-5);
  check("Sqrt", {f32({50}, 0.f, 4.f)});
  check("Reciprocal", {f32({50}, 0.5f, 4.f)});
  check("Gelu", {f32({4, 33})}, {}, 1, 20);
  check("Gelu", {f32({4, 33})}, {{"approximate", string_attribute("tanh")}}, 1, 20);
  check("Gelu", {f32({4, 33})}, {}, 1, 1, "com.microsoft");
  check("Sin", {f32({3, 70}, -10.f, 10.f)});
  check("Cos", {f32({3, 70}, -10.f, 10.f)});
}

// Comparisons, Where and Expand as Optimum's attention masks use them (float operands: integer
// ones are shape arithmetic, which stays on the host).
TEST_F(CudaKernels, MasksAndBroadcasts) {
  const Tensor a = f32({2, 3, 4}), b = f32({4});
  Tensor b_equal = a.clone();
  b_equal.data<float>()[5] = 7.f;
  check("Equal", {a, b_equal});
  for (const char* op : {"Less", "Greater", "LessOrEqual", "GreaterOrEqual"}) check(op, {a, b});
  const Tensor cond = make_tensor<bool>({3, 1}, {true, false, true});
  check("Where", {cond, f32({2, 3, 4}), f32({4})});
  check("Where", {make_tensor<bool>({1}, {false}), f16({3, 5}), f16({3, 5})});
  check("Expand", {f32({3, 1}), make_tensor<int64_t>({3}, {2, 1, 6})});
  check("Expand", {f16({1, 4}), make_tensor<int64_t>({2}, {5, 4})});
}

TEST_F(CudaKernels, Reductions) {
  check("ReduceMean", {f32({2, 3, 64})}, {{"axes", ints_attribute({-1})}}, 1, 13);
  check("ReduceMean", {f32({2, 3, 5}), make_tensor<int64_t>({2}, {0, 2})}, {{"keepdims", int_attribute(0)}}, 1, 18);
  check("ReduceMean", {f16({4, 300}), make_tensor<int64_t>({1}, {1})}, {}, 1, 18, "", 1e-2);
  check("ReduceSum", {f32({3, 4, 5}), make_tensor<int64_t>({1}, {1})}, {}, 1, 13, "", 1e-5);
  check("ReduceSum", {f32({3, 4, 5})}, {{"keepdims", int_attribute(0)}}, 1, 11, "", 1e-5);
}

TEST_F(CudaKernels, Gemm) {
  check("Gemm", {f32({5, 7}), f32({7, 4}), f32({4})});
  check("Gemm", {f32({7, 5}), f32({4, 7}), f32({5, 1})},
        {{"transA", int_attribute(1)}, {"transB", int_attribute(1)}, {"alpha", float_attribute(0.5f)}, {"beta", float_attribute(2.f)}});
  check("Gemm", {f32({33, 70}), f32({70, 20})}, {{"alpha", float_attribute(-1.5f)}});
  check("Gemm", {f16({6, 64}), f16({64, 8}), f16({6, 8})}, {}, 1, 13, "", 1e-2);
}

TEST_F(CudaKernels, Cast) {
  check("Cast", {f32({3, 5})}, {{"to", int_attribute(static_cast<int64_t>(DataType::kFloat16))}});
  check("Cast", {f16({3, 5})}, {{"to", int_attribute(static_cast<int64_t>(DataType::kFloat))}});
  check("Cast", {f32({3, 5}, -50.f, 50.f)}, {{"to", int_attribute(static_cast<int64_t>(DataType::kInt64))}});
}

TEST_F(CudaKernels, Gather) {
  const Tensor ids = make_tensor<int64_t>({2, 3}, {0, 4, -1, 2, 2, -5});
  check("Gather", {f32({5, 6}), ids});
  check("Gather", {f32({2, 5, 3}), ids}, {{"axis", int_attribute(1)}});
  check("Gather", {f16({5, 3}), make_tensor<int32_t>({2}, {1, 3})});
}

TEST_F(CudaKernels, Norms) {
  check("LayerNormalization", {f32({2, 3, 40}), f32({40}), f32({40})}, {{"epsilon", float_attribute(1e-5f)}});
  check("SimplifiedLayerNormalization", {f32({6, 300}), f32({300})}, {{"epsilon", float_attribute(1e-6f)}}, 1, 1);
  check("SkipSimplifiedLayerNormalization", {f32({2, 3, 64}), f32({3, 64}), f32({64})}, {}, 1, 1, "com.microsoft");
  check("SkipLayerNormalization", {f32({2, 3, 64}), f32({2, 3, 64}), f32({64}), f32({64}), f32({64})}, {}, 1, 1,
         "com.microsoft");
  check("SimplifiedLayerNormalization", {f16({4, 96}), f16({96})}, {}, 1, 1, "", 1e-2);
}

// SiluMulFusion runs for CUDA plans too: the fused gated-MLP activation, rounded per step in float16.
TEST_F(CudaKernels, SiluMul) {
  check("SiluMul", {f32({2, 3, 40}), f32({2, 3, 40})}, {}, 1, 1, "com.onnxgen", 1e-5);
  check("SiluMul", {f32({2, 3, 40}), f32({40})}, {}, 1, 1, "com.onnxgen", 1e-5);
  check("SiluMul", {f16({4, 96}), f16({4, 96})}, {}, 1, 1, "com.onnxgen", 1e-2);
}

TEST_F(CudaKernels, MatMul) {
  check("MatMul", {f32({2, 3, 5, 7}), f32({7, 4})}, {}, 1, 17, "", 1e-5);
  check("MatMul", {f32({2, 3, 5, 7}), f32({2, 3, 7, 4})}, {}, 1, 17, "", 1e-5);
  check("MatMul", {f32({5, 7}), f32({2, 7, 4})}, {}, 1, 17, "", 1e-5);
  check("MatMul", {f32({7}), f32({7, 4})}, {}, 1, 17, "", 1e-5);
  check("MatMul", {f32({70, 130}), f32({130, 90})}, {}, 1, 17, "", 1e-5);
  check("MatMul", {f16({33, 64}), f16({64, 65})}, {}, 1, 17, "", 1e-2);
}

// Up to four rows of A take the GEMV (gemv.cu): one K split or many merged by the last block of
// each column tile, a partial last tile, rows folded from leading dims; eight go to cuBLAS.
TEST_F(CudaKernels, MatMulGemv) {
  check("MatMul", {f32({1, 96}), f32({96, 260})}, {}, 1, 17, "", 1e-5);
  check("MatMul", {f32({3, 4864}), f32({4864, 200})}, {}, 1, 17, "", 1e-4);
  check("MatMul", {f32({2, 1, 640}), f32({640, 128})}, {}, 1, 17, "", 1e-5);
  check("MatMul", {f16({4, 2048}), f16({2048, 1000})}, {}, 1, 17, "", 1e-2);
  check("MatMul", {f16({8, 2048}), f16({2048, 1000})}, {}, 1, 17, "", 1e-2);
  check("MatMul", {f16({5, 896}), f16({896, 4864})}, {}, 1, 17, "", 1e-2);
  // The same products twice: the tickets the first left must be back at zero.
  check("MatMul", {f32({1, 4864}), f32({4864, 896})}, {}, 1, 17, "", 1e-4);
  check("MatMul", {f32({1, 4864}), f32({4864, 896})}, {}, 1, 17, "", 1e-4);
}

// bfloat16 has no CPU MatMul to compare with: the reference is summed here from the same values.
TEST_F(CudaKernels, MatMulGemvBf16) {
  constexpr int64_t kM = 2, kK = 1536, kN = 520;
  std::uniform_real_distribution<float> dist(-2.f, 2.f);
  Tensor a = Tensor::empty(DataType::kBFloat16, {kM, kK}), w = Tensor::empty(DataType::kBFloat16, {kK, kN});
  for (Tensor* t : {&a, &w})
    for (int64_t i = 0; i < t->numel(); ++i) t->data<BFloat16>()[i] = BFloat16(dist(rng));
  auto graph = single_node_graph("MatMul", {a, w}, {}, 1, "");
  PlanOptions options;
  options.fold_constants = false;
  options.device = kCuda;
  ExecutionPlan gpu(graph, single_node_opsets(17, ""), {}, options);
  const Tensor got = gpu.run(fed_inputs({a, w}))[0];
  EXPECT_EQ(gpu.placements()[0], kCuda);
  ASSERT_EQ(got.dtype(), DataType::kBFloat16);
  ASSERT_EQ(got.shape(), (Shape{kM, kN}));
  for (int64_t r = 0; r < kM; ++r)
    for (int64_t c = 0; c < kN; ++c) {
      double want = 0;
      for (int64_t k = 0; k < kK; ++k)
        want += double(float(a.data<BFloat16>()[r * kK + k])) * double(float(w.data<BFloat16>()[k * kN + c]));
      // bfloat16 keeps 8 bits of mantissa: the output's rounding bounds the error.
      EXPECT_NEAR(got.to_double(r * kN + c), want, 1e-2 * std::max(std::fabs(want), 8.0)) << r << ", " << c;
    }
}

TEST_F(CudaKernels, Softmax) {
  check("Softmax", {f32({3, 4, 50})}, {}, 1, 13);
  check("LogSoftmax", {f32({3, 1000})}, {}, 1, 13);
}

TEST_F(CudaKernels, Layout) {
  check("Transpose", {f32({2, 3, 4})}, {{"perm", ints_attribute({2, 0, 1})}});
  check("Transpose", {f16({5, 6})});
  check("Slice", {f32({6, 8}), make_tensor<int64_t>({2}, {-1, 1}), make_tensor<int64_t>({2}, {-100, 7}),
                   make_tensor<int64_t>({2}, {0, 1}), make_tensor<int64_t>({2}, {-2, 3})});
  check("Split", {f32({2, 9}), make_tensor<int64_t>({3}, {2, 3, 4})}, {{"axis", int_attribute(-1)}}, 3, 13);
  check("Concat", {f32({2, 1, 3}), f32({2, 4, 3}), f32({2, 2, 3})}, {{"axis", int_attribute(1)}});
  check("Reshape", {f32({2, 3, 4}), make_tensor<int64_t>({3}, {0, -1, 2})});
  check("Unsqueeze", {f32({3, 4}), make_tensor<int64_t>({2}, {0, -1})}, {}, 1, 13);
  check("Squeeze", {f32({3, 1, 4}), make_tensor<int64_t>({1}, {1})}, {}, 1, 13);
}

// GroupQueryAttention: packed and separate Q/K/V, padded prompts, decode after a past, rotary,
// softcap, local windows and sliding_window_cache.
TEST_F(CudaKernels, GroupQueryAttention) {
  constexpr int64_t kHeads = 4, kKv = 2, kHead = 16, kMaxPos = 32;
  auto i32 = [](Shape s, std::vector<int32_t> v) { return make_tensor<int32_t>(std::move(s), v); };
  auto attrs = [&](std::map<std::string, Attribute> extra) {
    extra["num_heads"] = int_attribute(kHeads);
    extra["kv_num_heads"] = int_attribute(kKv);
    extra["do_rotary"] = int_attribute(1);
    return extra;
  };
  const Tensor cos = f32({kMaxPos, kHead / 2}, -1.f, 1.f), sin = f32({kMaxPos, kHead / 2}, -1.f, 1.f);
  const int64_t packed = (kHeads + 2 * kKv) * kHead;
  // Prompt of 5 with the second sequence padded to 3 tokens, into a past buffer of 8.
  check("GroupQueryAttention",
         {f32({2, 5, packed}), Tensor(), Tensor(), f32({2, kKv, 8, kHead}), f32({2, kKv, 8, kHead}), i32({2}, {4, 2}),
          i32({}, {5}), cos, sin},
         attrs({}), 3, 17, "com.microsoft", 1e-4);
  // Decode one token after pasts of 6 and 3, separate Q/K/V, softcap and a window of 4.
  check("GroupQueryAttention",
         {f32({2, 1, kHeads * kHead}), f32({2, 1, kKv * kHead}), f32({2, 1, kKv * kHead}), f32({2, kKv, 7, kHead}),
          f32({2, kKv, 7, kHead}), i32({2}, {6, 3}), i32({}, {7}), cos, sin},
         attrs({{"softcap", float_attribute(5.f)}, {"local_window_size", int_attribute(4)}}), 3, 17, "com.microsoft", 1e-4);
  // Sliding-window cache of capacity 6 and window 4, decoding at position 9.
  check("GroupQueryAttention",
         {f32({1, 1, packed}), Tensor(), Tensor(), f32({1, kKv, 6, kHead}), f32({1, kKv, 6, kHead}), i32({1}, {9}),
          i32({}, {10}), cos, sin},
         attrs({{"local_window_size", int_attribute(4)}, {"sliding_window_cache", int_attribute(1)}}), 3, 17, "com.microsoft",
         1e-4);
  // float16 throughout.
  check("GroupQueryAttention",
         {f16({1, 3, packed}), Tensor(), Tensor(), f16({1, kKv, 4, kHead}), f16({1, kKv, 4, kHead}), i32({1}, {2}),
          i32({}, {3}), random_tensor(DataType::kFloat16, {kMaxPos, kHead / 2}, rng),
          random_tensor(DataType::kFloat16, {kMaxPos, kHead / 2}, rng)},
         attrs({}), 3, 17, "com.microsoft", 2e-2);
}

// RotaryEmbedding: com.microsoft with [B, S] ids (int64 and int32) and a start offset, halves and
// interleaved pairs, a rotary dim below the head size; ONNX-23 with position_ids on a 4-D input
// and with [B, S, rot/2] caches; float16.
TEST_F(CudaKernels, RotaryEmbedding) {
  const Tensor cos = f32({20, 8}, -1.f, 1.f), sin = f32({20, 8}, -1.f, 1.f);
  const Tensor ids = make_tensor<int64_t>({2, 3}, {0, 5, 19, 3, 4, 7});
  const auto heads = [](int64_t n, std::map<std::string, Attribute> extra = {}) {
    extra["num_heads"] = int_attribute(n);
    return extra;
  };
  check("RotaryEmbedding", {f32({2, 3, 4 * 16}), ids, cos, sin}, heads(4), 1, 1, "com.microsoft");
  check("RotaryEmbedding", {f32({2, 3, 2 * 16}), make_tensor<int32_t>({2, 3}, {1, 2, 3, 9, 8, 7}), cos, sin},
        heads(2, {{"interleaved", int_attribute(1)}}), 1, 1, "com.microsoft");
  check("RotaryEmbedding", {f32({2, 3, 4 * 32}), make_tensor<int64_t>({1}, {4}), cos, sin},
        heads(4, {{"rotary_embedding_dim", int_attribute(16)}}), 1, 1, "com.microsoft");
  check("RotaryEmbedding", {f32({2, 4, 3, 16}), cos, sin, ids}, {}, 1, 23);
  check("RotaryEmbedding", {f32({2, 3, 3 * 16}), f32({2, 3, 8}, -1.f, 1.f), f32({2, 3, 8}, -1.f, 1.f)},
        heads(3, {{"interleaved", int_attribute(1)}}), 1, 23);
  check("RotaryEmbedding", {f16({2, 3, 4 * 16}), ids, f16({20, 8}), f16({20, 8})}, heads(4), 1, 1, "com.microsoft",
        1e-2);
}

// MatMulNBits with 4-bit codes: the GEMV (up to 8 rows of A) and the dequantise-then-GEMM path,
// blocks of 32, 64 and 128 (K not a multiple of the block), no, packed and float zero points, a
// bias, int8 compute (accuracy_level 4) and float16.
TEST_F(CudaKernels, MatMulNBits) {
  std::uniform_int_distribution<int> byte(0, 255);
  auto bytes = [&](int64_t n) {
    std::vector<uint8_t> v(static_cast<size_t>(n));
    for (auto& b : v) b = static_cast<uint8_t>(byte(rng));
    return v;
  };
  for (const int64_t block : {int64_t{32}, int64_t{64}, int64_t{128}})
    for (const int64_t rows : {int64_t{1}, int64_t{5}, int64_t{40}}) {
      SCOPED_TRACE("block " + std::to_string(block) + ", " + std::to_string(rows) + " rows");
      constexpr int64_t kN = 72, kK = 200;
      const int64_t blocks = (kK + block - 1) / block;
      const std::map<std::string, Attribute> attrs = {{"K", int_attribute(kK)}, {"N", int_attribute(kN)}, {"bits", int_attribute(4)},
                                                      {"block_size", int_attribute(block)}};
      const Tensor codes = make_tensor<uint8_t>({kN, blocks, block / 2}, bytes(kN * blocks * block / 2));
      const Tensor scales = f32({kN * blocks}, 0.01f, 0.1f);
      const Tensor packed_zp = make_tensor<uint8_t>({kN * ((blocks + 1) / 2)}, bytes(kN * ((blocks + 1) / 2)));
      const Tensor a = f32({1, rows, kK});
      check("MatMulNBits", {a, codes, scales}, attrs, 1, 1, "com.microsoft", 1e-5);
      check("MatMulNBits", {a, codes, scales, packed_zp, Tensor(), f32({kN})}, attrs, 1, 1, "com.microsoft", 1e-5);
      check("MatMulNBits", {a, codes, scales, f32({kN * blocks}, 0.f, 15.f)}, attrs, 1, 1, "com.microsoft", 1e-5);
      auto int8 = attrs;
      int8["accuracy_level"] = int_attribute(4);
      check("MatMulNBits", {a, codes, scales}, int8, 1, 1, "com.microsoft", 1e-5);
      check("MatMulNBits", {f16({rows, kK}), codes, random_tensor(DataType::kFloat16, {kN * blocks}, rng, 0.01f, 0.1f)},
            attrs, 1, 1, "com.microsoft", 2e-2);
    }
}

// GatherBlockQuantized: 4-bit codes along the last axis with and without zero points, 8-bit codes
// quantised along the gather axis, float16 scales.
TEST_F(CudaKernels, GatherBlockQuantized) {
  std::uniform_int_distribution<int> byte(0, 255);
  auto bytes = [&](Shape shape) {
    Tensor t = Tensor::empty(DataType::kUInt8, std::move(shape));
    for (int64_t i = 0; i < t.numel(); ++i) t.data<uint8_t>()[i] = static_cast<uint8_t>(byte(rng));
    return t;
  };
  const Tensor ids = make_tensor<int64_t>({2, 3}, {0, 9, -1, 4, 4, 2});
  const std::map<std::string, Attribute> q4 = {{"bits", int_attribute(4)}, {"block_size", int_attribute(32)}};
  check("GatherBlockQuantized", {bytes({10, 48}), ids, f32({10, 3})}, q4, 1, 1, "com.microsoft");
  check("GatherBlockQuantized", {bytes({10, 48}), ids, f32({10, 3}), bytes({10, 2})}, q4, 1, 1, "com.microsoft");
  check("GatherBlockQuantized", {bytes({10, 48}), make_tensor<int32_t>({2}, {3, 7}), f16({10, 3})}, q4, 1, 1,
        "com.microsoft", 1e-2);
  check("GatherBlockQuantized", {bytes({64, 5}), make_tensor<int64_t>({1}, {2}), f32({2, 5}), bytes({2, 5})},
        {{"bits", int_attribute(8)}, {"block_size", int_attribute(32)}, {"quantize_axis", int_attribute(0)}, {"gather_axis", int_attribute(1)}},
        1, 1, "com.microsoft");
}

double max_relative_diff(const Tensor& got, const Tensor& want) {
  EXPECT_EQ(got.describe(), want.describe());
  double diff = 0, scale = 1;
  for (int64_t i = 0; i < want.numel(); ++i) {
    diff = std::max(diff, std::fabs(got.to_double(i) - want.to_double(i)));
    scale = std::max(scale, std::fabs(want.to_double(i)));
  }
  return diff / scale;
}

// PagedAttention writes its caches in place, so the CUDA plan is fed device caches, and both the
// output and the caches are compared with the CPU kernel's, for float32 and float16 caches, without
// and with a softcap and sliding window.
struct PagedCase {
  int64_t heads, kv_heads, dim, block_size, blocks, window;
  Tensor slots, tables, lens, loc;
};

void check_paged_attention(const PagedCase& c, std::mt19937& rng) {
  const int64_t tokens = c.slots.numel();
  for (DataType cache_type : {DataType::kFloat, DataType::kFloat16})
    for (const auto& [softcap, window] : {std::pair{0.f, int64_t{0}}, {5.f, c.window}}) {
      SCOPED_TRACE(to_string(cache_type) + " softcap " + std::to_string(softcap) + " window " + std::to_string(window));
      const Tensor q = random_tensor(DataType::kFloat, {tokens, c.heads * c.dim}, rng);
      const Tensor k = random_tensor(DataType::kFloat, {tokens, c.kv_heads * c.dim}, rng);
      const Tensor v = random_tensor(DataType::kFloat, {tokens, c.kv_heads * c.dim}, rng);
      const Shape cache_shape{c.blocks, c.kv_heads, c.block_size, c.dim};
      const Tensor key_cache = random_tensor(cache_type, cache_shape, rng);
      const Tensor value_cache = random_tensor(cache_type, cache_shape, rng);
      std::map<std::string, Attribute> attrs = {{"num_heads", int_attribute(c.heads)},
                                                {"num_kv_heads", int_attribute(c.kv_heads)},
                                                {"softcap", float_attribute(softcap)},
                                                {"sliding_window", int_attribute(window)}};
      auto graph = single_node_graph("PagedAttention", {q, k, v, key_cache, value_cache, c.slots, c.tables, c.lens, c.loc},
                                     attrs, 1, "com.onnxgen");
      const auto opsets = single_node_opsets(17, "com.onnxgen");
      PlanOptions cpu_options, cuda_options;
      cuda_options.device = kCuda;
      ExecutionPlan cpu(graph, opsets, {}, cpu_options), gpu(graph, opsets, {}, cuda_options);
      const Tensor cpu_k = key_cache.clone(), cpu_v = value_cache.clone();
      const Tensor gpu_k = copy_to_device(key_cache, kCuda), gpu_v = copy_to_device(value_cache, kCuda);
      const Tensor want = cpu.run(std::vector<Tensor>{q, k, v, cpu_k, cpu_v, c.slots, c.tables, c.lens, c.loc})[0];
      const Tensor got = gpu.run(std::vector<Tensor>{q, k, v, gpu_k, gpu_v, c.slots, c.tables, c.lens, c.loc})[0];
      EXPECT_EQ(gpu.placements()[0], kCuda);
      EXPECT_LE(max_relative_diff(got, want), 1e-4);
      EXPECT_EQ(max_relative_diff(copy_to_device(gpu_k, Device::cpu()), cpu_k), 0.0);
      EXPECT_EQ(max_relative_diff(copy_to_device(gpu_v, Device::cpu()), cpu_v), 0.0);
    }
}

TEST_F(CudaKernels, PagedAttention) {
  // Contexts of 7, 10 and 4 tokens after this step, of which 3, 1 and 4 are new.
  check_paged_attention({.heads = 4, .kv_heads = 2, .dim = 16, .block_size = 4, .blocks = 16, .window = 3,
                         .slots = make_tensor<int32_t>({8}, {8, 9, 10, 13, 36, 37, 38, 39}),
                         .tables = make_tensor<int32_t>({3, 3}, {5, 2, 0, 1, 7, 3, 9, 0, 0}),
                         .lens = make_tensor<int32_t>({3}, {7, 10, 4}),
                         .loc = make_tensor<int32_t>({4}, {0, 3, 4, 8})},
                        rng);
}

// Contexts longer than one attention block's partition of keys: decode tokens whose keys are split
// over several blocks and merged, a chunk of prompt tokens, and a window that starts mid-partition.
TEST_F(CudaKernels, PagedAttentionLongContexts) {
  constexpr int64_t kBlockSize = 16, kBlocks = 160;
  const std::vector<int32_t> lens = {700, 300, 257}, new_tokens = {1, 5, 1};
  const int64_t max_blocks = (700 + kBlockSize - 1) / kBlockSize;
  std::vector<int32_t> pool(kBlocks);
  std::iota(pool.begin(), pool.end(), 0);
  std::shuffle(pool.begin(), pool.end(), rng);
  std::vector<int32_t> tables(lens.size() * max_blocks, 0), slots, loc = {0};
  size_t next = 0;
  for (size_t s = 0; s < lens.size(); ++s) {
    for (int64_t b = 0; b < (lens[s] + kBlockSize - 1) / kBlockSize; ++b) tables[s * max_blocks + b] = pool[next++];
    for (int32_t pos = lens[s] - new_tokens[s]; pos < lens[s]; ++pos)
      slots.push_back(tables[s * max_blocks + pos / kBlockSize] * kBlockSize + pos % kBlockSize);
    loc.push_back(loc.back() + new_tokens[s]);
  }
  const auto n = [](const std::vector<int32_t>& x) { return static_cast<int64_t>(x.size()); };
  check_paged_attention({.heads = 8, .kv_heads = 2, .dim = 64, .block_size = kBlockSize, .blocks = kBlocks,
                         .window = 400,
                         .slots = make_tensor<int32_t>({n(slots)}, slots),
                         .tables = make_tensor<int32_t>({n(lens), max_blocks}, tables),
                         .lens = make_tensor<int32_t>({n(lens)}, lens),
                         .loc = make_tensor<int32_t>({n(loc)}, loc)},
                        rng);
}

}  // namespace
}  // namespace onnxgen::testing
