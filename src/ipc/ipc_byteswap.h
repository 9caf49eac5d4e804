/* Byte-swapping big-endian body values into native order. Validity bitmaps and
 * fixed-size binary bytes have no byte order and are never swapped. */
#ifndef ARTEMIS_IPC_BYTESWAP_H
#define ARTEMIS_IPC_BYTESWAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum artemis_ipc_swap {
  ARTEMIS_IPC_SWAP_NONE = 0,
  ARTEMIS_IPC_SWAP_2,               /* int16, float16 */
  ARTEMIS_IPC_SWAP_4,               /* int32, float32, 32-bit offsets, day_time (2 x int32) */
  ARTEMIS_IPC_SWAP_8,               /* int64, float64, 64-bit offsets, timestamps */
  ARTEMIS_IPC_SWAP_16,              /* decimal128: the whole value reversed */
  ARTEMIS_IPC_SWAP_32,              /* decimal256: the whole value reversed */
  ARTEMIS_IPC_SWAP_MONTH_DAY_NANO   /* int32 months, int32 days, int64 nanoseconds */
} artemis_ipc_swap;

/* Size of one unit of `swap` (1 for NONE). */
size_t artemis_ipc_swap_unit(artemis_ipc_swap swap);

/* Writes `n` bytes of `src` to `dst` (may be the same pointer) with every whole unit of
 * `swap` reversed as the pattern says; a trailing partial unit is copied as is. */
void artemis_ipc_byteswap(uint8_t* dst, const uint8_t* src, size_t n, artemis_ipc_swap swap);

/* Views of binary_view / utf8_view: 16 bytes each, an int32 length, then either up to
 * 12 inline bytes or a 4-byte prefix, an int32 buffer index and an int32 offset. */
#define ARTEMIS_IPC_VIEW_SIZE 16
#define ARTEMIS_IPC_VIEW_INLINE 12

/* Writes `n_views` views of `src` to `dst` (not overlapping) in the other byte order: the
 * length always; the buffer index and offset when the (swapped) length says the value is
 * not inline. Inline bytes and the prefix are bytes, never swapped. */
void artemis_ipc_byteswap_views(uint8_t* dst, const uint8_t* src, size_t n_views);

/* True when this machine stores integers big-endian. */
bool artemis_ipc_host_is_big_endian(void);

#endif
