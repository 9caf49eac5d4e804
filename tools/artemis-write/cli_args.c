/* Command-line parsing for the write command, the usage text and the exit-code map. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"

static const char kUsage[] =
    "usage: artemis-write [INPUT|-] -o OUTPUT.parquet [options]\n"
    "       artemis-write --sample N -o OUTPUT.parquet [options]\n"
    "       artemis-write inspect FILE.parquet [--json]\n"
    "       artemis-write [INPUT|-] -o s3://BUCKET/KEY.parquet [--s3-endpoint URL] [options]\n"
    "       artemis-write s3-gc s3://BUCKET/PREFIX --older-than DURATION [--s3-endpoint URL] [--dry-run]\n"
    "\n"
    "Writes Arrow record batches to a Parquet file, atomically: the file appears at OUTPUT\n"
    "only when it is complete and durable (written as OUTPUT.inprogress, fsynced, renamed).\n"
    "INPUT is an Arrow IPC stream or file (format detected; pipes work); without INPUT, or\n"
    "with '-', it is read from stdin.\n"
    "\n"
    "options:\n"
    "  -o, --output PATH          output Parquet file (required; never overwritten)\n"
    "  --sample N                 write N rows of the built-in canonical telemetry instead\n"
    "                             of reading input\n"
    "  --sample-order time|payload  row order of --sample (default time: payloads interleaved)\n"
    "  --sample-values adc|float  --sample values: calibrated ADC counts (default) or\n"
    "                             full-mantissa random walks\n"
    "  --batch-rows N             rows per generated batch for --sample (default 65536)\n"
    "  --row-group-bytes SIZE     row-group target, e.g. 128MiB, 64MB, 1048576 (default 128MiB)\n"
    "  --memory-limit SIZE        hard cap on what the writer holds at once (pages, dictionaries,\n"
    "                             zstd contexts; not the input batch), e.g. 256MiB; reaching it\n"
    "                             is exit 4, \"memory limit of N bytes reached\" (default: none)\n"
    "  --compression zstd|none    page compression (default zstd)\n"
    "  --zstd-level N             zstd level (default 3)\n"
    "  --preset artemis|measured|none\n"
    "                             per-column encoding map (default artemis: the briefing's\n"
    "                             map; measured: the map docs/encoding-decisions.md\n"
    "                             recommends; none: dictionary with PLAIN fallback)\n"
    "  --encoding COLUMN=ENCODING override one column (repeatable, wins over the preset):\n"
    "                             PLAIN, DICTIONARY, DELTA_BINARY_PACKED, BYTE_STREAM_SPLIT,\n"
    "                             DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, DEFAULT\n"
    "  --encoding-strategy map|adaptive\n"
    "                             map (default): the preset and --encoding decide; adaptive:\n"
    "                             per column chunk, trial-encode the chunk's first rows with\n"
    "                             every valid encoding (ZSTD included) and keep the smallest\n"
    "                             (logged as encoding_chosen). With adaptive the preset\n"
    "                             defaults to none; --preset and --encoding still pin columns\n"
    "  --adaptive-sample-rows N   rows trial-encoded per column chunk (default 16384)\n"
    "  --threads N                threads encoding and compressing columns (default: the\n"
    "                             number of online CPUs); the output bytes do not depend on it\n"
    "  --read-ahead               read the next input batch on its own thread while the\n"
    "                             current one is encoded (costs one input batch of memory;\n"
    "                             helps when there are more cores than --threads)\n"
    "  --no-statistics            do not write statistics or the page index\n"
    "  --log-json FILE|-          JSON event lines (row_group_flushed, dictionary_fallback,\n"
    "                             encoding_chosen, file_published)\n"
    "  --summary-json FILE|-      the write summary as JSON\n"
    "  --progress, --no-progress  a progress line on stderr (rows, MB/s, row groups);\n"
    "                             default: on when stderr is a terminal\n"
    "  --no-fsync                 skip fsync (benchmarks only: not durable on power loss)\n"
    "  --replace-stale[=SECONDS]  replace an OUTPUT.inprogress left by a crashed writer: only\n"
    "                             if no process holds its lock and it was last modified more\n"
    "                             than SECONDS ago (default 60); says so on stderr. Without\n"
    "                             it, any OUTPUT.inprogress is an output conflict (exit 3)\n"
    "  --s3-endpoint URL          with -o s3://BUCKET/KEY: the endpoint of an S3-compatible\n"
    "                             store (default: AWS, https://s3.$AWS_REGION.amazonaws.com).\n"
    "                             Credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,\n"
    "                             AWS_SESSION_TOKEN; region: AWS_REGION (default us-east-1).\n"
    "                             The object appears only when the multipart upload completes;\n"
    "                             an existing object is never overwritten (exit 3)\n"
    "  --s3-part-size SIZE        multipart part size (>= 5MiB, default 16MiB)\n"
    "  --s3-parts-in-flight N     parts uploading while the next one is encoded (1..64,\n"
    "                             default 2); memory: N x the part size on top of the writer's\n"
    "                             own, also counted against --memory-limit\n"
    "  --s3-no-etag-check         do not require each part's ETag to be its MD5: needed for\n"
    "                             buckets with SSE-KMS or SSE-C encryption, whose ETags are not\n"
    "                             MD5s (the server still checks every part's Content-MD5)\n"
    "  -h, --help                 this help\n"
    "  --version                  print the version\n"
    "\n"
    "exit codes:\n"
    "  0  success: the complete file is at OUTPUT\n"
    "  1  usage error (bad option, or an encoding that does not fit a column's type)\n"
    "  2  invalid or unsupported input (malformed IPC, a type Parquet cannot hold, a bad value)\n"
    "  3  output conflict: OUTPUT or OUTPUT.inprogress already exists (with --replace-stale:\n"
    "     an OUTPUT.inprogress that a running writer holds, or that is too recent)\n"
    "  4  I/O error (reading input, writing output, disk full, file too large), out of memory,\n"
    "     or an internal error\n"
    "  130 interrupted (SIGINT/SIGTERM before the file is being published; the output is removed;\n"
    "     for s3:// the upload is aborted, and a second signal exits at once, leaving it to s3-gc)\n"
    "On any error a one-line message names the cause and nothing is left at OUTPUT; the one\n"
    "exception says \"(the Parquet file was written)\": exit 4 because only the --summary-json\n"
    "or --log-json output failed, with the complete file at OUTPUT.\n";

__attribute__((format(printf, 1, 2))) static int usage_error(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "artemis-write: ");
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, " (see artemis-write --help)\n");
  return EXIT_USAGE;
}

int cli_parse_size(const char* s, int64_t* out) {
  char* end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || end == s || !(v > 0)) return 0;
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

int cli_parse_write_args(int argc, char** argv, cli_options* o) {
  memset(o, 0, sizeof *o);
  artemis_writer_options defaults; /* the library's defaults are the CLI's */
  artemis_writer_options_init(&defaults);
  o->sample_rows = -1;
  o->batch_rows = 65536;
  o->row_group_bytes = defaults.row_group_target_bytes;
  o->compression = defaults.compression;
  o->zstd_level = defaults.compression_level;
  o->preset = PRESET_ARTEMIS;
  o->encoding_strategy = ARTEMIS_ENCODING_STRATEGY_MAP;
  o->adaptive_sample_rows = defaults.adaptive_sample_rows;
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  o->threads = cpus < 1 ? 1 : cpus > 256 ? 256 : (int)cpus;
  o->prefetch = 0;
  o->statistics = defaults.statistics_enabled;
  o->durable = defaults.durable;
  o->replace_stale = defaults.replace_stale_after_seconds;
  o->memory_limit = defaults.memory_limit_bytes;
  o->progress = -1;
  o->s3_parts_in_flight = CLI_DEFAULT_S3_PARTS_IN_FLIGHT;
  o->s3_verify_etag = 1;
  int only_positionals = 0;
  for (int i = 1; i < argc; i++) {
    const char* a = argv[i];
    const char* next = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_VALUE()                                              \
  do {                                                            \
    if (!next) return usage_error("option %s needs a value", a); \
    i++;                                                          \
  } while (0)
    if (only_positionals || a[0] != '-' || !strcmp(a, "-")) {
      if (o->input) return usage_error("more than one input given (%s and %s)", o->input, a);
      o->input = a;
    } else if (!strcmp(a, "--")) {
      only_positionals = 1;
    } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
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
    } else if (!strcmp(a, "--sample-values")) {
      NEED_VALUE();
      if (!strcmp(next, "adc")) o->sample_values = ARTEMIS_SAMPLE_CALIBRATED_ADC;
      else if (!strcmp(next, "float")) o->sample_values = ARTEMIS_SAMPLE_FULL_MANTISSA;
      else return usage_error("--sample-values must be adc or float, got \"%s\"", next);
    } else if (!strcmp(a, "--batch-rows")) {
      NEED_VALUE();
      if (!parse_int(next, 1, 1ll << 30, &o->batch_rows)) return usage_error("--batch-rows needs a positive count, got \"%s\"", next);
    } else if (!strcmp(a, "--row-group-bytes")) {
      NEED_VALUE();
      if (!cli_parse_size(next, &o->row_group_bytes))
        return usage_error("--row-group-bytes needs a size like 128MiB, 64MB or 1048576, got \"%s\"", next);
    } else if (!strcmp(a, "--memory-limit")) {
      NEED_VALUE();
      if (!cli_parse_size(next, &o->memory_limit))
        return usage_error("--memory-limit needs a size like 256MiB, 1GB or 1048576, got \"%s\"", next);
    } else if (!strcmp(a, "--compression")) {
      NEED_VALUE();
      if (!strcmp(next, "zstd")) o->compression = ARTEMIS_COMPRESSION_ZSTD;
      else if (!strcmp(next, "none")) o->compression = ARTEMIS_COMPRESSION_UNCOMPRESSED;
      else return usage_error("--compression must be zstd or none, got \"%s\"", next);
    } else if (!strcmp(a, "--zstd-level")) {
      NEED_VALUE();
      int64_t level;
      if (!parse_int(next, -131072, 22, &level)) return usage_error("--zstd-level needs a level (at most 22), got \"%s\"", next);
      o->zstd_level = (int)level;
    } else if (!strcmp(a, "--preset")) {
      NEED_VALUE();
      if (!strcmp(next, "artemis")) o->preset = PRESET_ARTEMIS;
      else if (!strcmp(next, "measured")) o->preset = PRESET_MEASURED;
      else if (!strcmp(next, "none")) o->preset = PRESET_NONE;
      else return usage_error("--preset must be artemis, measured or none, got \"%s\"", next);
      o->preset_given = 1;
    } else if (!strcmp(a, "--encoding-strategy")) {
      NEED_VALUE();
      if (!strcmp(next, "map")) o->encoding_strategy = ARTEMIS_ENCODING_STRATEGY_MAP;
      else if (!strcmp(next, "adaptive")) o->encoding_strategy = ARTEMIS_ENCODING_STRATEGY_ADAPTIVE;
      else return usage_error("--encoding-strategy must be map or adaptive, got \"%s\"", next);
    } else if (!strcmp(a, "--adaptive-sample-rows")) {
      NEED_VALUE();
      if (!parse_int(next, 1, 1ll << 30, &o->adaptive_sample_rows))
        return usage_error("--adaptive-sample-rows needs a count in 1..2^30, got \"%s\"", next);
    } else if (!strcmp(a, "--threads")) {
      NEED_VALUE();
      int64_t threads;
      if (!parse_int(next, 1, 256, &threads)) return usage_error("--threads needs a count in 1..256, got \"%s\"", next);
      o->threads = (int)threads;
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
    } else if (!strcmp(a, "--read-ahead")) {
      o->prefetch = 1;
    } else if (!strcmp(a, "--no-statistics")) {
      o->statistics = 0;
    } else if (!strcmp(a, "--no-fsync")) {
      o->durable = 0;
    } else if (!strcmp(a, "--replace-stale")) {
      o->replace_stale = 60; /* the value is optional, so it is never taken from the next argument */
    } else if (!strncmp(a, "--replace-stale=", 16)) {
      if (!parse_int(a + 16, 0, INT64_MAX, &o->replace_stale))
        return usage_error("--replace-stale needs a number of seconds >= 0, got \"%s\"", a + 16);
    } else if (!strcmp(a, "--s3-endpoint")) {
      NEED_VALUE();
      o->s3_endpoint = next;
    } else if (!strcmp(a, "--s3-part-size")) {
      NEED_VALUE();
      if (!cli_parse_size(next, &o->s3_part_size) || o->s3_part_size < 5 * 1024 * 1024)
        return usage_error("--s3-part-size needs a size of at least 5MiB, got \"%s\"", next);
    } else if (!strcmp(a, "--s3-parts-in-flight")) {
      NEED_VALUE();
      int64_t v;
      if (!parse_int(next, 1, 64, &v)) return usage_error("--s3-parts-in-flight needs a count in 1..64, got \"%s\"", next);
      o->s3_parts_in_flight = (int)v;
    } else if (!strcmp(a, "--s3-no-etag-check")) {
      o->s3_verify_etag = 0;
    } else if (!strcmp(a, "--progress")) {
      o->progress = 1;
    } else if (!strcmp(a, "--no-progress")) {
      o->progress = 0;
    } else if (!strcmp(a, "--log-json")) {
      NEED_VALUE();
      o->log_json = next;
    } else if (!strcmp(a, "--summary-json")) {
      NEED_VALUE();
      o->summary_json = next;
    } else {
      return usage_error("unknown option %s", a);
    }
