/* Private helpers shared by the RLE/bit-packed hybrid and DELTA_BINARY_PACKED encoders:
 * LSB-first bit packing (Encodings.md, RLE section, note 1), little-endian stores and
 * unchecked ULEB128 writes for use after a single artemis_buf_reserve. */
#ifndef ARTEMIS_ENCODING_BITPACK_H
#define ARTEMIS_ENCODING_BITPACK_H

#include <stddef.h>
#include <stdint.h>
#include "core/buffer.h"

/* ULEB128 of a uint64 never exceeds 10 bytes. */
#define ARTEMIS_ULEB128_MAX_BYTES 10

static inline int artemis_bits_needed(uint64_t max_value) {
#if defined(__GNUC__) || defined(__clang__)
  return max_value ? 64 - __builtin_clzll(max_value) : 0;
#else
  int bits = 0;
  while (max_value) {
    max_value >>= 1;
    bits++;
  }
  return bits;
#endif
}

static inline uint64_t artemis_low_bits_mask(int bit_width) {
  return bit_width >= 64 ? UINT64_MAX : (((uint64_t)1 << bit_width) - 1);
}

/* Spelled out byte by byte so the output is little endian on any host; compilers turn
 * these into single stores on little-endian targets. */
static inline void artemis_store_le32(uint8_t* out, uint32_t v) {
  out[0] = (uint8_t)v;
  out[1] = (uint8_t)(v >> 8);
  out[2] = (uint8_t)(v >> 16);
  out[3] = (uint8_t)(v >> 24);
}

static inline void artemis_store_le64(uint8_t* out, uint64_t v) {
  artemis_store_le32(out, (uint32_t)v);
  artemis_store_le32(out + 4, (uint32_t)(v >> 32));
}

