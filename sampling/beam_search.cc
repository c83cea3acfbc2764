#include "sampling/beam_search.h"

#include <algorithm>
#include <cmath>

#include "runtime/core/error.h"

namespace onnxgen::sampling {

BeamSearch::BeamSearch(BeamSearchParams params, std::vector<int32_t> prompt) : params_(std::move(params)) {
  ONNXGEN_CHECK(params_.num_beams >= 1, "num_beams must be >= 1, got ", params_.num_beams);
  ONNXGEN_CHECK(params_.num_return_sequences >= 1 && params_.num_return_sequences <= params_.num_beams,
                "num_return_sequences must be in [1, num_beams], got ", params_.num_return_sequences);
  ONNXGEN_CHECK(!prompt.empty(), "beam search needs a non-empty prompt");
  ONNXGEN_CHECK(params_.max_length > static_cast<int64_t>(prompt.size()), "max_length ", params_.max_length,
                " leaves no room after a prompt of ", prompt.size(), " tokens");
  beams_.assign(static_cast<size_t>(params_.num_beams), Beam{prompt, 0.0});
}

bool BeamSearch::is_eos(int32_t t) const {
  return std::find(params_.eos_token_ids.begin(), params_.eos_token_ids.end(), t) != params_.eos_token_ids.end();
}

void BeamSearch::add_hypothesis(std::vector<int32_t> tokens, double sum_logprobs) {
  double score = sum_logprobs / std::pow(static_cast<double>(tokens.size()), params_.length_penalty);
  if (static_cast<int>(finished_.size()) >= params_.num_beams) {
    auto worst = std::min_element(finished_.begin(), finished_.end(),
                                  [](const auto& a, const auto& b) { return a.score < b.score; });
    if (score <= worst->score) return;
    finished_.erase(worst);
  }
  finished_.push_back({std::move(tokens), score});
}

std::vector<int> BeamSearch::step(std::span<const float> log_probs, int64_t vocab) {
  ONNXGEN_CHECK(!done_, "beam search already finished");
  const int n = params_.num_beams;
  ONNXGEN_CHECK(static_cast<int64_t>(log_probs.size()) == n * vocab, "beam search step got ", log_probs.size(),
                " log-probs, expected ", n, " x ", vocab);
  struct Candidate {
    double score;
    int beam;
    int32_t token;
  };
  // Until the first step all beams are the same prompt: only beam 0 may propose.
  int proposing = first_step_ ? 1 : n;
  first_step_ = false;
  size_t want = static_cast<size_t>(2 * n);
  std::vector<Candidate> cands;
  cands.reserve(static_cast<size_t>(proposing) * want);
  auto better = [](const Candidate& a, const Candidate& b) {
    return a.score > b.score || (a.score == b.score && (a.beam < b.beam || (a.beam == b.beam && a.token < b.token)));
  };
  std::vector<Candidate> row;
  for (int b = 0; b < proposing; ++b) {
    row.clear();
    const float* lp = log_probs.data() + static_cast<int64_t>(b) * vocab;
    for (int64_t v = 0; v < vocab; ++v) row.push_back({beams_[b].score + lp[v], b, static_cast<int32_t>(v)});
    size_t k = std::min(want, row.size());
    std::partial_sort(row.begin(), row.begin() + static_cast<long>(k), row.end(), better);
    cands.insert(cands.end(), row.begin(), row.begin() + static_cast<long>(k));
  }
  std::sort(cands.begin(), cands.end(), better);
  cands.resize(std::min(want, cands.size()));

  std::vector<Beam> next;
  std::vector<int> parents;
  for (size_t rank = 0; rank < cands.size() && static_cast<int>(next.size()) < n; ++rank) {
    const Candidate& c = cands[rank];
    if (is_eos(c.token)) {
      if (static_cast<int>(rank) < n) add_hypothesis(beams_[c.beam].tokens, c.score);
      continue;
    }
    Beam beam{beams_[c.beam].tokens, c.score};
    beam.tokens.push_back(c.token);
    next.push_back(std::move(beam));
    parents.push_back(c.beam);
  }
  ONNXGEN_CHECK(static_cast<int>(next.size()) == n, "beam search found only ", next.size(),
                " non-eos candidates; the vocabulary is too small for ", n, " beams");
  beams_ = std::move(next);

  int64_t len = length();
  if (static_cast<int>(finished_.size()) >= n) {
    if (params_.early_stopping) {
      done_ = true;
    } else {
      double best_running = beams_[0].score / std::pow(static_cast<double>(len), params_.length_penalty);
      double worst_finished = finished_[0].score;
      for (const auto& h : finished_) worst_finished = std::min(worst_finished, h.score);
      done_ = worst_finished >= best_running;
    }
  }
  if (len >= params_.max_length) done_ = true;
  return parents;
}

std::vector<BeamHypothesis> BeamSearch::results() const {
  std::vector<BeamHypothesis> all = finished_;
  // Running beams compete too: at max_length they are finished as they are.
  for (const auto& b : beams_)
    all.push_back({b.tokens, b.score / std::pow(static_cast<double>(b.tokens.size()), params_.length_penalty)});
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
  if (static_cast<int>(finished_.size()) >= params_.num_beams) {
    std::vector<BeamHypothesis> only_finished = finished_;
    std::stable_sort(only_finished.begin(), only_finished.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
    all = std::move(only_finished);
  }
  all.resize(static_cast<size_t>(params_.num_return_sequences));
  return all;
}

}  // namespace onnxgen::sampling
