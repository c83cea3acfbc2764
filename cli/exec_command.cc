// `onnxgen exec`: the ONNX backend-test contract (input_K.pb in, output_K.pb out).
#include <cctype>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "runtime/exec/op_registry.h"
#include "runtime/exec/session.h"
#include "runtime/graph/tensor_proto.h"

namespace onnxgen::cli {
namespace {

std::string sanitize_file_name(std::string name) {
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '-' && ch != '.') ch = '_';
  return name;
}

}  // namespace

int run_exec(const Args& args) {
  args.allow_only({"data", "out", "threads", "dump", "device"});
  if (args.positional().size() != 1) throw Error("exec takes exactly one MODEL.onnx");
  const std::string data_dir = args.require("data");
  const std::string out_dir = args.require("out");
  if (int threads = args.get_int("threads", 0); threads > 0) ThreadPool::set_global_threads(threads);

  SessionOptions options;
  options.device = parse_device(args.get("device", "cpu"));
  if (args.has("dump")) {
    // Every node output, named for its value, so a script can diff it against another runtime.
    const std::string dump_dir = args.require("dump");
    std::filesystem::create_directories(dump_dir);
    options.fold_constants = false;
    options.observer = [dump_dir](const Node& node, std::span<const Tensor> outputs) {
      for (size_t k = 0; k < outputs.size(); ++k)
        if (outputs[k].defined() && !node.outputs[k].empty())
          write_tensor_file(outputs[k], dump_dir + "/" + sanitize_file_name(node.outputs[k]) + ".pb", node.outputs[k]);
    };
  }
  Session session(args.positional()[0], options);
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
