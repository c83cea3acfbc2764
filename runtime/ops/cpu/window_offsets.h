#pragma once
// The input element each window tap reads, precomputed once per geometry so convolutions
// (im2col / col2im) and pools share one gather loop whatever the number of spatial axes.
#include <cstdint>
#include <vector>

#include "runtime/ops/cpu/conv_geometry.h"

namespace onnxgen {

// offsets[k * P + p]: flat offset within one input plane read by kernel tap k of output
// position p (P = output size), or -1 where the tap falls in the padding.
inline std::vector<int64_t> window_offsets(const WindowGeometry& g) {
  std::vector<int64_t> table{0};
  int64_t taps = 1, positions = 1;
  for (size_t axis = 0; axis < g.rank(); ++axis) {
    const int64_t kn = g.kernel[axis], on = g.output[axis], in = g.input[axis];
    std::vector<int64_t> next(static_cast<size_t>(taps * kn * positions * on));
    for (int64_t kp = 0; kp < taps; ++kp)
      for (int64_t ki = 0; ki < kn; ++ki) {
        int64_t* row = next.data() + (kp * kn + ki) * positions * on;
        const int64_t* prev = table.data() + kp * positions;
        for (int64_t pp = 0; pp < positions; ++pp)
          for (int64_t oi = 0; oi < on; ++oi) {
            const int64_t c = oi * g.stride[axis] - g.pad_begin[axis] + ki * g.dilation[axis];
            const bool inside = prev[pp] >= 0 && c >= 0 && c < in;
            row[pp * on + oi] = inside ? prev[pp] * in + c : -1;
          }
      }
    table = std::move(next);
    taps *= kn;
    positions *= on;
  }
  return table;
}

}  // namespace onnxgen
