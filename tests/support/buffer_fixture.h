/* Test helper: output buffers over an artemis_mem (default allocator unless given), as
 * a cmocka fixture or on the stack, and byte-exact checks of what encoders and
 * serializers wrote. */
#ifndef ARTEMIS_TEST_BUFFER_FIXTURE_H
#define ARTEMIS_TEST_BUFFER_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "artemis/alloc.h"
#include "core/buffer.h"
#include "core/memory.h"

typedef struct buf_fixture {
  artemis_mem mem; /* live_bytes tells what is still held */
  artemis_buf out;
  artemis_buf scratch;
} buf_fixture;

/* Empty buffers on a fresh mem over `allocator` (NULL: the default allocator, which
 * buf_fixture_init uses). The fixture, and the allocator, must outlive the buffers. */
void buf_fixture_init_with(buf_fixture* f, const artemis_allocator* allocator);
void buf_fixture_init(buf_fixture* f);

/* cmocka setup/teardown: *state is a buf_fixture* (one static instance, default
 * allocator); teardown frees both buffers and asserts that nothing is left allocated. */
int buf_fixture_setup(void** state);
int buf_fixture_teardown(void** state);
/* A cmocka test run between buf_fixture_setup and buf_fixture_teardown (needs <cmocka.h>). */
#define buf_fixture_unit_test(test) cmocka_unit_test_setup_teardown(test, buf_fixture_setup, buf_fixture_teardown)

/* Asserts that `buf` holds exactly `expected` (cmocka length and memory asserts). */
void expect_bytes(const artemis_buf* buf, const uint8_t* expected, size_t expected_len);

#define EXPECT_BYTES(buf, ...)                                   \
  do {                                                           \
    static const uint8_t expected_[] = {__VA_ARGS__};            \
    expect_bytes((buf), expected_, sizeof expected_);            \
  } while (0)

/* Prints "label (n bytes): xx xx ..." through cmocka's print_message. */
void print_hex(const char* label, const uint8_t* bytes, size_t n);
/* Fails unless actual[0, actual_len) is exactly expected[0, n); prints both in hex first. */
void expect_bytes_hex(const uint8_t* actual, size_t actual_len, const uint8_t* expected, size_t n);

#endif
