#pragma once
// Which nodes a plan for a device must run on the CPU whatever their inputs: the op has no kernel
// for the device, or its device kernel refuses the node (an attribute it lacks). Each run copies
// such a node's inputs to the host and its outputs back, and waits for the device to catch up
// first, so a graph meant for a device should have none in its per-token path. Kernels are
// constructed, never run, so the answer needs no device.
#include <map>
#include <string>
#include <vector>

#include "runtime/graph/graph.h"
#include "runtime/core/device.h"

namespace onnxgen {

// The opset of `node`'s domain that the model imports: vendor domains are often used without an
// import and count as 1; 0 when the default domain is not imported.
int64_t node_opset(const Node& node, const std::map<std::string, int64_t>& opsets);

struct HostFallback {
  const Node* node;
  std::string reason;  // the registry's or the refusing kernel's message
};

// The nodes of `graph` (not of its subgraphs) without a usable kernel for `device`, in graph order,
// leaving out those computed from initializers alone (folded once, at planning).
std::vector<HostFallback> host_fallbacks(const Graph& graph, const std::map<std::string, int64_t>& opsets,
                                         Device device);

}  // namespace onnxgen
