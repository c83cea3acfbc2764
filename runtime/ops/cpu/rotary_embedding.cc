// RotaryEmbedding: ONNX opset 23 and com.microsoft. Both rotate [B, S, N*D] or [B, N, S, D]
// inputs, halves or interleaved pairs, over the first rotary_embedding_dim elements of each head.
// They differ in where the angles come from: ONNX indexes [max_pos, rot/2] caches with optional
// position_ids [B, S] or takes [B, S, rot/2] caches directly; com.microsoft requires position_ids,
// either [B, S] or a single start offset [1].
#include <vector>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/float_staging.h"
#include "runtime/ops/cpu/rotary.h"

namespace onnxgen {
namespace {

struct RotaryGeometry {
  int64_t batch = 0, seq = 0, heads = 0, head_size = 0;
  int64_t b_stride = 0, s_stride = 0, h_stride = 0;
};

// 3-D [B, S, N*D] needs the head count (or the head size from the cache); 4-D is [B, N, S, D].
RotaryGeometry geometry_of(const Tensor& x, int64_t num_heads, int64_t head_size_hint, const char* op) {
  RotaryGeometry g;
  if (x.rank() == 4) {
    g.batch = x.dim(0);
    g.heads = x.dim(1);
    g.seq = x.dim(2);
    g.head_size = x.dim(3);
    g.h_stride = g.seq * g.head_size;
    g.s_stride = g.head_size;
  } else {
    ONNXGEN_CHECK(x.rank() == 3, op, " input must be 3-D or 4-D, got ", x.describe());
    g.batch = x.dim(0);
    g.seq = x.dim(1);
    const int64_t hidden = x.dim(2);
    if (num_heads > 0) {
      ONNXGEN_CHECK(hidden % num_heads == 0, op, " hidden size ", hidden, " does not divide by num_heads ", num_heads);
      g.heads = num_heads;
      g.head_size = hidden / num_heads;
    } else {
      ONNXGEN_CHECK(head_size_hint > 0 && hidden % head_size_hint == 0, op, " cannot infer heads of hidden size ",
                    hidden, ": set num_heads");
      g.head_size = head_size_hint;
      g.heads = hidden / head_size_hint;
    }
    g.h_stride = g.head_size;
    g.s_stride = hidden;
  }
  g.b_stride = g.heads * g.seq * g.head_size;
  return g;
}

// Applies the rotation given each (batch, position)'s cache row.
template <class RowOf>
void rotate_all(const RotaryGeometry& g, const float* x, float* y, int64_t rot_dim, bool interleaved, ThreadPool& pool,
                RowOf row_of) {
  pool.parallel_for(g.batch * g.seq, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, g.heads * g.head_size)),
                    [&](int64_t begin, int64_t end) {
                      for (int64_t bs = begin; bs < end; ++bs) {
                        const int64_t b = bs / g.seq, s = bs % g.seq;
                        const auto [cos, sin] = row_of(b, s);
                        for (int64_t h = 0; h < g.heads; ++h) {
                          const int64_t at = b * g.b_stride + s * g.s_stride + h * g.h_stride;
                          rotate_head(x + at, y + at, cos, sin, rot_dim, g.head_size, interleaved);
                        }
                      }
                    });
}

// Every id must name a row of the caches.
void check_positions(const std::vector<int64_t>& ids, int64_t cache_rows) {
  for (int64_t id : ids)
    ONNXGEN_CHECK(id >= 0 && id < cache_rows, "RotaryEmbedding position id ", id, " outside the cache's ", cache_rows,
                  " rows");
}

void check_caches(const Tensor& cos, const Tensor& sin, const Tensor& x, const char* op) {
  ONNXGEN_CHECK(cos.shape() == sin.shape(), op, " cos_cache ", cos.describe(), " and sin_cache ", sin.describe(),
                " differ in shape");
  ONNXGEN_CHECK(cos.dtype() == x.dtype() && sin.dtype() == x.dtype(), op, " caches must have the input's type");
  ONNXGEN_CHECK(is_float(x.dtype()), op, " input must be a float type, got ", x.describe());
}

// y = x rotated, each token by the cache row row_of(batch, position) picks.
template <class RowOf>
void rotate_tokens(KernelContext& ctx, const Tensor& x_in, const Tensor& cos_in, const Tensor& sin_in,
                   const RotaryGeometry& g, int64_t rot, bool interleaved, RowOf row_of) {
  const int64_t half = rot / 2;
  const Tensor x = to_float32(x_in), cos = to_float32(cos_in), sin = to_float32(sin_in);
  Tensor& y_out = ctx.allocate(0, x_in.dtype(), x_in.shape());
  const Tensor y = float_workspace(y_out);
  const float* c = cos.data<float>();
  const float* s = sin.data<float>();
  rotate_all(g, x.data<float>(), y.data<float>(), rot, interleaved, ctx.pool(), [&](int64_t b, int64_t si) {
    const int64_t row = row_of(b, si);
    return std::pair{c + row * half, s + row * half};
  });
  finish_float_output(y, y_out);
}

// The attributes of both RotaryEmbedding ops.
class RotaryKernel : public OpKernel {
 public:
  explicit RotaryKernel(const KernelInit& init)
      : interleaved_(init.attrs().get_int("interleaved", 0) != 0),
        rot_dim_(init.attrs().get_int("rotary_embedding_dim", 0)),
        num_heads_(init.attrs().get_int("num_heads", 0)) {}

