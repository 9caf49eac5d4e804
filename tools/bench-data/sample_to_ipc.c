/* artemis-sample-ipc: the canonical telemetry (the library's sample generator, the same
 * rows as `artemis-write --sample N`) as an Arrow IPC stream file, for the benchmarks that
 * need IPC input on disk. There is no Arrow C library on the build machines, so the
 * stream is written by ipc_stream_writer.c.
 *
 * usage: artemis-sample-ipc --rows N [--batch-rows N] [--values adc|float]
 *                           [--order time|payload] [--seed N] -o FILE|-
 * Exit codes: 0 ok, 1 usage, 2 write error (output removed if it was a regular file we
 * opened), 3 generator or internal failure (out of memory, unsupported type). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "artemis/artemis.h"
#include "ipc_stream_writer.h"

enum { EXIT_USAGE = 1, EXIT_WRITE = 2, EXIT_INTERNAL = 3 };

static const char usage_text[] =
    "usage: artemis-sample-ipc --rows N -o FILE|- [options]\n"
    "\n"
    "Writes the canonical Artemis telemetry (the rows of `artemis-write --sample N`) as an\n"
    "Arrow IPC stream (metadata V5, uncompressed, one record batch per generated batch).\n"
    "\n"
    "options:\n"
    "  --rows N                rows to generate (required)\n"
    "  --batch-rows N          rows per record batch (default 65536)\n"
    "  --values adc|float      calibrated ADC counts (default) or full-mantissa random walks\n"
    "  --order time|payload    global time order (default) or each payload's rows together\n"
    "  --seed N                generator seed (default: the library's, as artemis-write uses)\n"
    "  -o, --output FILE|-     output file (created or truncated), or - for stdout\n"
    "  -h, --help              this help\n"
    "\n"
    "exit codes: 0 ok, 1 usage error, 2 write error (a partial regular file is removed),\n"
    "            3 generator failure or out of memory\n";

typedef struct options {
  int64_t rows;
  int64_t batch_rows;
  int have_seed;
  uint64_t seed;
  artemis_sample_values values;
  artemis_sample_order order;
  const char* output;
} options;

static int usage_error(const char* what, const char* arg) {
  fprintf(stderr, "artemis-sample-ipc: %s%s%s%s\n", what, arg ? " \"" : "", arg ? arg : "", arg ? "\"" : "");
  fprintf(stderr, "try 'artemis-sample-ipc --help'\n");
  return EXIT_USAGE;
}

static int parse_i64(const char* s, int64_t lo, int64_t* out) {
  char* end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end || v < lo) return 0;
  *out = v;
  return 1;
}

static int parse_u64(const char* s, uint64_t* out) {
  char* end;
  errno = 0;
  if (*s == '-') return 0; /* strtoull would accept and negate it */
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s || *end) return 0;
  *out = v;
  return 1;
}

/* Returns -1 to go on, or the exit code (0 after --help). */
static int parse_args(int argc, char** argv, options* o) {
  o->rows = -1;
  o->batch_rows = 65536;
  o->have_seed = 0;
  o->seed = 0;
  o->values = ARTEMIS_SAMPLE_CALIBRATED_ADC;
  o->order = ARTEMIS_SAMPLE_TIME_ORDER;
  o->output = NULL;
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      fputs(usage_text, stdout);
      return 0;
    }
    const char* v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--rows") && strcmp(a, "--batch-rows") && strcmp(a, "--values") && strcmp(a, "--order") &&
        strcmp(a, "--seed") && strcmp(a, "-o") && strcmp(a, "--output"))
      return usage_error("unknown argument", a);
    if (!v) return usage_error("missing value after", a);
    ++i;
    if (!strcmp(a, "--rows")) {
      if (!parse_i64(v, 0, &o->rows)) return usage_error("--rows needs a non-negative integer, got", v);
    } else if (!strcmp(a, "--batch-rows")) {
      if (!parse_i64(v, 1, &o->batch_rows)) return usage_error("--batch-rows needs a positive integer, got", v);
    } else if (!strcmp(a, "--values")) {
      if (!strcmp(v, "adc")) o->values = ARTEMIS_SAMPLE_CALIBRATED_ADC;
      else if (!strcmp(v, "float")) o->values = ARTEMIS_SAMPLE_FULL_MANTISSA;
      else return usage_error("--values must be adc or float, got", v);
    } else if (!strcmp(a, "--order")) {
      if (!strcmp(v, "time")) o->order = ARTEMIS_SAMPLE_TIME_ORDER;
      else if (!strcmp(v, "payload")) o->order = ARTEMIS_SAMPLE_PAYLOAD_GROUPED;
      else return usage_error("--order must be time or payload, got", v);
    } else if (!strcmp(a, "--seed")) {
      if (!parse_u64(v, &o->seed)) return usage_error("--seed needs an unsigned integer, got", v);
      o->have_seed = 1;
    } else {
      o->output = v;
    }
  }
  if (o->rows < 0) return usage_error("--rows N is required", NULL);
  if (!o->output) return usage_error("-o FILE|- is required", NULL);
  return -1;
}

