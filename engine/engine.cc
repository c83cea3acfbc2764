// The Engine behind include/onnxgen/engine.h: one thread that schedules, runs the model over a
// flattened batch, selects tokens and streams them back. Everything here runs on that thread
// except submit(), stats() and shutdown(), which hand over through `mutex_`.
#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include "engine/model_loading.h"
#include "engine/request_state.h"
#include "engine/scheduler.h"
#include "onnxgen/engine.h"
#include "runtime/core/error.h"
#include "runtime/core/thread_pool.h"
#include "sampling/sampler.h"
#include "tokenizer/chat_template.h"

namespace onnxgen {

const char* to_string(FinishReason r) {
  switch (r) {
    case FinishReason::kNone: return "none";
    case FinishReason::kStop: return "stop";
    case FinishReason::kLength: return "length";
    case FinishReason::kCancelled: return "cancelled";
    case FinishReason::kError: return "error";
  }
  return "?";
}

GenerationResult Engine::generate(std::vector<int32_t> prompt, const GenerationParams& params, StreamCallback on_event) {
  return submit(std::move(prompt), params, std::move(on_event))->wait();
}

namespace engine {
namespace {

using Failed = std::vector<std::pair<std::shared_ptr<RequestState>, std::string>>;

class EngineImpl final : public Engine {
 public:
  EngineImpl(const std::string& dir, EngineOptions options) : options_(std::move(options)) {
    if (!options_.log) options_.log = [](const std::string& line) { std::cerr << "onnxgen: " << line << "\n"; };
    if (options_.threads > 0) ThreadPool::set_global_threads(options_.threads);
    ONNXGEN_CHECK(options_.max_num_seqs >= 1 && options_.max_batch_tokens >= 1 && options_.block_size >= 1,
                  "max_num_seqs, max_batch_tokens and block_size must be >= 1");
    LoadedModel loaded = load_model_dir(dir, options_);
    config_ = std::move(loaded.config);
    tokenizer_ = std::move(loaded.tokenizer);
    runner_ = std::move(loaded.runner);
    try {
      chat_template_.emplace(tokenizer::ChatTemplate::from_tokenizer(*tokenizer_));
    } catch (const tokenizer::Error&) {
      // Base models often have no template; chat requests then get a clear InvalidRequest.
    }
    info_.dir = dir;
    info_.name = std::filesystem::path(dir).lexically_normal().filename().string();
    if (info_.name.empty()) info_.name = std::filesystem::path(dir).lexically_normal().parent_path().filename().string();
    info_.family = config_.family;
    info_.vocab_size = runner_->vocab_size();
    info_.context_length = runner_->max_tokens();
    info_.eos_token_ids = config_.eos_token_ids;
    info_.bos_token_id = config_.bos_token_id;
    info_.pad_token_id = config_.pad_token_id;
    info_.paged_attention = runner_->paged();
    info_.has_chat_template = chat_template_.has_value();
    scheduler_ = std::make_unique<Scheduler>(
        *runner_, SchedulerLimits{options_.max_num_seqs, std::max(options_.max_batch_tokens, options_.max_num_seqs)});
    stats_.kv_blocks_total = runner_->usage().blocks_total;
    thread_ = std::thread([this] { loop(); });
  }

  ~EngineImpl() override { shutdown(); }

  const ModelInfo& info() const override { return info_; }

  std::vector<int32_t> encode(const std::string& text, bool add_special_tokens) const override {
    return tokenizer_->encode(text, add_special_tokens);
  }
  std::string decode(std::span<const int32_t> tokens, bool skip_special_tokens) const override {
    return tokenizer_->decode(tokens, skip_special_tokens);
  }
  std::string apply_chat_template(const std::vector<ChatMessage>& messages, bool add_generation_prompt) const override {
    if (!chat_template_) throw InvalidRequest("model '" + info_.name + "' has no chat template", "messages");
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& m : messages) list.push_back({{"role", m.role}, {"content", m.content}});
    tokenizer::ChatOptions opts;
    opts.add_generation_prompt = add_generation_prompt;
    try {
      return chat_template_->apply(list, tokenizer_->config(), opts);
    } catch (const tokenizer::TemplateError& e) {
      throw InvalidRequest(std::string("the chat template rejected the messages: ") + e.what(), "messages");
    }
  }

