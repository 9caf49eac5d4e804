/* JSON event lines: exact output per kind, string escaping, number formatting independent of
 * the locale, snprintf-style truncation, and the fd sink. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "artemis/events.h"

static artemis_event blank_event(artemis_event_kind kind) {
  artemis_event e;
  memset(&e, 0, sizeof e);
  e.kind = kind;
  e.row_group = -1;
  e.rows = -1;
  e.compressed_bytes = -1;
  e.uncompressed_bytes = -1;
  e.file_bytes = -1;
  e.elapsed_ms = -1;
  e.column_index = -1;
  return e;
}

static artemis_event flushed_event(double elapsed_ms) {
  artemis_event e = blank_event(ARTEMIS_EVENT_ROW_GROUP_FLUSHED);
  e.row_group = 0;
  e.rows = 123;
  e.compressed_bytes = 4567;
  e.uncompressed_bytes = 89012;
  e.elapsed_ms = elapsed_ms;
  return e;
}

static artemis_event fallback_event(const char* column) {
  artemis_event e = blank_event(ARTEMIS_EVENT_DICTIONARY_FALLBACK);
  e.column = column;
  e.column_index = 11;
  e.row_group = 0;
  return e;
}

static void assert_json(const artemis_event* e, const char* expected) {
  char out[1024];
  size_t needed = artemis_event_format_json(e, out, sizeof out);
  assert_int_equal(needed, strlen(expected));
  assert_string_equal(out, expected);
}

static void test_row_group_flushed(void** state) {
  (void)state;
  artemis_event e = flushed_event(1.2344);
  assert_json(&e,
              "{\"event\":\"row_group_flushed\",\"rg_idx\":0,\"rows\":123,\"compressed_bytes\":4567,"
              "\"uncompressed_bytes\":89012,\"elapsed_ms\":1.234}\n");
}

static void test_dictionary_fallback(void** state) {
  (void)state;
  artemis_event e = fallback_event("notes");
  assert_json(&e, "{\"event\":\"dictionary_fallback\",\"column\":\"notes\",\"column_index\":11,\"row_group\":0}\n");
  e.column = NULL;
  assert_json(&e, "{\"event\":\"dictionary_fallback\",\"column\":null,\"column_index\":11,\"row_group\":0}\n");
}

static void test_file_published(void** state) {
  (void)state;
  artemis_event e = blank_event(ARTEMIS_EVENT_FILE_PUBLISHED);
  e.path = "/archive/2026/04/telemetry.parquet";
  e.rows = 10000000;
  e.row_group = 3;
  e.file_bytes = 987654321;
  e.elapsed_ms = 12.5;
  assert_json(&e,
              "{\"event\":\"file_published\",\"path\":\"/archive/2026/04/telemetry.parquet\",\"rows\":10000000,"
              "\"row_groups\":3,\"file_bytes\":987654321,\"elapsed_ms\":12.500}\n");
}

static void test_encoding_chosen(void** state) {
  (void)state;
  artemis_event e = blank_event(ARTEMIS_EVENT_ENCODING_CHOSEN);
  artemis_encoding_candidate candidates[3] = {
      {"RLE_DICTIONARY", 9000, 4000}, {"PLAIN", 6000, 6000}, {"BYTE_STREAM_SPLIT", 7000, 7000}};
  e.column = "panel_voltage";
  e.column_index = 5;
  e.row_group = 2;
  e.rows = 16384;
  e.encoding = "RLE_DICTIONARY";
  e.fallback_encoding = "PLAIN";
  e.candidates = candidates;
  e.candidate_count = 3;
  assert_json(&e,
              "{\"event\":\"encoding_chosen\",\"column\":\"panel_voltage\",\"column_index\":5,\"row_group\":2,"
              "\"sample_rows\":16384,\"encoding\":\"RLE_DICTIONARY\",\"fallback_encoding\":\"PLAIN\","
              "\"candidate_bytes\":{\"RLE_DICTIONARY\":9000,\"PLAIN\":6000,\"BYTE_STREAM_SPLIT\":7000},"
              "\"compared_bytes\":{\"RLE_DICTIONARY\":4000,\"PLAIN\":6000,\"BYTE_STREAM_SPLIT\":7000}}\n");
  e.fallback_encoding = NULL;
  e.candidate_count = 0;
  assert_json(&e,
              "{\"event\":\"encoding_chosen\",\"column\":\"panel_voltage\",\"column_index\":5,\"row_group\":2,"
              "\"sample_rows\":16384,\"encoding\":\"RLE_DICTIONARY\",\"fallback_encoding\":null,"
              "\"candidate_bytes\":{},\"compared_bytes\":{}}\n");
}
static void test_unknown_kind(void** state) {
  (void)state;
  artemis_event e = blank_event((artemis_event_kind)42);
  assert_json(&e, "{\"event\":\"unknown\",\"kind\":42}\n");
}

static void test_integer_extremes(void** state) {
  (void)state;
  artemis_event e = flushed_event(0);
  e.row_group = -1;
  e.rows = INT64_MAX;
  e.compressed_bytes = INT64_MIN;
  e.uncompressed_bytes = 0;
  assert_json(&e,
              "{\"event\":\"row_group_flushed\",\"rg_idx\":-1,\"rows\":9223372036854775807,"
              "\"compressed_bytes\":-9223372036854775808,\"uncompressed_bytes\":0,\"elapsed_ms\":0.000}\n");
}

static void assert_elapsed(double ms, const char* expected_text) {
  artemis_event e = flushed_event(ms);
  char expected[256];
  snprintf(expected, sizeof expected,
           "{\"event\":\"row_group_flushed\",\"rg_idx\":0,\"rows\":123,\"compressed_bytes\":4567,"
           "\"uncompressed_bytes\":89012,\"elapsed_ms\":%s}\n",
           expected_text);
  assert_json(&e, expected);
}

static void test_elapsed_formatting(void** state) {
  (void)state;
  assert_elapsed(0.0, "0.000");
  assert_elapsed(2.0, "2.000");
  assert_elapsed(0.0006, "0.001");
  assert_elapsed(0.0004, "0.000");
  assert_elapsed(-0.0004, "0.000");
  assert_elapsed(1.9996, "2.000");
  assert_elapsed(-1.5, "-1.500");
  assert_elapsed(1e9, "1000000000.000");
  assert_elapsed(123456.789, "123456.789");
  assert_elapsed(NAN, "null");
  assert_elapsed(INFINITY, "null");
  assert_elapsed(-INFINITY, "null");
  assert_elapsed(1e300, "null");
}

/* printf would print "1,234" under a German LC_NUMERIC; the formatter must not. The machine
 * may only have C/POSIX installed, so compile de_DE into a temporary LOCPATH when localedef
 * and the locale sources exist; skip (with a message) otherwise. */
