#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "artemis/error.h"
#include "stats/statistics.h"
#include "support/little_endian.h"
#include "support/test_allocators.h"
#include "support/test_random.h"

/* ---- helpers ---- */

typedef struct fixture {
  artemis_mem mem;
  artemis_stats stats;
  artemis_buf min_scratch;
  artemis_buf max_scratch;
  artemis_stats_encoded enc;
} fixture;

static void fixture_init(fixture* f, artemis_sort_kind kind, size_t width) {
  artemis_mem_init(&f->mem, NULL);
  artemis_stats_init(&f->stats, &f->mem, kind, width);
  artemis_buf_init(&f->min_scratch, &f->mem);
  artemis_buf_init(&f->max_scratch, &f->mem);
}

static void fixture_encode(fixture* f, int32_t truncate_bytes) {
  assert_int_equal(artemis_stats_encode(&f->stats, truncate_bytes, &f->min_scratch, &f->max_scratch, &f->enc),
                   ARTEMIS_OK);
}

static void fixture_free(fixture* f) {
  artemis_stats_free(&f->stats);
  artemis_buf_free(&f->min_scratch);
  artemis_buf_free(&f->max_scratch);
  assert_int_equal(f->mem.live_bytes, 0);
}

static void put_f32(uint8_t* p, float f) {
  uint32_t bits;
  memcpy(&bits, &f, 4);
  put_u32le(p, bits);
}

static void put_f64(uint8_t* p, double d) {
  uint64_t bits;
  memcpy(&bits, &d, 8);
  put_u64le(p, bits);
}

static void update_strings(artemis_stats* stats, const char* const* strings, size_t n) {
  uint32_t lengths[64];
  uint8_t bytes[4096];
  size_t total = 0;
  assert_true(n <= 64);
  for (size_t i = 0; i < n; i++) {
    size_t len = strlen(strings[i]);
    memcpy(bytes + total, strings[i], len);
    lengths[i] = (uint32_t)len;
    total += len;
  }
  assert_int_equal(artemis_stats_update_byte_arrays(stats, lengths, bytes, n), ARTEMIS_OK);
}

static void assert_encoded_min(const artemis_stats_encoded* enc, const void* bytes, size_t len, int exact) {
  assert_true(enc->has_min_max);
  assert_int_equal(enc->min_len, len);
  if (len) assert_memory_equal(enc->min, bytes, len);
  assert_int_equal(enc->min_exact, exact);
}

static void assert_encoded_max(const artemis_stats_encoded* enc, const void* bytes, size_t len, int exact) {
  assert_true(enc->has_min_max);
  assert_int_equal(enc->max_len, len);
  if (len) assert_memory_equal(enc->max, bytes, len);
  assert_int_equal(enc->max_exact, exact);
}

/* ---- integers ---- */

static void test_int32_signed_order(void** state) {
  (void)state;
  fixture f;
  fixture_init(&f, ARTEMIS_SORT_INT32, 4);
  uint8_t values[4 * 4];
  put_u32le(values, 3);
  put_u32le(values + 4, (uint32_t)-1);
  put_u32le(values + 8, 7);
  put_u32le(values + 12, 0);
  assert_int_equal(artemis_stats_update_fixed(&f.stats, values, 4), ARTEMIS_OK);
  /* The buffers hold the result after each call. */
  const uint8_t minus_one[] = {0xFF, 0xFF, 0xFF, 0xFF};
  const uint8_t seven[] = {7, 0, 0, 0};
  assert_int_equal(f.stats.min.len, 4);
  assert_memory_equal(f.stats.min.data, minus_one, 4);
  assert_memory_equal(f.stats.max.data, seven, 4);
  assert_int_equal(f.stats.value_count, 4);

  put_u32le(values, 0x80000000u); /* INT32_MIN */
  assert_int_equal(artemis_stats_update_fixed(&f.stats, values, 1), ARTEMIS_OK);
  fixture_encode(&f, 64);
  const uint8_t int32_min[] = {0, 0, 0, 0x80};
  assert_encoded_min(&f.enc, int32_min, 4, 1);
  assert_encoded_max(&f.enc, seven, 4, 1);
  assert_true(f.enc.write_legacy_min_max);
  assert_false(f.enc.has_nan_count);
  assert_int_equal(f.enc.null_count, 0);
  fixture_free(&f);
}

static void test_uint32_unsigned_order(void** state) {
  (void)state;
  fixture f;
  fixture_init(&f, ARTEMIS_SORT_UINT32, 4);
  uint8_t values[3 * 4];
  put_u32le(values, 0xFFFFFFFFu);
  put_u32le(values + 4, 1);
  put_u32le(values + 8, 0x80000000u);
  assert_int_equal(artemis_stats_update_fixed(&f.stats, values, 3), ARTEMIS_OK);
  fixture_encode(&f, 64);
  const uint8_t one[] = {1, 0, 0, 0};
  const uint8_t all_ones[] = {0xFF, 0xFF, 0xFF, 0xFF};
  assert_encoded_min(&f.enc, one, 4, 1);
  assert_encoded_max(&f.enc, all_ones, 4, 1);
  assert_false(f.enc.write_legacy_min_max);
  fixture_free(&f);
}

static void test_int64_and_uint64(void** state) {
  (void)state;
  uint8_t values[3 * 8];
  put_u64le(values, UINT64_C(0x8000000000000001)); /* > INT64_MAX unsigned, negative signed */
  put_u64le(values + 8, 5);
  put_u64le(values + 16, UINT64_C(0x7FFFFFFFFFFFFFFF));

  fixture f;
  fixture_init(&f, ARTEMIS_SORT_UINT64, 8);
  assert_int_equal(artemis_stats_update_fixed(&f.stats, values, 3), ARTEMIS_OK);
  fixture_encode(&f, 64);
  assert_encoded_min(&f.enc, values + 8, 8, 1);
  assert_encoded_max(&f.enc, values, 8, 1);
  assert_false(f.enc.write_legacy_min_max);
  fixture_free(&f);

  fixture_init(&f, ARTEMIS_SORT_INT64, 8);
  assert_int_equal(artemis_stats_update_fixed(&f.stats, values, 3), ARTEMIS_OK);
  fixture_encode(&f, 64);
  assert_encoded_min(&f.enc, values, 8, 1);
  assert_encoded_max(&f.enc, values + 16, 8, 1);
  assert_true(f.enc.write_legacy_min_max);
  fixture_free(&f);
}

