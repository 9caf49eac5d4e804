#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_createCCtx_advanced: route zstd's memory through ours */
#include "compress/codec.h"

#include <zstd.h>
#include <zstd_errors.h>

#include "artemis/error.h"

static void* zstd_alloc(void* opaque, size_t size) { return artemis_mem_alloc(opaque, size); }
static void zstd_free(void* opaque, void* address) { artemis_mem_free(opaque, address); }

int artemis_codec_init(artemis_codec* codec, artemis_mem* mem, artemis_compression kind, int level) {
  codec->kind = kind;
  codec->level = level;
  codec->mem = mem;
  codec->zstd_cctx = NULL;
  if (kind == ARTEMIS_COMPRESSION_ZSTD) {
    ZSTD_customMem custom = {zstd_alloc, zstd_free, mem};
    codec->zstd_cctx = ZSTD_createCCtx_advanced(custom);
    if (!codec->zstd_cctx) return ARTEMIS_E_NOMEM;
  }
  return ARTEMIS_OK;
}

void artemis_codec_free(artemis_codec* codec) {
  if (codec->zstd_cctx) ZSTD_freeCCtx(codec->zstd_cctx);
  codec->zstd_cctx = NULL;
}

int artemis_codec_compress(artemis_codec* codec, const uint8_t* src, size_t n, artemis_buf* out,
                           const uint8_t** result, size_t* result_len) {
  if (codec->kind == ARTEMIS_COMPRESSION_UNCOMPRESSED) {
    *result = src;
    *result_len = n;
    return ARTEMIS_OK;
  }
  size_t bound = ZSTD_compressBound(n);
  artemis_buf_clear(out);
  if (artemis_buf_reserve(out, bound) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
  size_t written = ZSTD_compressCCtx(codec->zstd_cctx, out->data, bound, src, n, codec->level);
  if (ZSTD_isError(written)) {
    /* Allocation failures inside zstd surface as memory_allocation errors. */
    return ZSTD_getErrorCode(written) == ZSTD_error_memory_allocation ? ARTEMIS_E_NOMEM : ARTEMIS_E_INTERNAL;
  }
  out->len = written;
  *result = out->data;
  *result_len = written;
  return ARTEMIS_OK;
}
