#include "core/buffer.h"

#include "artemis/error.h"

void artemis_buf_init(artemis_buf* buf, artemis_mem* mem) {
  buf->data = NULL;
  buf->len = 0;
  buf->cap = 0;
  buf->mem = mem;
}

void artemis_buf_free(artemis_buf* buf) {
  artemis_mem_free(buf->mem, buf->data);
  buf->data = NULL;
  buf->len = 0;
  buf->cap = 0;
}

int artemis_buf_reserve(artemis_buf* buf, size_t extra) {
  if (extra <= buf->cap - buf->len) return ARTEMIS_OK;
  if (extra > SIZE_MAX / 2 - buf->len) return ARTEMIS_E_NOMEM;
  size_t need = buf->len + extra;
  size_t cap = buf->cap ? buf->cap : 64;
  while (cap < need) cap += cap / 2 + 64; /* 1.5x growth: less slack than doubling */
  uint8_t* grown = artemis_mem_realloc(buf->mem, buf->data, cap);
  if (!grown) return ARTEMIS_E_NOMEM;
  buf->data = grown;
  buf->cap = cap;
  return ARTEMIS_OK;
}

void artemis_buf_shrink(artemis_buf* buf, size_t keep_cap) {
  if (buf->cap <= keep_cap) return;
  if (buf->len > keep_cap) return;
  if (keep_cap == 0) {
    artemis_mem_free(buf->mem, buf->data);
    buf->data = NULL;
    buf->cap = 0;
    return;
  }
  uint8_t* shrunk = artemis_mem_realloc(buf->mem, buf->data, keep_cap);
  if (shrunk) {
    buf->data = shrunk;
    buf->cap = keep_cap;
  }
}

int artemis_buf_append(artemis_buf* buf, const void* bytes, size_t n) {
  if (artemis_buf_reserve(buf, n) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
  artemis_buf_put_unchecked(buf, bytes, n);
  return ARTEMIS_OK;
}

int artemis_buf_append_u8(artemis_buf* buf, uint8_t v) { return artemis_buf_append(buf, &v, 1); }

int artemis_buf_append_u32le(artemis_buf* buf, uint32_t v) {
  uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  return artemis_buf_append(buf, b, 4);
}

int artemis_buf_append_uleb128(artemis_buf* buf, uint64_t v) {
  uint8_t b[10];
  size_t n = 0;
  do {
    uint8_t byte = (uint8_t)(v & 0x7F);
    v >>= 7;
    if (v) byte |= 0x80;
    b[n++] = byte;
  } while (v);
  return artemis_buf_append(buf, b, n);
}

int artemis_buf_append_zigzag(artemis_buf* buf, int64_t v) {
  uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
  return artemis_buf_append_uleb128(buf, z);
}
