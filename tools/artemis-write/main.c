/* artemis-write: Arrow record batches to a Parquet file.
 *
 * This first version writes the built-in canonical telemetry (--sample N); reading Arrow
 * IPC from a path or stdin is the next step (it fails with a clear message for now). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "artemis/artemis.h"

enum { EXIT_USAGE = 1, EXIT_INPUT = 2, EXIT_CONFLICT = 3, EXIT_IO = 4 };

#define MAX_ENCODING_OVERRIDES 256

static const char kUsage[] =
    "usage: artemis-write [INPUT|-] -o OUTPUT.parquet [options]\n"
    "       artemis-write --sample N -o OUTPUT.parquet [options]\n"
    "\n"
    "Writes Arrow record batches to a Parquet file, atomically: the file appears at OUTPUT\n"
    "only when it is complete and durable (written as OUTPUT.inprogress, fsynced, renamed).\n"
    "\n"
    "options:\n"
    "  -o, --output PATH          output Parquet file (required; never overwritten)\n"
    "  --sample N                 write N rows of the built-in canonical telemetry\n"
    "  --sample-order time|payload  row order of --sample (default time: payloads interleaved)\n"
    "  --batch-rows N             rows per generated batch for --sample (default 65536)\n"
    "  --row-group-bytes SIZE     row-group target, e.g. 128MiB, 64MB, 1048576 (default 128MiB)\n"
    "  --compression zstd|none    page compression (default zstd)\n"
    "  --zstd-level N             zstd level (default 3)\n"
    "  --preset artemis|none      per-column encoding map (default artemis)\n"
    "  --encoding COLUMN=ENCODING override one column (repeatable): PLAIN, DICTIONARY,\n"
    "                             DELTA_BINARY_PACKED, BYTE_STREAM_SPLIT,\n"
    "                             DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, DEFAULT\n"
    "  --no-statistics            do not write statistics or the page index\n"
    "  --log-json FILE|-          JSON event lines (row_group_flushed, dictionary_fallback,\n"
    "                             file_published)\n"
    "  --summary-json FILE|-      the write summary as JSON\n"
    "  --no-fsync                 skip fsync (benchmarks only: not durable on power loss)\n"
    "  -h, --help                 this help\n"
    "  --version                  print the version\n"
    "\n"
    "exit codes: 0 success, 1 usage error, 2 invalid or unsupported input,\n"
    "            3 output conflict (OUTPUT or OUTPUT.inprogress exists), 4 I/O error\n";

typedef struct cli_options {
  const char* output;
  const char* input;
  int64_t sample_rows;
  int64_t batch_rows;
  int sample_order;
  int64_t row_group_bytes;
  int compression;
  int zstd_level;
  int preset;
  int statistics;
  int durable;
  const char* log_json;
  const char* summary_json;
  artemis_column_option overrides[MAX_ENCODING_OVERRIDES];
  size_t override_count;
} cli_options;

__attribute__((format(printf, 1, 2))) static int usage_error(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "artemis-write: ");
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n(see artemis-write --help)\n");
  return EXIT_USAGE;
}

/* "128MiB", "64MB", "1048576", "1GiB", "512k". */
static int parse_size(const char* s, int64_t* out) {
  char* end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || end == s || v <= 0) return 0;
  double mult = 1;
  if (*end) {
    if (!strcasecmp(end, "b")) mult = 1;
    else if (!strcasecmp(end, "k") || !strcasecmp(end, "kib")) mult = 1024.0;
    else if (!strcasecmp(end, "kb")) mult = 1e3;
    else if (!strcasecmp(end, "m") || !strcasecmp(end, "mib")) mult = 1024.0 * 1024;
    else if (!strcasecmp(end, "mb")) mult = 1e6;
    else if (!strcasecmp(end, "g") || !strcasecmp(end, "gib")) mult = 1024.0 * 1024 * 1024;
    else if (!strcasecmp(end, "gb")) mult = 1e9;
    else return 0;
  }
  double bytes = v * mult;
  if (bytes < 1 || bytes > 9.0e18) return 0;
  *out = (int64_t)bytes;
  return 1;
}

