#pragma once
// The input contract of RotaryEmbedding (ONNX opset 23 and com.microsoft), checked the same way
// by the CPU and CUDA kernels. Both rotate [B, S, N*D] or [B, N, S, D] inputs, halves or
// interleaved pairs, over the first rotary_embedding_dim elements of each head. They differ in
// where each token's angles come from: ONNX indexes [max_pos, rot/2] caches with optional
// position_ids [B, S] or takes [B, S, rot/2] caches directly; com.microsoft requires position_ids,
// either [B, S] or a single start offset [1].
#include <cstdint>
#include <vector>

#include "runtime/exec/kernel.h"

namespace onnxgen {

struct RotaryAttrs {
  explicit RotaryAttrs(const KernelInit& init)
      : interleaved(init.attrs().get_int("interleaved", 0) != 0),
        rot_dim(init.attrs().get_int("rotary_embedding_dim", 0)),
        num_heads(init.attrs().get_int("num_heads", 0)) {}

  bool interleaved;
  int64_t rot_dim, num_heads;
};

// The layout of the rotated input and the rows of the caches its tokens read.
struct RotaryInputs {
  int64_t batch = 0, seq = 0, heads = 0, head_size = 0;
  int64_t b_stride = 0, s_stride = 0, h_stride = 0;  // element strides of a head's start
  int64_t rot = 0;         // rotated elements per head; the caches hold rot / 2 per row
  int64_t cache_rows = 0;  // rows of the caches viewed as [cache_rows, rot / 2]
  // Token (b, s) reads cache row: positions[b, s]; positions[0] + s when `start_offset`; or
  // b * seq + s when positions is null ([B, S, rot/2] caches).
  const Tensor* positions = nullptr;
  bool start_offset = false;

  int64_t tokens() const { return batch * seq; }

