#include "stats/statistics.h"

#include <math.h>
#include <string.h>

#include "artemis/error.h"
#include "core/byte_compare.h"

/* ---- little-endian loads and stores (the normalized physical form is LE) ---- */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define STATS_HOST_BIG_ENDIAN 1
#else
#define STATS_HOST_BIG_ENDIAN 0
#endif

static inline uint16_t load_u16(const uint8_t* p) { return (uint16_t)(p[0] | (p[1] << 8)); }

static inline void store_u16(uint8_t* p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}

static inline uint32_t load_u32(const uint8_t* p) {
  uint32_t v;
  memcpy(&v, p, 4);
#if STATS_HOST_BIG_ENDIAN
  v = __builtin_bswap32(v);
#endif
  return v;
}

static inline void store_u32(uint8_t* p, uint32_t v) {
#if STATS_HOST_BIG_ENDIAN
  v = __builtin_bswap32(v);
#endif
  memcpy(p, &v, 4);
}

static inline uint64_t load_u64(const uint8_t* p) {
  uint64_t v;
  memcpy(&v, p, 8);
#if STATS_HOST_BIG_ENDIAN
  v = __builtin_bswap64(v);
#endif
  return v;
}

static inline void store_u64(uint8_t* p, uint64_t v) {
#if STATS_HOST_BIG_ENDIAN
  v = __builtin_bswap64(v);
#endif
  memcpy(p, &v, 8);
}

static inline float load_f32(const uint8_t* p) {
  uint32_t bits = load_u32(p);
  float f;
  memcpy(&f, &bits, 4);
  return f;
}

static inline void store_f32(uint8_t* p, float f) {
  uint32_t bits;
  memcpy(&bits, &f, 4);
  store_u32(p, bits);
}

static inline double load_f64(const uint8_t* p) {
  uint64_t bits = load_u64(p);
  double d;
  memcpy(&d, &bits, 8);
  return d;
}

static inline void store_f64(uint8_t* p, double d) {
  uint64_t bits;
  memcpy(&bits, &d, 8);
  store_u64(p, bits);
}

/* binary16 maps to an unsigned key whose integer order is the numeric order: negative
 * values are bit-inverted, positive ones get the sign bit set. -0 is folded onto +0
 * first so that the two zeros compare equal, as they do for float and double. */
static inline uint16_t float16_key(uint16_t bits) {
  if (bits == 0x8000) bits = 0;
  uint16_t flip = (uint16_t)((uint16_t)(0u - (uint16_t)(bits >> 15)) | 0x8000u);
  return (uint16_t)(bits ^ flip);
}

static inline uint16_t float16_from_key(uint16_t key) {
  return (key & 0x8000) ? (uint16_t)(key ^ 0x8000) : (uint16_t)~key;
}

static inline int float16_is_nan(uint16_t bits) { return (bits & 0x7FFF) > 0x7C00; }

/* ---- orders on raw values ---- */

/* Bytewise order of a and b, given m = artemis_first_mismatch(a, b, 0, min(a_len, b_len)). */
static inline int order_at_mismatch(const uint8_t* a, size_t a_len, const uint8_t* b, size_t b_len, size_t m) {
  if (m < a_len && m < b_len) return a[m] < b[m] ? -1 : 1;
  return (a_len > b_len) - (a_len < b_len);
}

static inline int compare_bytes(const uint8_t* a, size_t a_len, const uint8_t* b, size_t b_len) {
  size_t common = a_len < b_len ? a_len : b_len;
  if (common) {
    int c = memcmp(a, b, common);
    if (c != 0) return c;
  }
  return (a_len > b_len) - (a_len < b_len);
}

/* Big-endian two's complement of possibly different widths: the shorter value is
 * conceptually sign-extended. */
static int compare_decimal_be(const uint8_t* a, size_t a_len, const uint8_t* b, size_t b_len) {
  int a_negative = a_len > 0 && (a[0] & 0x80);
  int b_negative = b_len > 0 && (b[0] & 0x80);
  if (a_negative != b_negative) return a_negative ? -1 : 1;
  const uint8_t extension = a_negative ? 0xFF : 0x00;
  /* Same sign: beyond the sign, the magnitude bits compare as unsigned big-endian. */
  while (a_len > b_len) {
    if (*a != extension) return *a > extension ? 1 : -1;
    a++;
    a_len--;
  }
  while (b_len > a_len) {
    if (*b != extension) return extension > *b ? 1 : -1;
    b++;
    b_len--;
  }
  return a_len ? memcmp(a, b, a_len) : 0;
}

