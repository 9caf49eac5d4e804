/* encoding-table: measures every valid encoding of every column of the canonical Artemis
 * telemetry under the writer's codec (ZSTD-3 by default) and prints Markdown tables for
 * docs/encoding-decisions.md.
 *
 * Method. The generator is run once per data variant and every batch is fed to several
 * writers at once ("rounds"). Round E sets every column whose physical type admits
 * encoding E to E and leaves the others at the writer default (dictionary, PLAIN fallback).
 * Per-column sizes come from artemis_write_summary.columns[i].compressed_bytes (page
 * headers + compressed page bodies, dictionary page included; footer and page index not
 * included). This is the same number a file in which only that column's encoding changes
 * would give, because the writer encodes and compresses every column chunk on its own and
 * cuts row groups by the Arrow size of the rows, never by encoded sizes. The tool checks
 * that claim on every run: a column left at the default in one round must have exactly the
 * bytes it has in the DICTIONARY round (it prints "independence check: ok" or fails).
 * Whole files are written for the briefing's preset (artemis_artemis_preset), the writer
 * defaults (= the DICTIONARY round), the library's measured preset
 * (artemis_measured_preset) and, in a second pass, the per-column best of this run.
 *
 * The gzip-JSONL baseline (--jsonl, on for the first variant by default) writes the same
 * rows as one JSON object per line (integers as decimal, floats in the shortest form that
 * reads back to the same double, notes null when null) through `gzip -6`.
 *
 * Files go to a temporary directory (default $TMPDIR or /tmp) and are removed unless
 * --keep. Writes skip fsync (durable = 0): sizes do not depend on it. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "artemis/artemis.h"

#define MAX_COLUMNS 64

/* Encodings measured, in table order. */
static const artemis_column_encoding kRounds[] = {
    ARTEMIS_ENCODING_PLAIN,
    ARTEMIS_ENCODING_DICTIONARY,
    ARTEMIS_ENCODING_DELTA_BINARY_PACKED,
    ARTEMIS_ENCODING_BYTE_STREAM_SPLIT,
    ARTEMIS_ENCODING_DELTA_LENGTH_BYTE_ARRAY,
    ARTEMIS_ENCODING_DELTA_BYTE_ARRAY,
};
#define ROUND_COUNT ((int)(sizeof kRounds / sizeof kRounds[0]))
static const char* const kRoundShort[] = {"PLAIN", "DICTIONARY", "DELTA_BINARY_PACKED", "BYTE_STREAM_SPLIT",
                                          "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY"};

enum { KIND_INT, KIND_FLOAT, KIND_BYTES, KIND_BOOL, KIND_OTHER };

typedef struct variant {
  const char* name;
  const char* title;
  artemis_sample_order order;
  artemis_sample_values values;
} variant;

static const variant kVariants[] = {
    {"time-adc", "time order (payloads interleaved), calibrated ADC values: the canonical data",
     ARTEMIS_SAMPLE_TIME_ORDER, ARTEMIS_SAMPLE_CALIBRATED_ADC},
    {"payload-adc", "payload-grouped order, calibrated ADC values", ARTEMIS_SAMPLE_PAYLOAD_GROUPED,
     ARTEMIS_SAMPLE_CALIBRATED_ADC},
    {"time-mantissa", "time order, full-mantissa float values", ARTEMIS_SAMPLE_TIME_ORDER,
     ARTEMIS_SAMPLE_FULL_MANTISSA},
};
#define VARIANT_COUNT ((int)(sizeof kVariants / sizeof kVariants[0]))

typedef struct config {
  int64_t rows;
  int64_t row_group_bytes;
  int zstd_level;
  const char* dir;
  int keep;
  int jsonl; /* -1 = first variant only, 0 = never, 1 = every variant */
  int variant_mask;
  int64_t page_rows;  /* 0 = writer default */
  int64_t page_bytes; /* 0 = writer default */
} config;

