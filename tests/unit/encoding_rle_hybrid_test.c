/* RLE / bit-packed hybrid encoder: hand-computed byte vectors from Encodings.md and a
 * round trip through a deliberately naive, bit-by-bit decoder written from the spec
 * (support/reference_decoders.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "artemis/error.h"
#include "core/buffer.h"
#include "core/memory.h"
#include "encoding/bitpack.h"
#include "encoding/encoders.h"
#include "support/buffer_fixture.h"
#include "support/reference_decoders.h"
#include "support/test_allocators.h"
#include "support/test_random.h"

/* ---- hand-computed vectors ---- */

/* Encodings.md note 1: 0..7 with bit width 3 packs to 10001000 11000110 11111010. One
 * bit-packed group: header ULEB((1 << 1) | 1) = 0x03. */
static void spec_bit_packing_example(void** state) {
  buf_fixture* f = *state;
  const uint32_t values[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  uint8_t packed[3];
  artemis_bitpack_u32(values, 8, 3, packed);
  assert_int_equal(packed[0], 0x88);
  assert_int_equal(packed[1], 0xC6);
  assert_int_equal(packed[2], 0xFA);
  assert_int_equal(artemis_rle_hybrid_encode(values, 8, 3, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0x03, 0x88, 0xC6, 0xFA);
}

static void rle_runs(void** state) {
  buf_fixture* f = *state;
  uint32_t values[1000];

  /* 10 x 5, width 3: ULEB(10 << 1) = 0x14, value in 1 byte. */
  for (int i = 0; i < 10; i++) values[i] = 5;
  assert_int_equal(artemis_rle_hybrid_encode(values, 10, 3, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0x14, 0x05);

  /* 1000 x 1, width 1: ULEB(2000) = 2000 = 0b1111_1010000 -> 0xD0 0x0F, value 0x01. */
  artemis_buf_clear(&f->out);
  for (int i = 0; i < 1000; i++) values[i] = 1;
  assert_int_equal(artemis_rle_hybrid_encode(values, 1000, 1, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0xD0, 0x0F, 0x01);

  /* Exactly 8 x 0x1AB, width 9: header 0x10, value in 2 LE bytes 0xAB 0x01. */
  artemis_buf_clear(&f->out);
  for (int i = 0; i < 8; i++) values[i] = 0x1AB;
  assert_int_equal(artemis_rle_hybrid_encode(values, 8, 9, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0x10, 0xAB, 0x01);

  /* 20 x 0xDEADBEEF, width 32: header ULEB(40) = 0x28, 4 LE value bytes. */
  artemis_buf_clear(&f->out);
  for (int i = 0; i < 20; i++) values[i] = 0xDEADBEEF;
  assert_int_equal(artemis_rle_hybrid_encode(values, 20, 32, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0x28, 0xEF, 0xBE, 0xAD, 0xDE);
}

/* Width 0: every value is 0; a single RLE run with zero value bytes, even for fewer
 * than 8 values. 100 values: ULEB(200) = 0xC8 0x01. */
static void bit_width_zero(void** state) {
  buf_fixture* f = *state;
  uint32_t zeros[100] = {0};
  assert_int_equal(artemis_rle_hybrid_encode(zeros, 100, 0, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0xC8, 0x01);
  artemis_buf_clear(&f->out);
  assert_int_equal(artemis_rle_hybrid_encode(zeros, 3, 0, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0x06);
  artemis_buf_clear(&f->out);
  uint8_t zero_levels[5] = {0};
  assert_int_equal(artemis_rle_hybrid_encode_u8(zero_levels, 5, 0, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0x0A);
}

static void empty_input_writes_nothing(void** state) {
  buf_fixture* f = *state;
  assert_int_equal(artemis_rle_hybrid_encode(NULL, 0, 5, &f->out), ARTEMIS_OK);
  assert_int_equal(artemis_rle_hybrid_encode_u8(NULL, 0, 1, &f->out), ARTEMIS_OK);
  assert_int_equal(f->out.len, 0);
}

static void mixed_runs(void** state) {
  buf_fixture* f = *state;

  /* 1..7,0 then 12 x 5 then 1,2,3 at width 3:
   *  - 8 literals, one group: 0x03 then
   *      byte0 = v0 | v1<<3 | (v2&3)<<6        = 1 + 16 + 192     = 0xD1
   *      byte1 = v2>>2 | v3<<1 | v4<<4 | (v5&1)<<7 = 0 + 8 + 80 + 0 = 0x58
   *      byte2 = v5>>1 | v6<<2 | v7<<5          = 3 + 28 + 0       = 0x1F
   *  - 12 x 5 as RLE: ULEB(24) = 0x18, 0x05
   *  - tail 1,2,3 zero-padded to a group: 0x03, byte0 = 1 + 16 + 192 = 0xD1, 0x00, 0x00 */
  const uint32_t a[] = {1, 2, 3, 4, 5, 6, 7, 0, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 1, 2, 3};
  assert_int_equal(artemis_rle_hybrid_encode(a, sizeof a / sizeof a[0], 3, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0x03, 0xD1, 0x58, 0x1F, 0x18, 0x05, 0x03, 0xD1, 0x00, 0x00);

  /* 1,2,3 then 13 x 5: the literal section borrows five 5s to close its group, leaving 8
   * for the RLE run.
   *   group 1,2,3,5,5,5,5,5: byte0 = 0xD1; byte1 = 0 | 5<<1 | 5<<4 | 1<<7 = 10+80+128 = 0xDA;
   *                           byte2 = 5>>1 | 5<<2 | 5<<5 = 2+20+160 = 0xB6
   *   RLE 8 x 5: 0x10 0x05 */
  artemis_buf_clear(&f->out);
  const uint32_t b[] = {1, 2, 3, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5};
  assert_int_equal(artemis_rle_hybrid_encode(b, sizeof b / sizeof b[0], 3, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0x03, 0xD1, 0xDA, 0xB6, 0x10, 0x05);

  /* Definition levels: 100 x 1, one 0, 50 x 1 at width 1.
   *   RLE 100 x 1: ULEB(200) = 0xC8 0x01, 0x01
   *   group 0,1,1,1,1,1,1,1 (borrows seven 1s): 0x03, 0xFE
   *   RLE 43 x 1: ULEB(86) = 0x56, 0x01 */
  artemis_buf_clear(&f->out);
  uint8_t levels[151];
  memset(levels, 1, sizeof levels);
  levels[100] = 0;
  assert_int_equal(artemis_rle_hybrid_encode_u8(levels, 151, 1, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0xC8, 0x01, 0x01, 0x03, 0xFE, 0x56, 0x01);
}

/* One group of 8 distinct-enough values per width, header 0x03 each time. */
static void bit_widths(void** state) {
  buf_fixture* f = *state;

  /* Width 1: 1,0,1,1,0,0,0,1 -> bits 0,2,3,7 = 0x8D. */
  const uint32_t w1[8] = {1, 0, 1, 1, 0, 0, 0, 1};
  assert_int_equal(artemis_rle_hybrid_encode(w1, 8, 1, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0x03, 0x8D);

  /* Width 7: 0x7F fills bits 0..6; the last value 1 sits at bit 7*7 = 49 = byte 6 bit 1. */
  artemis_buf_clear(&f->out);
  const uint32_t w7[8] = {0x7F, 0, 0, 0, 0, 0, 0, 1};
  assert_int_equal(artemis_rle_hybrid_encode(w7, 8, 7, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0x03, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02);

  /* Width 8: one byte per value. */
  artemis_buf_clear(&f->out);
  const uint32_t w8[8] = {0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0xFF};
  assert_int_equal(artemis_rle_hybrid_encode(w8, 8, 8, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0x03, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0xFF);

  /* Width 9: 0x1FF fills bits 0..8 (0xFF, then bit 0 of byte 1); value 1 is bit 9 (byte 1
   * bit 1) -> byte1 = 0x03; the last value 0x100 has its top bit at 7*9+8 = 71 = byte 8
   * bit 7. 9 bytes total. */
  artemis_buf_clear(&f->out);
  const uint32_t w9[8] = {0x1FF, 1, 0, 0, 0, 0, 0, 0x100};
  assert_int_equal(artemis_rle_hybrid_encode(w9, 8, 9, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0x03, 0xFF, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80);

  /* Width 31: 0x7FFFFFFF fills bits 0..30, value 1 is bit 31 -> FF FF FF FF; the last
   * value 0x40000000 has its top bit at 7*31+30 = 247 = byte 30 bit 7. 31 bytes. */
  artemis_buf_clear(&f->out);
  const uint32_t w31[8] = {0x7FFFFFFF, 1, 0, 0, 0, 0, 0, 0x40000000};
  assert_int_equal(artemis_rle_hybrid_encode(w31, 8, 31, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
               0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80);

  /* Width 32: each value as 4 LE bytes. */
  artemis_buf_clear(&f->out);
  const uint32_t w32[8] = {0xDEADBEEF, 1, 2, 3, 4, 5, 6, 0x80000000};
  assert_int_equal(artemis_rle_hybrid_encode(w32, 8, 32, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0x03, 0xEF, 0xBE, 0xAD, 0xDE, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5,
               0, 0, 0, 6, 0, 0, 0, 0x00, 0x00, 0x00, 0x80);
}

/* Encoders append; what the buffer held stays in front. */
static void appends_to_existing_bytes(void** state) {
  buf_fixture* f = *state;
  assert_int_equal(artemis_buf_append_u8(&f->out, 0xAA), ARTEMIS_OK);
  const uint32_t values[3] = {1, 1, 1};
  assert_int_equal(artemis_rle_hybrid_encode(values, 3, 1, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0xAA, 0x03, 0x07);
}

/* ---- round trip ---- */

static uint64_t rng_state = UINT64_C(0x9E3779B97F4A7C15);
static uint64_t next_random(void) { return xorshift64star(&rng_state); }

static void fill_values(uint32_t* values, size_t n, int bit_width) {
  const uint32_t mask = bit_width == 32 ? UINT32_MAX : (uint32_t)((UINT64_C(1) << bit_width) - 1);
  const int shape = (int)(next_random() % 4);
  size_t i = 0;
  while (i < n) {
    uint32_t v = (uint32_t)next_random() & mask;
    size_t run = 1;
    if (shape == 1) run = 1 + next_random() % 24;        /* short and long runs mixed */
    if (shape == 2) run = 1 + next_random() % 400;       /* mostly long runs */
    if (shape == 3) run = (next_random() % 3 == 0) ? 8 + next_random() % 9 : 1; /* near the threshold */
    for (size_t k = 0; k < run && i < n; k++) values[i++] = v;
  }
}

static void random_round_trip(void** state) {
  buf_fixture* f = *state;
  enum { MAX_N = 3000, CASES = 4000 };
  static uint32_t values[MAX_N];
  static uint32_t decoded[MAX_N];
  static uint8_t levels[MAX_N];
  artemis_buf narrow;
  artemis_buf_init(&narrow, &f->mem);
  for (int c = 0; c < CASES; c++) {
    const int bit_width = (int)(next_random() % 33);
    const size_t n = (size_t)(next_random() % (MAX_N + 1));
    fill_values(values, n, bit_width);
    artemis_buf_clear(&f->out);
    assert_int_equal(artemis_rle_hybrid_encode(values, n, bit_width, &f->out), ARTEMIS_OK);
    /* Never worse than all bit-packed by more than a few headers per RLE run. */
    assert_true(f->out.len <= (n / 8 + 1) * (size_t)bit_width + 14 * (n / 8 + 1));
    assert_int_equal(ref_rle_hybrid_decode(f->out.data, f->out.len, bit_width, n, decoded), 0);
    if (n) assert_memory_equal(decoded, values, n * sizeof values[0]);

    if (bit_width <= 8) {
      for (size_t i = 0; i < n; i++) levels[i] = (uint8_t)values[i];
      artemis_buf_clear(&narrow);
      assert_int_equal(artemis_rle_hybrid_encode_u8(levels, n, bit_width, &narrow), ARTEMIS_OK);
      assert_int_equal(narrow.len, f->out.len);
      if (n) assert_memory_equal(narrow.data, f->out.data, f->out.len);
    }
  }
  artemis_buf_free(&narrow);
}

/* ---- allocation failure ---- */

static void reports_nomem(void** state) {
  (void)state;
  buf_fixture failing;
  buf_fixture_init_with(&failing, &test_failing_allocator);
  const uint32_t values[16] = {1, 2, 3, 4, 5, 6, 7, 0, 3, 3, 3, 3, 3, 3, 3, 3};
  const uint8_t levels[4] = {1, 0, 1, 1};
  assert_int_equal(artemis_rle_hybrid_encode(values, 16, 3, &failing.out), ARTEMIS_E_NOMEM);
  assert_int_equal(artemis_rle_hybrid_encode(values, 16, 0, &failing.out), ARTEMIS_E_NOMEM);
  assert_int_equal(artemis_rle_hybrid_encode_u8(levels, 4, 1, &failing.out), ARTEMIS_E_NOMEM);
  artemis_buf_free(&failing.out);
}

/* A buffer that can grow once: the up-front reservation succeeds, the growth needed
 * midway (alternating bit-packed and RLE runs cost more than all bit-packed) fails, and
 * the buffer is left as it was before the call. */
static void failure_midway_leaves_buffer_unchanged(void** state) {
  (void)state;
  test_alloc_budget budget = {2, 0};
  const artemis_allocator limited = test_budget_allocator(&budget);
  buf_fixture capped;
  buf_fixture_init_with(&capped, &limited);
  assert_int_equal(artemis_buf_append_u8(&capped.out, 0xAA), ARTEMIS_OK);
  static uint8_t levels[1600];
  for (size_t i = 0; i < sizeof levels; i++) levels[i] = (i % 16 < 8) ? (uint8_t)(i % 2) : 1;
  assert_int_equal(artemis_rle_hybrid_encode_u8(levels, sizeof levels, 1, &capped.out), ARTEMIS_E_NOMEM);
  assert_int_equal(budget.left, 0);
  assert_int_equal(capped.out.len, 1);
  assert_int_equal(capped.out.data[0], 0xAA);
  artemis_buf_free(&capped.out);
}

static void bit_width_of_max_value(void** state) {
  (void)state;
  assert_int_equal(artemis_bit_width(0), 0);
  assert_int_equal(artemis_bit_width(1), 1);
  assert_int_equal(artemis_bit_width(2), 2);
  assert_int_equal(artemis_bit_width(7), 3);
  assert_int_equal(artemis_bit_width(8), 4);
  assert_int_equal(artemis_bit_width(UINT32_MAX), 32);
  assert_int_equal(artemis_bit_width((uint64_t)UINT32_MAX + 1), 33);
  assert_int_equal(artemis_bit_width(UINT64_MAX), 64);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      buf_fixture_unit_test(spec_bit_packing_example),
      buf_fixture_unit_test(rle_runs),
      buf_fixture_unit_test(bit_width_zero),
      buf_fixture_unit_test(empty_input_writes_nothing),
      buf_fixture_unit_test(mixed_runs),
      buf_fixture_unit_test(bit_widths),
      buf_fixture_unit_test(appends_to_existing_bytes),
      buf_fixture_unit_test(random_round_trip),
      cmocka_unit_test(reports_nomem),
      cmocka_unit_test(failure_midway_leaves_buffer_unchanged),
      cmocka_unit_test(bit_width_of_max_value),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
