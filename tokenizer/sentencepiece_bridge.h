#pragma once
// The C interface of libonnxgen_sentencepiece.so, the one library that links libsentencepiece.
//
// Why a separate library: Debian's libsentencepiece carries its own protobuf-lite (3.14) under
// the same symbol names as the system libprotobuf (3.21) that ONNX loading needs. In one symbol
// scope each copy's calls land in the other and the process aborts or crashes. The bridge is
// loaded with its own lookup scope (dlopen RTLD_LOCAL | RTLD_DEEPBIND), so sentencepiece binds to
// its protobuf and everything else to the system's. Only C types cross; buffers are the caller's.
#include <cstddef>

extern "C" {

struct OnnxgenSentencePiece;

// Null on failure, with the reason in `error` (NUL-terminated, truncated to error_size).
OnnxgenSentencePiece* onnxgen_sp_load(const char* path, char* error, size_t error_size);
void onnxgen_sp_free(OnnxgenSentencePiece* sp);

int onnxgen_sp_piece_size(const OnnxgenSentencePiece* sp);
int onnxgen_sp_bos_id(const OnnxgenSentencePiece* sp);
int onnxgen_sp_eos_id(const OnnxgenSentencePiece* sp);
int onnxgen_sp_unk_id(const OnnxgenSentencePiece* sp);
int onnxgen_sp_is_control(const OnnxgenSentencePiece* sp, int id);
int onnxgen_sp_is_unknown(const OnnxgenSentencePiece* sp, int id);
int onnxgen_sp_piece_to_id(const OnnxgenSentencePiece* sp, const char* piece, size_t size);

// The functions below return the full result's length (ids or bytes) and copy at most
// `capacity` of it; a caller whose buffer was short calls again with a bigger one. Encode
// returns -1 on failure with the reason in `error`.
long onnxgen_sp_encode(const OnnxgenSentencePiece* sp, const char* text, size_t size, int* ids, size_t capacity,
                       char* error, size_t error_size);
size_t onnxgen_sp_decode(const OnnxgenSentencePiece* sp, const int* ids, size_t count, char* out, size_t capacity);
size_t onnxgen_sp_id_to_piece(const OnnxgenSentencePiece* sp, int id, char* out, size_t capacity);
}
