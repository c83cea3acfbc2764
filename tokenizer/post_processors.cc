#include "post_processors.h"

#include "json_util.h"

namespace onnxgen::tokenizer {

namespace {

// Fixed ids before and after the sequence: covers TemplateProcessing's single template as well
// as the BERT and RoBERTa processors.
class Wrap final : public PostProcessor {
 public:
  Wrap(std::vector<int32_t> before, std::vector<int32_t> after) : before_(std::move(before)), after_(std::move(after)) {}
  std::vector<int32_t> process(std::vector<int32_t> ids) const override {
    ids.insert(ids.begin(), before_.begin(), before_.end());
    ids.insert(ids.end(), after_.begin(), after_.end());
    return ids;
  }

 private:
  std::vector<int32_t> before_, after_;
};

class Identity final : public PostProcessor {
 public:
  std::vector<int32_t> process(std::vector<int32_t> ids) const override { return ids; }
};

class Sequence final : public PostProcessor {
 public:
  explicit Sequence(std::vector<std::unique_ptr<PostProcessor>> parts) : parts_(std::move(parts)) {}
  std::vector<int32_t> process(std::vector<int32_t> ids) const override {
    for (const auto& p : parts_) ids = p->process(std::move(ids));
    return ids;
  }

 private:
  std::vector<std::unique_ptr<PostProcessor>> parts_;
};

std::unique_ptr<PostProcessor> template_processing(const nlohmann::json& j, const std::string& where) {
  const auto& single = json_util::require(j, "single", where);
  if (!single.is_array()) json_util::fail(where, "'single' must be an array");
  const auto specials = j.value("special_tokens", nlohmann::json::object());
  std::vector<int32_t> before, after;
  bool seen_sequence = false;
  for (size_t i = 0; i < single.size(); ++i) {
    const auto& item = single[i];
    const std::string at = where + ".single[" + std::to_string(i) + "]";
    if (item.contains("Sequence")) {
      seen_sequence = true;
      continue;
    }
    const auto& special = json_util::require(item, "SpecialToken", at);
    const std::string name = json_util::require_string(special, "id", at + ".SpecialToken");
    if (!specials.contains(name)) json_util::fail(at, "special token '" + name + "' is not in special_tokens");
    const auto& ids = json_util::require(specials[name], "ids", where + ".special_tokens." + name);
    if (!ids.is_array()) json_util::fail(where + ".special_tokens." + name, "'ids' must be an array");
    auto& target = seen_sequence ? after : before;
    for (const auto& id : ids) target.push_back(id.get<int32_t>());
  }
  if (!seen_sequence) json_util::fail(where, "'single' template has no Sequence");
  return std::make_unique<Wrap>(std::move(before), std::move(after));
}

int32_t token_pair_id(const nlohmann::json& j, std::string_view key, const std::string& where) {
  const auto& pair = json_util::require(j, key, where);
  if (!pair.is_array() || pair.size() != 2 || !pair[1].is_number_integer()) {
    std::string message(key);
    message += " must be [token, id]";
    json_util::fail(where, message);
  }
  return pair[1].get<int32_t>();
}

}  // namespace

std::unique_ptr<PostProcessor> make_post_processor(const nlohmann::json& j, const std::string& where) {
  if (j.is_null()) return nullptr;
  const std::string type = json_util::type_of(j, where);
  if (type == "TemplateProcessing") return template_processing(j, where);
  if (type == "ByteLevel") return std::make_unique<Identity>();
  if (type == "BertProcessing" || type == "RobertaProcessing") {
    return std::make_unique<Wrap>(std::vector<int32_t>{token_pair_id(j, "cls", where)},
                                  std::vector<int32_t>{token_pair_id(j, "sep", where)});
  }
  if (type == "Sequence") {
    return std::make_unique<Sequence>(json_util::make_each<PostProcessor>(j, "processors", where, make_post_processor));
  }
  json_util::unknown_type(where, type);
}

}  // namespace onnxgen::tokenizer
