#include "runtime/ops/cpu/batched_gemm.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <map>
#include <mutex>

#include "oneapi/dnnl/dnnl.hpp"
#include "runtime/core/error.h"
#include "runtime/ops/cpu/gemv.h"
#include "runtime/ops/cpu/gemv_bf16.h"
#include "runtime/ops/cpu/half_convert.h"

namespace onnxgen {
namespace {

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

// Creating a primitive costs far more than a decode-sized product, so each distinct problem is
// built once. The cache is bounded because attention products change shape every step.
struct CachedMatMul {
  dnnl::matmul::primitive_desc pd;
  dnnl::matmul prim;
};

class PrimitiveCache {
 public:
  CachedMatMul get(const GemmProblem& p) {
    std::vector<int64_t> key = {static_cast<int64_t>(p.batch_c.size()), p.m, p.n, p.k, p.trans_a, p.trans_b,
                                std::bit_cast<int32_t>(p.alpha), std::bit_cast<int32_t>(p.beta), p.bf16};
    for (const Shape* s : {&p.batch_a, &p.batch_b, &p.batch_c}) key.insert(key.end(), s->begin(), s->end());
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    if (cache_.size() >= kCapacity) cache_.clear();
    return cache_.emplace(std::move(key), build(p)).first->second;
  }

 private:
  static constexpr size_t kCapacity = 512;

  // A stored [rows, cols] matrix, read transposed when `trans`, under dense batch dims.
  static dnnl::memory::desc matrix_desc(const Shape& batch, int64_t rows, int64_t cols, bool trans,
                                        dnnl::memory::data_type type) {
    dnnl::memory::dims dims(batch.begin(), batch.end()), strides(batch.size());
    int64_t stride = rows * cols;
    for (size_t i = batch.size(); i-- > 0;) {
      strides[i] = stride;
      stride *= batch[i];
    }
    dims.push_back(rows);
    dims.push_back(cols);
    strides.push_back(trans ? 1 : cols);
    strides.push_back(trans ? rows : 1);
    return dnnl::memory::desc(dims, type, strides);
  }

  static CachedMatMul build(const GemmProblem& p) {
    dnnl::primitive_attr attr;
    // Cached primitives run on whichever thread calls, and oneDNN's own scratchpad may only be
    // used from the creating thread, so each call passes a scratchpad of its thread's.
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    if (p.alpha != 1) attr.set_output_scales(0, {p.alpha});
    if (p.beta != 0) {
      dnnl::post_ops ops;
      ops.append_sum(p.beta);
      attr.set_post_ops(ops);
    }
    using dt = dnnl::memory::data_type;
    const dt operands = p.bf16 ? dt::bf16 : dt::f32;
    dnnl::matmul::desc desc(matrix_desc(p.batch_a, p.m, p.k, p.trans_a, operands),
                            matrix_desc(p.batch_b, p.k, p.n, p.trans_b, operands),
                            matrix_desc(p.batch_c, p.m, p.n, false, dt::f32));
    dnnl::matmul::primitive_desc pd(desc, attr, cpu_engine());
    return {pd, dnnl::matmul(pd)};
  }

