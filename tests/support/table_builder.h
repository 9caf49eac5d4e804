/* Test helper: builds Arrow C Data Interface batches column by column, and records for
 * every appended value its canonical expected string (the format of
 * tests/interop/README.md), so interop checks compare readers against the values we put
 * into the arrays, never against our own reading of our Parquet. */
#ifndef ARTEMIS_TEST_TABLE_BUILDER_H
#define ARTEMIS_TEST_TABLE_BUILDER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "artemis/arrow_c.h"

typedef struct tb_col tb_col;

/* A value column of Arrow `format` (e.g. "i", "tsn:", "tsm:UTC", "u", "w:16", "d:20,2"). */
tb_col* tb_col_new(const char* name, const char* format, int nullable);
/* A dictionary-encoded column: indices of `index_format`, values from `dictionary` (whose
 * rows are the dictionary; it is owned by the new column and re-sent with each batch). */
tb_col* tb_col_new_dict(const char* name, const char* index_format, tb_col* dictionary, int nullable);
void tb_col_free(tb_col* col);
int64_t tb_col_rows(const tb_col* col);

void tb_null(tb_col* col);
void tb_int(tb_col* col, int64_t v);   /* signed ints, dates, times, timestamps, dictionary indices */
void tb_uint(tb_col* col, uint64_t v); /* unsigned ints */
void tb_bool(tb_col* col, int v);
void tb_f16_bits(tb_col* col, uint16_t bits);
void tb_f32(tb_col* col, float v);
void tb_f64(tb_col* col, double v);
void tb_bytes(tb_col* col, const void* bytes, size_t n); /* utf8, binary (large too), fixed-size */
void tb_str(tb_col* col, const char* s);
void tb_decimal(tb_col* col, int64_t hi, uint64_t lo); /* decimal128 two's complement */

/* Schema of the columns (struct "+s"). Caller releases. */
void tb_schema(tb_col* const* cols, size_t n, struct ArrowSchema* out);
/* Moves the rows appended so far into a struct batch (caller releases) and appends the
 * expected JSON lines of rows [skip, rows) to `expected` (if not NULL). With skip > 0 the
 * struct array gets offset = skip, exercising offset handling. */
void tb_batch(tb_col* const* cols, size_t n, int64_t skip, struct ArrowArray* out, FILE* expected);
/* The "<case>.expected.json" body. `metadata_json` is the "metadata" object text or NULL. */
void tb_write_expected_json(tb_col* const* cols, size_t n, int64_t rows, const char* metadata_json, FILE* f);

#endif