/* ---- floats ---- */

static void test_float_nan_and_zeros(void** state) {
  (void)state;
  fixture f;
  fixture_init(&f, ARTEMIS_SORT_FLOAT, 4);
  uint8_t values[5 * 4];
  put_f32(values, NAN);
  put_f32(values + 4, 1.5f);
  put_f32(values + 8, -0.0f);
  put_f32(values + 12, 0.0f);
  put_f32(values + 16, -2.0f);
  assert_int_equal(artemis_stats_update_fixed(&f.stats, values, 5), ARTEMIS_OK);
  artemis_stats_add_nulls(&f.stats, 3);
  fixture_encode(&f, 64);
  uint8_t expected_min[4], expected_max[4];
  put_f32(expected_min, -2.0f);
  put_f32(expected_max, 1.5f);
  assert_encoded_min(&f.enc, expected_min, 4, 1);
  assert_encoded_max(&f.enc, expected_max, 4, 1);
  assert_true(f.enc.has_nan_count);
  assert_int_equal(f.enc.nan_count, 1);
  assert_int_equal(f.enc.null_count, 3);
  assert_true(f.enc.write_legacy_min_max);
  assert_int_equal(f.stats.value_count, 5);

  /* Only zeros (+0 first): min is written -0.0, max +0.0. */
  artemis_stats_reset(&f.stats);
  put_f32(values, 0.0f);
  put_f32(values + 4, 0.0f);
  assert_int_equal(artemis_stats_update_fixed(&f.stats, values, 2), ARTEMIS_OK);
  fixture_encode(&f, 64);
  const uint8_t minus_zero[] = {0, 0, 0, 0x80};
  const uint8_t plus_zero[] = {0, 0, 0, 0};
  assert_encoded_min(&f.enc, minus_zero, 4, 1);
  assert_encoded_max(&f.enc, plus_zero, 4, 1);
  assert_int_equal(f.enc.nan_count, 0);

  /* Only -0.0: max still +0.0. */
  artemis_stats_reset(&f.stats);
  put_f32(values, -0.0f);
  assert_int_equal(artemis_stats_update_fixed(&f.stats, values, 1), ARTEMIS_OK);
  fixture_encode(&f, 64);
  assert_encoded_min(&f.enc, minus_zero, 4, 1);
  assert_encoded_max(&f.enc, plus_zero, 4, 1);

  /* Zero as min with a positive max, zero as max with a negative min. */
  artemis_stats_reset(&f.stats);
  put_f32(values, 0.0f);
  put_f32(values + 4, 3.0f);
  assert_int_equal(artemis_stats_update_fixed(&f.stats, values, 2), ARTEMIS_OK);
  fixture_encode(&f, 64);
  assert_encoded_min(&f.enc, minus_zero, 4, 1);
  artemis_stats_reset(&f.stats);
  put_f32(values, -0.0f);
  put_f32(values + 4, -3.0f);
  assert_int_equal(artemis_stats_update_fixed(&f.stats, values, 2), ARTEMIS_OK);
  fixture_encode(&f, 64);
  assert_encoded_max(&f.enc, plus_zero, 4, 1);
  fixture_free(&f);
}

static void test_double_all_nan_then_values_and_infinities(void** state) {
  (void)state;
  fixture f;
  fixture_init(&f, ARTEMIS_SORT_DOUBLE, 8);
  uint8_t values[3 * 8];
  put_f64(values, NAN);
  put_f64(values + 8, -NAN);
  assert_int_equal(artemis_stats_update_fixed(&f.stats, values, 2), ARTEMIS_OK);
  fixture_encode(&f, 64);
  assert_false(f.enc.has_min_max);
  assert_null(f.enc.min);
  assert_null(f.enc.max);
  assert_true(f.enc.has_nan_count);
  assert_int_equal(f.enc.nan_count, 2);
  assert_int_equal(f.stats.value_count, 2);

  /* A later call with real values (and another NaN) starts min/max from them. */
  put_f64(values, INFINITY);
  put_f64(values + 8, NAN);
  put_f64(values + 16, -INFINITY);
  assert_int_equal(artemis_stats_update_fixed(&f.stats, values, 3), ARTEMIS_OK);
  fixture_encode(&f, 64);
  assert_encoded_min(&f.enc, values + 16, 8, 1);
  assert_encoded_max(&f.enc, values, 8, 1);
  assert_int_equal(f.enc.nan_count, 3);

  /* Only +inf: both bounds +inf (the +inf start value is not mistaken for "unset"). */
  artemis_stats_reset(&f.stats);
  put_f64(values, INFINITY);
  assert_int_equal(artemis_stats_update_fixed(&f.stats, values, 1), ARTEMIS_OK);
  fixture_encode(&f, 64);
  assert_encoded_min(&f.enc, values, 8, 1);
  assert_encoded_max(&f.enc, values, 8, 1);

  /* Double zeros. */
  artemis_stats_reset(&f.stats);
  put_f64(values, 0.0);
  assert_int_equal(artemis_stats_update_fixed(&f.stats, values, 1), ARTEMIS_OK);
  fixture_encode(&f, 64);
  const uint8_t minus_zero[] = {0, 0, 0, 0, 0, 0, 0, 0x80};
  const uint8_t plus_zero[8] = {0};
  assert_encoded_min(&f.enc, minus_zero, 8, 1);
  assert_encoded_max(&f.enc, plus_zero, 8, 1);
  fixture_free(&f);
}

