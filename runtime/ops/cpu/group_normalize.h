#pragma once
// The standardisation shared by GroupNormalization and InstanceNormalization (the latter is the
// former with one channel per group): the channels of [N, C, spatial...] split into `groups`
// groups of consecutive channels, each (sample, group) standardised with its own mean and
// variance, then every channel scaled and shifted by scale[a] and bias[a], where a is the group
// (per_group_affine) or the channel. The callers check the operands against their op's rules.
#include <cstdint>

#include "runtime/exec/kernel.h"

namespace onnxgen {

void group_normalize(KernelContext& ctx, const Tensor& x, const Tensor& scale, const Tensor& bias, int64_t groups,
                     bool per_group_affine, double epsilon);

}  // namespace onnxgen
