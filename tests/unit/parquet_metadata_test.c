/* Parquet metadata serializers: exact bytes for small structures (derived by hand in the
 * comments from the compact protocol rules, see thrift_compact_test.c) and field-by-field
 * checks of larger ones through the compact reader. Field ids: parquet-format
 * src/main/thrift/parquet.thrift. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "artemis/error.h"
#include "core/buffer.h"
#include "core/memory.h"
#include "thrift/compact_reader.h"
#include "thrift/compact_writer.h"
#include "thrift/parquet_metadata.h"
#include "support/buffer_fixture.h"
#include "support/test_allocators.h"

/* ---- helpers ---- */

static void expect_contains(const artemis_buf* buf, const uint8_t* needle, size_t n) {
  for (size_t i = 0; i + n <= buf->len; i++) {
    if (memcmp(buf->data + i, needle, n) == 0) return;
  }
  print_hex("missing ", needle, n);
  print_hex("in      ", buf->data, buf->len);
  fail_msg("byte sequence not found");
}

/* Every struct anywhere in the tree has strictly ascending field ids. */
static void assert_ids_ascending(const artemis_thrift_value* v) {
  switch (v->kind) {
    case ARTEMIS_THRIFT_STRUCT:
      for (size_t i = 0; i < v->as.strct.count; i++) {
        if (i > 0 && v->as.strct.fields[i].id <= v->as.strct.fields[i - 1].id) {
          fail_msg("field %d after %d at byte %zu", v->as.strct.fields[i].id, v->as.strct.fields[i - 1].id,
                   v->as.strct.fields[i].value.offset);
        }
        assert_ids_ascending(&v->as.strct.fields[i].value);
      }
      break;
    case ARTEMIS_THRIFT_LIST:
    case ARTEMIS_THRIFT_SET:
      for (size_t i = 0; i < v->as.list.count; i++) assert_ids_ascending(&v->as.list.items[i]);
      break;
    default: break;
  }
}

/* The ids present in struct `s`, in order, must be exactly `ids`. */
static void expect_field_ids(const artemis_thrift_value* s, const int16_t* ids, size_t n) {
  assert_non_null(s);
  assert_int_equal(s->kind, ARTEMIS_THRIFT_STRUCT);
  int ok = s->as.strct.count == n;
  for (size_t i = 0; ok && i < n; i++) ok = s->as.strct.fields[i].id == ids[i];
  if (!ok) {
    print_message("expected ids:");
    for (size_t i = 0; i < n; i++) print_message(" %d", ids[i]);
    print_message("\nactual ids:  ");
    for (size_t i = 0; i < s->as.strct.count; i++) print_message(" %d", s->as.strct.fields[i].id);
    print_message("\n");
    fail_msg("field id mismatch");
  }
}

#define EXPECT_IDS(s, ...)                                                   \
  do {                                                                       \
    static const int16_t expected_ids_[] = {__VA_ARGS__};                    \
    expect_field_ids((s), expected_ids_, sizeof expected_ids_ / sizeof expected_ids_[0]); \
  } while (0)

static int32_t get_i32(const artemis_thrift_value* s, int16_t id) {
  int32_t v = 0;
  if (!artemis_thrift_get_i32(s, id, &v)) fail_msg("no i32 field %d", id);
  return v;
}

static int64_t get_i64(const artemis_thrift_value* s, int16_t id) {
  int64_t v = 0;
  if (!artemis_thrift_get_i64(s, id, &v)) fail_msg("no i64 field %d", id);
  return v;
}

static bool get_bool(const artemis_thrift_value* s, int16_t id) {
  bool v = false;
  if (!artemis_thrift_get_bool(s, id, &v)) fail_msg("no bool field %d", id);
  return v;
}

static void expect_binary(const artemis_thrift_value* s, int16_t id, const void* bytes, size_t n) {
  const uint8_t* data = NULL;
  size_t len = 0;
  if (!artemis_thrift_get_binary(s, id, &data, &len)) fail_msg("no binary field %d", id);
  expect_bytes_hex(data, len, bytes, n);
}

static const artemis_thrift_value* get_struct(const artemis_thrift_value* s, int16_t id) {
  const artemis_thrift_value* v = artemis_thrift_field_of_kind(s, id, ARTEMIS_THRIFT_STRUCT);
  if (!v) fail_msg("no struct field %d", id);
  return v;
}

static const artemis_thrift_value* get_list(const artemis_thrift_value* s, int16_t id,
                                            artemis_thrift_kind elem_kind, size_t count) {
  const artemis_thrift_value* v = artemis_thrift_get_list(s, id, elem_kind);
  if (!v) fail_msg("no list<%s> field %d", artemis_thrift_kind_name(elem_kind), id);
  assert_int_equal(v->as.list.count, count);
  return v;
}

static artemis_thrift_value* parse_all(const artemis_buf* buf, artemis_mem* mem) {
  artemis_thrift_value* root = NULL;
  size_t consumed = 0;
  artemis_error error;
  int rc = artemis_thrift_parse(buf->data, buf->len, mem, NULL, &root, &consumed, &error);
  if (rc != ARTEMIS_OK) fail_msg("parse failed: %s", error.message);
  assert_int_equal(consumed, buf->len);
  assert_ids_ascending(root);
  return root;
}

/* ---- page headers ---- */

