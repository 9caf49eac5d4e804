/* DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY encoders: the Encodings.md examples with
 * hand-computed bytes, and a round trip through a small decoder written from the spec
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
#include "encoding/encoders.h"
#include "support/buffer_fixture.h"
#include "support/reference_decoders.h"
#include "support/test_allocators.h"
#include "support/test_random.h"

/* ULEB(128) = 0x80 0x01, ULEB(4) = 0x04. */
#define HEADER_PREFIX 0x80, 0x01, 0x04

/* Splits C strings into the encoder's (lengths, concatenated bytes) input. */
static size_t flatten(const char* const* strings, size_t n, uint32_t* lengths, uint8_t* bytes) {
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    lengths[i] = (uint32_t)strlen(strings[i]);
    memcpy(bytes + total, strings[i], lengths[i]);
    total += lengths[i];
  }
  return total;
}

/* ---- hand-computed vectors ---- */

/* "Hello" "World" "Foobar" "ABCDEF": lengths 5 5 6 6.
 *   header count 4, first zigzag(5) = 0x0A; deltas 0 1 0 -> min 0 (00), relative 0 1 0,
 *   width 1: 32 bits = 4 bytes, value 1 at bit 1 -> 02 00 00 00; then the bytes. */
static void dlba_spec_example(void** state) {
  buf_fixture* f = *state;
  const char* const strings[] = {"Hello", "World", "Foobar", "ABCDEF"};
  uint32_t lengths[4];
  uint8_t bytes[64];
  flatten(strings, 4, lengths, bytes);
  assert_int_equal(artemis_dlba_encode(lengths, bytes, 4, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, HEADER_PREFIX, 0x04, 0x0A, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
               'H', 'e', 'l', 'l', 'o', 'W', 'o', 'r', 'l', 'd', 'F', 'o', 'o', 'b', 'a', 'r', 'A', 'B', 'C',
               'D', 'E', 'F');
}

static void dlba_empty(void** state) {
  buf_fixture* f = *state;
  assert_int_equal(artemis_dlba_encode(NULL, NULL, 0, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, HEADER_PREFIX, 0x00, 0x00);
}

/* "axis" "axle" "babble" "babyhood" (Encodings.md):
 * prefix lengths 0 2 0 3: first zigzag(0) = 00; deltas 2 -2 3 -> min -2 (zigzag 3);
 *   relative 4 0 5 -> width 3; bits: 4 at 0..2 (bit 2), 5 at 6..8 (bits 6, 8)
 *   -> 0x44 0x01, then 10 zero bytes (32 x 3 bits = 12 bytes)
 * suffix lengths 4 2 6 5: first zigzag(4) = 08; deltas -2 4 -1 -> min -2 (03);
 *   relative 0 6 1 -> width 3; bits: 6 at 3..5 (bits 4, 5), 1 at 6..8 (bit 6) -> 0x70,
 *   then 11 zero bytes
 * suffixes "axis" "le" "babble" "yhood". */
static void dba_spec_example(void** state) {
  buf_fixture* f = *state;
  const char* const strings[] = {"axis", "axle", "babble", "babyhood"};
  uint32_t lengths[4];
  uint8_t bytes[64];
  flatten(strings, 4, lengths, bytes);
  assert_int_equal(artemis_dba_encode(lengths, bytes, 4, &f->scratch, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out,
               /* prefix lengths */
               HEADER_PREFIX, 0x04, 0x00, 0x03, 0x03, 0x00, 0x00, 0x00, 0x44, 0x01, 0, 0, 0, 0, 0, 0, 0, 0,
               0, 0,
               /* suffix lengths */
               HEADER_PREFIX, 0x04, 0x08, 0x03, 0x03, 0x00, 0x00, 0x00, 0x70, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
               0,
               /* suffix bytes */
               'a', 'x', 'i', 's', 'l', 'e', 'b', 'a', 'b', 'b', 'l', 'e', 'y', 'h', 'o', 'o', 'd');
}

/* Each call is one page: the first prefix is 0 even when the first value equals the last
 * value of the previous call, and the scratch buffer is reused.
 *   "babyhood" "babyhood": prefixes 0 8 -> first 00, min delta 8 (zigzag 0x10), width 0
 *   suffixes 8 0 -> first zigzag(8) = 0x10, min delta -8 (zigzag 0x0F), width 0 */
static void dba_prefix_resets_every_call(void** state) {
  buf_fixture* f = *state;
  const char* const first[] = {"axis", "babyhood"};
  const char* const second[] = {"babyhood", "babyhood"};
  uint32_t lengths[2];
  uint8_t bytes[64];
  flatten(first, 2, lengths, bytes);
  assert_int_equal(artemis_dba_encode(lengths, bytes, 2, &f->scratch, &f->out), ARTEMIS_OK);
  artemis_buf_clear(&f->out);
  flatten(second, 2, lengths, bytes);
  assert_int_equal(artemis_dba_encode(lengths, bytes, 2, &f->scratch, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, HEADER_PREFIX, 0x02, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, HEADER_PREFIX, 0x02, 0x10,
               0x0F, 0x00, 0x00, 0x00, 0x00, 'b', 'a', 'b', 'y', 'h', 'o', 'o', 'd');
}

/* Empty strings: prefixes 0 0 0 (first 00, min 0, width 0); suffixes 0 0 1 (first 00,
 * deltas 0 1 -> min 0, width 1, bit 1 set -> 02 00 00 00); bytes "a". */
static void dba_empty_strings(void** state) {
  buf_fixture* f = *state;
  const uint32_t lengths[] = {0, 0, 1};
  const uint8_t bytes[] = {'a'};
  assert_int_equal(artemis_dba_encode(lengths, bytes, 3, &f->scratch, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, HEADER_PREFIX, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, HEADER_PREFIX, 0x03, 0x00,
               0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 'a');
}

/* All values empty with no data buffer (Arrow may pass NULL): prefixes and suffixes are
 * all 0 (first 00, min delta 00, width 0), no bytes. */
static void all_empty_without_data_buffer(void** state) {
  buf_fixture* f = *state;
  const uint32_t lengths[] = {0, 0, 0};
  assert_int_equal(artemis_dba_encode(lengths, NULL, 3, &f->scratch, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, HEADER_PREFIX, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, HEADER_PREFIX, 0x03, 0x00,
               0x00, 0x00, 0x00, 0x00, 0x00);
  artemis_buf_clear(&f->out);
  assert_int_equal(artemis_dlba_encode(lengths, NULL, 3, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, HEADER_PREFIX, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00);
}

static void dba_zero_values(void** state) {
  buf_fixture* f = *state;
  assert_int_equal(artemis_dba_encode(NULL, NULL, 0, &f->scratch, &f->out), ARTEMIS_OK);
  EXPECT_BYTES(&f->out, HEADER_PREFIX, 0x00, 0x00, HEADER_PREFIX, 0x00, 0x00);
}

/* ---- round trip through an independent decoder ---- */

static uint64_t rng_state = UINT64_C(0x853C49E6748FEA9B);
static uint64_t next_random(void) { return xorshift64star(&rng_state); }

enum { MAX_VALUES = 400, MAX_LENGTH = 40 };

/* Values built from a tiny alphabet so neighbours share prefixes of every length,
 * including more than 8 bytes (the word-at-a-time comparison). */
static size_t random_strings(size_t n, uint32_t* lengths, uint8_t* bytes) {
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t length = (uint32_t)(next_random() % (MAX_LENGTH + 1));
    if (i > 0 && next_random() % 2) {
      /* Copy part of the previous value, then diverge. */
      uint32_t keep = lengths[i - 1] ? (uint32_t)(next_random() % (lengths[i - 1] + 1)) : 0;
      if (keep > length) length = keep;
      memcpy(bytes + total, bytes + total - lengths[i - 1], keep);
      for (uint32_t k = keep; k < length; k++) bytes[total + k] = (uint8_t)('a' + next_random() % 3);
    } else {
      for (uint32_t k = 0; k < length; k++) bytes[total + k] = (uint8_t)('a' + next_random() % 3);
    }
    lengths[i] = length;
    total += length;
  }
  return total;
}

static void random_round_trip(void** state) {
  buf_fixture* f = *state;
  static uint32_t lengths[MAX_VALUES], prefixes[MAX_VALUES], suffixes[MAX_VALUES], decoded[MAX_VALUES];
  static uint8_t bytes[MAX_VALUES * MAX_LENGTH], rebuilt[MAX_VALUES * MAX_LENGTH];
  for (int c = 0; c < 1500; c++) {
    const size_t n = (size_t)(next_random() % (MAX_VALUES + 1));
    const size_t total = random_strings(n, lengths, bytes);
    size_t count;

    artemis_buf_clear(&f->out);
    assert_int_equal(artemis_dlba_encode(lengths, bytes, n, &f->out), ARTEMIS_OK);
    ref_reader r = {f->out.data, f->out.len, 0};
    assert_int_equal(ref_dbp_decode_u32(&r, decoded, MAX_VALUES, &count), 0);
    assert_int_equal(count, n);
    if (n) assert_memory_equal(decoded, lengths, n * sizeof lengths[0]);
    assert_int_equal(f->out.len - r.pos, total);
    if (total) assert_memory_equal(f->out.data + r.pos, bytes, total);

    artemis_buf_clear(&f->out);
    assert_int_equal(artemis_dba_encode(lengths, bytes, n, &f->scratch, &f->out), ARTEMIS_OK);
    ref_reader d = {f->out.data, f->out.len, 0};
    size_t prefix_count, suffix_count;
    assert_int_equal(ref_dbp_decode_u32(&d, prefixes, MAX_VALUES, &prefix_count), 0);
    assert_int_equal(ref_dbp_decode_u32(&d, suffixes, MAX_VALUES, &suffix_count), 0);
    assert_int_equal(prefix_count, n);
    assert_int_equal(suffix_count, n);
    size_t out_pos = 0, previous_start = 0;
    uint32_t previous_length = 0;
    for (size_t i = 0; i < n; i++) {
      assert_true(prefixes[i] <= previous_length);
      if (i == 0) assert_int_equal(prefixes[i], 0);
      memmove(rebuilt + out_pos, rebuilt + previous_start, prefixes[i]);
      assert_true(suffixes[i] <= f->out.len - d.pos);
      memcpy(rebuilt + out_pos + prefixes[i], f->out.data + d.pos, suffixes[i]);
      d.pos += suffixes[i];
      previous_start = out_pos;
      previous_length = prefixes[i] + suffixes[i];
      /* The prefix is the longest one: the next byte must differ (or a value ends). */
      if (i > 0 && suffixes[i] > 0 && prefixes[i] < lengths[i - 1])
        assert_int_not_equal(rebuilt[out_pos + prefixes[i]], bytes[out_pos - lengths[i - 1] + prefixes[i]]);
      out_pos += previous_length;
    }
    assert_int_equal(d.pos, f->out.len);
    assert_int_equal(out_pos, total);
    if (total) assert_memory_equal(rebuilt, bytes, total);
  }
}

/* ---- allocation failure ---- */

static void reports_nomem(void** state) {
  buf_fixture* f = *state;
  buf_fixture failing;
  buf_fixture_init_with(&failing, &test_failing_allocator);
  const uint32_t lengths[] = {2, 2};
  const uint8_t bytes[] = {'a', 'b', 'a', 'c'};
  assert_int_equal(artemis_dlba_encode(lengths, bytes, 2, &failing.out), ARTEMIS_E_NOMEM);
  assert_int_equal(artemis_dba_encode(lengths, bytes, 2, &f->scratch, &failing.out), ARTEMIS_E_NOMEM);
  assert_int_equal(artemis_dba_encode(lengths, bytes, 2, &failing.scratch, &f->out), ARTEMIS_E_NOMEM);
  artemis_buf_free(&failing.out);
  artemis_buf_free(&failing.scratch);
}

/* Output that can grow twice: both length streams fit, the suffix bytes do not; the
 * length streams already written are dropped again. */
static void failure_midway_leaves_buffer_unchanged(void** state) {
  buf_fixture* f = *state;
  test_alloc_budget budget = {2, 0};
  const artemis_allocator limited = test_budget_allocator(&budget);
  buf_fixture capped;
  buf_fixture_init_with(&capped, &limited);
  assert_int_equal(artemis_buf_append_u8(&capped.out, 0xAA), ARTEMIS_OK);
  enum { VALUES = 50, LENGTH = 100 };
  static uint32_t lengths[VALUES];
  static uint8_t bytes[VALUES * LENGTH];
  for (size_t i = 0; i < VALUES; i++) lengths[i] = LENGTH;
  for (size_t i = 0; i < sizeof bytes; i++) bytes[i] = (uint8_t)next_random();
  assert_int_equal(artemis_dba_encode(lengths, bytes, VALUES, &f->scratch, &capped.out), ARTEMIS_E_NOMEM);
  assert_int_equal(budget.left, 0);
  assert_int_equal(capped.out.len, 1);
  assert_int_equal(capped.out.data[0], 0xAA);

  /* The length stream fits in what is already there, the bytes do not. */
  assert_int_equal(artemis_dlba_encode(lengths, bytes, VALUES, &capped.out), ARTEMIS_E_NOMEM);
  assert_int_equal(capped.out.len, 1);
  artemis_buf_free(&capped.out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      buf_fixture_unit_test(dlba_spec_example),
      buf_fixture_unit_test(dlba_empty),
      buf_fixture_unit_test(dba_spec_example),
      buf_fixture_unit_test(dba_prefix_resets_every_call),
      buf_fixture_unit_test(dba_empty_strings),
      buf_fixture_unit_test(dba_zero_values),
      buf_fixture_unit_test(all_empty_without_data_buffer),
      buf_fixture_unit_test(random_round_trip),
      buf_fixture_unit_test(reports_nomem),
      buf_fixture_unit_test(failure_midway_leaves_buffer_unchanged),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
