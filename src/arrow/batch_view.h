/* Validation of a foreign struct ArrowArray against the writer's schema, and the
 * "gather" step that turns a row range of one column into normalized Parquet physical
 * values (see encoding/encoders.h) plus definition levels.
 *
 * Nothing in an ArrowArray is trusted: artemis_batch_view checks buffer counts, lengths,
 * offsets (monotonic, non-negative, within int32 page limits), dictionary indices and the
 * values of converting types (date64 whole days, decimal fits its storage, seconds to
 * millis without overflow) BEFORE any row is written, so a bad batch is rejected whole.
 * (The C Data Interface gives no buffer sizes: offsets and lengths are the only bounds.) */
#ifndef ARTEMIS_ARROW_BATCH_VIEW_H
#define ARTEMIS_ARROW_BATCH_VIEW_H

#include <stddef.h>
#include <stdint.h>
#include "artemis/arrow_c.h"
#include "artemis/error.h"
#include "arrow/arrow_type.h"
#include "core/buffer.h"

typedef struct artemis_array_view {
  int64_t offset;             /* absolute index of logical element 0 in the buffers */
  int64_t length;
  const uint8_t* validity;    /* NULL: no nulls */
  const uint8_t* values;      /* fixed-width values, bool bitmap, or dictionary indices */
  const void* offsets;        /* var-length: int32 or int64 offsets */
  const uint8_t* data;        /* var-length bytes */
  int large_offsets;
  const uint8_t* views;       /* view types: 16-byte views (length, inline bytes or prefix,
                                 buffer index, offset); NULL for every other type */
  const uint8_t* const* variadic; /* view types: the data buffers views point into */
  int64_t n_variadic;
  int all_null;               /* null-type array: no buffers, every element null */
} artemis_array_view;

typedef struct artemis_column_view {
  artemis_array_view array;
  artemis_array_view dict;    /* dictionary values, when the column is dictionary-encoded */
} artemis_column_view;

/* Validates `batch` (struct-typed, one child per column) and fills views[0..ncols).
 * `names` are used in messages. Returns ARTEMIS_OK, ARTEMIS_E_INVALID_INPUT or
 * ARTEMIS_E_INVALID_ARGUMENT; messages name the column and the row. */
int artemis_batch_view(const struct ArrowArray* batch, const artemis_arrow_type* types,
                       const char* const* names, size_t ncols, artemis_column_view* views,
                       int64_t* out_rows, artemis_error* error);

/* Arrow in-memory bytes of rows [row, row+n) of a column (the row-group size estimate). */
int64_t artemis_column_arrow_bytes(const artemis_column_view* view, const artemis_arrow_type* type,
                                   int64_t row, int64_t n);

/* How many rows from `row` (between 1 and max_rows) hold at most max_bytes of values, so
 * that one gather step cannot add more than that to a page or dictionary, however long
 * the values are. */
int64_t artemis_gather_rows_within(const artemis_column_view* view, const artemis_arrow_type* type, int64_t row,
                                   int64_t max_rows, int64_t max_bytes);

typedef struct artemis_gathered {
  size_t rows;
  size_t non_null;
  const uint8_t* def_levels;  /* one byte per row (1 present, 0 null); NULL = all present */
  const uint8_t* fixed;       /* non_null values of type->value_width bytes */
  const uint32_t* lengths;    /* byte arrays: non_null lengths */
  const uint8_t* bytes;       /* byte arrays: concatenated values */
  size_t bytes_len;
} artemis_gathered;

typedef struct artemis_gather_scratch {
  artemis_buf levels, values, lengths, bytes;
} artemis_gather_scratch;

void artemis_gather_scratch_init(artemis_gather_scratch* scratch, artemis_mem* mem);
void artemis_gather_scratch_free(artemis_gather_scratch* scratch);

/* Gathers rows [row, row+n) of a validated column. Output pointers refer into the Arrow
 * buffers or the scratch and are valid until the next gather with the same scratch (and
 * while the batch is alive). ARTEMIS_OK or ARTEMIS_E_NOMEM. */
int artemis_gather(const artemis_column_view* view, const artemis_arrow_type* type, int64_t row,
                   size_t n, artemis_gather_scratch* scratch, artemis_gathered* out);

#endif