static void test_data_page_header_bytes(void** state) {
  buf_fixture* f = *state;
  artemis_pq_page_header h = {.type = PQ_PAGE_DATA, .uncompressed_page_size = 100,
                              .compressed_page_size = 50, .num_values = 10,
                              .encoding = PQ_ENC_PLAIN, .statistics = NULL};
  assert_int_equal(artemis_pq_write_page_header(&h, &f->out), ARTEMIS_OK);
  static const uint8_t expected[] = {
      0x15, 0x00,       /* 1 type: i32 DATA_PAGE 0 */
      0x15, 0xC8, 0x01, /* 2 uncompressed_page_size: zz(100) = 200 */
      0x15, 0x64,       /* 3 compressed_page_size: zz(50) = 100 */
      0x2C,             /* 5 data_page_header: delta 2, struct */
      0x15, 0x14,       /*   1 num_values: zz(10) = 20 */
      0x15, 0x00,       /*   2 encoding PLAIN */
      0x15, 0x06,       /*   3 definition_level_encoding RLE: zz(3) = 6 */
      0x15, 0x06,       /*   4 repetition_level_encoding RLE */
      0x00,             /*   STOP */
      0x00};            /* STOP */
  expect_bytes_hex(f->out.data, f->out.len, expected, sizeof expected);
}

static void test_dictionary_page_header_bytes(void** state) {
  buf_fixture* f = *state;
  artemis_pq_page_header h = {.type = PQ_PAGE_DICTIONARY, .uncompressed_page_size = 16,
                              .compressed_page_size = 20, .dictionary_num_values = 4,
                              /* data-page fields must be ignored for a dictionary page */
                              .num_values = 99, .encoding = PQ_ENC_RLE_DICTIONARY};
  assert_int_equal(artemis_pq_write_page_header(&h, &f->out), ARTEMIS_OK);
  static const uint8_t expected[] = {
      0x15, 0x04, /* 1 type: DICTIONARY_PAGE 2 -> zz 4 */
      0x15, 0x20, /* 2 uncompressed 16 -> 32 */
      0x15, 0x28, /* 3 compressed 20 -> 40 */
      0x4C,       /* 7 dictionary_page_header: delta 4, struct */
      0x15, 0x08, /*   1 num_values 4 */
      0x15, 0x00, /*   2 encoding PLAIN */
      0x00, 0x00};
  expect_bytes_hex(f->out.data, f->out.len, expected, sizeof expected);
}

static const uint8_t kMin4[] = {0x01, 0x00, 0x00, 0x00};
static const uint8_t kMax4[] = {0x09, 0x00, 0x00, 0x00};

static void test_data_page_header_with_statistics(void** state) {
  buf_fixture* f = *state;
  artemis_stats_encoded stats = {.has_min_max = 1, .min = kMin4, .min_len = 4, .min_exact = 1,
                                 .max = kMax4, .max_len = 4, .max_exact = 0,
                                 .write_legacy_min_max = 1, .null_count = 2};
  artemis_pq_page_header h = {.type = PQ_PAGE_DATA, .uncompressed_page_size = 100,
                              .compressed_page_size = 50, .num_values = 10,
                              .encoding = PQ_ENC_DELTA_BINARY_PACKED, .statistics = &stats};
  assert_int_equal(artemis_pq_write_page_header(&h, &f->out), ARTEMIS_OK);
  static const uint8_t expected[] = {
      0x15, 0x00, 0x15, 0xC8, 0x01, 0x15, 0x64,
      0x2C,
      0x15, 0x14,
      0x15, 0x0A,                         /* 2 encoding DELTA_BINARY_PACKED 5 -> 10 */
      0x15, 0x06, 0x15, 0x06,
      0x1C,                               /* 5 statistics: delta 1, struct */
      0x18, 0x04, 0x09, 0x00, 0x00, 0x00, /*   1 max (legacy) */
      0x18, 0x04, 0x01, 0x00, 0x00, 0x00, /*   2 min (legacy) */
      0x16, 0x04,                         /*   3 null_count i64 2 -> 4 */
      0x28, 0x04, 0x09, 0x00, 0x00, 0x00, /*   5 max_value: delta 2 */
      0x18, 0x04, 0x01, 0x00, 0x00, 0x00, /*   6 min_value */
      0x12,                               /*   7 is_max_value_exact false */
      0x11,                               /*   8 is_min_value_exact true */
      0x00,                               /*   STOP statistics */
      0x00,                               /*   STOP data_page_header */
      0x00};
  expect_bytes_hex(f->out.data, f->out.len, expected, sizeof expected);

  artemis_thrift_value* root = parse_all(&f->out, &f->mem);
  EXPECT_IDS(root, 1, 2, 3, 5);
  const artemis_thrift_value* dph = get_struct(root, 5);
  EXPECT_IDS(dph, 1, 2, 3, 4, 5);
  const artemis_thrift_value* st = get_struct(dph, 5);
  EXPECT_IDS(st, 1, 2, 3, 5, 6, 7, 8);
  expect_binary(st, 5, kMax4, 4);
  expect_binary(st, 6, kMin4, 4);
  assert_int_equal(get_i64(st, 3), 2);
  assert_false(get_bool(st, 7));
  assert_true(get_bool(st, 8));
  artemis_thrift_free(root);
}

