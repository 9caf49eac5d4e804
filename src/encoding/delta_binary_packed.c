/* DELTA_BINARY_PACKED (Encodings.md, DELTA_BINARY_PACKED = 5) with blocks of 128 values
 * split into 4 miniblocks of 32.
 *
 * All arithmetic is unsigned on the value's own width, so deltas wrap mod 2^32 (INT32) or
 * mod 2^64 (INT64) exactly as the spec asks, and a miniblock never needs more bits than
 * the physical type. Signed comparisons for the minimum delta are done on the bit
 * patterns with the sign bit flipped, which orders them like two's complement integers
 * without any implementation-defined unsigned-to-signed conversion. */
#include "artemis/error.h"
#include "encoding/bitpack.h"
#include "encoding/encoders.h"

#define BLOCK_VALUES 128
#define MINIBLOCKS 4
#define MINIBLOCK_VALUES (BLOCK_VALUES / MINIBLOCKS)
/* Block size, miniblock count, total count, first value. */
#define HEADER_MAX_BYTES (4 * ARTEMIS_ULEB128_MAX_BYTES)

/* Zigzag of a two's complement bit pattern, computed without signed arithmetic. */
static inline uint64_t zigzag_bits64(uint64_t bits) { return (bits << 1) ^ (0 - (bits >> 63)); }

/* INT32 header fields are read back as int32 by readers: zigzag the sign-extended value so
 * negative numbers stay within 5 LEB bytes. */
static inline uint64_t zigzag_bits32(uint32_t bits) {
  const uint64_t sign_extended = (uint64_t)(bits ^ UINT32_C(0x80000000)) - UINT64_C(0x80000000);
  return zigzag_bits64(sign_extended);
}

/* Caller reserved HEADER_MAX_BYTES. */
static void put_header_unchecked(artemis_buf* out, size_t n, uint64_t first_value_zigzag) {
  artemis_put_uleb128_unchecked(out, BLOCK_VALUES);
  artemis_put_uleb128_unchecked(out, MINIBLOCKS);
  artemis_put_uleb128_unchecked(out, (uint64_t)n);
  artemis_put_uleb128_unchecked(out, first_value_zigzag);
}

/* `utype` is the unsigned type of the physical width; `sign_bit` its top bit. */
#define DEFINE_DBP_ENCODER(suffix, utype, sign_bit, zigzag_bits, pack)                                  \
  static int dbp_encode_##suffix(const utype* values, size_t n, artemis_buf* out) {                     \
    const size_t per_block_max = ARTEMIS_ULEB128_MAX_BYTES + MINIBLOCKS + BLOCK_VALUES * sizeof(utype); \
    const size_t blocks = n > 1 ? (n - 1 + BLOCK_VALUES - 1) / BLOCK_VALUES : 0;                        \
    if (blocks > (SIZE_MAX - HEADER_MAX_BYTES) / per_block_max) return ARTEMIS_E_NOMEM;                 \
    if (artemis_buf_reserve(out, HEADER_MAX_BYTES + blocks * per_block_max) != ARTEMIS_OK)              \
      return ARTEMIS_E_NOMEM;                                                                           \
    put_header_unchecked(out, n, n ? zigzag_bits(values[0]) : 0);                                       \
    if (n < 2) return ARTEMIS_OK;                                                                       \
                                                                                                        \
    size_t next = 1;                                                                                    \
    while (next < n) {                                                                                  \
      const size_t count = n - next < BLOCK_VALUES ? n - next : BLOCK_VALUES;                           \
      const size_t used_miniblocks = (count + MINIBLOCK_VALUES - 1) / MINIBLOCK_VALUES;                 \
      /* Starts one before the block: the first delta is against the previous block's last. */         \
      const utype* window = values + next - 1;                                                          \
      utype deltas[BLOCK_VALUES];                                                                       \
      utype min_biased = (utype)~(utype)0;                                                              \
      /* Two simple loops rather than one: each is a candidate for vectorization. */                   \
      for (size_t k = 0; k < count; k++) deltas[k] = (utype)(window[k + 1] - window[k]);                \
      for (size_t k = 0; k < count; k++) {                                                              \
        const utype biased = (utype)(deltas[k] ^ (sign_bit));                                           \
        min_biased = biased < min_biased ? biased : min_biased;                                         \
      }                                                                                                 \
      const utype min_delta = (utype)(min_biased ^ (sign_bit));                                         \
      /* Padding deltas equal to the minimum pack to 0 and never widen the miniblock. */                \
      for (size_t k = count; k < used_miniblocks * MINIBLOCK_VALUES; k++) deltas[k] = min_delta;        \
      uint8_t widths[MINIBLOCKS] = {0};                                                                 \
      for (size_t m = 0; m < used_miniblocks; m++) {                                                    \
        utype any_bits = 0;                                                                             \
        utype* mini = deltas + m * MINIBLOCK_VALUES;                                                    \
        for (size_t k = 0; k < MINIBLOCK_VALUES; k++) {                                                 \
          mini[k] = (utype)(mini[k] - min_delta);                                                       \
          any_bits |= mini[k];                                                                          \
        }                                                                                               \
        /* The OR has the same highest set bit as the maximum. */                                      \
        widths[m] = (uint8_t)artemis_bits_needed(any_bits);                                             \
      }                                                                                                 \
      artemis_put_uleb128_unchecked(out, zigzag_bits(min_delta));                                       \
      artemis_buf_put_unchecked(out, widths, MINIBLOCKS);                                               \
      for (size_t m = 0; m < used_miniblocks; m++) {                                                    \
        pack(deltas + m * MINIBLOCK_VALUES, MINIBLOCK_VALUES, widths[m], out->data + out->len);         \
        out->len += (size_t)MINIBLOCK_VALUES / 8 * widths[m];                                           \
      }                                                                                                 \
      next += count;                                                                                    \
    }                                                                                                   \
    return ARTEMIS_OK;                                                                                  \
  }

/* Most INT64 miniblocks (timestamps, ids, counters) need at most 32 bits; those take the
 * faster 32-bit packer. */
static inline void pack_miniblock_u64(const uint64_t* values, size_t count, int bit_width, uint8_t* out) {
  if (bit_width > 32) {
    artemis_bitpack_u64(values, count, bit_width, out);
    return;
  }
  uint32_t narrow[MINIBLOCK_VALUES];
  for (size_t k = 0; k < MINIBLOCK_VALUES; k++) narrow[k] = (uint32_t)values[k];
  artemis_bitpack_u32(narrow, count, bit_width, out);
}

DEFINE_DBP_ENCODER(u32, uint32_t, UINT32_C(0x80000000), zigzag_bits32, artemis_bitpack_u32)
DEFINE_DBP_ENCODER(u64, uint64_t, UINT64_C(0x8000000000000000), zigzag_bits64, pack_miniblock_u64)

int artemis_dbp_encode_int32(const int32_t* values, size_t n, artemis_buf* out) {
  /* Signed and unsigned variants of a type may alias; the encoder works on bit patterns. */
  return dbp_encode_u32((const uint32_t*)values, n, out);
}

int artemis_dbp_encode_uint32(const uint32_t* values, size_t n, artemis_buf* out) {
  return dbp_encode_u32(values, n, out);
}

int artemis_dbp_encode_int64(const int64_t* values, size_t n, artemis_buf* out) {
  return dbp_encode_u64((const uint64_t*)values, n, out);
}
