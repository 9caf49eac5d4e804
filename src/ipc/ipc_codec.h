/* Body compression of IPC record batches (Message.fbs BodyCompression, method BUFFER):
 * each non-empty buffer is an int64 little-endian uncompressed length, then the
 * compressed bytes (an LZ4 frame or a ZSTD frame); a length of -1 means the bytes that
 * follow are stored uncompressed; an empty buffer has no prefix at all.
 *
 * The declared length is checked against what the buffer needs and the message's
 * decompression budget before anything is allocated, and against the frame's own
 * content size when the frame header records one; the actual
 * decompressed size must equal the declared one. libzstd and liblz4 allocate their
 * contexts through the process allocator. */
#ifndef ARTEMIS_IPC_CODEC_H
#define ARTEMIS_IPC_CODEC_H

#include <stdint.h>

#include "artemis/error.h"
#include "ipc/ipc_array.h"

typedef struct artemis_ipc_codec {
  void* zstd; /* ZSTD_DCtx, created on first use */
  void* lz4;  /* LZ4F_dctx, created on first use */
} artemis_ipc_codec;

void artemis_ipc_codec_init(artemis_ipc_codec* codec);
void artemis_ipc_codec_free(artemis_ipc_codec* codec);

/* Decodes the `src_len` bytes of one buffer compressed with `compression`
 * (ARTEMIS_IPC_COMPRESSION_LZ4_FRAME or _ZSTD). On success `*out`/`*out_len` are the
 * uncompressed bytes: inside `src` when stored uncompressed, in a block of `holder`
 * otherwise, NULL/0 when empty. `label` and `input_offset` (where src is in the input)
 * go into error messages.
 *
 * Bounds on the declared uncompressed length, checked before anything is allocated (a
 * few bytes of input may declare gigabytes):
 *   - `need` >= 0: what the buffer's role needs (a bitmap of the node's length, its
 *     offsets, its values...); the declared length may exceed it by padding only, up to
 *     ARTEMIS_IPC_CODEC_PADDING(need), else ARTEMIS_E_INVALID_INPUT. -1: not known (the
 *     data buffers of view arrays).
 *   - `max_bytes`: what the message may still decompress (max_body_bytes minus the
 *     message's buffers decompressed so far), else ARTEMIS_E_LIMIT.
 * Errors: ARTEMIS_E_INVALID_INPUT (short prefix, bad length, more than `need` allows,
 * corrupt frame, size mismatch), ARTEMIS_E_LIMIT, ARTEMIS_E_NOMEM. */
#define ARTEMIS_IPC_CODEC_PADDING(need) ((((need) + 63) / 64) * 64 + 64)
int artemis_ipc_codec_decode(artemis_ipc_codec* codec, int compression, const uint8_t* src, int64_t src_len,
                             int64_t need, int64_t max_bytes, artemis_ipc_holder* holder, const uint8_t** out,
                             int64_t* out_len, const char* label, int64_t input_offset, artemis_error* error);

#endif
