// onnxgen: one binary, one subcommand per job.
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "cli/commands.h"

namespace {

void usage() {
  std::cerr << "usage: onnxgen <command> [options]\n\n"
               "commands:\n"
               "  generate [MODEL_DIR] (--prompt TEXT | --input-ids 1,2,3 [--input-ids ...])\n"
               "        [--max-new-tokens N | --max-length N] [--output text|ids] [--chat [--system TEXT]]\n"
               "        [--num-beams N --length-penalty F --early-stopping --num-return-sequences N]\n"
               "        [--greedy | --sample] [--temperature F --top-k N --top-p F --min-p F --typical-p F]\n"
               "        [--repetition-penalty F --presence-penalty F --frequency-penalty F --seed N --n N]\n"
               "        [--stop TEXT ...] [--ignore-eos] [--threads N --kv-cache-mb M --kv-dtype auto|fp32|fp16]\n"
               "        [--weight-dtype auto|bf16]\n"
               "        [--block-size 16 --max-num-seqs N --max-batch-tokens N --no-prefix-caching --device cpu]\n"
               "  chat [MODEL_DIR] [--system TEXT] [sampling flags as for generate]\n"
               "        interactive chat; /reset, /exit, Ctrl-C stops an answer\n"
               "  (MODEL_DIR: an onnxruntime-genai or Optimum export; default: the bundled model)\n"
               "  serve [MODEL_DIR] [--host 127.0.0.1] [--port 8080] [--api-key KEY] [--max-num-seqs N]\n"
               "        [--max-queue N] [--kv-cache-mb M] [--served-model-name NAME] [--threads T]\n"
               "        [--request-timeout S] [--shutdown-grace S] [--max-body-mb M]\n"
               "        OpenAI-compatible HTTP API (/v1/chat/completions, /v1/completions, /metrics, ...)\n"
               "        and a chat page at /\n"
               "  bench [MODEL_DIR] [--prompt-len 128] [--gen 64] [--batch 1] [--threads T] [--repeat 3] [--json]\n"
               "        prefill and generation tokens/s, time to first token, peak RSS and the fraction of\n"
               "        the machine's read bandwidth the weight stream reaches (engine flags as for generate)\n"
               "  exec MODEL.onnx --data DIR --out OUTDIR [--threads N] [--dump DUMPDIR]\n"
               "        run a model on DIR/input_K.pb, write OUTDIR/output_K.pb\n"
               "        (--dump also writes every intermediate value as DUMPDIR/<value>.pb)\n"
               "  ops   list the registered kernels\n"
               "  tokenize DIR [--no-special]          text on stdin -> JSON array of ids\n"
               "  detokenize DIR [--skip-special]      JSON array of ids on stdin -> text\n"
               "  chat-template DIR [--no-generation-prompt]\n"
               "        JSON array of messages on stdin -> the rendered prompt\n"
               "  (DIR: a model or tokenizer directory with tokenizer.json or tokenizer.model)\n";
}

}  // namespace

// oneDNN's OpenMP threads spin for a while after each GEMM by default, fighting the runtime's own
// thread pool for the same cores (batch-16 decode ran 12x slower). libgomp reads its wait policy
// when it is loaded, before main, so the policy is set and the binary re-executed once.
void make_openmp_wait_passively(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY")) return;
  setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  execv("/proc/self/exe", argv);  // returns only on failure; then run with the default policy
}

int main(int argc, char** argv) {
  make_openmp_wait_passively(argv);
  if (argc < 2 || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "--help")) {
    usage();
    return argc < 2 ? 2 : 0;
  }
  std::string command = argv[1];
  try {
    onnxgen::cli::Args args(argc - 2, argv + 2);
    if (command == "generate") return onnxgen::cli::run_generate(args);
    if (command == "chat") return onnxgen::cli::run_chat(args);
    if (command == "serve") return onnxgen::cli::run_serve(args);
    if (command == "bench") return onnxgen::cli::run_bench(args);
    if (command == "exec") return onnxgen::cli::run_exec(args);
    if (command == "ops") return onnxgen::cli::run_ops(args);
    if (command == "tokenize") return onnxgen::cli::run_tokenize(args);
    if (command == "detokenize") return onnxgen::cli::run_detokenize(args);
    if (command == "chat-template") return onnxgen::cli::run_chat_template(args);
    std::cerr << "onnxgen: unknown command '" << command << "'\n";
    usage();
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "onnxgen " << command << ": error: " << e.what() << "\n";
    return 1;
  }
}