static void test_float16(void** state) {
  (void)state;
  fixture f;
  fixture_init(&f, ARTEMIS_SORT_FLOAT16, 2);
  assert_int_equal(f.stats.width, 2);
  const uint16_t input[] = {0x3C00 /* 1.0 */, 0xBC00 /* -1.0 */, 0x7E00 /* NaN */, 0xC000 /* -2.0 */,
                            0x8000 /* -0 */, 0x7C00 /* +inf */, 0xFE01 /* -NaN */, 0x3555 /* ~0.33 */};
  uint8_t values[8 * 2];
  for (size_t i = 0; i < 8; i++) put_u16le(values + 2 * i, input[i]);
  assert_int_equal(artemis_stats_update_fixed(&f.stats, values, 8), ARTEMIS_OK);
  fixture_encode(&f, 64);
  const uint8_t minus_two[] = {0x00, 0xC0};
  const uint8_t plus_inf[] = {0x00, 0x7C};
  assert_encoded_min(&f.enc, minus_two, 2, 1);
  assert_encoded_max(&f.enc, plus_inf, 2, 1);
  assert_true(f.enc.has_nan_count);
  assert_int_equal(f.enc.nan_count, 2);
  assert_true(f.enc.write_legacy_min_max);

  /* Negative values order by magnitude reversed; zeros are normalized. */
  artemis_stats_reset(&f.stats);
  const uint16_t negatives[] = {0xBC00 /* -1 */, 0x8001 /* -tiny */, 0xC000 /* -2 */};
  for (size_t i = 0; i < 3; i++) put_u16le(values + 2 * i, negatives[i]);
  assert_int_equal(artemis_stats_update_fixed(&f.stats, values, 3), ARTEMIS_OK);
  fixture_encode(&f, 64);
  const uint8_t minus_tiny[] = {0x01, 0x80};
  assert_encoded_min(&f.enc, minus_two, 2, 1);
  assert_encoded_max(&f.enc, minus_tiny, 2, 1);

  artemis_stats_reset(&f.stats);
  put_u16le(values, 0x0000);
  put_u16le(values + 2, 0x8000);
  assert_int_equal(artemis_stats_update_fixed(&f.stats, values, 2), ARTEMIS_OK);
  fixture_encode(&f, 64);
  const uint8_t minus_zero[] = {0x00, 0x80};
  const uint8_t plus_zero[] = {0x00, 0x00};
  assert_encoded_min(&f.enc, minus_zero, 2, 1);
  assert_encoded_max(&f.enc, plus_zero, 2, 1);

  artemis_stats_reset(&f.stats);
  put_u16le(values, 0x7C01); /* signalling NaN */
  assert_int_equal(artemis_stats_update_fixed(&f.stats, values, 1), ARTEMIS_OK);
  fixture_encode(&f, 64);
  assert_false(f.enc.has_min_max);
  assert_int_equal(f.enc.nan_count, 1);
  fixture_free(&f);
}

/* ---- FLBA ---- */

static void test_decimal_big_endian(void** state) {
  (void)state;
  fixture f;
  fixture_init(&f, ARTEMIS_SORT_DECIMAL_BE, 4);
  const uint8_t values[] = {
      0xFF, 0xFF, 0xFF, 0xFF, /* -1 */
      0x00, 0x00, 0x00, 0x01, /* 1 */
      0xFF, 0xFF, 0xFF, 0x00, /* -256 */
      0x7F, 0xFF, 0xFF, 0xFF, /* INT32_MAX */
      0x80, 0x00, 0x00, 0x00, /* INT32_MIN */
      0x00, 0x00, 0x01, 0x00, /* 256 */
  };
  assert_int_equal(artemis_stats_update_fixed(&f.stats, values, 6), ARTEMIS_OK);
  fixture_encode(&f, 2); /* truncation never applies to FLBA */
  assert_encoded_min(&f.enc, values + 16, 4, 1);
  assert_encoded_max(&f.enc, values + 12, 4, 1);
  assert_true(f.enc.write_legacy_min_max);
  assert_false(f.enc.has_nan_count);

  /* Negatives only: -256 < -1. */
  artemis_stats_reset(&f.stats);
  assert_int_equal(artemis_stats_update_fixed(&f.stats, values, 1), ARTEMIS_OK);
  assert_int_equal(artemis_stats_update_fixed(&f.stats, values + 8, 1), ARTEMIS_OK);
  fixture_encode(&f, 64);
  assert_encoded_min(&f.enc, values + 8, 4, 1);
  assert_encoded_max(&f.enc, values, 4, 1);
  fixture_free(&f);
}

static void test_flba_bytes_unsigned(void** state) {
  (void)state;
  fixture f;
  fixture_init(&f, ARTEMIS_SORT_BYTES, 3);
  const uint8_t values[] = {0x80, 0, 0, 0x7F, 0xFF, 0xFF, 0x80, 0, 1, 0x00, 0x00, 0x00};
  assert_int_equal(artemis_stats_update_fixed(&f.stats, values, 4), ARTEMIS_OK);
  fixture_encode(&f, 1);
  assert_encoded_min(&f.enc, values + 9, 3, 1);
  assert_encoded_max(&f.enc, values + 6, 3, 1);
  assert_false(f.enc.write_legacy_min_max);
  fixture_free(&f);
}

/* ---- byte arrays ---- */