/* Equal-width decimal compare for the hot loop: the first byte carries the sign. */
static inline int compare_decimal_fixed(const uint8_t* a, const uint8_t* b, size_t width) {
  int8_t a0 = (int8_t)a[0];
  int8_t b0 = (int8_t)b[0];
  if (a0 != b0) return a0 < b0 ? -1 : 1;
  return memcmp(a + 1, b + 1, width - 1);
}

int artemis_stats_compare(artemis_sort_kind kind, size_t width, const uint8_t* a, size_t a_len,
                          const uint8_t* b, size_t b_len) {
  (void)width;
  switch (kind) {
    case ARTEMIS_SORT_INT32:
      if (a_len >= 4 && b_len >= 4) {
        int32_t x = (int32_t)load_u32(a), y = (int32_t)load_u32(b);
        return (x > y) - (x < y);
      }
      break;
    case ARTEMIS_SORT_UINT32:
      if (a_len >= 4 && b_len >= 4) {
        uint32_t x = load_u32(a), y = load_u32(b);
        return (x > y) - (x < y);
      }
      break;
    case ARTEMIS_SORT_INT64:
      if (a_len >= 8 && b_len >= 8) {
        int64_t x = (int64_t)load_u64(a), y = (int64_t)load_u64(b);
        return (x > y) - (x < y);
      }
      break;
    case ARTEMIS_SORT_UINT64:
      if (a_len >= 8 && b_len >= 8) {
        uint64_t x = load_u64(a), y = load_u64(b);
        return (x > y) - (x < y);
      }
      break;
    case ARTEMIS_SORT_FLOAT:
      if (a_len >= 4 && b_len >= 4) {
        float x = load_f32(a), y = load_f32(b);
        return (x > y) - (x < y);
      }
      break;
    case ARTEMIS_SORT_DOUBLE:
      if (a_len >= 8 && b_len >= 8) {
        double x = load_f64(a), y = load_f64(b);
        return (x > y) - (x < y);
      }
      break;
    case ARTEMIS_SORT_FLOAT16:
      if (a_len >= 2 && b_len >= 2) {
        uint16_t x = float16_key(load_u16(a)), y = float16_key(load_u16(b));
        return (x > y) - (x < y);
      }
      break;
    case ARTEMIS_SORT_DECIMAL_BE:
      return compare_decimal_be(a, a_len, b, b_len);
    case ARTEMIS_SORT_BYTES:
    case ARTEMIS_SORT_BOOLEAN:
      return compare_bytes(a, a_len, b, b_len);
  }
  /* Malformed (short) input: order by length so the result is at least consistent. */
  return compare_bytes(a, a_len, b, b_len);
}

/* ---- accumulator ---- */

static size_t natural_width(artemis_sort_kind kind, size_t width) {
  switch (kind) {
    case ARTEMIS_SORT_INT32:
    case ARTEMIS_SORT_UINT32:
    case ARTEMIS_SORT_FLOAT: return 4;
    case ARTEMIS_SORT_INT64:
    case ARTEMIS_SORT_UINT64:
    case ARTEMIS_SORT_DOUBLE: return 8;
    case ARTEMIS_SORT_FLOAT16: return 2;
    case ARTEMIS_SORT_BOOLEAN: return 1;
    case ARTEMIS_SORT_BYTES:
    case ARTEMIS_SORT_DECIMAL_BE: return width;
  }
  return width;
}

static int is_float_kind(artemis_sort_kind kind) {
  return kind == ARTEMIS_SORT_FLOAT || kind == ARTEMIS_SORT_DOUBLE || kind == ARTEMIS_SORT_FLOAT16;
}

void artemis_stats_init(artemis_stats* stats, artemis_mem* mem, artemis_sort_kind kind, size_t width) {
  stats->kind = kind;
  stats->width = natural_width(kind, width);
  stats->has_min_max = 0;
  stats->null_count = 0;
  stats->nan_count = 0;
  stats->value_count = 0;
  artemis_buf_init(&stats->min, mem);
  artemis_buf_init(&stats->max, mem);
}

