#pragma once
// Run-time CPU dispatch for hot loops: each marked function is compiled for AVX-512
// (x86-64-v4), AVX2+FMA (x86-64-v3) and baseline x86-64, and the dynamic loader picks the best
// one for the CPU through cpuid (GCC function multiversioning, resolved once via ifunc).
// Write marked loops over __restrict pointers so GCC vectorises each clone at -O3.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(ONNXGEN_NO_MULTIVERSIONING)
#define ONNXGEN_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define ONNXGEN_SIMD_CLONES
#endif
