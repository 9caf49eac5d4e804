/* Parquet value and level encoders (parquet-format Encodings.md). Each appends the
 * encoded bytes to `out` and returns ARTEMIS_OK or ARTEMIS_E_NOMEM.
 *
 * Inputs are the values of ONE data page in normalized form:
 *   - fixed width: `values` holds `n` little-endian values of `width` bytes back to back
 *     (INT32 = 4, INT64/DOUBLE = 8, FLOAT = 4, FLBA = type_length);
 *   - booleans: `n` bytes, each 0 or 1;
 *   - byte arrays: `lengths[i]` is the length of value i, `bytes` holds all values
 *     concatenated in order (sum of lengths bytes).
 * Null slots are not in the input: encoders see only the non-null values. */
#ifndef ARTEMIS_ENCODING_ENCODERS_H
#define ARTEMIS_ENCODING_ENCODERS_H

#include <stddef.h>
#include <stdint.h>
#include "core/buffer.h"

/* Number of bits needed to represent `max_value` (0 for 0). */
int artemis_bit_width(uint64_t max_value);

/* RLE / bit-packed hybrid of `n` values each < 2^bit_width (bit_width 0..32). No length
 * prefix: callers that need the 4-byte prefix (v1 definition levels) add it. Runs of
 * >= 8 equal values become RLE runs, the rest bit-packed groups of 8 (last zero-padded). */
int artemis_rle_hybrid_encode(const uint32_t* values, size_t n, int bit_width, artemis_buf* out);
/* Same, for 8-bit inputs (definition levels: 0 = null, 1 = present). */
int artemis_rle_hybrid_encode_u8(const uint8_t* values, size_t n, int bit_width, artemis_buf* out);

/* PLAIN */
int artemis_plain_encode_fixed(const uint8_t* values, size_t n, size_t width, artemis_buf* out);
int artemis_plain_encode_bool(const uint8_t* values, size_t n, artemis_buf* out); /* bit-packed LSB first */
int artemis_plain_encode_byte_array(const uint32_t* lengths, const uint8_t* bytes, size_t n,
                                    artemis_buf* out); /* u32 LE length + bytes, each */

/* DELTA_BINARY_PACKED, block 128 values, 4 miniblocks of 32. INT32 arithmetic is done
 * mod 2^32 (first value and min delta zigzag-encoded as sign-extended int32), INT64 mod
 * 2^64. The last used miniblock is padded to 32 values; unused miniblocks of the last
 * block have bit width 0 and no bytes. n == 0 still writes the 4-field header. */
int artemis_dbp_encode_int32(const int32_t* values, size_t n, artemis_buf* out);
int artemis_dbp_encode_int64(const int64_t* values, size_t n, artemis_buf* out);
/* INT32 rules applied to uint32 bit patterns (byte-array lengths of DLBA/DBA). */
int artemis_dbp_encode_uint32(const uint32_t* values, size_t n, artemis_buf* out);

/* BYTE_STREAM_SPLIT: byte j of value i goes to stream j; exactly n*width bytes. */
int artemis_bss_encode(const uint8_t* values, size_t n, size_t width, artemis_buf* out);

/* DELTA_LENGTH_BYTE_ARRAY: DBP(int32 lengths) then the concatenated bytes. */
int artemis_dlba_encode(const uint32_t* lengths, const uint8_t* bytes, size_t n, artemis_buf* out);

/* DELTA_BYTE_ARRAY: DBP(prefix lengths) DBP(suffix lengths) suffix bytes. The prefix is
 * shared with the previous value of the same call (= same page); the first value's
 * prefix is 0. `scratch` is caller-provided working memory (reused between calls). */
int artemis_dba_encode(const uint32_t* lengths, const uint8_t* bytes, size_t n, artemis_buf* scratch,
                       artemis_buf* out);

#endif
