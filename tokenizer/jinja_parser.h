#pragma once

#include <string_view>

#include "jinja_ast.h"

namespace onnxgen::tokenizer::jinja {

// Parses template source into statements; throws TemplateError naming the line and the token
// that does not fit.
Body parse(std::string_view source);

}  // namespace onnxgen::tokenizer::jinja
