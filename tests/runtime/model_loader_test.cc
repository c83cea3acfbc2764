#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "runtime/exec/session.h"
#include "runtime/graph/model_loader.h"
#include "runtime/graph/tensor_proto.h"
#include "tests/runtime/onnx_builder.h"
#include "tests/runtime/test_graphs.h"
#include "tests/support/temp_dir.h"

namespace onnxgen::testing {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

int64_t anonymous_rss_kb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("RssAnon:", 0) == 0) return std::stoll(line.substr(8));
  return -1;
}

// x -> Identity -> y, plus an initializer `w` of `count` floats stored externally in `data_file`.
onnx::ModelProto model_with_external_weight(const std::string& data_file, int64_t count, int64_t offset,
                                            int64_t length) {
  auto m = make_model_proto();
  auto* g = m.mutable_graph();
  add_value_info(g->mutable_input(), "x", onnx::TensorProto::FLOAT, {-1});
  add_value_info(g->mutable_output(), "y", onnx::TensorProto::FLOAT, {-1});
  add_value_info(g->mutable_output(), "w_out", onnx::TensorProto::FLOAT, {count});
  add_node(g, "Identity", {"x"}, {"y"});
  add_node(g, "Identity", {"w"}, {"w_out"});
  auto* w = g->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(count);
  w->set_data_location(onnx::TensorProto::EXTERNAL);
  auto add_kv = [&](const std::string& k, const std::string& v) {
    auto* e = w->add_external_data();
    e->set_key(k);
    e->set_value(v);
  };
  add_kv("location", data_file);
  add_kv("offset", std::to_string(offset));
  add_kv("length", std::to_string(length));
  return m;
}

TEST(ModelLoader, ExternalDataIsMappedNotCopied) {
  TempDir dir;
  constexpr int64_t kCount = int64_t{75} << 20;  // 300 MB of float32
  {
    std::vector<float> chunk(1 << 20);
    std::ofstream out(dir.file("weights.bin"), std::ios::binary);
    for (int64_t base = 0; base < kCount; base += static_cast<int64_t>(chunk.size())) {
      for (size_t i = 0; i < chunk.size(); ++i) chunk[i] = static_cast<float>((base + static_cast<int64_t>(i)) % 1000);
      out.write(reinterpret_cast<const char*>(chunk.data()), static_cast<std::streamsize>(chunk.size() * sizeof(float)));
    }
  }
  write_file(dir.file("model.onnx"), serialize(model_with_external_weight("weights.bin", kCount, 0, kCount * 4)));
  int64_t before = anonymous_rss_kb();
  Session session(dir.file("model.onnx"));
  auto out = session.run({make_tensor<float>({2}, {1, 2})});
  const float* w = out[1].data<float>();
  EXPECT_EQ(w[0], 0.f);
  EXPECT_EQ(w[kCount - 1], static_cast<float>((kCount - 1) % 1000));
  int64_t grown_kb = anonymous_rss_kb() - before;
  int64_t file_kb = kCount * 4 / 1024;
  std::printf("anonymous RSS grew by %lld kB after loading and running a %lld kB model\n",
              static_cast<long long>(grown_kb), static_cast<long long>(file_kb));
  EXPECT_LT(grown_kb, file_kb / 20) << "loading copied the weights into anonymous memory";
}

TEST(ModelLoader, ShortExternalDataNamesTensorAndFile) {
  TempDir dir;
  write_file(dir.file("weights.bin"), std::string(40, '\0'));
  write_file(dir.file("model.onnx"), serialize(model_with_external_weight("weights.bin", 100, 0, 400)));
  std::string err = error_of([&] { load_model(dir.file("model.onnx")); });
  EXPECT_NE(err.find("tensor 'w'"), std::string::npos) << err;
  EXPECT_NE(err.find("weights.bin"), std::string::npos) << err;
}

TEST(ModelLoader, MissingExternalDataFileIsNamed) {
  TempDir dir;
  write_file(dir.file("model.onnx"), serialize(model_with_external_weight("absent.bin", 10, 0, 40)));
  std::string err = error_of([&] { load_model(dir.file("model.onnx")); });
  EXPECT_NE(err.find("absent.bin"), std::string::npos) << err;
}

