#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace onnxgen {

// A non-owning reference to a callable taking a range: parallel_for's argument. Unlike
// std::function it never allocates, so a kernel's lambda costs nothing per call however much it
// captures. Valid only while the referenced callable lives (the duration of the call).
class RangeFn {
 public:
  template <class F>
    requires std::is_invocable_v<const F&, int64_t, int64_t> && (!std::is_same_v<std::decay_t<F>, RangeFn>)
  RangeFn(const F& f)  // NOLINT(google-explicit-constructor): lambdas convert implicitly
      : object_(&f), call_([](const void* o, int64_t b, int64_t e) { (*static_cast<const F*>(o))(b, e); }) {}
  void operator()(int64_t begin, int64_t end) const { call_(object_, begin, end); }

 private:
  const void* object_;
  void (*call_)(const void*, int64_t, int64_t);
};

// A persistent pool: threads are created once, so a decode step's hundreds of small kernels pay
// only a wake-up, not a thread start. The calling thread works too.
class ThreadPool {
 public:
  explicit ThreadPool(int num_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int num_threads() const { return static_cast<int>(workers_.size()) + 1; }
  // The calling thread's index in the pool it works for: 1..num_threads()-1 for a worker, 0 for
  // any other thread (a caller works as thread 0).
  static int thread_index();

  // Runs fn(begin, end) over chunks of [0, n) of at least `grain` items. Work smaller than two
  // grains, nested calls and calls while another job runs execute inline on the caller.
  void parallel_for(int64_t n, int64_t grain, RangeFn fn);

  // The pool kernels use: ONNXGEN_NUM_THREADS or the number of cores, until set_global_threads.
  static ThreadPool& global();
  static void set_global_threads(int num_threads);

 private:
  void worker_loop(int index);
  // Claims and runs chunks of job `job` until none is left or another job replaced it.
  void run_chunks(uint64_t job);

  std::vector<std::thread> workers_;
  std::mutex job_mu_;  // one job at a time
  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable done_;
  bool stop_ = false;

  // The job: written by the caller before it publishes `state_`, stable until every chunk ran.
  const RangeFn* fn_ = nullptr;
  int64_t n_ = 0;
  int64_t chunk_ = 0;
  int64_t chunks_ = 0;
  // Job id (high 32 bits) and next unclaimed chunk (low 32 bits), claimed by compare-exchange: a
  // worker that wakes late finds the job gone and claims nothing, so the caller waits only for
  // chunks actually running, never for a worker the OS has not scheduled yet.
  std::atomic<uint64_t> state_{0};
  std::atomic<int64_t> pending_{0};  // chunks of the current job not finished
  std::atomic<int> sleepers_{0};     // workers blocked on wake_
  std::atomic<bool> failed_{false};
  std::mutex error_mu_;
  std::exception_ptr error_;  // first exception thrown by a chunk, rethrown to the caller
};

}  // namespace onnxgen
