/* The Parquet writer: Arrow record batches in, one Parquet file out.
 *
 * Lifecycle
 *   artemis_writer_open()  -> creates "<path>.inprogress" (never the final path)
 *   artemis_writer_write() -> any number of times, one struct-typed batch each
 *   artemis_writer_close() -> writes the footer, fsyncs, renames to <path>, fsyncs the
 *                             directory; the file appears at <path> only if it succeeds
 *   artemis_writer_abort() -> discards: removes "<path>.inprogress", frees the writer
 *
 * Atomicity, from the caller's side
 *   - Nothing ever exists at <path> until artemis_writer_close() returns ARTEMIS_OK, and
 *     then the complete file does. If close fails, nothing is at <path>.
 *   - A process that dies (or never calls close/abort) leaves only "<path>.inprogress",
 *     which starts with "PAR1" but has no footer, so every Parquet reader rejects it.
 *   - An existing file at <path> is never replaced (ARTEMIS_E_CONFLICT), and neither is
 *     an existing "<path>.inprogress" (it may belong to a live writer: a live writer holds
 *     an flock on it). The library never deletes a stale one left by a crash; an operator
 *     removes it once no process holds its lock.
 *   - A failed close() is final: the .inprogress is removed and the data must be written
 *     again from its source. A failed fsync is never retried (the kernel may have dropped
 *     the dirty pages and cleared the error). Publishing needs renameat2(RENAME_NOREPLACE)
 *     or link(2) in the output directory's file system; without either, close() fails.
 *   - A process with a file-size limit (RLIMIT_FSIZE) should ignore SIGXFSZ, so that
 *     reaching the limit is an ARTEMIS_E_IO error (EFBIG) and a clean discard rather than
 *     a kill that leaves the .inprogress behind (artemis-write does).
 *
 * Memory, from the caller's side
 *   - write() borrows the batch: it never calls its release callback and keeps no pointer
 *     into it after returning. The caller may release or reuse it right away.
 *   - The writer holds, per column, the compressed pages of the row group being built,
 *     its dictionary (at most dictionary_limit_bytes in PLAIN form plus its hash table)
 *     and one data page being filled (about data_page_target_bytes). A row group is
 *     flushed once the Arrow size of its rows reaches row_group_target_bytes, so memory
 *     is bounded by the options and the column count (in practice 1.7-2.6x the compressed
 *     size of one row group, 0.20-0.28x the target on the canonical data), not by the
 *     number of rows. The one
 *     part that grows with the file is the footer and page index kept until close: per
 *     row group, about 6 KB for the 12 canonical columns (the peak grew 1.37 MB over 216
 *     row groups in writer_faults_test; ~120 KB for 10M rows at the 128 MiB target).
 *   - Every allocation goes through options->allocator, except the summary returned by
 *     close() (malloc, freed by artemis_write_summary_free()).
 *
 * Threads: a writer is used by one thread at a time; different writers are independent.
 * With options->threads > 1 the writer encodes on its own worker threads inside each call
 * (docs/architecture.md, "Threads"); the output does not depend on the thread count. */
#ifndef ARTEMIS_WRITER_H
#define ARTEMIS_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include "artemis/arrow_c.h"
#include "artemis/error.h"
#include "artemis/export.h"
#include "artemis/options.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct artemis_writer artemis_writer;

/* Per-column results, summed over the file. */
typedef struct artemis_column_summary {
  char* name;                 /* field name (owned by the summary) */
  int physical_type;          /* parquet Type enum: 0 BOOLEAN ... 7 FIXED_LEN_BYTE_ARRAY */
  uint32_t encodings;         /* bit (1u << e) for every parquet Encoding e used in any chunk,
                                 RLE (levels) and PLAIN (dictionary page) included */
  uint32_t data_page_encodings; /* same, counting only the value encodings of data pages */
  int64_t dictionary_fallbacks; /* row groups in which this column's dictionary fell back */
  int64_t null_count;
  int64_t compressed_bytes;   /* page headers + compressed page bodies, all chunks */
  int64_t uncompressed_bytes; /* page headers + uncompressed page bodies, all chunks */
  int64_t data_pages;
} artemis_column_summary;

