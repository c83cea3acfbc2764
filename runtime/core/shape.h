#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace onnxgen {

using Shape = std::vector<int64_t>;

int64_t num_elements(const Shape& shape);
std::string to_string(const Shape& shape);
// Row-major strides in elements.
std::vector<int64_t> strides_of(const Shape& shape);
// Numpy-style multidirectional broadcasting; throws naming both shapes when they don't broadcast.
Shape broadcast_shapes(const Shape& a, const Shape& b);
// Normalises a possibly negative axis against `rank`, throwing when it is out of range.
int64_t normalize_axis(int64_t axis, int64_t rank);

}  // namespace onnxgen