static inline uint64_t artemis_zigzag64(int64_t v) {
  return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

/* Caller reserved ARTEMIS_ULEB128_MAX_BYTES. */
static inline void artemis_put_uleb128_unchecked(artemis_buf* out, uint64_t v) {
  uint8_t* p = out->data + out->len;
  while (v >= 0x80) {
    *p++ = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  *p++ = (uint8_t)v;
  out->len = (size_t)(p - out->data);
}

/* Capacity check that stays inline on the common path where one up-front reservation
 * already covers the whole call. */
static inline int artemis_encoding_ensure_room(artemis_buf* out, size_t extra) {
  if (extra <= out->cap - out->len) return 0;
  return artemis_buf_reserve(out, extra);
}

#if defined(__GNUC__) || defined(__clang__)
#define ARTEMIS_ALWAYS_INLINE inline __attribute__((always_inline))
#define ARTEMIS_UNROLL_32 _Pragma("GCC unroll 32")
#else
#define ARTEMIS_ALWAYS_INLINE inline
#define ARTEMIS_UNROLL_32
#endif

#define ARTEMIS_PACK_CASE(block, w) \
  case w:                           \
    block(values, w, out);          \
    return;

/* The packers below write `count` values (count a multiple of 8) of `bit_width` bits each,
 * LSB first, to exactly count * bit_width / 8 bytes at `out`. Bits above bit_width in the
 * inputs are ignored so a bad value cannot corrupt its neighbours.
 *
 * 32-bit inputs (bit_width <= 32): the 64-bit accumulator holds < 32 pending bits plus one
 * value, so it flushes a 32-bit word whenever at least 32 bits are pending. Blocks of 32
 * values end on a word boundary; for them the width is made a compile-time constant (one
 * switch per block) so the unrolled loop has constant shifts and no branches, about three
 * times faster than the general loop that handles the last < 32 values. */
#define ARTEMIS_DEFINE_PACK32(name, type)                                                          \
  static inline void name##_general(const type* values, size_t count, int bit_width, uint8_t* out) { \
    const uint64_t mask = artemis_low_bits_mask(bit_width);                                        \
    uint64_t acc = 0;                                                                              \
    int pending = 0;                                                                               \
    for (size_t i = 0; i < count; i++) {                                                           \
      acc |= ((uint64_t)values[i] & mask) << pending;                                              \
      pending += bit_width;                                                                        \
      if (pending >= 32) {                                                                         \
        artemis_store_le32(out, (uint32_t)acc);                                                    \
        out += 4;                                                                                  \
        acc >>= 32;                                                                                \
        pending -= 32;                                                                             \
      }                                                                                            \
    }                                                                                              \
    /* count is a multiple of 8, so what is left is whole bytes. */                                \
    for (; pending > 0; pending -= 8) {                                                            \
      *out++ = (uint8_t)acc;                                                                       \
      acc >>= 8;                                                                                   \
    }                                                                                              \
  }                                                                                                \
                                                                                                   \
  /* Same loop; 32 values always end on a word boundary. */                                       \
  static ARTEMIS_ALWAYS_INLINE void name##_block32(const type* values, int bit_width, uint8_t* out) { \
    const uint64_t mask = artemis_low_bits_mask(bit_width);                                        \
    uint64_t acc = 0;                                                                              \
    int pending = 0;                                                                               \
    ARTEMIS_UNROLL_32                                                                              \
    for (int i = 0; i < 32; i++) {                                                                 \
      acc |= ((uint64_t)values[i] & mask) << pending;                                              \
      pending += bit_width;                                                                        \
      if (pending >= 32) {                                                                         \
        artemis_store_le32(out, (uint32_t)acc);                                                    \
        out += 4;                                                                                  \
        acc >>= 32;                                                                                \
        pending -= 32;                                                                             \
      }                                                                                            \
    }                                                                                              \
  }                                                                                                \
                                                                                                   \
  static inline void name##_block32_any_width(const type* values, int bit_width, uint8_t* out) {   \
    switch (bit_width) {                                                                           \
      ARTEMIS_PACK_CASE(name##_block32, 1) ARTEMIS_PACK_CASE(name##_block32, 2)                    \
      ARTEMIS_PACK_CASE(name##_block32, 3) ARTEMIS_PACK_CASE(name##_block32, 4)                    \
      ARTEMIS_PACK_CASE(name##_block32, 5) ARTEMIS_PACK_CASE(name##_block32, 6)                    \
      ARTEMIS_PACK_CASE(name##_block32, 7) ARTEMIS_PACK_CASE(name##_block32, 8)                    \
      ARTEMIS_PACK_CASE(name##_block32, 9) ARTEMIS_PACK_CASE(name##_block32, 10)                   \
      ARTEMIS_PACK_CASE(name##_block32, 11) ARTEMIS_PACK_CASE(name##_block32, 12)                  \
      ARTEMIS_PACK_CASE(name##_block32, 13) ARTEMIS_PACK_CASE(name##_block32, 14)                  \
      ARTEMIS_PACK_CASE(name##_block32, 15) ARTEMIS_PACK_CASE(name##_block32, 16)                  \
      ARTEMIS_PACK_CASE(name##_block32, 17) ARTEMIS_PACK_CASE(name##_block32, 18)                  \
      ARTEMIS_PACK_CASE(name##_block32, 19) ARTEMIS_PACK_CASE(name##_block32, 20)                  \
      ARTEMIS_PACK_CASE(name##_block32, 21) ARTEMIS_PACK_CASE(name##_block32, 22)                  \
      ARTEMIS_PACK_CASE(name##_block32, 23) ARTEMIS_PACK_CASE(name##_block32, 24)                  \
      ARTEMIS_PACK_CASE(name##_block32, 25) ARTEMIS_PACK_CASE(name##_block32, 26)                  \
      ARTEMIS_PACK_CASE(name##_block32, 27) ARTEMIS_PACK_CASE(name##_block32, 28)                  \
      ARTEMIS_PACK_CASE(name##_block32, 29) ARTEMIS_PACK_CASE(name##_block32, 30)                  \
      ARTEMIS_PACK_CASE(name##_block32, 31) ARTEMIS_PACK_CASE(name##_block32, 32)                  \
      default:                                                                                     \
        name##_general(values, 32, bit_width, out);                                                \
        return;                                                                                    \
    }                                                                                              \
  }                                                                                                \
                                                                                                   \
  static inline void name(const type* values, size_t count, int bit_width, uint8_t* out) {         \
    if (bit_width == 0) return;                                                                    \
    size_t i = 0;                                                                                  \
    for (; count - i >= 32; i += 32) {                                                             \
      name##_block32_any_width(values + i, bit_width, out);                                        \
      out += 4 * (size_t)bit_width;                                                                \
    }                                                                                              \
    if (i < count) name##_general(values + i, count - i, bit_width, out);                          \
  }

ARTEMIS_DEFINE_PACK32(artemis_bitpack_u32, uint32_t)
ARTEMIS_DEFINE_PACK32(artemis_bitpack_u8, uint8_t)

#undef ARTEMIS_DEFINE_PACK32
#undef ARTEMIS_PACK_CASE

/* 64-bit inputs (bit_width <= 64): a value may straddle the 64-bit word boundary, so the
 * bits that did not fit are carried into the next word. */
static inline void artemis_bitpack_u64(const uint64_t* values, size_t count, int bit_width, uint8_t* out) {
  const uint64_t mask = artemis_low_bits_mask(bit_width);
  uint64_t acc = 0;
  int pending = 0;
  if (bit_width == 0) return;
  for (size_t i = 0; i < count; i++) {
    uint64_t v = values[i] & mask;
    acc |= v << pending;
    if (pending + bit_width >= 64) {
      artemis_store_le64(out, acc);
      out += 8;
      acc = pending ? v >> (64 - pending) : 0;
      pending = pending + bit_width - 64;
    } else {
      pending += bit_width;
    }
  }
  for (; pending > 0; pending -= 8) {
    *out++ = (uint8_t)acc;
    acc >>= 8;
  }
}

#endif