#undef NEED_VALUE
  }
  if (!o->output) return usage_error("%s", "no output given: use -o OUTPUT.parquet");
  if (!o->output[0]) return usage_error("%s", "the output path is empty");
  if (o->encoding_strategy == ARTEMIS_ENCODING_STRATEGY_ADAPTIVE && !o->preset_given) o->preset = PRESET_NONE;
  if (o->sample_rows >= 0 && o->input) return usage_error("--sample and an input (%s) exclude each other", o->input);
  if (o->log_json && o->summary_json && !strcmp(o->log_json, "-") && !strcmp(o->summary_json, "-"))
    return usage_error("%s", "--log-json - and --summary-json - cannot both use stdout");
  return 0;
}

int cli_exit_code(int status) {
  switch (status) {
    case ARTEMIS_OK: return 0;
    case ARTEMIS_E_CONFLICT: return EXIT_CONFLICT;
    case ARTEMIS_E_IO:
    case ARTEMIS_E_NOMEM:
    case ARTEMIS_E_INTERNAL:
    case ARTEMIS_E_OUTCOME_UNKNOWN: return EXIT_IO;
    case ARTEMIS_E_CONFIG:
    case ARTEMIS_E_INVALID_ARGUMENT: return EXIT_USAGE;
    default: return EXIT_INPUT; /* INVALID_INPUT, UNSUPPORTED, LIMIT, and reader states */
  }
}

int cli_fail(const char* what, int status, const artemis_error* err) {
  const char* message = err && err->message[0] ? err->message : artemis_status_name(status);
  size_t n = strlen(what);
  /* Messages that already start by naming it (the S3 sink's "s3://b/k: ...") are not
   * prefixed twice. */
  if (strncmp(message, what, n) == 0 && (message[n] == ':' || message[n] == ' '))
    fprintf(stderr, "artemis-write: %s\n", message);
  else
    fprintf(stderr, "artemis-write: %s: %s\n", what, message);
  return cli_exit_code(status);
}