static int parse_int(const char* s, int64_t lo, int64_t hi, int64_t* out) {
  char* end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end || v < lo || v > hi) return 0;
  *out = v;
  return 1;
}

static int parse_args(int argc, char** argv, cli_options* o) {
  memset(o, 0, sizeof *o);
  artemis_writer_options defaults; /* the library's defaults are the CLI's */
  artemis_writer_options_init(&defaults);
  o->sample_rows = -1;
  o->batch_rows = 65536;
  o->row_group_bytes = defaults.row_group_target_bytes;
  o->compression = defaults.compression;
  o->zstd_level = defaults.compression_level;
  o->preset = 1;
  o->statistics = defaults.statistics_enabled;
  o->durable = defaults.durable;
  for (int i = 1; i < argc; i++) {
    const char* a = argv[i];
    const char* next = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_VALUE() \
  do {               \
    if (!next) return usage_error("option %s needs a value", a); \
    i++;             \
  } while (0)
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      fputs(kUsage, stdout);
      return -1;
    } else if (!strcmp(a, "--version")) {
      printf("artemis-write %s\n", artemis_version_string());
      return -1;
    } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
      NEED_VALUE();
      o->output = next;
    } else if (!strcmp(a, "--sample")) {
      NEED_VALUE();
      if (!parse_int(next, 0, INT64_MAX, &o->sample_rows)) return usage_error("--sample needs a row count, got \"%s\"", next);
    } else if (!strcmp(a, "--sample-order")) {
      NEED_VALUE();
      if (!strcmp(next, "time")) o->sample_order = ARTEMIS_SAMPLE_TIME_ORDER;
      else if (!strcmp(next, "payload")) o->sample_order = ARTEMIS_SAMPLE_PAYLOAD_GROUPED;
      else return usage_error("--sample-order must be time or payload, got \"%s\"", next);
    } else if (!strcmp(a, "--batch-rows")) {
      NEED_VALUE();
      if (!parse_int(next, 1, 1ll << 30, &o->batch_rows)) return usage_error("--batch-rows needs a positive count, got \"%s\"", next);
    } else if (!strcmp(a, "--row-group-bytes")) {
      NEED_VALUE();
      if (!parse_size(next, &o->row_group_bytes)) return usage_error("--row-group-bytes needs a size like 128MiB, got \"%s\"", next);
    } else if (!strcmp(a, "--compression")) {
      NEED_VALUE();
      if (!strcmp(next, "zstd")) o->compression = ARTEMIS_COMPRESSION_ZSTD;
      else if (!strcmp(next, "none")) o->compression = ARTEMIS_COMPRESSION_UNCOMPRESSED;
      else return usage_error("--compression must be zstd or none, got \"%s\"", next);
    } else if (!strcmp(a, "--zstd-level")) {
      NEED_VALUE();
      int64_t level;
      if (!parse_int(next, -131072, 22, &level)) return usage_error("--zstd-level needs a level (max 22), got \"%s\"", next);
      o->zstd_level = (int)level;
    } else if (!strcmp(a, "--preset")) {
      NEED_VALUE();
      if (!strcmp(next, "artemis")) o->preset = 1;
      else if (!strcmp(next, "none")) o->preset = 0;
      else return usage_error("--preset must be artemis or none, got \"%s\"", next);
    } else if (!strcmp(a, "--encoding")) {
      NEED_VALUE();
      const char* eq = strchr(next, '=');
      if (!eq || eq == next) return usage_error("--encoding needs COLUMN=ENCODING, got \"%s\"", next);
      if (o->override_count == MAX_ENCODING_OVERRIDES) return usage_error("too many --encoding options (%s)", next);
      artemis_column_option* ov = &o->overrides[o->override_count];
      if (artemis_column_encoding_parse(eq + 1, &ov->encoding) != ARTEMIS_OK)
        return usage_error("unknown encoding in --encoding \"%s\"", next);
      argv[i][eq - next] = '\0'; /* the column name is the text before '=' */
      ov->column = next;
      ov->flags = 0;
      o->override_count++;
    } else if (!strcmp(a, "--no-statistics")) {
      o->statistics = 0;
    } else if (!strcmp(a, "--no-fsync")) {
      o->durable = 0;
    } else if (!strcmp(a, "--log-json")) {
      NEED_VALUE();
      o->log_json = next;
    } else if (!strcmp(a, "--summary-json")) {
      NEED_VALUE();
      o->summary_json = next;
    } else if (a[0] == '-' && a[1] != '\0') {
      return usage_error("unknown option %s", a);
    } else {
      if (o->input) return usage_error("more than one input given (%s)", a);
      o->input = a;
    }
