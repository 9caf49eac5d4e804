#include "ipc/ipc_codec.h"

#include <lz4frame.h>
#include <string.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "core/errors.h"
#include "ipc/flatbuffer_reader.h"
#include "ipc/ipc_metadata.h"

#define LZ4_FRAME_MAGIC 0x184D2204u
#define LZ4_FLG_CONTENT_SIZE 0x08u

void artemis_ipc_codec_init(artemis_ipc_codec* codec) {
  codec->zstd = NULL;
  codec->lz4 = NULL;
}

void artemis_ipc_codec_free(artemis_ipc_codec* codec) {
  if (codec->zstd) ZSTD_freeDCtx(codec->zstd);
  if (codec->lz4) LZ4F_freeDecompressionContext(codec->lz4);
  artemis_ipc_codec_init(codec);
}

static int fail(artemis_error* error, int code, const char* label, int64_t at, const char* what, long long a,
                long long b) {
  return artemis_set_error_at(error, code, -1, -1, at, "%s: %s (declared %lld, got %lld) (byte %lld)", label, what, a,
                              b, (long long)at);
}

/* The frame's own content size, when its header records one. */
static bool frame_content_size(int compression, const uint8_t* src, size_t len, uint64_t* size) {
  if (compression == ARTEMIS_IPC_COMPRESSION_ZSTD) {
    unsigned long long n = ZSTD_getFrameContentSize(src, len);
    if (n == ZSTD_CONTENTSIZE_UNKNOWN || n == ZSTD_CONTENTSIZE_ERROR) return false;
    *size = n;
    return true;
  }
  /* LZ4 frame: magic, FLG (bit 3: content size present), BD, then the u64 size. */
  if (len < 14 || artemis_load_u32le(src) != LZ4_FRAME_MAGIC || (src[4] & LZ4_FLG_CONTENT_SIZE) == 0) return false;
  *size = artemis_load_u64le(src + 6);
  return true;
}

static int lz4_decode(artemis_ipc_codec* codec, const uint8_t* src, size_t src_len, uint8_t* dst, size_t dst_len,
                      size_t* produced) {
  if (!codec->lz4) {
    LZ4F_dctx* dctx = NULL;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION))) return ARTEMIS_E_NOMEM;
    codec->lz4 = dctx;
  }
  LZ4F_dctx* dctx = codec->lz4;
  LZ4F_resetDecompressionContext(dctx);
  size_t in_pos = 0, out_pos = 0;
  for (;;) {
    size_t in = src_len - in_pos, out = dst_len - out_pos;
    size_t hint = LZ4F_decompress(dctx, dst + out_pos, &out, src + in_pos, &in, NULL);
    if (LZ4F_isError(hint)) {
      LZ4F_resetDecompressionContext(dctx);
      return ARTEMIS_E_INVALID_INPUT;
    }
    in_pos += in;
    out_pos += out;
    if (hint == 0 && in_pos == src_len) break;          /* frame(s) complete, input used up */
    if (in == 0 && out == 0) {                          /* no progress: output full or input short */
      LZ4F_resetDecompressionContext(dctx);
      *produced = out_pos == dst_len ? dst_len + 1 : out_pos; /* dst_len + 1: "more than declared" */
      return ARTEMIS_E_INVALID_INPUT;
    }
  }
  *produced = out_pos;
  return ARTEMIS_OK;
}

static int zstd_decode(artemis_ipc_codec* codec, const uint8_t* src, size_t src_len, uint8_t* dst, size_t dst_len,
                       size_t* produced) {
  if (!codec->zstd) {
    codec->zstd = ZSTD_createDCtx();
    if (!codec->zstd) return ARTEMIS_E_NOMEM;
  }
  size_t n = ZSTD_decompressDCtx(codec->zstd, dst, dst_len, src, src_len);
  if (ZSTD_isError(n)) {
    *produced = ZSTD_getErrorCode(n) == ZSTD_error_dstSize_tooSmall ? dst_len + 1 : 0;
    return ARTEMIS_E_INVALID_INPUT;
  }
  *produced = n;
  return ARTEMIS_OK;
}

