/* Thrift compact protocol writer (the encoding of every Parquet metadata structure).
 * Errors are sticky: after the first failed append every call is a no-op and
 * artemis_tw_status() returns the error, so serializers check once at the end.
 *
 * Usage (a struct as a field of the current struct):
 *   artemis_tw_field_struct_begin(w, 3);  ...fields...  artemis_tw_struct_end(w);
 * The root struct: fields directly, then artemis_tw_struct_end(w) writes its STOP. */
#ifndef ARTEMIS_THRIFT_COMPACT_WRITER_H
#define ARTEMIS_THRIFT_COMPACT_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include "core/buffer.h"

#define ARTEMIS_THRIFT_MAX_DEPTH 16

/* Compact protocol type codes. */
enum {
  ARTEMIS_TT_BOOL_TRUE = 1, ARTEMIS_TT_BOOL_FALSE = 2, ARTEMIS_TT_I8 = 3, ARTEMIS_TT_I16 = 4,
  ARTEMIS_TT_I32 = 5, ARTEMIS_TT_I64 = 6, ARTEMIS_TT_DOUBLE = 7, ARTEMIS_TT_BINARY = 8,
  ARTEMIS_TT_LIST = 9, ARTEMIS_TT_SET = 10, ARTEMIS_TT_MAP = 11, ARTEMIS_TT_STRUCT = 12
};

typedef struct artemis_thrift_writer {
  artemis_buf* out;
  int status;                               /* ARTEMIS_OK or the first error */
  int depth;
  int16_t last_id;
  int16_t saved_ids[ARTEMIS_THRIFT_MAX_DEPTH];
} artemis_thrift_writer;

void artemis_tw_init(artemis_thrift_writer* w, artemis_buf* out);
static inline int artemis_tw_status(const artemis_thrift_writer* w) { return w->status; }
/* Records `status` as the sticky error unless one is already recorded (ARTEMIS_OK is a
 * no-op), so serializers reject invalid arguments the same way buffer failures surface. */
void artemis_tw_fail(artemis_thrift_writer* w, int status);

void artemis_tw_field_bool(artemis_thrift_writer* w, int16_t id, int value);
void artemis_tw_field_i8(artemis_thrift_writer* w, int16_t id, int8_t value);
void artemis_tw_field_i16(artemis_thrift_writer* w, int16_t id, int16_t value);
void artemis_tw_field_i32(artemis_thrift_writer* w, int16_t id, int32_t value); /* also enums */
void artemis_tw_field_i64(artemis_thrift_writer* w, int16_t id, int64_t value);
void artemis_tw_field_binary(artemis_thrift_writer* w, int16_t id, const void* bytes, size_t n);
void artemis_tw_field_string(artemis_thrift_writer* w, int16_t id, const char* s);
/* Opens a struct-typed field; its fields follow; close with artemis_tw_struct_end. */
void artemis_tw_field_struct_begin(artemis_thrift_writer* w, int16_t id);
/* An empty struct field (e.g. LogicalType.STRING = StringType{}): header + STOP. */
void artemis_tw_field_empty_struct(artemis_thrift_writer* w, int16_t id);
/* Writes STOP for the current struct and returns to the enclosing one. */
void artemis_tw_struct_end(artemis_thrift_writer* w);

/* Lists: a list-typed field header, then exactly `n` elements of `elem_type`. */
void artemis_tw_field_list_begin(artemis_thrift_writer* w, int16_t id, int elem_type, size_t n);
void artemis_tw_list_i32(artemis_thrift_writer* w, int32_t value);
void artemis_tw_list_i64(artemis_thrift_writer* w, int64_t value);
void artemis_tw_list_binary(artemis_thrift_writer* w, const void* bytes, size_t n);
void artemis_tw_list_bool(artemis_thrift_writer* w, int value); /* one byte: 1 true, 2 false */
/* A struct element of a list; close with artemis_tw_struct_end. */
void artemis_tw_list_struct_begin(artemis_thrift_writer* w);

#endif