static void test_statistics_variants(void** state) {
  buf_fixture* f = *state;
  artemis_thrift_writer w;

  /* All nulls: no min/max at all, null_count only. */
  artemis_stats_encoded all_null = {.has_min_max = 0, .write_legacy_min_max = 1, .null_count = 5};
  artemis_tw_init(&w, &f->out);
  artemis_pq_write_statistics_field(&w, 1, &all_null);
  artemis_tw_struct_end(&w);
  static const uint8_t expected_null[] = {0x1C, 0x36, 0x0A, 0x00, 0x00}; /* 3 null_count: delta 3, zz(5) */
  assert_int_equal(artemis_tw_status(&w), ARTEMIS_OK);
  expect_bytes_hex(f->out.data, f->out.len, expected_null, sizeof expected_null);

  /* Floats: no legacy fields, nan_count present; field id 12 as in ColumnMetaData. */
  artemis_buf_clear(&f->out);
  artemis_stats_encoded floats = {.has_min_max = 1, .min = (const uint8_t*)"a", .min_len = 1, .min_exact = 1,
                                  .max = (const uint8_t*)"b", .max_len = 1, .max_exact = 1,
                                  .write_legacy_min_max = 0, .null_count = 0, .has_nan_count = 1,
                                  .nan_count = 3};
  artemis_tw_init(&w, &f->out);
  artemis_pq_write_statistics_field(&w, 12, &floats);
  artemis_tw_struct_end(&w);
  static const uint8_t expected_floats[] = {
      0xCC,             /* 12: delta 12, struct */
      0x36, 0x00,       /* 3 null_count 0 (always written) */
      0x28, 0x01, 'b',  /* 5 max_value */
      0x18, 0x01, 'a',  /* 6 min_value */
      0x11, 0x11,       /* 7, 8 exact: true */
      0x16, 0x06,       /* 9 nan_count 3 */
      0x00, 0x00};
  expect_bytes_hex(f->out.data, f->out.len, expected_floats, sizeof expected_floats);

  /* No statistics is a caller bug, reported the sticky way. */
  artemis_buf_clear(&f->out);
  artemis_tw_init(&w, &f->out);
  artemis_pq_write_statistics_field(&w, 12, NULL);
  assert_int_equal(artemis_tw_status(&w), ARTEMIS_E_INVALID_ARGUMENT);
  assert_int_equal(f->out.len, 0);
}

/* ---- FileMetaData ---- */

typedef struct sample_file {
  artemis_pq_schema_element schema[5];
  artemis_pq_column_chunk chunks[4];
  artemis_pq_encoding_stats enc_stats[2];
  artemis_stats_encoded stats;
  artemis_pq_row_group row_group;
  artemis_pq_key_value kvs[2];
  artemis_pq_file_metadata meta;
} sample_file;

static artemis_pq_schema_element leaf(const char* name, int type, int repetition, int converted) {
  artemis_pq_schema_element e = {.name = name, .type = type, .type_length = -1, .repetition = repetition,
                                 .num_children = -1, .converted_type = converted, .scale = -1,
                                 .precision = -1};
  e.logical.kind = PQ_LT_NONE;
  return e;
}

static artemis_pq_column_chunk chunk(int type, const char* path, uint32_t encodings, int64_t data_page_offset) {
  artemis_pq_column_chunk c = {.type = type, .encodings = encodings, .path = path, .codec = 6,
                               .num_values = 3, .total_uncompressed_size = 100,
                               .total_compressed_size = 80, .data_page_offset = data_page_offset,
                               .dictionary_page_offset = -1, .offset_index_offset = -1,
                               .column_index_offset = -1};
  return c;
}

static void build_sample_file(sample_file* f) {
  memset(f, 0, sizeof *f);
  /* A zero-initialized root: type 0 and repetition 0 must still not be written. */
  f->schema[0].name = "schema";
  f->schema[0].num_children = 4;
  f->schema[1] = leaf("ts", PQ_INT64, PQ_OPTIONAL, -1);
  f->schema[1].logical = (artemis_pq_logical_type){.kind = PQ_LT_TIMESTAMP, .is_adjusted_to_utc = 0,
                                                    .unit = PQ_UNIT_NANOS};
  f->schema[2] = leaf("s", PQ_BYTE_ARRAY, PQ_OPTIONAL, PQ_CT_UTF8);
  f->schema[2].logical.kind = PQ_LT_STRING;
  f->schema[3] = leaf("u8", PQ_INT32, PQ_REQUIRED, PQ_CT_UINT_8);
  f->schema[3].logical = (artemis_pq_logical_type){.kind = PQ_LT_INTEGER, .bit_width = 8, .is_signed = 0};
  f->schema[4] = leaf("d", PQ_FIXED_LEN_BYTE_ARRAY, PQ_REQUIRED, PQ_CT_DECIMAL);
  f->schema[4].type_length = 16;
  f->schema[4].scale = 2;
  f->schema[4].precision = 38;
  f->schema[4].logical = (artemis_pq_logical_type){.kind = PQ_LT_DECIMAL, .scale = 2, .precision = 38};

  f->stats = (artemis_stats_encoded){.has_min_max = 1, .min = kMin4, .min_len = 4, .min_exact = 1,
                                     .max = kMax4, .max_len = 4, .max_exact = 1,
                                     .write_legacy_min_max = 1, .null_count = 1};
  f->enc_stats[0] = (artemis_pq_encoding_stats){PQ_PAGE_DICTIONARY, PQ_ENC_PLAIN, 1};
  f->enc_stats[1] = (artemis_pq_encoding_stats){PQ_PAGE_DATA, PQ_ENC_RLE_DICTIONARY, 1};
  f->chunks[0] = chunk(PQ_INT64, "ts",
                       (1u << PQ_ENC_RLE_DICTIONARY) | (1u << PQ_ENC_PLAIN) | (1u << PQ_ENC_RLE), 40);
  f->chunks[0].dictionary_page_offset = 4;
  f->chunks[0].statistics = &f->stats;
  f->chunks[0].encoding_stats = f->enc_stats;
  f->chunks[0].encoding_stats_count = 2;
  f->chunks[0].offset_index_offset = 1000;
  f->chunks[0].offset_index_length = 20;
  f->chunks[0].column_index_offset = 900;
  f->chunks[0].column_index_length = 30;
  f->chunks[1] = chunk(PQ_BYTE_ARRAY, "s", (1u << PQ_ENC_PLAIN) | (1u << PQ_ENC_RLE), 120);
  f->chunks[2] = chunk(PQ_INT32, "u8",
                       (1u << PQ_ENC_BYTE_STREAM_SPLIT) | (1u << PQ_ENC_PLAIN) |
                           (1u << PQ_ENC_DELTA_BINARY_PACKED) | (1u << PQ_ENC_RLE),
                       200);
  f->chunks[3] = chunk(PQ_FIXED_LEN_BYTE_ARRAY, "d", 1u << PQ_ENC_PLAIN, 280);

  f->row_group = (artemis_pq_row_group){.columns = f->chunks, .column_count = 4, .total_byte_size = 400,
                                        .num_rows = 3, .file_offset = 4, .total_compressed_size = 320,
                                        .ordinal = 0};
  f->kvs[0] = (artemis_pq_key_value){"ARROW:schema", 12, "abc", 3};
  f->kvs[1] = (artemis_pq_key_value){"k", 1, NULL, 0};
  f->meta = (artemis_pq_file_metadata){.schema = f->schema, .schema_count = 5, .num_rows = 3,
                                       .row_groups = &f->row_group, .row_group_count = 1,
                                       .key_values = f->kvs, .key_value_count = 2,
                                       .created_by = "artemis version 0.1.0 (build abc)",
                                       .column_order_count = 4};
}