  // Token t's cache row, read on the host; throws for a row outside the caches.
  int64_t row(int64_t t) const {
    const int64_t r = !positions ? t : start_offset ? positions->to_int64(0) + t % seq : positions->to_int64(t);
    ONNXGEN_CHECK(r >= 0 && r < cache_rows, "RotaryEmbedding position id ", r, " outside the cache's ", cache_rows,
                  " rows");
    return r;
  }
};

namespace rotary_detail {

// 3-D [B, S, N*D] needs the head count (or the head size from the cache); 4-D is [B, N, S, D].
inline RotaryInputs layout_of(const Tensor& x, int64_t num_heads, int64_t head_size_hint) {
  RotaryInputs r;
  if (x.rank() == 4) {
    r.batch = x.dim(0);
    r.heads = x.dim(1);
    r.seq = x.dim(2);
    r.head_size = x.dim(3);
    r.h_stride = r.seq * r.head_size;
    r.s_stride = r.head_size;
  } else {
    ONNXGEN_CHECK(x.rank() == 3, "RotaryEmbedding input must be 3-D or 4-D, got ", x.describe());
    r.batch = x.dim(0);
    r.seq = x.dim(1);
    const int64_t hidden = x.dim(2);
    if (num_heads > 0) {
      ONNXGEN_CHECK(hidden % num_heads == 0, "RotaryEmbedding hidden size ", hidden, " does not divide by num_heads ",
                    num_heads);
      r.heads = num_heads;
      r.head_size = hidden / num_heads;
    } else {
      ONNXGEN_CHECK(head_size_hint > 0 && hidden % head_size_hint == 0, "RotaryEmbedding cannot infer heads of hidden size ",
                    hidden, ": set num_heads");
      r.head_size = head_size_hint;
      r.heads = hidden / head_size_hint;
    }
    r.h_stride = r.head_size;
    r.s_stride = hidden;
  }
  r.b_stride = r.heads * r.seq * r.head_size;
  return r;
}

inline void check_caches(const Tensor& cos, const Tensor& sin, const Tensor& x) {
  ONNXGEN_CHECK(cos.shape() == sin.shape(), "RotaryEmbedding cos_cache ", cos.describe(), " and sin_cache ",
                sin.describe(), " differ in shape");
  ONNXGEN_CHECK(cos.dtype() == x.dtype() && sin.dtype() == x.dtype(), "RotaryEmbedding caches must have the input's type");
  ONNXGEN_CHECK(is_float(x.dtype()), "RotaryEmbedding input must be a float type, got ", x.describe());
}

}  // namespace rotary_detail

// ONNX RotaryEmbedding-23: (X, cos_cache, sin_cache, [position_ids]).
inline RotaryInputs check_onnx_rotary(const KernelContext& ctx, const RotaryAttrs& a) {
  const Tensor& x = ctx.required(0);
  const Tensor& cos = ctx.required(1);
  const Tensor& sin = ctx.required(2);
  const Tensor* pos = ctx.input(3);
  rotary_detail::check_caches(cos, sin, x);
  RotaryInputs r = rotary_detail::layout_of(x, a.num_heads, 0);
  r.rot = a.rot_dim ? a.rot_dim : r.head_size;
  ONNXGEN_CHECK(r.rot > 0 && r.rot % 2 == 0 && r.rot <= r.head_size, "RotaryEmbedding rotary_embedding_dim ", r.rot,
                " must be even and at most the head size ", r.head_size);
  const int64_t half = r.rot / 2;
  ONNXGEN_CHECK(cos.rank() >= 1 && cos.dim(cos.rank() - 1) == half, "RotaryEmbedding cos_cache ", cos.describe(),
                " must end in rotary_embedding_dim / 2 = ", half);
  if (pos) {
    ONNXGEN_CHECK(pos->rank() == 2 && pos->dim(0) == r.batch && pos->dim(1) == r.seq && !is_float(pos->dtype()),
                  "RotaryEmbedding position_ids must be integer [", r.batch, ", ", r.seq, "], got ", pos->describe());
    ONNXGEN_CHECK(cos.rank() == 2, "RotaryEmbedding caches must be 2-D with position_ids, got ", cos.describe());
    r.positions = pos;
  } else {
    ONNXGEN_CHECK(cos.rank() == 3 && cos.dim(0) == r.batch && cos.dim(1) == r.seq, "RotaryEmbedding caches must be [",
                  r.batch, ", ", r.seq, ", ", half, "] without position_ids, got ", cos.describe());
  }
  r.cache_rows = cos.numel() / half;
  return r;
}

// com.microsoft RotaryEmbedding: (input, position_ids, cos_cache, sin_cache).
inline RotaryInputs check_contrib_rotary(const KernelContext& ctx, const RotaryAttrs& a) {
  const Tensor& x = ctx.required(0);
  const Tensor& pos = ctx.required(1);
  const Tensor& cos = ctx.required(2);
  const Tensor& sin = ctx.required(3);
  rotary_detail::check_caches(cos, sin, x);
  ONNXGEN_CHECK(cos.rank() == 2, "RotaryEmbedding cos_cache must be [max_position, rotary_dim / 2], got ",
                cos.describe());
  const int64_t half = cos.dim(1);
  RotaryInputs r = rotary_detail::layout_of(x, a.num_heads, a.rot_dim ? 0 : 2 * half);
  r.rot = a.rot_dim ? a.rot_dim : r.head_size;
  ONNXGEN_CHECK(r.rot == 2 * half && r.rot <= r.head_size, "RotaryEmbedding rotary dim ", r.rot,
                " must be twice the cache width ", half, " and at most the head size ", r.head_size);
  ONNXGEN_CHECK(!is_float(pos.dtype()), "RotaryEmbedding position_ids must be integers");
  if (pos.numel() == 1) {
    r.start_offset = true;
  } else {
    ONNXGEN_CHECK(pos.rank() == 2 && pos.dim(0) == r.batch && pos.dim(1) == r.seq, "RotaryEmbedding position_ids must be [",
                  r.batch, ", ", r.seq, "] or [1], got ", pos.describe());
  }
  r.positions = &pos;
  r.cache_rows = cos.dim(0);
  return r;
}

}  // namespace onnxgen
