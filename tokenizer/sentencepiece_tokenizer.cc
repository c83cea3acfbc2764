#include "sentencepiece_tokenizer.h"

#include <dlfcn.h>

#include "sentencepiece_bridge.h"

namespace onnxgen::tokenizer {

// The bridge library, opened once with its own symbol scope (see sentencepiece_bridge.h).
struct SentencePieceLibrary {
  decltype(&onnxgen_sp_load) load;
  decltype(&onnxgen_sp_free) free;
  decltype(&onnxgen_sp_piece_size) piece_size;
  decltype(&onnxgen_sp_bos_id) bos_id;
  decltype(&onnxgen_sp_eos_id) eos_id;
  decltype(&onnxgen_sp_unk_id) unk_id;
  decltype(&onnxgen_sp_is_control) is_control;
  decltype(&onnxgen_sp_is_unknown) is_unknown;
  decltype(&onnxgen_sp_piece_to_id) piece_to_id;
  decltype(&onnxgen_sp_encode) encode;
  decltype(&onnxgen_sp_decode) decode;
  decltype(&onnxgen_sp_id_to_piece) id_to_piece;

  static const SentencePieceLibrary& get() {
    static SentencePieceLibrary lib = open();
    return lib;
  }

 private:
  static SentencePieceLibrary open() {
    // RTLD_DEEPBIND is what keeps the two protobuf copies apart; sanitizer runtimes refuse it, and
    // the sanitizer suite never loads both copies into one process.
#if defined(__SANITIZE_ADDRESS__)
    constexpr int kFlags = RTLD_NOW | RTLD_LOCAL;
#else
    constexpr int kFlags = RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND;
#endif
    void* handle = nullptr;
    std::string errors;
    for (const char* path : {ONNXGEN_SENTENCEPIECE_BRIDGE, "libonnxgen_sentencepiece.so"}) {
      if ((handle = dlopen(path, kFlags))) break;
      errors += std::string("; ") + dlerror();
    }
    if (!handle) throw Error("cannot load the SentencePiece bridge library" + errors);
    SentencePieceLibrary lib;
    auto sym = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(handle, name));
      if (!fn) throw Error(std::string("the SentencePiece bridge library lacks ") + name);
    };
    sym(lib.load, "onnxgen_sp_load");
    sym(lib.free, "onnxgen_sp_free");
    sym(lib.piece_size, "onnxgen_sp_piece_size");
    sym(lib.bos_id, "onnxgen_sp_bos_id");
    sym(lib.eos_id, "onnxgen_sp_eos_id");
    sym(lib.unk_id, "onnxgen_sp_unk_id");
    sym(lib.is_control, "onnxgen_sp_is_control");
    sym(lib.is_unknown, "onnxgen_sp_is_unknown");
    sym(lib.piece_to_id, "onnxgen_sp_piece_to_id");
    sym(lib.encode, "onnxgen_sp_encode");
    sym(lib.decode, "onnxgen_sp_decode");
    sym(lib.id_to_piece, "onnxgen_sp_id_to_piece");
    return lib;
  }
};

namespace {

constexpr std::string_view kMetaSpace = "\xE2\x96\x81";

// The bridge copies at most `capacity` items and returns the full count: a short first buffer
// (sized by `guess`) is grown and filled again.
template <class Buffer, class Fill>
Buffer read_sized(size_t guess, Fill fill) {
  Buffer out(guess, {});
  const size_t n = fill(out.data(), out.size());
  if (n > out.size()) {
    out.resize(n);
    fill(out.data(), out.size());
  }
  out.resize(n);
  return out;
}

}  // namespace

SentencePieceTokenizer::SentencePieceTokenizer(const std::filesystem::path& model_file, TokenizerConfig config)
    : lib_(SentencePieceLibrary::get()) {
  config_ = std::move(config);
  char error[512] = "";
  sp_ = lib_.load(model_file.c_str(), error, sizeof error);
  if (!sp_) throw Error(model_file.string() + ": not a SentencePiece model: " + error);
  size_ = lib_.piece_size(sp_);
  const int bos = lib_.bos_id(sp_), eos = lib_.eos_id(sp_), unk = lib_.unk_id(sp_);
  if (!config_.bos_token && bos >= 0) config_.bos_token = piece(bos);
  if (!config_.eos_token && eos >= 0) config_.eos_token = piece(eos);
  if (!config_.unk_token && unk >= 0) config_.unk_token = piece(unk);
  // Llama-family tokenizer classes put bos first unless told otherwise.
  resolve_special_tokens(bos >= 0, false);
}

SentencePieceTokenizer::~SentencePieceTokenizer() { lib_.free(sp_); }

std::string SentencePieceTokenizer::piece(int id) const {
  return read_sized<std::string>(32, [&](char* out, size_t capacity) {
    return lib_.id_to_piece(sp_, id, out, capacity);
  });
}

std::string SentencePieceTokenizer::decode_run(const std::vector<int>& ids) const {
  return read_sized<std::string>(ids.size() * 8 + 16, [&](char* out, size_t capacity) {
    return lib_.decode(sp_, ids.data(), ids.size(), out, capacity);
  });
}

std::vector<int32_t> SentencePieceTokenizer::encode(std::string_view text, bool add_special_tokens) const {
  const auto pieces = read_sized<std::vector<int>>(text.size() + 8, [&](int* out, size_t capacity) {
    char error[512] = "";
    const long n = lib_.encode(sp_, text.data(), text.size(), out, capacity, error, sizeof error);
    if (n < 0) throw Error(std::string("SentencePiece encode failed: ") + error);
    return static_cast<size_t>(n);
  });
  std::vector<int32_t> ids(pieces.begin(), pieces.end());
  if (add_special_tokens && special_.add_bos && special_.bos) ids.insert(ids.begin(), *special_.bos);
  if (add_special_tokens && special_.add_eos && !special_.eos.empty()) ids.push_back(special_.eos.front());
  return ids;
}

void SentencePieceTokenizer::decode_into(std::string& out, std::span<const int32_t> ids,
                                         bool skip_special_tokens) const {
  // libsentencepiece drops control pieces (<s>, </s>); Hugging Face prints them unless skipped,
  // so ordinary runs are decoded by the library and control pieces spliced in between. A run
  // after a control piece keeps the space its first "▁" stands for.
  out.clear();
  std::vector<int> run;
  const auto flush = [&] {
    if (run.empty()) return;
    std::string text = decode_run(run);
    if (!out.empty() && piece(run.front()).starts_with(kMetaSpace)) out.push_back(' ');
    out += text;
    run.clear();
  };
  for (const int32_t id : ids) {
    if (id < 0 || id >= size_) continue;
    if (!lib_.is_control(sp_, id)) {
      run.push_back(id);
      continue;
    }
    flush();
    if (!skip_special_tokens) out += piece(id);
  }
  flush();
}

std::optional<int32_t> SentencePieceTokenizer::token_to_id(std::string_view token) const {
  const int id = lib_.piece_to_id(sp_, token.data(), token.size());
  if (id == lib_.unk_id(sp_) && piece(id) != token) return std::nullopt;
  return id;
}

std::optional<std::string> SentencePieceTokenizer::id_to_token(int32_t id) const {
  if (id < 0 || id >= size_) return std::nullopt;
  return piece(id);
}

size_t SentencePieceTokenizer::vocab_size() const { return static_cast<size_t>(size_); }

bool SentencePieceTokenizer::is_special(int32_t id) const {
  return id >= 0 && id < size_ && (lib_.is_control(sp_, id) || lib_.is_unknown(sp_, id));
}

}  // namespace onnxgen::tokenizer
