#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "support/buffer_fixture.h"

void buf_fixture_init_with(buf_fixture* f, const artemis_allocator* allocator) {
  artemis_mem_init(&f->mem, allocator);
  artemis_buf_init(&f->out, &f->mem);
  artemis_buf_init(&f->scratch, &f->mem);
}

void buf_fixture_init(buf_fixture* f) { buf_fixture_init_with(f, NULL); }

int buf_fixture_setup(void** state) {
  static buf_fixture f;
  buf_fixture_init(&f);
  *state = &f;
  return 0;
}

int buf_fixture_teardown(void** state) {
  buf_fixture* f = *state;
  artemis_buf_free(&f->out);
  artemis_buf_free(&f->scratch);
  assert_int_equal(f->mem.live_bytes, 0);
  return 0;
}

void expect_bytes(const artemis_buf* buf, const uint8_t* expected, size_t expected_len) {
  assert_int_equal(buf->len, expected_len);
  if (expected_len) assert_memory_equal(buf->data, expected, expected_len);
}

void print_hex(const char* label, const uint8_t* bytes, size_t n) {
  print_message("%s (%zu bytes):", label, n);
  for (size_t i = 0; i < n; i++) print_message(" %02x", bytes[i]);
  print_message("\n");
}

void expect_bytes_hex(const uint8_t* actual, size_t actual_len, const uint8_t* expected, size_t n) {
  if (actual_len != n || memcmp(actual, expected, n) != 0) {
    print_hex("expected", expected, n);
    print_hex("actual  ", actual, actual_len);
    fail_msg("byte mismatch");
  }
}
