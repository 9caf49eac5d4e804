/* Acceptance tests (the briefing's "Verifiable" criteria), shared helpers.
 *
 * The canonical Artemis schema lives here, written out from the briefing's table (the C
 * counterpart of the briefing's tests/schema.rs): every acceptance program opens its writer
 * with this schema, and acceptance.schema checks that the sample generator's batches have
 * exactly this shape. */
#ifndef ARTEMIS_ACCEPTANCE_H
#define ARTEMIS_ACCEPTANCE_H

#include <stddef.h>
#include <stdint.h>

#include "artemis/artemis.h"

enum { ACC_NCOLS = 12 };

/* One row of the briefing's canonical schema table. */
typedef struct acc_column {
  const char* name;
  const char* arrow_format;     /* Arrow C Data Interface format string */
  const char* arrow_type;       /* as the briefing writes it */
  const char* harness_type;     /* tests/interop canonical type name */
  int nullable;
  artemis_column_encoding briefing_encoding; /* the table's "Encoding" column */
} acc_column;

extern const acc_column acc_columns[ACC_NCOLS];

/* Builds the canonical schema (struct "+s" with the 12 fields above, in order).
 * The caller releases it with out->release(out). Exits on allocation failure. */
void acc_canonical_schema(struct ArrowSchema* out);

/* Prints "acceptance: <what>: <message> (<status>)" to stderr and exits 1. */
_Noreturn void acc_die(const char* what, int rc, const artemis_error* err);
/* Prints a formatted message to stderr and exits 1. */
_Noreturn void acc_fail(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

/* Size of a file in bytes, or -1 if it does not exist. */
int64_t acc_file_size(const char* path);
int acc_exists(const char* path);
/* Removes `path` and `path.inprogress` (leftovers of an earlier run). */
void acc_remove_outputs(const char* path);

/* Monotonic seconds. */
double acc_now(void);

/* The canonical telemetry generator: the generator's defaults with `rows` rows. Dies on
 * failure; close with artemis_sample_close(). */
artemis_sample* acc_open_sample(int64_t rows);

#endif