static void test_file_metadata_exact_pieces(void** state) {
  buf_fixture* f = *state;
  sample_file sample;
  build_sample_file(&sample);
  assert_int_equal(artemis_pq_write_file_metadata(&sample.meta, &f->out), ARTEMIS_OK);

  static const uint8_t head[] = {
      0x15, 0x02,                                   /* 1 version: 1 */
      0x19, 0x5C,                                   /* 2 schema: list of 5 structs */
      0x48, 0x06, 's', 'c', 'h', 'e', 'm', 'a',     /*   root: 4 name (delta 4) */
      0x15, 0x08,                                   /*         5 num_children 4 */
      0x00};
  assert_true(f->out.len > sizeof head);
  expect_bytes_hex(f->out.data, sizeof head, head, sizeof head);

  /* Each schema element is a bare struct whose ids start at 0, so its bytes do not depend
   * on where it sits in the list. */
  static const uint8_t ts_leaf[] = {
      0x15, 0x04,             /* 1 type INT64 */
      0x25, 0x02,             /* 3 repetition OPTIONAL (delta 2) */
      0x18, 0x02, 't', 's',   /* 4 name */
      0x6C,                   /* 10 logicalType (delta 6) */
      0x8C,                   /*   8 TIMESTAMP */
      0x12,                   /*     1 isAdjustedToUTC false */
      0x1C,                   /*     2 unit: TimeUnit */
      0x3C, 0x00,             /*       3 NANOS {} (delta 3) */
      0x00, 0x00, 0x00, 0x00};
  expect_contains(&f->out, ts_leaf, sizeof ts_leaf);
  static const uint8_t u8_leaf[] = {
      0x15, 0x02,             /* 1 type INT32 */
      0x25, 0x00,             /* 3 repetition REQUIRED */
      0x18, 0x02, 'u', '8',   /* 4 name */
      0x25, 0x16,             /* 6 converted_type UINT_8 = 11 -> 22 (delta 2) */
      0x4C,                   /* 10 logicalType (delta 4) */
      0xAC,                   /*   10 INTEGER */
      0x13, 0x08,             /*     1 bitWidth i8 8 (raw byte) */
      0x12,                   /*     2 isSigned false */
      0x00, 0x00, 0x00};
  expect_contains(&f->out, u8_leaf, sizeof u8_leaf);
  static const uint8_t d_leaf[] = {
      0x15, 0x0E,             /* 1 type FLBA 7 */
      0x15, 0x20,             /* 2 type_length 16 */
      0x15, 0x00,             /* 3 REQUIRED */
      0x18, 0x01, 'd',        /* 4 name */
      0x25, 0x0A,             /* 6 DECIMAL 5 */
      0x15, 0x04,             /* 7 scale 2 */
      0x15, 0x4C,             /* 8 precision 38 -> 76 */
      0x2C,                   /* 10 logicalType (delta 2) */
      0x5C,                   /*   5 DECIMAL */
      0x15, 0x04, 0x15, 0x4C, /*     1 scale, 2 precision */
      0x00, 0x00, 0x00};
  expect_contains(&f->out, d_leaf, sizeof d_leaf);
  /* ColumnChunk of "s": 2 file_offset 0, 3 meta_data{1 type BYTE_ARRAY, 2 encodings
   * [PLAIN, RLE], 3 path ["s"], 4 codec ZSTD, 5 num_values 3, 6 uncompressed 100,
   * 7 compressed 80, 9 data_page_offset 120} and nothing else. */
  static const uint8_t s_chunk[] = {
      0x26, 0x00,             /* 2 file_offset i64 0 (delta 2) */
      0x1C,                   /* 3 meta_data */
      0x15, 0x0C,             /*   1 type 6 */
      0x19, 0x25, 0x00, 0x06, /*   2 encodings list<i32> [0, 3] */
      0x19, 0x18, 0x01, 's',  /*   3 path_in_schema list<binary> ["s"] */
      0x15, 0x0C,             /*   4 codec 6 */
      0x16, 0x06,             /*   5 num_values 3 */
      0x16, 0xC8, 0x01,       /*   6 total_uncompressed_size 100 */
      0x16, 0xA0, 0x01,       /*   7 total_compressed_size 80 -> 160 */
      0x26, 0xF0, 0x01,       /*   9 data_page_offset 120 -> 240 (delta 2) */
      0x00, 0x00};
  expect_contains(&f->out, s_chunk, sizeof s_chunk);
  /* The tail: 6 created_by, then 7 column_orders = 4 x ColumnOrder{1: TYPE_ORDER{}}. */
  static const uint8_t tail[] = {0x19, 0x4C, 0x1C, 0x00, 0x00, 0x1C, 0x00, 0x00,
                                 0x1C, 0x00, 0x00, 0x1C, 0x00, 0x00, 0x00};
  expect_bytes_hex(f->out.data + f->out.len - sizeof tail, sizeof tail, tail, sizeof tail);
}

