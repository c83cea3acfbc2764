#pragma once
// MatMulNBits' int8 compute (accuracy_level 4) for 4-bit weights: Y = A · dequant(W)^T
// with each block of A quantised to int8 and integer dot products against the codes, the path
// every decoded token runs through.
//
// The weights are repacked once into groups of 16 rows, interleaved so that one 64-byte load
// holds 8 codes of each of the 16 rows: a byte-lane multiply-add (AVX-512 VNNI dpbusd, or AVX2
// maddubs + madd over each half of 8 rows) against 4 broadcast bytes of A yields 16 output
// columns at once, with no horizontal sums, and each block's 16 scales follow its codes, so a
// group is one contiguous stream. Several rows of A share each load of the weights (register
// tiles of up to 8 rows on AVX-512, 4 on AVX2), which is what batched decode and prefill need.
// Asymmetric weights keep a byte per row and block of zero points beside the groups; each block's
// integer sum then starts at -zero_point * the sum of A's block instead of -8 * it.
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "runtime/core/thread_pool.h"

namespace onnxgen {

// Rows of a packing group: matrices stacked into one packing (q4_pack_weights over parts) need
// this many rows in every part but the last.
constexpr int64_t kQ4GroupRows = 16;

// The instruction sets the kernel has; q4_int8_gemm runs the best this CPU supports unless told.
enum class Q4Kernel { kAvx2, kAvx512Vnni };
bool q4_kernel_supported(Q4Kernel kernel);
Q4Kernel q4_best_kernel();

struct Q4Weights {
  const uint8_t* codes;  // [n][k / 2]: byte j of a block holds codes 2j (low nibble) and 2j+1
  const float* scales;   // [n][k / block]
  int64_t n;
  int64_t k;      // a multiple of the block size
  int64_t block;  // a multiple of 32
  // [n][ceil(k / block / 2)]: 4 bits a block, low nibble first; null: 8 (symmetric)
  const uint8_t* zero_points = nullptr;
};

// The weights in the kernel's layout (the layout lives in the .cc).
struct Q4PackedWeights {
  std::unique_ptr<uint8_t[], void (*)(void*)> data{nullptr, nullptr};
  // A group's zero points, a byte per row and block: null when every part was symmetric.
  std::unique_ptr<uint8_t[]> zero_points;
  int64_t n = 0, k = 0, block = 0;
  int64_t group_bytes = 0;  // one group of kQ4GroupRows rows, every block
};

// A's rows quantised for q4_int8_gemm, in tiles of the rows one kernel call takes (the layout
// lives in the .cc). Reused across calls, so a steady decode loop allocates nothing.
struct Q4QuantizedA {
  std::vector<int8_t> data;
  int64_t rows = 0, k = 0, block = 0;
  int tile_rows = 0;
};

// Whether this CPU runs the kernel (AVX2, FMA, BMI2).
bool q4_int8_supported();

// release_source: w's codes and scales lie in a read-only file mapping (initializers mapped from
// the model file); their pages are handed back as they are packed, so the packed copy does not
// double the resident weights. A later read (a tied embedding's gather) faults pages in again.
Q4PackedWeights q4_pack_weights(ThreadPool& pool, const Q4Weights& w, bool release_source = false);
// Several matrices over the same k and block (the q, k and v projections of one input) packed as
// one of their rows stacked, so that one q4_int8_gemm computes them all; release_source per part.
// Every part but the last holds a multiple of kQ4GroupRows rows (a group never straddles two parts).
Q4PackedWeights q4_pack_weights(ThreadPool& pool, std::span<const Q4Weights> parts,
                                std::span<const bool> release_source);

// Weights packed on first use and kept while their sources stay where they are: a kernel's
// initializers, constant for the session. Safe to call from several threads.
class Q4PackedOnce {
 public:
  // parts and release_source as q4_pack_weights takes them; repacks only when a source moved.
  const Q4PackedWeights& get(ThreadPool& pool, std::span<const Q4Weights> parts, std::span<const bool> release_source);

 private:
  std::mutex mu_;
  Q4PackedWeights packed_;
  std::vector<const void*> sources_;  // codes, scales and zero points of each part packed_ came from
};

// Quantises m rows of A ([m][k]) per block: scale max|a| / 127, round half to even, as ONNX
// Runtime does; laid out for `kernel`, which q4_int8_gemm must then run.
void q4_quantize_a(const float* a, int64_t m, int64_t k, int64_t block, Q4QuantizedA& out,
                   Q4Kernel kernel = q4_best_kernel());

// y[m][n] = per block, scale_w * scale_a * sum((code - zero_point) * a_int8).
void q4_int8_gemm(ThreadPool& pool, const Q4PackedWeights& w, const Q4QuantizedA& a, float* y);
// The same with y's columns split over several outputs, in order: outputs[i] is [m][n_i], the
// n_i summing to w.n and each but the last a multiple of kQ4GroupRows (the parts w was packed from).
struct Q4Output {
  float* y;
  int64_t n;
};
void q4_int8_gemm(ThreadPool& pool, const Q4PackedWeights& w, const Q4QuantizedA& a, std::span<const Q4Output> outputs,
                  Q4Kernel kernel = q4_best_kernel());

}  // namespace onnxgen
