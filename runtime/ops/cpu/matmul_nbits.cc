// com.microsoft MatMulNBits: Y[..., N] = A[..., K] * dequant(B)^T (+ bias), B holding N rows of
// K codes of `bits` bits (2, 4 or 8), packed low bits first into ceil(K / block_size) blocks of
// block_size. Each (row, block) has a scale and a zero point (packed uint8 codes, or floats in
// A's type; 2^(bits-1) when omitted): w = (code - zero_point) * scale. g_idx, when given, maps
// each k to its block.
//
// accuracy_level 4 is ONNX Runtime's int8 compute: each block of A is quantised symmetrically to
// int8 (scale max|a| / 127, round to nearest even) and the products are integer. That is a
// different result (about 1% of max |y|), so it is reproduced here: the int8 values are exact in
// float32, as are their sums with the codes, so the float dot kernels compute them exactly.
// Other levels compute in float32.
//
// int4 with int8 compute runs q4_int8_gemm over weights repacked once for it; int4 with
// float32 compute runs q4_float_gemv on the weights as stored, or dequantises them for the GEMM
// when A has many rows. Otherwise decode (few rows of A) is a GEMV that never materialises W: per
// block it takes the dot product of A with the raw codes and corrects for the zero point with the
// block's sum of A. Prefill dequantises slabs of W rows to float32 and hands them to the float GEMM.
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <vector>

#include "runtime/core/simd.h"
#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/batched_gemm.h"
#include "runtime/ops/cpu/float_staging.h"
#include "runtime/ops/cpu/mapped_weights.h"
#include "runtime/ops/cpu/q4_float_gemv.h"
#include "runtime/ops/cpu/q4_int8_gemm.h"
#include "runtime/ops/matmul_nbits_inputs.h"

namespace onnxgen {
namespace {

constexpr int64_t kGemvMaxRows = 4;
// Rows of W dequantised for the GEMM at a time: at least kSlabRows, up to kSlabBytes of floats.
// Fewer made many small GEMMs (the pool and oneDNN's threads taking turns): Qwen2.5-0.5B-shaped
// int4 prefill with float compute ran 140 tok/s in slabs of 128 rows, 196 in slabs of 4 MiB.
constexpr int64_t kSlabRows = 128;
constexpr int64_t kSlabBytes = 4 << 20;

// Code i of a block packed at `bits` bits per code.
inline int code_at(const uint8_t* blob, int64_t i, int bits) {
  const int per_byte = 8 / bits;
  return (blob[i / per_byte] >> ((i % per_byte) * bits)) & ((1 << bits) - 1);
}

// sum a[i] * code[i] for 4-bit codes, n a multiple of 32: each 16 bytes hold 32 codes, low nibble first.
__attribute__((target("avx2,fma"))) float dot_q4_avx2(const float* a, const uint8_t* q, int64_t n) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  const __m128i low_mask = _mm_set1_epi8(0x0F);
  for (int64_t i = 0; i < n; i += 32, q += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
    const __m128i lo = _mm_and_si128(bytes, low_mask);
    const __m128i hi = _mm_and_si128(_mm_srli_epi16(bytes, 4), low_mask);
    const __m128i first = _mm_unpacklo_epi8(lo, hi);  // codes 0..15 in order
    const __m128i second = _mm_unpackhi_epi8(lo, hi);  // codes 16..31
    const __m256 c0 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(first));
    const __m256 c1 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(first, 8)));
    const __m256 c2 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(second));
    const __m256 c3 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(second, 8)));
    acc0 = _mm256_fmadd_ps(c0, _mm256_loadu_ps(a + i), acc0);
    acc1 = _mm256_fmadd_ps(c1, _mm256_loadu_ps(a + i + 8), acc1);
    acc0 = _mm256_fmadd_ps(c2, _mm256_loadu_ps(a + i + 16), acc0);
    acc1 = _mm256_fmadd_ps(c3, _mm256_loadu_ps(a + i + 24), acc1);
  }
  const __m256 acc = _mm256_add_ps(acc0, acc1);
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

ONNXGEN_SIMD_CLONES
float dot_q8(const float* __restrict a, const uint8_t* __restrict q, int64_t n) {
  float acc[16] = {};
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int l = 0; l < 16; ++l) acc[l] += a[i + l] * static_cast<float>(q[i + l]);
  float sum = 0;
  for (; i < n; ++i) sum += a[i] * static_cast<float>(q[i]);
  for (float v : acc) sum += v;
  return sum;
}

float dot_codes(const float* a, const uint8_t* blob, int64_t n, int bits, bool avx2) {
  if (bits == 8) return dot_q8(a, blob, n);
  int64_t i = 0;
  float sum = 0;
  if (bits == 4 && avx2) {
    i = n / 32 * 32;
    sum = dot_q4_avx2(a, blob, i);
  }
  for (; i < n; ++i) sum += a[i] * static_cast<float>(code_at(blob, i, bits));
  return sum;
}