 protected:
  bool interleaved_;
  int64_t rot_dim_, num_heads_;
};

class OnnxRotaryEmbedding : public RotaryKernel {
 public:
  using RotaryKernel::RotaryKernel;

  void compute(KernelContext& ctx) override {
    const Tensor& x_in = ctx.required(0);
    const Tensor& cos_in = ctx.required(1);
    const Tensor& sin_in = ctx.required(2);
    const Tensor* pos = ctx.input(3);
    check_caches(cos_in, sin_in, x_in, "RotaryEmbedding");
    const RotaryGeometry g = geometry_of(x_in, num_heads_, 0, "RotaryEmbedding");
    const int64_t rot = rot_dim_ ? rot_dim_ : g.head_size;
    ONNXGEN_CHECK(rot > 0 && rot % 2 == 0 && rot <= g.head_size, "RotaryEmbedding rotary_embedding_dim ", rot,
                  " must be even and at most the head size ", g.head_size);
    const int64_t half = rot / 2;
    ONNXGEN_CHECK(cos_in.rank() >= 1 && cos_in.dim(cos_in.rank() - 1) == half, "RotaryEmbedding cos_cache ",
                  cos_in.describe(), " must end in rotary_embedding_dim / 2 = ", half);
    if (pos) {
      ONNXGEN_CHECK(pos->rank() == 2 && pos->dim(0) == g.batch && pos->dim(1) == g.seq && !is_float(pos->dtype()),
                    "RotaryEmbedding position_ids must be integer [", g.batch, ", ", g.seq, "], got ", pos->describe());
      ONNXGEN_CHECK(cos_in.rank() == 2, "RotaryEmbedding caches must be 2-D with position_ids, got ",
                    cos_in.describe());
      std::vector<int64_t> ids(static_cast<size_t>(pos->numel()));
      for (int64_t i = 0; i < pos->numel(); ++i) ids[static_cast<size_t>(i)] = pos->to_int64(i);
      check_positions(ids, cos_in.dim(0));
      rotate_tokens(ctx, x_in, cos_in, sin_in, g, rot, interleaved_,
                    [&](int64_t b, int64_t si) { return ids[static_cast<size_t>(b * g.seq + si)]; });
    } else {
      ONNXGEN_CHECK(cos_in.rank() == 3 && cos_in.dim(0) == g.batch && cos_in.dim(1) == g.seq,
                    "RotaryEmbedding caches must be [", g.batch, ", ", g.seq, ", ", half,
                    "] without position_ids, got ", cos_in.describe());
      rotate_tokens(ctx, x_in, cos_in, sin_in, g, rot, interleaved_,
                    [&](int64_t b, int64_t si) { return b * g.seq + si; });
    }
  }
};

class ContribRotaryEmbedding : public RotaryKernel {
 public:
  using RotaryKernel::RotaryKernel;

  void compute(KernelContext& ctx) override {
    const Tensor& x_in = ctx.required(0);
    const Tensor& pos = ctx.required(1);
    const Tensor& cos_in = ctx.required(2);
    const Tensor& sin_in = ctx.required(3);
    check_caches(cos_in, sin_in, x_in, "RotaryEmbedding");
    ONNXGEN_CHECK(cos_in.rank() == 2, "RotaryEmbedding cos_cache must be [max_position, rotary_dim / 2], got ",
                  cos_in.describe());
    const int64_t half = cos_in.dim(1);
    const RotaryGeometry g = geometry_of(x_in, num_heads_, rot_dim_ ? 0 : 2 * half, "RotaryEmbedding");
    const int64_t rot = rot_dim_ ? rot_dim_ : g.head_size;
    ONNXGEN_CHECK(rot == 2 * half && rot <= g.head_size, "RotaryEmbedding rotary dim ", rot,
                  " must be twice the cache width ", half, " and at most the head size ", g.head_size);
    // [B, S] ids, or one start position for every batch.
    std::vector<int64_t> ids(static_cast<size_t>(g.batch * g.seq));
    ONNXGEN_CHECK(!is_float(pos.dtype()), "RotaryEmbedding position_ids must be integers");
    if (pos.numel() == 1) {
      for (size_t i = 0; i < ids.size(); ++i) ids[i] = pos.to_int64(0) + static_cast<int64_t>(i) % g.seq;
    } else {
      ONNXGEN_CHECK(pos.rank() == 2 && pos.dim(0) == g.batch && pos.dim(1) == g.seq, "RotaryEmbedding position_ids must be [",
                    g.batch, ", ", g.seq, "] or [1], got ", pos.describe());
      for (size_t i = 0; i < ids.size(); ++i) ids[i] = pos.to_int64(static_cast<int64_t>(i));
    }
    check_positions(ids, cos_in.dim(0));
    rotate_tokens(ctx, x_in, cos_in, sin_in, g, rot, interleaved_,
                  [&](int64_t b, int64_t si) { return ids[static_cast<size_t>(b * g.seq + si)]; });
  }
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "RotaryEmbedding", 23, ONNXGEN_LATEST, OnnxRotaryEmbedding);
ONNXGEN_REGISTER_KERNEL("com.microsoft", "RotaryEmbedding", 1, ONNXGEN_LATEST, ContribRotaryEmbedding);

}  // namespace onnxgen
