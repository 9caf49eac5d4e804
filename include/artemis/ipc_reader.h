/* Arrow IPC reader: the stream and file formats, from a path, a file descriptor (pipes
 * included) or memory, to Arrow C Data Interface batches.
 *
 * Lifecycle
 *   artemis_ipc_reader_open_path() / _open_fd() / _open_memory()
 *       reads and validates the Schema message (and, for a seekable file-format input,
 *       the footer); fails at once on a malformed or unsupported schema
 *   artemis_ipc_reader_schema()  -> a copy of the schema as a struct ("+s") ArrowSchema
 *   artemis_ipc_reader_next()    -> one record batch as a struct ArrowArray, any number of
 *                                   times, then ARTEMIS_E_END_OF_STREAM
 *   artemis_ipc_reader_free()
 *
 * What it reads
 *   - Stream format (encapsulated messages, ending with the end-of-stream marker, or with
 *     the end of the input) and file format ("ARROW1", the messages, a footer). A file-format
 *     input that can seek is read through its footer (schema and blocks; a Schema message
 *     after the magic is not required, Arrow JS writes none); one that cannot (a pipe) is
 *     read sequentially as the stream it contains, in constant memory. If that stream has
 *     no Schema message (the schema only in the footer, as Arrow JS writes files), the
 *     input is spooled to an unlinked temporary file in $TMPDIR (or /tmp) and read through
 *     its footer: disk, not memory, grows with such an input.
 *   - The continuation-marker framing (Arrow >= 0.15) and the legacy framing without it;
 *     metadata versions V4 and V5 (others are ARTEMIS_E_UNSUPPORTED).
 *   - Dictionary batches: replacement (stream format only) and delta dictionaries, one
 *     dictionary shared by several fields. The file format does not allow replacement
 *     (File.fbs: one non-delta dictionary batch per id): a non-delta batch for an already
 *     defined id is ARTEMIS_E_INVALID_INPUT naming the footer block (or, read sequentially, the
 *     message) and its byte offset. Body compression LZ4_FRAME and ZSTD, including the -1
 *     "stored uncompressed" prefix. Big-endian bodies are byte-swapped to native order.
 *   - Schema and field custom metadata are passed through as ArrowSchema metadata.
 *   - Types: every flat type of the Arrow format (null, bool, integers, floats, decimals of
 *     32/64/128/256 bits, dates, times, timestamps, durations, intervals, binary and utf8
 *     and their large, fixed-size and view forms) and dictionary encoding of them; struct,
 *     list, large_list, fixed_size_list and map. Union, list view, large list view and
 *     run-end encoded fields are ARTEMIS_E_UNSUPPORTED at open, naming the field and the
 *     type.
 *   - binary_view / utf8_view: in the body, validity, the 16-byte views, then as many data
 *     buffers as the record batch's variadicBufferCounts entry for the field says (one
 *     entry per view field, in pre-order; a count that does not match the fields or the
 *     buffers is ARTEMIS_E_INVALID_INPUT). Exported as format "vz" / "vu" with the C Data
 *     Interface's buffers: validity, views, the data buffers, and last an int64 array of
 *     the data buffers' sizes, allocated by the reader and owned by the array (n_buffers
 *     = 3 + data buffers). Every non-null view is checked: length >= 0; inline when at
 *     most 12 bytes; otherwise its buffer index names one of the field's data buffers and
 *     offset + length lies within it. Null slots' views are neither checked nor read.
 *     Big-endian views are swapped field by field (length, buffer index, offset; never
 *     the inline bytes or the prefix). Dictionaries of views are read, deltas included:
 *     a delta is concatenated (views, data buffers and sizes copied, its buffer indices
 *     moved past the earlier data buffers).
 *
 * Untrusted input
 *   Every FlatBuffers offset, vtable and vector, every buffer offset/length against the
 *   message body, every count against the limits in the options, is checked with
 *   overflow-checked arithmetic before it is used or allocated. A compressed buffer's
 *   declared uncompressed length is bounded before anything is allocated: by what the
 *   buffer's role needs (a bitmap of the node's length, (length + 1) offsets, length x
 *   width values, 16 bytes per view, the last offset for variable-length data) rounded
 *   up to 64 bytes plus 64 bytes of padding, else ARTEMIS_E_INVALID_INPUT naming the
 *   message, column, buffer and byte; and all buffers of one compressed message together
 *   (stored ones included) by max_body_bytes, else ARTEMIS_E_LIMIT. (View data buffers,
 *   whose need the layout does not tell, have only the second bound.) Produced arrays are
 *   structurally valid (buffer sizes cover their lengths; offsets are monotonic and within
 *   their data; dictionary indices are within their dictionary). A bad input is
 *   ARTEMIS_E_INVALID_INPUT with a message naming the message index and the byte offset
 *   in the input (also in error->offset); never a crash, a hang or an allocation larger
 *   than the limits.
 *
 *   Work bounds (ARTEMIS_E_LIMIT), so that the work stays linear in the input:
 *   - A delta dictionary batch copies the whole dictionary (batches already returned
 *     keep the old one): the bytes all deltas copy together may not exceed 256 per input
 *     byte consumed so far plus 2 x max_dictionary_bytes.
 *   - Every dictionary-encoded column of every batch gets its own copy of the
 *     dictionary's array nodes (children and nested dictionaries included): the nodes
 *     made so may not exceed 4 per input byte consumed so far plus 1,048,576.
 *
 * Memory, from the caller's side
 *   - Batches returned by next() are owned by the caller and released with their release
 *     callback. Their buffers point into the message body (zero-copy) unless the body was
 *     compressed or byte-swapped; the body is freed when the last array using it is
 *     released. Releasing each batch once it is written keeps memory bounded by one
 *     message body plus the dictionaries.
 *   - A batch's arrays stay valid after the reader is freed.
 *   - Every allocation goes through options->allocator; libzstd and liblz4 allocate
 *     through the process allocator. Releasing a batch calls options->allocator->free
 *     (for its nodes, and for the message body and copies once the last array using
 *     them is released): a custom allocator must be thread-safe if batches are
 *     released from other threads than the reader's, or concurrently with reading.
 *
 * Threads: one reader is used by one thread at a time; batches may be released from any
 * thread (the shared storage is reference-counted atomically), provided the allocator
 * given in the options is thread-safe (the default one is). */
