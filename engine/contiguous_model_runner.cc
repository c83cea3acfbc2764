#include "engine/contiguous_model_runner.h"

#include <cstring>
#include <map>
#include <set>

#include "engine/int_inputs.h"
#include "engine/logits_row.h"

namespace onnxgen::engine {
namespace {

struct ContiguousKv : SequenceKv {
  std::vector<Tensor> past;  // one per past input, in input order (undefined for other inputs)
};

ContiguousKv& kv_of(const Sequence& seq) { return static_cast<ContiguousKv&>(*seq.kv); }

// [1, kv_heads, 0, head] for per-layer past; [2, 1, heads, 0, head] for GPT-2's packed past. A
// sliding-window layer of the onnxruntime-genai builder keeps a ring buffer of the window's
// capacity from the start (its sequence dim is named past_sliding_length).
Shape empty_past_shape(const ValueInfo& info, const models::ModelConfig& c, bool packed) {
  Shape shape = packed ? Shape{2, 1, c.num_heads, 0, c.head_size} : Shape{1, c.num_kv_heads, 0, c.head_size};
  if (info.has_shape && info.dims.size() == shape.size()) {
    const size_t seq_axis = shape.size() - 2;
    for (size_t i = 0; i < shape.size(); ++i)
      if (i != seq_axis && info.dims[i].value > 0) shape[i] = info.dims[i].value;
    if (info.dims[seq_axis].param.find("sliding") != std::string::npos && c.sliding_window)
      shape[seq_axis] = *c.sliding_window;
  }
  ONNXGEN_CHECK(shape.size() == (packed ? 5u : 4u) && shape.back() > 0 && shape[shape.size() - 3] > 0,
                "cannot tell the shape of past input '", info.name, "': the model declares no static heads/head size "
                "and the config has none");
  return shape;
}

}  // namespace

ContiguousModelRunner::ContiguousModelRunner(std::unique_ptr<Session> session, const models::ModelConfig& config)
    : session_(std::move(session)), vocab_(config.vocab_size), context_(config.context_length) {
  const auto& io = config.io;
  std::map<std::string, std::string> present_of;  // past input → present output
  std::set<std::string> packed;                   // GPT-2's [2, batch, heads, seq, head] pasts
  for (int64_t l = 0; l < config.num_layers; ++l) {
    if (!io.past_combined.empty()) {
      packed.insert(models::layer_name(io.past_combined, l));
      present_of[models::layer_name(io.past_combined, l)] = models::layer_name(io.present_combined, l);
    }
    present_of[models::layer_name(io.past_key, l)] = models::layer_name(io.present_key, l);
    present_of[models::layer_name(io.past_value, l)] = models::layer_name(io.present_value, l);
  }
  const auto& outputs = session_->outputs();
  auto output_index = [&](const std::string& name) {
    for (size_t i = 0; i < outputs.size(); ++i)
      if (outputs[i].name == name) return static_cast<int>(i);
    return -1;
  };
  for (const ValueInfo* in : session_->inputs()) {
    Input input{Role::kPast, in->dtype, {}, -1};
    if (in->name == io.input_ids) input.role = Role::kInputIds;
    else if (in->name == io.attention_mask) input.role = Role::kAttentionMask;
    else if (in->name == io.position_ids) input.role = Role::kPositionIds;
    else if (auto it = present_of.find(in->name); it != present_of.end()) {
      input.present_output = output_index(it->second);
      ONNXGEN_CHECK(input.present_output >= 0, "the model has past input '", in->name, "' but no output '", it->second,
                    "'");
      input.empty_past = empty_past_shape(*in, config, packed.count(in->name) > 0);
    } else {
      fail("model input '", in->name, "' is neither input_ids, attention_mask, position_ids nor a past key/value "
           "named by the config");
    }
    inputs_.push_back(std::move(input));
  }
  logits_output_ = output_index(io.logits);
  ONNXGEN_CHECK(logits_output_ >= 0, "the model has no output '", io.logits, "'");
  if (vocab_ <= 0) {
    const ValueInfo& l = outputs[logits_output_];
    ONNXGEN_CHECK(l.has_shape && !l.dims.empty() && l.dims.back().value > 0,
                  "the vocabulary size is neither in the config nor in the shape of '", io.logits, "'");
    vocab_ = l.dims.back().value;
  }
  ONNXGEN_CHECK(context_ > 0, "the model's context length is unknown");
  feeds_.resize(inputs_.size());
}

int64_t ContiguousModelRunner::attach(Sequence& seq) {
  auto kv = std::make_unique<ContiguousKv>();
  kv->past.resize(inputs_.size());
  for (size_t i = 0; i < inputs_.size(); ++i)
    if (inputs_[i].role == Role::kPast) kv->past[i] = Tensor::zeros(inputs_[i].dtype, inputs_[i].empty_past);
  seq.kv = std::move(kv);
  seq.computed = 0;
  return 0;
}

bool ContiguousModelRunner::reserve(Sequence& seq, int64_t n) { return seq.computed + n <= context_; }

void ContiguousModelRunner::fork(const Sequence& from, Sequence& to) {
  // Past tensors are never written after they are produced, so sharing them is safe.
  auto kv = std::make_unique<ContiguousKv>(kv_of(from));
  to.kv = std::move(kv);
  to.computed = from.computed;
}

void ContiguousModelRunner::release(Sequence& seq) { seq.kv.reset(); }

std::span<float> ContiguousModelRunner::run(std::span<const StepChunk> chunks) {
  size_t rows = 0;
  for (const auto& c : chunks) rows += c.wants_logits;
  logits_.resize(rows * static_cast<size_t>(vocab_));
  size_t row = 0;
  for (const auto& c : chunks) {
    float* out = c.wants_logits ? logits_.data() + row++ * vocab_ : nullptr;
    run_chunk(*c.seq, c.length, out);
  }
  return {logits_.data(), logits_.size()};
}

void ContiguousModelRunner::run_chunk(Sequence& seq, int64_t length, float* logits_out) {
  ContiguousKv& kv = kv_of(seq);
  const int64_t past = seq.computed;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const Input& in = inputs_[i];
    switch (in.role) {
      case Role::kInputIds:
        feeds_[i] = int_row(in.dtype, std::span<const int32_t>(seq.tokens).subspan(static_cast<size_t>(past),
                                                                                 static_cast<size_t>(length)));
        break;
      case Role::kAttentionMask: feeds_[i] = counting_int_row(in.dtype, past + length, 1, 0); break;
      case Role::kPositionIds: feeds_[i] = counting_int_row(in.dtype, length, past, 1); break;
      case Role::kPast: feeds_[i] = kv.past[i]; break;
    }
  }
  std::vector<Tensor> outs = session_->run(feeds_);
  for (size_t i = 0; i < inputs_.size(); ++i)
    if (inputs_[i].role == Role::kPast) kv.past[i] = std::move(outs[static_cast<size_t>(inputs_[i].present_output)]);
  seq.computed += length;
  if (!logits_out) return;
  const Tensor& logits = outs[static_cast<size_t>(logits_output_)];
  ONNXGEN_CHECK(logits.numel() % vocab_ == 0 && logits.numel() >= vocab_, "logits ", logits.describe(),
                " do not hold rows of the vocabulary size ", vocab_);
  copy_logits_row(logits, logits.numel() / vocab_ - 1, vocab_, logits_out);
}

}  // namespace onnxgen::engine