class MatMulNBits : public OpKernel, MatMulNBitsAttrs {
 public:
  explicit MatMulNBits(const KernelInit& init)
      : MatMulNBitsAttrs(init),
        avx2_(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")),
        q4_int8_(int8_compute_ && bits_ == 4 && block_ % 32 == 0 && k_ % block_ == 0 && q4_int8_supported()) {}

  void compute(KernelContext& ctx) override {
    const Tensor& a_in = ctx.required(0);
    const Tensor& b = ctx.required(1);
    const Tensor& scales_in = ctx.required(2);
    check_operands(a_in, b, scales_in);
    ONNXGEN_CHECK(is_float(a_in.dtype()) && is_float(scales_in.dtype()), "MatMulNBits A and scales must be float, got ",
                  a_in.describe(), " and ", scales_in.describe());
    const Tensor* zp = ctx.input(3);
    const uint8_t* packed_zp = packed_q4_zero_points(zp);
    if (q4_int8_ && (!zp || packed_zp) && !ctx.input(4) && scales_in.dtype() == DataType::kFloat &&
        a_in.dtype() == DataType::kFloat) {
      compute_q4_int8(ctx, a_in, b, scales_in, packed_zp);
      return;
    }
    if (const std::optional<Q4FloatWeights> w = q4_float_weights(ctx, a_in, b, scales_in)) {
      compute_q4_float(ctx, a_in, *w);
      return;
    }
    const Tensor scales = to_float32(scales_in);
    const std::vector<float> zero_points = expand_zero_points(ctx.input(3));
    std::vector<int64_t> block_of_k = block_index(ctx.input(4));
    Tensor bias;
    if (const Tensor* bias_in = ctx.input(5)) {
      ONNXGEN_CHECK(bias_in->numel() == n_ && is_float(bias_in->dtype()), "MatMulNBits bias must hold ", n_,
                    " floats, got ", bias_in->describe());
      bias = to_float32(*bias_in);
    }

    Shape y_shape = a_in.shape();
    y_shape.back() = n_;
    Tensor& y_out = ctx.allocate(0, a_in.dtype(), y_shape);
    const Tensor y = float_workspace(y_out);
    const Tensor a = to_float32(a_in);
    const int64_t m = a.numel() / k_;
    const Weights w{b.data<uint8_t>(), scales.data<float>(), zero_points.data()};
    if (int8_compute_ && block_of_k.empty()) {
      std::vector<float> quantized(static_cast<size_t>(k_)), a_scales(static_cast<size_t>(blocks_));
      for (int64_t r = 0; r < m; ++r) {
        quantize_row(a.data<float>() + r * k_, quantized.data(), a_scales.data());
        gemv(ctx.pool(), w, quantized.data(), a_scales.data(), y.data<float>() + r * n_);
      }
    } else if (m <= kGemvMaxRows && block_of_k.empty()) {
      for (int64_t r = 0; r < m; ++r) gemv(ctx.pool(), w, a.data<float>() + r * k_, nullptr, y.data<float>() + r * n_);
    } else {
      gemm(
          ctx.pool(),
          [&](int64_t r0, int64_t rows, float* out) {
            for (int64_t r = 0; r < rows; ++r) dequantize_row(w, block_of_k, r0 + r, out + r * k_);
          },
          a.data<float>(), m, y.data<float>());
    }
    if (bias.defined()) add_bias(bias.data<float>(), m, y.data<float>());
    finish_float_output(y, y_out);
  }

 private:
  struct Weights {
    const uint8_t* codes;
    const float* scales;       // [N, blocks]
    const float* zero_points;  // [N, blocks]
  };

  // 4-bit codes with float32 compute in the model's layout, when the kernels take its operands:
  // float32 A and scales, zero points absent, packed uint8 or float32, no g_idx.
  std::optional<Q4FloatWeights> q4_float_weights(KernelContext& ctx, const Tensor& a, const Tensor& b,
                                                 const Tensor& scales) const {
    if (int8_compute_ || bits_ != 4 || block_ % 32 != 0 || k_ % block_ != 0 || ctx.input(4) || !q4_float_supported() ||
        a.dtype() != DataType::kFloat || scales.dtype() != DataType::kFloat)
      return std::nullopt;
    Q4FloatWeights w{b.data<uint8_t>(), scales.data<float>(), nullptr, nullptr, n_, k_, block_};
    if (const Tensor* zp = ctx.input(3)) {
      if (const uint8_t* packed = packed_q4_zero_points(zp))
        w.packed_zero_points = packed;
      else if (zp->dtype() == DataType::kFloat && zp->numel() == n_ * blocks_)
        w.float_zero_points = zp->data<float>();
      else
        return std::nullopt;  // the general path reports what is wrong with it
    }
    return w;
  }

  void compute_q4_float(KernelContext& ctx, const Tensor& a, const Q4FloatWeights& w) {
    const Tensor* bias = ctx.input(5);
    ONNXGEN_CHECK(!bias || (bias->dtype() == DataType::kFloat && bias->numel() == n_), "MatMulNBits bias must hold ",
                  n_, " floats like A, got ", bias ? bias->describe() : "");
    Shape y_shape = a.shape();
    y_shape.back() = n_;
    float* y = ctx.allocate(0, DataType::kFloat, y_shape).data<float>();
    const int64_t m = a.numel() / k_;
    if (m <= kQ4FloatGemvMaxRows) {
      q4_float_gemv(ctx.pool(), w, a.data<float>(), m, y);
    } else {
      gemm(
          ctx.pool(), [&](int64_t r0, int64_t rows, float* out) { q4_float_dequantize(w, r0, rows, out); },
          a.data<float>(), m, y);
    }
    if (bias) add_bias(bias->data<float>(), m, y);
  }

  void add_bias(const float* bias, int64_t m, float* y) const {
    for (int64_t r = 0; r < m; ++r)
      for (int64_t j = 0; j < n_; ++j) y[r * n_ + j] += bias[j];
  }

  // 4-bit codes with int8 compute, the genai builder's CPU int4, over the weights repacked for the
  // kernel; zero_points: packed 4-bit, or null (symmetric).
  void compute_q4_int8(KernelContext& ctx, const Tensor& a, const Tensor& b, const Tensor& scales,
                       const uint8_t* zero_points) {
    const Tensor* bias = ctx.input(5);
    ONNXGEN_CHECK(!bias || (bias->dtype() == DataType::kFloat && bias->numel() == n_), "MatMulNBits bias must hold ",
                  n_, " floats like A, got ", bias ? bias->describe() : "");
    Shape y_shape = a.shape();
    y_shape.back() = n_;
    Tensor& y = ctx.allocate(0, DataType::kFloat, y_shape);
    const int64_t m = a.numel() / k_;
    thread_local Q4QuantizedA quantized;
    q4_quantize_a(a.data<float>(), m, k_, block_, quantized);
    float* out = y.data<float>();
    const Q4Weights w{b.data<uint8_t>(), scales.data<float>(), n_, k_, block_, zero_points};
    // Weights mapped from the model file are initializers, constant for the session: they are
    // packed on first use and kept, and the file's pages they came from are handed back. (Zero
    // points beside them are initializers too, if small enough to sit inside model.onnx.)
    if (is_mapped_initializer(b) && is_mapped_initializer(scales)) {
      const bool release[] = {true};
      q4_int8_gemm(ctx.pool(), packed_.get(ctx.pool(), std::span<const Q4Weights>(&w, 1), release), quantized, out);
    } else {
      q4_int8_gemm(ctx.pool(), q4_pack_weights(ctx.pool(), w), quantized, out);
    }
    if (bias) add_bias(bias->data<float>(), m, out);
  }

  // Zero points as floats per (row, block): unpacked from uint8 codes, taken as floats, or the
  // midpoint of the code range.
  std::vector<float> expand_zero_points(const Tensor* zp) const {
    std::vector<float> out(static_cast<size_t>(n_ * blocks_), static_cast<float>(1 << (bits_ - 1)));
    if (!zp) return out;
    if (zp->dtype() == DataType::kUInt8) {
      const int64_t row_bytes = (blocks_ * bits_ + 7) / 8;
      ONNXGEN_CHECK(zp->numel() == n_ * row_bytes, "MatMulNBits packed zero_points must hold ", n_ * row_bytes,
                    " bytes, got ", zp->describe());
      const uint8_t* p = zp->data<uint8_t>();
      for (int64_t r = 0; r < n_; ++r)
        for (int64_t blk = 0; blk < blocks_; ++blk)
          out[static_cast<size_t>(r * blocks_ + blk)] = static_cast<float>(code_at(p + r * row_bytes, blk, bits_));
      return out;
    }
    ONNXGEN_CHECK(is_float(zp->dtype()) && zp->numel() == n_ * blocks_, "MatMulNBits zero_points must be packed uint8 or ",
                  n_ * blocks_, " floats, got ", zp->describe());
    load_float32(*zp, 0, n_ * blocks_, out.data());
    return out;
  }

  // Block of each k from g_idx, or empty when g_idx is absent or the identity grouping.
  std::vector<int64_t> block_index(const Tensor* g_idx) const {
    if (!g_idx) return {};
    ONNXGEN_CHECK(g_idx->numel() == k_ && is_integer(g_idx->dtype()), "MatMulNBits g_idx must hold ", k_,
                  " integers, got ", g_idx->describe());
    std::vector<int64_t> out(static_cast<size_t>(k_));
    bool trivial = true;
    for (int64_t i = 0; i < k_; ++i) {
      out[static_cast<size_t>(i)] = g_idx->to_int64(i);
      ONNXGEN_CHECK(out[static_cast<size_t>(i)] >= 0 && out[static_cast<size_t>(i)] < blocks_, "MatMulNBits g_idx[", i,
                    "] = ", out[static_cast<size_t>(i)], " outside [0, ", blocks_, ")");
      trivial = trivial && out[static_cast<size_t>(i)] == i / block_;
    }
    return trivial ? std::vector<int64_t>{} : out;
  }

  // Per block: q = round(a * 127 / max|a|), scale = max|a| / 127.
  void quantize_row(const float* a, float* q, float* scales) const {
    for (int64_t blk = 0; blk < blocks_; ++blk) {
      const int64_t begin = blk * block_, len = std::min(block_, k_ - begin);
      float amax = 0;
      for (int64_t i = 0; i < len; ++i) amax = std::max(amax, std::fabs(a[begin + i]));
      const float scale = amax / 127.0f;
      const float inv = scale != 0 ? 1.0f / scale : 0.0f;
      for (int64_t i = 0; i < len; ++i) q[begin + i] = std::nearbyint(a[begin + i] * inv);
      scales[blk] = scale;
    }
  }

  // y[r] = sum over blocks of scale * a_scale * (a . codes - zero_point * sum(a)); a_scales null: 1.
  void gemv(ThreadPool& pool, const Weights& w, const float* a, const float* a_scales, float* y) const {
    std::vector<float> block_sums(static_cast<size_t>(blocks_));
    for (int64_t blk = 0; blk < blocks_; ++blk) {
      const int64_t len = std::min(block_, k_ - blk * block_);
      float s = 0;
      for (int64_t i = 0; i < len; ++i) s += a[blk * block_ + i];
      block_sums[static_cast<size_t>(blk)] = s;
    }
    pool.parallel_for(n_, std::max<int64_t>(1, 65536 / (k_ * bits_ / 8 + 1)), [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const uint8_t* row = w.codes + r * blocks_ * blob_;
        float acc = 0;
        for (int64_t blk = 0; blk < blocks_; ++blk) {
          const int64_t len = std::min(block_, k_ - blk * block_);
          const float dot = dot_codes(a + blk * block_, row + blk * blob_, len, bits_, avx2_);
          const int64_t at = r * blocks_ + blk;
          const float a_scale = a_scales ? a_scales[blk] : 1.0f;
          acc += w.scales[at] * a_scale * (dot - w.zero_points[at] * block_sums[static_cast<size_t>(blk)]);
        }
        y[r] = acc;
      }
    });
  }

