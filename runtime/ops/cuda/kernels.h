#pragma once
// The launchers of the CUDA kernels (the .cu files), called by the op kernels (the .cc files).
// Only plain pointers, sizes and a stream cross this line, so the nvcc-compiled part stays small
// and free of the runtime's headers. Every launcher queues work on `stream` and checks the launch.
#include <cuda_runtime_api.h>

#include <cstdint>

namespace onnxgen::cuda {

// Element types the kernels read and write; floats compute in float32.
enum class ElemType : int { kF32, kF16, kBF16, kI32, kI64, kBool };

constexpr int kMaxDims = 8;

// One tensor's element strides over an output's dims (0 on broadcast axes).
struct StridedDims {
  int rank = 0;
  int64_t dims[kMaxDims] = {};
  int64_t strides[kMaxDims] = {};
};

// Throws onnxgen::Error naming `what` when the last launch failed.
void check_launch(const char* what);

// kSiluMul: com.onnxgen SiluMul, a * Sigmoid(a) * b with each step rounded to the storage type.
enum class BinaryOp : int { kAdd, kSub, kMul, kDiv, kPow, kMax, kMin, kSiluMul };
// y = a op b over y's dims (a.dims), with a's and b's strides broadcast into them; float types.
void binary(BinaryOp op, ElemType type, const void* a, const StridedDims& a_dims, const void* b,
            const StridedDims& b_strides, void* y, int64_t n, cudaStream_t stream);

enum class UnaryOp : int { kSigmoid, kTanh, kGelu, kGeluTanh, kRelu, kNeg, kExp, kSqrt, kErf, kSilu, kReciprocal, kSin, kCos };
void unary(UnaryOp op, ElemType type, const void* x, void* y, int64_t n, cudaStream_t stream);

void cast(ElemType from, const void* x, ElemType to, void* y, int64_t n, cudaStream_t stream);

// y (bool) = a op b with binary()'s broadcasting; any numeric type, integers compared exactly.
enum class CompareOp : int { kEqual, kLess, kLessOrEqual, kGreater, kGreaterOrEqual };
void compare(CompareOp op, ElemType type, const void* a, const StridedDims& a_dims, const void* b,
             const StridedDims& b_strides, bool* y, int64_t n, cudaStream_t stream);

// out = cond ? x : y over out's dims (cond_dims.dims), each input with its own broadcast strides;
// any type of `elem_bytes` 1, 2, 4 or 8.
void where(const bool* cond, const StridedDims& cond_dims, const void* x, const StridedDims& x_strides, const void* y,
           const StridedDims& y_strides, void* out, int64_t n, int64_t elem_bytes, cudaStream_t stream);

// n elements of `elem_bytes` (1, 2, 4 or 8), each the low bytes of `pattern`.
void fill(void* y, int64_t n, uint64_t pattern, int64_t elem_bytes, cudaStream_t stream);

// y = alpha * y + beta * c, c read through its broadcast strides over y's dims (c null: no term).
void scale_add(ElemType type, void* y, const StridedDims& y_dims, float alpha, const void* c,
               const StridedDims& c_strides, float beta, int64_t n, cudaStream_t stream);

// y[o] = sum (or mean) of x over the reduced dims: output o walks `kept` (its dims are x's with the
// reduced ones 1, strides x's) and each output reads the `reduced` view (x's reduced dims and
// strides, the others 1) from there. float types.
enum class ReduceOp : int { kSum, kMean };
void reduce(ReduceOp op, ElemType type, const void* x, const StridedDims& kept, const StridedDims& reduced, void* y,
            int64_t outputs, cudaStream_t stream);

// y[o, i, r] = data[o, indices[i], r] with rows of `row_bytes`; indices wrap when negative.
void gather(const void* data, int64_t outer, int64_t axis_dim, int64_t row_bytes, const void* indices,
            bool indices_int64, int64_t num_indices, void* y, cudaStream_t stream);

// Per row of `cols`: s = x (+ skip) (+ bias); y = norm(s) * gamma (+ beta), where norm subtracts
// the mean unless `simplified` (RMSNorm) and divides by sqrt(mean square + epsilon). `sum` (may
// be null) receives s. gamma/beta/bias are [cols] of the same type as x.
struct NormArgs {
  const void* x = nullptr;
  const void* skip = nullptr;
  int64_t skip_rows = 0;  // skip broadcasts over x's rows when smaller
  const void* bias = nullptr;
  const void* gamma = nullptr;
  const void* beta = nullptr;
  void* y = nullptr;
  void* sum = nullptr;
  int64_t rows = 0, cols = 0;
  float epsilon = 0;
  bool simplified = true;
};
void layer_norm(ElemType type, const NormArgs& args, cudaStream_t stream);

// y[b] = a[b] @ w[b] for `batch` products of [m, k] x [k, n], float32 accumulation; a batch
// stride of 0 broadcasts that operand.
void matmul(ElemType type, const void* a, int64_t a_batch_stride, const void* w, int64_t w_batch_stride, void* y,
            int64_t batch, int64_t m, int64_t n, int64_t k, cudaStream_t stream);

// y (dense over dims) = x viewed with `x` strides from element `x_offset`, for element sizes of
// 1, 2, 4 or 8 bytes; dst strides/offset place the result inside a larger tensor (Concat).
void strided_copy(const void* x, const StridedDims& x_view, int64_t x_offset, void* y, const StridedDims& y_view,
                  int64_t y_offset, int64_t elem_bytes, cudaStream_t stream);

// Softmax over rows of `cols` (the last axis after the kernel moves nothing: rows are contiguous).
void softmax(ElemType type, const void* x, void* y, int64_t rows, int64_t cols, bool log, cudaStream_t stream);

// GroupQueryAttention pieces. `per_batch` is a device array of 5 blocks of `batch` int64: where
// the new tokens start in the working cache, their absolute position, the valid rows, and the
// first row and row count the present keeps.
struct GqaArgs {
  int64_t batch = 0, seq = 0, heads = 0, kv_heads = 0, head = 0;
  int64_t rows = 0;  // working-cache rows
  float scale = 1, softcap = 0;
  int64_t left_window = -1;
  bool smooth_softmax = false;
  const float* head_sink = nullptr;  // device [heads] or null
  // rotary
  const void* cos = nullptr;
  const void* sin = nullptr;
  int64_t rot_half = 0, max_position = 0;
  bool interleaved = false;
  const int64_t* position_ids = nullptr;  // device [batch, seq] or null
  const int64_t* per_batch = nullptr;
};
// The float32 working cache [B, kvN, rows, H]: past's first start[b] rows (past may be null;
// [B, kvN, past_rows, H] of cache_type), then the new tokens (rotated when `rotate`), zeros after.
void gqa_build_cache(const GqaArgs& g, const void* past, ElemType cache_type, int64_t past_rows, const void* fresh,
                     ElemType type, int64_t fresh_width, int64_t fresh_offset, bool rotate, float* work,
                     cudaStream_t stream);
// Q as float32 [B, S, N, H], rotated when `rotate`.
void gqa_prepare_q(const GqaArgs& g, const void* q, ElemType type, int64_t q_width, bool rotate, float* out,
                   cudaStream_t stream);
// y [B, S, N*H] of `type` = causal (windowed) attention of q over the working cache.
void gqa_attention(const GqaArgs& g, const float* q, const float* k, const float* v, void* y, ElemType type,
                   cudaStream_t stream);
// present [B, kvN, present_rows, H] of cache_type: work rows first[b] .. first[b] + count[b], then zeros.
void gqa_write_present(const GqaArgs& g, const float* work, void* present, ElemType cache_type, int64_t present_rows,
                       cudaStream_t stream);

// y [m, n] = a [m, k] w [k, n] for a few rows (decode), float32, float16 or bfloat16 throughout
// with float32 sums; n a multiple of 16 bytes of elements and w 16-byte aligned. K is cut into
// `splits` chunks of k_chunk rows; with more than one, `partials` holds splits * m * n floats and
// `tickets` a zeroed counter per tile of gemv_tile_columns columns, which the kernel leaves zeroed.
constexpr int64_t kGemvMaxRows = 4;  // at 8 rows cuBLAS was faster on an H200
struct GemvArgs {
  const void* a = nullptr;
  const void* w = nullptr;
  void* y = nullptr;
  int64_t m = 0, n = 0, k = 0, k_chunk = 0, splits = 1;
  float* partials = nullptr;
  unsigned* tickets = nullptr;
};
int64_t gemv_tile_columns(ElemType type);
void gemv(ElemType type, const GemvArgs& g, cudaStream_t stream);

// com.onnxgen PagedAttention (see ops/cpu/paged_attention.cc for the contract). Index arrays are
// device copies of the op's int32 inputs, plus seq_of: the sequence of each token.
constexpr int64_t kPagedMaxHeadSize = 256;
struct PagedArgs {
  int64_t tokens = 0, heads = 0, kv_heads = 0, dim = 0, block_size = 0, max_blocks = 0;
  int64_t max_context = 0;  // the longest sequence's length: sizes the grid of key partitions
  float scale = 1, softcap = 0;
  int64_t window = 0;
  const int32_t* slots = nullptr;
  const int32_t* tables = nullptr;
  const int32_t* lens = nullptr;
  const int32_t* loc = nullptr;
  const int32_t* seq_of = nullptr;
};
// Writes each token's key and value rows into its cache slot (slot -1: padding, skipped).
void paged_write_cache(const PagedArgs& p, const void* k, const void* v, ElemType type, void* key_cache,
                       void* value_cache, ElemType cache_type, cudaStream_t stream);
// How many partitions the keys of the longest context are split into; above one, paged_attention
// needs `partials`: tokens * heads * partitions * (dim + 2) floats of device scratch.
int64_t paged_attention_partitions(const PagedArgs& p);
// y [tokens, heads * dim]: each token attends to its sequence's cached keys up to its position.
void paged_attention(const PagedArgs& p, const void* q, ElemType type, const void* key_cache, const void* value_cache,
                     ElemType cache_type, void* y, float* partials, cudaStream_t stream);

// RotaryEmbedding (contract: ops/rotary_embedding_inputs.h): y (x's layout) = x with the first
// `rot` elements of every head turned by its token's row of the [cache_rows, rot/2] caches. The
// row of token (b, s) is positions[b * seq + s], positions[0] + s when `start_offset`, or
// b * seq + s without positions. Positions stay on the device, so rows outside the caches are
// clamped (as Gather's indices are) rather than checked.
struct RotaryArgs {
  int64_t batch = 0, seq = 0, heads = 0, head_size = 0;
  int64_t b_stride = 0, s_stride = 0;  // element strides of a batch and a token (a head's d is innermost)
  int64_t rot = 0, cache_rows = 0;
  bool interleaved = false;
  const void* positions = nullptr;
  bool positions_int64 = true;
  bool start_offset = false;
};
void rotary_embedding(const RotaryArgs& a, ElemType type, const void* x, const void* cos, const void* sin, void* y,
                      cudaStream_t stream);

// com.microsoft MatMulNBits with 4-bit codes (contract: ops/cpu/matmul_nbits.cc): B is [n, blocks,
// block_size / 2] bytes, low nibble first; w = (code - zero point) * scale per (row, block).
struct NBitsArgs {
  int64_t m = 0, n = 0, k = 0, block_size = 0, blocks = 0;
  const uint8_t* codes = nullptr;
  const void* scales = nullptr;       // [n, blocks] of the float type `scale_type`
  ElemType scale_type = ElemType::kF32;
  const void* zero_points = nullptr;  // null: 8; packed 4-bit uint8 [n, ceil(blocks / 2)]; or [n, blocks] floats
  bool zero_points_packed = true;
  ElemType zero_point_type = ElemType::kF32;
  const void* bias = nullptr;  // [n] of the output's type, or null
};
// Rows of A the GEMV takes; more go through nbits_dequantize and a GEMM.
constexpr int64_t kNBitsGemvMaxRows = 8;
// y [m, n] (type) = a [m, k] (type) x dequant(B)^T (+ bias), reading each code once, float32
// accumulation; m <= kNBitsGemvMaxRows.
void nbits_gemv(const NBitsArgs& p, const void* a, ElemType type, void* y, cudaStream_t stream);
// w_t [k, n] (type) = dequant(B)^T, for the GEMM of larger m (the bias is not applied).
void nbits_dequantize(const NBitsArgs& p, void* w_t, ElemType type, cudaStream_t stream);
// accuracy_level 4 (ONNX Runtime's int8 compute): out [m, k] = each block of a's rows quantised
// symmetrically to int8 (scale max|a| / 127, round to nearest even) and scaled back.
void nbits_quantize_a(const void* a, ElemType type, int64_t m, int64_t k, int64_t block_size, void* out,
                      cudaStream_t stream);

// com.microsoft GatherBlockQuantized (contract: ops/gather_block_quantized_inputs.h): y has the
// scales' type; indices are clamped like Gather's.
struct BlockGatherArgs {
  int64_t outer = 1, rows = 0, inner = 1, num_indices = 0;
  int64_t q_dim = 0, q_stride = 1, q_blocks = 0, block_size = 0;
  int bits = 4;
  const uint8_t* codes = nullptr;
  const void* scales = nullptr;
  const uint8_t* zero_points = nullptr;  // packed like the codes, or null (the middle code)
  const void* indices = nullptr;
  bool indices_int64 = true;
};
void gather_block_quantized(const BlockGatherArgs& p, ElemType type, void* y, cudaStream_t stream);

}  // namespace onnxgen::cuda
