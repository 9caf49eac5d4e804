/* Thrift compact protocol: writer byte vectors derived by hand from the protocol rules,
 * reader round trips, and reader robustness on hostile input.
 *
 * Rules used to derive the expected bytes (thrift compact protocol spec):
 *   field header  delta = id - last_id; 1..15 -> one byte (delta << 4) | type,
 *                 else byte `type` then zigzag varint of the i16 id
 *   types         1 true, 2 false, 3 i8, 4 i16, 5 i32, 6 i64, 7 double, 8 binary,
 *                 9 list, 10 set, 11 map, 12 struct
 *   ints          zigzag (n << 1) ^ (n >> 63), then ULEB128 (7 bits per byte, low first)
 *   list header   n < 15 -> (n << 4) | elem_type, else 0xF0 | elem_type then ULEB128 n
 *   struct        fields then STOP 0x00; field ids restart at 0 inside each struct. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "artemis/error.h"
#include "core/buffer.h"
#include "core/memory.h"
#include "thrift/compact_reader.h"
#include "thrift/compact_writer.h"
#include "support/buffer_fixture.h"
#include "support/test_allocators.h"
#include "support/test_random.h"

/* ---- helpers ---- */

/* Parses, renders JSON and frees; the rendering must succeed on anything that parses. */
static int parse_and_render(const uint8_t* bytes, size_t n, artemis_mem* mem,
                            const artemis_thrift_limits* limits, artemis_error* error) {
  artemis_thrift_value* root = NULL;
  size_t consumed = 0;
  int rc = artemis_thrift_parse(bytes, n, mem, limits, &root, &consumed, error);
  if (rc == ARTEMIS_OK) {
    assert_non_null(root);
    assert_true(consumed >= 1 && consumed <= n);
    artemis_buf json;
    artemis_buf_init(&json, mem);
    assert_int_equal(artemis_thrift_to_json(root, &json), ARTEMIS_OK);
    artemis_buf_free(&json);
    artemis_thrift_free(root);
  } else {
    assert_null(root);
    assert_true(rc < 0);
  }
  return rc;
}

static char* to_json(const artemis_thrift_value* v, artemis_mem* mem, artemis_buf* json) {
  artemis_buf_init(json, mem);
  assert_int_equal(artemis_thrift_to_json(v, json), ARTEMIS_OK);
  assert_int_equal(artemis_buf_append_u8(json, 0), ARTEMIS_OK);
  return (char*)json->data;
}

/* ---- writer: byte vectors ---- */

static void test_field_i32_short_form(void** state) {
  buf_fixture* f = *state;
  artemis_thrift_writer w;
  artemis_tw_init(&w, &f->out);
  artemis_tw_field_i32(&w, 1, 1);
  artemis_tw_struct_end(&w);
  /* id 1, delta 1, i32 (5) -> 0x15; zigzag(1) = 2 -> 0x02; STOP. */
  static const uint8_t expected[] = {0x15, 0x02, 0x00};
  assert_int_equal(artemis_tw_status(&w), ARTEMIS_OK);
  expect_bytes_hex(f->out.data, f->out.len, expected, sizeof expected);
}

static void test_field_header_delta_and_long_form(void** state) {
  buf_fixture* f = *state;
  artemis_thrift_writer w;
  artemis_tw_init(&w, &f->out);
  artemis_tw_field_i32(&w, 15, 0);    /* delta 15: still short -> 0xF5, value 0x00 */
  artemis_tw_field_i32(&w, 31, 0);    /* delta 16: long -> 0x05, zigzag(31)=62=0x3E, 0x00 */
  artemis_tw_field_i32(&w, 30, 0);    /* delta -1: long -> 0x05, zigzag(30)=60=0x3C, 0x00 */
  artemis_tw_field_i64(&w, 1000, -1); /* long -> 0x06, zigzag(1000)=2000 -> 0xD0 0x0F; zz(-1)=1 */
  artemis_tw_field_i32(&w, -1, 2);    /* delta < 0: long -> 0x05, zigzag(-1)=1 -> 0x01; zz(2)=4 */
  artemis_tw_field_i32(&w, 0, 3);     /* delta +1 from -1: short -> 0x15; zz(3)=6 */
  artemis_tw_field_i32(&w, 16, 0);    /* delta 16 from 0: long -> 0x05, zz(16)=32=0x20, 0x00 */
  artemis_tw_struct_end(&w);
  static const uint8_t expected[] = {0xF5, 0x00, 0x05, 0x3E, 0x00, 0x05, 0x3C, 0x00, 0x06, 0xD0,
                                     0x0F, 0x01, 0x05, 0x01, 0x04, 0x15, 0x06, 0x05, 0x20, 0x00,
                                     0x00};
  assert_int_equal(artemis_tw_status(&w), ARTEMIS_OK);
  expect_bytes_hex(f->out.data, f->out.len, expected, sizeof expected);

  artemis_thrift_value* root = NULL;
  assert_int_equal(artemis_thrift_parse(f->out.data, f->out.len, &f->mem, NULL, &root, NULL, NULL), ARTEMIS_OK);
  static const int16_t ids[] = {15, 31, 30, 1000, -1, 0, 16};
  assert_int_equal(root->as.strct.count, 7);
  for (size_t i = 0; i < 7; i++) assert_int_equal(root->as.strct.fields[i].id, ids[i]);
  int64_t v64 = 0;
  assert_true(artemis_thrift_get_i64(root, 1000, &v64));
  assert_int_equal(v64, -1);
  int32_t v32 = 0;
  assert_true(artemis_thrift_get_i32(root, -1, &v32));
  assert_int_equal(v32, 2);
  assert_true(artemis_thrift_get_i32(root, 0, &v32));
  assert_int_equal(v32, 3);
  artemis_thrift_free(root);
  artemis_buf_free(&f->out);
  assert_int_equal(f->mem.live_bytes, 0);
}

