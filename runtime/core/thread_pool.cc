#include "runtime/core/thread_pool.h"

#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <utility>

#include "runtime/core/error.h"

namespace onnxgen {
namespace {

thread_local bool t_inside_pool = false;

int default_threads() {
  if (const char* env = std::getenv("ONNXGEN_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n > 0) return n;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

// oneDNN (Debian's build) runs its big GEMMs on OpenMP: keep its team the same size as ours so
// the two never oversubscribe the cores.
void match_openmp_threads(int n) { omp_set_num_threads(n); }

std::unique_ptr<ThreadPool>& global_slot() {
  static std::unique_ptr<ThreadPool> pool;
  return pool;
}

inline void cpu_relax() {
#if defined(__x86_64__)
  __builtin_ia32_pause();
#endif
}

}  // namespace

ThreadPool::ThreadPool(int num_threads) {
  ONNXGEN_CHECK(num_threads >= 1, "thread count must be at least 1, got ", num_threads);
  for (int i = 1; i < num_threads; ++i) workers_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::run_chunks() {
  for (;;) {
    int64_t begin = next_.fetch_add(chunk_, std::memory_order_relaxed);
    if (begin >= n_) break;
    try {
      (*fn_)(begin, std::min(n_, begin + chunk_));
    } catch (...) {
      std::lock_guard lock(error_mu_);
      if (!error_) error_ = std::current_exception();
      next_.store(n_, std::memory_order_relaxed);
    }
  }
}

void ThreadPool::worker_loop() {
  t_inside_pool = true;
  uint64_t seen = 0;
  for (;;) {
    // Spin briefly before sleeping: consecutive kernels arrive microseconds apart.
    for (int spin = 0; spin < 4000 && published_.load(std::memory_order_acquire) == seen; ++spin) cpu_relax();
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
    }
    run_chunks();
    if (active_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard lock(mu_);
      done_.notify_one();
    }
  }
}

void ThreadPool::parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  if (workers_.empty() || n < 2 * grain || t_inside_pool) {
    fn(0, n);
    return;
  }
  std::unique_lock job(job_mu_, std::try_to_lock);
  if (!job.owns_lock()) {
    fn(0, n);
    return;
  }
  int threads = num_threads();
  int64_t chunks = std::min<int64_t>(n / grain, int64_t{threads} * 4);
  fn_ = &fn;
  n_ = n;
  chunk_ = (n + chunks - 1) / chunks;
  next_.store(0, std::memory_order_relaxed);
  active_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
  {
    std::lock_guard lock(mu_);
    ++generation_;
    published_.store(generation_, std::memory_order_release);
  }
  wake_.notify_all();
  t_inside_pool = true;
  run_chunks();
  t_inside_pool = false;
  for (int spin = 0; spin < 4000 && active_.load(std::memory_order_acquire) != 0; ++spin) cpu_relax();
  {
    std::unique_lock lock(mu_);
    done_.wait(lock, [&] { return active_.load(std::memory_order_acquire) == 0; });
  }
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

ThreadPool& ThreadPool::global() {
  auto& slot = global_slot();
  static std::once_flag once;
  std::call_once(once, [&] {
    if (!slot) {
      slot = std::make_unique<ThreadPool>(default_threads());
      match_openmp_threads(slot->num_threads());
    }
  });
  return *slot;
}

void ThreadPool::set_global_threads(int num_threads) {
  global();
  global_slot() = std::make_unique<ThreadPool>(num_threads);
  match_openmp_threads(num_threads);
}

}  // namespace onnxgen
