#include "pattern.h"

#include "json_util.h"

namespace onnxgen::tokenizer {

Pattern::Pattern(const nlohmann::json& j, std::string_view where) {
  if (j.is_object() && j.contains("String") && j["String"].is_string()) {
    literal_ = j["String"].get<std::string>();
  } else if (j.is_object() && j.contains("Regex") && j["Regex"].is_string()) {
    regex_.emplace(j["Regex"].get<std::string>());
  } else {
    json_util::fail(where, "pattern must be {\"String\": ...} or {\"Regex\": ...}");
  }
}

std::vector<std::pair<size_t, size_t>> Pattern::find_all(std::string_view subject) const {
  if (regex_) return regex_->find_all(subject);
  std::vector<std::pair<size_t, size_t>> out;
  if (literal_.empty()) return out;
  for (size_t pos = subject.find(literal_); pos != std::string_view::npos; pos = subject.find(literal_, pos)) {
    out.emplace_back(pos, pos + literal_.size());
    pos += literal_.size();
  }
  return out;
}

std::string replace_literal(std::string_view subject, std::string_view from, std::string_view to) {
  std::string out;
  replace_literal_into(out, subject, from, to);
  return out;
}

void replace_literal_into(std::string& out, std::string_view subject, std::string_view from, std::string_view to) {
  out.clear();
  if (from.empty()) {
    out.append(subject);
    return;
  }
  out.reserve(subject.size());
  size_t prev = 0;
  for (size_t pos = subject.find(from); pos != std::string_view::npos; pos = subject.find(from, prev)) {
    out.append(subject.substr(prev, pos - prev)).append(to);
    prev = pos + from.size();
  }
  out.append(subject.substr(prev));
}

std::string Pattern::replace_all(std::string_view subject, std::string_view replacement) const {
  std::string out;
  replace_all_into(out, subject, replacement);
  return out;
}

void Pattern::replace_all_into(std::string& out, std::string_view subject, std::string_view replacement) const {
  if (!regex_) {
    replace_literal_into(out, subject, literal_, replacement);
    return;
  }
  out.clear();
  out.reserve(subject.size());
  size_t prev = 0;
  for (const auto& [b, e] : find_all(subject)) {
    out.append(subject.substr(prev, b - prev)).append(replacement);
    prev = e;
  }
  out.append(subject.substr(prev));
}

}  // namespace onnxgen::tokenizer
