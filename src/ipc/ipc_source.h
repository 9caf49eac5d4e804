/* Where IPC bytes come from: borrowed memory, a file opened by path (seekable: read at any
 * offset with pread), or a caller's file descriptor read sequentially (pipes included).
 *
 * Reads loop over EINTR and short reads. A declared length is never trusted: when the
 * input's size is known (memory, regular files) a length beyond the end fails before
 * anything is allocated, and on a pipe the buffer grows only as bytes actually arrive, so
 * a lying length costs at most about twice what the pipe delivered. */
#ifndef ARTEMIS_IPC_SOURCE_H
#define ARTEMIS_IPC_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "artemis/alloc.h"
#include "artemis/error.h"
#include "ipc/ipc_array.h"

typedef struct artemis_ipc_source {
  const artemis_allocator* allocator;
  const uint8_t* memory; /* memory sources */
  int fd;                /* -1 for memory sources */
  bool owns_fd;          /* opened by path: closed by artemis_ipc_source_close */
  bool seekable;         /* memory or a regular file opened by path */
  int64_t size;          /* bytes from the start of the input to its end, or -1 if unknown */
  int64_t position;      /* next byte to read, counted from where the input started */
  int64_t bytes_read;    /* bytes consumed so far (seeks do not count) */
  bool spooled;          /* reading a temporary copy (artemis_ipc_source_spool): bytes_read is final */
} artemis_ipc_source;

void artemis_ipc_source_open_memory(artemis_ipc_source* src, const artemis_allocator* allocator, const void* data,
                                    size_t size);
/* ARTEMIS_E_IO when the path cannot be opened or examined. */
int artemis_ipc_source_open_path(artemis_ipc_source* src, const artemis_allocator* allocator, const char* path,
                                 artemis_error* error);
/* Sequential; the size is known (for limits only) when `fd` is a regular file. */
void artemis_ipc_source_open_fd(artemis_ipc_source* src, const artemis_allocator* allocator, int fd);
void artemis_ipc_source_close(artemis_ipc_source* src);

/* Turns a sequential source into a seekable one: writes `head` (the `head_len` bytes
 * already consumed, from the start of the input) and then the rest of the input into an
 * unlinked temporary file in $TMPDIR (or /tmp), and reads that file from then on, at the
 * same offsets. For a file-format input whose schema is only in its footer. ARTEMIS_E_IO
 * if the temporary file cannot be made or written, or the input cannot be read. */
int artemis_ipc_source_spool(artemis_ipc_source* src, const void* const* head, const size_t* head_len, size_t parts,
                             artemis_error* error);

/* Reads up to `n` bytes; `*got` < n only at the end of the input. ARTEMIS_E_IO on a
 * failed read. */
int artemis_ipc_source_read(artemis_ipc_source* src, void* dst, size_t n, size_t* got, artemis_error* error);

/* Moves to `position` (seekable sources only). */
int artemis_ipc_source_seek(artemis_ipc_source* src, int64_t position, artemis_error* error);

/* Bytes left before the end of the input, or -1 when unknown. */
int64_t artemis_ipc_source_remaining(const artemis_ipc_source* src);

/* Takes exactly `n` bytes: from memory without copying (`*block` NULL), otherwise into a
 * block (ipc_array.h) that the caller then owns. Fewer than `n` bytes left is
 * ARTEMIS_E_INVALID_INPUT "<label>: input truncated ...". */
int artemis_ipc_source_take(artemis_ipc_source* src, int64_t n, const char* label, const uint8_t** data,
                            void** block, artemis_error* error);
/* The same, reading into a block parked in `recycler` when one is big enough (for message
 * bodies: see artemis_ipc_recycler). `recycler` may be NULL. */
int artemis_ipc_source_take_into(artemis_ipc_source* src, int64_t n, const char* label, artemis_ipc_recycler* recycler,
                                 const uint8_t** data, void** block, artemis_error* error);

#endif
