#include "runtime/exec/op_profile.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace onnxgen::op_profile {
namespace {

std::atomic<const char*> current_phase{"all"};

struct Totals {
  int64_t calls = 0;
  int64_t ns = 0;
};

// Prints the table from its destructor, at process exit.
class Table {
 public:
  ~Table() {
    for (const auto& [phase, by_op] : by_phase_) print(phase, by_op);
  }
  void add(std::string_view domain, std::string_view op_type, int64_t ns) {
    std::string key(domain.empty() ? "" : std::string(domain) + ":");
    key += op_type;
    std::lock_guard lock(mu_);
    Totals& t = by_phase_[current_phase.load(std::memory_order_relaxed)][key];
    ++t.calls;
    t.ns += ns;
  }

 private:
  static void print(const std::string& phase, const std::map<std::string, Totals>& by_op) {
    std::vector<std::pair<std::string, Totals>> rows(by_op.begin(), by_op.end());
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second.ns > b.second.ns; });
    int64_t all = 0;
    for (const auto& [op, t] : rows) all += t.ns;
    std::fprintf(stderr, "onnxgen profile (ONNXGEN_PROFILE), %s: time in kernels by op, %.1f ms in all\n",
                 phase.c_str(), all / 1e6);
    std::fprintf(stderr, "  %-40s %10s %12s %10s %6s\n", "op", "calls", "total ms", "us/call", "share");
    for (const auto& [op, t] : rows)
      std::fprintf(stderr, "  %-40s %10lld %12.2f %10.2f %5.1f%%\n", op.c_str(), static_cast<long long>(t.calls),
                   t.ns / 1e6, t.ns / 1e3 / static_cast<double>(t.calls), 100.0 * static_cast<double>(t.ns) / all);
  }

  std::mutex mu_;
  std::map<std::string, std::map<std::string, Totals>> by_phase_;
};

Table& table() {
  static Table t;
  return t;
}

}  // namespace

bool enabled() {
  static const bool on = [] {
    const char* env = std::getenv("ONNXGEN_PROFILE");
    return env && *env && std::string_view(env) != "0";
  }();
  return on;
}

void record(std::string_view domain, std::string_view op_type, int64_t ns) { table().add(domain, op_type, ns); }

Phase::Phase(const char* name) : previous_(current_phase.exchange(name, std::memory_order_relaxed)) {}
Phase::~Phase() { current_phase.store(previous_, std::memory_order_relaxed); }

}  // namespace onnxgen::op_profile
