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

typedef struct fixture {
  artemis_mem mem;
  artemis_buf out;
} fixture;

static int setup(void** state) {
  static fixture f;
  artemis_mem_init(&f.mem, NULL);
  artemis_buf_init(&f.out, &f.mem);
  *state = &f;
  return 0;
}

static int teardown(void** state) {
  fixture* f = *state;
  artemis_buf_free(&f->out);
  assert_int_equal(f->mem.live_bytes, 0);
  return 0;
}

static void expect_bytes(const artemis_buf* buf, const uint8_t* expected, size_t expected_len) {
  assert_int_equal(buf->len, expected_len);
  if (expected_len) assert_memory_equal(buf->data, expected, expected_len);
}

#define EXPECT_BYTES(buf, ...)                                   \
  do {                                                           \
    static const uint8_t expected_[] = {__VA_ARGS__};            \
    expect_bytes((buf), expected_, sizeof expected_);            \
  } while (0)

/* Inputs are already little endian: INT32 1, -2 -> 01 00 00 00 FE FF FF FF. */
static void fixed_width_is_a_copy(void** state) {
  fixture* f = *state;
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
  fixture* f = *state;
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
  fixture* f = *state;
  uint8_t bools[17];
  memset(bools, 1, sizeof bools);
  assert_int_equal(artemis_plain_encode_bool(bools, 17, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0xFF, 0xFF, 0x01);
}

/* "ab", "", "xyz" -> 02 00 00 00 a b | 00 00 00 00 | 03 00 00 00 x y z. */
static void byte_arrays_length_prefixed(void** state) {
  fixture* f = *state;
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
  fixture* f = *state;
  uint8_t bytes[300];
  for (int i = 0; i < 300; i++) bytes[i] = (uint8_t)i;
  const uint32_t lengths[] = {300};
  assert_int_equal(artemis_plain_encode_byte_array(lengths, bytes, 1, &f->out), ARTEMIS_OK);
  assert_int_equal(f->out.len, 304);
  const uint8_t length_bytes[] = {0x2C, 0x01, 0x00, 0x00};
  assert_memory_equal(f->out.data, length_bytes, 4);
  assert_memory_equal(f->out.data + 4, bytes, 300);
}

static void* failing_alloc(void* ctx, size_t size) {
  (void)ctx;
  (void)size;
  return NULL;
}
static void* failing_realloc(void* ctx, void* ptr, size_t size) {
  (void)ctx;
  (void)ptr;
  (void)size;
  return NULL;
}
static void failing_free(void* ctx, void* ptr) {
  (void)ctx;
  (void)ptr;
}

static void reports_nomem(void** state) {
  (void)state;
  const artemis_allocator failing = {failing_alloc, failing_realloc, failing_free, NULL};
  artemis_mem mem;
  artemis_mem_init(&mem, &failing);
  artemis_buf out;
  artemis_buf_init(&out, &mem);
  const uint8_t values[8] = {1, 0, 1, 0, 1, 0, 1, 0};
  const uint32_t lengths[] = {8};
  assert_int_equal(artemis_plain_encode_fixed(values, 2, 4, &out), ARTEMIS_E_NOMEM);
  assert_int_equal(artemis_plain_encode_bool(values, 8, &out), ARTEMIS_E_NOMEM);
  assert_int_equal(artemis_plain_encode_byte_array(lengths, values, 1, &out), ARTEMIS_E_NOMEM);
  /* n * width overflowing size_t cannot be allocated either. */
  assert_int_equal(artemis_plain_encode_fixed(values, SIZE_MAX / 2, 4, &out), ARTEMIS_E_NOMEM);
  artemis_buf_free(&out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(fixed_width_is_a_copy, setup, teardown),
      cmocka_unit_test_setup_teardown(booleans_bit_packed, setup, teardown),
      cmocka_unit_test_setup_teardown(booleans_many, setup, teardown),
      cmocka_unit_test_setup_teardown(byte_arrays_length_prefixed, setup, teardown),
      cmocka_unit_test_setup_teardown(byte_array_long_value, setup, teardown),
      cmocka_unit_test(reports_nomem),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
