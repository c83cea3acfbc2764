// The persistent pool: every index runs exactly once per job, back to back jobs never mix, and a
// chunk's exception reaches the caller, also when workers wake after the job is gone.
#include "runtime/core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

namespace onnxgen {
namespace {

TEST(ThreadPool, EveryIndexRunsOncePerJobAcrossManyJobs) {
  ThreadPool pool(4);
  for (int job = 0; job < 2000; ++job) {
    const int64_t n = 1 + job % 97;
    std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
    pool.parallel_for(n, 1, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) hits[static_cast<size_t>(i)].fetch_add(1);
    });
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[static_cast<size_t>(i)].load(), 1) << "job " << job << " index " << i;
  }
}

TEST(ThreadPool, ExceptionReachesTheCallerAndThePoolStaysUsable) {
  ThreadPool pool(3);
  for (int round = 0; round < 50; ++round) {
    EXPECT_THROW(pool.parallel_for(64, 1,
                                   [&](int64_t begin, int64_t) {
                                     if (begin == 0) throw std::runtime_error("chunk failed");
                                   }),
                 std::runtime_error);
    std::atomic<int64_t> sum{0};
    pool.parallel_for(100, 1, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) sum += i;
    });
    ASSERT_EQ(sum.load(), 4950);
  }
}

TEST(ThreadPool, WorkersThatSleptPickUpLaterJobs) {
  ThreadPool pool(2);
  std::atomic<int64_t> sum{0};
  for (int job = 0; job < 3; ++job) {
    // Long enough between jobs for the worker to stop spinning and block.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    pool.parallel_for(1000, 10, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) sum += 1;
    });
  }
  EXPECT_EQ(sum.load(), 3000);
}

}  // namespace
}  // namespace onnxgen
