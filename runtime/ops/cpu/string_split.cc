// StringSplit (opset 20): splits each string like Python's str.split, into X.shape + [most
// parts] padded with empty strings, plus each string's part count. Without a delimiter (or an
// empty one) runs of whitespace separate the parts and none is empty.
#include <cctype>

#include "runtime/exec/op_registry.h"

namespace onnxgen {
namespace {

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

class StringSplit : public OpKernel {
 public:
  explicit StringSplit(const KernelInit& init)
      : delimiter_(init.attrs().get_string("delimiter", "")), maxsplit_(init.attrs().get_int("maxsplit", -1)) {}

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    ONNXGEN_CHECK(x.dtype() == DataType::kString, "input must be strings, got ", x.describe());
    const std::string* in = x.data<std::string>();
    std::vector<std::vector<std::string>> parts(static_cast<size_t>(x.numel()));
    int64_t widest = 0;
    for (int64_t i = 0; i < x.numel(); ++i) {
      parts[i] = delimiter_.empty() ? split_whitespace(in[i]) : split_on(in[i]);
      widest = std::max<int64_t>(widest, static_cast<int64_t>(parts[i].size()));
    }
    Shape y_shape = x.shape();
    y_shape.push_back(widest);
    Tensor& y = ctx.allocate(0, DataType::kString, y_shape);
    Tensor& counts = ctx.allocate(1, DataType::kInt64, x.shape());
    std::string* out = y.data<std::string>();
    for (int64_t i = 0; i < x.numel(); ++i) {
      counts.data<int64_t>()[i] = static_cast<int64_t>(parts[i].size());
      for (int64_t j = 0; j < widest; ++j)
        out[i * widest + j] = j < static_cast<int64_t>(parts[i].size()) ? std::move(parts[i][j]) : std::string();
    }
  }

 private:
  bool may_split(size_t parts_so_far) const { return maxsplit_ < 0 || static_cast<int64_t>(parts_so_far) < maxsplit_; }

  std::vector<std::string> split_on(const std::string& s) const {
    std::vector<std::string> out;
    size_t start = 0, at;
    while (may_split(out.size()) && (at = s.find(delimiter_, start)) != std::string::npos) {
      out.push_back(s.substr(start, at - start));
      start = at + delimiter_.size();
    }
    out.push_back(s.substr(start));
    return out;
  }

  // After maxsplit parts the rest is one part, with its leading whitespace dropped.
  std::vector<std::string> split_whitespace(const std::string& s) const {
    std::vector<std::string> out;
    size_t i = 0;
    while (true) {
      while (i < s.size() && is_space(s[i])) ++i;
      if (i == s.size()) break;
      if (!may_split(out.size())) {
        out.push_back(s.substr(i));
        break;
      }
      const size_t start = i;
      while (i < s.size() && !is_space(s[i])) ++i;
      out.push_back(s.substr(start, i - start));
    }
    return out;
  }

  std::string delimiter_;
  int64_t maxsplit_;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "StringSplit", 20, ONNXGEN_LATEST, StringSplit);

}  // namespace onnxgen
