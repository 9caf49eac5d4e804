#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "artemis/error.h"
#include "encoding/dictionary.h"
#include "support/little_endian.h"
#include "support/test_allocators.h"
#include "support/test_random.h"

/* ---- helpers ---- */

static uint64_t double_bits(double d) {
  uint64_t bits;
  memcpy(&bits, &d, 8);
  return bits;
}

/* ---- tests ---- */

static void test_int32_first_seen_indices_and_plain(void** state) {
  (void)state;
  artemis_mem mem;
  artemis_mem_init(&mem, NULL);
  artemis_dict dict;
  assert_int_equal(artemis_dict_init(&dict, &mem, 4), ARTEMIS_OK);

  const int32_t input[] = {5, 7, 5, -1, 7, 7, 0, -1, 5};
  uint8_t values[sizeof input];
  for (size_t i = 0; i < 9; i++) put_u32le(values + 4 * i, (uint32_t)input[i]);
  uint32_t indices[9];
  assert_int_equal(artemis_dict_insert_fixed(&dict, values, 9, indices), ARTEMIS_OK);
  const uint32_t expected[] = {0, 1, 0, 2, 1, 1, 3, 2, 0};
  assert_memory_equal(indices, expected, sizeof expected);
  assert_int_equal(dict.count, 4);

  const uint8_t plain[] = {5, 0, 0, 0, 7, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0};
  assert_int_equal(artemis_dict_plain_size(&dict), sizeof plain);
  assert_memory_equal(dict.plain.data, plain, sizeof plain);

  /* A second call continues the same dictionary. */
  uint8_t more[8];
  put_u32le(more, 42);
  put_u32le(more + 4, (uint32_t)-1);
  uint32_t more_indices[2];
  assert_int_equal(artemis_dict_insert_fixed(&dict, more, 2, more_indices), ARTEMIS_OK);
  assert_int_equal(more_indices[0], 4);
  assert_int_equal(more_indices[1], 2);
  assert_int_equal(dict.count, 5);
  assert_true(artemis_dict_memory(&dict) >= artemis_dict_plain_size(&dict));

  /* n == 0 is a no-op. */
  assert_int_equal(artemis_dict_insert_fixed(&dict, values, 0, indices), ARTEMIS_OK);
  assert_int_equal(dict.count, 5);

  artemis_dict_free(&dict);
  assert_int_equal(mem.live_bytes, 0);
}

static void test_double_signed_zero_and_nan_payloads_distinct(void** state) {
  (void)state;
  artemis_mem mem;
  artemis_mem_init(&mem, NULL);
  artemis_dict dict;
  assert_int_equal(artemis_dict_init(&dict, &mem, 8), ARTEMIS_OK);

  const uint64_t quiet_nan = UINT64_C(0x7FF8000000000000);
  const uint64_t payload_nan = UINT64_C(0x7FF8000000000001);
  const uint64_t bits[] = {double_bits(0.0), double_bits(-0.0), quiet_nan, payload_nan,
                           double_bits(-0.0), quiet_nan, double_bits(0.0), double_bits(1.0)};
  uint8_t values[8 * 8];
  for (size_t i = 0; i < 8; i++) put_u64le(values + 8 * i, bits[i]);
  uint32_t indices[8];
  assert_int_equal(artemis_dict_insert_fixed(&dict, values, 8, indices), ARTEMIS_OK);
  const uint32_t expected[] = {0, 1, 2, 3, 1, 2, 0, 4};
  assert_memory_equal(indices, expected, sizeof expected);
  assert_int_equal(dict.count, 5);
  /* -0.0 is stored with its sign bit: plain bytes are the input bytes. */
  assert_memory_equal(dict.plain.data + 8, values + 8, 8);
  assert_int_equal(dict.plain.data[15], 0x80);

  artemis_dict_free(&dict);
  assert_int_equal(mem.live_bytes, 0);
}

static void test_float_signed_zero_distinct(void** state) {
  (void)state;
  artemis_mem mem;
  artemis_mem_init(&mem, NULL);
  artemis_dict dict;
  assert_int_equal(artemis_dict_init(&dict, &mem, 4), ARTEMIS_OK);
  const float input[] = {0.0f, -0.0f, 0.0f, -0.0f};
  uint32_t indices[4];
  assert_int_equal(artemis_dict_insert_fixed(&dict, (const uint8_t*)input, 4, indices), ARTEMIS_OK);
  const uint32_t expected[] = {0, 1, 0, 1};
  assert_memory_equal(indices, expected, sizeof expected);
  artemis_dict_free(&dict);
}

