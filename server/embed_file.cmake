# Writes OUTPUT, a header holding INPUT's bytes as `inline constexpr std::string_view NAME`, so a
# static file ships inside the binary. Run as `cmake -DINPUT=... -DOUTPUT=... -DNAME=... -P`.
file(READ "${INPUT}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
string(LENGTH "${hex}" hex_length)
math(EXPR length "${hex_length} / 2")
file(WRITE "${OUTPUT}.tmp"
  "#pragma once\n// Generated from ${INPUT} by embed_file.cmake; do not edit.\n#include <string_view>\n\n"
  "namespace onnxgen::server {\n"
  "inline constexpr char ${NAME}Bytes[] = {${bytes}0};\n"
  "inline constexpr std::string_view ${NAME}(${NAME}Bytes, ${length});\n"
  "}  // namespace onnxgen::server\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