static char g_locale_dir[] = "/tmp/artemis-locale-XXXXXX";
static int g_locale_dir_made;

/* A teardown, so that a failing assertion still restores the locale and removes the files. */
static int restore_locale(void** state) {
  (void)state;
  setlocale(LC_NUMERIC, "C");
  if (g_locale_dir_made) {
    unsetenv("LOCPATH");
    char command[128];
    snprintf(command, sizeof command, "rm -rf %s", g_locale_dir);
    if (system(command) != 0) return -1;
    g_locale_dir_made = 0;
  }
  return 0;
}

static int activate_german_numeric_locale(void) {
  if (setlocale(LC_NUMERIC, "de_DE.UTF-8")) return 1;
  if (access("/usr/share/i18n/locales/de_DE", R_OK) != 0 || !mkdtemp(g_locale_dir)) return 0;
  g_locale_dir_made = 1;
  char command[256];
  snprintf(command, sizeof command, "localedef -i de_DE -f UTF-8 %s/de_DE.UTF-8 >/dev/null 2>&1", g_locale_dir);
  if (system(command) != 0) return 0;
  setenv("LOCPATH", g_locale_dir, 1);
  return setlocale(LC_NUMERIC, "de_DE.UTF-8") != NULL;
}

static void test_elapsed_ignores_locale(void** state) {
  (void)state;
  if (!activate_german_numeric_locale()) {
    print_message("no de_DE locale available or buildable; locale check skipped\n");
    return;
  }
  char probe[32];
  snprintf(probe, sizeof probe, "%.3f", 1.2344);
  assert_string_equal(probe, "1,234"); /* the locale really is active */
  assert_elapsed(1.2344, "1.234");
  assert_elapsed(-1234567.5, "-1234567.500");
}