/* One writer fed by the shared generator pass. */
typedef struct job {
  const char* label;
  artemis_column_option map[MAX_COLUMNS];
  size_t map_count;
  char path[4096];
  artemis_writer* writer;
  artemis_write_summary* summary;
} job;

__attribute__((format(printf, 1, 2))) static void die(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "encoding-table: ");
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(1);
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* 1234567 -> "1,234,567" (rotating static buffers, enough for one printf). */
static const char* commas(int64_t v) {
  static char bufs[16][32];
  static int next;
  char* out = bufs[next++ % 16];
  char digits[32];
  snprintf(digits, sizeof digits, "%" PRId64, v < 0 ? -v : v);
  size_t n = strlen(digits), o = 0;
  if (v < 0) out[o++] = '-';
  for (size_t i = 0; i < n; i++) {
    if (i && (n - i) % 3 == 0) out[o++] = ',';
    out[o++] = digits[i];
  }
  out[o] = '\0';
  return out;
}

static int kind_of_format(const char* f) {
  if (!strcmp(f, "b")) return KIND_BOOL;
  if (!strcmp(f, "f") || !strcmp(f, "g")) return KIND_FLOAT;
  if (!strcmp(f, "u") || !strcmp(f, "U") || !strcmp(f, "z") || !strcmp(f, "Z")) return KIND_BYTES;
  if (strchr("cCsSiIlL", f[0]) && f[1] == '\0') return KIND_INT;
  if (f[0] == 't') return KIND_INT; /* dates, times, timestamps: INT32/INT64 */
  return KIND_OTHER;
}

static const char* kind_name(int kind, const char* format) {
  switch (kind) {
    case KIND_FLOAT: return !strcmp(format, "f") ? "FLOAT" : "DOUBLE";
    case KIND_BYTES: return "BYTE_ARRAY";
    case KIND_BOOL: return "BOOLEAN";
    case KIND_INT:
      if (!strcmp(format, "l") || !strcmp(format, "L") || !strncmp(format, "ts", 2) || !strncmp(format, "tt", 2))
        return !strcmp(format, "ttm") || !strcmp(format, "tts") ? "INT32" : "INT64";
      return "INT32";
    default: return "?";
  }
}

static int fits(artemis_column_encoding e, int kind) {
  switch (e) {
    case ARTEMIS_ENCODING_PLAIN: return kind != KIND_OTHER;
    case ARTEMIS_ENCODING_DICTIONARY: return kind != KIND_BOOL && kind != KIND_OTHER;
    case ARTEMIS_ENCODING_DELTA_BINARY_PACKED: return kind == KIND_INT;
    case ARTEMIS_ENCODING_BYTE_STREAM_SPLIT: return kind == KIND_FLOAT;
    case ARTEMIS_ENCODING_DELTA_LENGTH_BYTE_ARRAY:
    case ARTEMIS_ENCODING_DELTA_BYTE_ARRAY: return kind == KIND_BYTES;
    default: return 0;
  }
}

/* ---- gzip JSONL baseline ---------------------------------------------------------------- */

typedef struct jsonl {
  FILE* pipe;
  char path[4096];
  int64_t raw_bytes;
  char* line;
  size_t cap;
} jsonl;

static void jsonl_open(jsonl* j, const char* dir) {
  if (snprintf(j->path, sizeof j->path, "%s/baseline.jsonl.gz", dir) >= (int)sizeof j->path) die("output directory path too long");
  char cmd[4200];
  snprintf(cmd, sizeof cmd, "gzip -6 -c > '%s'", j->path);
  j->pipe = popen(cmd, "w");
  if (!j->pipe) die("cannot start gzip: %s", strerror(errno));
  j->raw_bytes = 0;
  j->cap = 1 << 16;
  j->line = malloc(j->cap);
  if (!j->line) die("out of memory");
}

/* Shortest %.Ng (N = 15..17) that reads back to the same double. */
static int format_double(char* out, size_t cap, double v) {
  for (int p = 15; p <= 17; p++) {
    int n = snprintf(out, cap, "%.*g", p, v);
    if (strtod(out, NULL) == v || p == 17) return n;
  }
  return 0;
}

