#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <fstream>
#include <random>

#include "runtime/exec/session.h"
#include "runtime/ops/cpu/float_staging.h"
#include "tests/runtime/onnx_builder.h"
#include "tests/runtime/test_graphs.h"
#include "tests/support/temp_dir.h"

namespace onnxgen::testing {
namespace {

std::vector<Tensor> gather(const Tensor& indices) {
  // Two rows of 16 4-bit codes alternating 8, 9 with scales 1 and 2 and zero point 8.
  return run_node("GatherBlockQuantized",
                  {make_tensor<uint8_t>({2, 8}, std::vector<uint8_t>(16, 0x98)), indices,
                   make_tensor<float>({2, 1}, {1, 2})},
                  {{"block_size", int_attribute(16)}}, 1, 1, "com.microsoft");
}

TEST(GatherBlockQuantized, DequantisesTheGatheredRows) {
  auto out = gather(make_tensor<int64_t>({1}, {-1}));
  EXPECT_EQ(out[0].describe(), "float32[1,16]");
  const auto y = values_of<float>(out[0]);
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_EQ(y[1], 2.0f);
}

TEST(GatherBlockQuantized, RejectsIndexOutOfRange) { EXPECT_THROW(gather(make_tensor<int64_t>({1}, {2})), Error); }

// A random [rows, cols] table of `bits`-bit codes in blocks of 16 along the columns (the last
// block partial), its scales and optionally zero points, and the values they stand for.
struct Table {
  int bits;
  int64_t rows, cols, blocks;
  std::vector<uint8_t> codes, zero_points;
  std::vector<float> scales, values;

  Table(int bits_, int64_t rows_, int64_t cols_, bool with_zero_points) : bits(bits_), rows(rows_), cols(cols_) {
    const int per_byte = 8 / bits;
    blocks = (cols + 15) / 16;
    std::mt19937 rng(5);
    std::vector<int> code(static_cast<size_t>(rows * cols)), zp(static_cast<size_t>(rows * blocks));
    for (int& c : code) c = static_cast<int>(rng() % (1u << bits));
    for (int& z : zp) z = with_zero_points ? static_cast<int>(rng() % (1u << bits)) : 1 << (bits - 1);
    for (int64_t i = 0; i < rows * blocks; ++i) scales.push_back(std::uniform_real_distribution<float>(0.01f, 1)(rng));
    codes = pack(code, per_byte);
    if (with_zero_points) zero_points = pack(zp, per_byte);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) {
        const size_t b = static_cast<size_t>(r * blocks + c / 16);
        values.push_back(static_cast<float>(code[static_cast<size_t>(r * cols + c)] - zp[b]) * scales[b]);
      }
  }

  static std::vector<uint8_t> pack(const std::vector<int>& v, int per_byte) {
    std::vector<uint8_t> out((v.size() + static_cast<size_t>(per_byte) - 1) / static_cast<size_t>(per_byte));
    for (size_t i = 0; i < v.size(); ++i)
      out[i / static_cast<size_t>(per_byte)] |= static_cast<uint8_t>(v[i] << (8 / per_byte * (i % per_byte)));
    return out;
  }