static void test_byte_arrays_empty_and_length_only_differences(void** state) {
  (void)state;
  artemis_mem mem;
  artemis_mem_init(&mem, NULL);
  artemis_dict dict;
  assert_int_equal(artemis_dict_init(&dict, &mem, 0), ARTEMIS_OK);

  /* "ab", "", "a", "ab\0", "ab", "", "a\0", "a", "ab\0" */
  const uint32_t lengths[] = {2, 0, 1, 3, 2, 0, 2, 1, 3};
  const uint8_t bytes[] = {'a', 'b', 'a', 'a', 'b', 0, 'a', 'b', 'a', 0, 'a', 'a', 'b', 0};
  uint32_t indices[9];
  assert_int_equal(artemis_dict_insert_byte_arrays(&dict, lengths, bytes, 9, indices), ARTEMIS_OK);
  const uint32_t expected[] = {0, 1, 2, 3, 0, 1, 4, 2, 3};
  assert_memory_equal(indices, expected, sizeof expected);
  assert_int_equal(dict.count, 5);

  const uint8_t plain[] = {2, 0, 0, 0, 'a', 'b',    /* "ab" */
                           0, 0, 0, 0,              /* "" */
                           1, 0, 0, 0, 'a',         /* "a" */
                           3, 0, 0, 0, 'a', 'b', 0, /* "ab\0" */
                           2, 0, 0, 0, 'a', 0};     /* "a\0" */
  assert_int_equal(artemis_dict_plain_size(&dict), sizeof plain);
  assert_memory_equal(dict.plain.data, plain, sizeof plain);

  /* All-empty input may come with no byte buffer at all. */
  const uint32_t empties[] = {0, 0};
  uint32_t empty_indices[2];
  assert_int_equal(artemis_dict_insert_byte_arrays(&dict, empties, NULL, 2, empty_indices), ARTEMIS_OK);
  assert_int_equal(empty_indices[0], 1);
  assert_int_equal(empty_indices[1], 1);

  /* The empty string as a first entry. */
  artemis_dict_reset(&dict);
  assert_int_equal(artemis_dict_insert_byte_arrays(&dict, empties, NULL, 2, empty_indices), ARTEMIS_OK);
  assert_int_equal(empty_indices[0], 0);
  assert_int_equal(empty_indices[1], 0);
  assert_int_equal(artemis_dict_plain_size(&dict), 4);

  artemis_dict_free(&dict);
  assert_int_equal(mem.live_bytes, 0);
}

static void test_odd_widths(void** state) {
  (void)state;
  artemis_mem mem;
  artemis_mem_init(&mem, NULL);
  const size_t widths[] = {1, 2, 3, 16};
  for (size_t w = 0; w < 4; w++) {
    size_t width = widths[w];
    artemis_dict dict;
    assert_int_equal(artemis_dict_init(&dict, &mem, width), ARTEMIS_OK);
    uint8_t values[6 * 16];
    memset(values, 0, sizeof values);
    /* v0, v1, v0, v2, v1, v2 where v1 differs from v0 in the last byte only. */
    values[1 * width + width - 1] = 1;
    values[2 * width + width - 1] = 0;
    values[3 * width] = 0xAB;
    values[4 * width + width - 1] = 1;
    values[5 * width] = 0xAB;
    uint32_t indices[6];
    assert_int_equal(artemis_dict_insert_fixed(&dict, values, 6, indices), ARTEMIS_OK);
    const uint32_t expected[] = {0, 1, 0, 2, 1, 2};
    assert_memory_equal(indices, expected, sizeof expected);
    assert_int_equal(dict.count, 3);
    assert_int_equal(artemis_dict_plain_size(&dict), 3 * width);
    assert_memory_equal(dict.plain.data, values, 2 * width);
    assert_memory_equal(dict.plain.data + 2 * width, values + 3 * width, width);
    artemis_dict_free(&dict);
  }
  assert_int_equal(mem.live_bytes, 0);
}

/* Inserts `n` distinct values of the given width in batches (forcing many rehashes),
 * then inserts them again in reverse and checks every index and the plain bytes. */
