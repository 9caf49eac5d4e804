#include "support/reference_decoders.h"

#include <stdlib.h>

int ref_read_uleb(ref_reader* r, uint64_t* value) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (r->pos >= r->len) return -1;
    uint8_t byte = r->data[r->pos++];
    v |= (uint64_t)(byte & 0x7F) << shift;
    if (!(byte & 0x80)) {
      *value = v;
      return 0;
    }
  }
  return -1;
}

uint64_t ref_read_bits_at(const uint8_t* data, size_t first_bit, int bit_width) {
  uint64_t v = 0;
  for (int b = 0; b < bit_width; b++) {
    size_t bit = first_bit + (size_t)b;
    v |= (uint64_t)((data[bit / 8] >> (bit % 8)) & 1) << b;
  }
  return v;
}

uint64_t ref_unzigzag(uint64_t z) { return (z >> 1) ^ (0 - (z & 1)); }

/* ---- RLE / bit-packed hybrid (bit by bit, straight from the grammar) ---- */

int ref_rle_hybrid_decode(const uint8_t* data, size_t len, int bit_width, size_t n, uint32_t* values) {
  ref_reader r = {data, len, 0};
  size_t produced = 0;
  const uint64_t limit = bit_width == 32 ? UINT64_C(0xFFFFFFFF) : ((UINT64_C(1) << bit_width) - 1);
  while (produced < n) {
    uint64_t header;
    if (ref_read_uleb(&r, &header)) return -1;
    if (header & 1) {
      uint64_t groups = header >> 1;
      if (groups == 0 || groups * 8 > INT32_MAX) return -1;
      size_t body = (size_t)groups * (size_t)bit_width;
      if (body > len - r.pos) return -1;
      for (size_t k = 0; k < groups * 8; k++) {
        uint32_t v = (uint32_t)ref_read_bits_at(data + r.pos, k * (size_t)bit_width, bit_width);
        if (produced < n) {
          values[produced++] = v;
        } else if (v != 0) {
          return -1;
        }
      }
      r.pos += body;
    } else {
      uint64_t count = header >> 1;
      if (count == 0 || count > INT32_MAX || count > n - produced) return -1;
      int value_bytes = (bit_width + 7) / 8;
      if ((size_t)value_bytes > len - r.pos) return -1;
      uint64_t v = 0;
      for (int b = 0; b < value_bytes; b++) v |= (uint64_t)data[r.pos++] << (8 * b);
      if (v > limit) return -1;
      for (uint64_t k = 0; k < count; k++) values[produced++] = (uint32_t)v;
    }
  }
  return r.pos == len ? 0 : -1;
}

/* ---- DELTA_BINARY_PACKED ---- */

/* One stream at r->pos; 0 with r->pos just past it, or -1. */
static int dbp_decode_at(ref_reader* r, int is_int32, uint64_t* values, size_t capacity, size_t* count) {
  uint64_t block_size, miniblocks, total, first;
  if (ref_read_uleb(r, &block_size) || block_size != 128) return -1;
  if (ref_read_uleb(r, &miniblocks) || miniblocks != 4) return -1;
  if (ref_read_uleb(r, &total) || total > capacity) return -1;
  if (ref_read_uleb(r, &first)) return -1;
  if (is_int32 && first > UINT32_MAX) return -1;
  const uint64_t value_mask = is_int32 ? UINT32_MAX : UINT64_MAX;
  const int max_width = is_int32 ? 32 : 64;
  *count = (size_t)total;
  if (total == 0) return 0;
  uint64_t previous = ref_unzigzag(first) & value_mask;
  values[0] = previous;
  size_t produced = 1;
  while (produced < total) {
    uint64_t min_zigzag;
    if (ref_read_uleb(r, &min_zigzag)) return -1;
    if (is_int32 && min_zigzag > UINT32_MAX) return -1;
    const uint64_t min_delta = ref_unzigzag(min_zigzag);
    if (r->len - r->pos < 4) return -1;
    const uint8_t* widths = r->data + r->pos;
    r->pos += 4;
    for (int m = 0; m < 4; m++) {
      if (produced >= total) {
        if (widths[m] != 0) return -1;
        continue;
      }
      const int width = widths[m];
      if (width > max_width) return -1;
      const size_t body = (size_t)width * 32 / 8;
      if (r->len - r->pos < body) return -1;
      for (size_t k = 0; k < 32; k++) {
        const uint64_t relative = ref_read_bits_at(r->data + r->pos, k * (size_t)width, width);
        if (produced < total) {
          previous = (previous + min_delta + relative) & value_mask;
          values[produced++] = previous;
        } else if (relative != 0) {
          return -1;
        }
      }
      r->pos += body;
    }
  }
  return 0;
}

size_t ref_dbp_decode(const uint8_t* data, size_t len, int is_int32, uint64_t* values, size_t capacity,
                      size_t* count) {
  ref_reader r = {data, len, 0};
  return dbp_decode_at(&r, is_int32, values, capacity, count) == 0 ? r.pos : 0;
}

int ref_dbp_decode_u32(ref_reader* r, uint32_t* values, size_t capacity, size_t* count) {
  uint64_t* wide = malloc((capacity ? capacity : 1) * sizeof *wide);
  if (!wide) return -1;
  int rc = dbp_decode_at(r, 1, wide, capacity, count);
  if (rc == 0) {
    for (size_t i = 0; i < *count; i++) values[i] = (uint32_t)wide[i];
  }
  free(wide);
  return rc;
}
