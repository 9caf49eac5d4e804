/* BYTE_STREAM_SPLIT encoder (Encodings.md, BYTE_STREAM_SPLIT). */
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

/* The spec's example: three FLOATs AA BB CC DD | 00 11 22 33 | A3 B4 C5 D6. */
static void spec_example_float(void** state) {
  buf_fixture* f = *state;
  const uint8_t values[] = {0xAA, 0xBB, 0xCC, 0xDD, 0x00, 0x11, 0x22, 0x33, 0xA3, 0xB4, 0xC5, 0xD6};
  assert_int_equal(artemis_bss_encode(values, 3, 4, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0xAA, 0x00, 0xA3, 0xBB, 0x11, 0xB4, 0xCC, 0x22, 0xC5, 0xDD, 0x33, 0xD6);
}

/* Two DOUBLEs 1.0 (00 x6 F0 3F) and -2.0 (00 x7 C0): stream j = byte j of each. */
static void doubles(void** state) {
  buf_fixture* f = *state;
  const uint8_t values[] = {0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0, 0, 0, 0, 0, 0, 0, 0xC0};
  assert_int_equal(artemis_bss_encode(values, 2, 8, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xF0, 0x00, 0x3F, 0xC0);
}

/* FLBA(3) x 2 after an existing byte: "abc" "xyz" -> a x b y c z. */
static void odd_width_appends(void** state) {
  buf_fixture* f = *state;
  assert_int_equal(artemis_buf_append_u8(&f->out, 0xEE), ARTEMIS_OK);
  const uint8_t values[] = {'a', 'b', 'c', 'x', 'y', 'z'};
  assert_int_equal(artemis_bss_encode(values, 2, 3, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, 0xEE, 'a', 'x', 'b', 'y', 'c', 'z');
}

/* Exactly n * width bytes, stream j holds byte j of every value, for many sizes. */
static void layout_for_many_sizes(void** state) {
  buf_fixture* f = *state;
  static uint8_t values[1000 * 16];
  for (size_t i = 0; i < sizeof values; i++) values[i] = (uint8_t)(i * 7 + (i >> 8));
  const size_t widths[] = {1, 2, 4, 8, 12, 16};
  for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
    for (size_t n = 0; n <= 1000; n += 37) {
      const size_t width = widths[w];
      artemis_buf_clear(&f->out);
      assert_int_equal(artemis_bss_encode(values, n, width, &f->out), ARTEMIS_OK);
      assert_int_equal(f->out.len, n * width);
      for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < width; j++) assert_int_equal(f->out.data[j * n + i], values[i * width + j]);
    }
  }
}

static void empty(void** state) {
  buf_fixture* f = *state;
  assert_int_equal(artemis_bss_encode(NULL, 0, 8, &f->out), ARTEMIS_OK);
  assert_int_equal(f->out.len, 0);
}

static void reports_nomem(void** state) {
  (void)state;
  buf_fixture failing;
  buf_fixture_init_with(&failing, &test_failing_allocator);
  const uint8_t values[8] = {0};
  assert_int_equal(artemis_bss_encode(values, 2, 4, &failing.out), ARTEMIS_E_NOMEM);
  assert_int_equal(artemis_bss_encode(values, SIZE_MAX / 2, 8, &failing.out), ARTEMIS_E_NOMEM);
  artemis_buf_free(&failing.out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      buf_fixture_unit_test(spec_example_float),
      buf_fixture_unit_test(doubles),
      buf_fixture_unit_test(odd_width_appends),
      buf_fixture_unit_test(layout_for_many_sizes),
      buf_fixture_unit_test(empty),
      cmocka_unit_test(reports_nomem),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