static void test_bool_fields_in_type_nibble(void** state) {
  buf_fixture* f = *state;
  artemis_thrift_writer w;
  artemis_tw_init(&w, &f->out);
  artemis_tw_field_bool(&w, 1, 1);  /* delta 1, BOOL_TRUE -> 0x11, no payload */
  artemis_tw_field_bool(&w, 2, 0);  /* delta 1, BOOL_FALSE -> 0x12 */
  artemis_tw_field_bool(&w, 20, 7); /* any non-zero is true; delta 18 -> 0x01, zz(20)=40=0x28 */
  artemis_tw_struct_end(&w);
  static const uint8_t expected[] = {0x11, 0x12, 0x01, 0x28, 0x00};
  expect_bytes_hex(f->out.data, f->out.len, expected, sizeof expected);

  artemis_thrift_value* root = NULL;
  assert_int_equal(artemis_thrift_parse(f->out.data, f->out.len, &f->mem, NULL, &root, NULL, NULL), ARTEMIS_OK);
  bool b = false;
  assert_true(artemis_thrift_get_bool(root, 1, &b));
  assert_true(b);
  assert_true(artemis_thrift_get_bool(root, 2, &b));
  assert_false(b);
  assert_true(artemis_thrift_get_bool(root, 20, &b));
  assert_true(b);
  artemis_thrift_free(root);
}

static void test_scalar_widths_and_extremes(void** state) {
  buf_fixture* f = *state;
  artemis_thrift_writer w;
  artemis_tw_init(&w, &f->out);
  artemis_tw_field_i8(&w, 1, -1);          /* 0x13, raw byte 0xFF (i8 is not zigzagged) */
  /* each id is last + 1, so every header is 0x10 | type */
  artemis_tw_field_i16(&w, 2, -300);       /* 0x14, zz = 599 = 0x257 -> 0xD7 0x04 */
  artemis_tw_field_i32(&w, 3, INT32_MIN);  /* 0x15, zz = 2^32-1 -> FF FF FF FF 0F */
  artemis_tw_field_i64(&w, 4, INT64_MIN);  /* 0x16, zz = 2^64-1 -> FF x9, 01 */
  artemis_tw_field_i64(&w, 5, INT64_MAX);  /* 0x16, zz = 2^64-2 -> FE, FF x8, 01 */
  artemis_tw_field_i32(&w, 6, INT32_MAX);  /* 0x15, zz = 2^32-2 -> FE FF FF FF 0F */
  artemis_tw_struct_end(&w);
  static const uint8_t expected[] = {
      0x13, 0xFF,
      0x14, 0xD7, 0x04,
      0x15, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F,
      0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
      0x16, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
      0x15, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F,
      0x00};
  expect_bytes_hex(f->out.data, f->out.len, expected, sizeof expected);

  artemis_thrift_value* root = NULL;
  assert_int_equal(artemis_thrift_parse(f->out.data, f->out.len, &f->mem, NULL, &root, NULL, NULL), ARTEMIS_OK);
  int8_t i8 = 0;
  int16_t i16 = 0;
  int32_t i32 = 0;
  int64_t i64 = 0;
  assert_true(artemis_thrift_get_i8(root, 1, &i8));
  assert_int_equal(i8, -1);
  assert_true(artemis_thrift_get_i16(root, 2, &i16));
  assert_int_equal(i16, -300);
  assert_true(artemis_thrift_get_i32(root, 3, &i32));
  assert_true(i32 == INT32_MIN);
  assert_true(artemis_thrift_get_i64(root, 4, &i64));
  assert_true(i64 == INT64_MIN);
  assert_true(artemis_thrift_get_i64(root, 5, &i64));
  assert_true(i64 == INT64_MAX);
  assert_true(artemis_thrift_get_i32(root, 6, &i32));
  assert_true(i32 == INT32_MAX);
  artemis_thrift_free(root);
}

static void test_binary_and_string(void** state) {
  buf_fixture* f = *state;
  artemis_thrift_writer w;
  artemis_tw_init(&w, &f->out);
  artemis_tw_field_string(&w, 1, "ab");    /* 0x18, len 0x02, 'a' 'b' */
  artemis_tw_field_binary(&w, 2, NULL, 0); /* delta 1 -> 0x18, len 0x00 */
  artemis_tw_struct_end(&w);
  static const uint8_t expected[] = {0x18, 0x02, 'a', 'b', 0x18, 0x00, 0x00};
  expect_bytes_hex(f->out.data, f->out.len, expected, sizeof expected);
}

static void test_list_short_and_long_forms(void** state) {
  buf_fixture* f = *state;
  artemis_thrift_writer w;
  artemis_tw_init(&w, &f->out);
  /* Fields 1..5 each have delta 1, so every field header is 0x19 (list). */
  /* 3 x i32: header (3 << 4) | 5 = 0x35; zz 1,2,3 = 02 04 06 */
  artemis_tw_field_list_begin(&w, 1, ARTEMIS_TT_I32, 3);
  for (int32_t i = 1; i <= 3; i++) artemis_tw_list_i32(&w, i);
  /* 14 x i64 (largest short form): (14 << 4) | 6 = 0xE6; 14 zero bytes */
  artemis_tw_field_list_begin(&w, 2, ARTEMIS_TT_I64, 14);
  for (int i = 0; i < 14; i++) artemis_tw_list_i64(&w, 0);
  /* 15 x i32 (smallest long form): 0xF5; ULEB(15) = 0x0F; 15 zero bytes */
  artemis_tw_field_list_begin(&w, 3, ARTEMIS_TT_I32, 15);
  for (int i = 0; i < 15; i++) artemis_tw_list_i32(&w, 0);
  /* 300 x empty binary: 0xF8; ULEB(300) = 0xAC 0x02; 300 length bytes 0x00 */
  artemis_tw_field_list_begin(&w, 4, ARTEMIS_TT_BINARY, 300);
  for (int i = 0; i < 300; i++) artemis_tw_list_binary(&w, "", 0);
  /* 2 x bool: (2 << 4) | 1 = 0x21; elements one byte each, 1 true / 2 false */
  artemis_tw_field_list_begin(&w, 5, ARTEMIS_TT_BOOL_TRUE, 2);
  artemis_tw_list_bool(&w, 1);
  artemis_tw_list_bool(&w, 0);
  artemis_tw_struct_end(&w);
  assert_int_equal(artemis_tw_status(&w), ARTEMIS_OK);

  uint8_t expected[2 + 3 + 2 + 14 + 3 + 15 + 4 + 300 + 4 + 1];
  size_t n = 0;
  expected[n++] = 0x19; expected[n++] = 0x35;
  expected[n++] = 0x02; expected[n++] = 0x04; expected[n++] = 0x06;
  expected[n++] = 0x19; expected[n++] = 0xE6;
  for (int i = 0; i < 14; i++) expected[n++] = 0x00;
  expected[n++] = 0x19; expected[n++] = 0xF5; expected[n++] = 0x0F;
  for (int i = 0; i < 15; i++) expected[n++] = 0x00;
  expected[n++] = 0x19; expected[n++] = 0xF8; expected[n++] = 0xAC; expected[n++] = 0x02;
  for (int i = 0; i < 300; i++) expected[n++] = 0x00;
  expected[n++] = 0x19; expected[n++] = 0x21; expected[n++] = 0x01; expected[n++] = 0x02;
  expected[n++] = 0x00;
  assert_int_equal(n, sizeof expected);
  expect_bytes_hex(f->out.data, f->out.len, expected, n);

  artemis_thrift_value* root = NULL;
  assert_int_equal(artemis_thrift_parse(f->out.data, f->out.len, &f->mem, NULL, &root, NULL, NULL), ARTEMIS_OK);
  const artemis_thrift_value* l1 = artemis_thrift_get_list(root, 1, ARTEMIS_THRIFT_I32);
  assert_non_null(l1);
  assert_int_equal(l1->as.list.count, 3);
  assert_int_equal(artemis_thrift_list_at(l1, 2)->as.integer, 3);
  assert_null(artemis_thrift_list_at(l1, 3));
  assert_int_equal(artemis_thrift_get_list(root, 2, ARTEMIS_THRIFT_I64)->as.list.count, 14);
  assert_int_equal(artemis_thrift_get_list(root, 3, ARTEMIS_THRIFT_I32)->as.list.count, 15);
  assert_int_equal(artemis_thrift_get_list(root, 4, ARTEMIS_THRIFT_BINARY)->as.list.count, 300);
  const artemis_thrift_value* l5 = artemis_thrift_get_list(root, 5, ARTEMIS_THRIFT_BOOL);
  assert_non_null(l5);
  assert_true(artemis_thrift_list_at(l5, 0)->as.boolean);
  assert_false(artemis_thrift_list_at(l5, 1)->as.boolean);
  assert_null(artemis_thrift_get_list(root, 1, ARTEMIS_THRIFT_I64)); /* wrong element kind */
  artemis_thrift_free(root);
}

