#pragma once
// Index tensors of Gather/Scatter-style ops: read as int64, negative values counted from the end,
// and every one checked against its axis before any kernel loop (possibly parallel) uses it.
// The offsets they resolve to are shared by the gathers and the scatters.
#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "runtime/core/tensor.h"

namespace onnxgen {

// Into `out`, which holds indices.numel() values.
inline void read_indices(const Tensor& indices, int64_t dim, const char* op, std::span<int64_t> out) {
  ONNXGEN_CHECK(indices.dtype() == DataType::kInt32 || indices.dtype() == DataType::kInt64, op,
                ": indices must be int32 or int64, got ", indices.describe());
  for (int64_t i = 0; i < indices.numel(); ++i) {
    const int64_t v = indices.dtype() == DataType::kInt64 ? indices.data<int64_t>()[i] : indices.data<int32_t>()[i];
    ONNXGEN_CHECK(v >= -dim && v < dim, op, ": index ", v, " is out of range for an axis of size ", dim);
    out[i] = v < 0 ? v + dim : v;
  }
}

inline std::vector<int64_t> read_indices(const Tensor& indices, int64_t dim, const char* op) {
  std::vector<int64_t> out(static_cast<size_t>(indices.numel()));
  read_indices(indices, dim, op, out);
  return out;
}

// GatherElements/ScatterElements: the flat offset in `data` that each element of `indices`
// addresses, i.e. its own position with the `axis` coordinate replaced by its value.
inline std::vector<int64_t> element_offsets(const Tensor& data, const Tensor& indices, int64_t axis_attr,
                                            const char* op) {
  const int64_t rank = static_cast<int64_t>(data.rank());
  ONNXGEN_CHECK(rank >= 1 && indices.rank() == data.rank(), op, ": indices ", indices.describe(),
                " must have the rank of data ", data.describe());
  const int64_t axis = normalize_axis(axis_attr, rank);
  for (int64_t d = 0; d < rank; ++d)
    ONNXGEN_CHECK(d == axis || indices.dim(d) <= data.dim(d), op, ": indices ", indices.describe(), " exceed data ",
                  data.describe(), " on axis ", d);
  std::vector<int64_t> offsets = read_indices(indices, data.dim(axis), op);
  const Shape strides = strides_of(data.shape());
  std::vector<int64_t> pos(static_cast<size_t>(rank), 0);
  for (int64_t& off : offsets) {
    off *= strides[axis];
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis) off += pos[d] * strides[d];
    for (int64_t d = rank; d-- > 0;) {
      if (++pos[d] < indices.dim(d)) break;
      pos[d] = 0;
    }
  }
  return offsets;
}

// GatherND/ScatterND: the flat offset in `data` of the slice each index tuple (the last dim of
// `indices`) addresses, the first `batch_dims` dims of both pairing up.
inline std::vector<int64_t> tuple_offsets(const Tensor& data, const Tensor& indices, int64_t batch_dims,
                                          const char* op) {
  ONNXGEN_CHECK(indices.dtype() == DataType::kInt64, op, ": indices must be int64, got ", indices.describe());
  const int64_t r = static_cast<int64_t>(data.rank()), q = static_cast<int64_t>(indices.rank()), b = batch_dims;
  ONNXGEN_CHECK(r >= 1 && q >= 1, op, ": data and indices need rank >= 1");
  ONNXGEN_CHECK(b >= 0 && b < std::min(r, q), op, ": batch_dims ", b, " must be below both ranks");
  const int64_t m = indices.dim(q - 1);
  ONNXGEN_CHECK(m >= 1 && m <= r - b, op, ": index tuples of length ", m, " do not fit data rank ", r,
                " with batch_dims ", b);
  for (int64_t d = 0; d < b; ++d)
    ONNXGEN_CHECK(data.dim(d) == indices.dim(d), op, ": batch dims of ", data.describe(), " and ", indices.describe(),
                  " differ");
  const Shape& s = data.shape();
  const Shape strides = strides_of(s);
  const int64_t tuples = indices.numel() / m;
  const int64_t batches = num_elements(Shape(s.begin(), s.begin() + b));
  const int64_t per_batch = batches ? tuples / batches : 0;
  const int64_t batch_stride = b ? strides[b - 1] : 0;
  const int64_t* idx = indices.data<int64_t>();
  std::vector<int64_t> offsets(static_cast<size_t>(tuples));
  for (int64_t t = 0; t < tuples; ++t) {
    int64_t off = per_batch ? t / per_batch * batch_stride : 0;
    for (int64_t j = 0; j < m; ++j) {
      const int64_t dim = s[b + j], v = idx[t * m + j];
      ONNXGEN_CHECK(v >= -dim && v < dim, op, ": index ", v, " is out of range for an axis of size ", dim);
      off += (v < 0 ? v + dim : v) * strides[b + j];
    }
    offsets[t] = off;
  }
  return offsets;
}

}  // namespace onnxgen