TEST(ModelLoader, ExternalDataCannotEscapeTheModelDirectory) {
  TempDir dir;
  write_file(dir.file("model.onnx"), serialize(model_with_external_weight("../../etc/passwd", 10, 0, 40)));
  std::string err = error_of([&] { load_model(dir.file("model.onnx")); });
  EXPECT_NE(err.find("must be a relative path inside the model directory"), std::string::npos) << err;
}

TEST(ModelLoader, TruncatedAndCorruptedFilesAreRejected) {
  TempDir dir;
  auto m = make_model_proto();
  auto* g = m.mutable_graph();
  add_value_info(g->mutable_input(), "x", onnx::TensorProto::FLOAT, {4});
  add_value_info(g->mutable_output(), "y", onnx::TensorProto::FLOAT, {4});
  add_node(g, "Identity", {"x"}, {"y"});
  auto* w = g->add_initializer();
  w->set_name("unused");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(64);
  w->set_raw_data(std::string(256, '\1'));
  std::string bytes = serialize(m);
  for (size_t cut : {bytes.size() / 2, bytes.size() - 3, size_t{7}}) {
    write_file(dir.file("cut.onnx"), bytes.substr(0, cut));
    std::string err = error_of([&] { load_model(dir.file("cut.onnx")); });
    EXPECT_NE(err.find("cut.onnx"), std::string::npos) << "cut at " << cut << ": " << err;
  }
  std::string garbage = "\xff\xfe";
  garbage += " not a model";
  write_file(dir.file("garbage.onnx"), garbage);
  EXPECT_NE(error_of([&] { load_model(dir.file("garbage.onnx")); }).find("not a valid ONNX model"), std::string::npos);
  EXPECT_NE(error_of([&] { load_model(dir.file("nope.onnx")); }).find("cannot open"), std::string::npos);
}

TEST(ModelLoader, RawDataOfTheWrongSizeIsRejected) {
  auto m = make_model_proto();
  auto* w = m.mutable_graph()->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(4);
  w->set_raw_data(std::string(15, '\0'));
  std::string bytes = serialize(m);
  std::string err = error_of([&] { load_model_from_bytes(bytes.data(), bytes.size(), ".", "m.onnx"); });
  EXPECT_NE(err.find("tensor 'w': raw_data has 15 bytes"), std::string::npos) << err;
}

TEST(ModelLoader, UnknownOpAndMissingKernelOpsetAreNamed) {
  auto m = make_model_proto(7);
  auto* g = m.mutable_graph();
  add_value_info(g->mutable_input(), "x", onnx::TensorProto::FLOAT, {1});
  add_value_info(g->mutable_output(), "y", onnx::TensorProto::FLOAT, {1});
  add_node(g, "FrobnicateV2", {"x"}, {"y"});
  std::string bytes = serialize(m);
  std::string err = error_of([&] { Session s(load_model_from_bytes(bytes.data(), bytes.size(), ".", "m.onnx")); });
  EXPECT_NE(err.find("m.onnx"), std::string::npos) << err;
  EXPECT_NE(err.find("unsupported op 'FrobnicateV2'"), std::string::npos) << err;

  g->mutable_node(0)->set_op_type("Scan");  // Scan has no kernel before opset 8
  bytes = serialize(m);
  err = error_of([&] { Session s(load_model_from_bytes(bytes.data(), bytes.size(), ".", "m.onnx")); });
  EXPECT_NE(err.find("at opset 7 (supported opsets: 8-latest)"), std::string::npos) << err;
}

TEST(Session, UnknownOpsetIsNamed) {
  auto m = make_model_proto(99);
  auto* g = m.mutable_graph();
  add_value_info(g->mutable_input(), "x", onnx::TensorProto::FLOAT, {1});
  add_value_info(g->mutable_output(), "y", onnx::TensorProto::FLOAT, {1});
  add_node(g, "Identity", {"x"}, {"y"});
  std::string bytes = serialize(m);
  std::string err = error_of([&] { Session s(load_model_from_bytes(bytes.data(), bytes.size(), ".", "m.onnx")); });
  EXPECT_NE(err.find("m.onnx: imports default-domain opset 99"), std::string::npos) << err;
}

