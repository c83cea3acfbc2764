#pragma once
// PagedAttention for the sequences of a step that query one token (decoding ones; a step may
// mix them with prefills, which the op's tiled path takes) on the CPU: each work item
// takes all query heads of one KV group against a run of a sequence's keys, so a key or value
// row is read from memory once for the whole group, and scores come sixteen keys to a vector.
// Contexts are split into runs at fixed key positions, which threads take apart (flash-decoding);
// the runs' partial softmaxes are merged by whichever of them finishes last. The split depends on
// nothing but the sequence itself, so its result is the same whatever it is batched with and
// however many threads run it.
#include <cstdint>

#include "runtime/core/thread_pool.h"

namespace onnxgen {

struct PagedDecode {
  const float* q;  // [tokens, heads, dim], already multiplied by the scale
  // [num_blocks, kv_heads, block_size, dim], float32, or float16 when half_cache.
  const void* key_cache;
  const void* value_cache;
  bool half_cache;
  const int32_t* tables;  // [seqs, max_blocks]
  const int32_t* lens;    // [seqs]: keys in cache, the queried token's own included
  // [seqs + 1]: sequence s queries tokens [loc[s], loc[s + 1]); only those with one are attended.
  const int32_t* loc;
  int64_t seqs, heads, kv_heads, dim, block_size, max_blocks;
  float softcap;   // 0: none
  int64_t window;  // 0: none; else the token sees itself and the window - 1 keys before it
  float* y;        // [tokens, heads, dim]: the rows of the attended sequences' tokens are written
};

// The head and block sizes this kernel is built for (head sizes 64, 96, 128, 256; blocks a
// multiple of 16); the op keeps a generic path for the others.
bool paged_decode_supports(int64_t dim, int64_t block_size);

void paged_decode(ThreadPool& pool, const PagedDecode& p);

}  // namespace onnxgen
