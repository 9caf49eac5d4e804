/* BYTE_STREAM_SPLIT (Encodings.md, BYTE_STREAM_SPLIT = 9). */
#include "artemis/error.h"
#include "encoding/encoders.h"

/* FLOAT and DOUBLE get straight-line loops: every stream's write position stays in a
 * register and each iteration is one value. */
static void split_4(const uint8_t* restrict values, size_t n, uint8_t* restrict streams) {
  uint8_t* s0 = streams;
  uint8_t* s1 = s0 + n;
  uint8_t* s2 = s1 + n;
  uint8_t* s3 = s2 + n;
  for (size_t i = 0; i < n; i++) {
    const uint8_t* v = values + 4 * i;
    s0[i] = v[0];
    s1[i] = v[1];
    s2[i] = v[2];
    s3[i] = v[3];
  }
}

static void split_8(const uint8_t* restrict values, size_t n, uint8_t* restrict streams) {
  uint8_t* s0 = streams;
  uint8_t* s1 = s0 + n;
  uint8_t* s2 = s1 + n;
  uint8_t* s3 = s2 + n;
  uint8_t* s4 = s3 + n;
  uint8_t* s5 = s4 + n;
  uint8_t* s6 = s5 + n;
  uint8_t* s7 = s6 + n;
  for (size_t i = 0; i < n; i++) {
    const uint8_t* v = values + 8 * i;
    s0[i] = v[0];
    s1[i] = v[1];
    s2[i] = v[2];
    s3[i] = v[3];
    s4[i] = v[4];
    s5[i] = v[5];
    s6[i] = v[6];
    s7[i] = v[7];
  }
}

/* Other widths (FIXED_LEN_BYTE_ARRAY): one stream at a time. */
static void split_any_width(const uint8_t* values, size_t n, size_t width, uint8_t* streams) {
  for (size_t j = 0; j < width; j++) {
    uint8_t* stream = streams + j * n;
    const uint8_t* source = values + j;
    for (size_t i = 0; i < n; i++) stream[i] = source[i * width];
  }
}

int artemis_bss_encode(const uint8_t* values, size_t n, size_t width, artemis_buf* out) {
  if (width != 0 && n > SIZE_MAX / width) return ARTEMIS_E_NOMEM;
  const size_t total = n * width;
  if (total == 0) return ARTEMIS_OK;
  if (artemis_buf_reserve(out, total) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
  uint8_t* streams = out->data + out->len;
  if (width == 4) {
    split_4(values, n, streams);
  } else if (width == 8) {
    split_8(values, n, streams);
  } else {
    split_any_width(values, n, width, streams);
  }
  out->len += total;
  return ARTEMIS_OK;
}