  std::vector<Tensor> inputs(const Tensor& indices, DataType scale_dtype) const {
    std::vector<Tensor> in = {make_tensor<uint8_t>({rows, cols * bits / 8}, codes), indices,
                              make_tensor<float>({rows, blocks}, scales)};
    if (scale_dtype == DataType::kFloat16) {
      Tensor half = Tensor::empty(DataType::kFloat16, in[2].shape());
      for (int64_t i = 0; i < half.numel(); ++i) half.data<Float16>()[i] = Float16(scales[static_cast<size_t>(i)]);
      in[2] = half;
    }
    if (!zero_points.empty())
      in.push_back(make_tensor<uint8_t>({static_cast<int64_t>(zero_points.size())}, zero_points));
    return in;
  }
};

// Rows (gather axis 0, quantized along the row: decoded block by block) and columns (gather
// axis 1: each code's block found from its position), 4 and 8 bits, float32 and float16 scales
// (the output's type), with and without zero points.
TEST(GatherBlockQuantized, MatchesTheDequantisedTableInEveryLayout) {
  for (int bits : {4, 8})
    for (bool with_zero_points : {false, true})
      for (DataType scale_dtype : {DataType::kFloat, DataType::kFloat16}) {
        SCOPED_TRACE(::testing::Message() << bits << " bits, zero points " << with_zero_points << ", "
                                          << to_string(scale_dtype) << " scales");
        const Table t(bits, 7, 40, with_zero_points);
        const float tolerance = scale_dtype == DataType::kFloat ? 1e-6f : 2e-2f;
        const std::vector<int64_t> rows = {3, 0, -1, 3};
        auto out = run_node("GatherBlockQuantized", t.inputs(make_tensor<int64_t>({4}, rows), scale_dtype),
                            {{"block_size", int_attribute(16)}, {"bits", int_attribute(bits)}}, 1, 1, "com.microsoft");
        ASSERT_EQ(out[0].shape(), Shape({4, 40}));
        const Tensor got_rows = to_float32(out[0]);
        for (size_t j = 0; j < rows.size(); ++j) {
          const int64_t r = rows[j] < 0 ? rows[j] + t.rows : rows[j];
          for (int64_t c = 0; c < t.cols; ++c)
            EXPECT_NEAR(got_rows.data<float>()[j * 40 + c], t.values[static_cast<size_t>(r * t.cols + c)],
                        tolerance * (1 + std::abs(t.values[static_cast<size_t>(r * t.cols + c)])))
                << "row " << r << " column " << c;
        }
        const std::vector<int64_t> cols = {39, 5, 16};
        out = run_node("GatherBlockQuantized", t.inputs(make_tensor<int64_t>({3}, cols), scale_dtype),
                       {{"block_size", int_attribute(16)}, {"bits", int_attribute(bits)}, {"gather_axis", int_attribute(1)}},
                       1, 1, "com.microsoft");
        ASSERT_EQ(out[0].shape(), Shape({7, 3}));
        const Tensor got_cols = to_float32(out[0]);
        for (int64_t r = 0; r < t.rows; ++r)
          for (size_t j = 0; j < cols.size(); ++j)
            EXPECT_NEAR(got_cols.data<float>()[r * 3 + static_cast<int64_t>(j)],
                        t.values[static_cast<size_t>(r * t.cols + cols[j])],
                        tolerance * (1 + std::abs(t.values[static_cast<size_t>(r * t.cols + cols[j])])))
                << "row " << r << " column " << cols[j];
      }
}

int64_t resident_kb_of_mapping(const std::string& path) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool in_file = false;
  int64_t kb = 0;
  while (std::getline(smaps, line)) {
    if (!line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) && line.find('-') < line.find(' '))
      in_file = line.size() >= path.size() && line.compare(line.size() - path.size(), path.size(), path) == 0;
    else if (in_file && line.rfind("Rss:", 0) == 0)
      kb += std::stoll(line.substr(4));
  }
  return kb;
}

// An embedding table in external data is gathered through the file: the rows come out right and
// none of the table's pages become resident in the process (a mapped read would fault in every
// row's pages and their neighbours).
TEST(GatherBlockQuantized, MappedTableIsReadThroughTheFile) {
  TempDir dir;
  const Table t(4, 4096, 256, false);
  std::string data(reinterpret_cast<const char*>(t.codes.data()), t.codes.size());
  data.append(reinterpret_cast<const char*>(t.scales.data()), t.scales.size() * sizeof(float));
  write_file(dir.file("table.bin"), data);
  auto m = make_model_proto();
  auto* opset = m.add_opset_import();
  opset->set_domain("com.microsoft");
  opset->set_version(1);
  auto* g = m.mutable_graph();
  add_value_info(g->mutable_input(), "ids", onnx::TensorProto::INT64, {-1});
  add_value_info(g->mutable_output(), "rows", onnx::TensorProto::FLOAT, {-1, 256});
  auto* node = add_node(g, "GatherBlockQuantized", {"codes", "ids", "scales"}, {"rows"});
  node->set_domain("com.microsoft");
  auto* block = node->add_attribute();
  block->set_name("block_size");
  block->set_type(onnx::AttributeProto::INT);
  block->set_i(16);
  const auto add_external = [&](const std::string& name, int32_t type, std::vector<int64_t> dims, size_t offset,
                                size_t length) {
    auto* w = g->add_initializer();
    w->set_name(name);
    w->set_data_type(type);
    for (int64_t d : dims) w->add_dims(d);
    w->set_data_location(onnx::TensorProto::EXTERNAL);
    for (const auto& [k, v] : {std::pair<std::string, std::string>{"location", "table.bin"},
                               {"offset", std::to_string(offset)}, {"length", std::to_string(length)}}) {
      auto* e = w->add_external_data();
      e->set_key(k);
      e->set_value(v);
    }
  };
  add_external("codes", onnx::TensorProto::UINT8, {t.rows, t.cols / 2}, 0, t.codes.size());
  add_external("scales", onnx::TensorProto::FLOAT, {t.rows, t.blocks}, t.codes.size(), t.scales.size() * 4);
  write_file(dir.file("model.onnx"), serialize(m));

  Session session(dir.file("model.onnx"));
  std::vector<int64_t> ids;
  std::mt19937 rng(3);
  for (int i = 0; i < 64; ++i) ids.push_back(static_cast<int64_t>(rng() % static_cast<uint32_t>(t.rows)));
  const auto out = session.run({make_tensor<int64_t>({64}, ids)});
  for (size_t j = 0; j < ids.size(); ++j)
    for (int64_t c = 0; c < t.cols; ++c)
      ASSERT_FLOAT_EQ(out[0].data<float>()[static_cast<int64_t>(j) * t.cols + c],
                      t.values[static_cast<size_t>(ids[j] * t.cols + c)]);
  EXPECT_EQ(resident_kb_of_mapping(dir.file("table.bin")), 0);
}

}  // namespace
}  // namespace onnxgen::testing
