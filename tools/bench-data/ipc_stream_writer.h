/* A minimal Arrow IPC *stream* writer for flat record batches given through the Arrow C
 * Data Interface. It exists so the benchmarks can have the canonical telemetry on disk as
 * an .arrows file without an Arrow C library on the machine: the FlatBuffers metadata
 * (Schema.fbs, Message.fbs; metadata version V5) is built by hand.
 *
 * What it writes: a Schema message, one RecordBatch message per ipcw_write_batch(), and
 * the end-of-stream marker (0xFFFFFFFF 0x00000000) on ipcw_finish(). Every message is
 * framed as continuation marker, int32 metadata length, Message flatbuffer padded to 8
 * bytes, body. Body buffers start at 8-byte offsets and are zero-padded; a validity buffer
 * is written only for a column whose slice has nulls (a length-0 buffer otherwise). Sliced
 * children (ArrowArray offsets, the struct's own offset included) are honoured: bitmaps
 * are re-aligned and variable-length offsets rebased to start at 0. No compression, no
 * dictionaries, little-endian hosts only.
 *
 * Types: the top-level schema must be a struct ("+s") whose children are all flat:
 * int8..uint64 (c C s S i I l L), float32/float64 (f g), bool (b), binary/utf8 (z u),
 * large binary/utf8 (Z U), date32 (tdD) and timestamps of any unit, with or without a
 * timezone (tss: tsm: tsu: tsn:). Anything else is rejected by ipcw_open with a message
 * naming the field and its format string. Field names, nullability (ARROW_FLAG_NULLABLE)
 * and schema/field metadata are carried over.
 *
 * Memory is constant: the body is streamed from the caller's buffers through one output
 * buffer (large fwrite() calls); nothing is proportional to the number of batches. */
#ifndef ARTEMIS_TOOLS_IPC_STREAM_WRITER_H
#define ARTEMIS_TOOLS_IPC_STREAM_WRITER_H

#include <stdint.h>
#include <stdio.h>

#include "artemis/arrow_c.h"

typedef enum ipcw_status {
  IPCW_OK = 0,
  IPCW_E_UNSUPPORTED = 1, /* a type (or host) this writer does not handle */
  IPCW_E_INVALID = 2,     /* an array that does not match the schema or the C Data rules */
  IPCW_E_NOMEM = 3,
  IPCW_E_IO = 4 /* fwrite/fflush failed; ipcw_error.errnum holds errno */
} ipcw_status;

typedef struct ipcw_error {
  int errnum; /* errno of an IPCW_E_IO failure, else 0 */
  char message[512];
} ipcw_error;

typedef struct ipcw_writer ipcw_writer;

/* Checks the schema, writes the Schema message. `out` is borrowed (never closed) and must
 * stay open until ipcw_free. The schema is only read during this call. On failure *writer
 * is NULL and err says why. */
int ipcw_open(ipcw_writer** writer, FILE* out, const struct ArrowSchema* schema,
              ipcw_error* err);

/* Writes one RecordBatch message for a struct array of the schema given to ipcw_open.
 * The array is only read; the caller still owns and releases it. A batch whose top-level
 * struct has nulls is IPCW_E_INVALID (a record batch cannot hold them). */
int ipcw_write_batch(ipcw_writer* writer, const struct ArrowArray* batch, ipcw_error* err);

/* Writes the end-of-stream marker and flushes everything to `out` (fflush included).
 * Closing `out`, and checking that, stays with the caller. */
int ipcw_finish(ipcw_writer* writer, ipcw_error* err);

/* Bytes handed to `out` so far (buffered ones included), batches written so far. */
uint64_t ipcw_bytes_written(const ipcw_writer* writer);
int64_t ipcw_batches_written(const ipcw_writer* writer);

/* NULL is a no-op. Does not flush: call ipcw_finish first for a complete stream. */
void ipcw_free(ipcw_writer* writer);

#endif /* ARTEMIS_TOOLS_IPC_STREAM_WRITER_H */
