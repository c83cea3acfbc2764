// A streaming terminal chat on the onnxgen API: `chat_example MODEL_DIR`.
#include <onnxgen/onnxgen.h>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " MODEL_DIR\n";
    return 2;
  }
  try {
    auto engine = onnxgen::Engine::load(argv[1]);
    std::vector<onnxgen::ChatMessage> history;
    onnxgen::GenerationParams params;
    params.max_new_tokens = 256;
    std::string line;
    while (std::cout << "> " << std::flush && std::getline(std::cin, line)) {
      history.push_back({"user", line});
      auto prompt = engine->encode(engine->apply_chat_template(history), false);
      auto result = engine->generate(prompt, params, [](const onnxgen::StreamEvent& ev) {
        std::cout << ev.text << std::flush;
      });
      std::cout << "\n";
      history.push_back({"assistant", result.sequences.at(0).text});
    }
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