static void test_strings_order(void** state) {
  (void)state;
  fixture f;
  fixture_init(&f, ARTEMIS_SORT_BYTES, 0);
  const char* const first[] = {"b", "abc", "ab"};
  update_strings(&f.stats, first, 3);
  assert_int_equal(f.stats.min.len, 2);
  assert_memory_equal(f.stats.min.data, "ab", 2);
  assert_int_equal(f.stats.max.len, 1);
  assert_memory_equal(f.stats.max.data, "b", 1);
  fixture_encode(&f, 64);
  assert_encoded_min(&f.enc, "ab", 2, 1);
  assert_encoded_max(&f.enc, "b", 1, 1);
  assert_false(f.enc.write_legacy_min_max);
  assert_false(f.enc.has_nan_count);

  /* Bytes >= 0x80 sort after ASCII (unsigned); "b" < "b\0" (shorter prefix first). */
  const char* const second[] = {"\xC3\xA9", "b\x01"};
  update_strings(&f.stats, second, 2);
  fixture_encode(&f, 64);
  assert_encoded_max(&f.enc, "\xC3\xA9", 2, 1);

  /* The empty string is the smallest value. */
  const char* const third[] = {"a", ""};
  update_strings(&f.stats, third, 2);
  fixture_encode(&f, 64);
  assert_encoded_min(&f.enc, "", 0, 1);
  assert_non_null(f.enc.min);
  assert_int_equal(f.stats.value_count, 7);

  /* Only empty strings, with no byte buffer at all. */
  artemis_stats_reset(&f.stats);
  const uint32_t empty_lengths[] = {0, 0};
  assert_int_equal(artemis_stats_update_byte_arrays(&f.stats, empty_lengths, NULL, 2), ARTEMIS_OK);
  fixture_encode(&f, 64);
  assert_encoded_min(&f.enc, "", 0, 1);
  assert_encoded_max(&f.enc, "", 0, 1);
  fixture_free(&f);
}

/* Encodes the stats of a single string value with the given truncation. */
static void encode_single(fixture* f, const char* value, size_t len, int32_t truncate_bytes) {
  artemis_stats_reset(&f->stats);
  uint32_t length = (uint32_t)len;
  assert_int_equal(artemis_stats_update_byte_arrays(&f->stats, &length, (const uint8_t*)value, 1), ARTEMIS_OK);
  fixture_encode(f, truncate_bytes);
}

static void test_truncation_ascii(void** state) {
  (void)state;
  fixture f;
  fixture_init(&f, ARTEMIS_SORT_BYTES, 0);
  encode_single(&f, "abcdefgh", 8, 4);
  assert_encoded_min(&f.enc, "abcd", 4, 0);
  assert_encoded_max(&f.enc, "abce", 4, 0);

  /* Not longer than the limit: exact. */
  encode_single(&f, "abcd", 4, 4);
  assert_encoded_min(&f.enc, "abcd", 4, 1);
  assert_encoded_max(&f.enc, "abcd", 4, 1);

  /* Disabled. */
  encode_single(&f, "abcdefgh", 8, 0);
  assert_encoded_min(&f.enc, "abcdefgh", 8, 1);
  assert_encoded_max(&f.enc, "abcdefgh", 8, 1);
  encode_single(&f, "abcdefgh", 8, -1);
  assert_encoded_max(&f.enc, "abcdefgh", 8, 1);

  /* Distinct min and max values, each truncated on its own. */
  artemis_stats_reset(&f.stats);
  const char* const values[] = {"zzzz9", "aaaa1", "mm"};
  update_strings(&f.stats, values, 3);
  fixture_encode(&f, 4);
  assert_encoded_min(&f.enc, "aaaa", 4, 0);
  assert_encoded_max(&f.enc, "zzz{", 4, 0);

  /* DEL (U+007F) would need two bytes when incremented: the previous character is bumped. */
  encode_single(&f, "ab\x7F\x7F", 4, 3);
  assert_encoded_max(&f.enc, "ac", 2, 0);
  /* Nothing incrementable without growing: untruncated and exact. */
  encode_single(&f, "\x7F\x7F\x7F", 3, 2);
  assert_encoded_min(&f.enc, "\x7F\x7F", 2, 0);
  assert_encoded_max(&f.enc, "\x7F\x7F\x7F", 3, 1);
  fixture_free(&f);
}

static void test_truncation_utf8(void** state) {
  (void)state;
  fixture f;
  fixture_init(&f, ARTEMIS_SORT_BYTES, 0);
  /* "aéé" = 61 C3 A9 C3 A9 */
  const char* aee = "a\xC3\xA9\xC3\xA9";
  encode_single(&f, aee, 5, 2); /* cut would split the first é */
  assert_encoded_min(&f.enc, "a", 1, 0);
  assert_encoded_max(&f.enc, "b", 1, 0);
  encode_single(&f, aee, 5, 3);
  assert_encoded_min(&f.enc, "a\xC3\xA9", 3, 0);
  assert_encoded_max(&f.enc, "a\xC3\xAA", 3, 0); /* é + 1 = ê */
  encode_single(&f, aee, 5, 4);
  assert_encoded_min(&f.enc, "a\xC3\xA9", 3, 0);
  assert_encoded_max(&f.enc, "a\xC3\xAA", 3, 0);
  encode_single(&f, aee, 5, 5);
  assert_encoded_max(&f.enc, aee, 5, 1);

  /* Limit shorter than the first code point: the min is the empty prefix, the max cannot
   * be incremented and stays exact. */
  encode_single(&f, "\xC3\xA9\xC3\xA9", 4, 1);
  assert_encoded_min(&f.enc, "", 0, 0);
  assert_encoded_max(&f.enc, "\xC3\xA9\xC3\xA9", 4, 1);

  /* U+10FFFF cannot be incremented: drop it and bump the character before. */
  const char* with_max_cp = "a\xF4\x8F\xBF\xBFzz";
  encode_single(&f, with_max_cp, 7, 5);
  assert_encoded_min(&f.enc, "a\xF4\x8F\xBF\xBF", 5, 0);
  assert_encoded_max(&f.enc, "b", 1, 0);
  /* Only U+10FFFF in the prefix: max untruncated and exact. */
  const char* two_max_cp = "\xF4\x8F\xBF\xBF\xF4\x8F\xBF\xBFx";
  encode_single(&f, two_max_cp, 9, 8);
  assert_encoded_min(&f.enc, two_max_cp, 8, 0);
  assert_encoded_max(&f.enc, two_max_cp, 9, 1);

  /* U+D7FF + 1 skips the surrogates to U+E000 (same 3-byte width). */
  encode_single(&f, "\xED\x9F\xBFq", 4, 3);
  assert_encoded_max(&f.enc, "\xEE\x80\x80", 3, 0);
  /* U+FFFF + 1 needs 4 bytes: bump the previous character instead. */
  encode_single(&f, "x\xEF\xBF\xBFq", 5, 4);
  assert_encoded_max(&f.enc, "y", 1, 0);
  /* 4-byte code point in the middle of a cut. */
  encode_single(&f, "ab\xF0\x9F\x98\x80", 6, 4);
  assert_encoded_min(&f.enc, "ab", 2, 0);
  assert_encoded_max(&f.enc, "ac", 2, 0);
  /* 4-byte code point incremented. */
  encode_single(&f, "\xF0\x9F\x98\x80z", 5, 4);
  assert_encoded_max(&f.enc, "\xF0\x9F\x98\x81", 4, 0);
  fixture_free(&f);
}

