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
thread_local int t_index = 0;

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

// The claim count of a job being set up: no chunk index reaches it.
constexpr uint64_t kClosed = 0xFFFFFFFFu;

inline void cpu_relax() {
#if defined(__x86_64__)
  __builtin_ia32_pause();
#endif
}

}  // namespace

ThreadPool::ThreadPool(int num_threads) {
  ONNXGEN_CHECK(num_threads >= 1, "thread count must be at least 1, got ", num_threads);
  for (int i = 1; i < num_threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::run_chunks(uint64_t job) {
  for (;;) {
    uint64_t s = state_.load(std::memory_order_acquire);
    if ((s >> 32) != job) return;
    // Read before the claim: a successful claim proves the job was still live while we read.
    const auto* fn = fn_;
    const int64_t n = n_, chunk = chunk_, chunks = chunks_;
    const auto c = static_cast<int64_t>(s & 0xFFFFFFFFu);
    if (c >= chunks) return;
    if (!state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel)) continue;
    if (!failed_.load(std::memory_order_relaxed)) {
      try {
        (*fn)(c * chunk, std::min(n, (c + 1) * chunk));
      } catch (...) {
        std::lock_guard lock(error_mu_);
        if (!error_) error_ = std::current_exception();
        failed_.store(true, std::memory_order_relaxed);
      }
    }
    // The last chunk always takes the lock to notify: testing whether the caller sleeps first
    // lost wake-ups under load (the caller waited forever with every worker asleep).
    if (pending_.fetch_sub(1) == 1) {
      std::lock_guard lock(mu_);
      done_.notify_one();
    }
  }
}

int ThreadPool::thread_index() { return t_index; }

void ThreadPool::worker_loop(int index) {
  t_inside_pool = true;
  t_index = index;
  uint64_t seen = 0;
  auto current_job = [&] { return state_.load() >> 32; };
  for (;;) {
    // Spin briefly before sleeping: consecutive kernels arrive microseconds apart.
    for (int spin = 0; spin < 4000 && current_job() == seen; ++spin) cpu_relax();
    if (current_job() == seen) {
      std::unique_lock lock(mu_);
      sleepers_.fetch_add(1);
      wake_.wait(lock, [&] { return stop_ || current_job() != seen; });
      sleepers_.fetch_sub(1);
      if (stop_) return;
    }
    seen = current_job();
    run_chunks(seen);
  }
}

void ThreadPool::parallel_for(int64_t n, int64_t grain, RangeFn fn) {
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
  // Close the finished job first: a worker that read its state a moment ago must not claim
  // "another chunk" of it against the fields written below for the next job (a claim beyond the
  // old job's count would still succeed otherwise, running the new job's chunk twice).
  const uint64_t closed = (state_.load() >> 32) + 1;
  state_.store(closed << 32 | kClosed);
  const int64_t chunks = std::min<int64_t>(n / grain, int64_t{num_threads()} * 4);
  fn_ = &fn;
  n_ = n;
  chunk_ = (n + chunks - 1) / chunks;
  chunks_ = (n + chunk_ - 1) / chunk_;
  failed_.store(false, std::memory_order_relaxed);
  pending_.store(chunks_, std::memory_order_relaxed);
  const uint64_t id = closed + 1;
  state_.store(id << 32);  // publishes the fields above
  // Sequentially consistent with the workers' sleepers_ increment: either we see a sleeper and
  // wake it, or it sees the new job before it sleeps.
  if (sleepers_.load() > 0) {
    { std::lock_guard lock(mu_); }
    wake_.notify_all();
  }
  t_inside_pool = true;
  run_chunks(id);
  t_inside_pool = false;
  for (int spin = 0; spin < 4000 && pending_.load(std::memory_order_acquire) != 0; ++spin) cpu_relax();
  if (pending_.load(std::memory_order_acquire) != 0) {
    std::unique_lock lock(mu_);
    done_.wait(lock, [&] { return pending_.load() == 0; });
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
