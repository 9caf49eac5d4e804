/* RLE / bit-packed hybrid (Encodings.md, RLE = 3).
 *
 * One pass over the input: at each position the length of the run of equal values is
 * measured. Runs long enough to pay for an RLE header become RLE runs; everything else
 * accumulates into a pending bit-packed section. Bit-packed runs hold whole groups of 8
 * values and only the very last group may be padded (the reader stops at num_values), so
 * before an RLE run the pending section borrows the first few values of that run to end
 * on a group boundary; the run stays RLE only if at least 8 values are left after that. */
#include <string.h>

#include "artemis/error.h"
#include "encoding/bitpack.h"
#include "encoding/encoders.h"

/* Encodings.md note 3: both run lengths must fit in a signed 32-bit integer. */
#define MAX_RUN_VALUES ((size_t)INT32_MAX)
#define MAX_PACKED_GROUPS (MAX_RUN_VALUES / 8)
#define MIN_RLE_RUN 8
/* Worst case for one run header plus an RLE value (at most 4 bytes for bit width 32). */
#define MAX_RUN_OVERHEAD (ARTEMIS_ULEB128_MAX_BYTES + 4)

static inline size_t run_length_u32(const uint32_t* values, size_t start, size_t n) {
  const uint32_t first = values[start];
  size_t i = start + 1;
  while (i < n && values[i] == first) i++;
  return i - start;
}

/* Definition levels are mostly long runs of 1: compare 8 levels per step. */
static inline size_t run_length_u8(const uint8_t* values, size_t start, size_t n) {
  const uint8_t first = values[start];
  const uint64_t pattern = first * UINT64_C(0x0101010101010101);
  size_t i = start + 1;
  while (n - i >= 8) {
    uint64_t word;
    memcpy(&word, values + i, sizeof word);
    if (word != pattern) break;
    i += 8;
  }
  while (i < n && values[i] == first) i++;
  return i - start;
}

static int emit_rle_runs(artemis_buf* out, uint32_t value, size_t count, int value_bytes) {
  while (count > 0) {
    const size_t run = count < MAX_RUN_VALUES ? count : MAX_RUN_VALUES;
    if (artemis_encoding_ensure_room(out, MAX_RUN_OVERHEAD) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
    artemis_put_uleb128_unchecked(out, (uint64_t)run << 1);
    for (int b = 0; b < value_bytes; b++) artemis_buf_put_u8_unchecked(out, (uint8_t)(value >> (8 * b)));
    count -= run;
  }
  return ARTEMIS_OK;
}

/* Bit-packed runs for `count` values; only a final partial group is zero-padded, so
 * callers pass a multiple of 8 except for the tail of the input. */
#define DEFINE_RLE_HYBRID_ENCODER(suffix, type)                                                     \
  static int emit_packed_runs_##suffix(artemis_buf* out, const type* values, size_t count,          \
                                       int bit_width) {                                             \
    while (count > 0) {                                                                             \
      const size_t groups_left = count / 8 + (count % 8 != 0);                                      \
      const size_t groups = groups_left < MAX_PACKED_GROUPS ? groups_left : MAX_PACKED_GROUPS;      \
      const size_t taken = groups * 8 < count ? groups * 8 : count;                                 \
      const size_t body = groups * (size_t)bit_width;                                               \
      if (artemis_encoding_ensure_room(out, ARTEMIS_ULEB128_MAX_BYTES + body) != ARTEMIS_OK)        \
        return ARTEMIS_E_NOMEM;                                                                     \
      artemis_put_uleb128_unchecked(out, ((uint64_t)groups << 1) | 1);                              \
      const size_t whole = taken & ~(size_t)7;                                                      \
      uint8_t* packed = out->data + out->len;                                                       \
      artemis_bitpack_##suffix(values, whole, bit_width, packed);                                   \
      if (whole < taken) {                                                                          \
        type last_group[8] = {0};                                                                   \
        memcpy(last_group, values + whole, (taken - whole) * sizeof(type));                         \
        artemis_bitpack_##suffix(last_group, 8, bit_width, packed + whole / 8 * (size_t)bit_width); \
      }                                                                                             \
      out->len += body;                                                                             \
      values += taken;                                                                              \
      count -= taken;                                                                               \
    }                                                                                               \
    return ARTEMIS_OK;                                                                              \
  }                                                                                                 \
                                                                                                    \
  static int rle_hybrid_encode_##suffix(const type* values, size_t n, int bit_width,                \
                                        artemis_buf* out) {                                         \
    const int value_bytes = (bit_width + 7) / 8;                                                    \
    if (n == 0) return ARTEMIS_OK;                                                                  \
    /* Every value is 0: one RLE run with no value bytes. */                                       \
    if (bit_width == 0) return emit_rle_runs(out, 0, n, 0);                                         \
    /* Enough for the all-bit-packed layout, which is what most inputs come close to. */           \
    if (artemis_buf_reserve(out, (n / 8 + 1) * (size_t)bit_width + MAX_RUN_OVERHEAD) != ARTEMIS_OK) \
      return ARTEMIS_E_NOMEM;                                                                       \
    size_t pending_start = 0;                                                                       \
    size_t i = 0;                                                                                   \
    while (i < n) {                                                                                 \
      const size_t run = run_length_##suffix(values, i, n);                                         \
      if (run >= MIN_RLE_RUN) {                                                                     \
        const size_t pending = i - pending_start;                                                   \
        const size_t borrowed = (8 - pending % 8) % 8;                                              \
        if (run - borrowed >= MIN_RLE_RUN) {                                                        \
          if (pending + borrowed > 0 &&                                                             \
              emit_packed_runs_##suffix(out, values + pending_start, pending + borrowed, bit_width) \
                  != ARTEMIS_OK)                                                                    \
            return ARTEMIS_E_NOMEM;                                                                 \
          if (emit_rle_runs(out, values[i], run - borrowed, value_bytes) != ARTEMIS_OK)             \
            return ARTEMIS_E_NOMEM;                                                                 \
          i += run;                                                                                 \
          pending_start = i;                                                                        \
          continue;                                                                                 \
        }                                                                                           \
      }                                                                                             \
      i += run;                                                                                     \
    }                                                                                               \
    if (pending_start < n)                                                                          \
      return emit_packed_runs_##suffix(out, values + pending_start, n - pending_start, bit_width);  \
    return ARTEMIS_OK;                                                                              \
  }

DEFINE_RLE_HYBRID_ENCODER(u32, uint32_t)
DEFINE_RLE_HYBRID_ENCODER(u8, uint8_t)

/* Runs are written as they are found, so a failure midway drops what was written: the
 * caller sees the buffer as it was before the call. */
int artemis_rle_hybrid_encode(const uint32_t* values, size_t n, int bit_width, artemis_buf* out) {
  const size_t start = out->len;
  const int status = rle_hybrid_encode_u32(values, n, bit_width, out);
  if (status != ARTEMIS_OK) out->len = start;
  return status;
}

int artemis_rle_hybrid_encode_u8(const uint8_t* values, size_t n, int bit_width, artemis_buf* out) {
  const size_t start = out->len;
  const int status = rle_hybrid_encode_u8(values, n, bit_width, out);
  if (status != ARTEMIS_OK) out->len = start;
  return status;
}
