#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace onnxgen {

// A persistent pool: threads are created once, so a decode step's hundreds of small kernels pay
// only a wake-up, not a thread start. The calling thread works too.
class ThreadPool {
 public:
  explicit ThreadPool(int num_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int num_threads() const { return static_cast<int>(workers_.size()) + 1; }

  // Runs fn(begin, end) over chunks of [0, n) of at least `grain` items. Work smaller than two
  // grains, nested calls and calls while another job runs execute inline on the caller.
  void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

  // The pool kernels use: ONNXGEN_NUM_THREADS or the number of cores, until set_global_threads.
  static ThreadPool& global();
  static void set_global_threads(int num_threads);

 private:
  void worker_loop();
  void run_chunks();

  std::vector<std::thread> workers_;
  std::mutex job_mu_;  // one job at a time
  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable done_;
  uint64_t generation_ = 0;
  bool stop_ = false;

  const std::function<void(int64_t, int64_t)>* fn_ = nullptr;
  int64_t n_ = 0;
  int64_t chunk_ = 0;
  std::atomic<int64_t> next_{0};
  std::atomic<int> active_{0};
  std::atomic<uint64_t> published_{0};
  std::mutex error_mu_;
  std::exception_ptr error_;  // first exception thrown by a chunk, rethrown to the caller
};

}  // namespace onnxgen