static void test_file_metadata_field_by_field(void** state) {
  buf_fixture* f = *state;
  sample_file sample;
  build_sample_file(&sample);
  assert_int_equal(artemis_pq_write_file_metadata(&sample.meta, &f->out), ARTEMIS_OK);
  artemis_thrift_value* root = parse_all(&f->out, &f->mem);

  EXPECT_IDS(root, 1, 2, 3, 4, 5, 6, 7);
  assert_int_equal(get_i32(root, 1), 1);
  assert_int_equal(get_i64(root, 3), 3);
  expect_binary(root, 6, "artemis version 0.1.0 (build abc)", 33);

  /* schema */
  const artemis_thrift_value* schema = get_list(root, 2, ARTEMIS_THRIFT_STRUCT, 5);
  const artemis_thrift_value* e = artemis_thrift_list_at(schema, 0);
  EXPECT_IDS(e, 4, 5);
  expect_binary(e, 4, "schema", 6);
  assert_int_equal(get_i32(e, 5), 4);

  e = artemis_thrift_list_at(schema, 1);
  EXPECT_IDS(e, 1, 3, 4, 10);
  assert_int_equal(get_i32(e, 1), PQ_INT64);
  assert_int_equal(get_i32(e, 3), PQ_OPTIONAL);
  const artemis_thrift_value* lt = get_struct(e, 10);
  EXPECT_IDS(lt, 8);
  const artemis_thrift_value* ts = get_struct(lt, 8);
  EXPECT_IDS(ts, 1, 2);
  assert_false(get_bool(ts, 1));
  const artemis_thrift_value* unit = get_struct(ts, 2);
  EXPECT_IDS(unit, 3);
  assert_int_equal(get_struct(unit, 3)->as.strct.count, 0); /* NANOS {} */

  e = artemis_thrift_list_at(schema, 2);
  EXPECT_IDS(e, 1, 3, 4, 6, 10);
  assert_int_equal(get_i32(e, 1), PQ_BYTE_ARRAY);
  assert_int_equal(get_i32(e, 6), PQ_CT_UTF8);
  lt = get_struct(e, 10);
  EXPECT_IDS(lt, 1);
  assert_int_equal(get_struct(lt, 1)->as.strct.count, 0);

  e = artemis_thrift_list_at(schema, 3);
  EXPECT_IDS(e, 1, 3, 4, 6, 10);
  assert_int_equal(get_i32(e, 3), PQ_REQUIRED);
  assert_int_equal(get_i32(e, 6), PQ_CT_UINT_8);
  const artemis_thrift_value* integer = get_struct(get_struct(e, 10), 10);
  EXPECT_IDS(integer, 1, 2);
  int8_t bit_width = 0;
  assert_true(artemis_thrift_get_i8(integer, 1, &bit_width));
  assert_int_equal(bit_width, 8);
  assert_false(get_bool(integer, 2));

  e = artemis_thrift_list_at(schema, 4);
  EXPECT_IDS(e, 1, 2, 3, 4, 6, 7, 8, 10);
  assert_int_equal(get_i32(e, 2), 16);
  assert_int_equal(get_i32(e, 7), 2);
  assert_int_equal(get_i32(e, 8), 38);
  const artemis_thrift_value* decimal = get_struct(get_struct(e, 10), 5);
  EXPECT_IDS(decimal, 1, 2);
  assert_int_equal(get_i32(decimal, 1), 2);
  assert_int_equal(get_i32(decimal, 2), 38);

  /* row groups */
  const artemis_thrift_value* rg = artemis_thrift_list_at(get_list(root, 4, ARTEMIS_THRIFT_STRUCT, 1), 0);
  EXPECT_IDS(rg, 1, 2, 3, 5, 6, 7);
  assert_int_equal(get_i64(rg, 2), 400);
  assert_int_equal(get_i64(rg, 3), 3);
  assert_int_equal(get_i64(rg, 5), 4);
  assert_int_equal(get_i64(rg, 6), 320);
  int16_t ordinal = -1;
  assert_true(artemis_thrift_get_i16(rg, 7, &ordinal));
  assert_int_equal(ordinal, 0);
  const artemis_thrift_value* columns = get_list(rg, 1, ARTEMIS_THRIFT_STRUCT, 4);

  const artemis_thrift_value* cc = artemis_thrift_list_at(columns, 0);
  EXPECT_IDS(cc, 2, 3, 4, 5, 6, 7);
  assert_int_equal(get_i64(cc, 2), 0);
  assert_int_equal(get_i64(cc, 4), 1000);
  assert_int_equal(get_i32(cc, 5), 20);
  assert_int_equal(get_i64(cc, 6), 900);
  assert_int_equal(get_i32(cc, 7), 30);
  const artemis_thrift_value* md = get_struct(cc, 3);
  EXPECT_IDS(md, 1, 2, 3, 4, 5, 6, 7, 9, 11, 12, 13);
  assert_int_equal(get_i32(md, 1), PQ_INT64);
  const artemis_thrift_value* encodings = get_list(md, 2, ARTEMIS_THRIFT_I32, 3);
  assert_int_equal(artemis_thrift_list_at(encodings, 0)->as.integer, PQ_ENC_PLAIN);
  assert_int_equal(artemis_thrift_list_at(encodings, 1)->as.integer, PQ_ENC_RLE);
  assert_int_equal(artemis_thrift_list_at(encodings, 2)->as.integer, PQ_ENC_RLE_DICTIONARY);
  const artemis_thrift_value* path = get_list(md, 3, ARTEMIS_THRIFT_BINARY, 1);
  assert_string_equal((const char*)artemis_thrift_list_at(path, 0)->as.binary.data, "ts");
  assert_int_equal(get_i32(md, 4), 6);
  assert_int_equal(get_i64(md, 5), 3);
  assert_int_equal(get_i64(md, 6), 100);
  assert_int_equal(get_i64(md, 7), 80);
  assert_int_equal(get_i64(md, 9), 40);
  assert_int_equal(get_i64(md, 11), 4);
  const artemis_thrift_value* st = get_struct(md, 12);
  EXPECT_IDS(st, 1, 2, 3, 5, 6, 7, 8);
  assert_int_equal(get_i64(st, 3), 1);
  const artemis_thrift_value* es = get_list(md, 13, ARTEMIS_THRIFT_STRUCT, 2);
  EXPECT_IDS(artemis_thrift_list_at(es, 0), 1, 2, 3);
  assert_int_equal(get_i32(artemis_thrift_list_at(es, 0), 1), PQ_PAGE_DICTIONARY);
  assert_int_equal(get_i32(artemis_thrift_list_at(es, 0), 2), PQ_ENC_PLAIN);
  assert_int_equal(get_i32(artemis_thrift_list_at(es, 1), 1), PQ_PAGE_DATA);
  assert_int_equal(get_i32(artemis_thrift_list_at(es, 1), 2), PQ_ENC_RLE_DICTIONARY);
  assert_int_equal(get_i32(artemis_thrift_list_at(es, 1), 3), 1);

  /* no dictionary: dictionary_page_offset absent, not 0; no page index fields */
  cc = artemis_thrift_list_at(columns, 1);
  EXPECT_IDS(cc, 2, 3);
  EXPECT_IDS(get_struct(cc, 3), 1, 2, 3, 4, 5, 6, 7, 9);

  encodings = get_list(get_struct(artemis_thrift_list_at(columns, 2), 3), 2, ARTEMIS_THRIFT_I32, 4);
  static const int64_t ascending[] = {PQ_ENC_PLAIN, PQ_ENC_RLE, PQ_ENC_DELTA_BINARY_PACKED,
                                      PQ_ENC_BYTE_STREAM_SPLIT};
  for (size_t i = 0; i < 4; i++) assert_int_equal(artemis_thrift_list_at(encodings, i)->as.integer, ascending[i]);

  /* key/value metadata: value absent when NULL */
  const artemis_thrift_value* kvs = get_list(root, 5, ARTEMIS_THRIFT_STRUCT, 2);
  EXPECT_IDS(artemis_thrift_list_at(kvs, 0), 1, 2);
  expect_binary(artemis_thrift_list_at(kvs, 0), 1, "ARROW:schema", 12);
  expect_binary(artemis_thrift_list_at(kvs, 0), 2, "abc", 3);
  EXPECT_IDS(artemis_thrift_list_at(kvs, 1), 1);

  /* column orders: one TYPE_ORDER per leaf */
  const artemis_thrift_value* orders = get_list(root, 7, ARTEMIS_THRIFT_STRUCT, 4);
  for (size_t i = 0; i < 4; i++) {
    const artemis_thrift_value* order = artemis_thrift_list_at(orders, i);
    EXPECT_IDS(order, 1);
    assert_int_equal(get_struct(order, 1)->as.strct.count, 0);
  }
  artemis_thrift_free(root);
  artemis_buf_free(&f->out);
  assert_int_equal(f->mem.live_bytes, 0);
}

