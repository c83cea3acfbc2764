// Text preprocessing ops: StringNormalizer (stopword removal and case folding) and
// TfIdfVectorizer (n-gram counting with skips against a fixed pool).
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "runtime/exec/op_registry.h"

namespace onnxgen {
namespace {

std::string with_case(std::string s, int (*convert)(int)) {
  for (char& ch : s) ch = static_cast<char>(convert(static_cast<unsigned char>(ch)));
  return s;
}

class StringNormalizer : public OpKernel {
 public:
  explicit StringNormalizer(const KernelInit& init) {
    const AttributeMap& a = init.attrs();
    action_ = a.get_string("case_change_action", "NONE");
    ONNXGEN_CHECK(action_ == "NONE" || action_ == "LOWER" || action_ == "UPPER", "unsupported case_change_action '",
                  action_, "'");
    case_sensitive_ = a.get_int("is_case_sensitive", 0) != 0;
    for (const std::string& w : a.get_strings("stopwords")) stopwords_.insert(key(w));
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    ONNXGEN_CHECK(x.dtype() == DataType::kString, "input must be string, got ", x.describe());
    ONNXGEN_CHECK(x.rank() == 1 || (x.rank() == 2 && x.dim(0) == 1), "input must be [C] or [1, C], got ", x.describe());
    std::vector<std::string> kept;
    const std::string* in = x.data<std::string>();
    for (int64_t i = 0; i < x.numel(); ++i) {
      if (stopwords_.count(key(in[i]))) continue;
      kept.push_back(action_ == "LOWER"   ? with_case(in[i], ::tolower)
                     : action_ == "UPPER" ? with_case(in[i], ::toupper)
                                          : in[i]);
    }
    if (kept.empty()) kept.emplace_back();  // the op never returns an empty tensor
    const int64_t n = static_cast<int64_t>(kept.size());
    Tensor& y = ctx.allocate(0, DataType::kString, x.rank() == 1 ? Shape{n} : Shape{1, n});
    std::move(kept.begin(), kept.end(), y.data<std::string>());
  }

 private:
  std::string key(const std::string& s) const { return case_sensitive_ ? s : with_case(s, ::tolower); }

  std::string action_;
  bool case_sensitive_ = false;
  std::set<std::string> stopwords_;
};

class TfIdfVectorizer : public OpKernel {
 public:
  explicit TfIdfVectorizer(const KernelInit& init) {
    const AttributeMap& a = init.attrs();
    min_n_ = a.get_int("min_gram_length");
    max_n_ = a.get_int("max_gram_length");
    max_skip_ = a.get_int("max_skip_count");
    ONNXGEN_CHECK(min_n_ >= 1 && max_n_ >= min_n_ && max_skip_ >= 0, "invalid gram lengths or skip count");
    mode_ = a.get_string("mode", "TF");
    ONNXGEN_CHECK(mode_ == "TF" || mode_ == "IDF" || mode_ == "TFIDF", "unsupported mode '", mode_, "'");
    const std::vector<int64_t> counts = a.get_ints("ngram_counts");
    const std::vector<int64_t> indexes = a.get_ints("ngram_indexes");
    weights_ = a.get_floats("weights");
    const std::vector<int64_t> ints = a.get_ints("pool_int64s");
    const std::vector<std::string> strings = a.get_strings("pool_strings");
    strings_ = !strings.empty();
    const int64_t pool_size = static_cast<int64_t>(strings_ ? strings.size() : ints.size());
    // Pool entries start at ngram_counts[n - 1] for n-grams; token ids make both pools uniform.
    int64_t gram = 0;
    for (size_t level = 0; level < counts.size(); ++level) {
      const int64_t n = static_cast<int64_t>(level) + 1;
      const int64_t begin = counts[level];
      const int64_t end = level + 1 < counts.size() ? counts[level + 1] : pool_size;
      ONNXGEN_CHECK(begin >= 0 && begin <= end && end <= pool_size && (end - begin) % n == 0,
                    "ngram_counts do not partition the pool");
      for (int64_t p = begin; p < end; p += n, ++gram) {
        std::vector<int64_t> tokens;
        for (int64_t j = 0; j < n; ++j) tokens.push_back(strings_ ? token_of(strings[p + j]) : ints[p + j]);
        ONNXGEN_CHECK(gram < static_cast<int64_t>(indexes.size()), "ngram_indexes has too few entries");
        ngrams_[tokens] = indexes[gram];
      }
    }
    for (int64_t index : indexes) {
      ONNXGEN_CHECK(index >= 0, "ngram_indexes must be non-negative, got ", index);
      width_ = std::max(width_, index + 1);
    }
    ONNXGEN_CHECK(weights_.empty() || weights_.size() >= static_cast<size_t>(width_), "weights has too few entries");
  }

