/* The config module: defaults, the canonical preset and encoding names. How the map
 * applies to a schema (wrong types, unknown columns) is tested in writer_test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "artemis/artemis.h"

static void test_defaults(void** state) {
  (void)state;
  artemis_writer_options o;
  memset(&o, 0xAB, sizeof o);
  artemis_writer_options_init(&o);
  assert_int_equal(o.version, ARTEMIS_WRITER_OPTIONS_VERSION);
  assert_int_equal(o.row_group_target_bytes, 128ll << 20);
  assert_int_equal(o.data_page_target_bytes, 1 << 20);
  assert_int_equal(o.data_page_max_rows, 20000);
  assert_int_equal(o.dictionary_limit_bytes, 1 << 20);
  assert_int_equal(o.compression, ARTEMIS_COMPRESSION_ZSTD);
  assert_int_equal(o.compression_level, 3);
  assert_int_equal(o.statistics_enabled, 1);
  assert_int_equal(o.page_index_enabled, 1);
  assert_int_equal(o.durable, 1);
  assert_null(o.columns);
  assert_int_equal(o.column_count, 0);
  assert_null(o.on_event);
  assert_null(o.allocator);
}

/* The briefing's map, column by column (briefing "Functional Requirements" 3 and the
 * canonical schema table). */
static void test_artemis_preset(void** state) {
  (void)state;
  struct {
    const char* column;
    artemis_column_encoding encoding;
  } expected[] = {
      {"sample_timestamp_ns", ARTEMIS_ENCODING_DELTA_BINARY_PACKED},
      {"sequence_number", ARTEMIS_ENCODING_DELTA_BINARY_PACKED},
      {"panel_voltage", ARTEMIS_ENCODING_BYTE_STREAM_SPLIT},
      {"temperature_c", ARTEMIS_ENCODING_BYTE_STREAM_SPLIT},
      {"pressure_kpa", ARTEMIS_ENCODING_BYTE_STREAM_SPLIT},
      {"archive_uri", ARTEMIS_ENCODING_DELTA_BYTE_ARRAY},
      {"object_path", ARTEMIS_ENCODING_DELTA_BYTE_ARRAY},
      {"mission_id", ARTEMIS_ENCODING_DICTIONARY},
      {"payload_id", ARTEMIS_ENCODING_DICTIONARY},
      {"sensor_kind", ARTEMIS_ENCODING_DICTIONARY},
      {"quality_flag", ARTEMIS_ENCODING_DICTIONARY},
      {"notes", ARTEMIS_ENCODING_DICTIONARY},
  };
  size_t n = 0;
  const artemis_column_option* preset = artemis_artemis_preset(&n);
  assert_int_equal(n, sizeof expected / sizeof expected[0]);
  for (size_t i = 0; i < n; i++) {
    size_t hits = 0;
    for (size_t k = 0; k < n; k++) {
      if (strcmp(preset[k].column, expected[i].column) != 0) continue;
      hits++;
      assert_int_equal(preset[k].encoding, expected[i].encoding);
      assert_int_equal(preset[k].flags, ARTEMIS_COLUMN_IF_PRESENT);
    }
    assert_int_equal(hits, 1);
  }
  /* Every preset column exists in the canonical schema. */
  struct ArrowSchema schema;
  assert_int_equal(artemis_sample_schema(&schema, NULL), ARTEMIS_OK);
  assert_int_equal(schema.n_children, 12);
  for (size_t i = 0; i < n; i++) {
    int found = 0;
    for (int64_t c = 0; c < schema.n_children; c++) found |= !strcmp(schema.children[c]->name, preset[i].column);
    assert_true(found);
  }
  schema.release(&schema);
  artemis_writer_options o;
  artemis_writer_options_init(&o);
  artemis_writer_options_use_artemis_preset(&o);
  assert_ptr_equal(o.columns, preset);
  assert_int_equal(o.column_count, n);
}

static void test_encoding_names(void** state) {
  (void)state;
  for (int e = ARTEMIS_ENCODING_DEFAULT; e <= ARTEMIS_ENCODING_DELTA_BYTE_ARRAY; e++) {
    artemis_column_encoding parsed;
    const char* name = artemis_column_encoding_name((artemis_column_encoding)e);
    assert_int_equal(artemis_column_encoding_parse(name, &parsed), ARTEMIS_OK);
    assert_int_equal(parsed, e);
  }
  artemis_column_encoding parsed;
  assert_int_equal(artemis_column_encoding_parse("rle_dictionary", &parsed), ARTEMIS_OK);
  assert_int_equal(parsed, ARTEMIS_ENCODING_DICTIONARY);
  assert_int_equal(artemis_column_encoding_parse("bss", &parsed), ARTEMIS_OK);
  assert_int_equal(parsed, ARTEMIS_ENCODING_BYTE_STREAM_SPLIT);
  assert_int_equal(artemis_column_encoding_parse("zip", &parsed), ARTEMIS_E_INVALID_ARGUMENT);
  assert_int_equal(artemis_column_encoding_parse(NULL, &parsed), ARTEMIS_E_INVALID_ARGUMENT);
  assert_string_equal(artemis_parquet_encoding_name(5), "DELTA_BINARY_PACKED");
  assert_string_equal(artemis_parquet_encoding_name(8), "RLE_DICTIONARY");
  assert_string_equal(artemis_parquet_encoding_name(9), "BYTE_STREAM_SPLIT");
  assert_string_equal(artemis_parquet_encoding_name(42), "UNKNOWN");
  assert_string_equal(artemis_status_name(ARTEMIS_E_CONFLICT), "ARTEMIS_E_CONFLICT");
  assert_int_equal(artemis_version_number(), ARTEMIS_VERSION_NUMBER);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_defaults),
      cmocka_unit_test(test_artemis_preset),
      cmocka_unit_test(test_encoding_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
