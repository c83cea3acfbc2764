#include "runtime/core/huge_page_arena.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "runtime/core/error.h"

namespace onnxgen::huge_page_arena {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;
constexpr size_t kRegionBytes = size_t{32} << 20;
constexpr size_t kAlignment = 64;

struct Region {
  char* base;
  size_t size;
  size_t used = 0;
  size_t live = 0;  // buffers not yet freed
};

class Arena {
 public:
  void* allocate(size_t bytes) {
    bytes = (std::max<size_t>(bytes, 1) + kAlignment - 1) / kAlignment * kAlignment;
    std::lock_guard lock(mu_);
    if (regions_.empty() || regions_.back().size - regions_.back().used < bytes) add_region(bytes);
    Region& r = regions_.back();
    void* p = r.base + r.used;
    r.used += bytes;
    ++r.live;
    return p;
  }

  void free(void* p) {
    if (!p) return;
    std::lock_guard lock(mu_);
    const auto it = std::find_if(regions_.begin(), regions_.end(), [&](const Region& r) {
      return static_cast<char*>(p) >= r.base && static_cast<char*>(p) < r.base + r.size;
    });
    ONNXGEN_CHECK(it != regions_.end(), "freeing a pointer the huge-page arena did not allocate");
    if (--it->live > 0) return;
    std::free(it->base);
    regions_.erase(it);
  }

 private:
  void add_region(size_t bytes) {
    const size_t size = std::max(kRegionBytes, (bytes + kHugePage - 1) / kHugePage * kHugePage);
    void* base = std::aligned_alloc(kHugePage, size);
    if (!base) fail("out of memory allocating ", size, " bytes for packed weights");
#if defined(MADV_HUGEPAGE)
    madvise(base, size, MADV_HUGEPAGE);  // advice only: without huge pages it is ordinary memory
#endif
    regions_.push_back({static_cast<char*>(base), size});
  }

  std::mutex mu_;
  std::vector<Region> regions_;  // the last one takes new buffers
};

Arena& arena() {
  static Arena* a = new Arena;  // never destroyed: buffers may be freed during static destruction
  return *a;
}

}  // namespace

void* allocate(size_t bytes) { return arena().allocate(bytes); }
void free(void* p) { arena().free(p); }

}  // namespace onnxgen::huge_page_arena