  std::mutex mu_;
  std::map<std::vector<int64_t>, CachedMatMul> cache_;
};

PrimitiveCache& primitive_cache() {
  static PrimitiveCache cache;
  return cache;
}

// A per-thread scratch buffer that only grows, 64-byte aligned as oneDNN prefers.
void* thread_scratchpad(size_t bytes) {
  struct Buffer {
    void* data = nullptr;
    size_t size = 0;
    ~Buffer() { std::free(data); }
  };
  thread_local Buffer buffer;
  if (bytes > buffer.size) {
    std::free(buffer.data);
    buffer.size = (bytes + 63) / 64 * 64;
    buffer.data = std::aligned_alloc(64, buffer.size);
    ONNXGEN_CHECK(buffer.data, "cannot allocate a ", buffer.size, "-byte GEMM scratchpad");
  }
  return buffer.data;
}

void run_onednn(const GemmProblem& p, const void* a, const void* b, float* c) {
  // A copy: the cache may drop its entry while this call runs.
  const CachedMatMul mm = primitive_cache().get(p);
  dnnl::engine& engine = cpu_engine();
  dnnl::memory ma(mm.pd.src_desc(), engine, const_cast<void*>(a));
  dnnl::memory mb(mm.pd.weights_desc(), engine, const_cast<void*>(b));
  dnnl::memory mc(mm.pd.dst_desc(), engine, c);
  const dnnl::memory::desc scratch_desc = mm.pd.scratchpad_desc();
  dnnl::memory scratch(scratch_desc, engine, thread_scratchpad(std::max<size_t>(1, scratch_desc.get_size())));
  thread_local dnnl::stream stream(engine);
  mm.prim.execute(stream, {{DNNL_ARG_SRC, ma}, {DNNL_ARG_WEIGHTS, mb}, {DNNL_ARG_DST, mc}, {DNNL_ARG_SCRATCHPAD, scratch}});
  stream.wait();
}

}  // namespace

std::vector<int64_t> broadcast_batch_index(const Shape& operand_batch, const Shape& batch_c) {
  ONNXGEN_CHECK(operand_batch.size() == batch_c.size(), "batch ranks differ: ", to_string(operand_batch), " vs ",
                to_string(batch_c));
  const int64_t count = num_elements(batch_c);
  std::vector<int64_t> out(static_cast<size_t>(count));
  const Shape strides = strides_of(operand_batch);
  for (int64_t flat = 0; flat < count; ++flat) {
    int64_t rem = flat, index = 0;
    for (size_t d = batch_c.size(); d-- > 0;) {
      const int64_t i = rem % batch_c[d];
      rem /= batch_c[d];
      if (operand_batch[d] != 1) index += i * strides[d];
    }
    out[static_cast<size_t>(flat)] = index;
  }
  return out;
}

void batched_gemm(const GemmProblem& p, const float* a, const float* b, float* c) {
  const int64_t outputs = num_elements(p.batch_c) * p.m * p.n;
  if (outputs == 0) return;
  if (p.k == 0) {
    // An empty sum: oneDNN rejects zero-sized dims, and the result is beta * C.
    for (int64_t i = 0; i < outputs; ++i) c[i] = p.beta == 0 ? 0.0f : p.beta * c[i];
    return;
  }
  // A few rows against one shared B (a decode step's projections): our GEMV.
  const int64_t rows = num_elements(p.batch_a) * p.m;
  if (rows <= kGemvF32MaxRows && num_elements(p.batch_b) == 1 && p.batch_a == p.batch_c && !p.trans_a &&
      p.alpha == 1 && p.beta == 0) {
    gemv_f32(ThreadPool::global(), rows, p.n, p.k, p.trans_b, a, b, c);
    return;
  }
  run_onednn(p, a, b, c);
}

void gemm_bf16_weights(ThreadPool& pool, int64_t m, int64_t n, int64_t k, const float* a, const BFloat16* b, float* c) {
  if (m * n == 0) return;
  thread_local std::vector<BFloat16> narrow_a;
  narrow_a.resize(static_cast<size_t>(m * k));
  BFloat16* na = narrow_a.data();
  pool.parallel_for(m * k, 1 << 14, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) na[i] = float_to_bfloat16(a[i]);
  });
  if (m <= kGemvBf16MaxRows || k == 0) return gemv_bf16(pool, m, n, k, na, b, c);
  GemmProblem p;
  p.m = m;
  p.n = n;
  p.k = k;
  p.trans_b = true;
  p.bf16 = true;
  run_onednn(p, na, b, c);
}

bool bf16_weights_supported() {
  static const bool supported = [] {
    // The ISAs are bit sets, each holding the ones it extends.
    const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
    const auto bf16 = static_cast<unsigned>(dnnl::cpu_isa::avx512_core_bf16);
    return (isa & bf16) == bf16 && gemv_bf16_supported();
  }();
  return supported;
}

}  // namespace onnxgen