/* Writes a one-leaf file whose leaf has `lt` and returns the parsed LogicalType union
 * (NULL when the writer refused it; *status says why). */
static const artemis_thrift_value* logical_type_of(const artemis_pq_logical_type* lt, artemis_mem* mem,
                                                   artemis_thrift_value** root, int* status) {
  artemis_pq_schema_element schema[2] = {{.name = "root", .num_children = 1},
                                         leaf("x", PQ_INT64, PQ_REQUIRED, -1)};
  schema[1].logical = *lt;
  artemis_pq_file_metadata meta = {.schema = schema, .schema_count = 2, .column_order_count = 1};
  artemis_buf out;
  artemis_buf_init(&out, mem);
  assert_int_equal(artemis_buf_append(&out, "XYZ", 3), ARTEMIS_OK);
  *status = artemis_pq_write_file_metadata(&meta, &out);
  *root = NULL;
  const artemis_thrift_value* result = NULL;
  if (*status == ARTEMIS_OK) {
    artemis_buf body;
    body.data = out.data + 3;
    body.len = out.len - 3;
    *root = parse_all(&body, mem);
    result = get_struct(artemis_thrift_list_at(get_list(*root, 2, ARTEMIS_THRIFT_STRUCT, 2), 1), 10);
  } else {
    /* a refused structure leaves the buffer as it was */
    assert_int_equal(out.len, 3);
    assert_memory_equal(out.data, "XYZ", 3);
  }
  artemis_buf_free(&out);
  return result;
}

