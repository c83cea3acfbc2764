// `onnxgen tokenize | detokenize | chat-template DIR`: the tokenizer on stdin/stdout, for scripts
// and for checking what a model will see (llama-tokenize and vLLM's /tokenize for onnxgen).
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "runtime/core/error.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"

namespace onnxgen::cli {
namespace {

std::string read_stdin() { return std::string(std::istreambuf_iterator<char>(std::cin), {}); }

const std::string& tokenizer_dir(const Args& args, const char* command) {
  if (args.positional().size() != 1) fail(command, " takes exactly one model or tokenizer directory");
  return args.positional()[0];
}

template <class J>
J parse_stdin_json(const char* what) {
  try {
    return J::parse(read_stdin());
  } catch (const nlohmann::json::exception& e) {
    fail("stdin is not valid JSON (expected ", what, "): ", e.what());
  }
}

}  // namespace

int run_tokenize(const Args& args) {
  args.allow_only({"no-special"});
  auto tok = tokenizer::Tokenizer::load(tokenizer_dir(args, "tokenize"));
  std::cout << nlohmann::json(tok->encode(read_stdin(), !args.has("no-special"))).dump() << "\n";
  return 0;
}

int run_detokenize(const Args& args) {
  args.allow_only({"skip-special"});
  auto tok = tokenizer::Tokenizer::load(tokenizer_dir(args, "detokenize"));
  auto j = parse_stdin_json<nlohmann::json>("a JSON array of token ids");
  std::vector<int32_t> ids;
  try {
    ids = j.get<std::vector<int32_t>>();
  } catch (const nlohmann::json::exception&) {
    fail("stdin must be a JSON array of token ids");
  }
  for (int32_t id : ids)
    if (id < 0 || static_cast<size_t>(id) >= tok->vocab_size())
      fail("token id ", id, " is outside the vocabulary of ", tok->vocab_size());
  std::cout << tok->decode(ids, args.has("skip-special"));
  return 0;
}

int run_chat_template(const Args& args) {
  args.allow_only({"no-generation-prompt"});
  auto tok = tokenizer::Tokenizer::load(tokenizer_dir(args, "chat-template"));
  auto messages = parse_stdin_json<nlohmann::ordered_json>("a JSON array of messages");
  if (!messages.is_array()) fail("stdin must be a JSON array of {\"role\", \"content\"} messages");
  tokenizer::ChatOptions options;
  options.add_generation_prompt = !args.has("no-generation-prompt");
  std::cout << tokenizer::ChatTemplate::from_tokenizer(*tok).apply(messages, tok->config(), options);
  return 0;
}

}  // namespace onnxgen::cli