static void test_truncation_binary(void** state) {
  (void)state;
  fixture f;
  fixture_init(&f, ARTEMIS_SORT_BYTES, 0);
  /* Not valid UTF-8: cut bytes, increment the last non-0xFF byte. */
  const char* binary = "\xFF\xFF\xFE\xFF\xFF\x00";
  encode_single(&f, binary, 6, 5);
  assert_encoded_min(&f.enc, binary, 5, 0);
  assert_encoded_max(&f.enc, "\xFF\xFF\xFF", 3, 0);

  /* All 0xFF: no increment possible, max untruncated and exact. */
  const char* all_ff = "\xFF\xFF\xFF\xFF\xFF\xFF";
  encode_single(&f, all_ff, 6, 4);
  assert_encoded_min(&f.enc, all_ff, 4, 0);
  assert_encoded_max(&f.enc, all_ff, 6, 1);

  /* Invalid UTF-8 after the cut still makes the value binary: bytes are cut mid-sequence. */
  const char* bad_tail = "a\xC3\xA9\xC3\xFF";
  encode_single(&f, bad_tail, 5, 2);
  assert_encoded_min(&f.enc, "a\xC3", 2, 0);
  assert_encoded_max(&f.enc, "a\xC4", 2, 0);

  /* Overlong encodings and surrogates are not UTF-8 either. */
  encode_single(&f, "a\xC0\xAFzz", 5, 2);
  assert_encoded_max(&f.enc, "a\xC1", 2, 0);
  encode_single(&f, "\xED\xA0\x80z", 4, 2);
  assert_encoded_max(&f.enc, "\xED\xA1", 2, 0);
  /* Above U+10FFFF: binary, so the last byte is bumped rather than the "code point". */
  encode_single(&f, "\xF4\x90\x80\x80z", 5, 4);
  assert_encoded_max(&f.enc, "\xF4\x90\x80\x81", 4, 0);
  fixture_free(&f);
}

/* ---- counts, boolean ---- */

static void test_null_counting(void** state) {
  (void)state;
  fixture f;
  fixture_init(&f, ARTEMIS_SORT_INT64, 8);
  artemis_stats_add_nulls(&f.stats, 5);
  fixture_encode(&f, 64);
  assert_false(f.enc.has_min_max);
  assert_int_equal(f.enc.null_count, 5);
  assert_true(f.enc.write_legacy_min_max);

  uint8_t value[8];
  put_u64le(value, 9);
  assert_int_equal(artemis_stats_update_fixed(&f.stats, value, 1), ARTEMIS_OK);
  artemis_stats_add_nulls(&f.stats, 2);
  fixture_encode(&f, 64);
  assert_true(f.enc.has_min_max);
  assert_int_equal(f.enc.null_count, 7);
  assert_int_equal(f.stats.value_count, 1);

  artemis_stats_reset(&f.stats);
  fixture_encode(&f, 64);
  assert_int_equal(f.enc.null_count, 0);
  assert_false(f.enc.has_min_max);
  fixture_free(&f);
}

static void test_boolean(void** state) {
  (void)state;
  fixture f;
  fixture_init(&f, ARTEMIS_SORT_BOOLEAN, 1);
  const uint8_t trues[] = {1, 1};
  assert_int_equal(artemis_stats_update_fixed(&f.stats, trues, 2), ARTEMIS_OK);
  fixture_encode(&f, 64);
  assert_encoded_min(&f.enc, "\x01", 1, 1);
  assert_encoded_max(&f.enc, "\x01", 1, 1);
  assert_false(f.enc.write_legacy_min_max);
  assert_false(f.enc.has_nan_count);

  const uint8_t mixed[] = {1, 0, 1};
  assert_int_equal(artemis_stats_update_fixed(&f.stats, mixed, 3), ARTEMIS_OK);
  fixture_encode(&f, 64);
  assert_encoded_min(&f.enc, "\x00", 1, 1);
  assert_encoded_max(&f.enc, "\x01", 1, 1);

  artemis_stats_reset(&f.stats);
  const uint8_t falses[] = {0, 0, 0};
  assert_int_equal(artemis_stats_update_fixed(&f.stats, falses, 3), ARTEMIS_OK);
  fixture_encode(&f, 64);
  assert_encoded_min(&f.enc, "\x00", 1, 1);
  assert_encoded_max(&f.enc, "\x00", 1, 1);
  fixture_free(&f);
}

/* ---- compare ---- */