static void check_growth(size_t width, size_t n, void (*make)(size_t i, uint8_t* out)) {
  artemis_mem mem;
  artemis_mem_init(&mem, NULL);
  artemis_dict dict;
  assert_int_equal(artemis_dict_init(&dict, &mem, width), ARTEMIS_OK);
  uint8_t* values = malloc(n * width);
  uint32_t* indices = malloc(n * sizeof(uint32_t));
  assert_non_null(values);
  assert_non_null(indices);
  for (size_t i = 0; i < n; i++) make(i, values + i * width);

  const size_t batch = 1000;
  for (size_t start = 0; start < n; start += batch) {
    size_t count = n - start < batch ? n - start : batch;
    assert_int_equal(artemis_dict_insert_fixed(&dict, values + start * width, count, indices + start),
                     ARTEMIS_OK);
  }
  assert_int_equal(dict.count, n);
  for (size_t i = 0; i < n; i++) assert_int_equal(indices[i], i);
  assert_memory_equal(dict.plain.data, values, n * width);

  /* Reverse order, one by one: every lookup must hit. */
  for (size_t i = n; i-- > 0;) {
    uint32_t index;
    assert_int_equal(artemis_dict_insert_fixed(&dict, values + i * width, 1, &index), ARTEMIS_OK);
    if (index != i) fail_msg("value %zu got index %u", i, index);
  }
  assert_int_equal(dict.count, n);
  free(values);
  free(indices);
  artemis_dict_free(&dict);
  assert_int_equal(mem.live_bytes, 0);
}

static void make_sequential_u32(size_t i, uint8_t* out) { put_u32le(out, (uint32_t)i); }
/* Multiples of 2^20 would all land in slot 0 with a plain low-bits hash. */
static void make_strided_u32(size_t i, uint8_t* out) { put_u32le(out, (uint32_t)(i << 12)); }
/* Small integers as doubles differ only in the top 16 bits. */
static void make_integral_double(size_t i, uint8_t* out) { put_u64le(out, double_bits((double)i)); }
static void make_random_u64(size_t i, uint8_t* out) {
  uint64_t s = i;
  put_u64le(out, splitmix64(&s));
}
static void make_width12(size_t i, uint8_t* out) {
  memset(out, 0x5A, 12);
  put_u32le(out + 8, (uint32_t)i);
}

static void test_growth_past_many_rehashes(void** state) {
  (void)state;
  check_growth(4, 200000, make_sequential_u32);
  check_growth(4, 200000, make_strided_u32);
  check_growth(8, 200000, make_integral_double);
  check_growth(8, 200000, make_random_u64);
  check_growth(12, 100000, make_width12);
}

static void test_byte_array_growth(void** state) {
  (void)state;
  const size_t n = 200000;
  artemis_mem mem;
  artemis_mem_init(&mem, NULL);
  artemis_dict dict;
  assert_int_equal(artemis_dict_init(&dict, &mem, 0), ARTEMIS_OK);
  /* Values "k<i>" padded to varying lengths; also every one a second time. */
  uint32_t* lengths = malloc(2 * n * sizeof(uint32_t));
  uint8_t* bytes = malloc(2 * n * 32);
  uint32_t* indices = malloc(2 * n * sizeof(uint32_t));
  assert_non_null(lengths);
  assert_non_null(bytes);
  assert_non_null(indices);
  size_t total = 0;
  for (size_t pass = 0; pass < 2; pass++) {
    for (size_t i = 0; i < n; i++) {
      uint8_t* p = bytes + total;
      size_t len = 0;
      for (size_t v = i + 1; v; v /= 10) p[len++] = (uint8_t)('0' + v % 10);
      while (len < 1 + i % 17) p[len++] = '.';
      lengths[pass * n + i] = (uint32_t)len;
      total += len;
    }
  }
  size_t offset = 0;
  const size_t batch = 4096;
  for (size_t start = 0; start < 2 * n; start += batch) {
    size_t count = 2 * n - start < batch ? 2 * n - start : batch;
    assert_int_equal(artemis_dict_insert_byte_arrays(&dict, lengths + start, bytes + offset, count,
                                                     indices + start),
                     ARTEMIS_OK);
    for (size_t i = start; i < start + count; i++) offset += lengths[i];
  }
  assert_int_equal(dict.count, n);
  for (size_t i = 0; i < n; i++) {
    if (indices[i] != i || indices[n + i] != i) fail_msg("value %zu: %u / %u", i, indices[i], indices[n + i]);
  }
  /* Plain = u32 length + bytes of each first occurrence. */
  size_t plain_pos = 0, in_pos = 0;
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(dict.plain.data[plain_pos], lengths[i]);
    assert_memory_equal(dict.plain.data + plain_pos + 4, bytes + in_pos, lengths[i]);
    plain_pos += 4 + lengths[i];
    in_pos += lengths[i];
  }
  assert_int_equal(plain_pos, artemis_dict_plain_size(&dict));
  free(lengths);
  free(bytes);
  free(indices);
  artemis_dict_free(&dict);
  assert_int_equal(mem.live_bytes, 0);
}

