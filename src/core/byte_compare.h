/* Where two byte strings first differ, for the per-value loops that compare byte arrays
 * sharing long prefixes (URIs, paths): statistics min/max, DELTA_BYTE_ARRAY prefixes and
 * dictionary equality of long values.
 * A libc memcmp call costs more than the comparison itself on such short strings and
 * does not say where the strings differ. */
#ifndef ARTEMIS_CORE_BYTE_COMPARE_H
#define ARTEMIS_CORE_BYTE_COMPARE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Index of the first byte in [from, limit) where a and b differ, or limit if none; the
 * caller knows that the bytes before `from` are equal. Blocks are compared whole (16
 * bytes with SSE2, else 8 on little-endian hosts) and the first differing byte is found
 * from the lowest set bit of the difference. A tail shorter than a block is compared as
 * the range's last block, which overlaps bytes already known to be equal. */
static inline size_t artemis_first_mismatch(const uint8_t* a, const uint8_t* b, size_t from, size_t limit) {
  size_t k = from;
#if defined(__SSE2__)
  if (limit - k >= 16) {
    for (;;) {
      __m128i va = _mm_loadu_si128((const __m128i*)(const void*)(a + k));
      __m128i vb = _mm_loadu_si128((const __m128i*)(const void*)(b + k));
      unsigned differ = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(va, vb)) ^ 0xFFFFu;
      if (differ) return k + (size_t)__builtin_ctz(differ);
      if (k + 16 == limit) return limit;
      k = limit - k >= 32 ? k + 16 : limit - 16;
    }
  }
#endif
#if (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (limit - k >= 8) {
    for (;;) {
      uint64_t wa, wb;
      memcpy(&wa, a + k, 8);
      memcpy(&wb, b + k, 8);
      if (wa != wb) return k + (size_t)(__builtin_ctzll(wa ^ wb) >> 3);
      if (k + 8 == limit) return limit;
      k = limit - k >= 16 ? k + 8 : limit - 8;
    }
  }
#endif
  while (k < limit && a[k] == b[k]) k++;
  return k;
}

#endif
