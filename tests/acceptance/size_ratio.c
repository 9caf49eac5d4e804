/* acceptance.size_ratio: the Parquet file is at least 5x smaller than the same rows as
 * gzipped JSON Lines (the legacy format, baseline_jsonl.h).
 *
 * One pass over the canonical telemetry (the generator's defaults: calibrated ADC values,
 * time order, payloads interleaved; the data is never tuned) feeds four writers at once:
 * the gzip-JSONL baseline and the Parquet writer with three encoding strategies:
 *   measured   artemis_writer_options_use_measured_preset() (docs/encoding-decisions.md)
 *   artemis    artemis_writer_options_use_artemis_preset() (the briefing's map)
 *   defaults   no map (dictionary where possible, PLAIN after fallback)
 * all with the default row-group target (128 MiB) and ZSTD level 3. Sizes are the files'
 * sizes on disk. Prints every size and ratio; asserts the 5x ratio for the strategy named
 * by --assert (default: measured, the one docs/encoding-decisions.md recommends).
 *
 * usage: acceptance_size_ratio OUTPUT_DIR [--rows N] [--assert measured|artemis|defaults|none]
 *                              [--min-ratio X] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "acceptance.h"
#include "baseline_jsonl.h"

enum { NSTRAT = 3 };
static const char* kStrategy[NSTRAT] = {"measured", "artemis", "defaults"};
static const char* kStrategyDoc[NSTRAT] = {"measured preset (docs/encoding-decisions.md)", "artemis preset (briefing's map)",
                                           "writer defaults (no map)"};

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s OUTPUT_DIR [--rows N] [--assert measured|artemis|defaults|none] [--min-ratio X]\n", argv[0]);
    return 2;
  }
  const char* dir = argv[1];
  int64_t rows = 1000000;
  const char* assert_strategy = "measured";
  double min_ratio = 5.0;
  for (int i = 2; i < argc; i++) {
    if (!strcmp(argv[i], "--rows") && i + 1 < argc) rows = atoll(argv[++i]);
    else if (!strcmp(argv[i], "--assert") && i + 1 < argc) assert_strategy = argv[++i];
    else if (!strcmp(argv[i], "--min-ratio") && i + 1 < argc) min_ratio = atof(argv[++i]);
    else {
      fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  int asserted = -1;
  for (int s = 0; s < NSTRAT; s++)
    if (!strcmp(assert_strategy, kStrategy[s])) asserted = s;
  if (asserted < 0 && strcmp(assert_strategy, "none")) {
    fprintf(stderr, "unknown strategy %s\n", assert_strategy);
    return 2;
  }
  mkdir(dir, 0777);

  struct ArrowSchema schema;
  acc_canonical_schema(&schema);
  artemis_error err;
  int rc;
  char paths[NSTRAT][4096];
  artemis_writer* w[NSTRAT];
  for (int s = 0; s < NSTRAT; s++) {
    artemis_writer_options o;
    artemis_writer_options_init(&o); /* 128 MiB row groups, ZSTD 3 */
    if (s == 0) artemis_writer_options_use_measured_preset(&o);
    if (s == 1) artemis_writer_options_use_artemis_preset(&o);
    snprintf(paths[s], sizeof paths[s], "%s/ratio_%s.parquet", dir, kStrategy[s]);
    acc_remove_outputs(paths[s]);
    rc = artemis_writer_open(&w[s], paths[s], &schema, &o, &err);
    if (rc) acc_die(paths[s], rc, &err);
  }
  char baseline_path[4096], msg[512];
  snprintf(baseline_path, sizeof baseline_path, "%s/ratio_baseline.jsonl.gz", dir);
  bjl_writer* bw;
  if (bjl_open(&bw, baseline_path, &schema, BJL_FAULT_NONE, msg, sizeof msg)) acc_fail("baseline: %s", msg);

  artemis_sample* sample = acc_open_sample(rows);
  double t0 = acc_now(), t_json = 0, t_parquet[NSTRAT] = {0};
  struct ArrowArray batch;
  while ((rc = artemis_sample_next(sample, &batch, &err)) == ARTEMIS_OK) {
    double t = acc_now();
    if (bjl_write(bw, &batch)) acc_fail("baseline: %s", msg);
    t_json += acc_now() - t;
    for (int s = 0; s < NSTRAT; s++) {
      t = acc_now();
      rc = artemis_writer_write(w[s], &batch, &err);
      if (rc) acc_die(paths[s], rc, &err);
      t_parquet[s] += acc_now() - t;
    }
    batch.release(&batch);
  }
  if (rc != ARTEMIS_E_END_OF_STREAM) acc_die("artemis_sample_next", rc, &err);
  artemis_sample_close(sample);
  int64_t json_rows, json_bytes;
  if (bjl_close(bw, &json_rows, &json_bytes, NULL)) acc_fail("baseline: %s", msg);
  artemis_write_summary* summary[NSTRAT];
  for (int s = 0; s < NSTRAT; s++) {
    rc = artemis_writer_close(w[s], &summary[s], &err);
    if (rc) acc_die(paths[s], rc, &err);
  }
  if (json_rows != rows) acc_fail("baseline wrote %lld rows, expected %lld", (long long)json_rows, (long long)rows);

  int64_t gz = acc_file_size(baseline_path);
  printf("canonical telemetry, %lld rows (generator defaults: calibrated ADC, time order, payloads interleaved)\n",
         (long long)rows);
  printf("%-46s %14s %8s %8s %6s\n", "file", "bytes", "ratio", "seconds", "rgs");
  printf("%-46s %14lld %8s %8.1f %6s   (JSON text %lld bytes)\n", "baseline gzip JSONL (zlib default level)", (long long)gz,
         "1.00x", t_json, "-", (long long)json_bytes);
  double ratio[NSTRAT];
  for (int s = 0; s < NSTRAT; s++) {
    int64_t pq = acc_file_size(paths[s]);
    if (pq <= 0) acc_fail("%s missing", paths[s]);
    if (summary[s]->rows != rows) acc_fail("%s: %lld rows", paths[s], (long long)summary[s]->rows);
    ratio[s] = (double)gz / (double)pq;
    printf("%-46s %14lld %7.2fx %8.1f %6lld\n", kStrategyDoc[s], (long long)pq, ratio[s], t_parquet[s],
           (long long)summary[s]->row_groups);
  }
  printf("\nper column, compressed bytes (page headers included):\n%-20s", "column");
  for (int s = 0; s < NSTRAT; s++) printf(" %26s", kStrategy[s]);
  printf("\n");
  for (size_t c = 0; c < summary[0]->column_count; c++) {
    printf("%-20s", summary[0]->columns[c].name);
    for (int s = 0; s < NSTRAT; s++) {
      const artemis_column_summary* cs = &summary[s]->columns[c];
      char enc[64] = "";
      for (int e = 0; e < 10; e++)
        if ((cs->data_page_encodings >> e) & 1u) {
          const char* n = artemis_parquet_encoding_name(e);
          snprintf(enc + strlen(enc), sizeof enc - strlen(enc), "%s%s", enc[0] ? "+" : "",
                   !strcmp(n, "RLE_DICTIONARY") ? "DICT" : !strcmp(n, "DELTA_BINARY_PACKED") ? "DBP"
                   : !strcmp(n, "BYTE_STREAM_SPLIT") ? "BSS" : !strcmp(n, "DELTA_BYTE_ARRAY") ? "DBA"
                   : !strcmp(n, "DELTA_LENGTH_BYTE_ARRAY") ? "DLBA" : n);
        }
      printf(" %12lld %-13s", (long long)cs->compressed_bytes, enc);
    }
    printf("\n");
  }
  printf("(total %.1fs)\n\n", acc_now() - t0);
  for (int s = 0; s < NSTRAT; s++) artemis_write_summary_free(summary[s]);
  schema.release(&schema);

  if (asserted < 0) {
    printf("acceptance.size_ratio: no assertion requested\n");
    return 0;
  }
  if (ratio[asserted] < min_ratio) {
    printf("FAIL: %s: Parquet is %.2fx smaller than gzip JSONL, the criterion is >= %.1fx\n", kStrategyDoc[asserted],
           ratio[asserted], min_ratio);
    return 1;
  }
  printf("PASS: %s: %.2fx >= %.1fx (briefing's preset: %.2fx)\n", kStrategyDoc[asserted], ratio[asserted], min_ratio,
         ratio[1]);
  return 0;
}
