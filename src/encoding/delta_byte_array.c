/* DELTA_BYTE_ARRAY (Encodings.md, DELTA_BYTE_ARRAY = 7): prefix lengths shared with the
 * previous value, suffix lengths, then the suffix bytes. The previous value of the first
 * one is the empty string, so each call (one page) starts fresh as readers expect. */
#include <string.h>

#include "artemis/error.h"
#include "core/byte_compare.h"
#include "encoding/encoders.h"

static inline uint32_t common_prefix_length(const uint8_t* a, uint32_t a_len, const uint8_t* b,
                                            uint32_t b_len) {
  return (uint32_t)artemis_first_mismatch(a, b, 0, a_len < b_len ? a_len : b_len);
}

static int encode_prefixes_and_suffixes(const uint32_t* lengths, const uint8_t* bytes, size_t n,
                                        artemis_buf* scratch, artemis_buf* out) {
  if (n == 0) {
    if (artemis_dbp_encode_uint32(NULL, 0, out) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
    return artemis_dbp_encode_uint32(NULL, 0, out);
  }
  if (n > SIZE_MAX / (2 * sizeof(uint32_t))) return ARTEMIS_E_NOMEM;
  static const uint8_t no_bytes[1] = {0};
  /* Arrow leaves the data buffer NULL when every value is empty; stepping through it
   * with zero-length pointer arithmetic would still be undefined behaviour. */
  if (!bytes) bytes = no_bytes;
  artemis_buf_clear(scratch);
  if (artemis_buf_reserve(scratch, 2 * n * sizeof(uint32_t)) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
  /* Buffer memory comes from the allocator, aligned for any scalar type. */
  uint32_t* prefix_lengths = (uint32_t*)(void*)scratch->data;
  uint32_t* suffix_lengths = prefix_lengths + n;
  scratch->len = 2 * n * sizeof(uint32_t);

  const uint8_t* previous = bytes;
  uint32_t previous_length = 0;
  const uint8_t* current = bytes;
  size_t suffix_total = 0;
  for (size_t i = 0; i < n; i++) {
    const uint32_t length = lengths[i];
    const uint32_t prefix = common_prefix_length(previous, previous_length, current, length);
    prefix_lengths[i] = prefix;
    suffix_lengths[i] = length - prefix;
    suffix_total += length - prefix;
    previous = current;
    previous_length = length;
    current += length;
  }

  if (artemis_dbp_encode_uint32(prefix_lengths, n, out) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
  if (artemis_dbp_encode_uint32(suffix_lengths, n, out) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
  if (artemis_buf_reserve(out, suffix_total) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
  current = bytes;
  for (size_t i = 0; i < n; i++) {
    artemis_buf_put_unchecked(out, current + prefix_lengths[i], suffix_lengths[i]);
    current += lengths[i];
  }
  return ARTEMIS_OK;
}

/* Three streams are appended one after the other; a failure in a later one drops the
 * earlier ones so the caller never sees a half-written page body. */
int artemis_dba_encode(const uint32_t* lengths, const uint8_t* bytes, size_t n, artemis_buf* scratch,
                       artemis_buf* out) {
  const size_t start = out->len;
  const int status = encode_prefixes_and_suffixes(lengths, bytes, n, scratch, out);
  if (status != ARTEMIS_OK) out->len = start;
  return status;
}
