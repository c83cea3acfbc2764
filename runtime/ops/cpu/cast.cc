// Cast and CastLike between every supported element type, strings included (numbers parse and
// print in their shortest round-trip form). `saturate` only concerns float8 targets, which are
// not supported types here, so it is ignored.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <string>

#include "runtime/exec/op_registry.h"
#include "runtime/ops/cpu/convert.h"
#include "runtime/ops/cpu/elementwise.h"

namespace onnxgen {
namespace {

bool equals_ignoring_case(const std::string& a, const char* b) {
  return std::equal(a.begin(), a.end(), b, b + std::char_traits<char>::length(b),
                    [](char x, char y) { return std::tolower(static_cast<unsigned char>(x)) == y; });
}

template <class To>
To parse_element(const std::string& text) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(*begin))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(end[-1]))) --end;
  const std::string trimmed(begin, end);
  if constexpr (std::is_same_v<To, bool>) {
    if (equals_ignoring_case(trimmed, "true")) return true;
    if (equals_ignoring_case(trimmed, "false")) return false;
  }
  if (begin < end && *begin == '+') ++begin;  // from_chars takes no '+', numpy does ("+INF")
  if constexpr (is_int_v<To>) {
    using Wide = std::conditional_t<std::is_signed_v<To>, int64_t, uint64_t>;
    Wide v{};
    auto [p, ec] = std::from_chars(begin, end, v);
    if (ec == std::errc() && p == end) return static_cast<To>(v);
  }
  double d = 0;
  auto [p, ec] = std::from_chars(begin, end, d);
  ONNXGEN_CHECK(ec == std::errc() && p == end && begin != end, "Cast cannot parse '", text, "' as ",
                to_string(data_type_of<To>()));
  return convert_element<To>(d);
}

template <class From>
std::string format_element(const From& v) {
  if constexpr (std::is_same_v<From, bool>) {
    return v ? "True" : "False";  // as numpy's astype(str)
  } else if constexpr (is_int_v<From>) {
    return std::to_string(v);
  } else {
    char buf[64];
    const auto [p, ec] = std::to_chars(buf, buf + sizeof buf, widen(v));
    return std::string(buf, ec == std::errc() ? p : buf);
  }
}

// The element type named by Cast's `to`: a TensorProto data type, or its name before opset 6.
DataType parse_to(const KernelInit& init) {
  const Attribute* to = init.attrs().find("to");
  ONNXGEN_CHECK(to, "Cast needs the 'to' attribute");
  DataType t = DataType::kUndefined;
  if (to->kind == Attribute::Kind::kString) {
    static const std::map<std::string, DataType> kNames = {
        {"FLOAT", DataType::kFloat},   {"UINT8", DataType::kUInt8},     {"INT8", DataType::kInt8},
        {"UINT16", DataType::kUInt16}, {"INT16", DataType::kInt16},     {"INT32", DataType::kInt32},
        {"INT64", DataType::kInt64},   {"STRING", DataType::kString},   {"BOOL", DataType::kBool},
        {"FLOAT16", DataType::kFloat16}, {"DOUBLE", DataType::kDouble}, {"UINT32", DataType::kUInt32},
        {"UINT64", DataType::kUInt64}, {"BFLOAT16", DataType::kBFloat16}};
    auto it = kNames.find(to->s);
    ONNXGEN_CHECK(it != kNames.end(), "Cast to unknown type '", to->s, "'");
    t = it->second;
  } else {
    t = static_cast<DataType>(init.attrs().get_int("to"));
  }
  ONNXGEN_CHECK(is_supported(t), "Cast to unsupported element type ", to_string(t));
  return t;
}

void cast_into(KernelContext& ctx, const Tensor& x, DataType to) {
  if (x.dtype() == to) {
    ctx.set_output(0, x);
    return;
  }
  Tensor& y = ctx.allocate(0, to, x.shape());
  const int64_t n = x.numel();
  dispatch_group<TypeGroup::kAll>(x.dtype(), "Cast", [&](auto from_tag) {
    using From = decltype(from_tag);
    const From* in = x.data<From>();
    dispatch_group<TypeGroup::kAll>(to, "Cast", [&](auto to_tag) {
      using To = decltype(to_tag);
      To* out = y.data<To>();
      if constexpr (std::is_same_v<From, To>) {
        std::copy(in, in + n, out);
      } else if constexpr (std::is_same_v<From, std::string>) {
        for (int64_t i = 0; i < n; ++i) out[i] = parse_element<To>(in[i]);
      } else if constexpr (std::is_same_v<To, std::string>) {
        for (int64_t i = 0; i < n; ++i) out[i] = format_element(in[i]);
      } else {
        map_elements(ctx.pool(), in, out, n, kCheapGrain, [](const From& v) { return convert_element<To>(v); });
      }
    });
  });
}

class Cast : public OpKernel {
 public:
  explicit Cast(const KernelInit& init) : to_(parse_to(init)) {}
  void compute(KernelContext& ctx) override { cast_into(ctx, ctx.required(0), to_); }

 private:
  DataType to_;
};

class CastLike : public OpKernel {
 public:
  explicit CastLike(const KernelInit&) {}
  void compute(KernelContext& ctx) override { cast_into(ctx, ctx.required(0), ctx.required(1).dtype()); }
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "Cast", 1, ONNXGEN_LATEST, Cast);
ONNXGEN_REGISTER_KERNEL("", "CastLike", 15, ONNXGEN_LATEST, CastLike);

}  // namespace onnxgen