static void test_nested_structs_restore_last_id(void** state) {
  buf_fixture* f = *state;
  artemis_thrift_writer w;
  artemis_tw_init(&w, &f->out);
  artemis_tw_field_i32(&w, 1, 5);           /* 0x15 0x0A */
  artemis_tw_field_struct_begin(&w, 3);     /* delta 2 -> 0x2C; ids restart at 0 */
  artemis_tw_field_i32(&w, 1, 7);           /*   0x15 0x0E */
  artemis_tw_field_struct_begin(&w, 2);     /*   0x1C */
  artemis_tw_field_bool(&w, 1, 1);          /*     0x11 */
  artemis_tw_struct_end(&w);                /*     0x00 */
  artemis_tw_field_i32(&w, 3, 1);           /*   last id restored to 2: delta 1 -> 0x15 0x02 */
  artemis_tw_struct_end(&w);                /*   0x00 */
  artemis_tw_field_i32(&w, 4, 9);           /* last id restored to 3: 0x15 0x12 */
  artemis_tw_field_list_begin(&w, 5, ARTEMIS_TT_STRUCT, 2); /* 0x19, (2 << 4) | 12 = 0x2C */
  artemis_tw_list_struct_begin(&w);
  artemis_tw_field_i32(&w, 1, 1);           /*   0x15 0x02 */
  artemis_tw_struct_end(&w);                /*   0x00 */
  artemis_tw_list_struct_begin(&w);
  artemis_tw_field_empty_struct(&w, 8);     /*   delta 8 -> 0x8C, STOP 0x00 */
  artemis_tw_struct_end(&w);                /*   0x00 */
  artemis_tw_field_i32(&w, 6, 0);           /* list elements leave last id at 5: 0x15 0x00 */
  artemis_tw_struct_end(&w);                /* 0x00 */
  static const uint8_t expected[] = {0x15, 0x0A, 0x2C, 0x15, 0x0E, 0x1C, 0x11, 0x00, 0x15, 0x02,
                                     0x00, 0x15, 0x12, 0x19, 0x2C, 0x15, 0x02, 0x00, 0x8C, 0x00,
                                     0x00, 0x15, 0x00, 0x00};
  assert_int_equal(artemis_tw_status(&w), ARTEMIS_OK);
  assert_int_equal(w.depth, 0);
  expect_bytes_hex(f->out.data, f->out.len, expected, sizeof expected);

  artemis_thrift_value* root = NULL;
  artemis_buf json;
  assert_int_equal(artemis_thrift_parse(f->out.data, f->out.len, &f->mem, NULL, &root, NULL, NULL), ARTEMIS_OK);
  assert_string_equal(to_json(root, &f->mem, &json),
                      "{\"1\": 5, \"3\": {\"1\": 7, \"2\": {\"1\": true}, \"3\": 1}, \"4\": 9, "
                      "\"5\": [{\"1\": 1}, {\"8\": {}}], \"6\": 0}");
  artemis_buf_free(&json);
  artemis_thrift_free(root);
}

static void test_writer_depth_limit_is_sticky(void** state) {
  buf_fixture* f = *state;
  artemis_thrift_writer w;
  artemis_tw_init(&w, &f->out);
  for (int i = 0; i < ARTEMIS_THRIFT_MAX_DEPTH; i++) artemis_tw_field_struct_begin(&w, 1);
  assert_int_equal(artemis_tw_status(&w), ARTEMIS_OK);
  size_t len = f->out.len;
  artemis_tw_field_struct_begin(&w, 1);
  assert_int_equal(artemis_tw_status(&w), ARTEMIS_E_LIMIT);
  assert_int_equal(f->out.len, len); /* nothing half-written */
  artemis_tw_field_i32(&w, 2, 1);
  artemis_tw_struct_end(&w);
  artemis_tw_field_list_begin(&w, 3, ARTEMIS_TT_I32, 1);
  assert_int_equal(f->out.len, len);
  assert_int_equal(artemis_tw_status(&w), ARTEMIS_E_LIMIT);
}