typedef struct artemis_write_summary {
  char* path;                 /* the published path (owned by the summary) */
  int64_t rows;
  int64_t row_groups;
  int64_t compressed_bytes;   /* sum of all column chunks' compressed sizes */
  int64_t uncompressed_bytes;
  int64_t file_bytes;         /* size of the published file */
  size_t column_count;
  artemis_column_summary* columns; /* column_count entries, schema order */
  int64_t memory_peak_bytes;  /* the most the writer held at once through its allocator
                                 (pages, dictionaries, scratch, zstd contexts), open to close */
  int threads;                /* threads that encoded (options.threads, at most one per column) */
  int stale_inprogress_replaced; /* 1 if open removed a stale "<path>.inprogress" (options.
                                    replace_stale_after_seconds), else 0 */
} artemis_write_summary;

/* Opens a writer for `path`.
 * @param[out] out     the new writer; set only on success. Free with close() or abort().
 * @param path         final output path. "<path>.inprogress" is created exclusively
 *                     (O_EXCL) in the same directory; the directory must exist.
 * @param schema       struct-typed schema ("+s"), one child per column. Borrowed: the
 *                     writer copies what it needs and never calls schema->release.
 * @param options      NULL for defaults. Borrowed during the call only.
 * @param[out] error   optional.
 * @return ARTEMIS_OK; ARTEMIS_E_UNSUPPORTED (a column type without a Parquet mapping,
 *         e.g. nested), ARTEMIS_E_CONFIG (an encoding that does not fit a column's type,
 *         an unknown column in the map), ARTEMIS_E_INVALID_INPUT (a malformed format
 *         string), ARTEMIS_E_LIMIT (more than 32767 columns), ARTEMIS_E_INVALID_ARGUMENT,
 *         ARTEMIS_E_CONFLICT (path or its .inprogress exists), ARTEMIS_E_IO,
 *         ARTEMIS_E_NOMEM. On failure
 *         nothing is left on disk. */
ARTEMIS_API int artemis_writer_open(artemis_writer** out, const char* path,
                                    const struct ArrowSchema* schema,
                                    const artemis_writer_options* options,
                                    artemis_error* error);

/* Appends the rows of a struct-typed batch matching the schema given at open.
 * The batch is validated before use (buffer counts, lengths, offsets monotonic and in
 * range, dictionary indices in range, no nulls in non-nullable columns); a bad batch is
 * ARTEMIS_E_INVALID_INPUT and nothing of it is written. May flush one or more row groups.
 * Borrowed: never released, no pointer kept after return.
 * A batch rejected by validation (INVALID_INPUT, INVALID_ARGUMENT, or LIMIT for a single
 * value too large for a Parquet page) leaves the writer usable. After any other failure
 * the writer is unusable: later writes return ARTEMIS_E_STATE and the caller should
 * abort(). */
ARTEMIS_API int artemis_writer_write(artemis_writer* writer, const struct ArrowArray* batch,
                                     artemis_error* error);

/* Finishes and publishes the file, then frees the writer (in every case).
 * Returns ARTEMIS_OK only after the footer is written, the file fsynced, renamed to
 * <path> without replacing anything, and the directory fsynced. On failure the
 * .inprogress file is removed and nothing is at <path>.
 * @param[out] out_summary optional; on success a summary owned by the caller, freed with
 *                         artemis_write_summary_free(). */
ARTEMIS_API int artemis_writer_close(artemis_writer* writer, artemis_write_summary** out_summary,
                                     artemis_error* error);

/* Discards the output: removes "<path>.inprogress" and frees the writer. NULL is a no-op. */
ARTEMIS_API void artemis_writer_abort(artemis_writer* writer);

/* Frees a summary from artemis_writer_close(). NULL is a no-op. */
ARTEMIS_API void artemis_write_summary_free(artemis_write_summary* summary);

/* Rows accepted so far (including rows of row groups not yet flushed). */
ARTEMIS_API int64_t artemis_writer_rows(const artemis_writer* writer);

/* Bytes currently held by the writer's allocator (live) and the peak since open. */
ARTEMIS_API void artemis_writer_memory(const artemis_writer* writer, int64_t* live_bytes,
                                       int64_t* peak_bytes);

#ifdef __cplusplus
}
#endif

#endif /* ARTEMIS_WRITER_H */