static void test_logical_type_unions(void** state) {
  (void)state;
  artemis_mem mem;
  artemis_mem_init(&mem, NULL);
  artemis_thrift_value* root;
  int status;

  static const int empty_kinds[] = {PQ_LT_STRING, PQ_LT_ENUM, PQ_LT_DATE, PQ_LT_UNKNOWN, PQ_LT_UUID,
                                    PQ_LT_FLOAT16};
  for (size_t i = 0; i < sizeof empty_kinds / sizeof empty_kinds[0]; i++) {
    artemis_pq_logical_type lt = {.kind = empty_kinds[i]};
    const artemis_thrift_value* u = logical_type_of(&lt, &mem, &root, &status);
    assert_int_equal(status, ARTEMIS_OK);
    assert_int_equal(u->as.strct.count, 1);
    assert_int_equal(u->as.strct.fields[0].id, empty_kinds[i]);
    assert_int_equal(get_struct(u, (int16_t)empty_kinds[i])->as.strct.count, 0);
    artemis_thrift_free(root);
  }

  static const struct { int kind, unit, utc; } timed[] = {
      {PQ_LT_TIME, PQ_UNIT_MILLIS, 1}, {PQ_LT_TIME, PQ_UNIT_MICROS, 0},
      {PQ_LT_TIMESTAMP, PQ_UNIT_MICROS, 1}, {PQ_LT_TIMESTAMP, PQ_UNIT_MILLIS, 0},
      {PQ_LT_TIMESTAMP, PQ_UNIT_NANOS, 1}};
  for (size_t i = 0; i < sizeof timed / sizeof timed[0]; i++) {
    artemis_pq_logical_type lt = {.kind = timed[i].kind, .unit = timed[i].unit,
                                  .is_adjusted_to_utc = timed[i].utc};
    const artemis_thrift_value* u = logical_type_of(&lt, &mem, &root, &status);
    assert_int_equal(status, ARTEMIS_OK);
    const artemis_thrift_value* t = get_struct(u, (int16_t)timed[i].kind);
    EXPECT_IDS(t, 1, 2);
    assert_int_equal(get_bool(t, 1), timed[i].utc != 0);
    const artemis_thrift_value* unit = get_struct(t, 2);
    assert_int_equal(unit->as.strct.count, 1);
    assert_int_equal(get_struct(unit, (int16_t)timed[i].unit)->as.strct.count, 0);
    artemis_thrift_free(root);
  }

  artemis_pq_logical_type int64_signed = {.kind = PQ_LT_INTEGER, .bit_width = 64, .is_signed = 1};
  const artemis_thrift_value* u = logical_type_of(&int64_signed, &mem, &root, &status);
  int8_t bit_width = 0;
  assert_true(artemis_thrift_get_i8(get_struct(u, 10), 1, &bit_width));
  assert_int_equal(bit_width, 64);
  assert_true(get_bool(get_struct(u, 10), 2));
  artemis_thrift_free(root);

  /* Refused: unknown union member, unit outside 1..3, a bit width Parquet lacks. */
  artemis_pq_logical_type bad[] = {{.kind = 2}, {.kind = 99}, {.kind = PQ_LT_TIMESTAMP, .unit = 0},
                                   {.kind = PQ_LT_TIME, .unit = 4}, {.kind = PQ_LT_INTEGER, .bit_width = 7}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    assert_null(logical_type_of(&bad[i], &mem, &root, &status));
    assert_int_equal(status, ARTEMIS_E_INVALID_ARGUMENT);
  }
  assert_int_equal(mem.live_bytes, 0);
}

/* ---- page index ---- */

static void test_offset_index_bytes(void** state) {
  buf_fixture* f = *state;
  artemis_pq_page_location pages[] = {{4, 100, 0}, {104, 50, 10}};
  assert_int_equal(artemis_pq_write_offset_index(pages, 2, &f->out), ARTEMIS_OK);
  static const uint8_t expected[] = {
      0x19, 0x2C,             /* 1 page_locations: list of 2 structs */
      0x16, 0x08,             /*   1 offset 4 */
      0x15, 0xC8, 0x01,       /*   2 compressed_page_size 100 */
      0x16, 0x00,             /*   3 first_row_index 0 */
      0x00,
      0x16, 0xD0, 0x01,       /*   1 offset 104 -> 208 */
      0x15, 0x64,             /*   2 50 -> 100 */
      0x16, 0x14,             /*   3 10 -> 20 */
      0x00,
      0x00};
  expect_bytes_hex(f->out.data, f->out.len, expected, sizeof expected);

  artemis_buf_clear(&f->out);
  assert_int_equal(artemis_pq_write_offset_index(NULL, 0, &f->out), ARTEMIS_OK);
  static const uint8_t empty[] = {0x19, 0x0C, 0x00}; /* list of 0 structs: (0 << 4) | 12 */
  expect_bytes_hex(f->out.data, f->out.len, empty, sizeof empty);
}