void artemis_stats_free(artemis_stats* stats) {
  artemis_buf_free(&stats->min);
  artemis_buf_free(&stats->max);
  stats->has_min_max = 0;
}

void artemis_stats_reset(artemis_stats* stats) {
  stats->has_min_max = 0;
  stats->null_count = 0;
  stats->nan_count = 0;
  stats->value_count = 0;
  artemis_buf_clear(&stats->min);
  artemis_buf_clear(&stats->max);
}

/* Fixed-width kinds keep min and max in the buffers at exactly `width` bytes; making
 * the room once up front lets the loops below finish without a failure path. */
static int reserve_fixed(artemis_stats* stats) {
  size_t width = stats->width;
  if (stats->min.cap < width && artemis_buf_reserve(&stats->min, width - stats->min.len) != ARTEMIS_OK)
    return ARTEMIS_E_NOMEM;
  if (stats->max.cap < width && artemis_buf_reserve(&stats->max, width - stats->max.len) != ARTEMIS_OK)
    return ARTEMIS_E_NOMEM;
  stats->min.len = width;
  stats->max.len = width;
  return ARTEMIS_OK;
}

/* The loops start from the identity of min/max when nothing was seen yet, so the body
 * has no first-value special case and compiles to branchless min/max. Four independent
 * accumulator chains keep the loop from being bound by the latency of one compare-and-
 * select chain (64-bit min/max has no SIMD form on baseline x86-64, so ILP is what we
 * get). */
#define STATS_MINMAX_STEP(lo, hi, v) \
  do {                               \
    lo = (v) < lo ? (v) : lo;        \
    hi = (v) > hi ? (v) : hi;        \
  } while (0)

/* Lows fold only into lows and highs into highs: a chain that saw no value still holds
 * the identity, which is neutral only on its own side. */
#define STATS_FOLD_CHAINS(lo0, lo1, lo2, lo3, hi0, hi1, hi2, hi3) \
  do {                                                            \
    lo0 = lo1 < lo0 ? lo1 : lo0;                                  \
    lo0 = lo2 < lo0 ? lo2 : lo0;                                  \
    lo0 = lo3 < lo0 ? lo3 : lo0;                                  \
    hi0 = hi1 > hi0 ? hi1 : hi0;                                  \
    hi0 = hi2 > hi0 ? hi2 : hi0;                                  \
    hi0 = hi3 > hi0 ? hi3 : hi0;                                  \
  } while (0)

