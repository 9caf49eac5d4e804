#include "ipc/ipc_byteswap.h"

#include <string.h>

size_t artemis_ipc_swap_unit(artemis_ipc_swap swap) {
  switch (swap) {
    case ARTEMIS_IPC_SWAP_2: return 2;
    case ARTEMIS_IPC_SWAP_4: return 4;
    case ARTEMIS_IPC_SWAP_8: return 8;
    case ARTEMIS_IPC_SWAP_16: return 16;
    case ARTEMIS_IPC_SWAP_32: return 32;
    case ARTEMIS_IPC_SWAP_MONTH_DAY_NANO: return 16;
    case ARTEMIS_IPC_SWAP_NONE: break;
  }
  return 1;
}

static void reverse(uint8_t* dst, const uint8_t* src, size_t n) {
  /* Through a temporary so dst == src works. */
  uint8_t tmp[32];
  memcpy(tmp, src, n);
  for (size_t i = 0; i < n; i++) dst[i] = tmp[n - 1 - i];
}

void artemis_ipc_byteswap(uint8_t* dst, const uint8_t* src, size_t n, artemis_ipc_swap swap) {
  size_t unit = artemis_ipc_swap_unit(swap);
  size_t whole = n - n % unit;
  if (unit == 1) {
    if (dst != src) memmove(dst, src, n);
    return;
  }
  for (size_t i = 0; i < whole; i += unit) {
    if (swap == ARTEMIS_IPC_SWAP_MONTH_DAY_NANO) {
      reverse(dst + i, src + i, 4);
      reverse(dst + i + 4, src + i + 4, 4);
      reverse(dst + i + 8, src + i + 8, 8);
    } else {
      reverse(dst + i, src + i, unit);
    }
  }
  if (whole < n && dst != src) memmove(dst + whole, src + whole, n - whole);
}

void artemis_ipc_byteswap_views(uint8_t* dst, const uint8_t* src, size_t n_views) {
  for (size_t i = 0; i < n_views; i++) {
    const uint8_t* v = src + i * ARTEMIS_IPC_VIEW_SIZE;
    uint8_t* out = dst + i * ARTEMIS_IPC_VIEW_SIZE;
    memcpy(out, v, ARTEMIS_IPC_VIEW_SIZE);
    reverse(out, v, 4);
    int32_t length;
    memcpy(&length, out, 4);
    if (length > ARTEMIS_IPC_VIEW_INLINE) {
      reverse(out + 8, v + 8, 4);
      reverse(out + 12, v + 12, 4);
    }
  }
}

bool artemis_ipc_host_is_big_endian(void) {
  const uint16_t probe = 1;
  uint8_t first;
  memcpy(&first, &probe, 1);
  return first == 0;
}
