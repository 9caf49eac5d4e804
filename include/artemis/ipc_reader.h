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
 *     read sequentially as the stream it contains, which needs that Schema message (else
 *     ARTEMIS_E_UNSUPPORTED, saying to give the path).
 *   - The continuation-marker framing (Arrow >= 0.15) and the legacy framing without it;
 *     metadata versions V4 and V5 (others are ARTEMIS_E_UNSUPPORTED).
 *   - Dictionary batches: replacement and delta dictionaries, one dictionary shared by
 *     several fields. Body compression LZ4_FRAME and ZSTD, including the -1 "stored
 *     uncompressed" prefix. Big-endian bodies are byte-swapped to native order.
 *   - Schema and field custom metadata are passed through as ArrowSchema metadata.
 *   - Types: every flat type of the Arrow format (null, bool, integers, floats, decimals of
 *     32/64/128/256 bits, dates, times, timestamps, durations, intervals, binary and utf8
 *     and their large and fixed-size forms) and dictionary encoding of them; struct, list,
 *     large_list, fixed_size_list and map. Union, binary/utf8 view, list view and run-end
 *     encoded fields are ARTEMIS_E_UNSUPPORTED at open, naming the field and the type.
 *
 * Untrusted input
 *   Every FlatBuffers offset, vtable and vector, every buffer offset/length against the
 *   message body, every count against the limits in the options, is checked with
 *   overflow-checked arithmetic before it is used or allocated. Produced arrays are
 *   structurally valid (buffer sizes cover their lengths; offsets are monotonic and within
 *   their data; dictionary indices are within their dictionary). A bad input is
 *   ARTEMIS_E_INVALID_INPUT with a message naming the message index and the byte offset
 *   in the input (also in error->offset); never a crash, a hang or an allocation larger
 *   than the limits.
 *
 * Memory, from the caller's side
 *   - Batches returned by next() are owned by the caller and released with their release
 *     callback. Their buffers point into the message body (zero-copy) unless the body was
 *     compressed or byte-swapped; the body is freed when the last array using it is
 *     released. Releasing each batch once it is written keeps memory bounded by one
 *     message body plus the dictionaries.
 *   - A batch's arrays stay valid after the reader is freed.
 *   - Every allocation goes through options->allocator; libzstd and liblz4 allocate
 *     through the process allocator.
 *
 * Threads: one reader is used by one thread at a time; batches may be released from any
 * thread. */
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
  /* Largest body of one message, and largest decompressed buffer. Default 2 GiB. */
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
 * needed). Same returns as open_path. */
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
