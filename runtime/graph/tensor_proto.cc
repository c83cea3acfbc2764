#include "runtime/graph/tensor_proto.h"

#include <cstring>
#include <fstream>

#include "onnx/onnx_pb.h"

namespace onnxgen {
namespace {

template <class Field, class T>
void copy_field(const Field& field, T* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<T>(field[static_cast<int>(i)]);
}

// float16/bfloat16/bool/int8/int16/uint8/uint16 travel as int32_data, one element per entry.
void copy_int32_field(const onnx::TensorProto& p, Tensor& t) {
  int64_t n = t.numel();
  switch (t.dtype()) {
    case DataType::kFloat16:
    case DataType::kBFloat16: {
      auto* dst = static_cast<uint16_t*>(t.raw());
      for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<uint16_t>(p.int32_data(static_cast<int>(i)));
      return;
    }
    case DataType::kBool: copy_field(p.int32_data(), t.data<bool>(), n); return;
    case DataType::kInt8: copy_field(p.int32_data(), t.data<int8_t>(), n); return;
    case DataType::kInt16: copy_field(p.int32_data(), t.data<int16_t>(), n); return;
    case DataType::kUInt8: copy_field(p.int32_data(), t.data<uint8_t>(), n); return;
    case DataType::kUInt16: copy_field(p.int32_data(), t.data<uint16_t>(), n); return;
    case DataType::kInt32: copy_field(p.int32_data(), t.data<int32_t>(), n); return;
    default: fail("int32_data cannot hold ", to_string(t.dtype()));
  }
}

int typed_field_size(const onnx::TensorProto& p, DataType dtype) {
  switch (dtype) {
    case DataType::kFloat: return p.float_data_size();
    case DataType::kDouble: return p.double_data_size();
    case DataType::kInt64: return p.int64_data_size();
    case DataType::kUInt32: case DataType::kUInt64: return p.uint64_data_size();
    case DataType::kString: return p.string_data_size();
    default: return p.int32_data_size();
  }
}

std::string tensor_label(const onnx::TensorProto& p) {
  return p.name().empty() ? std::string("unnamed tensor") : "tensor '" + p.name() + "'";
}

Tensor from_external(onnx::TensorProto& p, DataType dtype, Shape shape, ExternalDataResolver* resolver) {
  const std::string label = tensor_label(p);
  if (!resolver) fail(label, " uses external data, which is not allowed here");
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto& kv : p.external_data()) {
    try {
      if (kv.key() == "location") location = kv.value();
      else if (kv.key() == "offset") offset = std::stoll(kv.value());
      else if (kv.key() == "length") length = std::stoll(kv.value());
    } catch (const std::exception&) {
      fail(label, ": external data field '", kv.key(), "' has a bad value '", kv.value(), "'");
    }
  }
  if (location.empty()) fail(label, ": external data has no location");
  auto file = resolver->file(location);
  size_t expected = static_cast<size_t>(num_elements(shape)) * element_size(dtype);
  if (length < 0) length = static_cast<int64_t>(file->size()) - offset;
  if (offset < 0 || static_cast<size_t>(offset) > file->size() ||
      static_cast<size_t>(length) > file->size() - static_cast<size_t>(offset))
    fail(label, ": external data [", offset, ", +", length, ") lies outside '", file->path(), "' (",
         file->size(), " bytes)");
  if (static_cast<size_t>(length) < expected)
    fail(label, ": external data in '", file->path(), "' has ", length, " bytes, ", to_string(dtype),
         to_string(shape), " needs ", expected);
  const char* src = file->data() + offset;
  if (reinterpret_cast<uintptr_t>(src) % element_size(dtype) != 0) {
    Tensor t = Tensor::empty(dtype, std::move(shape));
    std::memcpy(t.raw(), src, expected);
    return t;
  }
  auto buffer = std::make_shared<OwningBuffer<std::shared_ptr<MappedFile>>>(file, const_cast<char*>(src), expected);
  return Tensor(dtype, std::move(shape), std::move(buffer));
}

}  // namespace

std::shared_ptr<MappedFile> ExternalDataResolver::file(const std::string& location) {
  if (location.empty() || location[0] == '/' || location.find("..") != std::string::npos)
    fail("external data location '", location, "' must be a relative path inside the model directory");
  auto it = files_.find(location);
  if (it != files_.end()) return it->second;
  auto f = MappedFile::open(base_dir_.empty() ? location : base_dir_ + "/" + location);
  files_[location] = f;
  return f;
}

