#include "acceptance.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* The briefing's table "The canonical Artemis schema includes at least", row by row. */
const acc_column acc_columns[ACC_NCOLS] = {
    {"sample_timestamp_ns", "tsn:", "Timestamp(Nanosecond, None)", "timestamp_ns", 0, ARTEMIS_ENCODING_DELTA_BINARY_PACKED},
    {"mission_id", "u", "Utf8", "utf8", 0, ARTEMIS_ENCODING_DICTIONARY},
    {"payload_id", "I", "UInt32", "uint32", 0, ARTEMIS_ENCODING_DICTIONARY},
    {"sensor_kind", "u", "Utf8", "utf8", 0, ARTEMIS_ENCODING_DICTIONARY},
    {"sequence_number", "L", "UInt64", "uint64", 0, ARTEMIS_ENCODING_DELTA_BINARY_PACKED},
    {"panel_voltage", "g", "Float64", "float64", 0, ARTEMIS_ENCODING_BYTE_STREAM_SPLIT},
    {"temperature_c", "g", "Float64", "float64", 0, ARTEMIS_ENCODING_BYTE_STREAM_SPLIT},
    {"pressure_kpa", "g", "Float64", "float64", 0, ARTEMIS_ENCODING_BYTE_STREAM_SPLIT},
    {"quality_flag", "C", "UInt8", "uint8", 0, ARTEMIS_ENCODING_DICTIONARY},
    {"archive_uri", "u", "Utf8", "utf8", 0, ARTEMIS_ENCODING_DELTA_BYTE_ARRAY},
    {"object_path", "u", "Utf8", "utf8", 0, ARTEMIS_ENCODING_DELTA_BYTE_ARRAY},
    {"notes", "u", "Utf8 (nullable)", "utf8", 1, ARTEMIS_ENCODING_DICTIONARY},
};

/* ---- the schema, built by hand on the C Data Interface --------------------------------- */

typedef struct acc_schema_storage {
  struct ArrowSchema children[ACC_NCOLS];
  struct ArrowSchema* child_ptrs[ACC_NCOLS];
} acc_schema_storage;

static void release_child(struct ArrowSchema* s) { s->release = NULL; /* storage owned by the parent */ }

static void release_parent(struct ArrowSchema* s) {
  acc_schema_storage* st = s->private_data;
  for (int i = 0; i < ACC_NCOLS; i++)
    if (st->children[i].release) st->children[i].release(&st->children[i]);
  free(st);
  s->release = NULL;
}

void acc_canonical_schema(struct ArrowSchema* out) {
  acc_schema_storage* st = calloc(1, sizeof *st);
  if (!st) acc_fail("acc_canonical_schema: out of memory");
  for (int i = 0; i < ACC_NCOLS; i++) {
    struct ArrowSchema* c = &st->children[i];
    c->format = acc_columns[i].arrow_format;
    c->name = acc_columns[i].name;
    c->metadata = NULL;
    c->flags = acc_columns[i].nullable ? ARROW_FLAG_NULLABLE : 0;
    c->n_children = 0;
    c->children = NULL;
    c->dictionary = NULL;
    c->release = release_child;
    c->private_data = NULL;
    st->child_ptrs[i] = c;
  }
  memset(out, 0, sizeof *out);
  out->format = "+s";
  out->name = "";
  out->flags = 0;
  out->n_children = ACC_NCOLS;
  out->children = st->child_ptrs;
  out->release = release_parent;
  out->private_data = st;
}

/* ---- small utilities ---------------------------------------------------------------------- */

void acc_die(const char* what, int rc, const artemis_error* err) {
  fprintf(stderr, "acceptance: %s: %s (%s)\n", what, err ? err->message : "", artemis_status_name(rc));
  exit(1);
}

void acc_fail(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("FAIL: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

int64_t acc_file_size(const char* path) {
  struct stat st;
  return stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
}

int acc_exists(const char* path) {
  struct stat st;
  return stat(path, &st) == 0;
}

void acc_remove_outputs(const char* path) {
  char ip[4200];
  snprintf(ip, sizeof ip, "%s.inprogress", path);
  remove(path);
  remove(ip);
}

double acc_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

artemis_sample* acc_open_sample(int64_t rows) {
  artemis_sample_options so;
  artemis_sample_options_init(&so);
  so.total_rows = rows;
  artemis_sample* sample;
  artemis_error err;
  int rc = artemis_sample_open(&sample, &so, &err);
  if (rc) acc_die("artemis_sample_open", rc, &err);
  return sample;
}