static void test_writer_nomem_is_sticky(void** state) {
  (void)state;
  tracked_mem env;
  tracked_mem_init(&env, 0); /* every allocation fails */
  artemis_buf out;
  artemis_buf_init(&out, &env.mem);
  artemis_thrift_writer w;
  artemis_tw_init(&w, &out);
  artemis_tw_field_i32(&w, 1, 1);
  assert_int_equal(artemis_tw_status(&w), ARTEMIS_E_NOMEM);
  env.budget.left = -1; /* even once memory is back, the error stays */
  artemis_tw_field_i32(&w, 2, 1);
  artemis_tw_struct_end(&w);
  assert_int_equal(artemis_tw_status(&w), ARTEMIS_E_NOMEM);
  assert_int_equal(out.len, 0);
  artemis_buf_free(&out);
}

static void test_writer_invalid_arguments(void** state) {
  buf_fixture* f = *state;
  artemis_thrift_writer w;
  artemis_tw_init(&w, &f->out);
  artemis_tw_field_string(&w, 1, NULL);
  assert_int_equal(artemis_tw_status(&w), ARTEMIS_E_INVALID_ARGUMENT);
  assert_int_equal(f->out.len, 0);

  artemis_tw_init(&w, &f->out);
  artemis_tw_field_list_begin(&w, 1, 0, 1);
  assert_int_equal(artemis_tw_status(&w), ARTEMIS_E_INVALID_ARGUMENT);
  assert_int_equal(f->out.len, 0);

  artemis_tw_init(&w, &f->out);
  artemis_tw_field_binary(&w, 1, NULL, 3);
  assert_int_equal(artemis_tw_status(&w), ARTEMIS_E_INVALID_ARGUMENT);
  assert_int_equal(f->out.len, 0);
}

/* ---- reader ---- */

/* One of everything the writer can produce. */
static void build_sample(artemis_buf* out) {
  artemis_thrift_writer w;
  artemis_tw_init(&w, out);
  artemis_tw_field_bool(&w, 1, 1);
  artemis_tw_field_bool(&w, 2, 0);
  artemis_tw_field_i8(&w, 3, -8);
  artemis_tw_field_i16(&w, 4, -1234);
  artemis_tw_field_i32(&w, 5, INT32_MIN);
  artemis_tw_field_i64(&w, 6, INT64_MAX);
  artemis_tw_field_string(&w, 7, "h\xc3\xa9llo \"q\"\\\n");
  static const uint8_t raw[] = {0x00, 0xFF, 0x10};
  artemis_tw_field_binary(&w, 8, raw, sizeof raw);
  artemis_tw_field_list_begin(&w, 9, ARTEMIS_TT_I32, 3);
  artemis_tw_list_i32(&w, 1);
  artemis_tw_list_i32(&w, -1);
  artemis_tw_list_i32(&w, 300);
  artemis_tw_field_list_begin(&w, 10, ARTEMIS_TT_BOOL_TRUE, 2);
  artemis_tw_list_bool(&w, 1);
  artemis_tw_list_bool(&w, 0);
  artemis_tw_field_list_begin(&w, 11, ARTEMIS_TT_BINARY, 2);
  artemis_tw_list_binary(&w, "a", 1);
  artemis_tw_list_binary(&w, "", 0);
  artemis_tw_field_struct_begin(&w, 12);
  artemis_tw_field_i64(&w, 1, -5);
  artemis_tw_field_list_begin(&w, 2, ARTEMIS_TT_STRUCT, 2);
  artemis_tw_list_struct_begin(&w);
  artemis_tw_field_empty_struct(&w, 1);
  artemis_tw_struct_end(&w);
  artemis_tw_list_struct_begin(&w);
  artemis_tw_field_i32(&w, 3, 42);
  artemis_tw_struct_end(&w);
  artemis_tw_field_empty_struct(&w, 3);
  artemis_tw_struct_end(&w);
  artemis_tw_field_list_begin(&w, 40, ARTEMIS_TT_I64, 20);
  for (int64_t i = 0; i < 20; i++) artemis_tw_list_i64(&w, i);
  artemis_tw_field_i32(&w, -3, 7);
  artemis_tw_struct_end(&w);
  assert_int_equal(artemis_tw_status(&w), ARTEMIS_OK);
}

/* build_sample() into `out`, on a cmocka-tracked mem that never fails. */
static void tracked_sample(tracked_mem* env, artemis_buf* out) {
  tracked_mem_init(env, -1);
  artemis_buf_init(out, &env->mem);
  build_sample(out);
}