static size_t put_str(char* out, const char* s, int32_t len) {
  size_t o = 0;
  out[o++] = '"';
  for (int32_t i = 0; i < len; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (ch == '"' || ch == '\\') {
      out[o++] = '\\';
      out[o++] = (char)ch;
    } else if (ch < 0x20) {
      o += (size_t)sprintf(out + o, "\\u%04x", ch);
    } else {
      out[o++] = (char)ch;
    }
  }
  out[o++] = '"';
  return o;
}

static void jsonl_batch(jsonl* j, const struct ArrowSchema* schema, const struct ArrowArray* batch) {
  for (int64_t r = 0; r < batch->length; r++) {
    size_t o = 0;
    j->line[o++] = '{';
    for (int64_t c = 0; c < schema->n_children; c++) {
      const struct ArrowSchema* fs = schema->children[c];
      const struct ArrowArray* a = batch->children[c];
      int64_t i = r + a->offset;
      if (o + 1024 > j->cap) die("JSON line too long");
      if (c) j->line[o++] = ',';
      o += put_str(j->line + o, fs->name, (int32_t)strlen(fs->name));
      j->line[o++] = ':';
      const uint8_t* validity = (const uint8_t*)a->buffers[0];
      if (a->null_count != 0 && validity && !(validity[i >> 3] & (1u << (i & 7)))) {
        memcpy(j->line + o, "null", 4);
        o += 4;
        continue;
      }
      const char* f = fs->format;
      const void* v = a->buffers[1];
      if (!strcmp(f, "u")) {
        const int32_t* off = (const int32_t*)v;
        const char* data = (const char*)a->buffers[2];
        int32_t len = off[i + 1] - off[i];
        if (o + 8 + 6 * (size_t)len > j->cap) die("JSON string too long");
        o += put_str(j->line + o, data + off[i], len);
      } else if (!strcmp(f, "g")) {
        o += (size_t)format_double(j->line + o, 32, ((const double*)v)[i]);
      } else if (!strcmp(f, "L")) {
        o += (size_t)sprintf(j->line + o, "%" PRIu64, ((const uint64_t*)v)[i]);
      } else if (!strcmp(f, "l") || !strncmp(f, "ts", 2)) {
        o += (size_t)sprintf(j->line + o, "%" PRId64, ((const int64_t*)v)[i]);
      } else if (!strcmp(f, "I")) {
        o += (size_t)sprintf(j->line + o, "%" PRIu32, ((const uint32_t*)v)[i]);
      } else if (!strcmp(f, "C")) {
        o += (size_t)sprintf(j->line + o, "%u", (unsigned)((const uint8_t*)v)[i]);
      } else {
        die("JSONL baseline: column %s has format %s, which this tool does not print", fs->name, f);
      }
    }
    j->line[o++] = '}';
    j->line[o++] = '\n';
    if (fwrite(j->line, 1, o, j->pipe) != o) die("writing to gzip failed");
    j->raw_bytes += (int64_t)o;
  }
}

static int64_t jsonl_close(jsonl* j, int keep) {
  if (pclose(j->pipe) != 0) die("gzip failed");
  free(j->line);
  struct stat st;
  if (stat(j->path, &st) != 0) die("stat %s: %s", j->path, strerror(errno));
  if (!keep) unlink(j->path);
  return (int64_t)st.st_size;
}

/* ---- one generator pass feeding several writers ----------------------------------------- */

