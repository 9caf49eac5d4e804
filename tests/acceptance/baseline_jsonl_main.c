/* acceptance_baseline_jsonl: writes N rows of the canonical telemetry (the sample
 * generator's defaults, the same rows `artemis-write --sample N` writes) as gzipped JSON
 * Lines, the legacy archive format (see baseline_jsonl.h).
 *
 * usage: acceptance_baseline_jsonl --rows N -o OUT.jsonl.gz [--fault long-floats|drop-row|value] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acceptance.h"
#include "baseline_jsonl.h"

int main(int argc, char** argv) {
  int64_t rows = -1;
  const char* out = NULL;
  bjl_fault fault = BJL_FAULT_NONE;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--rows") && i + 1 < argc) rows = atoll(argv[++i]);
    else if (!strcmp(argv[i], "-o") && i + 1 < argc) out = argv[++i];
    else if (!strcmp(argv[i], "--fault") && i + 1 < argc) {
      const char* f = argv[++i];
      if (!strcmp(f, "long-floats")) fault = BJL_FAULT_LONG_FLOATS;
      else if (!strcmp(f, "drop-row")) fault = BJL_FAULT_DROP_ROW;
      else if (!strcmp(f, "value")) fault = BJL_FAULT_VALUE;
      else {
        fprintf(stderr, "unknown fault %s\n", f);
        return 2;
      }
    } else {
      fprintf(stderr, "usage: %s --rows N -o OUT.jsonl.gz [--fault long-floats|drop-row|value]\n", argv[0]);
      return 2;
    }
  }
  if (rows < 0 || !out) {
    fprintf(stderr, "usage: %s --rows N -o OUT.jsonl.gz\n", argv[0]);
    return 2;
  }
  struct ArrowSchema schema;
  acc_canonical_schema(&schema);
  artemis_sample* sample = acc_open_sample(rows);
  artemis_error err;
  int rc;
  char msg[512];
  bjl_writer* w;
  if (bjl_open(&w, out, &schema, fault, msg, sizeof msg)) acc_fail("baseline open: %s", msg);
  double t0 = acc_now();
  struct ArrowArray batch;
  while ((rc = artemis_sample_next(sample, &batch, &err)) == ARTEMIS_OK) {
    if (bjl_write(w, &batch)) acc_fail("baseline write: %s", msg);
    batch.release(&batch);
  }
  if (rc != ARTEMIS_E_END_OF_STREAM) acc_die("artemis_sample_next", rc, &err);
  artemis_sample_close(sample);
  int64_t n, json_bytes, gz_bytes;
  if (bjl_close(w, &n, &json_bytes, &gz_bytes)) acc_fail("baseline close: %s", msg);
  schema.release(&schema);
  printf("baseline_jsonl: %s rows=%lld json_bytes=%lld gzip_bytes=%lld (%.1fs)\n", out, (long long)n,
         (long long)json_bytes, (long long)gz_bytes, acc_now() - t0);
  return 0;
}