typedef struct output {
  FILE* f;
  const char* path;  /* NULL for stdout */
  int remove_on_error; /* a regular file we opened: a partial stream must not be left there */
} output;

static int open_output(output* out, const char* spec) {
  memset(out, 0, sizeof *out);
  if (!strcmp(spec, "-")) {
    if (isatty(STDOUT_FILENO)) return usage_error("refusing to write binary Arrow data to a terminal (-o -)", NULL);
    out->f = stdout;
    return 0;
  }
  out->path = spec;
  out->f = fopen(spec, "wb");
  if (!out->f) {
    fprintf(stderr, "artemis-sample-ipc: cannot open %s: %s\n", spec, strerror(errno));
    return EXIT_WRITE;
  }
  struct stat st;
  out->remove_on_error = fstat(fileno(out->f), &st) == 0 && S_ISREG(st.st_mode);
  return 0;
}

/* Closes the output; returns 0 or an errno value. */
static int close_output(output* out) {
  FILE* f = out->f;
  out->f = NULL;
  if (!f) return 0;
  if (f == stdout) {
    if (fflush(f) != 0) return errno ? errno : EIO;
    return 0; /* leave stdout open: the C library closes it at exit */
  }
  return fclose(f) != 0 ? (errno ? errno : EIO) : 0;
}

static int fail_output(output* out, int code) {
  close_output(out);
  if (out->path && out->remove_on_error) unlink(out->path);
  return code;
}

static int exit_code_for(int status) {
  return status == IPCW_E_IO ? EXIT_WRITE : EXIT_INTERNAL;
}

int main(int argc, char** argv) {
  options o;
  int rc = parse_args(argc, argv, &o);
  if (rc >= 0) return rc;

  artemis_sample_options so;
  artemis_sample_options_init(&so);
  so.total_rows = o.rows;
  so.batch_rows = o.batch_rows;
  so.values = o.values;
  so.order = o.order;
  if (o.have_seed) so.seed = o.seed;

  /* The generator validates its options (e.g. batch sizes whose string data would
   * overflow int32 offsets) before anything is created on disk. */
  artemis_error aerr;
  artemis_sample* sample = NULL;
  if (artemis_sample_open(&sample, &so, &aerr) != ARTEMIS_OK) {
    fprintf(stderr, "artemis-sample-ipc: %s\n", aerr.message);
    return aerr.code == ARTEMIS_E_INVALID_ARGUMENT ? EXIT_USAGE : EXIT_INTERNAL;
  }
  struct ArrowSchema schema;
  if (artemis_sample_schema(&schema, &aerr) != ARTEMIS_OK) {
    fprintf(stderr, "artemis-sample-ipc: %s\n", aerr.message);
    artemis_sample_close(sample);
    return EXIT_INTERNAL;
  }

  output out;
  rc = open_output(&out, o.output);
  if (rc) {
    schema.release(&schema);
    artemis_sample_close(sample);
    return rc;
  }

  ipcw_error werr;
  ipcw_writer* w = NULL;
  int status = ipcw_open(&w, out.f, &schema, &werr);
  schema.release(&schema);
  int exit_code = 0;
  if (status != IPCW_OK) {
    fprintf(stderr, "artemis-sample-ipc: %s: %s\n", out.path ? out.path : "stdout", werr.message);
    exit_code = exit_code_for(status);
  }
  while (exit_code == 0) {
    struct ArrowArray batch;
    int grc = artemis_sample_next(sample, &batch, &aerr);
    if (grc == ARTEMIS_E_END_OF_STREAM) break;
    if (grc != ARTEMIS_OK) {
      fprintf(stderr, "artemis-sample-ipc: generator: %s\n", aerr.message);
      exit_code = EXIT_INTERNAL;
      break;
    }
    status = ipcw_write_batch(w, &batch, &werr);
    batch.release(&batch);
    if (status != IPCW_OK) {
      fprintf(stderr, "artemis-sample-ipc: %s: batch %" PRId64 ": %s\n", out.path ? out.path : "stdout",
              ipcw_batches_written(w), werr.message);
      exit_code = exit_code_for(status);
    }
  }
  if (exit_code == 0 && (status = ipcw_finish(w, &werr)) != IPCW_OK) {
    fprintf(stderr, "artemis-sample-ipc: %s: %s\n", out.path ? out.path : "stdout", werr.message);
    exit_code = exit_code_for(status);
  }
  int64_t batches = w ? ipcw_batches_written(w) : 0;
  uint64_t bytes = w ? ipcw_bytes_written(w) : 0;
  ipcw_free(w);
  artemis_sample_close(sample);
  if (exit_code) return fail_output(&out, exit_code);

  int close_errno = close_output(&out);
  if (close_errno) { /* fclose flushes: a full disk can show up only here */
    fprintf(stderr, "artemis-sample-ipc: %s: write failed: %s\n", out.path ? out.path : "stdout", strerror(close_errno));
    if (out.path && out.remove_on_error) unlink(out.path);
    return EXIT_WRITE;
  }
  fprintf(stderr, "artemis-sample-ipc: %" PRId64 " rows in %" PRId64 " batches, %" PRIu64 " bytes -> %s\n", o.rows,
          batches, bytes, out.path ? out.path : "stdout");
  return 0;
}
