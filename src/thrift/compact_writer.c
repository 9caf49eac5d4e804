#include "thrift/compact_writer.h"

#include <string.h>

#include "artemis/error.h"

/* Thrift's compact protocol caps binary and collection sizes at i32 (readers decode
 * them with readVarint32 and reject negatives), so anything larger is unreadable. */
#define THRIFT_MAX_SIZE ((size_t)INT32_MAX)

void artemis_tw_init(artemis_thrift_writer* w, artemis_buf* out) {
  memset(w, 0, sizeof *w);
  w->out = out;
  w->status = ARTEMIS_OK;
}

void artemis_tw_fail(artemis_thrift_writer* w, int status) {
  if (w->status == ARTEMIS_OK) w->status = status;
}

static int tw_ok(const artemis_thrift_writer* w) { return w->status == ARTEMIS_OK; }

static void tw_byte(artemis_thrift_writer* w, uint8_t byte) {
  if (tw_ok(w)) artemis_tw_fail(w, artemis_buf_append_u8(w->out, byte));
}

static void tw_uleb(artemis_thrift_writer* w, uint64_t v) {
  if (tw_ok(w)) artemis_tw_fail(w, artemis_buf_append_uleb128(w->out, v));
}

/* Zigzag of the sign-extended 64-bit value is numerically equal to the 16/32-bit
 * zigzag the protocol defines for i16/i32, so one encoder serves every width. */
static void tw_zigzag(artemis_thrift_writer* w, int64_t v) {
  if (tw_ok(w)) artemis_tw_fail(w, artemis_buf_append_zigzag(w->out, v));
}

static void tw_sized_bytes(artemis_thrift_writer* w, const void* bytes, size_t n) {
  if (!tw_ok(w)) return;
  if (n > THRIFT_MAX_SIZE) {
    artemis_tw_fail(w, ARTEMIS_E_LIMIT);
    return;
  }
  if (n > 0 && bytes == NULL) {
    artemis_tw_fail(w, ARTEMIS_E_INVALID_ARGUMENT);
    return;
  }
  tw_uleb(w, n);
  if (tw_ok(w) && n > 0) artemis_tw_fail(w, artemis_buf_append(w->out, bytes, n));
}

static void tw_field_header(artemis_thrift_writer* w, int16_t id, int type) {
  if (!tw_ok(w)) return;
  int32_t delta = (int32_t)id - (int32_t)w->last_id;
  if (delta > 0 && delta <= 15) {
    tw_byte(w, (uint8_t)((delta << 4) | type));
  } else {
    tw_byte(w, (uint8_t)type);
    tw_zigzag(w, id);
  }
  if (tw_ok(w)) w->last_id = id;
}

/* Entering a struct: its field ids restart from 0, the enclosing ones resume on exit. */
static void tw_push_struct(artemis_thrift_writer* w) {
  if (!tw_ok(w)) return;
  if (w->depth >= ARTEMIS_THRIFT_MAX_DEPTH) {
    artemis_tw_fail(w, ARTEMIS_E_LIMIT);
    return;
  }
  w->saved_ids[w->depth++] = w->last_id;
  w->last_id = 0;
}

void artemis_tw_field_bool(artemis_thrift_writer* w, int16_t id, int value) {
  tw_field_header(w, id, value ? ARTEMIS_TT_BOOL_TRUE : ARTEMIS_TT_BOOL_FALSE);
}

void artemis_tw_field_i8(artemis_thrift_writer* w, int16_t id, int8_t value) {
  tw_field_header(w, id, ARTEMIS_TT_I8);
  tw_byte(w, (uint8_t)value);
}

void artemis_tw_field_i16(artemis_thrift_writer* w, int16_t id, int16_t value) {
  tw_field_header(w, id, ARTEMIS_TT_I16);
  tw_zigzag(w, value);
}

void artemis_tw_field_i32(artemis_thrift_writer* w, int16_t id, int32_t value) {
  tw_field_header(w, id, ARTEMIS_TT_I32);
  tw_zigzag(w, value);
}

void artemis_tw_field_i64(artemis_thrift_writer* w, int16_t id, int64_t value) {
  tw_field_header(w, id, ARTEMIS_TT_I64);
  tw_zigzag(w, value);
}

void artemis_tw_field_binary(artemis_thrift_writer* w, int16_t id, const void* bytes, size_t n) {
  /* Validate before the header so a rejected value leaves no dangling field header. */
  if (tw_ok(w) && n > THRIFT_MAX_SIZE) artemis_tw_fail(w, ARTEMIS_E_LIMIT);
  if (tw_ok(w) && n > 0 && bytes == NULL) artemis_tw_fail(w, ARTEMIS_E_INVALID_ARGUMENT);
  tw_field_header(w, id, ARTEMIS_TT_BINARY);
  tw_sized_bytes(w, bytes, n);
}

void artemis_tw_field_string(artemis_thrift_writer* w, int16_t id, const char* s) {
  if (s == NULL) {
    artemis_tw_fail(w, ARTEMIS_E_INVALID_ARGUMENT);
    return;
  }
  artemis_tw_field_binary(w, id, s, strlen(s));
}

void artemis_tw_field_struct_begin(artemis_thrift_writer* w, int16_t id) {
  if (tw_ok(w) && w->depth >= ARTEMIS_THRIFT_MAX_DEPTH) artemis_tw_fail(w, ARTEMIS_E_LIMIT);
  tw_field_header(w, id, ARTEMIS_TT_STRUCT);
  tw_push_struct(w);
}

void artemis_tw_field_empty_struct(artemis_thrift_writer* w, int16_t id) {
  tw_field_header(w, id, ARTEMIS_TT_STRUCT);
  tw_byte(w, 0);
}

void artemis_tw_struct_end(artemis_thrift_writer* w) {
  tw_byte(w, 0);
  if (!tw_ok(w)) return;
  if (w->depth > 0) {
    w->last_id = w->saved_ids[--w->depth];
  } else {
    /* The root is complete; a following root struct starts its ids afresh. */
    w->last_id = 0;
  }
}

void artemis_tw_field_list_begin(artemis_thrift_writer* w, int16_t id, int elem_type, size_t n) {
  if (tw_ok(w) && (elem_type < ARTEMIS_TT_BOOL_TRUE || elem_type > ARTEMIS_TT_STRUCT))
    artemis_tw_fail(w, ARTEMIS_E_INVALID_ARGUMENT);
  if (tw_ok(w) && n > THRIFT_MAX_SIZE) artemis_tw_fail(w, ARTEMIS_E_LIMIT);
  tw_field_header(w, id, ARTEMIS_TT_LIST);
  if (n < 15) {
    tw_byte(w, (uint8_t)((n << 4) | (size_t)elem_type));
  } else {
    tw_byte(w, (uint8_t)(0xF0 | elem_type));
    tw_uleb(w, n);
  }
}

void artemis_tw_list_i32(artemis_thrift_writer* w, int32_t value) { tw_zigzag(w, value); }

void artemis_tw_list_i64(artemis_thrift_writer* w, int64_t value) { tw_zigzag(w, value); }

void artemis_tw_list_binary(artemis_thrift_writer* w, const void* bytes, size_t n) {
  tw_sized_bytes(w, bytes, n);
}

void artemis_tw_list_bool(artemis_thrift_writer* w, int value) {
  tw_byte(w, value ? ARTEMIS_TT_BOOL_TRUE : ARTEMIS_TT_BOOL_FALSE);
}

void artemis_tw_list_struct_begin(artemis_thrift_writer* w) { tw_push_struct(w); }