static void test_column_index_bytes(void** state) {
  buf_fixture* f = *state;
  static const uint8_t null_pages[] = {0, 1};
  /* The null page carries stale bounds on purpose: the writer must emit byte[0]. */
  const uint8_t* mins[] = {(const uint8_t*)"a", (const uint8_t*)"stale"};
  const uint8_t* maxs[] = {(const uint8_t*)"z", (const uint8_t*)"stale"};
  static const size_t min_lens[] = {1, 5};
  static const size_t max_lens[] = {1, 5};
  static const int64_t null_counts[] = {0, 3};
  artemis_pq_column_index index = {.page_count = 2, .null_pages = null_pages, .min_values = mins,
                                   .min_lens = min_lens, .max_values = maxs, .max_lens = max_lens,
                                   .boundary_order = PQ_ASCENDING, .null_counts = null_counts};
  assert_int_equal(artemis_pq_write_column_index(&index, &f->out), ARTEMIS_OK);
  static const uint8_t expected[] = {
      0x19, 0x21, 0x02, 0x01,       /* 1 null_pages list<bool> [false, true] */
      0x19, 0x28, 0x01, 'a', 0x00,  /* 2 min_values list<binary> ["a", ""] */
      0x19, 0x28, 0x01, 'z', 0x00,  /* 3 max_values ["z", ""] */
      0x15, 0x02,                   /* 4 boundary_order ASCENDING 1 */
      0x19, 0x26, 0x00, 0x06,       /* 5 null_counts list<i64> [0, 3] */
      0x00};
  expect_bytes_hex(f->out.data, f->out.len, expected, sizeof expected);

  artemis_thrift_value* root = parse_all(&f->out, &f->mem);
  const artemis_thrift_value* np = get_list(root, 1, ARTEMIS_THRIFT_BOOL, 2);
  assert_false(artemis_thrift_list_at(np, 0)->as.boolean);
  assert_true(artemis_thrift_list_at(np, 1)->as.boolean);
  artemis_thrift_free(root);

  /* null_counts absent when not given */
  artemis_buf_clear(&f->out);
  index.null_counts = NULL;
  index.boundary_order = PQ_UNORDERED;
  assert_int_equal(artemis_pq_write_column_index(&index, &f->out), ARTEMIS_OK);
  root = parse_all(&f->out, &f->mem);
  EXPECT_IDS(root, 1, 2, 3, 4);
  assert_int_equal(get_i32(root, 4), PQ_UNORDERED);
  artemis_thrift_free(root);
}

/* ---- failures ---- */

static void test_invalid_arguments_leave_output_untouched(void** state) {
  buf_fixture* f = *state;
  assert_int_equal(artemis_buf_append(&f->out, "XYZ", 3), ARTEMIS_OK);

  artemis_pq_page_header v2 = {.type = PQ_PAGE_DATA_V2};
  assert_int_equal(artemis_pq_write_page_header(&v2, &f->out), ARTEMIS_E_INVALID_ARGUMENT);
  assert_int_equal(artemis_pq_write_page_header(NULL, &f->out), ARTEMIS_E_INVALID_ARGUMENT);

  sample_file sample;
  build_sample_file(&sample);
  sample.schema[0].num_children = -1; /* the root must say how many children it has */
  assert_int_equal(artemis_pq_write_file_metadata(&sample.meta, &f->out), ARTEMIS_E_INVALID_ARGUMENT);
  build_sample_file(&sample);
  sample.schema[2].name = NULL;
  assert_int_equal(artemis_pq_write_file_metadata(&sample.meta, &f->out), ARTEMIS_E_INVALID_ARGUMENT);
  build_sample_file(&sample);
  sample.chunks[3].path = NULL;
  assert_int_equal(artemis_pq_write_file_metadata(&sample.meta, &f->out), ARTEMIS_E_INVALID_ARGUMENT);
  build_sample_file(&sample);
  sample.kvs[1].key = NULL;
  assert_int_equal(artemis_pq_write_file_metadata(&sample.meta, &f->out), ARTEMIS_E_INVALID_ARGUMENT);
  build_sample_file(&sample);
  sample.meta.schema_count = 0;
  assert_int_equal(artemis_pq_write_file_metadata(&sample.meta, &f->out), ARTEMIS_E_INVALID_ARGUMENT);

  assert_int_equal(artemis_pq_write_offset_index(NULL, 1, &f->out), ARTEMIS_E_INVALID_ARGUMENT);
  artemis_pq_column_index missing = {.page_count = 1};
  assert_int_equal(artemis_pq_write_column_index(&missing, &f->out), ARTEMIS_E_INVALID_ARGUMENT);

  assert_int_equal(f->out.len, 3);
  assert_memory_equal(f->out.data, "XYZ", 3);
}

static void test_allocation_failures(void** state) {
  (void)state;
  sample_file f;
  build_sample_file(&f);
  /* Fail the k-th allocation for every k: NOMEM, prefix kept, no leak (cmocka checks). */
  for (long fail_at = 1;; fail_at++) {
    tracked_mem env;
    tracked_mem_init(&env, fail_at);
    artemis_buf out;
    artemis_buf_init(&out, &env.mem);
    assert_int_equal(artemis_buf_append(&out, "XYZ", 3), ARTEMIS_OK); /* allocation 0 */
    int rc = artemis_pq_write_file_metadata(&f.meta, &out);
    if (rc == ARTEMIS_OK) {
      assert_true(out.len > 100);
      artemis_buf_free(&out);
      break;
    }
    assert_int_equal(rc, ARTEMIS_E_NOMEM);
    assert_int_equal(out.len, 3);
    assert_memory_equal(out.data, "XYZ", 3);
    artemis_buf_free(&out);
    assert_true(fail_at < 100);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      buf_fixture_unit_test(test_data_page_header_bytes),
      buf_fixture_unit_test(test_dictionary_page_header_bytes),
      buf_fixture_unit_test(test_data_page_header_with_statistics),
      buf_fixture_unit_test(test_statistics_variants),
      buf_fixture_unit_test(test_file_metadata_exact_pieces),
      buf_fixture_unit_test(test_file_metadata_field_by_field),
      cmocka_unit_test(test_logical_type_unions),
      buf_fixture_unit_test(test_offset_index_bytes),
      buf_fixture_unit_test(test_column_index_bytes),
      buf_fixture_unit_test(test_invalid_arguments_leave_output_untouched),
      cmocka_unit_test(test_allocation_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