static void test_round_trip_every_writer_kind(void** state) {
  (void)state;
  tracked_mem env;
  artemis_buf out;
  tracked_sample(&env, &out);
  /* Trailing bytes after the root STOP are not part of the struct. */
  assert_int_equal(artemis_buf_append_u8(&out, 0xFF), ARTEMIS_OK);

  artemis_thrift_value* root = NULL;
  size_t consumed = 0;
  artemis_error error;
  assert_int_equal(artemis_thrift_parse(out.data, out.len, &env.mem, NULL, &root, &consumed, &error),
                   ARTEMIS_OK);
  assert_int_equal(consumed, out.len - 1);
  assert_int_equal(root->kind, ARTEMIS_THRIFT_STRUCT);
  static const int16_t ids[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 40, -3};
  static const artemis_thrift_kind kinds[] = {
      ARTEMIS_THRIFT_BOOL, ARTEMIS_THRIFT_BOOL,   ARTEMIS_THRIFT_I8,   ARTEMIS_THRIFT_I16,
      ARTEMIS_THRIFT_I32,  ARTEMIS_THRIFT_I64,    ARTEMIS_THRIFT_BINARY, ARTEMIS_THRIFT_BINARY,
      ARTEMIS_THRIFT_LIST, ARTEMIS_THRIFT_LIST,   ARTEMIS_THRIFT_LIST, ARTEMIS_THRIFT_STRUCT,
      ARTEMIS_THRIFT_LIST, ARTEMIS_THRIFT_I32};
  assert_int_equal(root->as.strct.count, 14);
  for (size_t i = 0; i < 14; i++) {
    assert_int_equal(root->as.strct.fields[i].id, ids[i]);
    assert_int_equal(root->as.strct.fields[i].value.kind, kinds[i]);
  }
  const uint8_t* data = NULL;
  size_t len = 0;
  assert_true(artemis_thrift_get_binary(root, 8, &data, &len));
  assert_int_equal(len, 3);
  assert_memory_equal(data, "\x00\xff\x10", 3);
  assert_true(artemis_thrift_get_binary(root, 7, &data, &len));
  assert_string_equal((const char*)data, "h\xc3\xa9llo \"q\"\\\n"); /* NUL-terminated copy */
  /* offsets point into the input: field 1 is a bool whose value sits in its header */
  assert_int_equal(artemis_thrift_field(root, 3)->offset, 3); /* 0x11 0x12 0x13 | 0xF8 */
  const artemis_thrift_value* inner = artemis_thrift_field_of_kind(root, 12, ARTEMIS_THRIFT_STRUCT);
  assert_non_null(inner);
  int32_t v32 = 0;
  assert_true(artemis_thrift_get_i32(artemis_thrift_list_at(artemis_thrift_get_list(inner, 2, ARTEMIS_THRIFT_STRUCT), 1),
                                     3, &v32));
  assert_int_equal(v32, 42);
  /* typed getters refuse other kinds and missing ids */
  assert_false(artemis_thrift_get_i64(root, 5, NULL));
  assert_false(artemis_thrift_get_i32(root, 99, &v32));
  assert_null(artemis_thrift_field(NULL, 1));
  assert_null(artemis_thrift_field(artemis_thrift_field(root, 5), 1));

  artemis_buf json;
  assert_string_equal(
      to_json(root, &env.mem, &json),
      "{\"1\": true, \"2\": false, \"3\": -8, \"4\": -1234, \"5\": -2147483648, "
      "\"6\": 9223372036854775807, \"7\": \"h\xc3\xa9llo \\\"q\\\"\\\\\\n\", \"8\": {\"hex\": \"00ff10\"}, "
      "\"9\": [1, -1, 300], \"10\": [true, false], \"11\": [\"a\", \"\"], "
      "\"12\": {\"1\": -5, \"2\": [{\"1\": {}}, {\"3\": 42}], \"3\": {}}, "
      "\"40\": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19], \"-3\": 7}");
  artemis_buf_free(&json);
  artemis_thrift_free(root);
  artemis_buf_free(&out);
  assert_int_equal(env.mem.live_bytes, 0);
}

static void test_reader_kinds_the_writer_lacks(void** state) {
  (void)state;
  artemis_mem mem;
  artemis_mem_init(&mem, NULL);
  static const uint8_t bytes[] = {
      0x17, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF8, 0x3F, /* 1: double 1.5, little-endian */
      0x1B, 0x01, 0x85, 0x01, 'a', 0x02,                   /* 2: map size 1, binary->i32, "a": 1 */
      0x1A, 0x15, 0x0E,                                     /* 3: set<i32> {7} */
      0x1B, 0x00,                                           /* 4: empty map, no type byte */
      0x19, 0x22, 0x00, 0x02,                               /* 5: list<bool> via type 2; 0 and 2 read false */
      0x17, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF8, 0x7F, /* 6: NaN */
      0x00};
  artemis_thrift_value* root = NULL;
  size_t consumed = 0;
  assert_int_equal(artemis_thrift_parse(bytes, sizeof bytes, &mem, NULL, &root, &consumed, NULL), ARTEMIS_OK);
  assert_int_equal(consumed, sizeof bytes);
  double d = 0;
  assert_true(artemis_thrift_get_double(root, 1, &d));
  assert_true(d == 1.5);
  const artemis_thrift_value* map = artemis_thrift_field_of_kind(root, 2, ARTEMIS_THRIFT_MAP);
  assert_non_null(map);
  assert_int_equal(map->as.map.key_kind, ARTEMIS_THRIFT_BINARY);
  assert_int_equal(map->as.map.value_kind, ARTEMIS_THRIFT_I32);
  assert_int_equal(artemis_thrift_field(root, 3)->kind, ARTEMIS_THRIFT_SET);
  artemis_buf json;
  assert_string_equal(to_json(root, &mem, &json),
                      "{\"1\": 1.5, \"2\": [[\"a\", 1]], \"3\": [7], \"4\": [], \"5\": [false, false], "
                      "\"6\": \"NaN\"}");
  artemis_buf_free(&json);
  assert_string_equal(artemis_thrift_kind_name(ARTEMIS_THRIFT_MAP), "map");
  assert_string_equal(artemis_thrift_kind_name(99), "?");
  artemis_thrift_free(root);
  assert_int_equal(mem.live_bytes, 0);
}

static void test_json_binary_rendering(void** state) {
  (void)state;
  artemis_mem mem;
  artemis_mem_init(&mem, NULL);
  static const struct {
    const char* bytes;
    size_t len;
    const char* json;
  } cases[] = {
      {"plain", 5, "\"plain\""},
      {"tab\there", 8, "\"tab\\there\""},
      {"\xe2\x82\xac", 3, "\"\xe2\x82\xac\""},       /* U+20AC, valid 3-byte UTF-8 */
      {"\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\""}, /* U+1F600 */
      {"a\x01", 2, "{\"hex\": \"6101\"}"},            /* control character */
      {"\x7f", 1, "{\"hex\": \"7f\"}"},               /* DEL */
      {"\xc2\x85", 2, "{\"hex\": \"c285\"}"},         /* C1 control U+0085 */
      {"\xc0\x80", 2, "{\"hex\": \"c080\"}"},         /* overlong NUL */
      {"\xed\xa0\x80", 3, "{\"hex\": \"eda080\"}"},   /* surrogate */
      {"\xf4\x90\x80\x80", 4, "{\"hex\": \"f4908080\"}"}, /* above U+10FFFF */
      {"\xe2\x82", 2, "{\"hex\": \"e282\"}"},         /* truncated sequence */
      {"a\xff", 2, "{\"hex\": \"61ff\"}"},           /* never a UTF-8 byte */
      {"\x80z", 2, "{\"hex\": \"807a\"}"},           /* continuation byte as lead */
      {"", 0, "\"\""},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    artemis_buf bytes;
    artemis_buf_init(&bytes, &mem);
    artemis_thrift_writer w;
    artemis_tw_init(&w, &bytes);
    artemis_tw_field_binary(&w, 1, cases[i].bytes, cases[i].len);
    artemis_tw_struct_end(&w);
    artemis_thrift_value* root = NULL;
    assert_int_equal(artemis_thrift_parse(bytes.data, bytes.len, &mem, NULL, &root, NULL, NULL), ARTEMIS_OK);
    artemis_buf json;
    char expected[128];
    snprintf(expected, sizeof expected, "{\"1\": %s}", cases[i].json);
    assert_string_equal(to_json(root, &mem, &json), expected);
    artemis_buf_free(&json);
    artemis_thrift_free(root);
    artemis_buf_free(&bytes);
  }
  assert_int_equal(mem.live_bytes, 0);
}