  void compute(KernelContext& ctx) override {
    const Tensor& x = ctx.required(0);
    ONNXGEN_CHECK(x.rank() == 1 || x.rank() == 2, "input must be [N] or [B, N], got ", x.describe());
    ONNXGEN_CHECK(strings_ ? x.dtype() == DataType::kString
                           : (x.dtype() == DataType::kInt32 || x.dtype() == DataType::kInt64),
                  "input type ", to_string(x.dtype()), " does not match the pool");
    const int64_t rows = x.rank() == 2 ? x.dim(0) : 1, len = x.rank() == 2 ? x.dim(1) : x.numel();
    Tensor& y = ctx.allocate(0, DataType::kFloat, x.rank() == 2 ? Shape{rows, width_} : Shape{width_});
    float* out = y.data<float>();
    std::fill(out, out + y.numel(), 0.0f);
    std::vector<int64_t> ids(static_cast<size_t>(x.numel()));
    for (int64_t i = 0; i < x.numel(); ++i) {
      if (!strings_) {
        ids[i] = x.to_int64(i);
        continue;
      }
      auto it = string_ids_.find(x.data<std::string>()[i]);
      ids[i] = it == string_ids_.end() ? -1 : it->second;
    }
    std::vector<int64_t> gram;
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t* row = ids.data() + r * len;
      float* counts = out + r * width_;
      for (int64_t n = min_n_; n <= max_n_; ++n)
        for (int64_t skip = 0; skip <= (n == 1 ? 0 : max_skip_); ++skip)  // unigrams have no gaps to skip
          for (int64_t start = 0; start + (n - 1) * (skip + 1) < len; ++start) {
            gram.clear();
            for (int64_t j = 0; j < n; ++j) gram.push_back(row[start + j * (skip + 1)]);
            auto it = ngrams_.find(gram);
            if (it != ngrams_.end()) counts[it->second] += 1;
          }
      for (int64_t i = 0; i < width_; ++i) {
        const float w = weights_.empty() ? 1.0f : weights_[i];
        if (mode_ == "IDF") counts[i] = counts[i] > 0 ? w : 0;
        else if (mode_ == "TFIDF") counts[i] *= w;
      }
    }
  }

 private:
  int64_t token_of(const std::string& s) {
    return string_ids_.emplace(s, static_cast<int64_t>(string_ids_.size())).first->second;
  }

  int64_t min_n_ = 1, max_n_ = 1, max_skip_ = 0;
  std::string mode_;
  std::vector<float> weights_;
  bool strings_ = false;
  std::map<std::string, int64_t> string_ids_;
  std::map<std::vector<int64_t>, int64_t> ngrams_;
  int64_t width_ = 0;
};

}  // namespace

ONNXGEN_REGISTER_KERNEL("", "StringNormalizer", 10, ONNXGEN_LATEST, StringNormalizer);
ONNXGEN_REGISTER_KERNEL("", "TfIdfVectorizer", 9, ONNXGEN_LATEST, TfIdfVectorizer);

}  // namespace onnxgen
