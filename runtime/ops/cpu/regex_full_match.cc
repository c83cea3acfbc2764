// RegexFullMatch (opset 20): whether each string matches the pattern as a whole. The spec names
// RE2 syntax; std::regex's ECMAScript grammar covers the RE2 subset models use (classes, \w \b,
// anchors, bounded repeats, alternation), and a pattern it rejects fails at load.
#include <regex>

#include "runtime/exec/op_registry.h"

namespace onnxgen {
namespace {

class RegexFullMatch : public OpKernel {
 public:
  explicit RegexFullMatch(const KernelInit& init) {
    const std::string pattern = init.attrs().get_string("pattern", "");
    try {
      regex_ = std::regex(pattern, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error& e) {
      fail("invalid pattern '", pattern, "': ", e.what());
    }
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    ONNXGEN_CHECK(x.dtype() == DataType::kString, "input must be strings, got ", x.describe());
    Tensor& y = ctx.allocate(0, DataType::kBool, x.shape());
    const std::string* in = x.data<std::string>();
    for (int64_t i = 0; i < x.numel(); ++i) y.data<bool>()[i] = std::regex_match(in[i], regex_);
  }

 private:
  std::regex regex_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "RegexFullMatch", 20, ONNXGEN_LATEST, RegexFullMatch);

}  // namespace onnxgen