static void test_reader_truncated_at_every_length(void** state) {
  (void)state;
  tracked_mem env;
  artemis_buf out;
  tracked_sample(&env, &out);
  for (size_t n = 0; n < out.len; n++) {
    /* A fresh copy of exactly n bytes so ASan catches any read past the end. */
    uint8_t* copy = test_malloc(n ? n : 1);
    memcpy(copy, out.data, n);
    artemis_thrift_value* root = NULL;
    artemis_error error;
    int rc = artemis_thrift_parse(copy, n, &env.mem, NULL, &root, NULL, &error);
    if (rc != ARTEMIS_E_NEED_MORE) {
      print_message("prefix %zu: %s %s\n", n, artemis_status_name(rc), error.message);
      fail();
    }
    assert_null(root);
    assert_int_equal(error.code, ARTEMIS_E_NEED_MORE);
    assert_true(error.offset >= 0 && (size_t)error.offset <= n);
    assert_non_null(strstr(error.message, "thrift:"));
    test_free(copy);
    assert_int_equal(env.mem.live_bytes, (int64_t)out.cap);
  }
  artemis_buf_free(&out);
  assert_int_equal(env.mem.live_bytes, 0);
}

static void test_reader_random_bytes_never_crash(void** state) {
  (void)state;
  tracked_mem env;
  tracked_mem_init(&env, -1);
  artemis_thrift_limits small;
  artemis_thrift_limits_init(&small);
  small.max_depth = 6;
  small.max_elements = 64;
  small.max_binary_len = 16;
  uint64_t seed = UINT64_C(0x9E3779B97F4A7C15);
  /* Bytes that mean something to the decoder: headers, STOP, varint continuations. */
  static const uint8_t interesting[] = {0x00, 0x01, 0x02, 0x0F, 0x11, 0x15, 0x16, 0x18, 0x19,
                                        0x1A, 0x1B, 0x1C, 0x17, 0x29, 0x7F, 0x80, 0xF5, 0xF9, 0xFC, 0xFF};
  int parsed = 0;
  for (int iter = 0; iter < 20000; iter++) {
    size_t n = (size_t)(xorshift64star(&seed) % 96);
    uint8_t* bytes = test_malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++) {
      uint64_t r = xorshift64star(&seed);
      bytes[i] = (r & 1) ? interesting[(r >> 8) % sizeof interesting] : (uint8_t)(r >> 16);
    }
    artemis_error error;
    int rc = parse_and_render(bytes, n, &env.mem, (iter & 1) ? &small : NULL, &error);
    if (rc == ARTEMIS_OK) parsed++;
    else assert_int_equal(error.code, rc);
    test_free(bytes);
    assert_int_equal(env.mem.live_bytes, 0);
  }
  assert_true(parsed > 0); /* the generator does reach the success path */
}

static void test_reader_mutated_valid_input_never_crash(void** state) {
  (void)state;
  tracked_mem env;
  tracked_mem_init(&env, -1);
  artemis_mem plain;
  artemis_mem_init(&plain, NULL);
  artemis_buf sample;
  artemis_buf_init(&sample, &plain);
  build_sample(&sample);
  uint64_t seed = 12345;
  for (int iter = 0; iter < 20000; iter++) {
    size_t n = sample.len;
    uint8_t* bytes = test_malloc(n);
    memcpy(bytes, sample.data, n);
    int flips = 1 + (int)(xorshift64star(&seed) % 4);
    for (int f = 0; f < flips; f++) {
      uint64_t r = xorshift64star(&seed);
      bytes[r % n] = (uint8_t)(r >> 32);
    }
    size_t cut = (xorshift64star(&seed) % 4 == 0) ? (size_t)(xorshift64star(&seed) % (n + 1)) : n;
    parse_and_render(bytes, cut, &env.mem, NULL, NULL);
    test_free(bytes);
    assert_int_equal(env.mem.live_bytes, 0);
  }
  artemis_buf_free(&sample);
}

/* n nested struct fields: 0x1C x n (id 1, struct) then STOP x (n + 1). */
static uint8_t* nested_structs(size_t n, size_t* len) {
  *len = 2 * n + 1;
  uint8_t* bytes = test_malloc(*len);
  memset(bytes, 0x1C, n);
  memset(bytes + n, 0x00, n + 1);
  return bytes;
}

static void test_reader_depth_limit(void** state) {
  (void)state;
  artemis_mem mem;
  artemis_mem_init(&mem, NULL);
  artemis_thrift_limits limits;
  artemis_thrift_limits_init(&limits);
  artemis_thrift_value* root = NULL;
  artemis_error error;
  size_t len;

  /* root + 63 nested = 64 levels: the default limit exactly */
  uint8_t* bytes = nested_structs(63, &len);
  assert_int_equal(artemis_thrift_parse(bytes, len, &mem, NULL, &root, NULL, &error), ARTEMIS_OK);
  artemis_thrift_free(root);
  test_free(bytes);

  bytes = nested_structs(64, &len);
  assert_int_equal(artemis_thrift_parse(bytes, len, &mem, NULL, &root, NULL, &error), ARTEMIS_E_LIMIT);
  assert_null(root);
  assert_int_equal(error.offset, 64); /* the 65th struct starts after 64 headers */
  test_free(bytes);

  /* Far beyond any limit, and a caller limit above the hard cap is still capped. */
  bytes = nested_structs(100000, &len);
  limits.max_depth = 1 << 30;
  assert_int_equal(artemis_thrift_parse(bytes, len, &mem, &limits, &root, NULL, &error), ARTEMIS_E_LIMIT);
  test_free(bytes);

  /* Nested lists count too: field 1 list (0x19), then 99 headers "1 element of type list"
   * (0x19), then an empty list<i32> (0x05) and the root STOP. */
  uint8_t lists[1 + 99 + 1 + 1];
  lists[0] = 0x19;
  memset(lists + 1, 0x19, 99);
  lists[100] = 0x05;
  lists[101] = 0x00;
  assert_int_equal(artemis_thrift_parse(lists, sizeof lists, &mem, NULL, &root, NULL, &error), ARTEMIS_E_LIMIT);
  limits.max_depth = 101; /* root + 100 lists */
  assert_int_equal(artemis_thrift_parse(lists, sizeof lists, &mem, &limits, &root, NULL, &error), ARTEMIS_OK);
  artemis_thrift_free(root);
  limits.max_depth = 100;
  assert_int_equal(artemis_thrift_parse(lists, sizeof lists, &mem, &limits, &root, NULL, &error), ARTEMIS_E_LIMIT);
  assert_int_equal(mem.live_bytes, 0);
}

