#pragma once
// Long-lived buffers packed back to back on transparent huge pages: kernels' repacked weights,
// which decode streams once per token. One TLB entry then covers 2 MiB and the hardware
// prefetcher, which stops at page boundaries, runs on (Linux's default THP mode, "madvise", gives
// huge pages only where asked). Packing many buffers into shared regions matters because one
// matrix of a small model is far below 2 MiB: a huge page each would mostly be waste.
#include <cstddef>

namespace onnxgen::huge_page_arena {

// `bytes` (64-byte aligned) that live until free(). Throws Error when memory runs out.
void* allocate(size_t bytes);
// Frees a pointer from allocate(); a region goes back to the system with its last buffer.
void free(void* p);

}  // namespace onnxgen::huge_page_arena
