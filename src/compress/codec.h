/* Page compression. One compression context per writer, reused for every page (zstd's
 * context setup is far more expensive than compressing a 1 MiB page). libzstd allocates
 * through the writer's allocator, so its memory is counted and capped too. */
#ifndef ARTEMIS_COMPRESS_CODEC_H
#define ARTEMIS_COMPRESS_CODEC_H

#include <stddef.h>
#include "artemis/options.h"
#include "core/buffer.h"
#include "core/memory.h"

typedef struct artemis_codec {
  artemis_compression kind;
  int level;
  void* zstd_cctx;
  artemis_mem* mem;
} artemis_codec;

int artemis_codec_init(artemis_codec* codec, artemis_mem* mem, artemis_compression kind, int level);
void artemis_codec_free(artemis_codec* codec);

/* Replaces `out` with the compressed form of src[0..n) (for UNCOMPRESSED, `out` is left
 * untouched and *result points at src). *result / *result_len give the bytes to write.
 * ARTEMIS_OK, ARTEMIS_E_NOMEM, or ARTEMIS_E_INTERNAL (codec error). */
int artemis_codec_compress(artemis_codec* codec, const uint8_t* src, size_t n, artemis_buf* out,
                           const uint8_t** result, size_t* result_len);

#endif