static void run_pass(const config* cfg, const variant* v, job* jobs, int njobs, jsonl* baseline) {
  artemis_error err;
  artemis_sample_options so;
  artemis_sample_options_init(&so);
  so.total_rows = cfg->rows;
  so.order = v->order;
  so.values = v->values;
  artemis_sample* sample;
  if (artemis_sample_open(&sample, &so, &err) != ARTEMIS_OK) die("sample: %s", err.message);
  struct ArrowSchema schema;
  if (artemis_sample_schema(&schema, &err) != ARTEMIS_OK) die("schema: %s", err.message);

  for (int k = 0; k < njobs; k++) {
    artemis_writer_options wo;
    artemis_writer_options_init(&wo);
    wo.row_group_target_bytes = cfg->row_group_bytes;
    wo.compression_level = cfg->zstd_level;
    wo.columns = jobs[k].map;
    wo.column_count = jobs[k].map_count;
    wo.durable = 0;
    if (cfg->page_rows > 0) wo.data_page_max_rows = cfg->page_rows;
    if (cfg->page_bytes > 0) wo.data_page_target_bytes = cfg->page_bytes;
    unlink(jobs[k].path); /* leftovers of an earlier --keep run */
    if (artemis_writer_open(&jobs[k].writer, jobs[k].path, &schema, &wo, &err) != ARTEMIS_OK)
      die("open %s (%s): %s", jobs[k].path, jobs[k].label, err.message);
  }
  for (;;) {
    struct ArrowArray batch;
    int rc = artemis_sample_next(sample, &batch, &err);
    if (rc == ARTEMIS_E_END_OF_STREAM) break;
    if (rc != ARTEMIS_OK) die("sample: %s", err.message);
    for (int k = 0; k < njobs; k++) {
      if (artemis_writer_write(jobs[k].writer, &batch, &err) != ARTEMIS_OK)
        die("write %s (%s): %s", jobs[k].path, jobs[k].label, err.message);
    }
    if (baseline) jsonl_batch(baseline, &schema, &batch);
    batch.release(&batch);
  }
  for (int k = 0; k < njobs; k++) {
    if (artemis_writer_close(jobs[k].writer, &jobs[k].summary, &err) != ARTEMIS_OK)
      die("close %s (%s): %s", jobs[k].path, jobs[k].label, err.message);
    if (!cfg->keep) unlink(jobs[k].path);
  }
  schema.release(&schema);
  artemis_sample_close(sample);
}

static void set_job(job* j, const config* cfg, const char* variant_name, const char* label,
                    const artemis_column_option* map, size_t count) {
  memset(j, 0, sizeof *j);
  j->label = label;
  if (count > MAX_COLUMNS) die("map too long");
  memcpy(j->map, map, count * sizeof *map);
  j->map_count = count;
  if (snprintf(j->path, sizeof j->path, "%s/%s.%s.parquet", cfg->dir, variant_name, label) >= (int)sizeof j->path)
    die("output directory path too long");
}

/* ---- tables ------------------------------------------------------------------------------- */

