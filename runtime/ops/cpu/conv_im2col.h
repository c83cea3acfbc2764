#pragma once
// Convolution as im2col + GEMM for any number of spatial axes, in float or double. The
// float32 fast path is oneDNN (onednn_conv.h); this serves the other types and integer
// convolutions (computed exactly in double).
#include <cstdint>
#include <vector>

#include "runtime/core/thread_pool.h"
#include "runtime/ops/cpu/conv_geometry.h"
#include "runtime/ops/cpu/small_gemm.h"
#include "runtime/ops/cpu/window_offsets.h"

namespace onnxgen {

// y = conv(x, w) + bias; bias may be null.
template <class C>
void conv_im2col(ThreadPool& pool, const ConvProblem& p, const C* x, const C* w, const C* bias, C* y) {
  const WindowGeometry& g = p.window;
  const int64_t in_plane = g.input_size(), out_plane = g.output_size(), taps = g.kernel_size();
  const int64_t cg = p.in_channels / p.group, mg = p.out_channels / p.group;
  const std::vector<int64_t> offsets = window_offsets(g);
  std::vector<C> col(static_cast<size_t>(cg * taps * out_plane));
  GemmArgs args;
  args.m = mg;
  args.n = out_plane;
  args.k = cg * taps;
  args.lda = cg * taps;
  args.ldb = out_plane;
  args.ldc = out_plane;
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t grp = 0; grp < p.group; ++grp) {
      const C* xg = x + (n * p.in_channels + grp * cg) * in_plane;
      for (int64_t c = 0; c < cg; ++c)
        for (int64_t t = 0; t < taps; ++t) {
          const int64_t* off = offsets.data() + t * out_plane;
          C* dst = col.data() + (c * taps + t) * out_plane;
          const C* src = xg + c * in_plane;
          for (int64_t q = 0; q < out_plane; ++q) dst[q] = off[q] >= 0 ? src[off[q]] : C(0);
        }
      C* yg = y + (n * p.out_channels + grp * mg) * out_plane;
      small_gemm(pool, args, w + grp * mg * cg * taps, col.data(), yg);
      if (bias)
        for (int64_t m = 0; m < mg; ++m)
          for (int64_t q = 0; q < out_plane; ++q) yg[m * out_plane + q] += bias[grp * mg + m];
    }
}

}  // namespace onnxgen
