#include "runtime/graph/model_loader.h"

#include <google/protobuf/io/coded_stream.h>

#include <climits>

#include "onnx/onnx_pb.h"
#include "runtime/core/mapped_file.h"
#include "runtime/graph/tensor_proto.h"

namespace onnxgen {
namespace {

class GraphConverter {
 public:
  explicit GraphConverter(ExternalDataResolver& resolver) : resolver_(resolver) {}

  std::shared_ptr<Graph> convert(onnx::GraphProto& gp) {
    auto g = std::make_shared<Graph>();
    g->name = gp.name();
    for (auto& tp : *gp.mutable_initializer()) {
      if (tp.name().empty()) fail("graph '", gp.name(), "' has an initializer without a name");
      g->initializers[tp.name()] = tensor_from_proto(tp, &resolver_);
    }
    if (gp.sparse_initializer_size() > 0)
      fail("graph '", gp.name(), "' has sparse initializers, which are not supported");
    for (const auto& vi : gp.input()) g->inputs.push_back(value_info(vi));
    for (const auto& vi : gp.output()) g->outputs.push_back(value_info(vi));
    for (const auto& vi : gp.value_info()) g->value_infos.push_back(value_info(vi));
    g->nodes.reserve(gp.node_size());
    for (auto& np : *gp.mutable_node()) g->nodes.push_back(node(np));
    return g;
  }

 private:
  static ValueInfo value_info(const onnx::ValueInfoProto& vi) {
    ValueInfo v;
    v.name = vi.name();
    const auto& type = vi.type();
    if (type.has_tensor_type()) {
      v.kind = ValueInfo::Kind::kTensor;
      v.dtype = static_cast<DataType>(type.tensor_type().elem_type());
      if (type.tensor_type().has_shape()) {
        v.has_shape = true;
        for (const auto& d : type.tensor_type().shape().dim()) {
          Dim dim;
          if (d.has_dim_value()) dim.value = d.dim_value();
          else dim.param = d.dim_param();
          v.dims.push_back(dim);
        }
      }
    } else if (type.has_sequence_type()) {
      v.kind = ValueInfo::Kind::kSequence;
    } else if (type.has_optional_type()) {
      v.kind = ValueInfo::Kind::kOptional;
    } else if (type.has_map_type()) {
      v.kind = ValueInfo::Kind::kMap;
    } else {
      v.kind = ValueInfo::Kind::kUnknown;
    }
    return v;
  }

  Node node(onnx::NodeProto& np) {
    Node n;
    n.name = np.name();
    n.op_type = np.op_type();
    n.domain = canonical_domain(np.domain());
    n.inputs.assign(np.input().begin(), np.input().end());
    n.outputs.assign(np.output().begin(), np.output().end());
    if (n.op_type.empty()) fail("node '", n.name, "' has no op_type");
    for (auto& ap : *np.mutable_attribute()) {
      try {
        n.attrs.set(ap.name(), attribute(ap));
      } catch (const Error& e) {
        fail(n.label(), " attribute '", ap.name(), "': ", e.what());
      }
    }
    return n;
  }