static void test_string_escaping(void** state) {
  (void)state;
  artemis_event e = fallback_event("we\"ird\\col\nname\x01\x1f\t\r\x7f");
  assert_json(&e,
              "{\"event\":\"dictionary_fallback\",\"column\":\"we\\\"ird\\\\col\\u000aname\\u0001\\u001f"
              "\\u0009\\u000d\\u007f\",\"column_index\":11,\"row_group\":0}\n");
}

static void test_utf8_passes_through(void** state) {
  (void)state;
  /* 2-, 3- and 4-byte sequences: é, €, U+2028 (legal raw in JSON), and an emoji. */
  artemis_event e = fallback_event("temp\xc3\xa9rature_\xe2\x82\xac_\xe2\x80\xa8_\xf0\x9f\x9a\x80");
  assert_json(&e,
              "{\"event\":\"dictionary_fallback\",\"column\":\"temp\xc3\xa9rature_\xe2\x82\xac_\xe2\x80\xa8_"
              "\xf0\x9f\x9a\x80\",\"column_index\":11,\"row_group\":0}\n");
}

static void test_invalid_utf8_is_replaced(void** state) {
  (void)state;
  /* A stray continuation byte, an overlong '/', a UTF-16 surrogate, a code point above
   * U+10FFFF and a sequence cut short by the end of the string. */
  artemis_event e = fallback_event("a\x80" "b\xc0\xaf" "c\xed\xa0\x80" "d\xf4\x90\x80\x80" "e\xe2\x82");
  assert_json(&e,
              "{\"event\":\"dictionary_fallback\",\"column\":\"a\\ufffdb\\ufffd\\ufffdc\\ufffd\\ufffd\\ufffd"
              "d\\ufffd\\ufffd\\ufffd\\ufffde\\ufffd\\ufffd\",\"column_index\":11,\"row_group\":0}\n");
}

static void test_truncation(void** state) {
  (void)state;
  artemis_event e = fallback_event("notes");
  const char* full = "{\"event\":\"dictionary_fallback\",\"column\":\"notes\",\"column_index\":11,\"row_group\":0}\n";
  size_t len = strlen(full);

  assert_int_equal(artemis_event_format_json(&e, NULL, 0), len);

  char out[256];
  memset(out, 'X', sizeof out);
  assert_int_equal(artemis_event_format_json(&e, out, 0), len);
  assert_int_equal(out[0], 'X'); /* cap 0: not even a NUL */

  assert_int_equal(artemis_event_format_json(&e, out, 1), len);
  assert_string_equal(out, "");

  assert_int_equal(artemis_event_format_json(&e, out, 10), len);
  assert_string_equal(out, "{\"event\":");

  memset(out, 'X', sizeof out);
  assert_int_equal(artemis_event_format_json(&e, out, len), len); /* one short: no newline */
  assert_int_equal(strlen(out), len - 1);
  assert_memory_equal(out, full, len - 1);

  assert_int_equal(artemis_event_format_json(&e, out, len + 1), len);
  assert_string_equal(out, full);
}

static char* read_all(int fd, size_t* len) {
  size_t cap = 1 << 16, used = 0;
  char* data = malloc(cap + 1);
  assert_non_null(data);
  for (;;) {
    ssize_t n = read(fd, data + used, cap - used);
    assert_true(n >= 0);
    if (n == 0) break;
    used += (size_t)n;
    if (used == cap) {
      cap *= 2;
      data = realloc(data, cap + 1);
      assert_non_null(data);
    }
  }
  data[used] = '\0';
  *len = used;
  return data;
}