static void print_variant(const config* cfg, const variant* v, int variant_index) {
  double t0 = now_s();
  artemis_error err;
  struct ArrowSchema schema;
  if (artemis_sample_schema(&schema, &err) != ARTEMIS_OK) die("schema: %s", err.message);
  int ncols = (int)schema.n_children;
  if (ncols > MAX_COLUMNS) die("too many columns");
  int kinds[MAX_COLUMNS];
  const char* names[MAX_COLUMNS];
  const char* formats[MAX_COLUMNS];
  for (int c = 0; c < ncols; c++) {
    names[c] = schema.children[c]->name;
    formats[c] = schema.children[c]->format;
    kinds[c] = kind_of_format(formats[c]);
  }

  /* Pass 1: one round per encoding + the briefing preset + the measured preset. */
  enum { JOB_PRESET = ROUND_COUNT, JOB_MEASURED, JOB_COUNT1 };
  static job jobs[JOB_COUNT1];
  for (int r = 0; r < ROUND_COUNT; r++) {
    artemis_column_option map[MAX_COLUMNS];
    size_t n = 0;
    for (int c = 0; c < ncols; c++) {
      if (fits(kRounds[r], kinds[c])) map[n++] = (artemis_column_option){names[c], kRounds[r], 0};
    }
    set_job(&jobs[r], cfg, v->name, kRoundShort[r], map, n);
  }
  size_t count;
  const artemis_column_option* preset = artemis_artemis_preset(&count);
  set_job(&jobs[JOB_PRESET], cfg, v->name, "briefing-preset", preset, count);
  preset = artemis_measured_preset(&count);
  set_job(&jobs[JOB_MEASURED], cfg, v->name, "measured-preset", preset, count);

  int with_jsonl = cfg->jsonl == 1 || (cfg->jsonl == -1 && variant_index == 0);
  jsonl baseline;
  if (with_jsonl) jsonl_open(&baseline, cfg->dir);
  run_pass(cfg, v, jobs, JOB_COUNT1, with_jsonl ? &baseline : NULL);
  int64_t gz_bytes = with_jsonl ? jsonl_close(&baseline, cfg->keep) : -1;

  /* Independence check: a column at the default in round r has the DICTIONARY round's bytes. */
  const int dict_round = 1;
  int checked = 0;
  for (int r = 0; r < ROUND_COUNT; r++) {
    for (int c = 0; c < ncols; c++) {
      if (fits(kRounds[r], kinds[c]) || !fits(ARTEMIS_ENCODING_DICTIONARY, kinds[c])) continue;
      int64_t a = jobs[r].summary->columns[c].compressed_bytes;
      int64_t b = jobs[dict_round].summary->columns[c].compressed_bytes;
      if (a != b)
        die("independence check failed: column %s at the default has %" PRId64 " bytes in round %s but %" PRId64
            " in the DICTIONARY round",
            names[c], a, kRoundShort[r], b);
      checked++;
    }
  }

  /* Best per column. */
  int best[MAX_COLUMNS];
  artemis_column_option best_map[MAX_COLUMNS];
  for (int c = 0; c < ncols; c++) {
    best[c] = -1;
    for (int r = 0; r < ROUND_COUNT; r++) {
      if (!fits(kRounds[r], kinds[c])) continue;
      if (best[c] < 0 || jobs[r].summary->columns[c].compressed_bytes <
                             jobs[best[c]].summary->columns[c].compressed_bytes)
        best[c] = r;
    }
    best_map[c] = (artemis_column_option){names[c], best[c] >= 0 ? kRounds[best[c]] : ARTEMIS_ENCODING_DEFAULT, 0};
  }
  /* Pass 2: the per-column best as one file. */
  static job best_job;
  set_job(&best_job, cfg, v->name, "best-per-column", best_map, (size_t)ncols);
  run_pass(cfg, v, &best_job, 1, NULL);
  double elapsed = now_s() - t0;

  const artemis_write_summary* any = jobs[0].summary;
  artemis_writer_options defaults;
  artemis_writer_options_init(&defaults);
  int64_t rows = any->rows;
  printf("### %s\n\n", v->title);
  printf("%s rows, ZSTD level %d, row-group target %s bytes (%" PRId64 " row groups), data pages of at most %s rows / %s bytes, variant `%s`.\n"
         "Cells: compressed bytes of the column over the whole file (page headers + compressed page\n"
         "bodies, dictionary page included), then bytes per row. **Bold** = smallest for the column.\n"
         "`fb k/n`: the dictionary fell back to PLAIN in k of n row groups, so that cell is mostly PLAIN.\n\n",
         commas(rows), cfg->zstd_level, commas(cfg->row_group_bytes), any->row_groups,
         commas(cfg->page_rows > 0 ? cfg->page_rows : defaults.data_page_max_rows),
         commas(cfg->page_bytes > 0 ? cfg->page_bytes : defaults.data_page_target_bytes), v->name);
  printf("| column | physical |");
  for (int r = 0; r < ROUND_COUNT; r++) printf(" %s |", kRoundShort[r]);
  printf(" best | briefing map |\n|---|---|");
  for (int r = 0; r < ROUND_COUNT; r++) printf("---:|");
  printf("---|---|\n");
  for (int c = 0; c < ncols; c++) {
    printf("| %s | %s |", names[c], kind_name(kinds[c], formats[c]));
    for (int r = 0; r < ROUND_COUNT; r++) {
      if (!fits(kRounds[r], kinds[c])) {
        printf(" – |");
        continue;
      }
      const artemis_column_summary* s = &jobs[r].summary->columns[c];
      const char* b = r == best[c] ? "**" : "";
      printf(" %s%s%s (%.3f)", b, commas(s->compressed_bytes), b, (double)s->compressed_bytes / (double)rows);
      if (kRounds[r] == ARTEMIS_ENCODING_DICTIONARY && s->dictionary_fallbacks)
        printf(" fb %" PRId64 "/%" PRId64, s->dictionary_fallbacks, jobs[r].summary->row_groups);
      printf(" |");
    }
    /* The briefing's choice for this column, and how far it is from the best. */
    const artemis_column_summary* ps = &jobs[JOB_PRESET].summary->columns[c];
    const artemis_column_summary* bs = &jobs[best[c]].summary->columns[c];
    const char* preset_enc = "DEFAULT";
    for (size_t i = 0; i < jobs[JOB_PRESET].map_count; i++)
      if (!strcmp(jobs[JOB_PRESET].map[i].column, names[c]))
        preset_enc = artemis_column_encoding_name(jobs[JOB_PRESET].map[i].encoding);
    printf(" %s | %s", best[c] >= 0 ? kRoundShort[best[c]] : "–", preset_enc);
    if (ps->compressed_bytes != bs->compressed_bytes)
      printf(" (%.2fx best)", (double)ps->compressed_bytes / (double)bs->compressed_bytes);
    printf(" |\n");
  }

  printf("\nIndependence check: ok (%d column/round pairs: a column left at the default in another round "
         "has exactly its DICTIONARY-round bytes).\n",
         checked);
  printf("\nWhole files (footer and page index included):\n\n");
  printf("| strategy | file bytes | bytes/row | vs briefing map |%s\n", gz_bytes > 0 ? " vs gzip JSONL |" : "");
  printf("|---|---:|---:|---:|%s\n", gz_bytes > 0 ? "---:|" : "");
  struct {
    const char* label;
    const artemis_write_summary* s;
  } rows_out[] = {
      {"briefing map (`artemis_artemis_preset`)", jobs[JOB_PRESET].summary},
      {"writer defaults (dictionary everywhere, PLAIN fallback) = DICTIONARY round", jobs[dict_round].summary},
      {"PLAIN everywhere", jobs[0].summary},
      {"best per column of this table", best_job.summary},
      {"measured preset (`artemis_measured_preset`)", jobs[JOB_MEASURED].summary},
  };
  int64_t preset_bytes = jobs[JOB_PRESET].summary->file_bytes;
  for (size_t i = 0; i < sizeof rows_out / sizeof rows_out[0]; i++) {
    int64_t fb = rows_out[i].s->file_bytes;
    printf("| %s | %s | %.2f | %.3f |", rows_out[i].label, commas(fb), (double)fb / (double)rows,
           (double)fb / (double)preset_bytes);
    if (gz_bytes > 0) printf(" %.2fx smaller |", (double)gz_bytes / (double)fb);
    printf("\n");
  }
  if (gz_bytes > 0) {
    printf("| gzip -6 JSONL baseline (%s bytes of JSON) | %s | %.2f | %.3f | 1.00x |\n", commas(baseline.raw_bytes),
           commas(gz_bytes), (double)gz_bytes / (double)rows, (double)gz_bytes / (double)preset_bytes);
  }
  printf("\nMeasured preset map:");
  preset = artemis_measured_preset(&count);
  int same = 1;
  for (int c = 0; c < ncols; c++) {
    artemis_column_encoding e = ARTEMIS_ENCODING_DEFAULT;
    for (size_t i = 0; i < count; i++)
      if (!strcmp(preset[i].column, names[c])) e = preset[i].encoding;
    artemis_column_encoding eff = e == ARTEMIS_ENCODING_DEFAULT && fits(ARTEMIS_ENCODING_DICTIONARY, kinds[c])
                                      ? ARTEMIS_ENCODING_DICTIONARY
                                      : e;
    if (best[c] >= 0 && eff != kRounds[best[c]]) same = 0;
    printf(" %s=%s", names[c], artemis_column_encoding_name(e));
  }
  printf("\n(%s the per-column best of this table.) Sum of column bytes, measured preset: %s; "
         "generated and written in %.1f s.\n\n",
         same ? "equal to" : "differs from", commas(jobs[JOB_MEASURED].summary->compressed_bytes), elapsed);
  fflush(stdout);

  for (int k = 0; k < JOB_COUNT1; k++) artemis_write_summary_free(jobs[k].summary);
  artemis_write_summary_free(best_job.summary);
  schema.release(&schema);
}