static void expect_parse_error(const uint8_t* bytes, size_t n, const artemis_thrift_limits* limits,
                               int expected_code, int64_t expected_offset) {
  tracked_mem env;
  tracked_mem_init(&env, -1);
  artemis_thrift_value* root = NULL;
  artemis_error error;
  int rc = artemis_thrift_parse(bytes, n, &env.mem, limits, &root, NULL, &error);
  if (rc != expected_code || error.offset != expected_offset) {
    print_message("got %s at %lld: %s\n", artemis_status_name(rc), (long long)error.offset, error.message);
    fail();
  }
  assert_null(root);
  assert_int_equal(env.mem.live_bytes, 0);
  /* No hostile length may reach the allocator. */
  assert_true(env.budget.largest <= 64 * 1024);
}

static void test_reader_huge_declared_lengths(void** state) {
  (void)state;
  artemis_thrift_limits unlimited;
  artemis_thrift_limits_init(&unlimited);
  unlimited.max_binary_len = SIZE_MAX;
  unlimited.max_elements = SIZE_MAX;

  /* binary of 2^31-1 bytes (ULEB FF FF FF FF 07) with 3 bytes present */
  static const uint8_t binary_max[] = {0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 'a', 'b', 'c'};
  expect_parse_error(binary_max, sizeof binary_max, NULL, ARTEMIS_E_LIMIT, 1);
  expect_parse_error(binary_max, sizeof binary_max, &unlimited, ARTEMIS_E_NEED_MORE, 1);
  /* 2^32-1 is a negative i32 length */
  static const uint8_t binary_negative[] = {0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00};
  expect_parse_error(binary_negative, sizeof binary_negative, &unlimited, ARTEMIS_E_INVALID_INPUT, 1);
  /* a sixth varint byte cannot fit in 32 bits */
  static const uint8_t binary_overlong[] = {0x18, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x00};
  expect_parse_error(binary_overlong, sizeof binary_overlong, &unlimited, ARTEMIS_E_INVALID_INPUT, 1);
  /* list<i64> of 2^31-1 elements with 2 bytes present */
  static const uint8_t list_max[] = {0x19, 0xF6, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00, 0x00};
  expect_parse_error(list_max, sizeof list_max, &unlimited, ARTEMIS_E_NEED_MORE, 1);
  /* set<struct> of 2^31-1 */
  static const uint8_t set_max[] = {0x1A, 0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00};
  expect_parse_error(set_max, sizeof set_max, &unlimited, ARTEMIS_E_NEED_MORE, 1);
  /* map of 2^31-1 pairs */
  static const uint8_t map_max[] = {0x1B, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x55, 0x00, 0x00};
  expect_parse_error(map_max, sizeof map_max, &unlimited, ARTEMIS_E_NEED_MORE, 1);
  /* map of 3 pairs needs 6 bytes; 5 remain */
  static const uint8_t map_short[] = {0x1B, 0x03, 0x55, 0x00, 0x00, 0x00, 0x00, 0x00};
  expect_parse_error(map_short, sizeof map_short, NULL, ARTEMIS_E_NEED_MORE, 1);
  /* 20 elements present but only 10 allowed */
  uint8_t list_20[2 + 20 + 1] = {0x19, 0xF5, 20};
  artemis_thrift_limits ten;
  artemis_thrift_limits_init(&ten);
  ten.max_elements = 10;
  list_20[sizeof list_20 - 1] = 0x00;
  expect_parse_error(list_20, sizeof list_20, &ten, ARTEMIS_E_LIMIT, 1);
  /* 12 bool fields (no payload bytes) against the same budget: the root is value 1,
   * so field 10 at byte 9 is the 11th value */
  static const uint8_t bools[] = {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x00};
  expect_parse_error(bools, sizeof bools, &ten, ARTEMIS_E_LIMIT, 9);
  /* i64 varint whose 10th byte carries more than bit 63 */
  static const uint8_t i64_overlong[] = {0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x00};
  expect_parse_error(i64_overlong, sizeof i64_overlong, NULL, ARTEMIS_E_INVALID_INPUT, 1);
}