Tensor tensor_from_proto(onnx::TensorProto& p, ExternalDataResolver* resolver) {
  const std::string label = tensor_label(p);
  auto dtype = static_cast<DataType>(p.data_type());
  if (!is_supported(dtype)) fail(label, " has unsupported element type ", to_string(dtype));
  Shape shape(p.dims().begin(), p.dims().end());
  for (int64_t d : shape)
    if (d < 0) fail(label, " has a negative dimension in ", to_string(shape));
  if (p.has_data_location() && p.data_location() == onnx::TensorProto::EXTERNAL)
    return from_external(p, dtype, std::move(shape), resolver);

  int64_t n = 0;
  try {
    n = num_elements(shape);
    if (n > (int64_t{1} << 40)) throw Error("");
  } catch (const Error&) {
    fail(label, " has an impossible shape ", to_string(shape));
  }
  size_t expected = static_cast<size_t>(n) * element_size(dtype);
  if (p.has_raw_data()) {
    if (dtype == DataType::kString) fail(label, ": string tensors cannot use raw_data");
    if (p.raw_data().size() != expected)
      fail(label, ": raw_data has ", p.raw_data().size(), " bytes but ", to_string(dtype), to_string(shape),
           " needs ", expected);
    std::unique_ptr<std::string> raw(p.release_raw_data());
    void* data = raw->data();
    if (expected == 0 || reinterpret_cast<uintptr_t>(data) % 16 != 0) {
      Tensor t = Tensor::empty(dtype, std::move(shape));
      if (expected) std::memcpy(t.raw(), data, expected);
      return t;
    }
    auto buffer = std::make_shared<OwningBuffer<std::unique_ptr<std::string>>>(std::move(raw), data, expected);
    return Tensor(dtype, std::move(shape), std::move(buffer));
  }
  if (typed_field_size(p, dtype) != n)
    fail(label, ": holds ", typed_field_size(p, dtype), " values but ", to_string(dtype), to_string(shape),
         " needs ", n);
  Tensor t = Tensor::empty(dtype, std::move(shape));
  switch (dtype) {
    case DataType::kFloat: copy_field(p.float_data(), t.data<float>(), n); break;
    case DataType::kDouble: copy_field(p.double_data(), t.data<double>(), n); break;
    case DataType::kInt64: copy_field(p.int64_data(), t.data<int64_t>(), n); break;
    case DataType::kUInt32: copy_field(p.uint64_data(), t.data<uint32_t>(), n); break;
    case DataType::kUInt64: copy_field(p.uint64_data(), t.data<uint64_t>(), n); break;
    case DataType::kString: {
      auto* dst = t.data<std::string>();
      for (int64_t i = 0; i < n; ++i) dst[i] = p.string_data(static_cast<int>(i));
      break;
    }
    default: copy_int32_field(p, t);
  }
  return t;
}

void tensor_to_proto(const Tensor& t, onnx::TensorProto* p) {
  p->set_data_type(static_cast<int32_t>(t.dtype()));
  for (int64_t d : t.shape()) p->add_dims(d);
  if (t.dtype() == DataType::kString) {
    const auto* s = t.data<std::string>();
    for (int64_t i = 0; i < t.numel(); ++i) p->add_string_data(s[i]);
  } else {
    p->set_raw_data(t.raw(), t.bytes());
  }
}

Tensor read_tensor_file(const std::string& path) {
  auto file = MappedFile::open(path);
  onnx::TensorProto proto;
  if (!proto.ParseFromArray(file->data(), static_cast<int>(file->size())))
    fail("'", path, "' is not a valid TensorProto file");
  try {
    return tensor_from_proto(proto, nullptr);
  } catch (const Error& e) {
    fail("'", path, "': ", e.what());
  }
}

void write_tensor_file(const Tensor& tensor, const std::string& path, const std::string& name) {
  onnx::TensorProto proto;
  tensor_to_proto(tensor, &proto);
  if (!name.empty()) proto.set_name(name);
  std::ofstream out(path, std::ios::binary);
  if (!out || !proto.SerializeToOstream(&out)) fail("cannot write '", path, "'");
}

}  // namespace onnxgen