static void usage(void) {
  fputs("usage: encoding-table [--rows N] [--variant time-adc|payload-adc|time-mantissa|all]\n"
        "                      [--row-group-bytes BYTES] [--zstd-level N] [--dir DIR] [--keep]\n"
        "                      [--jsonl first|all|none] [--page-rows N] [--page-bytes BYTES]\n"
        "Prints Markdown tables of per-column compressed bytes per encoding (docs/encoding-decisions.md).\n"
        "Defaults: 1,000,000 rows, all variants, 128 MiB row groups, ZSTD 3, $TMPDIR or /tmp,\n"
        "gzip JSONL baseline for the first variant.\n",
        stderr);
  exit(2);
}

int main(int argc, char** argv) {
  config cfg = {1000000, 128ll << 20, 3, NULL, 0, -1, (1 << VARIANT_COUNT) - 1, 0, 0};
  for (int i = 1; i < argc; i++) {
    const char* a = argv[i];
    const char* next = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--rows") && next) {
      cfg.rows = strtoll(next, NULL, 10);
      i++;
    } else if (!strcmp(a, "--row-group-bytes") && next) {
      cfg.row_group_bytes = strtoll(next, NULL, 10);
      i++;
    } else if (!strcmp(a, "--zstd-level") && next) {
      cfg.zstd_level = atoi(next);
      i++;
    } else if (!strcmp(a, "--dir") && next) {
      cfg.dir = next;
      i++;
    } else if (!strcmp(a, "--page-rows") && next) {
      cfg.page_rows = strtoll(next, NULL, 10);
      i++;
    } else if (!strcmp(a, "--page-bytes") && next) {
      cfg.page_bytes = strtoll(next, NULL, 10);
      i++;
    } else if (!strcmp(a, "--keep")) {
      cfg.keep = 1;
    } else if (!strcmp(a, "--jsonl") && next) {
      cfg.jsonl = !strcmp(next, "all") ? 1 : !strcmp(next, "none") ? 0 : -1;
      i++;
    } else if (!strcmp(a, "--variant") && next) {
      cfg.variant_mask = 0;
      for (int v = 0; v < VARIANT_COUNT; v++)
        if (!strcmp(next, kVariants[v].name) || !strcmp(next, "all")) cfg.variant_mask |= 1 << v;
      if (!cfg.variant_mask) usage();
      i++;
    } else {
      usage();
    }
  }
  if (cfg.rows <= 0 || cfg.row_group_bytes <= 0) usage();
  char tmpl[4096];
  if (!cfg.dir) {
    const char* t = getenv("TMPDIR");
    snprintf(tmpl, sizeof tmpl, "%s/encoding-table-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmpl)) die("mkdtemp %s: %s", tmpl, strerror(errno));
    cfg.dir = tmpl;
  }
  printf("<!-- generated by encoding-table (artemis %s)", artemis_version_string());
  for (int i = 1; i < argc; i++) printf(" %s", argv[i]);
  printf(" -->\n\n");
  int first = 1;
  for (int v = 0; v < VARIANT_COUNT; v++) {
    if (!(cfg.variant_mask & (1 << v))) continue;
    print_variant(&cfg, &kVariants[v], first ? 0 : v);
    first = 0;
  }
  if (!cfg.keep && cfg.dir == tmpl) rmdir(tmpl);
  return 0;
}