#ifndef ARTEMIS_IPC_READER_H
#define ARTEMIS_IPC_READER_H

#include <stddef.h>
#include <stdint.h>
#include "artemis/alloc.h"
#include "artemis/arrow_c.h"
#include "artemis/error.h"
#include "artemis/export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct artemis_ipc_reader artemis_ipc_reader;

#define ARTEMIS_IPC_READER_OPTIONS_VERSION 1

typedef struct artemis_ipc_reader_options {
  uint32_t version; /* ARTEMIS_IPC_READER_OPTIONS_VERSION */
  /* Largest FlatBuffers metadata of one message (and of the file footer). Default 16 MiB. */
  int64_t max_metadata_bytes;
  /* Largest body of one message, and most bytes all buffers of one compressed message
   * may decompress to together. Default 2 GiB. */
  int64_t max_body_bytes;
  /* Most fields in the schema, counting nested children. Default 100,000. */
  int64_t max_fields;
  /* Deepest nesting of types (a flat schema has depth 1). Default 64. */
  int64_t max_nesting_depth;
  /* Total bytes of all dictionaries held at once (deltas accumulate). Default 1 GiB. */
  int64_t max_dictionary_bytes;
  /* NULL for the process allocator. Must outlive the reader and every batch it returns. */
  const artemis_allocator* allocator;
} artemis_ipc_reader_options;

/* Fills `options` with the defaults above. */
ARTEMIS_API void artemis_ipc_reader_options_init(artemis_ipc_reader_options* options);

