// `onnxgen exec`: the ONNX backend-test contract (input_K.pb in, output_K.pb out).
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "runtime/exec/op_registry.h"
#include "runtime/exec/session.h"
#include "runtime/graph/tensor_proto.h"

namespace onnxgen::cli {

int run_exec(const Args& args) {
  args.allow_only({"data", "out", "threads"});
  if (args.positional().size() != 1) throw Error("exec takes exactly one MODEL.onnx");
  const std::string data_dir = args.require("data");
  const std::string out_dir = args.require("out");
  if (int threads = args.get_int("threads", 0); threads > 0) ThreadPool::set_global_threads(threads);

  Session session(args.positional()[0]);
  std::vector<Tensor> inputs;
  for (size_t k = 0; k < session.inputs().size(); ++k) {
    std::string path = data_dir + "/input_" + std::to_string(k) + ".pb";
    if (!std::filesystem::exists(path))
      fail("missing '", path, "' for input ", k, " ('", session.inputs()[k]->name, "')");
    inputs.push_back(read_tensor_file(path));
  }
  std::vector<Tensor> outputs = session.run(inputs);
  std::filesystem::create_directories(out_dir);
  for (size_t k = 0; k < outputs.size(); ++k)
    write_tensor_file(outputs[k], out_dir + "/output_" + std::to_string(k) + ".pb", session.outputs()[k].name);
  return 0;
}

int run_ops(const Args& args) {
  args.allow_only({});
  for (const KernelDef* d : OpRegistry::global().all())
    std::cout << (d->domain.empty() ? "ai.onnx" : d->domain) << " " << d->op_type << " " << d->since_version << "-"
              << (d->until_version >= ONNXGEN_LATEST ? std::string("latest") : std::to_string(d->until_version))
              << " " << to_string(d->device) << "\n";
  return 0;
}

}  // namespace onnxgen::cli
