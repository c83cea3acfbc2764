// Data movement: Gather rows and the strided copy behind Transpose, Slice, Split and Concat.
#include "runtime/ops/cuda/elem_access.cuh"

namespace onnxgen::cuda {
namespace {

constexpr int kThreads = 256;

// Indices come from the device, so they cannot be validated without a synchronising copy (ONNX
// Runtime's CUDA Gather does not either); out-of-range ones are clamped so a bad id reads a
// wrong row of the table rather than memory outside it.
template <class Word>
__global__ void gather_kernel(const Word* data, int64_t outer, int64_t axis_dim, int64_t row_words,
                              const void* indices, bool idx64, int64_t num_indices, Word* y) {
  const int64_t n = outer * num_indices * row_words;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    const int64_t w = i % row_words;
    const int64_t j = (i / row_words) % num_indices;
    const int64_t o = i / (row_words * num_indices);
    int64_t idx = idx64 ? static_cast<const int64_t*>(indices)[j] : static_cast<const int32_t*>(indices)[j];
    if (idx < 0) idx += axis_dim;
    idx = idx < 0 ? 0 : (idx >= axis_dim ? axis_dim - 1 : idx);
    y[i] = data[(o * axis_dim + idx) * row_words + w];
  }
}

template <class Word>
__global__ void strided_copy_kernel(const Word* x, StridedDims xv, int64_t x_offset, Word* y, StridedDims yv,
                                    int64_t y_offset, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    int64_t rest = i, xi = x_offset, yi = y_offset;
    for (int d = xv.rank - 1; d >= 0; --d) {
      const int64_t c = rest % xv.dims[d];
      rest /= xv.dims[d];
      xi += c * xv.strides[d];
      yi += c * yv.strides[d];
    }
    y[yi] = x[xi];
  }
}

template <class Word>
void launch_copy(const void* x, const StridedDims& xv, int64_t x_offset, void* y, const StridedDims& yv,
                 int64_t y_offset, int64_t n, cudaStream_t stream) {
  strided_copy_kernel<<<blocks_for(n, kThreads), kThreads, 0, stream>>>(
      static_cast<const Word*>(x), xv, x_offset, static_cast<Word*>(y), yv, y_offset, n);
}

}  // namespace

void gather(const void* data, int64_t outer, int64_t axis_dim, int64_t row_bytes, const void* indices,
            bool indices_int64, int64_t num_indices, void* y, cudaStream_t stream) {
  const int64_t n = outer * num_indices * row_bytes;
  if (n == 0) return;
  if (row_bytes % 4 == 0)
    gather_kernel<<<blocks_for(n / 4, kThreads), kThreads, 0, stream>>>(
        static_cast<const uint32_t*>(data), outer, axis_dim, row_bytes / 4, indices, indices_int64, num_indices,
        static_cast<uint32_t*>(y));
  else
    gather_kernel<<<blocks_for(n, kThreads), kThreads, 0, stream>>>(
        static_cast<const uint8_t*>(data), outer, axis_dim, row_bytes, indices, indices_int64, num_indices,
        static_cast<uint8_t*>(y));
  check_launch("gather");
}

void strided_copy(const void* x, const StridedDims& x_view, int64_t x_offset, void* y, const StridedDims& y_view,
                  int64_t y_offset, int64_t elem_bytes, cudaStream_t stream) {
  int64_t n = 1;
  for (int d = 0; d < x_view.rank; ++d) n *= x_view.dims[d];
  if (n == 0) return;
  switch (elem_bytes) {
    case 1: launch_copy<uint8_t>(x, x_view, x_offset, y, y_view, y_offset, n, stream); break;
    case 2: launch_copy<uint16_t>(x, x_view, x_offset, y, y_view, y_offset, n, stream); break;
    case 4: launch_copy<uint32_t>(x, x_view, x_offset, y, y_view, y_offset, n, stream); break;
    default: launch_copy<uint64_t>(x, x_view, x_offset, y, y_view, y_offset, n, stream); break;
  }
  check_launch("strided copy");
}

}  // namespace onnxgen::cuda