typedef enum artemis_ipc_format {
  ARTEMIS_IPC_FORMAT_STREAM = 1,
  ARTEMIS_IPC_FORMAT_FILE = 2
} artemis_ipc_format;

/* What the reader has learned so far. */
typedef struct artemis_ipc_reader_info {
  artemis_ipc_format format;
  int metadata_version;     /* 4 for V4, 5 for V5; 0 while not known (a file's footer may
                               omit it: it is then learned from the first block read) */
  int legacy_framing;       /* 1 if messages seen so far have no continuation marker (pre-0.15) */
  int big_endian;           /* 1 if the schema declares big-endian bodies */
  int64_t messages_read;    /* messages decoded, schema included (a seekable file's schema
                               comes from its footer, not from a message) */
  int64_t batches_read;     /* record batches returned by next() */
  int64_t rows_read;
  int64_t bytes_read;       /* input bytes consumed */
} artemis_ipc_reader_info;

/* Opens the file at `path` (stream or file format, detected from its first bytes).
 * @param[out] out   the new reader; set only on success. Free with artemis_ipc_reader_free().
 * @param options    NULL for defaults. Copied.
 * @return ARTEMIS_OK; ARTEMIS_E_IO (cannot open/read; sys_errno set), ARTEMIS_E_INVALID_INPUT,
 *         ARTEMIS_E_UNSUPPORTED, ARTEMIS_E_LIMIT, ARTEMIS_E_NOMEM, ARTEMIS_E_INVALID_ARGUMENT. */
ARTEMIS_API int artemis_ipc_reader_open_path(artemis_ipc_reader** out, const char* path,
                                             const artemis_ipc_reader_options* options,
                                             artemis_error* error);

/* Opens a reader over `fd`, read sequentially from its current position; works on pipes
 * and sockets. Borrowed: the reader never closes `fd`; it must stay open until the reader
 * is freed. A file-format input is read as the stream it contains (its footer is not
 * needed), unless that stream has no Schema message: then the input is spooled to a
 * temporary file and read through its footer. Same returns as open_path. */
ARTEMIS_API int artemis_ipc_reader_open_fd(artemis_ipc_reader** out, int fd,
                                           const artemis_ipc_reader_options* options,
                                           artemis_error* error);

/* Opens a reader over `size` bytes at `data` (stream or file format, detected). Borrowed:
 * batches point into `data`, which must outlive the reader and every batch it returns.
 * Same returns as open_path. */
ARTEMIS_API int artemis_ipc_reader_open_memory(artemis_ipc_reader** out, const void* data, size_t size,
                                               const artemis_ipc_reader_options* options,
                                               artemis_error* error);

/* Copies the schema into `out` (a struct "+s" with one child per field, metadata included).
 * The caller owns the copy and calls out->release. */
ARTEMIS_API int artemis_ipc_reader_schema(artemis_ipc_reader* reader, struct ArrowSchema* out,
                                          artemis_error* error);

/* Reads the next record batch into `out` (a struct array, one child per field), reading
 * any dictionary batches before it.
 * @return ARTEMIS_OK (the caller owns *out and calls out->release); ARTEMIS_E_END_OF_STREAM
 *         when there are no more batches (*out untouched); or an error, after which the
 *         reader is unusable (later calls return ARTEMIS_E_STATE). */
ARTEMIS_API int artemis_ipc_reader_next(artemis_ipc_reader* reader, struct ArrowArray* out,
                                        artemis_error* error);

/* Fills `info`. */
ARTEMIS_API void artemis_ipc_reader_get_info(const artemis_ipc_reader* reader, artemis_ipc_reader_info* info);

/* Frees the reader (not the batches it returned). NULL is a no-op. */
ARTEMIS_API void artemis_ipc_reader_free(artemis_ipc_reader* reader);

#ifdef __cplusplus
}
#endif

#endif /* ARTEMIS_IPC_READER_H */
