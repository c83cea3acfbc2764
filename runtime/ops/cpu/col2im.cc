// Col2Im (PyTorch's fold): sums the columns of [N, C * prod(block), L] back into an N-D image
// [N, C, image...]; each column is one position of the sliding block, each row one channel and
// offset within the block, and overlapping taps add up.
#include "runtime/exec/op_registry.h"

namespace onnxgen {
namespace {

class Col2Im : public OpKernel {
 public:
  explicit Col2Im(const KernelInit& init)
      : dilations_(init.attrs().get_ints("dilations")),
        pads_(init.attrs().get_ints("pads")),
        strides_(init.attrs().get_ints("strides")) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    const std::vector<int64_t> image = ctx.required(1).to_int64_vector();
    const std::vector<int64_t> block = ctx.required(2).to_int64_vector();
    const size_t rank = image.size();
    ONNXGEN_CHECK(rank > 0 && block.size() == rank, "image_shape and block_shape must have the same positive length, got ",
                  image.size(), " and ", block.size());
    auto per_dim = [&](const std::vector<int64_t>& v, size_t count, int64_t fallback, const char* name) {
      ONNXGEN_CHECK(v.empty() || v.size() == count, name, " must have ", count, " values, got ", v.size());
      return v.empty() ? std::vector<int64_t>(count, fallback) : v;
    };
    const std::vector<int64_t> dil = per_dim(dilations_, rank, 1, "dilations");
    const std::vector<int64_t> stride = per_dim(strides_, rank, 1, "strides");
    const std::vector<int64_t> pads = per_dim(pads_, 2 * rank, 0, "pads");
    int64_t block_size = 1, image_size = 1, columns = 1;
    std::vector<int64_t> blocks(rank);
    for (size_t d = 0; d < rank; ++d) {
      ONNXGEN_CHECK(block[d] > 0 && image[d] > 0 && dil[d] > 0 && stride[d] > 0,
                    "image_shape, block_shape, dilations and strides must be positive");
      blocks[d] = (image[d] + pads[d] + pads[d + rank] - dil[d] * (block[d] - 1) - 1) / stride[d] + 1;
      ONNXGEN_CHECK(blocks[d] > 0, "the block does not fit the padded image along dim ", d);
      block_size *= block[d];
      image_size *= image[d];
      columns *= blocks[d];
    }
    ONNXGEN_CHECK(x.rank() == 3 && x.dim(1) % block_size == 0 && x.dim(2) == columns, "input must be [N, C * ",
                  block_size, ", ", columns, "], got ", x.describe());
    const int64_t n = x.dim(0), channels = x.dim(1) / block_size;
    Shape y_shape{n, channels};
    y_shape.insert(y_shape.end(), image.begin(), image.end());
    Tensor& y = ctx.allocate(0, x.dtype(), y_shape);
    dispatch_numeric(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      using C = compute_t<T>;
      const T* src = x.data<T>();
      T* dst = y.data<T>();
      std::vector<C> acc(static_cast<size_t>(image_size));
      std::vector<int64_t> offset(rank), position(rank);
      for (int64_t plane = 0; plane < n * channels; ++plane) {
        std::fill(acc.begin(), acc.end(), C(0));
        for (int64_t k = 0; k < block_size; ++k) {
          unravel(k, block, offset);
          const T* row = src + (plane * block_size + k) * columns;
          for (int64_t col = 0; col < columns; ++col) {
            unravel(col, blocks, position);
            int64_t at = 0;
            bool inside = true;
            for (size_t d = 0; d < rank && inside; ++d) {
              const int64_t p = position[d] * stride[d] - pads[d] + offset[d] * dil[d];
              inside = p >= 0 && p < image[d];
              at = at * image[d] + p;
            }
            if (inside) acc[static_cast<size_t>(at)] += static_cast<C>(row[col]);
          }
        }
        for (int64_t i = 0; i < image_size; ++i) dst[plane * image_size + i] = T(acc[static_cast<size_t>(i)]);
      }
    });
  }

 private:
  // Row-major coordinates of flat index i in dims.
  static void unravel(int64_t i, const std::vector<int64_t>& dims, std::vector<int64_t>& out) {
    for (size_t d = dims.size(); d-- > 0;) {
      out[d] = i % dims[d];
      i /= dims[d];
    }
  }

  std::vector<int64_t> dilations_, pads_, strides_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Col2Im", 18, ONNXGEN_LATEST, Col2Im);

}  // namespace onnxgen