#define STATS_INT_UPDATE(name, type, bits, load, store, type_min, type_max)          \
  static void name(artemis_stats* stats, const uint8_t* values, size_t n) {           \
    type lo0 = type_max, hi0 = type_min;                                               \
    if (stats->has_min_max) {                                                          \
      lo0 = (type)load(stats->min.data);                                               \
      hi0 = (type)load(stats->max.data);                                               \
    }                                                                                  \
    type lo1 = lo0, lo2 = lo0, lo3 = lo0, hi1 = hi0, hi2 = hi0, hi3 = hi0;             \
    const size_t step = bits / 8;                                                      \
    size_t i = 0;                                                                      \
    for (; i + 4 <= n; i += 4) {                                                       \
      const uint8_t* p = values + i * step;                                            \
      type v0 = (type)load(p), v1 = (type)load(p + step);                              \
      type v2 = (type)load(p + 2 * step), v3 = (type)load(p + 3 * step);               \
      STATS_MINMAX_STEP(lo0, hi0, v0);                                                 \
      STATS_MINMAX_STEP(lo1, hi1, v1);                                                 \
      STATS_MINMAX_STEP(lo2, hi2, v2);                                                 \
      STATS_MINMAX_STEP(lo3, hi3, v3);                                                 \
    }                                                                                  \
    for (; i < n; i++) {                                                               \
      type v = (type)load(values + i * step);                                          \
      STATS_MINMAX_STEP(lo0, hi0, v);                                                  \
    }                                                                                  \
    STATS_FOLD_CHAINS(lo0, lo1, lo2, lo3, hi0, hi1, hi2, hi3);                         \
    store(stats->min.data, (uint##bits##_t)lo0);                                       \
    store(stats->max.data, (uint##bits##_t)hi0);                                       \
    stats->has_min_max = 1;                                                            \
  }

STATS_INT_UPDATE(update_int32, int32_t, 32, load_u32, store_u32, INT32_MIN, INT32_MAX)
STATS_INT_UPDATE(update_uint32, uint32_t, 32, load_u32, store_u32, 0, UINT32_MAX)
STATS_INT_UPDATE(update_int64, int64_t, 64, load_u64, store_u64, INT64_MIN, INT64_MAX)
STATS_INT_UPDATE(update_uint64, uint64_t, 64, load_u64, store_u64, 0, UINT64_MAX)

/* A NaN v makes both compares false, so NaNs never displace min or max; starting from
 * +inf/-inf is exact because an infinity that is seen is the true extreme anyway.
 * has_min_max is set only when some value was not NaN. */
#define STATS_FLOAT_UPDATE(name, type, width, load, store, huge)                     \
  static void name(artemis_stats* stats, const uint8_t* values, size_t n) {           \
    type lo0 = (huge), hi0 = -(huge);                                                  \
    if (stats->has_min_max) {                                                          \
      lo0 = load(stats->min.data);                                                     \
      hi0 = load(stats->max.data);                                                     \
    }                                                                                  \
    type lo1 = lo0, lo2 = lo0, lo3 = lo0, hi1 = hi0, hi2 = hi0, hi3 = hi0;             \
    int64_t nans = 0;                                                                  \
    size_t i = 0;                                                                      \
    for (; i + 4 <= n; i += 4) {                                                       \
      const uint8_t* p = values + i * (width);                                         \
      type v0 = load(p), v1 = load(p + (width));                                       \
      type v2 = load(p + 2 * (width)), v3 = load(p + 3 * (width));                     \
      nans += (v0 != v0) + (v1 != v1) + (v2 != v2) + (v3 != v3);                       \
      STATS_MINMAX_STEP(lo0, hi0, v0);                                                 \
      STATS_MINMAX_STEP(lo1, hi1, v1);                                                 \
      STATS_MINMAX_STEP(lo2, hi2, v2);                                                 \
      STATS_MINMAX_STEP(lo3, hi3, v3);                                                 \
    }                                                                                  \
    for (; i < n; i++) {                                                               \
      type v = load(values + i * (width));                                             \
      nans += (v != v);                                                                \
      STATS_MINMAX_STEP(lo0, hi0, v);                                                  \
    }                                                                                  \
    STATS_FOLD_CHAINS(lo0, lo1, lo2, lo3, hi0, hi1, hi2, hi3);                         \
    stats->nan_count += nans;                                                          \
    if (stats->has_min_max || (int64_t)n > nans) {                                     \
      store(stats->min.data, lo0);                                                     \
      store(stats->max.data, hi0);                                                     \
      stats->has_min_max = 1;                                                          \
    }                                                                                  \
  }

STATS_FLOAT_UPDATE(update_float, float, 4, load_f32, store_f32, INFINITY)
STATS_FLOAT_UPDATE(update_double, double, 8, load_f64, store_f64, (double)INFINITY)

static void update_float16(artemis_stats* stats, const uint8_t* values, size_t n) {
  uint16_t lo = 0xFFFF, hi = 0;
  if (stats->has_min_max) {
    lo = float16_key(load_u16(stats->min.data));
    hi = float16_key(load_u16(stats->max.data));
  }
  int64_t nans = 0;
  for (size_t i = 0; i < n; i++) {
    uint16_t bits = load_u16(values + i * 2);
    if (float16_is_nan(bits)) {
      nans++;
      continue;
    }
    uint16_t key = float16_key(bits);
    lo = key < lo ? key : lo;
    hi = key > hi ? key : hi;
  }
  stats->nan_count += nans;
  if (stats->has_min_max || (int64_t)n > nans) {
    store_u16(stats->min.data, float16_from_key(lo));
    store_u16(stats->max.data, float16_from_key(hi));
    stats->has_min_max = 1;
  }
}

static void update_boolean(artemis_stats* stats, const uint8_t* values, size_t n) {
  unsigned all_true = 1, any_true = 0;
  if (stats->has_min_max) {
    all_true = stats->min.data[0];
    any_true = stats->max.data[0];
  }
  for (size_t i = 0; i < n; i++) {
    unsigned v = values[i] != 0;
    all_true &= v;
    any_true |= v;
  }
  stats->min.data[0] = (uint8_t)all_true;
  stats->max.data[0] = (uint8_t)any_true;
  stats->has_min_max = 1;
}

/* FLBA kinds: track pointers to the winners and copy once at the end. The buffers may
 * themselves be the winners, hence memmove. */
static void update_flba(artemis_stats* stats, const uint8_t* values, size_t n) {
  const size_t width = stats->width;
  const uint8_t* lo = values;
  const uint8_t* hi = values;
  if (stats->has_min_max) {
    lo = stats->min.data;
    hi = stats->max.data;
  }
  if (stats->kind == ARTEMIS_SORT_DECIMAL_BE) {
    for (size_t i = 0; i < n; i++) {
      const uint8_t* v = values + i * width;
      if (compare_decimal_fixed(v, lo, width) < 0) lo = v;
      if (compare_decimal_fixed(v, hi, width) > 0) hi = v;
    }
  } else {
    for (size_t i = 0; i < n; i++) {
      const uint8_t* v = values + i * width;
      if (memcmp(v, lo, width) < 0) lo = v;
      if (memcmp(v, hi, width) > 0) hi = v;
    }
  }
  if (lo != stats->min.data) memmove(stats->min.data, lo, width);
  if (hi != stats->max.data) memmove(stats->max.data, hi, width);
  stats->has_min_max = 1;
}

int artemis_stats_update_fixed(artemis_stats* stats, const uint8_t* values, size_t n) {
  if (n == 0) return ARTEMIS_OK;
  if (stats->width == 0) return ARTEMIS_E_INVALID_ARGUMENT;
  if (reserve_fixed(stats) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
  switch (stats->kind) {
    case ARTEMIS_SORT_INT32: update_int32(stats, values, n); break;
    case ARTEMIS_SORT_UINT32: update_uint32(stats, values, n); break;
    case ARTEMIS_SORT_INT64: update_int64(stats, values, n); break;
    case ARTEMIS_SORT_UINT64: update_uint64(stats, values, n); break;
    case ARTEMIS_SORT_FLOAT: update_float(stats, values, n); break;
    case ARTEMIS_SORT_DOUBLE: update_double(stats, values, n); break;
    case ARTEMIS_SORT_FLOAT16: update_float16(stats, values, n); break;
    case ARTEMIS_SORT_BOOLEAN: update_boolean(stats, values, n); break;
    case ARTEMIS_SORT_BYTES:
    case ARTEMIS_SORT_DECIMAL_BE: update_flba(stats, values, n); break;
    default: return ARTEMIS_E_INVALID_ARGUMENT;
  }
  stats->value_count += (int64_t)n;
  return ARTEMIS_OK;
}

/* Replaces a byte-array min/max; on failure the old value is kept. */
static int set_bytes(artemis_buf* buf, const uint8_t* value, size_t len) {
  if (len > buf->cap && artemis_buf_reserve(buf, len - buf->len) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
  if (len) memmove(buf->data, value, len);
  buf->len = len;
  return ARTEMIS_OK;
}

static const uint8_t kEmptyValue[1] = {0};

int artemis_stats_update_byte_arrays(artemis_stats* stats, const uint32_t* lengths,
                                     const uint8_t* bytes, size_t n) {
  if (n == 0) return ARTEMIS_OK;
  if (stats->kind != ARTEMIS_SORT_BYTES || stats->width != 0) return ARTEMIS_E_INVALID_ARGUMENT;
  /* Winners of this batch, found without copying; merged with the stored ones below.
   * One scan per value instead of a compare against each of min and max: with
   * lcp = length of the common prefix of lo and hi (lo <= hi), a value v that is
   * greater than lo and first differs from lo at m
   *   - m > lcp: agrees with lo at lcp, where lo < hi, so v < hi;
   *   - m < lcp: exceeds lo at a byte hi shares with lo, so v > hi;
   *   - m == lcp: shares the first lcp bytes with hi; compare from there only. */
  const uint8_t* base = bytes ? bytes : kEmptyValue;
  size_t lo_off = 0, lo_len = lengths[0];
  size_t hi_off = 0, hi_len = lengths[0];
  size_t lcp = lengths[0];
  size_t offset = lengths[0];
  for (size_t i = 1; i < n; i++) {
    const size_t len = lengths[i];
    const uint8_t* v = base + offset;
    const size_t this_offset = offset;
    offset += len;
    const uint8_t* lo = base + lo_off;
    const size_t m = artemis_first_mismatch(v, lo, 0, len < lo_len ? len : lo_len);
    const int vs_lo = order_at_mismatch(v, len, lo, lo_len, m);
    if (vs_lo == 0 || (vs_lo > 0 && m > lcp)) continue; /* lo <= v < hi */
    if (vs_lo < 0) {
      lo_off = this_offset;
      lo_len = len;
    } else if (m < lcp) {
      hi_off = this_offset;
      hi_len = len;
    } else {
      const uint8_t* hi = base + hi_off;
      const size_t m2 = artemis_first_mismatch(v, hi, lcp, len < hi_len ? len : hi_len);
      if (order_at_mismatch(v, len, hi, hi_len, m2) <= 0) continue;
      hi_off = this_offset;
      hi_len = len;
    }
    lcp = artemis_first_mismatch(base + lo_off, base + hi_off, 0, lo_len < hi_len ? lo_len : hi_len);
  }
  int replace_lo = 1, replace_hi = 1;
  if (stats->has_min_max) {
    replace_lo = compare_bytes(base + lo_off, lo_len, stats->min.data, stats->min.len) < 0;
    replace_hi = compare_bytes(base + hi_off, hi_len, stats->max.data, stats->max.len) > 0;
  }
  /* Reserve both before changing either, so a failure leaves the stats untouched. */
  if (replace_lo && lo_len > stats->min.cap &&
      artemis_buf_reserve(&stats->min, lo_len - stats->min.len) != ARTEMIS_OK)
    return ARTEMIS_E_NOMEM;
  if (replace_hi && hi_len > stats->max.cap &&
      artemis_buf_reserve(&stats->max, hi_len - stats->max.len) != ARTEMIS_OK)
    return ARTEMIS_E_NOMEM;
  if (replace_lo) (void)set_bytes(&stats->min, base + lo_off, lo_len);
  if (replace_hi) (void)set_bytes(&stats->max, base + hi_off, hi_len);
  stats->has_min_max = 1;
  stats->value_count += (int64_t)n;
  return ARTEMIS_OK;
}

int artemis_stats_merge(artemis_stats* dst, const artemis_stats* src) {
  if (src->has_min_max) {
    int replace_lo = 1, replace_hi = 1;
    if (dst->has_min_max) {
      replace_lo = artemis_stats_compare(dst->kind, dst->width, src->min.data, src->min.len,
                                         dst->min.data, dst->min.len) < 0;
      replace_hi = artemis_stats_compare(dst->kind, dst->width, src->max.data, src->max.len,
                                         dst->max.data, dst->max.len) > 0;
    }
    if (replace_lo && src->min.len > dst->min.cap &&
        artemis_buf_reserve(&dst->min, src->min.len - dst->min.len) != ARTEMIS_OK)
      return ARTEMIS_E_NOMEM;
    if (replace_hi && src->max.len > dst->max.cap &&
        artemis_buf_reserve(&dst->max, src->max.len - dst->max.len) != ARTEMIS_OK)
      return ARTEMIS_E_NOMEM;
    if (replace_lo) (void)set_bytes(&dst->min, src->min.data, src->min.len);
    if (replace_hi) (void)set_bytes(&dst->max, src->max.data, src->max.len);
    dst->has_min_max = 1;
  }
  dst->null_count += src->null_count;
  dst->nan_count += src->nan_count;
  dst->value_count += src->value_count;
  return ARTEMIS_OK;
}

/* ---- encoding and truncation ---- */

/* Length of the UTF-8 sequence starting at s[0] if it is a valid, shortest-form encoding
 * of a non-surrogate scalar value within the n available bytes, else 0. */
static size_t utf8_sequence_length(const uint8_t* s, size_t n) {
  uint8_t b0 = s[0];
  if (b0 < 0x80) return 1;
  if (b0 < 0xC2) return 0; /* continuation byte or overlong 2-byte lead */
  if (b0 < 0xE0) return (n >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
  if (b0 < 0xF0) {
    if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
    if (b0 == 0xE0 && s[1] < 0xA0) return 0; /* overlong */
    if (b0 == 0xED && s[1] >= 0xA0) return 0; /* surrogate */
    return 3;
  }
  if (b0 < 0xF5) {
    if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
    if (b0 == 0xF0 && s[1] < 0x90) return 0; /* overlong */
    if (b0 == 0xF4 && s[1] >= 0x90) return 0; /* above U+10FFFF */
    return 4;
  }
  return 0;
}

static int is_valid_utf8(const uint8_t* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    if (s[i] < 0x80) {
      i++;
      continue;
    }
    size_t len = utf8_sequence_length(s + i, n - i);
    if (len == 0) return 0;
    i += len;
  }
  return 1;
}

/* Largest cut <= limit that does not split a code point of the valid UTF-8 string s. */
static size_t utf8_boundary_at_or_before(const uint8_t* s, size_t limit) {
  while (limit > 0 && (s[limit] & 0xC0) == 0x80) limit--;
  return limit;
}

static uint32_t utf8_decode(const uint8_t* s, size_t len) {
  switch (len) {
    case 1: return s[0];
    case 2: return ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
    case 3: return ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
    default:
      return ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
             ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
  }
}

static size_t utf8_encoded_length(uint32_t cp) {
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  if (cp < 0x10000) return 3;
  return 4;
}

static void utf8_encode(uint32_t cp, uint8_t* out, size_t len) {
  switch (len) {
    case 1: out[0] = (uint8_t)cp; break;
    case 2:
      out[0] = (uint8_t)(0xC0 | (cp >> 6));
      out[1] = (uint8_t)(0x80 | (cp & 0x3F));
      break;
    case 3:
      out[0] = (uint8_t)(0xE0 | (cp >> 12));
      out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
      out[2] = (uint8_t)(0x80 | (cp & 0x3F));
      break;
    default:
      out[0] = (uint8_t)(0xF0 | (cp >> 18));
      out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
      out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
      out[3] = (uint8_t)(0x80 | (cp & 0x3F));
      break;
  }
}

/* Writes into `out` the shortest upper bound of every string starting with s[0..len)
 * obtained by incrementing its last code point that can be incremented without
 * changing its encoded length (so the bound never grows past `len` bytes). Returns the
 * bound's length, or 0 if no code point can be incremented. `out` holds len bytes. */
static size_t utf8_increment_prefix(const uint8_t* s, size_t len, uint8_t* out) {
  size_t end = len;
  while (end > 0) {
    size_t start = end - 1;
    while (start > 0 && (s[start] & 0xC0) == 0x80) start--;
    size_t cp_len = end - start;
    uint32_t next = utf8_decode(s + start, cp_len) + 1;
    if (next == 0xD800) next = 0xE000;
    if (next <= 0x10FFFF && utf8_encoded_length(next) == cp_len) {
      memcpy(out, s, start);
      utf8_encode(next, out + start, cp_len);
      return end;
    }
    end = start;
  }
  return 0;
}

/* Binary variant: increment the last byte below 0xFF and drop what follows it. */
static size_t bytes_increment_prefix(const uint8_t* s, size_t len, uint8_t* out) {
  size_t end = len;
  while (end > 0 && s[end - 1] == 0xFF) end--;
  if (end == 0) return 0;
  memcpy(out, s, end);
  out[end - 1]++;
  return end;
}

static int encode_byte_array_bounds(const artemis_stats* stats, size_t limit, artemis_buf* min_scratch,
                                    artemis_buf* max_scratch, artemis_stats_encoded* out) {
  const uint8_t* min = stats->min.len ? stats->min.data : kEmptyValue;
  const uint8_t* max = stats->max.len ? stats->max.data : kEmptyValue;
  size_t min_len = stats->min.len, max_len = stats->max.len;

  size_t min_out_len = min_len;
  out->min_exact = 1;
  if (limit > 0 && min_len > limit) {
    /* The empty prefix is still a valid lower bound, and keeps the size capped. */
    min_out_len = is_valid_utf8(min, min_len) ? utf8_boundary_at_or_before(min, limit) : limit;
    out->min_exact = 0;
  }
  artemis_buf_clear(min_scratch);
  if (artemis_buf_reserve(min_scratch, min_out_len ? min_out_len : 1) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
  artemis_buf_put_unchecked(min_scratch, min, min_out_len);

  artemis_buf_clear(max_scratch);
  size_t max_out_len = 0;
  if (limit > 0 && max_len > limit) {
    if (artemis_buf_reserve(max_scratch, limit) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
    if (is_valid_utf8(max, max_len)) {
      size_t cut = utf8_boundary_at_or_before(max, limit);
      max_out_len = utf8_increment_prefix(max, cut, max_scratch->data);
    } else {
      max_out_len = bytes_increment_prefix(max, limit, max_scratch->data);
    }
  }
  if (max_out_len > 0) {
    max_scratch->len = max_out_len;
    out->max_exact = 0;
  } else {
    /* Short enough, or nothing to increment: the exact value is the only safe bound. */
    if (artemis_buf_reserve(max_scratch, max_len ? max_len : 1) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
    artemis_buf_put_unchecked(max_scratch, max, max_len);
    out->max_exact = 1;
  }
  out->min = min_scratch->data;
  out->min_len = min_scratch->len;
  out->max = max_scratch->data;
  out->max_len = max_scratch->len;
  return ARTEMIS_OK;
}

static int has_signed_order(artemis_sort_kind kind) {
  switch (kind) {
    case ARTEMIS_SORT_INT32:
    case ARTEMIS_SORT_INT64:
    case ARTEMIS_SORT_FLOAT:
    case ARTEMIS_SORT_DOUBLE:
    case ARTEMIS_SORT_FLOAT16:
    case ARTEMIS_SORT_DECIMAL_BE: return 1;
    case ARTEMIS_SORT_UINT32:
    case ARTEMIS_SORT_UINT64:
    case ARTEMIS_SORT_BYTES:
    case ARTEMIS_SORT_BOOLEAN: return 0;
  }
  return 0;
}

/* TYPE_ORDER for floats: a zero min must read as -0.0 and a zero max as +0.0, so that
 * a reader filtering on either zero keeps the page whichever zero it holds. */
static void normalize_float_zeros(artemis_sort_kind kind, uint8_t* min, uint8_t* max) {
  switch (kind) {
    case ARTEMIS_SORT_FLOAT:
      if (load_f32(min) == 0.0f) store_f32(min, -0.0f);
      if (load_f32(max) == 0.0f) store_f32(max, 0.0f);
      break;
    case ARTEMIS_SORT_DOUBLE:
      if (load_f64(min) == 0.0) store_f64(min, -0.0);
      if (load_f64(max) == 0.0) store_f64(max, 0.0);
      break;
    case ARTEMIS_SORT_FLOAT16:
      if ((load_u16(min) & 0x7FFF) == 0) store_u16(min, 0x8000);
      if ((load_u16(max) & 0x7FFF) == 0) store_u16(max, 0x0000);
      break;
    default: break;
  }
}

int artemis_stats_encode(const artemis_stats* stats, int32_t truncate_bytes, artemis_buf* min_scratch,
                         artemis_buf* max_scratch, artemis_stats_encoded* out) {
  memset(out, 0, sizeof *out);
  out->null_count = stats->null_count;
  out->has_nan_count = is_float_kind(stats->kind);
  out->nan_count = stats->nan_count;
  out->write_legacy_min_max = has_signed_order(stats->kind);
  if (!stats->has_min_max) return ARTEMIS_OK;

  if (stats->kind == ARTEMIS_SORT_BYTES && stats->width == 0) {
    size_t limit = truncate_bytes > 0 ? (size_t)truncate_bytes : 0;
    int rc = encode_byte_array_bounds(stats, limit, min_scratch, max_scratch, out);
    if (rc != ARTEMIS_OK) return rc;
  } else {
    /* Fixed widths: FLBA keeps type_length even when long (readers check the width). */
    size_t width = stats->width;
    artemis_buf_clear(min_scratch);
    artemis_buf_clear(max_scratch);
    if (artemis_buf_append(min_scratch, stats->min.data, width) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
    if (artemis_buf_append(max_scratch, stats->max.data, width) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
    normalize_float_zeros(stats->kind, min_scratch->data, max_scratch->data);
    out->min = min_scratch->data;
    out->min_len = width;
    out->max = max_scratch->data;
    out->max_len = width;
    out->min_exact = 1;
    out->max_exact = 1;
  }
  out->has_min_max = 1;
  return ARTEMIS_OK;
}
