#include "regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "error.h"
#include "utf8.h"

namespace onnxgen::tokenizer {

struct Regex::Code {
  pcre2_code* code = nullptr;
  ~Code() { pcre2_code_free(code); }
};

namespace {

struct MatchData {
  explicit MatchData(const pcre2_code* code) : data(pcre2_match_data_create_from_pattern(code, nullptr)) {}
  ~MatchData() { pcre2_match_data_free(data); }
  MatchData(const MatchData&) = delete;
  MatchData& operator=(const MatchData&) = delete;
  pcre2_match_data* data;
};

}  // namespace

Regex::Regex(std::string_view pattern) : pattern_(pattern) {
  int err = 0;
  PCRE2_SIZE err_offset = 0;
  auto code = std::make_shared<Code>();
  code->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                             PCRE2_UTF | PCRE2_UCP, &err, &err_offset, nullptr);
  if (code->code == nullptr) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    throw Error("invalid regular expression '" + pattern_ + "' at offset " + std::to_string(err_offset) +
                ": " + reinterpret_cast<const char*>(msg));
  }
  // JIT is an optimisation only; the interpreter gives identical results when it is unavailable.
  pcre2_jit_compile(code->code, PCRE2_JIT_COMPLETE);
  code_ = std::move(code);
}

Regex Regex::literal(std::string_view text) {
  std::string quoted = "\\Q";
  for (size_t pos = 0;;) {
    const size_t end = text.find("\\E", pos);
    if (end == std::string_view::npos) {
      quoted.append(text.substr(pos));
      break;
    }
    quoted.append(text.substr(pos, end - pos)).append("\\E\\\\E\\Q");
    pos = end + 2;
  }
  return Regex(quoted + "\\E");
}

std::vector<std::pair<size_t, size_t>> Regex::find_all(std::string_view subject) const {
  std::vector<std::pair<size_t, size_t>> out;
  MatchData md(code_->code);
  const auto* s = reinterpret_cast<PCRE2_SPTR>(subject.data());
  size_t offset = 0;
  while (offset <= subject.size()) {
    // Inputs are validated once on entry to the tokenizer, so the per-match UTF check is skipped.
    const int rc = pcre2_match(code_->code, s, subject.size(), offset, PCRE2_NO_UTF_CHECK, md.data, nullptr);
    if (rc < 0) {
      if (rc == PCRE2_ERROR_NOMATCH) break;
      throw Error("regular expression '" + pattern_ + "' failed with PCRE2 error " + std::to_string(rc));
    }
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.data);
    out.emplace_back(ov[0], ov[1]);
    if (ov[1] > ov[0]) {
      offset = ov[1];
    } else if (ov[1] < subject.size()) {
      offset = ov[1] + utf8::sequence_length(static_cast<unsigned char>(subject[ov[1]]));
    } else {
      break;
    }
  }
  return out;
}

}  // namespace onnxgen::tokenizer
