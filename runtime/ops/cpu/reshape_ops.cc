// Reshape, Flatten, Squeeze and Unsqueeze on the CPU: the device-neutral kernels of ops/view_ops.h.
#include "runtime/exec/op_registry.h"
#include "runtime/ops/view_ops.h"

namespace onnxgen {

ONNXGEN_REGISTER_KERNEL("", "Reshape", 1, ONNXGEN_LATEST, view_ops::Reshape);
ONNXGEN_REGISTER_KERNEL("", "Flatten", 1, ONNXGEN_LATEST, view_ops::Flatten);
ONNXGEN_REGISTER_KERNEL("", "Squeeze", 1, ONNXGEN_LATEST, view_ops::Squeeze);
ONNXGEN_REGISTER_KERNEL("", "Unsqueeze", 1, ONNXGEN_LATEST, view_ops::Unsqueeze);

}  // namespace onnxgen
