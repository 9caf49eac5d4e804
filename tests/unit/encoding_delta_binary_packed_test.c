/* DELTA_BINARY_PACKED encoder: hand-computed byte vectors from Encodings.md (adapted to
 * the 128-value block / 4 miniblock layout we write) and a round trip through a naive
 * decoder written from the spec text (support/reference_decoders.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "artemis/error.h"
#include "core/buffer.h"
#include "core/memory.h"
#include "encoding/encoders.h"
#include "support/buffer_fixture.h"
#include "support/reference_decoders.h"
#include "support/test_allocators.h"
#include "support/test_random.h"

/* Every stream starts with ULEB(128) = 0x80 0x01 and ULEB(4) = 0x04. */
#define HEADER_PREFIX 0x80, 0x01, 0x04

/* ---- hand-computed vectors ---- */

/* n == 0: header only: 128, 4, count 0, first value zigzag(0) = 0. */
static void empty_stream_has_header(void** state) {
  buf_fixture* f = *state;
  assert_int_equal(artemis_dbp_encode_int32(NULL, 0, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, HEADER_PREFIX, 0x00, 0x00);
  artemis_buf_clear(&f->out);
  assert_int_equal(artemis_dbp_encode_int64(NULL, 0, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, HEADER_PREFIX, 0x00, 0x00);
}

/* n == 1: header only, no block (there are no deltas).
 *   -1        -> zigzag 1
 *   INT32_MIN -> zigzag of the sign-extended value = 2^32 - 1 -> FF FF FF FF 0F (5 bytes)
 *   INT64_MIN -> zigzag 2^64 - 1 -> FF x9 01 */
static void single_value_header_only(void** state) {
  buf_fixture* f = *state;
  const int32_t minus_one = -1;
  assert_int_equal(artemis_dbp_encode_int32(&minus_one, 1, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, HEADER_PREFIX, 0x01, 0x01);

  artemis_buf_clear(&f->out);
  const int32_t int32_min = INT32_MIN;
  assert_int_equal(artemis_dbp_encode_int32(&int32_min, 1, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, HEADER_PREFIX, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F);

  artemis_buf_clear(&f->out);
  const int64_t int64_min = INT64_MIN;
  assert_int_equal(artemis_dbp_encode_int64(&int64_min, 1, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, HEADER_PREFIX, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01);
}

/* Encodings.md example 1: 1 2 3 4 5.
 *   header: 128, 4, count 5, first value zigzag(1) = 2
 *   deltas 1 1 1 1 -> min delta 1 (zigzag 2), relative deltas 0 0 0 0
 *   block: 02, widths 00 (miniblock 0: all zero) 00 00 00 (unused), no miniblock bytes */
static void spec_example_1(void** state) {
  buf_fixture* f = *state;
  const int32_t v32[] = {1, 2, 3, 4, 5};
  const int64_t v64[] = {1, 2, 3, 4, 5};
  assert_int_equal(artemis_dbp_encode_int32(v32, 5, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, HEADER_PREFIX, 0x05, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00);
  artemis_buf_clear(&f->out);
  assert_int_equal(artemis_dbp_encode_int64(v64, 5, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, HEADER_PREFIX, 0x05, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00);
}

/* Encodings.md example 2: 7 5 3 1 2 3 4 5.
 *   header: 128, 4, count 8, first value zigzag(7) = 14 = 0x0E
 *   deltas -2 -2 -2 1 1 1 1 -> min delta -2 (zigzag 3); relative 0 0 0 3 3 3 3
 *   miniblock 0 width 2, padded with 25 zeros to 32 values = 8 bytes, LSB first:
 *     byte0 = 0 | 0<<2 | 0<<4 | 3<<6 = 0xC0; byte1 = 3 | 3<<2 | 3<<4 | 0<<6 = 0x3F; rest 0
 *   (the spec's "00000011111111b" lists the same 2-bit values in reading order)
 *   widths 02 00 00 00: miniblocks 1..3 unused, no bytes */
static void spec_example_2(void** state) {
  buf_fixture* f = *state;
  const int32_t v32[] = {7, 5, 3, 1, 2, 3, 4, 5};
  const int64_t v64[] = {7, 5, 3, 1, 2, 3, 4, 5};
  assert_int_equal(artemis_dbp_encode_int32(v32, 8, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, HEADER_PREFIX, 0x08, 0x0E, 0x03, 0x02, 0x00, 0x00, 0x00, 0xC0, 0x3F, 0x00, 0x00,
               0x00, 0x00, 0x00, 0x00);
  artemis_buf_clear(&f->out);
  assert_int_equal(artemis_dbp_encode_int64(v64, 8, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, HEADER_PREFIX, 0x08, 0x0E, 0x03, 0x02, 0x00, 0x00, 0x00, 0xC0, 0x3F, 0x00, 0x00,
               0x00, 0x00, 0x00, 0x00);
}

/* INT32_MIN, INT32_MAX alternating, mod 2^32:
 *   deltas MAX-MIN = 2^32-1 = -1, MIN-MAX = +1, -1 -> min delta -1 (zigzag 1)
 *   relative 0 2 0 -> width 2 (with 64-bit arithmetic it would be 2^33-2, 33 bits)
 *   miniblock byte0 = 0 | 2<<2 = 0x08, 7 zero bytes
 *   first value zigzag(INT32_MIN sign-extended) = FF FF FF FF 0F */
static void int32_extremes_alternating(void** state) {
  buf_fixture* f = *state;
  const int32_t values[] = {INT32_MIN, INT32_MAX, INT32_MIN, INT32_MAX};
  assert_int_equal(artemis_dbp_encode_int32(values, 4, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, HEADER_PREFIX, 0x04, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01, 0x02, 0x00, 0x00, 0x00,
               0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00);
}

/* 0, INT32_MAX alternating needs the full 32 bits, never 33:
 *   deltas +MAX -MAX +MAX -> min delta -(2^31-1), zigzag 2^32-3 -> FD FF FF FF 0F
 *   relative 2^32-2, 0, 2^32-2 -> width 32 = 0x20; 32 values x 4 bytes = 128 bytes:
 *   FE FF FF FF, 00 00 00 00, FE FF FF FF, then 116 zero bytes */
static void int32_full_width(void** state) {
  buf_fixture* f = *state;
  const int32_t values[] = {0, INT32_MAX, 0, INT32_MAX};
  assert_int_equal(artemis_dbp_encode_int32(values, 4, &f->out), ARTEMIS_OK);
  static const uint8_t head[] = {HEADER_PREFIX, 0x04, 0x00, 0xFD, 0xFF, 0xFF, 0xFF, 0x0F,
                                 0x20, 0x00, 0x00, 0x00, 0xFE, 0xFF, 0xFF, 0xFF, 0x00, 0x00,
                                 0x00, 0x00, 0xFE, 0xFF, 0xFF, 0xFF};
  assert_int_equal(f->out.len, sizeof head + 116);
  assert_memory_equal(f->out.data, head, sizeof head);
  for (size_t i = sizeof head; i < f->out.len; i++) assert_int_equal(f->out.data[i], 0);
}

/* INT64_MIN, INT64_MAX, INT64_MIN: deltas -1, +1 (mod 2^64) -> min -1 (zigzag 1), relative
 * 0 2 -> width 2, byte0 = 0x08. The same deltas come from 0, UINT64_MAX, 0 stored as
 * bit patterns (first value zigzag(0) = 0). */
static void int64_extremes(void** state) {
  buf_fixture* f = *state;
  const int64_t alternating[] = {INT64_MIN, INT64_MAX, INT64_MIN};
  assert_int_equal(artemis_dbp_encode_int64(alternating, 3, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, HEADER_PREFIX, 0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
               0x01, 0x02, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00);

  artemis_buf_clear(&f->out);
  const uint64_t unsigned_bits[] = {0, UINT64_MAX, 0};
  int64_t as_int64[3];
  memcpy(as_int64, unsigned_bits, sizeof as_int64);
  assert_int_equal(artemis_dbp_encode_int64(as_int64, 3, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, HEADER_PREFIX, 0x03, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00,
               0x00, 0x00, 0x00, 0x00);
}

/* 0, INT64_MAX, 0: deltas +MAX, -MAX -> min -MAX, zigzag 2^64-3 = FD FF x8 01; relative
 * 2^64-2, 0 -> width 64 = 0x40; 32 values x 8 bytes: FE FF x7, then 248 zero bytes. */
static void int64_full_width(void** state) {
  buf_fixture* f = *state;
  const int64_t values[] = {0, INT64_MAX, 0};
  assert_int_equal(artemis_dbp_encode_int64(values, 3, &f->out), ARTEMIS_OK);
  static const uint8_t head[] = {HEADER_PREFIX, 0x03, 0x00, 0xFD, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                 0xFF, 0x01, 0x40, 0x00, 0x00, 0x00, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                 0xFF, 0xFF};
  assert_int_equal(f->out.len, sizeof head + 248);
  assert_memory_equal(f->out.data, head, sizeof head);
  for (size_t i = sizeof head; i < f->out.len; i++) assert_int_equal(f->out.data[i], 0);
}

/* 129 values = first value + 128 deltas = exactly one full block; 130 values need a second
 * block for the last delta. Deltas alternate 1, 3:
 *   header count 129 = ULEB 0x81 0x01 (130 = 0x82 0x01), first value 0
 *   block 1: min 1 (zigzag 2), relative 0 2 0 2 ... -> every miniblock width 2, every
 *            byte 0 | 2<<2 | 0<<4 | 2<<6 = 0x88, 4 x 8 bytes
 *   block 2 (n = 130): one delta 1 -> min 1 (02), relative 0 -> widths 00 00 00 00 */
static void block_boundaries(void** state) {
  buf_fixture* f = *state;
  int64_t values[130];
  values[0] = 0;
  for (int i = 1; i < 130; i++) values[i] = values[i - 1] + (i % 2 ? 1 : 3);
  values[129] = values[128] + 1;

  uint8_t expected[6 + 5 + 32 + 5];
  const uint8_t header129[] = {HEADER_PREFIX, 0x81, 0x01, 0x00};
  const uint8_t block1[] = {0x02, 0x02, 0x02, 0x02, 0x02};
  memcpy(expected, header129, 6);
  memcpy(expected + 6, block1, 5);
  memset(expected + 11, 0x88, 32);
  assert_int_equal(artemis_dbp_encode_int64(values, 129, &f->out), ARTEMIS_OK);
  expect_bytes(&f->out, expected, 43);

  int32_t values32[130];
  for (int i = 0; i < 130; i++) values32[i] = (int32_t)values[i];
  artemis_buf_clear(&f->out);
  assert_int_equal(artemis_dbp_encode_int32(values32, 129, &f->out), ARTEMIS_OK);
  expect_bytes(&f->out, expected, 43);

  expected[3] = 0x82;
  const uint8_t block2[] = {0x02, 0x00, 0x00, 0x00, 0x00};
  memcpy(expected + 43, block2, 5);
  artemis_buf_clear(&f->out);
  assert_int_equal(artemis_dbp_encode_int64(values, 130, &f->out), ARTEMIS_OK);
  expect_bytes(&f->out, expected, 48);
  artemis_buf_clear(&f->out);
  assert_int_equal(artemis_dbp_encode_int32(values32, 130, &f->out), ARTEMIS_OK);
  expect_bytes(&f->out, expected, 48);
}

/* 34 values (33 deltas): miniblock 0 full, miniblock 1 holds one delta padded to 32,
 * miniblocks 2 and 3 unused. Deltas 0..31 then 5: min 0 (00), miniblock 0 width 5
 * (max 31) = 20 bytes, miniblock 1: relative 5 -> width 3 = 12 bytes: 0x05 then zeros. */
static void last_miniblock_padding(void** state) {
  buf_fixture* f = *state;
  int32_t values[34];
  values[0] = 100;
  for (int i = 1; i <= 32; i++) values[i] = values[i - 1] + (i - 1);
  values[33] = values[32] + 5;
  assert_int_equal(artemis_dbp_encode_int32(values, 34, &f->out), ARTEMIS_OK);
  /* header: 34 = 0x22, zigzag(100) = 200 = 0xC8 0x01 */
  static const uint8_t head[] = {HEADER_PREFIX, 0x22, 0xC8, 0x01, 0x00, 0x05, 0x03, 0x00, 0x00};
  assert_int_equal(f->out.len, sizeof head + 20 + 12);
  assert_memory_equal(f->out.data, head, sizeof head);
  const uint8_t* mini1 = f->out.data + sizeof head + 20;
  assert_int_equal(mini1[0], 0x05);
  for (int i = 1; i < 12; i++) assert_int_equal(mini1[i], 0);
}

static void appends_to_existing_bytes(void** state) {
  buf_fixture* f = *state;
  assert_int_equal(artemis_buf_append_u8(&f->out, 0xAA), ARTEMIS_OK);
  const uint32_t lengths[] = {3};
  assert_int_equal(artemis_dbp_encode_uint32(lengths, 1, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0xAA, HEADER_PREFIX, 0x01, 0x06);
}

/* ---- round trip ---- */

static uint64_t rng_state = UINT64_C(0xD1B54A32D192ED03);
static uint64_t next_random(void) { return xorshift64star(&rng_state); }

/* Bit patterns of several shapes: full range, random widths, sorted with small steps,
 * constant, and extremes. */
static void fill_values(uint64_t* values, size_t n) {
  const int shape = (int)(next_random() % 6);
  const int width = 1 + (int)(next_random() % 64);
  const uint64_t mask = width == 64 ? UINT64_MAX : (UINT64_C(1) << width) - 1;
  uint64_t current = next_random();
  static const uint64_t extremes[] = {0,
                                      1,
                                      UINT64_MAX,
                                      UINT64_C(0x8000000000000000),
                                      UINT64_C(0x7FFFFFFFFFFFFFFF),
                                      UINT64_C(0x80000000),
                                      UINT64_C(0x7FFFFFFF),
                                      UINT64_C(0xFFFFFFFF80000000)};
  for (size_t i = 0; i < n; i++) {
    switch (shape) {
      case 0: values[i] = next_random(); break;
      case 1: values[i] = next_random() & mask; break;
      case 2: current += next_random() % 17; values[i] = current; break;
      case 3: values[i] = current; break;
      case 4: values[i] = extremes[next_random() % 8]; break;
      default: current += (next_random() & mask) - (mask >> 1); values[i] = current; break;
    }
  }
}

static void random_round_trip(void** state) {
  buf_fixture* f = *state;
  enum { MAX_N = 3000, CASES = 3000 };
  static uint64_t values[MAX_N];
  static uint64_t decoded[MAX_N];
  static int64_t as_int64[MAX_N];
  static int32_t as_int32[MAX_N];
  for (int c = 0; c < CASES; c++) {
    const size_t n = (size_t)(next_random() % (MAX_N + 1));
    fill_values(values, n);
    size_t count = 0;

    memcpy(as_int64, values, n * sizeof values[0]);
    artemis_buf_clear(&f->out);
    assert_int_equal(artemis_dbp_encode_int64(as_int64, n, &f->out), ARTEMIS_OK);
    assert_int_equal(ref_dbp_decode(f->out.data, f->out.len, 0, decoded, MAX_N, &count), f->out.len);
    assert_int_equal(count, n);
    if (n) assert_memory_equal(decoded, values, n * sizeof values[0]);

    for (size_t i = 0; i < n; i++) {
      const uint32_t low = (uint32_t)values[i];
      memcpy(&as_int32[i], &low, sizeof low);
    }
    artemis_buf_clear(&f->out);
    assert_int_equal(artemis_dbp_encode_int32(as_int32, n, &f->out), ARTEMIS_OK);
    assert_int_equal(ref_dbp_decode(f->out.data, f->out.len, 1, decoded, MAX_N, &count), f->out.len);
    assert_int_equal(count, n);
    for (size_t i = 0; i < n; i++) assert_int_equal(decoded[i], (uint32_t)values[i]);
  }
}

/* ---- allocation failure ---- */

static void reports_nomem(void** state) {
  (void)state;
  buf_fixture failing;
  buf_fixture_init_with(&failing, &test_failing_allocator);
  const int32_t v32[] = {1, 2, 3};
  const int64_t v64[] = {1, 2, 3};
  assert_int_equal(artemis_dbp_encode_int32(v32, 3, &failing.out), ARTEMIS_E_NOMEM);
  assert_int_equal(artemis_dbp_encode_int64(v64, 3, &failing.out), ARTEMIS_E_NOMEM);
  assert_int_equal(artemis_dbp_encode_int64(NULL, 0, &failing.out), ARTEMIS_E_NOMEM);
  artemis_buf_free(&failing.out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      buf_fixture_unit_test(empty_stream_has_header),
      buf_fixture_unit_test(single_value_header_only),
      buf_fixture_unit_test(spec_example_1),
      buf_fixture_unit_test(spec_example_2),
      buf_fixture_unit_test(int32_extremes_alternating),
      buf_fixture_unit_test(int32_full_width),
      buf_fixture_unit_test(int64_extremes),
      buf_fixture_unit_test(int64_full_width),
      buf_fixture_unit_test(block_boundaries),
      buf_fixture_unit_test(last_miniblock_padding),
      buf_fixture_unit_test(appends_to_existing_bytes),
      buf_fixture_unit_test(random_round_trip),
      cmocka_unit_test(reports_nomem),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
