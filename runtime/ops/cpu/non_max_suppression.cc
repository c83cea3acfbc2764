// NonMaxSuppression: greedy per (batch, class) selection by descending score, dropping boxes
// whose IoU with an already selected box exceeds the threshold.
#include <algorithm>
#include <numeric>

#include "runtime/exec/op_registry.h"

namespace onnxgen {
namespace {

struct Box {
  float y1, x1, y2, x2;
  float area() const { return (y2 - y1) * (x2 - x1); }
};

class NonMaxSuppression : public OpKernel {
 public:
  explicit NonMaxSuppression(const KernelInit& init) : center_point_(init.attrs().get_int("center_point_box", 0)) {
    ONNXGEN_CHECK(center_point_ == 0 || center_point_ == 1, "center_point_box must be 0 or 1, got ", center_point_);
  }

  void compute(KernelContext& ctx) override {
    const Tensor& boxes = ctx.required(0);
    const Tensor& scores = ctx.required(1);
    ONNXGEN_CHECK(boxes.dtype() == DataType::kFloat && scores.dtype() == DataType::kFloat,
                  "boxes and scores must be float32");
    ONNXGEN_CHECK(boxes.rank() == 3 && boxes.dim(2) == 4, "boxes must be [batch, boxes, 4], got ", boxes.describe());
    ONNXGEN_CHECK(scores.rank() == 3 && scores.dim(0) == boxes.dim(0) && scores.dim(2) == boxes.dim(1),
                  "scores must be [batch, classes, ", boxes.dim(1), "], got ", scores.describe());
    const int64_t max_out = scalar_or(ctx.input(2), 0);
    const float iou_threshold = static_cast<float>(scalar_or(ctx.input(3), 0.0));
    const Tensor* score_t = ctx.input(4);
    ONNXGEN_CHECK(iou_threshold >= 0 && iou_threshold <= 1, "iou_threshold must be in [0, 1], got ", iou_threshold);
    const int64_t batches = boxes.dim(0), classes = scores.dim(1), n = boxes.dim(1);
    std::vector<int64_t> selected;
    for (int64_t b = 0; b < batches; ++b) {
      std::vector<Box> bx(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) bx[i] = corners(boxes.data<float>() + (b * n + i) * 4);
      for (int64_t c = 0; c < classes; ++c) {
        const float* s = scores.data<float>() + (b * classes + c) * n;
        std::vector<int64_t> order;
        for (int64_t i = 0; i < n; ++i)
          if (!score_t || s[i] > static_cast<float>(score_t->to_double(0))) order.push_back(i);
        std::stable_sort(order.begin(), order.end(), [s](int64_t l, int64_t r) { return s[l] > s[r]; });
        std::vector<int64_t> kept;
        for (int64_t i : order) {
          if (static_cast<int64_t>(kept.size()) >= max_out) break;
          bool keep = true;
          for (int64_t k : kept)
            if (iou(bx[i], bx[k]) > iou_threshold) {
              keep = false;
              break;
            }
          if (!keep) continue;
          kept.push_back(i);
          selected.insert(selected.end(), {b, c, i});
        }
      }
    }
    Tensor& out = ctx.allocate(0, DataType::kInt64, {static_cast<int64_t>(selected.size() / 3), 3});
    std::copy(selected.begin(), selected.end(), out.data<int64_t>());
  }

 private:
  static double scalar_or(const Tensor* t, double fallback) {
    if (!t || t->numel() == 0) return fallback;
    ONNXGEN_CHECK(t->numel() == 1, "expected a scalar, got ", t->describe());
    return t->to_double(0);
  }

  Box corners(const float* v) const {
    if (center_point_) return {v[1] - v[3] / 2, v[0] - v[2] / 2, v[1] + v[3] / 2, v[0] + v[2] / 2};
    return {std::min(v[0], v[2]), std::min(v[1], v[3]), std::max(v[0], v[2]), std::max(v[1], v[3])};
  }

  static float iou(const Box& a, const Box& b) {
    const float h = std::max(0.0f, std::min(a.y2, b.y2) - std::max(a.y1, b.y1));
    const float w = std::max(0.0f, std::min(a.x2, b.x2) - std::max(a.x1, b.x1));
    const float inter = h * w;
    const float uni = a.area() + b.area() - inter;
    return inter > 0 && uni > 0 ? inter / uni : 0.0f;
  }

  int64_t center_point_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "NonMaxSuppression", 10, ONNXGEN_LATEST, NonMaxSuppression);

}  // namespace onnxgen
