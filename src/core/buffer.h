/* Growable byte buffer over an artemis_mem. The building block of every encoder: encoders
 * append to a buffer and report ARTEMIS_E_NOMEM if it cannot grow. */
#ifndef ARTEMIS_CORE_BUFFER_H
#define ARTEMIS_CORE_BUFFER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "core/memory.h"

typedef struct artemis_buf {
  uint8_t* data;
  size_t len;
  size_t cap;
  artemis_mem* mem;
} artemis_buf;

void artemis_buf_init(artemis_buf* buf, artemis_mem* mem);
void artemis_buf_free(artemis_buf* buf);
/* Ensures room for `extra` more bytes. ARTEMIS_OK or ARTEMIS_E_NOMEM (also on overflow). */
int artemis_buf_reserve(artemis_buf* buf, size_t extra);
int artemis_buf_append(artemis_buf* buf, const void* bytes, size_t n);
/* Releases memory beyond `keep_cap` bytes (used between row groups). */
void artemis_buf_shrink(artemis_buf* buf, size_t keep_cap);

static inline void artemis_buf_clear(artemis_buf* buf) { buf->len = 0; }

/* Appends without checking capacity: caller reserved. */
static inline void artemis_buf_put_unchecked(artemis_buf* buf, const void* bytes, size_t n) {
  if (n) memcpy(buf->data + buf->len, bytes, n);
  buf->len += n;
}
static inline void artemis_buf_put_u8_unchecked(artemis_buf* buf, uint8_t v) { buf->data[buf->len++] = v; }

int artemis_buf_append_u8(artemis_buf* buf, uint8_t v);
int artemis_buf_append_u32le(artemis_buf* buf, uint32_t v);
/* Unsigned LEB128 (ULEB128 / varint). */
int artemis_buf_append_uleb128(artemis_buf* buf, uint64_t v);
/* ZigZag then ULEB128, for signed values. */
int artemis_buf_append_zigzag(artemis_buf* buf, int64_t v);

#endif
