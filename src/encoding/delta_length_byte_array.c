/* DELTA_LENGTH_BYTE_ARRAY (Encodings.md, DELTA_LENGTH_BYTE_ARRAY = 6). */
#include "artemis/error.h"
#include "encoding/encoders.h"

int artemis_dlba_encode(const uint32_t* lengths, const uint8_t* bytes, size_t n, artemis_buf* out) {
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    if (lengths[i] > SIZE_MAX - total) return ARTEMIS_E_NOMEM;
    total += lengths[i];
  }
  const size_t start = out->len;
  if (artemis_dbp_encode_uint32(lengths, n, out) != ARTEMIS_OK ||
      artemis_buf_append(out, bytes, total) != ARTEMIS_OK) {
    out->len = start; /* no half-written stream on failure */
    return ARTEMIS_E_NOMEM;
  }
  return ARTEMIS_OK;
}