static void test_reader_rejects_malformed_bytes(void** state) {
  (void)state;
  /* type 13 (not a compact type) */
  static const uint8_t unknown_type[] = {0x1D, 0x00};
  expect_parse_error(unknown_type, sizeof unknown_type, NULL, ARTEMIS_E_INVALID_INPUT, 0);
  /* delta 1 with type 0: only 0x00 is STOP */
  static const uint8_t type_zero[] = {0x10, 0x00};
  expect_parse_error(type_zero, sizeof type_zero, NULL, ARTEMIS_E_INVALID_INPUT, 0);
  /* list with element type 0 */
  static const uint8_t list_type_zero[] = {0x19, 0x10, 0x00, 0x00};
  expect_parse_error(list_type_zero, sizeof list_type_zero, NULL, ARTEMIS_E_INVALID_INPUT, 1);
  /* map with key type 13 */
  static const uint8_t map_bad_types[] = {0x1B, 0x01, 0xD5, 0x00, 0x00, 0x00};
  expect_parse_error(map_bad_types, sizeof map_bad_types, NULL, ARTEMIS_E_INVALID_INPUT, 1);
  /* bool element byte 3 */
  static const uint8_t bad_bool[] = {0x19, 0x11, 0x03, 0x00};
  expect_parse_error(bad_bool, sizeof bad_bool, NULL, ARTEMIS_E_INVALID_INPUT, 2);
  /* long-form id 32767 (zz 65534 = FE FF 03) then delta 1 overflows i16 */
  static const uint8_t id_overflow[] = {0x05, 0xFE, 0xFF, 0x03, 0x00, 0x15, 0x00, 0x00};
  expect_parse_error(id_overflow, sizeof id_overflow, NULL, ARTEMIS_E_INVALID_INPUT, 5);
  /* long-form id wider than i16 (zz 65536 = 80 80 04) */
  static const uint8_t id_wide[] = {0x05, 0x80, 0x80, 0x04, 0x00, 0x00};
  expect_parse_error(id_wide, sizeof id_wide, NULL, ARTEMIS_E_INVALID_INPUT, 1);
  /* i32 needing 33 bits (FF FF FF FF 1F) */
  static const uint8_t i32_wide[] = {0x15, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0x00};
  expect_parse_error(i32_wide, sizeof i32_wide, NULL, ARTEMIS_E_INVALID_INPUT, 1);
  /* i16 needing 17 bits (zz 65536) */
  static const uint8_t i16_wide[] = {0x14, 0x80, 0x80, 0x04, 0x00};
  expect_parse_error(i16_wide, sizeof i16_wide, NULL, ARTEMIS_E_INVALID_INPUT, 1);
  /* empty input, and a struct without STOP */
  expect_parse_error(unknown_type, 0, NULL, ARTEMIS_E_NEED_MORE, 0);
  static const uint8_t no_stop[] = {0x15, 0x02};
  expect_parse_error(no_stop, sizeof no_stop, NULL, ARTEMIS_E_NEED_MORE, 2);
  /* a double with 7 bytes */
  static const uint8_t short_double[] = {0x17, 0, 0, 0, 0, 0, 0, 0};
  expect_parse_error(short_double, sizeof short_double, NULL, ARTEMIS_E_NEED_MORE, 1);

  artemis_mem mem;
  artemis_mem_init(&mem, NULL);
  artemis_thrift_value* root = NULL;
  assert_int_equal(artemis_thrift_parse(NULL, 1, &mem, NULL, &root, NULL, NULL), ARTEMIS_E_INVALID_ARGUMENT);
  assert_int_equal(artemis_thrift_parse(no_stop, 2, NULL, NULL, &root, NULL, NULL), ARTEMIS_E_INVALID_ARGUMENT);
  assert_int_equal(artemis_thrift_parse(no_stop, 2, &mem, NULL, NULL, NULL, NULL), ARTEMIS_E_INVALID_ARGUMENT);
  artemis_thrift_free(NULL);
}

static void test_reader_allocation_failures(void** state) {
  (void)state;
  artemis_mem plain;
  artemis_mem_init(&plain, NULL);
  artemis_buf sample;
  artemis_buf_init(&sample, &plain);
  build_sample(&sample);
  /* Fail the 1st, 2nd, ... allocation until the parse needs no more than we allow. */
  for (long fail_at = 0;; fail_at++) {
    tracked_mem env;
    tracked_mem_init(&env, fail_at);
    artemis_thrift_value* root = NULL;
    artemis_error error;
    int rc = artemis_thrift_parse(sample.data, sample.len, &env.mem, NULL, &root, NULL, &error);
    if (rc == ARTEMIS_OK) {
      assert_true(fail_at > 0);
      artemis_thrift_free(root);
      assert_int_equal(env.mem.live_bytes, 0);
      break;
    }
    assert_int_equal(rc, ARTEMIS_E_NOMEM);
    assert_null(root);
    assert_int_equal(env.mem.live_bytes, 0);
    assert_true(fail_at < 100);
  }
  /* A big tree spans several arena blocks: 3000 structs in a list. */
  artemis_buf big;
  artemis_buf_init(&big, &plain);
  artemis_thrift_writer w;
  artemis_tw_init(&w, &big);
  artemis_tw_field_list_begin(&w, 1, ARTEMIS_TT_STRUCT, 3000);
  for (int i = 0; i < 3000; i++) {
    artemis_tw_list_struct_begin(&w);
    artemis_tw_field_i32(&w, 1, i);
    artemis_tw_field_string(&w, 2, "value");
    artemis_tw_struct_end(&w);
  }
  artemis_tw_struct_end(&w);
  for (long fail_at = 0;; fail_at++) {
    tracked_mem env;
    tracked_mem_init(&env, fail_at);
    artemis_thrift_value* root = NULL;
    int rc = artemis_thrift_parse(big.data, big.len, &env.mem, NULL, &root, NULL, NULL);
    if (rc == ARTEMIS_OK) {
      const artemis_thrift_value* list = artemis_thrift_get_list(root, 1, ARTEMIS_THRIFT_STRUCT);
      int32_t v = 0;
      assert_true(artemis_thrift_get_i32(artemis_thrift_list_at(list, 2999), 1, &v));
      assert_int_equal(v, 2999);
      artemis_thrift_free(root);
      assert_int_equal(env.mem.live_bytes, 0);
      assert_true(fail_at > 5);
      break;
    }
    assert_int_equal(rc, ARTEMIS_E_NOMEM);
    assert_int_equal(env.mem.live_bytes, 0);
    assert_true(fail_at < 10000);
  }
  artemis_buf_free(&big);
  artemis_buf_free(&sample);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      buf_fixture_unit_test(test_field_i32_short_form),
      buf_fixture_unit_test(test_field_header_delta_and_long_form),
      buf_fixture_unit_test(test_bool_fields_in_type_nibble),
      buf_fixture_unit_test(test_scalar_widths_and_extremes),
      buf_fixture_unit_test(test_binary_and_string),
      buf_fixture_unit_test(test_list_short_and_long_forms),
      buf_fixture_unit_test(test_nested_structs_restore_last_id),
      buf_fixture_unit_test(test_writer_depth_limit_is_sticky),
      cmocka_unit_test(test_writer_nomem_is_sticky),
      buf_fixture_unit_test(test_writer_invalid_arguments),
      cmocka_unit_test(test_round_trip_every_writer_kind),
      cmocka_unit_test(test_reader_kinds_the_writer_lacks),
      cmocka_unit_test(test_json_binary_rendering),
      cmocka_unit_test(test_reader_truncated_at_every_length),
      cmocka_unit_test(test_reader_random_bytes_never_crash),
      cmocka_unit_test(test_reader_mutated_valid_input_never_crash),
      cmocka_unit_test(test_reader_depth_limit),
      cmocka_unit_test(test_reader_huge_declared_lengths),
      cmocka_unit_test(test_reader_rejects_malformed_bytes),
      cmocka_unit_test(test_reader_allocation_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