#undef NEED_VALUE
  }
  if (!o->output) return usage_error("%s", "no output given: use -o OUTPUT.parquet");
  if (o->sample_rows >= 0 && o->input) return usage_error("--sample and an input file (%s) exclude each other", o->input);
  return 0;
}

static int exit_code_for(int status) {
  switch (status) {
    case ARTEMIS_OK: return 0;
    case ARTEMIS_E_CONFLICT: return EXIT_CONFLICT;
    case ARTEMIS_E_IO: return EXIT_IO;
    case ARTEMIS_E_CONFIG:
    case ARTEMIS_E_INVALID_ARGUMENT: return EXIT_USAGE;
    default: return EXIT_INPUT;
  }
}

static int open_output_fd(const char* spec) {
  if (!strcmp(spec, "-")) return STDOUT_FILENO;
  return open(spec, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
}

static void write_json_string(FILE* f, const char* s) {
  fputc('"', f);
  for (const unsigned char* p = (const unsigned char*)s; *p; p++) {
    if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
    else if (*p < 0x20) fprintf(f, "\\u%04x", *p);
    else fputc(*p, f);
  }
  fputc('"', f);
}

static void write_summary_json(FILE* f, const artemis_write_summary* s, double seconds) {
  fprintf(f, "{\"path\":");
  write_json_string(f, s->path);
  fprintf(f, ",\"rows\":%" PRId64 ",\"row_groups\":%" PRId64 ",\"compressed_bytes\":%" PRId64
             ",\"uncompressed_bytes\":%" PRId64 ",\"file_bytes\":%" PRId64 ",\"seconds\":%.3f,\"columns\":[",
          s->rows, s->row_groups, s->compressed_bytes, s->uncompressed_bytes, s->file_bytes, seconds);
  for (size_t c = 0; c < s->column_count; c++) {
    const artemis_column_summary* col = &s->columns[c];
    fprintf(f, "%s{\"name\":", c ? "," : "");
    write_json_string(f, col->name);
    fprintf(f, ",\"encodings\":[");
    int first = 1;
    for (int e = 0; e < 32; e++) {
      if (!(col->encodings & (1u << e))) continue;
      fprintf(f, "%s\"%s\"", first ? "" : ",", artemis_parquet_encoding_name(e));
      first = 0;
    }
    fprintf(f, "],\"data_page_encodings\":[");
    first = 1;
    for (int e = 0; e < 32; e++) {
      if (!(col->data_page_encodings & (1u << e))) continue;
      fprintf(f, "%s\"%s\"", first ? "" : ",", artemis_parquet_encoding_name(e));
      first = 0;
    }
    fprintf(f, "],\"dictionary_fallbacks\":%" PRId64 ",\"null_count\":%" PRId64 ",\"compressed_bytes\":%" PRId64
               ",\"uncompressed_bytes\":%" PRId64 ",\"data_pages\":%" PRId64 "}",
            col->dictionary_fallbacks, col->null_count, col->compressed_bytes, col->uncompressed_bytes, col->data_pages);
  }
  fprintf(f, "]}\n");
}

static int fail_with(const char* what, int status, const artemis_error* err) {
  fprintf(stderr, "artemis-write: %s: %s\n", what, err->message[0] ? err->message : artemis_status_name(status));
  return exit_code_for(status);
}

int main(int argc, char** argv) {
  /* A file-size limit must become an EFBIG error (clean abort), not a kill that leaves a
   * stale .inprogress behind. */
  signal(SIGXFSZ, SIG_IGN);
  cli_options o;
  int rc = parse_args(argc, argv, &o);
  if (rc < 0) return 0;
  if (rc > 0) return rc;
  if (o.sample_rows < 0) {
    fprintf(stderr, "artemis-write: reading Arrow IPC input (%s) is not implemented yet; use --sample N\n",
            o.input ? o.input : "stdin");
    return EXIT_INPUT;
  }

  artemis_json_sink log_sink = {-1, 0};
  if (o.log_json) {
    log_sink.fd = open_output_fd(o.log_json);
    if (log_sink.fd < 0) {
      fprintf(stderr, "artemis-write: cannot open --log-json %s: %s\n", o.log_json, strerror(errno));
      return EXIT_IO;
    }
  }

  /* The preset first, the command-line overrides after it (later entries win). */
  artemis_column_option map[64 + MAX_ENCODING_OVERRIDES];
  size_t map_count = 0;
  if (o.preset) {
    size_t n;
    const artemis_column_option* preset = artemis_artemis_preset(&n);
    for (size_t i = 0; i < n && i < 64; i++) map[map_count++] = preset[i];
  }
  for (size_t i = 0; i < o.override_count; i++) map[map_count++] = o.overrides[i];

  artemis_writer_options wo;
  artemis_writer_options_init(&wo);
  wo.row_group_target_bytes = o.row_group_bytes;
  wo.compression = o.compression;
  wo.compression_level = o.zstd_level;
  wo.statistics_enabled = o.statistics;
  wo.page_index_enabled = o.statistics;
  wo.columns = map;
  wo.column_count = map_count;
  wo.durable = o.durable;
  if (o.log_json) {
    wo.on_event = artemis_json_event_sink;
    wo.event_payload = &log_sink;
  }

  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  artemis_error err;
  artemis_sample_options so;
  artemis_sample_options_init(&so);
  so.total_rows = o.sample_rows;
  so.batch_rows = o.batch_rows;
  so.order = o.sample_order;
  artemis_sample* sample = NULL;
  struct ArrowSchema schema;
  int status = artemis_sample_open(&sample, &so, &err);
  if (status != ARTEMIS_OK) return fail_with("sample generator", status, &err);
  status = artemis_sample_schema(&schema, &err);
  if (status != ARTEMIS_OK) {
    artemis_sample_close(sample);
    return fail_with("sample schema", status, &err);
  }
  artemis_writer* writer = NULL;
  status = artemis_writer_open(&writer, o.output, &schema, &wo, &err);
  schema.release(&schema);
  if (status != ARTEMIS_OK) {
    artemis_sample_close(sample);
    return fail_with(o.output, status, &err);
  }
  for (;;) {
    struct ArrowArray batch;
    status = artemis_sample_next(sample, &batch, &err);
    if (status == ARTEMIS_E_END_OF_STREAM) break;
    if (status != ARTEMIS_OK) {
      artemis_writer_abort(writer);
      artemis_sample_close(sample);
      return fail_with("sample generator", status, &err);
    }
    status = artemis_writer_write(writer, &batch, &err);
    batch.release(&batch);
    if (status != ARTEMIS_OK) {
      artemis_writer_abort(writer);
      artemis_sample_close(sample);
      return fail_with(o.output, status, &err);
    }
  }
  artemis_sample_close(sample);
  artemis_write_summary* summary = NULL;
  status = artemis_writer_close(writer, &summary, &err);
  if (status != ARTEMIS_OK) return fail_with(o.output, status, &err);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  if (o.summary_json) {
    FILE* f = !strcmp(o.summary_json, "-") ? stdout : fopen(o.summary_json, "w");
    if (!f) {
      fprintf(stderr, "artemis-write: cannot open --summary-json %s: %s (the Parquet file was written)\n",
              o.summary_json, strerror(errno));
      artemis_write_summary_free(summary);
      return EXIT_IO;
    }
    write_summary_json(f, summary, seconds);
    if (f != stdout) fclose(f);
  } else {
    fprintf(stderr, "artemis-write: wrote %s: %" PRId64 " rows, %" PRId64 " row groups, %" PRId64 " bytes in %.2f s\n",
            summary->path, summary->rows, summary->row_groups, summary->file_bytes, seconds);
  }
  artemis_write_summary_free(summary);
  if (o.log_json && strcmp(o.log_json, "-") != 0) close(log_sink.fd);
  return 0;
}