static void test_compare(void** state) {
  (void)state;
  uint8_t a[8], b[8];
  put_u32le(a, (uint32_t)-1);
  put_u32le(b, 1);
  assert_true(artemis_stats_compare(ARTEMIS_SORT_INT32, 4, a, 4, b, 4) < 0);
  assert_true(artemis_stats_compare(ARTEMIS_SORT_UINT32, 4, a, 4, b, 4) > 0);
  assert_int_equal(artemis_stats_compare(ARTEMIS_SORT_INT32, 4, a, 4, a, 4), 0);
  put_u64le(a, UINT64_C(0x8000000000000000));
  put_u64le(b, UINT64_C(0x7FFFFFFFFFFFFFFF));
  assert_true(artemis_stats_compare(ARTEMIS_SORT_INT64, 8, a, 8, b, 8) < 0);
  assert_true(artemis_stats_compare(ARTEMIS_SORT_UINT64, 8, a, 8, b, 8) > 0);

  put_f32(a, -0.0f);
  put_f32(b, 0.0f);
  assert_int_equal(artemis_stats_compare(ARTEMIS_SORT_FLOAT, 4, a, 4, b, 4), 0);
  put_f32(a, -1.0f);
  assert_true(artemis_stats_compare(ARTEMIS_SORT_FLOAT, 4, a, 4, b, 4) < 0);
  put_f64(a, 2.5);
  put_f64(b, -INFINITY);
  assert_true(artemis_stats_compare(ARTEMIS_SORT_DOUBLE, 8, a, 8, b, 8) > 0);

  put_u16le(a, 0x8000);
  put_u16le(b, 0x0000);
  assert_int_equal(artemis_stats_compare(ARTEMIS_SORT_FLOAT16, 2, a, 2, b, 2), 0);
  put_u16le(a, 0xC000); /* -2 */
  put_u16le(b, 0xBC00); /* -1 */
  assert_true(artemis_stats_compare(ARTEMIS_SORT_FLOAT16, 2, a, 2, b, 2) < 0);

  const uint8_t minus_one[] = {0xFF, 0xFF};
  const uint8_t plus_one[] = {0x00, 0x01};
  const uint8_t minus_one_wide[] = {0xFF, 0xFF, 0xFF};
  const uint8_t minus_two_wide[] = {0xFF, 0xFF, 0xFE};
  const uint8_t big_wide[] = {0x01, 0x00, 0x00};
  assert_true(artemis_stats_compare(ARTEMIS_SORT_DECIMAL_BE, 2, minus_one, 2, plus_one, 2) < 0);
  assert_int_equal(artemis_stats_compare(ARTEMIS_SORT_DECIMAL_BE, 2, minus_one, 2, minus_one_wide, 3), 0);
  assert_true(artemis_stats_compare(ARTEMIS_SORT_DECIMAL_BE, 2, minus_one, 2, minus_two_wide, 3) > 0);
  assert_true(artemis_stats_compare(ARTEMIS_SORT_DECIMAL_BE, 2, plus_one, 2, big_wide, 3) < 0);
  assert_true(artemis_stats_compare(ARTEMIS_SORT_DECIMAL_BE, 2, big_wide, 3, plus_one, 2) > 0);

  assert_true(artemis_stats_compare(ARTEMIS_SORT_BYTES, 0, (const uint8_t*)"ab", 2, (const uint8_t*)"abc", 3) < 0);
  assert_true(artemis_stats_compare(ARTEMIS_SORT_BYTES, 0, (const uint8_t*)"\x80", 1, (const uint8_t*)"\x7F\xFF", 2) > 0);
  assert_int_equal(artemis_stats_compare(ARTEMIS_SORT_BYTES, 0, (const uint8_t*)"", 0, (const uint8_t*)"", 0), 0);
  assert_true(artemis_stats_compare(ARTEMIS_SORT_BOOLEAN, 1, (const uint8_t*)"\x00", 1, (const uint8_t*)"\x01", 1) < 0);
}

/* ---- merge equivalence ---- */

static void assert_same_encoding(const artemis_stats* a, const artemis_stats* b, int32_t truncate_bytes) {
  artemis_mem mem;
  artemis_mem_init(&mem, NULL);
  artemis_buf a_min, a_max, b_min, b_max;
  artemis_buf_init(&a_min, &mem);
  artemis_buf_init(&a_max, &mem);
  artemis_buf_init(&b_min, &mem);
  artemis_buf_init(&b_max, &mem);
  artemis_stats_encoded ea, eb;
  assert_int_equal(artemis_stats_encode(a, truncate_bytes, &a_min, &a_max, &ea), ARTEMIS_OK);
  assert_int_equal(artemis_stats_encode(b, truncate_bytes, &b_min, &b_max, &eb), ARTEMIS_OK);
  assert_int_equal(ea.has_min_max, eb.has_min_max);
  if (ea.has_min_max) {
    assert_int_equal(ea.min_len, eb.min_len);
    assert_int_equal(ea.max_len, eb.max_len);
    if (ea.min_len) assert_memory_equal(ea.min, eb.min, ea.min_len);
    if (ea.max_len) assert_memory_equal(ea.max, eb.max, ea.max_len);
    assert_int_equal(ea.min_exact, eb.min_exact);
    assert_int_equal(ea.max_exact, eb.max_exact);
  }
  assert_int_equal(ea.null_count, eb.null_count);
  assert_int_equal(ea.nan_count, eb.nan_count);
  assert_int_equal(ea.has_nan_count, eb.has_nan_count);
  assert_int_equal(ea.write_legacy_min_max, eb.write_legacy_min_max);
  assert_int_equal(a->value_count, b->value_count);
  artemis_buf_free(&a_min);
  artemis_buf_free(&a_max);
  artemis_buf_free(&b_min);
  artemis_buf_free(&b_max);
}

