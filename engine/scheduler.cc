#include "engine/scheduler.h"

#include <algorithm>

#include "runtime/core/error.h"

namespace onnxgen::engine {

int64_t Scheduler::running_sequences() const {
  int64_t n = 0;
  for (const auto& r : running_) n += static_cast<int64_t>(r->sequences.size());
  return n;
}

void Scheduler::release(const RequestState& request) {
  for (auto& seq : request.sequences) {
    if (seq->kv) runner_.release(*seq);
    seq->computed = 0;
    seq->has_beam_logits = false;
  }
}

void Scheduler::remove(const RequestState& request) {
  release(request);
  std::erase_if(running_, [&](const auto& r) { return r.get() == &request; });
  std::erase_if(waiting_, [&](const auto& r) { return r.get() == &request; });
}

void Scheduler::preempt(size_t running_index) {
  std::shared_ptr<RequestState> victim = running_[running_index];
  release(*victim);
  running_.erase(running_.begin() + static_cast<std::ptrdiff_t>(running_index));
  waiting_.push_front(std::move(victim));
  ++preemptions_;
}

bool Scheduler::reserve_or_preempt(Sequence& seq, int64_t n, size_t owner_index) {
  // running_ is in admission order, so the latest admitted request is the last one.
  while (!runner_.reserve(seq, n)) {
    if (running_.size() - 1 == owner_index) return false;
    preempt(running_.size() - 1);
  }
  return true;
}

void Scheduler::admit(RequestState& request) {
  for (auto& seq : request.sequences) seq->computed = runner_.attach(*seq);
  if (request.admission == 0)
    request.cached_prompt_tokens =
        std::min<int64_t>(request.sequences.front()->computed, static_cast<int64_t>(request.prompt().size()));
  request.admission = ++admissions_;
}

void Scheduler::schedule(std::vector<StepChunk>& chunks,
                         std::vector<std::pair<std::shared_ptr<RequestState>, std::string>>& failed) {
  chunks.clear();
  int64_t budget = limits_.max_batch_tokens;
  auto add = [&](Sequence& seq, int64_t n) {
    chunks.push_back({&seq, n, seq.computed + n == static_cast<int64_t>(seq.tokens.size())});
    budget -= n;
  };
  // Running requests, oldest first. A preemption removes a later request, so indices before
  // the current one stay valid; chunks of a preempted request are dropped below.
  for (size_t i = 0; i < running_.size() && budget > 0;) {
    RequestState& req = *running_[i];
    bool kept = true;
    for (auto& seq : req.sequences) {
      if (seq->finish != FinishReason::kNone || seq->pending() == 0 || budget <= 0) continue;
      int64_t n = std::min(seq->pending(), budget);
      if (!reserve_or_preempt(*seq, n, i)) {
        if (running_.size() == 1) {
          failed.emplace_back(running_[i], str_cat("the KV cache is full: one request needs more than all ",
                                                   runner_.usage().blocks_total, " blocks (", seq->tokens.size(),
                                                   " tokens); raise --kv-cache-mb"));
          remove(req);
        } else {
          preempt(i);
        }
        kept = false;
        break;
      }
      add(*seq, n);
    }
    if (kept) ++i;
  }
  std::erase_if(chunks, [&](const StepChunk& c) { return c.seq->kv == nullptr; });
  budget = limits_.max_batch_tokens;
  for (const auto& c : chunks) budget -= c.length;

  // Then waiting requests, first come first served, while everything fits.
  while (!waiting_.empty() && budget > 0) {
    RequestState& req = *waiting_.front();
    if (running_sequences() + static_cast<int64_t>(req.sequences.size()) > limits_.max_num_seqs) break;
    admit(req);
    bool fits = true;
    size_t first_chunk = chunks.size();
    for (auto& seq : req.sequences) {
      int64_t n = std::min(seq->pending(), budget);
      if (n <= 0) continue;
      if (!runner_.reserve(*seq, n)) {
        fits = false;
        break;
      }
      add(*seq, n);
    }
    if (fits) {
      running_.push_back(std::move(waiting_.front()));
      waiting_.pop_front();
      continue;
    }
    chunks.resize(first_chunk);
    release(req);
    if (running_.empty()) {
      failed.emplace_back(waiting_.front(), str_cat("the KV cache (", runner_.usage().blocks_total,
                                                    " blocks) cannot hold this request's first ",
                                                    limits_.max_batch_tokens, " tokens; raise --kv-cache-mb"));
      waiting_.pop_front();
      continue;
    }
    break;
  }
}

}  // namespace onnxgen::engine
