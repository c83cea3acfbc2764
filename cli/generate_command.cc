// onnxgen generate [MODEL_DIR] (--prompt TEXT | --input-ids 1,2,3 [--input-ids ...]) [flags]
//
// Text output streams as it is generated. `--output ids` prints one line per returned sequence:
// the full sequence ids, comma-separated. Several --input-ids rows form one batch; as in
// onnxruntime-genai, shorter rows are printed left-padded with the model's pad id to the longest
// prompt (padding never reaches the model: each row runs as its own request).
#include <cstdio>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "cli/commands.h"
#include "cli/model_flags.h"

namespace onnxgen::cli {
namespace {

std::vector<int32_t> parse_ids(const std::string& text) {
  std::vector<int32_t> ids;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    try {
      size_t used = 0;
      long v = std::stol(item, &used);
      if (used != item.size() || v < INT32_MIN || v > INT32_MAX) throw std::invalid_argument("");
      ids.push_back(static_cast<int32_t>(v));
    } catch (const std::exception&) {
      throw std::runtime_error("--input-ids expects comma-separated integers, got '" + item + "' in '" + text + "'");
    }
  }
  if (ids.empty()) throw std::runtime_error("--input-ids is empty");
  return ids;
}

void print_ids(const std::vector<int32_t>& ids) {
  std::string line;
  for (size_t i = 0; i < ids.size(); ++i) line += (i ? "," : "") + std::to_string(ids[i]);
  std::printf("%s\n", line.c_str());
}

}  // namespace

int run_generate(const Args& args) {
  args.allow_only(with_model_flags({"prompt", "input-ids", "output", "chat", "system"}));
  const std::string output = args.get("output", "text");
  if (output != "text" && output != "ids") throw std::runtime_error("--output must be text or ids, got '" + output + "'");
  if (args.has("prompt") == args.has("input-ids")) throw std::runtime_error("give either --prompt TEXT or --input-ids");
  auto engine = Engine::load(model_dir_arg(args), engine_options(args));
  GenerationParams params = generation_params(args);

  std::vector<std::vector<int32_t>> prompts;
  if (args.has("prompt")) {
    std::string text = args.get("prompt");
    if (args.has("chat")) {
      std::vector<ChatMessage> messages;
      if (args.has("system")) messages.push_back({"system", args.get("system")});
      messages.push_back({"user", text});
      prompts.push_back(engine->encode(engine->apply_chat_template(messages), false));
    } else {
      prompts.push_back(engine->encode(text));
    }
  } else {
    for (const auto& row : args.get_all("input-ids")) prompts.push_back(parse_ids(row));
  }

  // Every row is submitted before any is awaited, so the engine batches them.
  const bool stream = output == "text" && prompts.size() == 1 && params.n == 1 && params.num_beams.value_or(1) == 1;
  if (stream && args.has("prompt") && !args.has("chat")) std::printf("%s", args.get("prompt").c_str());
  std::fflush(stdout);
  size_t longest = 0;
  for (const auto& p : prompts) longest = std::max(longest, p.size());
  std::vector<std::shared_ptr<Request>> requests;
  for (auto& p : prompts) {
    // --max-length counts the padded row, as in onnxruntime-genai.
    GenerationParams row_params = params;
    if (params.max_length) row_params.max_length = *params.max_length - static_cast<int64_t>(longest - p.size());
    StreamCallback cb;
    if (stream)
      cb = [](const StreamEvent& ev) {
        std::fwrite(ev.text.data(), 1, ev.text.size(), stdout);
        std::fflush(stdout);
      };
    requests.push_back(engine->submit(p, row_params, cb));
  }
  int status = 0;
  for (size_t r = 0; r < requests.size(); ++r) {
    GenerationResult res = requests[r]->wait();
    if (!res.error.empty()) {
      std::cerr << "onnxgen generate: error: " << res.error << "\n";
      status = 1;
      continue;
    }
    for (const auto& seq : res.sequences) {
      if (output == "ids") {
        std::vector<int32_t> full(longest - res.prompt.size(), engine->info().pad_token_id.value_or(0));
        full.insert(full.end(), res.prompt.begin(), res.prompt.end());
        full.insert(full.end(), seq.tokens.begin(), seq.tokens.end());
        print_ids(full);
      } else if (stream) {
        std::printf("\n");
      } else {
        std::printf("%s\n", seq.text.c_str());
      }
    }
  }
  return status;
}

}  // namespace onnxgen::cli