/* A random value of the kind; floats include NaN, zeros of both signs, infinities. */
static void random_fixed_value(artemis_sort_kind kind, size_t width, uint64_t* rng, uint8_t* out) {
  uint64_t r = splitmix64(rng);
  unsigned pick = (unsigned)(r % 16);
  switch (kind) {
    case ARTEMIS_SORT_FLOAT: {
      float v = pick == 0 ? NAN : pick == 1 ? -0.0f : pick == 2 ? 0.0f : pick == 3 ? -INFINITY
                                                       : (float)((int64_t)(r >> 8) % 2000001 - 1000000) / 7.0f;
      put_f32(out, v);
      break;
    }
    case ARTEMIS_SORT_DOUBLE: {
      double v = pick == 0 ? NAN : pick == 1 ? -0.0 : pick == 2 ? 0.0 : pick == 3 ? INFINITY
                                                       : (double)((int64_t)(r >> 8) % 2000001 - 1000000) / 3.0;
      put_f64(out, v);
      break;
    }
    case ARTEMIS_SORT_FLOAT16: put_u16le(out, (uint16_t)(r >> 16)); break; /* any bits, NaNs included */
    case ARTEMIS_SORT_BOOLEAN: out[0] = (uint8_t)(r & 1); break;
    default:
      for (size_t i = 0; i < width; i++) out[i] = (uint8_t)(splitmix64(rng) >> 56);
      break;
  }
}

static void check_merge_fixed(artemis_sort_kind kind, size_t width, uint64_t seed) {
  artemis_mem mem;
  artemis_mem_init(&mem, NULL);
  uint64_t rng = seed;
  artemis_stats single, chunk, page;
  artemis_stats_init(&single, &mem, kind, width);
  artemis_stats_init(&chunk, &mem, kind, width);
  artemis_stats_init(&page, &mem, kind, width);
  width = single.width;
  uint8_t values[64 * 32];
  for (int p = 0; p < 40; p++) {
    size_t n = (size_t)(splitmix64(&rng) % 65); /* empty pages too */
    for (size_t i = 0; i < n; i++) random_fixed_value(kind, width, &rng, values + i * width);
    int64_t nulls = (int64_t)(splitmix64(&rng) % 3);
    /* the single accumulator sees the page in two calls, the page in one */
    size_t split = n / 3;
    assert_int_equal(artemis_stats_update_fixed(&single, values, split), ARTEMIS_OK);
    assert_int_equal(artemis_stats_update_fixed(&single, values + split * width, n - split), ARTEMIS_OK);
    artemis_stats_add_nulls(&single, nulls);
    artemis_stats_reset(&page);
    assert_int_equal(artemis_stats_update_fixed(&page, values, n), ARTEMIS_OK);
    artemis_stats_add_nulls(&page, nulls);
    assert_int_equal(artemis_stats_merge(&chunk, &page), ARTEMIS_OK);
    assert_same_encoding(&single, &chunk, 64);
  }
  artemis_stats_free(&single);
  artemis_stats_free(&chunk);
  artemis_stats_free(&page);
  assert_int_equal(mem.live_bytes, 0);
}

static void check_merge_strings(uint64_t seed) {
  artemis_mem mem;
  artemis_mem_init(&mem, NULL);
  uint64_t rng = seed;
  artemis_stats single, chunk, page;
  artemis_stats_init(&single, &mem, ARTEMIS_SORT_BYTES, 0);
  artemis_stats_init(&chunk, &mem, ARTEMIS_SORT_BYTES, 0);
  artemis_stats_init(&page, &mem, ARTEMIS_SORT_BYTES, 0);
  /* Small alphabet with multibyte and 0xFF bytes so prefixes, ties and truncation occur. */
  static const char* const pieces[] = {"a", "b", "\xC3\xA9", "\xF4\x8F\xBF\xBF", "\xFF", "z"};
  uint32_t lengths[48];
  uint8_t bytes[48 * 12 * 4];
  for (int p = 0; p < 60; p++) {
    size_t n = (size_t)(splitmix64(&rng) % 48);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
      size_t parts = (size_t)(splitmix64(&rng) % 12);
      size_t len = 0;
      for (size_t k = 0; k < parts; k++) {
        const char* piece = pieces[splitmix64(&rng) % 6];
        size_t piece_len = strlen(piece);
        memcpy(bytes + total + len, piece, piece_len);
        len += piece_len;
      }
      lengths[i] = (uint32_t)len;
      total += len;
    }
    size_t split = n / 2, split_bytes = 0;
    for (size_t i = 0; i < split; i++) split_bytes += lengths[i];
    assert_int_equal(artemis_stats_update_byte_arrays(&single, lengths, bytes, split), ARTEMIS_OK);
    assert_int_equal(artemis_stats_update_byte_arrays(&single, lengths + split, bytes + split_bytes, n - split),
                     ARTEMIS_OK);
    artemis_stats_add_nulls(&single, p % 2);
    artemis_stats_reset(&page);
    assert_int_equal(artemis_stats_update_byte_arrays(&page, lengths, bytes, n), ARTEMIS_OK);
    artemis_stats_add_nulls(&page, p % 2);
    assert_int_equal(artemis_stats_merge(&chunk, &page), ARTEMIS_OK);
    assert_same_encoding(&single, &chunk, 64);
    assert_same_encoding(&single, &chunk, 5);
  }
  artemis_stats_free(&single);
  artemis_stats_free(&chunk);
  artemis_stats_free(&page);
  assert_int_equal(mem.live_bytes, 0);
}

/* The single accumulator against a brute-force reference on the raw values. */
static void check_against_reference(artemis_sort_kind kind, size_t width, uint64_t seed) {
  artemis_mem mem;
  artemis_mem_init(&mem, NULL);
  uint64_t rng = seed;
  artemis_stats stats;
  artemis_stats_init(&stats, &mem, kind, width);
  width = stats.width;
  uint8_t values[500 * 32];
  const size_t n = 500;
  for (size_t i = 0; i < n; i++) random_fixed_value(kind, width, &rng, values + i * width);
  assert_int_equal(artemis_stats_update_fixed(&stats, values, n), ARTEMIS_OK);
  const uint8_t* lo = NULL;
  const uint8_t* hi = NULL;
  for (size_t i = 0; i < n; i++) {
    const uint8_t* v = values + i * width;
    /* binary16 NaN: all exponent bits set and a non-zero mantissa */
    if (kind == ARTEMIS_SORT_FLOAT16 && (v[1] & 0x7C) == 0x7C && ((v[1] & 0x03) | v[0]) != 0) continue;
    if (!lo || artemis_stats_compare(kind, width, v, width, lo, width) < 0) lo = v;
    if (!hi || artemis_stats_compare(kind, width, v, width, hi, width) > 0) hi = v;
  }
  assert_non_null(lo);
  assert_int_equal(artemis_stats_compare(kind, width, stats.min.data, width, lo, width), 0);
  assert_int_equal(artemis_stats_compare(kind, width, stats.max.data, width, hi, width), 0);
  artemis_stats_free(&stats);
}

