// Times one model end to end: `model_bench MODEL.onnx DATA_DIR [RUNS] [THREADS]` loads the model,
// feeds DATA_DIR/input_K.pb, runs a few warm-ups and prints the median and p10/p90 milliseconds
// per run as one JSON line, for scripts that compare against ONNX Runtime on the same inputs. The
// outputs of the last run go to DATA_DIR/onnxgen_output_K.pb, so such a script can check them too.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "runtime/exec/session.h"
#include "runtime/graph/tensor_proto.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: model_bench MODEL.onnx DATA_DIR [RUNS] [THREADS]\n");
    return 2;
  }
  const int runs = argc > 3 ? std::atoi(argv[3]) : 20;
  if (argc > 4) onnxgen::ThreadPool::set_global_threads(std::atoi(argv[4]));
  try {
    onnxgen::Session session(argv[1]);
    std::vector<onnxgen::Tensor> inputs;
    for (size_t k = 0; k < session.inputs().size(); ++k)
      inputs.push_back(onnxgen::read_tensor_file(std::string(argv[2]) + "/input_" + std::to_string(k) + ".pb"));
    for (int i = 0; i < 3; ++i) session.run(inputs);
    std::vector<double> ms;
    std::vector<onnxgen::Tensor> outputs;
    for (int r = 0; r < runs; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      outputs = session.run(inputs);
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    for (size_t k = 0; k < outputs.size(); ++k)
      onnxgen::write_tensor_file(outputs[k], std::string(argv[2]) + "/onnxgen_output_" + std::to_string(k) + ".pb");
    std::sort(ms.begin(), ms.end());
    std::printf("{\"median_ms\": %.4f, \"p10_ms\": %.4f, \"p90_ms\": %.4f, \"runs\": %d}\n", ms[ms.size() / 2],
                ms[ms.size() / 10], ms[ms.size() * 9 / 10], runs);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "model_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
