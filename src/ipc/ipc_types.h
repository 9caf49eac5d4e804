/* What each Arrow type looks like in an IPC body and in the C Data Interface: its buffer
 * layout, its value width and byte-swap pattern, its format string and its name. */
#ifndef ARTEMIS_IPC_TYPES_H
#define ARTEMIS_IPC_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "ipc/ipc_byteswap.h"
#include "ipc/ipc_metadata.h"

typedef enum artemis_ipc_layout_kind {
  ARTEMIS_IPC_LAYOUT_UNSUPPORTED = 0,
  ARTEMIS_IPC_LAYOUT_NULL,       /* no buffers at all */
  ARTEMIS_IPC_LAYOUT_BITS,       /* validity, bit-packed values (bool) */
  ARTEMIS_IPC_LAYOUT_FIXED,      /* validity, value_width bytes per slot */
  ARTEMIS_IPC_LAYOUT_VARBINARY,  /* validity, offsets, data */
  ARTEMIS_IPC_LAYOUT_LIST,       /* validity, offsets; one child (list, large_list, map) */
  ARTEMIS_IPC_LAYOUT_FIXED_LIST, /* validity; one child with list_size slots per slot */
  ARTEMIS_IPC_LAYOUT_STRUCT,     /* validity; one child per field */
  ARTEMIS_IPC_LAYOUT_VIEW        /* validity, 16-byte views, then the field's variadicBufferCounts
                                    entry of data buffers (binary_view, utf8_view); exported as
                                    validity, views, data buffers..., int64 data buffer sizes */
} artemis_ipc_layout_kind;

typedef struct artemis_ipc_layout {
  artemis_ipc_layout_kind kind;
  int n_buffers;         /* in the IPC body and in the ArrowArray; VIEW: the 2 fixed ones */
  int64_t value_width;   /* FIXED: bytes per value */
  int offset_width;      /* VARBINARY, LIST: 4 or 8 */
  artemis_ipc_swap swap; /* FIXED: how a big-endian value becomes native */
} artemis_ipc_layout;

/* The layout of `type`; kind UNSUPPORTED for types we do not read or with parameters out
 * of range (ipc_schema.c rejects those first, with a message). */
artemis_ipc_layout artemis_ipc_type_layout(const artemis_ipc_type* type);

/* The layout of dictionary indices of `bit_width` bits. */
artemis_ipc_layout artemis_ipc_index_layout(int32_t bit_width);

/* The C Data Interface format string of `type` (e.g. "i", "tsu:UTC", "+w:4", "d:5,2,128")
 * written like snprintf: returns the length it needs, writes at most `cap` bytes. */
size_t artemis_ipc_type_format(const artemis_ipc_type* type, char* buf, size_t cap);

/* The format string of dictionary indices ("c", "S", ...). */
const char* artemis_ipc_index_format(int32_t bit_width, bool is_signed);

/* A short name for messages ("int32", "union", "run_end_encoded", "unknown"). */
const char* artemis_ipc_type_name(const artemis_ipc_type* type);

#endif
