/* The IPC file footer: found from the end of the file ("...<footer><int32 length>ARROW1"),
 * decoded, its schema checked, and every Block validated against the file before the
 * reader follows it (offset after the leading magic, lengths non-negative, the whole
 * block before the footer, no two blocks overlapping). */
#ifndef ARTEMIS_IPC_FOOTER_H
#define ARTEMIS_IPC_FOOTER_H

#include <stddef.h>

#include "artemis/error.h"
#include "artemis/ipc_reader.h"
#include "core/memory.h"
#include "ipc/ipc_metadata.h"
#include "ipc/ipc_source.h"

/* Bytes of the leading "ARROW1" plus padding, where the first message starts. */
#define ARTEMIS_IPC_FILE_HEADER_SIZE 8
/* Bytes after the footer: int32 footer length, then "ARROW1". */
#define ARTEMIS_IPC_FILE_TRAILER_SIZE 10

/* Reads the footer of the seekable `src` (which must know its size). Does not look at the
 * leading magic. The footer's own version may be anything up to V5: files written by
 * Arrow 0.14 leave it out (it reads as V1) while their messages are V4; the messages'
 * versions are checked when they are read. ARTEMIS_E_INVALID_INPUT, _UNSUPPORTED
 * (schema types, a version above V5), _LIMIT (footer above max_metadata_bytes),
 * _NOMEM, _IO. Free `out` with artemis_ipc_footer_free. */
int artemis_ipc_footer_read(artemis_ipc_source* src, const artemis_ipc_reader_options* options, artemis_mem* mem,
                            artemis_ipc_footer* out, artemis_error* error);

/* The same over `size` bytes of memory: the entry point tests and tools use to exercise
 * footer decoding on files whose leading magic is damaged. `options` NULL: defaults. */
int artemis_ipc_read_footer(const void* data, size_t size, const artemis_ipc_reader_options* options,
                            artemis_mem* mem, artemis_ipc_footer* out, artemis_error* error);

#endif