  // Dequantises a slab of W rows at a time (dequantize(first row, rows, out) writes rows x K
  // floats) and multiplies them in float32.
  template <class Dequantize>
  void gemm(ThreadPool& pool, const Dequantize& dequantize, const float* a, int64_t m, float* y) const {
    const int64_t slab_rows = std::min(std::max<int64_t>(kSlabRows, kSlabBytes / (k_ * 4)), n_);
    std::vector<float> slab(static_cast<size_t>(slab_rows * k_));
    std::vector<float> part(static_cast<size_t>(m * slab_rows));
    for (int64_t r0 = 0; r0 < n_; r0 += slab_rows) {
      const int64_t rows = std::min(slab_rows, n_ - r0);
      pool.parallel_for(rows, 1, [&](int64_t begin, int64_t end) {
        dequantize(r0 + begin, end - begin, slab.data() + begin * k_);
      });
      GemmProblem p;
      p.m = m;
      p.n = rows;
      p.k = k_;
      p.trans_b = true;
      batched_gemm(p, a, slab.data(), part.data());
      for (int64_t i = 0; i < m; ++i) std::copy_n(part.data() + i * rows, rows, y + i * n_ + r0);
    }
  }

  void dequantize_row(const Weights& w, const std::vector<int64_t>& block_of_k, int64_t r, float* out) const {
    const uint8_t* row = w.codes + r * blocks_ * blob_;
    for (int64_t i = 0; i < k_; ++i) {
      const int64_t code_block = i / block_;
      const int64_t param_block = block_of_k.empty() ? code_block : block_of_k[static_cast<size_t>(i)];
      const int code = code_at(row + code_block * blob_, i % block_, bits_);
      const int64_t at = r * blocks_ + param_block;
      out[i] = (static_cast<float>(code) - w.zero_points[at]) * w.scales[at];
    }
  }

  bool avx2_;
  bool q4_int8_;
  Q4PackedOnce packed_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("com.microsoft", "MatMulNBits", 1, ONNXGEN_LATEST, MatMulNBits);

}  // namespace onnxgen
