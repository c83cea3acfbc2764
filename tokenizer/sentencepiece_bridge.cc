// libonnxgen_sentencepiece.so: libsentencepiece behind the C interface of sentencepiece_bridge.h.
#include "sentencepiece_bridge.h"

#include <sentencepiece_processor.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

struct OnnxgenSentencePiece {
  sentencepiece::SentencePieceProcessor processor;
};

namespace {

void set_error(char* error, size_t error_size, const std::string& message) {
  if (!error || error_size == 0) return;
  size_t n = std::min(message.size(), error_size - 1);
  std::memcpy(error, message.data(), n);
  error[n] = '\0';
}

size_t copy_out(const std::string& s, char* out, size_t capacity) {
  std::memcpy(out, s.data(), std::min(s.size(), capacity));
  return s.size();
}

}  // namespace

extern "C" {

OnnxgenSentencePiece* onnxgen_sp_load(const char* path, char* error, size_t error_size) {
  auto* sp = new OnnxgenSentencePiece;
  if (const auto status = sp->processor.Load(path); !status.ok()) {
    set_error(error, error_size, status.ToString());
    delete sp;
    return nullptr;
  }
  return sp;
}

void onnxgen_sp_free(OnnxgenSentencePiece* sp) { delete sp; }

int onnxgen_sp_piece_size(const OnnxgenSentencePiece* sp) { return sp->processor.GetPieceSize(); }
int onnxgen_sp_bos_id(const OnnxgenSentencePiece* sp) { return sp->processor.bos_id(); }
int onnxgen_sp_eos_id(const OnnxgenSentencePiece* sp) { return sp->processor.eos_id(); }
int onnxgen_sp_unk_id(const OnnxgenSentencePiece* sp) { return sp->processor.unk_id(); }
int onnxgen_sp_is_control(const OnnxgenSentencePiece* sp, int id) { return sp->processor.IsControl(id); }
int onnxgen_sp_is_unknown(const OnnxgenSentencePiece* sp, int id) { return sp->processor.IsUnknown(id); }

int onnxgen_sp_piece_to_id(const OnnxgenSentencePiece* sp, const char* piece, size_t size) {
  return sp->processor.PieceToId(std::string_view(piece, size));
}

long onnxgen_sp_encode(const OnnxgenSentencePiece* sp, const char* text, size_t size, int* ids, size_t capacity,
                       char* error, size_t error_size) {
  std::vector<int> pieces;
  if (const auto status = sp->processor.Encode(std::string_view(text, size), &pieces); !status.ok()) {
    set_error(error, error_size, status.ToString());
    return -1;
  }
  std::copy_n(pieces.begin(), std::min(pieces.size(), capacity), ids);
  return static_cast<long>(pieces.size());
}

size_t onnxgen_sp_decode(const OnnxgenSentencePiece* sp, const int* ids, size_t count, char* out, size_t capacity) {
  std::string text;
  sp->processor.Decode(std::vector<int>(ids, ids + count), &text);
  return copy_out(text, out, capacity);
}

size_t onnxgen_sp_id_to_piece(const OnnxgenSentencePiece* sp, int id, char* out, size_t capacity) {
  return copy_out(sp->processor.IdToPiece(id), out, capacity);
}
}