static void test_sink_writes_lines_to_pipe(void** state) {
  (void)state;
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  artemis_json_sink sink = {fds[1], 0};

  artemis_event flushed = flushed_event(1.2344);
  artemis_event fallback = fallback_event("notes");
  artemis_json_event_sink(&flushed, &sink);
  artemis_json_event_sink(&fallback, &sink);

  /* A path long enough that the line exceeds the sink's chunk and goes out in pieces. */
  char long_path[10001];
  memset(long_path, 'p', sizeof long_path - 1);
  long_path[sizeof long_path - 1] = '\0';
  long_path[0] = '/';
  long_path[5000] = '"'; /* escaped: the escape may straddle a chunk boundary */
  artemis_event published = blank_event(ARTEMIS_EVENT_FILE_PUBLISHED);
  published.path = long_path;
  published.rows = 1;
  published.row_group = 1;
  published.file_bytes = 100;
  published.elapsed_ms = 3;
  artemis_json_event_sink(&published, &sink);
  close(fds[1]);

  size_t expected_len = artemis_event_format_json(&flushed, NULL, 0) + artemis_event_format_json(&fallback, NULL, 0) +
                        artemis_event_format_json(&published, NULL, 0);
  char* expected = malloc(expected_len + 1);
  assert_non_null(expected);
  size_t pos = 0;
  pos += artemis_event_format_json(&flushed, expected + pos, expected_len + 1 - pos);
  pos += artemis_event_format_json(&fallback, expected + pos, expected_len + 1 - pos);
  pos += artemis_event_format_json(&published, expected + pos, expected_len + 1 - pos);
  assert_int_equal(pos, expected_len);
  assert_true(expected_len > 10000);

  size_t got_len;
  char* got = read_all(fds[0], &got_len);
  close(fds[0]);
  assert_int_equal(got_len, expected_len);
  assert_string_equal(got, expected);
  assert_int_equal(sink.write_errors, 0);
  free(got);
  free(expected);
}

static void test_sink_counts_write_errors_and_keeps_errno(void** state) {
  (void)state;
  int fd = open("/dev/null", O_RDONLY | O_CLOEXEC); /* writing to it fails with EBADF */
  assert_true(fd >= 0);
  artemis_json_sink sink = {fd, 0};
  artemis_event e = fallback_event("notes");
  errno = ENOSPC;
  artemis_json_event_sink(&e, &sink);
  assert_int_equal(errno, ENOSPC);
  assert_int_equal(sink.write_errors, 1);
  artemis_json_event_sink(&e, &sink);
  assert_int_equal(sink.write_errors, 2);
  close(fd);

  artemis_json_sink closed = {-1, 0};
  artemis_json_event_sink(&e, &closed);
  assert_int_equal(closed.write_errors, 1);
  artemis_json_event_sink(NULL, &closed); /* tolerated, nothing to write */
  assert_int_equal(closed.write_errors, 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_row_group_flushed),
      cmocka_unit_test(test_dictionary_fallback),
      cmocka_unit_test(test_file_published),
      cmocka_unit_test(test_encoding_chosen),
      cmocka_unit_test(test_unknown_kind),
      cmocka_unit_test(test_integer_extremes),
      cmocka_unit_test(test_elapsed_formatting),
      cmocka_unit_test_teardown(test_elapsed_ignores_locale, restore_locale),
      cmocka_unit_test(test_string_escaping),
      cmocka_unit_test(test_utf8_passes_through),
      cmocka_unit_test(test_invalid_utf8_is_replaced),
      cmocka_unit_test(test_truncation),
      cmocka_unit_test(test_sink_writes_lines_to_pipe),
      cmocka_unit_test(test_sink_counts_write_errors_and_keeps_errno),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
