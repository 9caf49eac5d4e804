/* Column statistics (parquet-format Statistics + ColumnOrder TYPE_ORDER rules).
 *
 * An accumulator sees the non-null values of a page or chunk in normalized physical form
 * (see encoding/encoders.h) and tracks min, max, null count and NaN count under the
 * column's sort order. artemis_stats_encode() produces the bytes that go into the
 * thrift Statistics struct (and ColumnIndex): PLAIN without length prefix, exact widths
 * (INT32-physical 4 bytes, INT64/DOUBLE 8, FLOAT 4, FLBA type_length, byte arrays raw).
 *
 * Rules (PARQUET-CHECKLIST.md section 4):
 *   - unsigned integers compare as unsigned; byte arrays and FLBA bytewise unsigned
 *     (memcmp, a shorter prefix first); DECIMAL in FLBA as signed big-endian;
 *   - floats: NaN never becomes min or max (nan_count counts them); all-NaN means no
 *     min/max; a zero min is written as -0.0 and a zero max as +0.0;
 *   - legacy min/max (fields 1/2) only for signed sort orders;
 *   - byte arrays longer than truncate_bytes: min = UTF-8-safe prefix (not exact), max =
 *     prefix with its last code point / byte incremented (not exact); if no increment is
 *     possible the max stays untruncated and exact. */
#ifndef ARTEMIS_STATS_STATISTICS_H
#define ARTEMIS_STATS_STATISTICS_H

#include <stddef.h>
#include <stdint.h>
#include "core/buffer.h"
#include "core/memory.h"

typedef enum artemis_sort_kind {
  ARTEMIS_SORT_INT32 = 1,   /* signed 32-bit (INT32 physical: int8/16/32, date, time32, decimal<=9) */
  ARTEMIS_SORT_INT64,       /* signed 64-bit */
  ARTEMIS_SORT_UINT32,      /* unsigned in INT32 physical (uint8/16/32) */
  ARTEMIS_SORT_UINT64,      /* unsigned in INT64 physical (uint64) */
  ARTEMIS_SORT_FLOAT,       /* IEEE binary32 */
  ARTEMIS_SORT_DOUBLE,      /* IEEE binary64 */
  ARTEMIS_SORT_FLOAT16,     /* FLBA(2) little-endian binary16 */
  ARTEMIS_SORT_BYTES,       /* BYTE_ARRAY / FLBA, unsigned bytewise */
  ARTEMIS_SORT_DECIMAL_BE,  /* FLBA big-endian two's complement, signed */
  ARTEMIS_SORT_BOOLEAN      /* BOOLEAN (values 0/1), false < true */
} artemis_sort_kind;

typedef struct artemis_stats {
  artemis_sort_kind kind;
  size_t width;           /* value width in bytes for fixed kinds; 0 for BYTES of byte arrays */
  int has_min_max;        /* at least one non-NaN non-null value seen */
  int64_t null_count;
  int64_t nan_count;
  int64_t value_count;    /* non-null values seen */
  artemis_buf min;        /* the current min value, normalized physical bytes */
  artemis_buf max;
} artemis_stats;

void artemis_stats_init(artemis_stats* stats, artemis_mem* mem, artemis_sort_kind kind, size_t width);
void artemis_stats_free(artemis_stats* stats);
void artemis_stats_reset(artemis_stats* stats);

/* `n` fixed-width values (width bytes each). ARTEMIS_OK or ARTEMIS_E_NOMEM. */
int artemis_stats_update_fixed(artemis_stats* stats, const uint8_t* values, size_t n);
/* `n` byte arrays, as in encoders.h. */
int artemis_stats_update_byte_arrays(artemis_stats* stats, const uint32_t* lengths,
                                     const uint8_t* bytes, size_t n);
static inline void artemis_stats_add_nulls(artemis_stats* stats, int64_t n) { stats->null_count += n; }
/* Non-null values whose min/max effect was already taken (repeats of a seen value). */
static inline void artemis_stats_add_values(artemis_stats* stats, int64_t n) { stats->value_count += n; }
/* Folds `src` (a page) into `dst` (the chunk). */
int artemis_stats_merge(artemis_stats* dst, const artemis_stats* src);

/* Ready-to-serialize statistics. Pointers refer into the scratch buffers passed to
 * artemis_stats_encode and stay valid until those are changed. */
typedef struct artemis_stats_encoded {
  int has_min_max;
  const uint8_t* min; size_t min_len; int min_exact;
  const uint8_t* max; size_t max_len; int max_exact;
  int write_legacy_min_max;   /* signed sort orders only */
  int64_t null_count;
  int has_nan_count;          /* float kinds */
  int64_t nan_count;
} artemis_stats_encoded;

/* truncate_bytes <= 0 disables truncation. ARTEMIS_OK or ARTEMIS_E_NOMEM. */
int artemis_stats_encode(const artemis_stats* stats, int32_t truncate_bytes, artemis_buf* min_scratch,
                         artemis_buf* max_scratch, artemis_stats_encoded* out);

/* Compares two encoded values of this kind (as in the accumulator): <0, 0, >0.
 * Used by the page index to compute boundary_order. */
int artemis_stats_compare(artemis_sort_kind kind, size_t width, const uint8_t* a, size_t a_len,
                          const uint8_t* b, size_t b_len);

#endif