static void test_reset(void** state) {
  (void)state;
  artemis_mem mem;
  artemis_mem_init(&mem, NULL);
  artemis_dict dict;
  assert_int_equal(artemis_dict_init(&dict, &mem, 8), ARTEMIS_OK);
  uint8_t values[1000 * 8];
  for (size_t i = 0; i < 1000; i++) put_u64le(values + 8 * i, i * 3);
  uint32_t indices[1000];
  assert_int_equal(artemis_dict_insert_fixed(&dict, values, 1000, indices), ARTEMIS_OK);
  size_t memory_before = artemis_dict_memory(&dict);

  artemis_dict_reset(&dict);
  assert_int_equal(dict.count, 0);
  assert_int_equal(artemis_dict_plain_size(&dict), 0);
  assert_int_equal(artemis_dict_memory(&dict), memory_before); /* capacity kept */

  /* Old entries are forgotten: the 500th value is now the first one. */
  assert_int_equal(artemis_dict_insert_fixed(&dict, values + 500 * 8, 2, indices), ARTEMIS_OK);
  assert_int_equal(indices[0], 0);
  assert_int_equal(indices[1], 1);
  assert_int_equal(artemis_dict_insert_fixed(&dict, values, 1000, indices), ARTEMIS_OK);
  assert_int_equal(indices[0], 2);
  assert_int_equal(indices[500], 0);
  assert_int_equal(indices[501], 1);
  assert_int_equal(indices[999], 999);
  assert_int_equal(dict.count, 1000);
  assert_memory_equal(dict.plain.data, values + 500 * 8, 16);

  /* Byte arrays too. */
  artemis_dict strings;
  assert_int_equal(artemis_dict_init(&strings, &mem, 0), ARTEMIS_OK);
  const uint32_t lengths[] = {1, 1};
  assert_int_equal(artemis_dict_insert_byte_arrays(&strings, lengths, (const uint8_t*)"xy", 2, indices),
                   ARTEMIS_OK);
  artemis_dict_reset(&strings);
  assert_int_equal(artemis_dict_insert_byte_arrays(&strings, lengths, (const uint8_t*)"yx", 2, indices),
                   ARTEMIS_OK);
  assert_int_equal(indices[0], 0);
  assert_int_equal(indices[1], 1);
  const uint8_t plain[] = {1, 0, 0, 0, 'y', 1, 0, 0, 0, 'x'};
  assert_memory_equal(strings.plain.data, plain, sizeof plain);

  artemis_dict_free(&strings);
  artemis_dict_free(&dict);
  /* Freeing twice (e.g. on an error path after a free) is harmless. */
  artemis_dict_free(&dict);
  assert_int_equal(mem.live_bytes, 0);
}

/* Builds the batch for an OOM scenario of the given width (0 = byte arrays). */
typedef struct oom_batch {
  size_t width;
  size_t n;
  uint8_t* values;
  uint32_t* lengths;
} oom_batch;

static oom_batch make_oom_batch(size_t width, size_t n) {
  oom_batch batch = {width, n, NULL, NULL};
  uint64_t seed = 7;
  if (width == 0) {
    batch.lengths = malloc(n * sizeof(uint32_t));
    batch.values = malloc(n * 8);
    assert_non_null(batch.lengths);
    assert_non_null(batch.values);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
      uint64_t r = splitmix64(&seed);
      uint32_t len = (uint32_t)(r % 9); /* 0..8, including empty */
      batch.lengths[i] = len;
      for (uint32_t b = 0; b < len; b++) batch.values[total + b] = (uint8_t)('a' + (r >> (8 + 2 * b)) % 3);
      total += len;
    }
  } else {
    batch.values = malloc(n * width);
    assert_non_null(batch.values);
    for (size_t i = 0; i < n; i++) {
      /* ~ n/2 distinct values, so there are both hits and misses */
      uint64_t v = splitmix64(&seed) % (n / 2);
      for (size_t b = 0; b < width; b++) batch.values[i * width + b] = (uint8_t)(b < 8 ? v >> (8 * b) : b);
    }
  }
  return batch;
}

