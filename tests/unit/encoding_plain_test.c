/* PLAIN encoder: hand-computed byte vectors (Encodings.md, PLAIN). */
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
#include "support/test_allocators.h"

/* Inputs are already little endian: INT32 1, -2 -> 01 00 00 00 FE FF FF FF. */
static void fixed_width_is_a_copy(void** state) {
  buf_fixture* f = *state;
  const uint8_t int32s[] = {0x01, 0x00, 0x00, 0x00, 0xFE, 0xFF, 0xFF, 0xFF};
  assert_int_equal(artemis_plain_encode_fixed(int32s, 2, 4, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0x01, 0x00, 0x00, 0x00, 0xFE, 0xFF, 0xFF, 0xFF);

  /* FLBA(3) x 2 appended after them. */
  const uint8_t flba[] = {'a', 'b', 'c', 'x', 'y', 'z'};
  assert_int_equal(artemis_plain_encode_fixed(flba, 2, 3, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0x01, 0x00, 0x00, 0x00, 0xFE, 0xFF, 0xFF, 0xFF, 'a', 'b', 'c', 'x', 'y', 'z');

  artemis_buf_clear(&f->out);
  assert_int_equal(artemis_plain_encode_fixed(NULL, 0, 8, &f->out), ARTEMIS_OK);
  assert_int_equal(f->out.len, 0);
}

/* Booleans LSB first: 1,0,1,1,0,0,0,1 -> bits 0,2,3,7 = 0x8D; then 1,1 zero-padded -> 0x03. */
static void booleans_bit_packed(void** state) {
  buf_fixture* f = *state;
  const uint8_t bools[] = {1, 0, 1, 1, 0, 0, 0, 1, 1, 1};
  assert_int_equal(artemis_plain_encode_bool(bools, 10, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0x8D, 0x03);

  artemis_buf_clear(&f->out);
  assert_int_equal(artemis_plain_encode_bool(bools, 8, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0x8D);

  artemis_buf_clear(&f->out);
  assert_int_equal(artemis_plain_encode_bool(bools, 1, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0x01);

  artemis_buf_clear(&f->out);
  assert_int_equal(artemis_plain_encode_bool(NULL, 0, &f->out), ARTEMIS_OK);
  assert_int_equal(f->out.len, 0);
}

/* Longer input: 17 trues -> FF FF 01. */
static void booleans_many(void** state) {
  buf_fixture* f = *state;
  uint8_t bools[17];
  memset(bools, 1, sizeof bools);
  assert_int_equal(artemis_plain_encode_bool(bools, 17, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0xFF, 0xFF, 0x01);
}

/* "ab", "", "xyz" -> 02 00 00 00 a b | 00 00 00 00 | 03 00 00 00 x y z. */
static void byte_arrays_length_prefixed(void** state) {
  buf_fixture* f = *state;
  const uint32_t lengths[] = {2, 0, 3};
  const uint8_t bytes[] = {'a', 'b', 'x', 'y', 'z'};
  assert_int_equal(artemis_plain_encode_byte_array(lengths, bytes, 3, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0x02, 0x00, 0x00, 0x00, 'a', 'b', 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
               'x', 'y', 'z');

  artemis_buf_clear(&f->out);
  assert_int_equal(artemis_plain_encode_byte_array(NULL, NULL, 0, &f->out), ARTEMIS_OK);
  assert_int_equal(f->out.len, 0);

  /* All values empty: Arrow may hand over no data buffer at all. */
  const uint32_t empty_lengths[] = {0, 0};
  assert_int_equal(artemis_plain_encode_byte_array(empty_lengths, NULL, 2, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0, 0, 0, 0, 0, 0, 0, 0);
}

/* A 300-byte value: length 300 = 2C 01 00 00. */
static void byte_array_long_value(void** state) {
  buf_fixture* f = *state;
  uint8_t bytes[300];
  for (int i = 0; i < 300; i++) bytes[i] = (uint8_t)i;
  const uint32_t lengths[] = {300};
  assert_int_equal(artemis_plain_encode_byte_array(lengths, bytes, 1, &f->out), ARTEMIS_OK);
  assert_int_equal(f->out.len, 304);
  const uint8_t length_bytes[] = {0x2C, 0x01, 0x00, 0x00};
  assert_memory_equal(f->out.data, length_bytes, 4);
  assert_memory_equal(f->out.data + 4, bytes, 300);
}

static void reports_nomem(void** state) {
  (void)state;
  buf_fixture failing;
  buf_fixture_init_with(&failing, &test_failing_allocator);
  const uint8_t values[8] = {1, 0, 1, 0, 1, 0, 1, 0};
  const uint32_t lengths[] = {8};
  assert_int_equal(artemis_plain_encode_fixed(values, 2, 4, &failing.out), ARTEMIS_E_NOMEM);
  assert_int_equal(artemis_plain_encode_bool(values, 8, &failing.out), ARTEMIS_E_NOMEM);
  assert_int_equal(artemis_plain_encode_byte_array(lengths, values, 1, &failing.out), ARTEMIS_E_NOMEM);
  /* n * width overflowing size_t cannot be allocated either. */
  assert_int_equal(artemis_plain_encode_fixed(values, SIZE_MAX / 2, 4, &failing.out), ARTEMIS_E_NOMEM);
  artemis_buf_free(&failing.out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      buf_fixture_unit_test(fixed_width_is_a_copy),
      buf_fixture_unit_test(booleans_bit_packed),
      buf_fixture_unit_test(booleans_many),
      buf_fixture_unit_test(byte_arrays_length_prefixed),
      buf_fixture_unit_test(byte_array_long_value),
      cmocka_unit_test(reports_nomem),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
