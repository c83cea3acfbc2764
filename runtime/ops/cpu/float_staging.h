#pragma once
// The LLM kernels compute in float32 whatever their storage type (float16 and bfloat16 KV caches
// and activations are the norm); these move tensors into and out of float32 once per kernel call
// instead of converting element by element in the hot loops.
#include "runtime/core/allocator.h"
#include "runtime/core/tensor.h"
#include "runtime/exec/kernel.h"

namespace onnxgen {

// `t` itself when it is float32, else a float32 copy of its values (float types only).
Tensor to_float32(const Tensor& t, Allocator& allocator = cpu_allocator());

// Writes n floats into `dst` (float types only), converting to its element type, starting at
// element `offset`.
void store_float32(const float* src, int64_t n, const Tensor& dst, int64_t offset = 0);

// Reads n elements of `src` from element `offset` as floats.
void load_float32(const Tensor& src, int64_t offset, int64_t n, float* dst);
// The same for n values of float type `dtype` at `src` (bytes copied out of a tensor).
void load_float32(DataType dtype, const void* src, int64_t n, float* dst);

// Where a kernel computes output `out` in float32: `out` itself when float32, else a scratch
// tensor that finish_float_output converts into `out`.
Tensor float_workspace(const Tensor& out);
void finish_float_output(const Tensor& work, const Tensor& out);

// Sets output i to the float32 `value`, converted to `dtype`, when the output is wanted.
void set_float_output(KernelContext& ctx, size_t i, const Tensor& value, DataType dtype);

}  // namespace onnxgen
