/* The legacy pipeline's format, as the size baseline: gzip-compressed JSON Lines.
 * (The briefing's tests/baseline_jsonl.rs.)
 *
 * Independent of the Parquet writer: it reads Arrow C Data Interface batches and uses only
 * zlib. One JSON object per row, keys = the schema's field names in order, compact
 * separators (',' and ':', as serde_json and arrow-json write):
 *   - timestamps and integers as JSON integers (timestamps as their count, e.g. ns);
 *   - float64 as the shortest decimal that reads back as the same double, spelled like
 *     Python's json.dumps (repr): "12.0", "0.0001", "1e-05", "1e+16"; NaN/inf as null
 *     (serde_json's choice; JSON has no such numbers);
 *   - utf8 JSON-escaped like json.dumps(ensure_ascii=False): \" \\ \b \f \n \r \t, other
 *     control characters as \u00xx, everything else (UTF-8) as is;
 *   - null as null.
 * The stream is deflated with zlib's default level (Z_DEFAULT_COMPRESSION) in gzip format. */
#ifndef ARTEMIS_ACCEPTANCE_BASELINE_JSONL_H
#define ARTEMIS_ACCEPTANCE_BASELINE_JSONL_H

#include <stddef.h>
#include <stdint.h>

#include "artemis/arrow_c.h"

typedef struct bjl_writer bjl_writer;

/* Deliberate faults, for the test that shows the baseline checks can fail. */
typedef enum bjl_fault {
  BJL_FAULT_NONE = 0,
  BJL_FAULT_LONG_FLOATS = 1, /* floats printed with %.17g: same value, not the shortest text */
  BJL_FAULT_DROP_ROW = 2,    /* the first row is not written */
  BJL_FAULT_VALUE = 3        /* row 0's first uint64 column (sequence_number) is off by one */
} bjl_fault;

/* Opens `path` (truncating it). The schema must be a struct of supported primitive fields
 * (int/uint 8..64, timestamps, float64/float32, utf8). Borrowed: names are copied.
 * Returns 0, or -1 with a message in errbuf. */
int bjl_open(bjl_writer** out, const char* path, const struct ArrowSchema* schema, bjl_fault fault, char* errbuf,
             size_t errcap);
/* Appends the rows of a struct batch (borrowed). Returns 0 or -1 (message in errbuf given at open). */
int bjl_write(bjl_writer* w, const struct ArrowArray* batch);
/* Finishes the gzip stream and closes the file; frees the writer in every case.
 * Returns 0 or -1. Out-parameters (optional): rows, JSON bytes before compression, file bytes. */
int bjl_close(bjl_writer* w, int64_t* rows, int64_t* json_bytes, int64_t* file_bytes);

/* Formats a double the way Python's repr()/json.dumps does (shortest round-trip). Writes at
 * most 32 bytes plus NUL to out; returns the length. Non-finite values give "null". */
size_t bjl_format_double(double v, char* out);

#endif
