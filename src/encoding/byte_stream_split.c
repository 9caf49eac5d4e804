/* BYTE_STREAM_SPLIT (Encodings.md, BYTE_STREAM_SPLIT = 9). */
#include "artemis/error.h"
#include "encoding/encoders.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#define BSS_HAVE_SSE2 1
#else
#define BSS_HAVE_SSE2 0
#endif

#if BSS_HAVE_SSE2
/* 16 values at a time, as a transpose in registers (SSE2 is part of x86-64):
 *   width 4: each register of 4 values is regrouped by byte index ([b0 of v0..v3, b1 of
 *            v0..v3, ...]) with two byte interleaves, then a 4x4 transpose of 32-bit lanes
 *            gives 16 bytes of each stream;
 *   width 8: each register of 2 values is interleaved bytewise into 16-bit lanes per byte
 *            index, then an 8x8 transpose of 16-bit lanes gives 16 bytes of each stream.
 * Returns the number of values done (a multiple of 16); the caller finishes the rest. */
static size_t split_4_sse2(const uint8_t* values, size_t n, uint8_t* streams) {
  size_t i = 0;
  for (; n - i >= 16; i += 16) {
    __m128i u[4];
    for (int m = 0; m < 4; m++) {
      __m128i x = _mm_loadu_si128((const __m128i*)(const void*)(values + 4 * i + 16 * (size_t)m));
      __m128i t = _mm_unpacklo_epi8(x, _mm_unpackhi_epi64(x, x));
      u[m] = _mm_unpacklo_epi8(t, _mm_unpackhi_epi64(t, t));
    }
    __m128i p0 = _mm_unpacklo_epi32(u[0], u[1]), p1 = _mm_unpackhi_epi32(u[0], u[1]);
    __m128i p2 = _mm_unpacklo_epi32(u[2], u[3]), p3 = _mm_unpackhi_epi32(u[2], u[3]);
    _mm_storeu_si128((__m128i*)(void*)(streams + i), _mm_unpacklo_epi64(p0, p2));
    _mm_storeu_si128((__m128i*)(void*)(streams + n + i), _mm_unpackhi_epi64(p0, p2));
    _mm_storeu_si128((__m128i*)(void*)(streams + 2 * n + i), _mm_unpacklo_epi64(p1, p3));
    _mm_storeu_si128((__m128i*)(void*)(streams + 3 * n + i), _mm_unpackhi_epi64(p1, p3));
  }
  return i;
}

static size_t split_8_sse2(const uint8_t* values, size_t n, uint8_t* streams) {
  size_t i = 0;
  for (; n - i >= 16; i += 16) {
    __m128i y[8], a[8], b[8];
    for (int m = 0; m < 8; m++) {
      __m128i x = _mm_loadu_si128((const __m128i*)(const void*)(values + 8 * i + 16 * (size_t)m));
      y[m] = _mm_unpacklo_epi8(x, _mm_unpackhi_epi64(x, x));
    }
    for (int m = 0; m < 8; m += 2) {
      a[m] = _mm_unpacklo_epi16(y[m], y[m + 1]);
      a[m + 1] = _mm_unpackhi_epi16(y[m], y[m + 1]);
    }
    /* b[0..3]: lanes {0,1}, {2,3}, {4,5}, {6,7} of values 0..7; b[4..7]: of values 8..15. */
    for (int h = 0; h < 8; h += 4) {
      b[h] = _mm_unpacklo_epi32(a[h], a[h + 2]);
      b[h + 1] = _mm_unpackhi_epi32(a[h], a[h + 2]);
      b[h + 2] = _mm_unpacklo_epi32(a[h + 1], a[h + 3]);
      b[h + 3] = _mm_unpackhi_epi32(a[h + 1], a[h + 3]);
    }
    for (int j = 0; j < 4; j++) {
      _mm_storeu_si128((__m128i*)(void*)(streams + (size_t)(2 * j) * n + i), _mm_unpacklo_epi64(b[j], b[j + 4]));
      _mm_storeu_si128((__m128i*)(void*)(streams + (size_t)(2 * j + 1) * n + i), _mm_unpackhi_epi64(b[j], b[j + 4]));
    }
  }
  return i;
}
#endif

/* FLOAT and DOUBLE get straight-line loops: every stream's write position stays in a
 * register and each iteration is one value. */
static void split_4(const uint8_t* restrict values, size_t n, uint8_t* restrict streams) {
  uint8_t* s0 = streams;
  uint8_t* s1 = s0 + n;
  uint8_t* s2 = s1 + n;
  uint8_t* s3 = s2 + n;
  size_t i = 0;
#if BSS_HAVE_SSE2
  i = split_4_sse2(values, n, streams);
#endif
  for (; i < n; i++) {
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
  size_t i = 0;
#if BSS_HAVE_SSE2
  i = split_8_sse2(values, n, streams);
#endif
  for (; i < n; i++) {
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