static void test_merge_equivalence_random(void** state) {
  (void)state;
  for (uint64_t seed = 1; seed <= 8; seed++) {
    check_merge_fixed(ARTEMIS_SORT_INT32, 4, seed);
    check_merge_fixed(ARTEMIS_SORT_UINT32, 4, seed);
    check_merge_fixed(ARTEMIS_SORT_INT64, 8, seed);
    check_merge_fixed(ARTEMIS_SORT_UINT64, 8, seed);
    check_merge_fixed(ARTEMIS_SORT_FLOAT, 4, seed);
    check_merge_fixed(ARTEMIS_SORT_DOUBLE, 8, seed);
    check_merge_fixed(ARTEMIS_SORT_FLOAT16, 2, seed);
    check_merge_fixed(ARTEMIS_SORT_DECIMAL_BE, 16, seed);
    check_merge_fixed(ARTEMIS_SORT_DECIMAL_BE, 3, seed);
    check_merge_fixed(ARTEMIS_SORT_BYTES, 5, seed);
    check_merge_fixed(ARTEMIS_SORT_BOOLEAN, 1, seed);
    check_merge_strings(seed);
    check_against_reference(ARTEMIS_SORT_INT32, 4, seed);
    check_against_reference(ARTEMIS_SORT_UINT32, 4, seed);
    check_against_reference(ARTEMIS_SORT_INT64, 8, seed);
    check_against_reference(ARTEMIS_SORT_UINT64, 8, seed);
    check_against_reference(ARTEMIS_SORT_FLOAT16, 2, seed);
    check_against_reference(ARTEMIS_SORT_DECIMAL_BE, 16, seed);
  }
}

/* ---- allocation failure ---- */

static void test_oom_leaves_stats_unchanged(void** state) {
  (void)state;
  test_alloc_budget budget = {0, 0};
  artemis_allocator allocator = test_budget_allocator(&budget);
  artemis_mem mem;
  artemis_mem_init(&mem, &allocator);

  artemis_stats stats;
  artemis_stats_init(&stats, &mem, ARTEMIS_SORT_INT32, 4);
  uint8_t value[4];
  put_u32le(value, 1);
  assert_int_equal(artemis_stats_update_fixed(&stats, value, 1), ARTEMIS_E_NOMEM);
  assert_false(stats.has_min_max);
  assert_int_equal(stats.value_count, 0);
  budget.left = -1;
  assert_int_equal(artemis_stats_update_fixed(&stats, value, 1), ARTEMIS_OK);
  assert_true(stats.has_min_max);
  artemis_stats_free(&stats);

  artemis_stats_init(&stats, &mem, ARTEMIS_SORT_BYTES, 0);
  const char* const small[] = {"m"};
  update_strings(&stats, small, 1);
  const char long_value[] = "a much longer value than the buffer currently holds, to force growth....";
  const uint32_t long_length = (uint32_t)strlen(long_value);
  budget.left = 0;
  assert_int_equal(artemis_stats_update_byte_arrays(&stats, &long_length, (const uint8_t*)long_value, 1),
                   ARTEMIS_E_NOMEM);
  assert_int_equal(stats.min.len, 1);
  assert_memory_equal(stats.min.data, "m", 1);
  assert_int_equal(stats.value_count, 1);

  /* Merge into an empty accumulator needs memory too. */
  artemis_stats dst;
  artemis_stats_init(&dst, &mem, ARTEMIS_SORT_BYTES, 0);
  assert_int_equal(artemis_stats_merge(&dst, &stats), ARTEMIS_E_NOMEM);
  assert_false(dst.has_min_max);
  assert_int_equal(dst.value_count, 0);

  /* Encoding into fresh scratch buffers fails cleanly. */
  artemis_buf min_scratch, max_scratch;
  artemis_buf_init(&min_scratch, &mem);
  artemis_buf_init(&max_scratch, &mem);
  artemis_stats_encoded enc;
  assert_int_equal(artemis_stats_encode(&stats, 64, &min_scratch, &max_scratch, &enc), ARTEMIS_E_NOMEM);

  budget.left = -1;
  assert_int_equal(artemis_stats_merge(&dst, &stats), ARTEMIS_OK);
  assert_int_equal(artemis_stats_encode(&dst, 64, &min_scratch, &max_scratch, &enc), ARTEMIS_OK);
  assert_encoded_min(&enc, "m", 1, 1);
  artemis_buf_free(&min_scratch);
  artemis_buf_free(&max_scratch);
  artemis_stats_free(&dst);
  artemis_stats_free(&stats);
  assert_int_equal(mem.live_bytes, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_int32_signed_order),
      cmocka_unit_test(test_uint32_unsigned_order),
      cmocka_unit_test(test_int64_and_uint64),
      cmocka_unit_test(test_float_nan_and_zeros),
      cmocka_unit_test(test_double_all_nan_then_values_and_infinities),
      cmocka_unit_test(test_float16),
      cmocka_unit_test(test_decimal_big_endian),
      cmocka_unit_test(test_flba_bytes_unsigned),
      cmocka_unit_test(test_strings_order),
      cmocka_unit_test(test_truncation_ascii),
      cmocka_unit_test(test_truncation_utf8),
      cmocka_unit_test(test_truncation_binary),
      cmocka_unit_test(test_null_counting),
      cmocka_unit_test(test_boolean),
      cmocka_unit_test(test_compare),
      cmocka_unit_test(test_merge_equivalence_random),
      cmocka_unit_test(test_oom_leaves_stats_unchanged),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