static int insert_batch(artemis_dict* dict, const oom_batch* batch, uint32_t* indices) {
  if (batch->width == 0)
    return artemis_dict_insert_byte_arrays(dict, batch->lengths, batch->values, batch->n, indices);
  return artemis_dict_insert_fixed(dict, batch->values, batch->n, indices);
}

/* For every possible failing allocation: the call fails cleanly with NOMEM, the entries
 * already added are a prefix of the correct dictionary, and after the allocator
 * recovers the same dictionary continues to the correct final state. */
static void check_oom_sweep(size_t width) {
  const size_t n = 400;
  oom_batch batch = make_oom_batch(width, n);
  uint32_t expected[400], indices[400];

  artemis_mem reference_mem;
  artemis_mem_init(&reference_mem, NULL);
  artemis_dict reference;
  assert_int_equal(artemis_dict_init(&reference, &reference_mem, width), ARTEMIS_OK);
  assert_int_equal(insert_batch(&reference, &batch, expected), ARTEMIS_OK);

  int saw_failure_in_insert = 0;
  for (long fail_at = 0;; fail_at++) {
    test_alloc_budget budget = {fail_at, 0}; /* fails from allocation fail_at on */
    artemis_allocator allocator = test_budget_allocator(&budget);
    artemis_mem mem;
    artemis_mem_init(&mem, &allocator);
    artemis_dict dict;
    int rc = artemis_dict_init(&dict, &mem, width);
    if (rc != ARTEMIS_OK) {
      assert_int_equal(rc, ARTEMIS_E_NOMEM);
      artemis_dict_free(&dict);
      assert_int_equal(mem.live_bytes, 0);
      continue;
    }
    rc = insert_batch(&dict, &batch, indices);
    if (rc == ARTEMIS_OK) {
      assert_memory_equal(indices, expected, sizeof indices);
      artemis_dict_free(&dict);
      assert_int_equal(mem.live_bytes, 0);
      break; /* no allocation left to fail */
    }
    saw_failure_in_insert = 1;
    assert_int_equal(rc, ARTEMIS_E_NOMEM);
    assert_true(dict.count < reference.count);
    assert_true(artemis_dict_plain_size(&dict) <= artemis_dict_plain_size(&reference));
    assert_memory_equal(dict.plain.data ? dict.plain.data : reference.plain.data, reference.plain.data,
                        artemis_dict_plain_size(&dict));
    budget.left = -1;
    assert_int_equal(insert_batch(&dict, &batch, indices), ARTEMIS_OK);
    assert_memory_equal(indices, expected, sizeof indices);
    assert_int_equal(dict.count, reference.count);
    assert_int_equal(artemis_dict_plain_size(&dict), artemis_dict_plain_size(&reference));
    assert_memory_equal(dict.plain.data, reference.plain.data, artemis_dict_plain_size(&dict));
    artemis_dict_free(&dict);
    assert_int_equal(mem.live_bytes, 0);
  }
  assert_true(saw_failure_in_insert);
  artemis_dict_free(&reference);
  free(batch.values);
  free(batch.lengths);
}

static void test_oom_with_failing_allocator(void** state) {
  (void)state;
  check_oom_sweep(4);
  check_oom_sweep(8);
  check_oom_sweep(3);
  check_oom_sweep(0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_int32_first_seen_indices_and_plain),
      cmocka_unit_test(test_double_signed_zero_and_nan_payloads_distinct),
      cmocka_unit_test(test_float_signed_zero_distinct),
      cmocka_unit_test(test_byte_arrays_empty_and_length_only_differences),
      cmocka_unit_test(test_odd_widths),
      cmocka_unit_test(test_growth_past_many_rehashes),
      cmocka_unit_test(test_byte_array_growth),
      cmocka_unit_test(test_reset),
      cmocka_unit_test(test_oom_with_failing_allocator),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
