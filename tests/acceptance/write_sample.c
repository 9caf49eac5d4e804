/* acceptance_write: writes canonical telemetry through the library with the acceptance
 * schema (acceptance.h), for the tests that need a file or an interrupted writer.
 *
 * usage: acceptance_write -o OUT.parquet --rows N [--preset artemis|measured|none]
 *            [--row-group-bytes BYTES] [--encoding COLUMN=ENCODING]...
 *            [--stop-after BATCHES --stop exit|_exit|abort] [--null-counts-json FILE]
 *   --stop exit   write BATCHES batches, then exit(0) without closing or aborting
 *   --stop _exit  same with _exit(0) (no atexit handlers, no stdio flush)
 *   --stop abort  write BATCHES batches, then artemis_writer_abort(); checks that the
 *                 .inprogress file existed before and is gone after, exits 0
 *   --null-counts-json FILE  writes {"rows": N, "null_counts": {column: n}} counted in the
 *                 generated arrays (what the readers must report)
 * Exit 0 on success; 1 on failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acceptance.h"

enum { MAX_OVERRIDES = 64 };

int main(int argc, char** argv) {
  const char* out = NULL;
  int64_t rows = -1, rg_bytes = -1, stop_after = -1;
  const char* preset = "artemis";
  const char* stop = NULL;
  const char* null_counts_json = NULL;
  int64_t nulls[ACC_NCOLS] = {0}, generated = 0;
  artemis_column_option map[MAX_OVERRIDES + 16];
  size_t nmap = 0;
  artemis_column_option overrides[MAX_OVERRIDES];
  size_t noverrides = 0;
  for (int i = 1; i < argc; i++) {
    const char* a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) acc_fail("%s needs a value", a);
    i++;
    if (!strcmp(a, "-o")) out = v;
    else if (!strcmp(a, "--rows")) rows = atoll(v);
    else if (!strcmp(a, "--preset")) preset = v;
    else if (!strcmp(a, "--row-group-bytes")) rg_bytes = atoll(v);
    else if (!strcmp(a, "--stop-after")) stop_after = atoll(v);
    else if (!strcmp(a, "--stop")) stop = v;
    else if (!strcmp(a, "--null-counts-json")) null_counts_json = v;
    else if (!strcmp(a, "--encoding")) {
      const char* eq = strchr(v, '=');
      if (!eq || noverrides == MAX_OVERRIDES) acc_fail("bad --encoding %s", v);
      artemis_column_option* o = &overrides[noverrides++];
      if (artemis_column_encoding_parse(eq + 1, &o->encoding)) acc_fail("unknown encoding in %s", v);
      argv[i][eq - v] = '\0';
      o->column = v;
      o->flags = 0;
    } else acc_fail("unknown option %s", a);
  }
  if (!out || rows < 0) acc_fail("usage: acceptance_write -o OUT --rows N [options]");
  if ((stop != NULL) != (stop_after >= 0)) acc_fail("--stop and --stop-after go together");

  artemis_writer_options o;
  artemis_writer_options_init(&o);
  const artemis_column_option* base = NULL;
  size_t nbase = 0;
  if (!strcmp(preset, "artemis")) base = artemis_artemis_preset(&nbase);
  else if (!strcmp(preset, "measured")) base = artemis_measured_preset(&nbase);
  else if (strcmp(preset, "none")) acc_fail("unknown preset %s", preset);
  if (nbase > 16) acc_fail("preset too long");
  for (size_t k = 0; k < nbase; k++) map[nmap++] = base[k];
  for (size_t k = 0; k < noverrides; k++) map[nmap++] = overrides[k]; /* later entries win */
  o.columns = map;
  o.column_count = nmap;
  if (rg_bytes > 0) o.row_group_target_bytes = rg_bytes;

  struct ArrowSchema schema;
  acc_canonical_schema(&schema);
  artemis_sample* sample = acc_open_sample(rows);
  artemis_error err;
  int rc;
  acc_remove_outputs(out);
  artemis_writer* w;
  rc = artemis_writer_open(&w, out, &schema, &o, &err);
  if (rc) acc_die(out, rc, &err);
  char inprogress[4200];
  snprintf(inprogress, sizeof inprogress, "%s.inprogress", out);

  struct ArrowArray batch;
  int64_t batches = 0;
  while ((rc = artemis_sample_next(sample, &batch, &err)) == ARTEMIS_OK) {
    for (int c = 0; c < ACC_NCOLS && c < batch.n_children; c++) {
      const struct ArrowArray* a = batch.children[c];
      const uint8_t* valid = a->n_buffers > 0 ? a->buffers[0] : NULL;
      for (int64_t r = 0; valid && r < batch.length; r++) {
        int64_t i = a->offset + batch.offset + r;
        if (!((valid[i >> 3] >> (i & 7)) & 1)) nulls[c]++;
      }
    }
    generated += batch.length;
    rc = artemis_writer_write(w, &batch, &err);
    batch.release(&batch);
    if (rc) acc_die(out, rc, &err);
    if (++batches == stop_after) {
      printf("stopping after %lld batches (%lld rows): %s; %s is %lld bytes\n", (long long)batches,
             (long long)artemis_writer_rows(w), stop, inprogress, (long long)acc_file_size(inprogress));
      fflush(stdout);
      if (!strcmp(stop, "_exit")) _exit(0);
      if (!strcmp(stop, "exit")) exit(0);
      if (!strcmp(stop, "abort")) {
        if (!acc_exists(inprogress)) acc_fail("%s does not exist before abort", inprogress);
        artemis_writer_abort(w);
        if (acc_exists(inprogress)) acc_fail("%s still exists after artemis_writer_abort", inprogress);
        if (acc_exists(out)) acc_fail("%s exists after artemis_writer_abort", out);
        printf("aborted: %s removed, nothing at %s\n", inprogress, out);
        artemis_sample_close(sample);
        schema.release(&schema);
        return 0;
      }
      acc_fail("unknown --stop %s", stop);
    }
  }
  if (rc != ARTEMIS_E_END_OF_STREAM) acc_die("artemis_sample_next", rc, &err);
  if (stop) acc_fail("the sample ended before %lld batches", (long long)stop_after);
  artemis_write_summary* s;
  rc = artemis_writer_close(w, &s, &err);
  if (rc) acc_die(out, rc, &err);
  printf("%s: %lld rows, %lld row groups, %lld bytes\n", out, (long long)s->rows, (long long)s->row_groups,
         (long long)s->file_bytes);
  if (null_counts_json) {
    FILE* f = fopen(null_counts_json, "w");
    if (!f) acc_fail("cannot write %s", null_counts_json);
    fprintf(f, "{\"reader\": \"generated arrays\", \"rows\": %lld, \"null_counts\": {", (long long)generated);
    for (int c = 0; c < ACC_NCOLS; c++) fprintf(f, "%s\"%s\": %lld", c ? ", " : "", acc_columns[c].name, (long long)nulls[c]);
    fprintf(f, "}}\n");
    fclose(f);
  }
  artemis_write_summary_free(s);
  artemis_sample_close(sample);
  schema.release(&schema);
  return 0;
}