  Attribute attribute(onnx::AttributeProto& ap) {
    Attribute a;
    using A = onnx::AttributeProto;
    switch (ap.type()) {
      case A::FLOAT: a.kind = Attribute::Kind::kFloat; a.f = ap.f(); break;
      case A::INT: a.kind = Attribute::Kind::kInt; a.i = ap.i(); break;
      case A::STRING: a.kind = Attribute::Kind::kString; a.s = ap.s(); break;
      case A::TENSOR: a.kind = Attribute::Kind::kTensor; a.t = tensor_from_proto(*ap.mutable_t(), &resolver_); break;
      case A::GRAPH: a.kind = Attribute::Kind::kGraph; a.g = convert(*ap.mutable_g()); break;
      case A::FLOATS: a.kind = Attribute::Kind::kFloats; a.floats.assign(ap.floats().begin(), ap.floats().end()); break;
      case A::INTS: a.kind = Attribute::Kind::kInts; a.ints.assign(ap.ints().begin(), ap.ints().end()); break;
      case A::STRINGS: a.kind = Attribute::Kind::kStrings; a.strings.assign(ap.strings().begin(), ap.strings().end()); break;
      case A::TENSORS:
        a.kind = Attribute::Kind::kTensors;
        for (auto& t : *ap.mutable_tensors()) a.tensors.push_back(tensor_from_proto(t, &resolver_));
        break;
      case A::GRAPHS:
        a.kind = Attribute::Kind::kGraphs;
        for (auto& g : *ap.mutable_graphs()) a.graphs.push_back(convert(g));
        break;
      case A::SPARSE_TENSOR: a.kind = Attribute::Kind::kTensor; a.t = sparse_to_dense(*ap.mutable_sparse_tensor()); break;
      case A::TYPE_PROTO:
      case A::TYPE_PROTOS: a.kind = Attribute::Kind::kType; break;
      default: fail("unsupported attribute type ", static_cast<int>(ap.type()));
    }
    return a;
  }

  // Only Constant's sparse_value uses sparse tensors in practice; densify it once at load.
  Tensor sparse_to_dense(onnx::SparseTensorProto& sp) {
    Tensor values = tensor_from_proto(*sp.mutable_values(), &resolver_);
    Tensor indices = tensor_from_proto(*sp.mutable_indices(), &resolver_);
    Shape shape(sp.dims().begin(), sp.dims().end());
    Tensor dense = Tensor::zeros(values.dtype(), shape);
    size_t esize = element_size(values.dtype());
    int64_t nnz = values.numel();
    auto strides = strides_of(shape);
    for (int64_t k = 0; k < nnz; ++k) {
      int64_t flat = 0;
      if (indices.rank() == 1) {
        flat = indices.to_int64(k);
      } else {
        for (size_t d = 0; d < shape.size(); ++d) flat += indices.to_int64(k * shape.size() + d) * strides[d];
      }
      if (flat < 0 || flat >= dense.numel()) fail("sparse tensor index ", flat, " out of range");
      std::memcpy(static_cast<char*>(dense.raw()) + flat * esize, static_cast<char*>(values.raw()) + k * esize, esize);
    }
    return dense;
  }

  ExternalDataResolver& resolver_;
};

std::string dir_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

}  // namespace

Model load_model_from_bytes(const void* data, size_t size, const std::string& base_dir, const std::string& label) {
  if (size > INT_MAX)
    fail(label, ": ", size, " bytes exceeds protobuf's 2 GB limit; store the weights as external data");
  onnx::ModelProto proto;
  google::protobuf::io::CodedInputStream stream(static_cast<const uint8_t*>(data), static_cast<int>(size));
  stream.SetTotalBytesLimit(INT_MAX);
  stream.SetRecursionLimit(256);
  if (!proto.ParseFromCodedStream(&stream) || !stream.ConsumedEntireMessage())
    fail(label, ": not a valid ONNX model (truncated or corrupted protobuf)");
  if (!proto.has_graph()) fail(label, ": model has no graph");

  Model m;
  m.path = label;
  m.ir_version = proto.ir_version();
  m.producer = proto.producer_name();
  for (const auto& op : proto.opset_import()) m.opsets[canonical_domain(op.domain())] = op.version();
  // IR version 3 and older models predate opset_import for the default domain.
  if (!m.opsets.count("")) m.opsets[""] = 1;
  ExternalDataResolver resolver(base_dir);
  try {
    m.graph = GraphConverter(resolver).convert(*proto.mutable_graph());
  } catch (const Error& e) {
    fail(label, ": ", e.what());
  }
  return m;
}

Model load_model(const std::string& path) {
  auto file = MappedFile::open(path);
  return load_model_from_bytes(file->data(), file->size(), dir_of(path), path);
}

}  // namespace onnxgen