int artemis_ipc_codec_decode(artemis_ipc_codec* codec, int compression, const uint8_t* src, int64_t src_len,
                             int64_t need, int64_t max_bytes, artemis_ipc_holder* holder, const uint8_t** out,
                             int64_t* out_len, const char* label, int64_t input_offset, artemis_error* error) {
  *out = NULL;
  *out_len = 0;
  if (src_len == 0) return ARTEMIS_OK;
  if (src_len < 8)
    return fail(error, ARTEMIS_E_INVALID_INPUT, label, input_offset,
                "compressed buffer shorter than its 8-byte length prefix", 8, src_len);
  int64_t declared = artemis_load_i64le(src);
  const uint8_t* payload = src + 8;
  size_t payload_len = (size_t)(src_len - 8);
  if (declared == -1) {
    *out = payload;
    *out_len = (int64_t)payload_len;
    return ARTEMIS_OK;
  }
  if (declared < 0)
    return fail(error, ARTEMIS_E_INVALID_INPUT, label, input_offset, "negative uncompressed length", declared, 0);
  /* The decompression-bomb bounds (a 1.3 MB stream of 40 one-row columns whose bitmaps
   * each declared 1 GiB made the CLI allocate 5 GB when only max_body_bytes bounded
   * each buffer): the role's need, then the message's budget. */
  if (need >= 0 && need <= INT64_MAX / 2 && declared > ARTEMIS_IPC_CODEC_PADDING(need))
    return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, -1, -1, input_offset,
                                "%s: declares %lld uncompressed bytes, its layout needs %lld (at most %lld with "
                                "padding) (byte %lld)",
                                label, (long long)declared, (long long)need,
                                (long long)ARTEMIS_IPC_CODEC_PADDING(need), (long long)input_offset);
  if (declared > max_bytes || (uint64_t)declared > SIZE_MAX - 64)
    return artemis_set_error_at(error, ARTEMIS_E_LIMIT, -1, -1, input_offset,
                                "%s: declares %lld uncompressed bytes; the message's decompressed buffers would "
                                "exceed max_body_bytes (%lld left) (byte %lld)",
                                label, (long long)declared, (long long)(max_bytes < 0 ? 0 : max_bytes),
                                (long long)input_offset);
  if (declared == 0) return ARTEMIS_OK;
  uint64_t recorded;
  if (frame_content_size(compression, payload, payload_len, &recorded) && recorded != (uint64_t)declared)
    return fail(error, ARTEMIS_E_INVALID_INPUT, label, input_offset,
                "uncompressed length differs from the frame's content size", declared, (long long)recorded);
  uint8_t* dst = artemis_ipc_holder_alloc(holder, (size_t)declared);
  if (!dst)
    return artemis_set_error_at(error, ARTEMIS_E_NOMEM, -1, -1, input_offset,
                                "%s: out of memory for a %lld-byte decompressed buffer (byte %lld)", label,
                                (long long)declared, (long long)input_offset);
  size_t produced = 0;
  int rc = compression == ARTEMIS_IPC_COMPRESSION_ZSTD
               ? zstd_decode(codec, payload, payload_len, dst, (size_t)declared, &produced)
               : lz4_decode(codec, payload, payload_len, dst, (size_t)declared, &produced);
  if (rc == ARTEMIS_E_NOMEM)
    return artemis_set_error_at(error, ARTEMIS_E_NOMEM, -1, -1, input_offset,
                                "%s: out of memory for a decompression context (byte %lld)", label,
                                (long long)input_offset);
  if (rc != ARTEMIS_OK) {
    if (produced > (size_t)declared)
      return fail(error, ARTEMIS_E_INVALID_INPUT, label, input_offset,
                  "buffer decompresses to more than its declared length", declared, (long long)produced);
    return fail(error, ARTEMIS_E_INVALID_INPUT, label, input_offset,
                compression == ARTEMIS_IPC_COMPRESSION_ZSTD ? "corrupt ZSTD frame" : "corrupt LZ4 frame", declared,
                (long long)produced);
  }
  if (produced != (size_t)declared)
    return fail(error, ARTEMIS_E_INVALID_INPUT, label, input_offset,
                "decompressed size differs from the declared length", declared, (long long)produced);
  *out = dst;
  *out_len = declared;
  return ARTEMIS_OK;
}
