// onnxgen chat [MODEL_DIR] [--system TEXT] [sampling flags]: an interactive terminal chat. The
// history is re-rendered through the chat template every turn; the prefix cache keeps earlier
// turns from being recomputed. Ctrl-C stops the current answer, /reset forgets the history,
// /exit (or end of input) quits.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/model_flags.h"

namespace onnxgen::cli {
namespace {

std::atomic<bool> g_interrupted{false};

void on_sigint(int) { g_interrupted = true; }

// SIGINT without SA_RESTART, so a blocked read returns and the loop can look at the flag.
void install_sigint_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
}

}  // namespace

int run_chat(const Args& args) {
  args.allow_only(with_model_flags({"system"}));
  auto engine = Engine::load(model_dir_arg(args), engine_options(args));
  if (!engine->info().has_chat_template)
    throw std::runtime_error("model '" + engine->info().name + "' has no chat template; use `onnxgen generate`");
  GenerationParams params = generation_params(args);
  std::vector<ChatMessage> history;
  if (args.has("system")) history.push_back({"system", args.get("system")});
  const size_t system_turns = history.size();
  install_sigint_handler();
  std::fprintf(stderr, "onnxgen chat: %s (/reset clears the history, /exit quits, Ctrl-C stops an answer)\n",
               engine->info().name.c_str());

  std::string line;
  for (;;) {
    std::fprintf(stderr, "> ");
    std::fflush(stderr);
    g_interrupted = false;
    if (!std::getline(std::cin, line)) {
      if (g_interrupted && !std::cin.eof()) {
        std::cin.clear();
        std::fprintf(stderr, "\n(/exit quits)\n");
        continue;
      }
      break;
    }
    if (line == "/exit" || line == "/quit") break;
    if (line == "/reset") {
      history.resize(system_turns);
      std::fprintf(stderr, "(history cleared)\n");
      continue;
    }
    if (line.empty()) continue;
    history.push_back({"user", line});
    std::vector<int32_t> prompt = engine->encode(engine->apply_chat_template(history), false);
    auto start = std::chrono::steady_clock::now();
    std::shared_ptr<Request> request;
    try {
      request = engine->submit(prompt, params);
    } catch (const InvalidRequest& e) {
      history.pop_back();
      std::fprintf(stderr, "error: %s (try /reset)\n", e.what());
      continue;
    }
    std::string answer;
    size_t tokens = 0;
    StreamEvent ev;
    while (request->next(ev)) {
      if (g_interrupted) request->cancel();
      answer += ev.text;
      tokens += ev.tokens.size();
      std::fwrite(ev.text.data(), 1, ev.text.size(), stdout);
      std::fflush(stdout);
    }
    GenerationResult result = request->wait();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("\n");
    std::fflush(stdout);
    if (!result.error.empty()) std::fprintf(stderr, "error: %s\n", result.error.c_str());
    std::fprintf(stderr, "[%zu tokens, %.1f tokens/s%s]\n", tokens, seconds > 0 ? tokens / seconds : 0.0,
                 g_interrupted ? ", stopped" : "");
    history.push_back({"assistant", answer});
  }
  return 0;
}

}  // namespace onnxgen::cli