  std::shared_ptr<Request> submit(std::vector<int32_t> prompt, const GenerationParams& params,
                                  StreamCallback on_event) override {
    ResolvedParams resolved = resolve(params, prompt);
    auto request = std::make_shared<RequestState>(next_id_++, std::move(prompt), std::move(resolved), std::move(on_event));
    {
      std::lock_guard lock(mutex_);
      if (stopping_) throw std::runtime_error("the engine is shutting down");
      if (options_.max_queue > 0 && stats_.waiting + static_cast<int64_t>(incoming_.size()) >= options_.max_queue)
        throw QueueFull("queue full: " + std::to_string(options_.max_queue) + " requests are waiting");
      incoming_.push_back(request);
    }
    cv_.notify_all();
    return request;
  }

  EngineStats stats() const override {
    std::lock_guard lock(mutex_);
    EngineStats s = stats_;
    s.waiting += static_cast<int64_t>(incoming_.size());
    return s;
  }

  void shutdown() override {
    {
      std::lock_guard lock(mutex_);
      if (stopping_ && !thread_.joinable()) return;
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  ResolvedParams resolve(const GenerationParams& p, const std::vector<int32_t>& prompt) const;
  void loop();
  void step();
  void take_incoming(bool& stopping);
  void start(const std::shared_ptr<RequestState>& request);
  // Sequence `index` of `req`, holding `tokens` (the prompt first).
  std::unique_ptr<Sequence> new_sequence(RequestState& req, int index, std::vector<int32_t> tokens) const;
  // The sampler of sample `index`: its seed is offset by the index so seeded samples differ.
  std::unique_ptr<sampling::Sampler> new_sampler(const RequestState& req, int index) const;
  void process_logits(Sequence& seq, std::span<float> row);
  void fork_samples(RequestState& req, std::span<const float> row);
  void append_token(Sequence& seq, const sampling::SampledToken& st);
  void finish_sequence(Sequence& seq, FinishReason reason, std::string error = {});
  void beam_step(RequestState& req);
  void finish_beams(RequestState& req);
  void complete(RequestState& req, std::string error = {});
  // Ends `req` early: its unfinished sequences end with `reason` (streams see `error` only with
  // kError) and its result carries `error`.
  void end_early(RequestState& req, FinishReason reason, const std::string& error);
  // end_early for every request gathered in finished_, which is then emptied.
  void end_gathered_early(FinishReason reason, const std::string& error);
  void publish_stats();

  EngineOptions options_;
  models::ModelConfig config_;
  std::unique_ptr<tokenizer::Tokenizer> tokenizer_;
  std::optional<tokenizer::ChatTemplate> chat_template_;
  std::unique_ptr<ModelRunner> runner_;
  std::unique_ptr<Scheduler> scheduler_;
  ModelInfo info_;

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<RequestState>> incoming_;
  bool stopping_ = false;
  EngineStats stats_;
  std::atomic<uint64_t> next_id_{1};
  std::thread thread_;

  // Engine-thread state, reused every step.
  std::vector<StepChunk> chunks_;
  Failed failed_;
  std::vector<float> scratch_;
  std::vector<std::shared_ptr<RequestState>> finished_;
  int64_t prompt_tokens_ = 0, generated_tokens_ = 0, steps_ = 0;
};

ResolvedParams EngineImpl::resolve(const GenerationParams& p, const std::vector<int32_t>& prompt) const {
  const auto& d = config_.generation;
  const int64_t vocab = runner_->vocab_size();
  ResolvedParams r;
  if (prompt.empty()) throw InvalidRequest("the prompt is empty", "prompt");
  for (int32_t t : prompt)
    if (t < 0 || t >= vocab)
      throw InvalidRequest("prompt token " + std::to_string(t) + " is outside the vocabulary of " + std::to_string(vocab),
                           "prompt");
  const int64_t context = runner_->max_tokens();
  const auto prompt_len = static_cast<int64_t>(prompt.size());
  int64_t limit = context;
  if (p.max_length) limit = std::min(limit, *p.max_length);
  if (p.max_new_tokens) {
    if (*p.max_new_tokens < 1) throw InvalidRequest("max_new_tokens must be >= 1", "max_tokens");
    limit = std::min(limit, prompt_len + *p.max_new_tokens);
  }
  if (!p.max_length && !p.max_new_tokens && d.max_length > 0) limit = std::min(limit, d.max_length);
  if (prompt_len >= context)
    throw InvalidRequest("the prompt has " + std::to_string(prompt_len) + " tokens but the model's context is " +
                             std::to_string(context) + " tokens (at least one must remain for generation)",
                         "prompt");
  if (prompt_len >= limit)
    throw InvalidRequest("max_length " + std::to_string(limit) + " leaves no room after a prompt of " +
                             std::to_string(prompt_len) + " tokens",
                         "max_length");
  r.max_total_tokens = limit;
  r.min_new_tokens = std::max<int64_t>(0, p.min_new_tokens);

  bool explicit_sampling = p.temperature || p.top_p || p.top_k || p.min_p || p.typical_p;
  bool do_sample = p.do_sample ? *p.do_sample : (explicit_sampling || d.do_sample);
  auto& s = r.sampling;
  s.temperature = do_sample ? p.temperature.value_or(d.do_sample ? d.temperature : 1.0f) : 0.0f;
  s.top_k = do_sample ? p.top_k.value_or(d.do_sample ? d.top_k : 0) : 0;
  s.top_p = do_sample ? p.top_p.value_or(d.do_sample ? d.top_p : 1.0f) : 1.0f;
  s.min_p = p.min_p.value_or(0.0f);
  s.typical_p = p.typical_p.value_or(1.0f);
  s.repetition_penalty = p.repetition_penalty.value_or(d.repetition_penalty);
  s.presence_penalty = p.presence_penalty;
  s.frequency_penalty = p.frequency_penalty;
  s.logit_bias = p.logit_bias;
  s.seed = p.seed;
  s.logprobs = p.logprobs;
  s.top_logprobs = p.logprobs ? p.top_logprobs : 0;
  try {
    s.validate(vocab);
  } catch (const sampling::InvalidSamplingParam& e) {
    throw InvalidRequest(e.what(), e.field());
  }
  r.logprobs = p.logprobs;
  if (p.n < 1 || p.n > 128) throw InvalidRequest("n must be in [1, 128], got " + std::to_string(p.n), "n");
  r.n = p.n;
  r.num_beams = p.num_beams.value_or(d.num_beams);
  if (r.num_beams < 1) throw InvalidRequest("num_beams must be >= 1", "num_beams");
  if (r.num_beams > 1 && r.n > 1) throw InvalidRequest("n > 1 cannot be combined with beam search", "n");
  r.length_penalty = p.length_penalty.value_or(d.length_penalty);
  r.early_stopping = p.early_stopping.value_or(d.early_stopping);
  r.num_return_sequences = p.num_return_sequences;
  if (r.num_return_sequences < 1 || r.num_return_sequences > r.num_beams)
    throw InvalidRequest("num_return_sequences must be in [1, num_beams]", "num_return_sequences");
  if (r.num_beams * r.n > options_.max_num_seqs)
    throw InvalidRequest("the request needs " + std::to_string(r.num_beams * r.n) +
                             " sequences; the engine runs at most " + std::to_string(options_.max_num_seqs),
                         r.num_beams > 1 ? "num_beams" : "n");
  for (const auto& stop : p.stop)
    if (stop.empty()) throw InvalidRequest("stop strings must not be empty", "stop");
  r.stop = p.stop;
  if (!p.ignore_eos) r.stop_token_ids = config_.eos_token_ids;
  for (int32_t t : p.stop_token_ids) {
    if (t < 0 || t >= vocab) throw InvalidRequest("stop token " + std::to_string(t) + " is outside the vocabulary", "stop_token_ids");
    r.stop_token_ids.push_back(t);
  }
  r.skip_special_tokens = p.skip_special_tokens;
  return r;
}

void EngineImpl::loop() {
  for (;;) {
    bool stopping = false;
    take_incoming(stopping);
    if (stopping) {
      for (auto r : scheduler_->running()) finished_.push_back(r);
      for (auto r : scheduler_->waiting()) finished_.push_back(r);
      end_gathered_early(FinishReason::kCancelled, "the engine shut down");
      publish_stats();
      return;
    }
    step();
    publish_stats();
  }
}

void EngineImpl::take_incoming(bool& stopping) {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return stopping_ || !incoming_.empty() || !scheduler_->running().empty() || !scheduler_->waiting().empty(); });
  stopping = stopping_;
  while (!incoming_.empty()) {
    auto r = std::move(incoming_.front());
    incoming_.pop_front();
    lock.unlock();
    start(r);
    lock.lock();
  }
}

void EngineImpl::start(const std::shared_ptr<RequestState>& request) {
  const ResolvedParams& p = request->params();
  auto seq = new_sequence(*request, 0, request->prompt());
  if (p.num_beams > 1) {
    sampling::BeamSearchParams bp;
    bp.num_beams = p.num_beams;
    bp.length_penalty = p.length_penalty;
    bp.early_stopping = p.early_stopping;
    bp.num_return_sequences = p.num_return_sequences;
    bp.eos_token_ids = p.stop_token_ids;
    bp.max_length = p.max_total_tokens;
    request->beam = std::make_unique<sampling::BeamSearch>(bp, request->prompt());
  } else {
    seq->sampler = new_sampler(*request, 0);
  }
  request->sequences.push_back(std::move(seq));
  scheduler_->enqueue(request);
}

std::unique_ptr<Sequence> EngineImpl::new_sequence(RequestState& req, int index, std::vector<int32_t> tokens) const {
  const ResolvedParams& p = req.params();
  const auto prompt_len = static_cast<int64_t>(req.prompt().size());
  auto seq = std::make_unique<Sequence>(req, index, std::move(tokens), prompt_len, *tokenizer_, p.skip_special_tokens,
                                        p.stop);
  // Room for every token the request may reach, so appending one per step never reallocates.
  seq->tokens.reserve(static_cast<size_t>(p.max_total_tokens));
  seq->result.tokens.reserve(static_cast<size_t>(p.max_total_tokens - prompt_len));
  // Text grows by a few bytes a token; starting with room for typical text keeps streaming free
  // of reallocations (longer text still grows, by doubling).
  constexpr int64_t kTypicalBytesPerToken = 8, kMaxReservedTokens = 4096;
  seq->result.text.reserve(
      static_cast<size_t>(std::min(p.max_total_tokens - prompt_len, kMaxReservedTokens) * kTypicalBytesPerToken));
  constexpr size_t kEventTextBytes = 256;  // a token's text, or a few when a character completes
  seq->event.text.reserve(kEventTextBytes);
  return seq;
}

std::unique_ptr<sampling::Sampler> EngineImpl::new_sampler(const RequestState& req, int index) const {
  sampling::SamplingParams sp = req.params().sampling;
  if (sp.seed) sp.seed = *sp.seed + static_cast<uint64_t>(index);
  auto sampler = std::make_unique<sampling::Sampler>(sp, runner_->vocab_size());
  sampler->observe_prompt(req.prompt());
  return sampler;
}

void EngineImpl::step() {
  // Cancellations first, so their blocks are free for this step's scheduling.
  for (const auto& r : scheduler_->running())
    if (r->cancel_requested()) finished_.push_back(r);
  for (const auto& r : scheduler_->waiting())
    if (r->cancel_requested()) finished_.push_back(r);
  end_gathered_early(FinishReason::kCancelled, "");

  failed_.clear();
  scheduler_->schedule(chunks_, failed_);
  for (auto& [r, message] : failed_) end_early(*r, FinishReason::kError, message);
  if (chunks_.empty()) return;

  std::span<float> logits;
  try {
    logits = runner_->run(chunks_);
  } catch (const std::exception& e) {
    // A failing model run fails the requests in it, not the engine.
    options_.log(std::string("model run failed: ") + e.what());
    for (const auto& r : scheduler_->running())
      if (std::any_of(chunks_.begin(), chunks_.end(), [&](const StepChunk& c) { return c.seq->request == r.get(); }))
        finished_.push_back(r);
    end_gathered_early(FinishReason::kError, e.what());
    return;
  }
  ++steps_;
  const int64_t vocab = runner_->vocab_size();
  size_t row = 0;
  for (const auto& c : chunks_) {
    Sequence& seq = *c.seq;
    prompt_tokens_ += std::max<int64_t>(0, std::min(seq.computed, seq.prompt_len) - (seq.computed - c.length));
    if (!c.wants_logits) continue;
    process_logits(seq, logits.subspan(row++ * static_cast<size_t>(vocab), static_cast<size_t>(vocab)));
  }
  for (const auto& r : scheduler_->running()) {
    if (r->beam) {
      bool ready = std::all_of(r->sequences.begin(), r->sequences.end(), [](const auto& s) { return s->has_beam_logits; });
      if (ready) beam_step(*r);
    }
    bool all_done = std::all_of(r->sequences.begin(), r->sequences.end(),
                                [](const auto& s) { return s->finish != FinishReason::kNone; });
    if (all_done) finished_.push_back(r);
  }
  for (auto& r : finished_) complete(*r);
  finished_.clear();
}

void EngineImpl::process_logits(Sequence& seq, std::span<float> row) {
  RequestState& req = *seq.request;
  const ResolvedParams& p = req.params();
  if (seq.generated() < p.min_new_tokens)
    for (int32_t t : p.stop_token_ids) row[static_cast<size_t>(t)] = -INFINITY;
  if (req.beam) {
    seq.beam_logits.assign(row.begin(), row.end());
    seq.has_beam_logits = true;
    return;
  }
  if (p.n > 1 && req.sequences.size() == 1) {
    fork_samples(req, row);
    return;
  }
  append_token(seq, seq.sampler->sample(row));
}

// The first token of n > 1 samples: every sample draws from the prompt's logits, then continues
// on its own fork of the prompt's blocks.
void EngineImpl::fork_samples(RequestState& req, std::span<const float> row) {
  const ResolvedParams& p = req.params();
  Sequence& first = *req.sequences.front();
  for (int i = 1; i < p.n; ++i) {
    auto seq = new_sequence(req, i, first.tokens);
    seq->sampler = new_sampler(req, i);
    runner_->fork(first, *seq);
    req.sequences.push_back(std::move(seq));
  }
  for (auto& seq : req.sequences) {
    scratch_.assign(row.begin(), row.end());
    append_token(*seq, seq->sampler->sample(scratch_));
  }
}

void EngineImpl::append_token(Sequence& seq, const sampling::SampledToken& st) {
  RequestState& req = *seq.request;
  const ResolvedParams& p = req.params();
  if (req.first_token == RequestState::Clock::time_point{}) req.first_token = RequestState::Clock::now();
  seq.tokens.push_back(st.token);
  seq.result.tokens.push_back(st.token);
  ++generated_tokens_;

  // The sequence's own event, cleared and refilled every step: its vectors and strings keep their
  // capacity, so streaming a token allocates nothing.
  StreamEvent& ev = seq.event;
  ev.index = seq.index;
  ev.tokens.assign(1, st.token);
  ev.text.clear();
  ev.logprobs.clear();
  ev.finish = FinishReason::kNone;
  if (p.logprobs) {
    TokenLogprobs lp{st.token, st.logprob, {}};
    for (const auto& t : st.top) lp.top.push_back({t.token, t.logprob});
    seq.result.logprobs.push_back(lp);
    ev.logprobs.push_back(std::move(lp));
  }
  FinishReason finish = FinishReason::kNone;
  bool stop_token = std::find(p.stop_token_ids.begin(), p.stop_token_ids.end(), st.token) != p.stop_token_ids.end();
  if (stop_token) {
    finish = FinishReason::kStop;
  } else {
    ev.text.append(seq.stop_matcher.feed(seq.detokenizer.put(st.token)));
    if (seq.stop_matcher.stopped()) finish = FinishReason::kStop;
  }
  if (finish == FinishReason::kNone && static_cast<int64_t>(seq.tokens.size()) >= p.max_total_tokens)
    finish = FinishReason::kLength;
  if (finish != FinishReason::kNone && !seq.stop_matcher.stopped()) {
    ev.text += seq.stop_matcher.feed(seq.detokenizer.flush());
    if (!seq.stop_matcher.stopped()) ev.text += seq.stop_matcher.flush();
  }
  seq.result.text += ev.text;
  ev.finish = finish;
  if (finish != FinishReason::kNone) {
    seq.finish = finish;
    seq.result.finish = finish;
    runner_->release(seq);
  }
  try {
    req.emit(ev);
  } catch (const std::exception& e) {
    options_.log(std::string("a stream callback threw; cancelling request ") + std::to_string(req.id()) + ": " + e.what());
    req.cancel();
  }
}

void EngineImpl::finish_sequence(Sequence& seq, FinishReason reason, std::string error) {
  seq.finish = reason;
  seq.result.finish = reason;
  if (seq.kv) runner_->release(seq);
  if (seq.request->beam) return;  // beam results are reported together when the request completes
  StreamEvent ev;
  ev.index = seq.index;
  ev.finish = reason;
  ev.error = std::move(error);
  try {
    seq.request->emit(ev);
  } catch (const std::exception&) {
    // The request is ending anyway; a throwing callback has nothing left to stop.
  }
}

void EngineImpl::beam_step(RequestState& req) {
  const int64_t vocab = runner_->vocab_size();
  const int beams = req.beam->num_beams();
  scratch_.assign(static_cast<size_t>(beams * vocab), 0.0f);
  for (size_t b = 0; b < req.sequences.size(); ++b) {
    Sequence& seq = *req.sequences[b];
    float max = 0;
    double lse = sampling::log_sum_exp(seq.beam_logits, &max);
    float* dst = scratch_.data() + b * static_cast<size_t>(vocab);
    for (int64_t v = 0; v < vocab; ++v) dst[v] = static_cast<float>(seq.beam_logits[v] - lse);
    seq.has_beam_logits = false;
  }
  if (req.first_token == RequestState::Clock::time_point{}) req.first_token = RequestState::Clock::now();
  std::vector<int> parents = req.beam->step(scratch_, vocab);
  generated_tokens_ += beams;
  if (req.beam->done()) {
    finish_beams(req);
    return;
  }
  std::vector<std::unique_ptr<Sequence>> next;
  for (int b = 0; b < beams; ++b) {
    const Sequence& parent = *req.sequences[static_cast<size_t>(parents[static_cast<size_t>(b)])];
    auto seq = new_sequence(req, b, req.beam->sequence(b));
    runner_->fork(parent, *seq);
    next.push_back(std::move(seq));
  }
  for (auto& old : req.sequences) runner_->release(*old);
  req.sequences = std::move(next);
}

void EngineImpl::finish_beams(RequestState& req) {
  std::vector<sampling::BeamHypothesis> hyps = req.beam->results();
  const ResolvedParams& p = req.params();
  for (auto& seq : req.sequences) runner_->release(*seq);
  req.sequences.clear();
  const auto prompt_len = static_cast<int64_t>(req.prompt().size());
  for (size_t i = 0; i < hyps.size(); ++i) {
    auto seq = new_sequence(req, static_cast<int>(i), hyps[i].tokens);
    SequenceResult& res = seq->result;
    res.tokens.assign(hyps[i].tokens.begin() + prompt_len, hyps[i].tokens.end());
    res.text = tokenizer_->decode(res.tokens, p.skip_special_tokens);
    res.score = hyps[i].score;
    res.finish = static_cast<int64_t>(hyps[i].tokens.size()) >= p.max_total_tokens ? FinishReason::kLength
                                                                                     : FinishReason::kStop;
    seq->finish = res.finish;
    StreamEvent ev;
    ev.index = seq->index;
    ev.tokens = res.tokens;
    ev.text = res.text;
    ev.finish = res.finish;
    req.emit(ev);
    req.sequences.push_back(std::move(seq));
  }
}

void EngineImpl::end_early(RequestState& req, FinishReason reason, const std::string& error) {
  for (auto& seq : req.sequences)
    if (seq->finish == FinishReason::kNone) finish_sequence(*seq, reason, reason == FinishReason::kError ? error : "");
  complete(req, error);
}

void EngineImpl::end_gathered_early(FinishReason reason, const std::string& error) {
  for (auto& r : finished_) end_early(*r, reason, error);
  finished_.clear();
}

void EngineImpl::complete(RequestState& req, std::string error) {
  scheduler_->remove(req);
  GenerationResult result;
  result.prompt = req.prompt();
  for (auto& seq : req.sequences) result.sequences.push_back(std::move(seq->result));
  if (!req.beam && req.params().n > static_cast<int>(result.sequences.size()))
    result.sequences.resize(static_cast<size_t>(req.params().n));
  result.cached_prompt_tokens = req.cached_prompt_tokens;
  auto now = RequestState::Clock::now();
  if (req.first_token != RequestState::Clock::time_point{})
    result.time_to_first_token_s = std::chrono::duration<double>(req.first_token - req.submitted).count();
  result.total_time_s = std::chrono::duration<double>(now - req.submitted).count();
  result.error = std::move(error);
  publish_stats();  // a caller woken by finish() sees its blocks already returned
  req.finish(std::move(result));
}

void EngineImpl::publish_stats() {
  KvUsage kv = runner_->usage();
  std::lock_guard lock(mutex_);
  stats_.running = scheduler_->running_sequences();
  stats_.waiting = 0;
  for (const auto& r : scheduler_->waiting()) stats_.waiting += static_cast<int64_t>(r->sequences.size());
  stats_.kv_blocks_total = kv.blocks_total;
  stats_.kv_blocks_used = kv.blocks_used;
  stats_.prefix_cache_queries = kv.prefix_queries;
  stats_.prefix_cache_hits = kv.prefix_hits;
  stats_.preemptions = scheduler_->preemptions();
  stats_.prompt_tokens = prompt_tokens_;
  stats_.generated_tokens = generated_tokens_;
  stats_.steps = steps_;
}

}  // namespace
}  // namespace engine

std::shared_ptr<Engine> Engine::load(const std::string& model_dir, EngineOptions options) {
  return std::make_shared<engine::EngineImpl>(model_dir, std::move(options));
}

}  // namespace onnxgen
