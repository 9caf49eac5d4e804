/* Test helper: deliberately naive decoders written from the Parquet Encodings.md text,
 * bit by bit, to check the library's encoders by round trip. They share no code with the
 * library (only standard headers here) and reject anything outside the layout the writer
 * promises. */
#ifndef ARTEMIS_TEST_REFERENCE_DECODERS_H
#define ARTEMIS_TEST_REFERENCE_DECODERS_H

#include <stddef.h>
#include <stdint.h>

/* A read position in a byte string. */
typedef struct ref_reader {
  const uint8_t* data;
  size_t len;
  size_t pos;
} ref_reader;

/* ULEB128 at r->pos, advancing it. 0, or -1 when truncated or longer than 64 bits. */
int ref_read_uleb(ref_reader* r, uint64_t* value);
/* `bit_width` (0..64) bits starting at bit `first_bit`, LSB first. */
uint64_t ref_read_bits_at(const uint8_t* data, size_t first_bit, int bit_width);
uint64_t ref_unzigzag(uint64_t z);

/* RLE / bit-packed hybrid: decodes exactly n values of `bit_width` (0..32); -1 on any
 * malformed run, on nonzero padding, on a padded run that is not the last one, and on
 * trailing bytes. */
int ref_rle_hybrid_decode(const uint8_t* data, size_t len, int bit_width, size_t n, uint32_t* values);

/* DELTA_BINARY_PACKED: decodes one stream starting at data[0]; returns the bytes consumed,
 * or 0 on any violation of the layout we promise: block 128 / 4 miniblocks, widths within
 * the physical type, INT32 zigzag fields that fit an int32, padded last miniblock with
 * zero padding, unused miniblocks with width 0 and no bytes. Values are returned as bit
 * patterns (the low 32 bits when is_int32). */
size_t ref_dbp_decode(const uint8_t* data, size_t len, int is_int32, uint64_t* values, size_t capacity,
                      size_t* count);
/* The same for an INT32 stream at r->pos (advanced past it), values as uint32; 0 or -1. */
int ref_dbp_decode_u32(ref_reader* r, uint32_t* values, size_t capacity, size_t* count);

#endif