TEST(Session, WrongInputDtypeOrShapeIsNamed) {
  auto m = make_model_proto();
  auto* g = m.mutable_graph();
  add_value_info(g->mutable_input(), "x", onnx::TensorProto::FLOAT, {-1, 3});
  add_value_info(g->mutable_output(), "y", onnx::TensorProto::FLOAT, {-1, 3});
  add_node(g, "Identity", {"x"}, {"y"});
  std::string bytes = serialize(m);
  Session s(load_model_from_bytes(bytes.data(), bytes.size(), ".", "m.onnx"));
  EXPECT_NO_THROW(s.run({make_tensor<float>({5, 3}, std::vector<float>(15, 1.f))}));
  std::string err = error_of([&] { s.run({make_tensor<int64_t>({1, 3}, {1, 2, 3})}); });
  EXPECT_NE(err.find("input 'x' expects float32, got int64[1,3]"), std::string::npos) << err;
  err = error_of([&] { s.run({make_tensor<float>({1, 4}, {1, 2, 3, 4})}); });
  EXPECT_NE(err.find("input 'x' expects shape [N,3], got float32[1,4]"), std::string::npos) << err;
  err = error_of([&] { s.run(std::vector<Tensor>{}); });
  EXPECT_NE(err.find("expects 1 inputs, got 0"), std::string::npos) << err;
}

TEST(TensorProto, EveryElementTypeRoundTrips) {
  for (DataType t : {DataType::kFloat, DataType::kDouble, DataType::kFloat16, DataType::kBFloat16, DataType::kInt8,
                     DataType::kInt16, DataType::kInt32, DataType::kInt64, DataType::kUInt8, DataType::kUInt16,
                     DataType::kUInt32, DataType::kUInt64, DataType::kBool, DataType::kString}) {
    Tensor src = Tensor::empty(t, {2, 3});
    if (t == DataType::kString) {
      for (int i = 0; i < 6; ++i) src.data<std::string>()[i] = "s" + std::to_string(i);
    } else {
      for (size_t i = 0; i < src.bytes(); ++i) static_cast<uint8_t*>(src.raw())[i] = static_cast<uint8_t>(i * 7 % 2);
    }
    onnx::TensorProto p;
    tensor_to_proto(src, &p);
    Tensor back = tensor_from_proto(p, nullptr);
    ASSERT_EQ(back.describe(), src.describe()) << to_string(t);
    if (t == DataType::kString) {
      EXPECT_EQ(back.data<std::string>()[5], "s5");
    } else {
      EXPECT_EQ(std::memcmp(back.raw(), src.raw(), src.bytes()), 0) << to_string(t);
    }
  }
}

TEST(TensorProto, TypedFieldsDecode) {
  onnx::TensorProto p;
  p.set_data_type(onnx::TensorProto::FLOAT16);
  p.add_dims(2);
  p.add_int32_data(0x3c00);  // 1.0
  p.add_int32_data(0xc000);  // -2.0
  Tensor t = tensor_from_proto(p, nullptr);
  EXPECT_EQ(static_cast<float>(t.data<Float16>()[0]), 1.f);
  EXPECT_EQ(static_cast<float>(t.data<Float16>()[1]), -2.f);

  onnx::TensorProto q;
  q.set_data_type(onnx::TensorProto::UINT64);
  q.add_dims(1);
  q.add_uint64_data(~uint64_t{0});
  EXPECT_EQ(tensor_from_proto(q, nullptr).data<uint64_t>()[0], ~uint64_t{0});

  onnx::TensorProto bad;
  bad.set_data_type(onnx::TensorProto::INT64);
  bad.add_dims(3);
  bad.add_int64_data(1);
  EXPECT_THROW(tensor_from_proto(bad, nullptr), Error);
}

}  // namespace
}  // namespace onnxgen::testing
