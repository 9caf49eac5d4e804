/* PLAIN (Encodings.md, PLAIN = 0). Inputs are already little endian, so fixed-width
 * values are a straight copy. */
#include <string.h>

#include "artemis/error.h"
#include "encoding/bitpack.h"
#include "encoding/encoders.h"

int artemis_plain_encode_fixed(const uint8_t* values, size_t n, size_t width, artemis_buf* out) {
  if (width != 0 && n > SIZE_MAX / width) return ARTEMIS_E_NOMEM;
  return artemis_buf_append(out, values, n * width);
}

/* Eight booleans per byte, first value in the least significant bit. */
static inline uint8_t pack_bool_byte(const uint8_t* v) {
  return (uint8_t)((v[0] != 0) | (v[1] != 0) << 1 | (v[2] != 0) << 2 | (v[3] != 0) << 3 |
                   (v[4] != 0) << 4 | (v[5] != 0) << 5 | (v[6] != 0) << 6 | (v[7] != 0) << 7);
}

int artemis_plain_encode_bool(const uint8_t* values, size_t n, artemis_buf* out) {
  const size_t whole = n / 8;
  const size_t rest = n % 8;
  if (n == 0) return ARTEMIS_OK;
  if (artemis_buf_reserve(out, whole + (rest != 0)) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
  uint8_t* dst = out->data + out->len;
  for (size_t i = 0; i < whole; i++) dst[i] = pack_bool_byte(values + 8 * i);
  if (rest) {
    uint8_t last[8] = {0};
    memcpy(last, values + 8 * whole, rest);
    dst[whole] = pack_bool_byte(last);
  }
  out->len += whole + (rest != 0);
  return ARTEMIS_OK;
}

int artemis_plain_encode_byte_array(const uint32_t* lengths, const uint8_t* bytes, size_t n,
                                    artemis_buf* out) {
  static const uint8_t no_bytes[1] = {0};
  /* Arrow leaves the data buffer NULL when every value is empty; stepping through it
   * with zero-length pointer arithmetic would still be undefined behaviour. */
  if (!bytes) bytes = no_bytes;
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    if (lengths[i] > SIZE_MAX - 4 - total) return ARTEMIS_E_NOMEM;
    total += 4 + (size_t)lengths[i];
  }
  if (total == 0) return ARTEMIS_OK;
  if (artemis_buf_reserve(out, total) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
  uint8_t* dst = out->data + out->len;
  for (size_t i = 0; i < n; i++) {
    artemis_store_le32(dst, lengths[i]);
    if (lengths[i]) memcpy(dst + 4, bytes, lengths[i]);
    dst += 4 + (size_t)lengths[i];
    bytes += lengths[i];
  }
  out->len += total;
  return ARTEMIS_OK;
}
