#pragma once
// Float32 forward convolution through oneDNN, one primitive per problem shape, built on first
// use and cached, since building a primitive costs far more than running a small one.
#include <map>
#include <memory>
#include <vector>

#include "runtime/ops/cpu/conv_geometry.h"

namespace onnxgen {

class OnednnConv {
 public:
  OnednnConv();
  ~OnednnConv();
  // y = conv(x, w) + bias (bias may be null), through max(., 0) when relu. False when oneDNN has
  // no implementation for the problem, so the caller falls back.
  bool run(const ConvProblem& p, const float* x, const float* w, const float* bias, bool relu, float* y);

 private:
  struct Primitive;
  std::map<std::vector<int64_t>, std::unique_ptr<Primitive>> cache_;
};

}  // namespace onnxgen
