/* The canonical telemetry generator: schema shape, Arrow C Data validity, row counts,
 * determinism, ordering, and the statistical shape of the data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "artemis/sample.h"

#define COLUMNS 12
#define MAX_TRACKED_PAYLOAD_ID 65536
#define EPOCH_NS (INT64_C(1775001600) * INT64_C(1000000000))

enum {
  COL_TIMESTAMP,
  COL_MISSION,
  COL_PAYLOAD,
  COL_KIND,
  COL_SEQUENCE,
  COL_VOLTAGE,
  COL_TEMPERATURE,
  COL_PRESSURE,
  COL_QUALITY,
  COL_URI,
  COL_PATH,
  COL_NOTES
};

static const char* const expected_names[COLUMNS] = {
    "sample_timestamp_ns", "mission_id",    "payload_id",    "sensor_kind",
    "sequence_number",     "panel_voltage", "temperature_c", "pressure_kpa",
    "quality_flag",        "archive_uri",   "object_path",   "notes"};
static const char* const expected_formats[COLUMNS] = {"tsn:", "u", "I", "u", "L", "g",
                                                      "g",    "g", "C", "u", "u", "u"};

static int is_string_column(int column) {
  return column == COL_MISSION || column == COL_KIND || column == COL_URI || column == COL_PATH ||
         column == COL_NOTES;
}

static size_t value_width(int column) {
  switch (column) {
    case COL_TIMESTAMP:
    case COL_SEQUENCE:
    case COL_VOLTAGE:
    case COL_TEMPERATURE:
    case COL_PRESSURE:
      return 8;
    case COL_PAYLOAD:
      return 4;
    case COL_QUALITY:
      return 1;
    default:
      return 0;
  }
}

static artemis_sample_options default_options(int64_t total_rows, int64_t batch_rows) {
  artemis_sample_options options;
  artemis_sample_options_init(&options);
  options.total_rows = total_rows;
  options.batch_rows = batch_rows;
  return options;
}

static artemis_sample* open_or_fail(const artemis_sample_options* options) {
  artemis_sample* sample = NULL;
  artemis_error error;
  int rc = artemis_sample_open(&sample, options, &error);
  if (rc != ARTEMIS_OK) fail_msg("artemis_sample_open: %s", error.message);
  assert_non_null(sample);
  return sample;
}

static const char* string_value(const struct ArrowArray* column, int64_t row, int32_t* length) {
  const int32_t* offsets = (const int32_t*)column->buffers[1];
  const char* data = (const char*)column->buffers[2];
  *length = offsets[row + 1] - offsets[row];
  return data + offsets[row];
}

static int is_valid(const struct ArrowArray* column, int64_t row) {
  const uint8_t* bitmap = (const uint8_t*)column->buffers[0];
  return bitmap == NULL || ((bitmap[row >> 3] >> (row & 7)) & 1);
}

/* Structural checks every batch must pass, whatever the options. */
static void check_batch_structure(const struct ArrowArray* batch) {
  assert_non_null(batch->release);
  assert_int_equal(batch->n_children, COLUMNS);
  assert_int_equal(batch->n_buffers, 1);
  assert_null(batch->buffers[0]);
  assert_int_equal(batch->null_count, 0);
  assert_int_equal(batch->offset, 0);
  assert_null(batch->dictionary);
  assert_true(batch->length > 0);
  for (int c = 0; c < COLUMNS; ++c) {
    const struct ArrowArray* column = batch->children[c];
    assert_non_null(column->release);
    assert_int_equal(column->length, batch->length);
    assert_int_equal(column->offset, 0);
    assert_int_equal(column->n_children, 0);
    assert_null(column->dictionary);
    if (c != COL_NOTES) {
      assert_null(column->buffers[0]);
      assert_int_equal(column->null_count, 0);
    }
    if (!is_string_column(c)) {
      assert_int_equal(column->n_buffers, 2);
      assert_non_null(column->buffers[1]);
      continue;
    }
    assert_int_equal(column->n_buffers, 3);
    assert_non_null(column->buffers[1]);
    assert_non_null(column->buffers[2]);
    const int32_t* offsets = (const int32_t*)column->buffers[1];
    assert_int_equal(offsets[0], 0);
    for (int64_t i = 0; i < column->length; ++i) assert_true(offsets[i + 1] >= offsets[i]);
  }
  const struct ArrowArray* notes = batch->children[COL_NOTES];
  assert_non_null(notes->buffers[0]);
  const uint8_t* bitmap = (const uint8_t*)notes->buffers[0];
  const int32_t* offsets = (const int32_t*)notes->buffers[1];
  int64_t nulls = 0;
  for (int64_t i = 0; i < notes->length; ++i) {
    if (!is_valid(notes, i)) {
      ++nulls;
      assert_int_equal(offsets[i + 1], offsets[i]); /* nulls take no bytes */
    } else {
      assert_true(offsets[i + 1] > offsets[i]);
    }
  }
  assert_int_equal(notes->null_count, nulls);
  if (notes->length % 8 != 0) { /* padding bits of the last byte stay zero */
    assert_int_equal(bitmap[notes->length / 8] >> (notes->length % 8), 0);
  }
}

/* ---------------------------------------------------------------------------------- */
/* A drained stream: numeric columns per row, notes, and per-payload invariants checked
 * while draining (one mission and sensor kind per payload, hierarchical paths). */

typedef struct payload_record {
  int seen;
  char mission[64];
  char kind[64];
  char last_uri[256];
  char last_path[256];
  int64_t rows;
  int64_t uri_changes;
  int64_t path_changes;
} payload_record;

typedef struct drained {
  int64_t rows;
  int64_t batches;
  int64_t last_batch_rows;
  int64_t* timestamps;
  uint32_t* payload_ids;
  uint64_t* sequences;
  double* values[3];
  uint8_t* quality;
  char** notes; /* NULL where the note is null */
  int64_t note_count;
  payload_record* payloads; /* indexed by payload id */
} drained;

static void check_row_strings(drained* out, const struct ArrowArray* batch, int64_t row) {
  uint32_t id = ((const uint32_t*)batch->children[COL_PAYLOAD]->buffers[1])[row];
  assert_true(id >= 1000 && id < MAX_TRACKED_PAYLOAD_ID);
  payload_record* record = &out->payloads[id];
  int32_t mission_length, kind_length, uri_length, path_length;
  const char* mission = string_value(batch->children[COL_MISSION], row, &mission_length);
  const char* kind = string_value(batch->children[COL_KIND], row, &kind_length);
  const char* uri = string_value(batch->children[COL_URI], row, &uri_length);
  const char* path = string_value(batch->children[COL_PATH], row, &path_length);
  assert_true(mission_length > 0 && mission_length < 64 && kind_length > 0 && kind_length < 64);
  assert_true(uri_length > 0 && uri_length < 256 && path_length > 0 && path_length < 256);

  if (!record->seen) {
    record->seen = 1;
    memcpy(record->mission, mission, (size_t)mission_length);
    memcpy(record->kind, kind, (size_t)kind_length);
  }
  /* Each payload belongs to exactly one mission and one sensor kind. */
  assert_int_equal(strlen(record->mission), (size_t)mission_length);
  assert_memory_equal(record->mission, mission, (size_t)mission_length);
  assert_int_equal(strlen(record->kind), (size_t)kind_length);
  assert_memory_equal(record->kind, kind, (size_t)kind_length);

  /* Paths are mission / payload / date / part. */
  char expected[256];
  int prefix = snprintf(expected, sizeof expected,
                        "s3://artemis-cold-archive/%s/payload-%u/2026/04/01/part-", record->mission,
                        (unsigned)id);
  assert_true(uri_length > prefix);
  assert_memory_equal(uri, expected, (size_t)prefix);
  assert_memory_equal(uri + uri_length - 9, ".jsonl.gz", 9);
  prefix = snprintf(expected, sizeof expected, "%s/payload-%u/2026-04-01/hour-", record->mission,
                    (unsigned)id);
  assert_true(path_length > prefix);
  assert_memory_equal(path, expected, (size_t)prefix);
  assert_memory_equal(path + path_length - 4, ".bin", 4);

  if (strlen(record->last_uri) != (size_t)uri_length ||
      memcmp(record->last_uri, uri, (size_t)uri_length) != 0) {
    ++record->uri_changes;
    memset(record->last_uri, 0, sizeof record->last_uri);
    memcpy(record->last_uri, uri, (size_t)uri_length);
  }
  if (strlen(record->last_path) != (size_t)path_length ||
      memcmp(record->last_path, path, (size_t)path_length) != 0) {
    ++record->path_changes;
    memset(record->last_path, 0, sizeof record->last_path);
    memcpy(record->last_path, path, (size_t)path_length);
  }
  ++record->rows;
}

static drained drain(const artemis_sample_options* options) {
  drained out;
  memset(&out, 0, sizeof out);
  size_t rows = (size_t)options->total_rows;
  out.timestamps = (int64_t*)malloc(rows * sizeof(int64_t) + 1);
  out.payload_ids = (uint32_t*)malloc(rows * sizeof(uint32_t) + 1);
  out.sequences = (uint64_t*)malloc(rows * sizeof(uint64_t) + 1);
  for (int v = 0; v < 3; ++v) out.values[v] = (double*)malloc(rows * sizeof(double) + 1);
  out.quality = (uint8_t*)malloc(rows + 1);
  out.notes = (char**)calloc(rows + 1, sizeof(char*));
  out.payloads = (payload_record*)calloc(MAX_TRACKED_PAYLOAD_ID, sizeof(payload_record));
  assert_non_null(out.payloads);

  artemis_sample* sample = open_or_fail(options);
  artemis_error error;
  struct ArrowArray batch;
  int rc;
  while ((rc = artemis_sample_next(sample, &batch, &error)) == ARTEMIS_OK) {
    check_batch_structure(&batch);
    assert_true(out.rows + batch.length <= options->total_rows);
    assert_true(batch.length <= options->batch_rows);
    const int64_t n = batch.length;
    memcpy(out.timestamps + out.rows, batch.children[COL_TIMESTAMP]->buffers[1], (size_t)n * 8);
    memcpy(out.payload_ids + out.rows, batch.children[COL_PAYLOAD]->buffers[1], (size_t)n * 4);
    memcpy(out.sequences + out.rows, batch.children[COL_SEQUENCE]->buffers[1], (size_t)n * 8);
    for (int v = 0; v < 3; ++v) {
      memcpy(out.values[v] + out.rows, batch.children[COL_VOLTAGE + v]->buffers[1], (size_t)n * 8);
    }
    memcpy(out.quality + out.rows, batch.children[COL_QUALITY]->buffers[1], (size_t)n);
    for (int64_t i = 0; i < n; ++i) {
      check_row_strings(&out, &batch, i);
      if (is_valid(batch.children[COL_NOTES], i)) {
        int32_t length;
        const char* note = string_value(batch.children[COL_NOTES], i, &length);
        char* copy = (char*)malloc((size_t)length + 1);
        memcpy(copy, note, (size_t)length);
        copy[length] = '\0';
        out.notes[out.rows + i] = copy;
        ++out.note_count;
      }
    }
    out.rows += n;
    ++out.batches;
    out.last_batch_rows = n;
    batch.release(&batch);
    assert_null(batch.release);
  }
  assert_int_equal(rc, ARTEMIS_E_END_OF_STREAM);
  assert_int_equal(out.rows, options->total_rows);
  artemis_sample_close(sample);
  return out;
}

static void drained_free(drained* d) {
  for (int64_t i = 0; i < d->rows; ++i) free(d->notes[i]);
  free(d->notes);
  free(d->timestamps);
  free(d->payload_ids);
  free(d->sequences);
  for (int v = 0; v < 3; ++v) free(d->values[v]);
  free(d->quality);
  free(d->payloads);
}

/* Per-payload checks shared by both orders: strictly increasing timestamps and sequence
 * numbers within a payload. */
static void check_per_payload_monotonic(const drained* d) {
  int64_t* last_timestamp = (int64_t*)calloc(MAX_TRACKED_PAYLOAD_ID, sizeof(int64_t));
  uint64_t* last_sequence = (uint64_t*)calloc(MAX_TRACKED_PAYLOAD_ID, sizeof(uint64_t));
  uint8_t* seen = (uint8_t*)calloc(MAX_TRACKED_PAYLOAD_ID, 1);
  for (int64_t i = 0; i < d->rows; ++i) {
    uint32_t id = d->payload_ids[i];
    if (seen[id]) {
      assert_true(d->timestamps[i] > last_timestamp[id]);
      assert_true(d->sequences[i] > last_sequence[id]);
    }
    seen[id] = 1;
    last_timestamp[id] = d->timestamps[i];
    last_sequence[id] = d->sequences[i];
  }
  free(last_timestamp);
  free(last_sequence);
  free(seen);
}

typedef struct keyed_value {
  uint32_t payload;
  uint64_t bits;
} keyed_value;

static int compare_keyed(const void* a, const void* b) {
  const keyed_value* x = (const keyed_value*)a;
  const keyed_value* y = (const keyed_value*)b;
  if (x->payload != y->payload) return x->payload < y->payload ? -1 : 1;
  if (x->bits != y->bits) return x->bits < y->bits ? -1 : 1;
  return 0;
}

/* Fills distinct[id] with the number of distinct values of one column per payload. */
static void count_distinct_per_payload(const drained* d, int value_column, int64_t* distinct) {
  keyed_value* pairs = (keyed_value*)malloc((size_t)d->rows * sizeof *pairs);
  for (int64_t i = 0; i < d->rows; ++i) {
    pairs[i].payload = d->payload_ids[i];
    memcpy(&pairs[i].bits, &d->values[value_column][i], sizeof(double));
  }
  qsort(pairs, (size_t)d->rows, sizeof *pairs, compare_keyed);
  memset(distinct, 0, MAX_TRACKED_PAYLOAD_ID * sizeof(int64_t));
  for (int64_t i = 0; i < d->rows; ++i) {
    if (i == 0 || compare_keyed(&pairs[i], &pairs[i - 1]) != 0) ++distinct[pairs[i].payload];
  }
  free(pairs);
}

static int compare_strings(const void* a, const void* b) {
  return strcmp(*(const char* const*)a, *(const char* const*)b);
}

/* ---------------------------------------------------------------------------------- */

static void test_schema_shape(void** state) {
  (void)state;
  struct ArrowSchema schema;
  artemis_error error;
  assert_int_equal(artemis_sample_schema(&schema, &error), ARTEMIS_OK);
  assert_string_equal(schema.format, "+s");
  assert_int_equal(schema.flags & ARROW_FLAG_NULLABLE, 0);
  assert_int_equal(schema.n_children, COLUMNS);
  assert_null(schema.dictionary);
  for (int c = 0; c < COLUMNS; ++c) {
    const struct ArrowSchema* child = schema.children[c];
    assert_string_equal(child->name, expected_names[c]);
    assert_string_equal(child->format, expected_formats[c]);
    assert_int_equal(child->flags, c == COL_NOTES ? ARROW_FLAG_NULLABLE : 0);
    assert_int_equal(child->n_children, 0);
    assert_null(child->dictionary);
    assert_non_null(child->release);
  }
  schema.release(&schema);
  assert_null(schema.release);
  assert_int_equal(artemis_sample_schema(NULL, &error), ARTEMIS_E_INVALID_ARGUMENT);
}

static void test_schema_child_can_be_moved_out(void** state) {
  (void)state;
  struct ArrowSchema schema;
  assert_int_equal(artemis_sample_schema(&schema, NULL), ARTEMIS_OK);
  struct ArrowSchema moved = *schema.children[COL_NOTES];
  schema.children[COL_NOTES]->release = NULL;
  schema.release(&schema);
  assert_string_equal(moved.name, "notes");
  moved.release(&moved);
  assert_null(moved.release);
}

static void test_total_rows_exact_with_short_last_batch(void** state) {
  (void)state;
  artemis_sample_options options = default_options(100003, 10000);
  drained d = drain(&options);
  assert_int_equal(d.batches, 11);
  assert_int_equal(d.last_batch_rows, 3);
  drained_free(&d);

  /* A batch size above the total yields one batch; zero rows yield none. */
  options = default_options(10, INT64_MAX);
  d = drain(&options);
  assert_int_equal(d.batches, 1);
  drained_free(&d);

  options = default_options(0, 100);
  artemis_sample* sample = open_or_fail(&options);
  struct ArrowArray untouched;
  memset(&untouched, 0xAB, sizeof untouched);
  struct ArrowArray before = untouched;
  artemis_error error;
  assert_int_equal(artemis_sample_next(sample, &untouched, &error), ARTEMIS_E_END_OF_STREAM);
  assert_int_equal(error.code, ARTEMIS_E_END_OF_STREAM);
  assert_memory_equal(&untouched, &before, sizeof before);
  artemis_sample_close(sample);
}

static void assert_batches_identical(const struct ArrowArray* a, const struct ArrowArray* b) {
  assert_int_equal(a->length, b->length);
  for (int c = 0; c < COLUMNS; ++c) {
    const struct ArrowArray* x = a->children[c];
    const struct ArrowArray* y = b->children[c];
    assert_int_equal(x->null_count, y->null_count);
    size_t n = (size_t)x->length;
    if (x->buffers[0] || y->buffers[0]) {
      assert_non_null(x->buffers[0]);
      assert_non_null(y->buffers[0]);
      assert_memory_equal(x->buffers[0], y->buffers[0], (n + 7) / 8);
    }
    if (!is_string_column(c)) {
      assert_memory_equal(x->buffers[1], y->buffers[1], n * value_width(c));
    } else {
      assert_memory_equal(x->buffers[1], y->buffers[1], (n + 1) * sizeof(int32_t));
      int32_t bytes = ((const int32_t*)x->buffers[1])[n];
      assert_memory_equal(x->buffers[2], y->buffers[2], (size_t)bytes);
    }
  }
}

static void check_determinism(artemis_sample_options options) {
  artemis_sample* first = open_or_fail(&options);
  artemis_sample* second = open_or_fail(&options);
  struct ArrowArray a, b;
  int batches = 0;
  for (;;) {
    int rc_a = artemis_sample_next(first, &a, NULL);
    int rc_b = artemis_sample_next(second, &b, NULL);
    assert_int_equal(rc_a, rc_b);
    if (rc_a != ARTEMIS_OK) break;
    assert_batches_identical(&a, &b);
    a.release(&a);
    b.release(&b);
    ++batches;
  }
  assert_true(batches > 1);
  artemis_sample_close(first);
  artemis_sample_close(second);
}

static void test_determinism(void** state) {
  (void)state;
  artemis_sample_options options = default_options(150000, 32768);
  check_determinism(options);
  options.order = ARTEMIS_SAMPLE_PAYLOAD_GROUPED;
  check_determinism(options);
  options.values = ARTEMIS_SAMPLE_FULL_MANTISSA;
  check_determinism(options);

  /* A different seed gives different data. */
  options = default_options(1000, 1000);
  artemis_sample* one = open_or_fail(&options);
  options.seed += 1;
  artemis_sample* other = open_or_fail(&options);
  struct ArrowArray a, b;
  assert_int_equal(artemis_sample_next(one, &a, NULL), ARTEMIS_OK);
  assert_int_equal(artemis_sample_next(other, &b, NULL), ARTEMIS_OK);
  assert_memory_not_equal(a.children[COL_VOLTAGE]->buffers[1], b.children[COL_VOLTAGE]->buffers[1],
                          1000 * sizeof(double));
  a.release(&a);
  b.release(&b);
  artemis_sample_close(one);
  artemis_sample_close(other);
}

static void test_time_order_realism(void** state) {
  (void)state;
  artemis_sample_options options = default_options(200000, 65536);
  drained d = drain(&options);

  /* Global time order across batches, starting at the archive epoch. */
  assert_true(d.timestamps[0] >= EPOCH_NS && d.timestamps[0] < EPOCH_NS + INT64_C(1000000000));
  for (int64_t i = 1; i < d.rows; ++i) assert_true(d.timestamps[i] >= d.timestamps[i - 1]);
  check_per_payload_monotonic(&d);

  /* Sequence numbers are per payload, so the interleaved column is not monotonic. */
  int64_t decreases = 0;
  for (int64_t i = 1; i < d.rows; ++i) decreases += d.sequences[i] < d.sequences[i - 1];
  assert_true(decreases > d.rows / 10);

  /* 8 missions, 200 payloads, up to 12 sensor kinds; consecutive rows interleave. */
  int payloads = 0, missions = 0, kinds = 0;
  char mission_names[16][64], kind_names[16][64];
  for (int id = 0; id < MAX_TRACKED_PAYLOAD_ID; ++id) {
    const payload_record* record = &d.payloads[id];
    if (!record->seen) continue;
    ++payloads;
    int found = 0;
    for (int m = 0; m < missions; ++m) found |= strcmp(mission_names[m], record->mission) == 0;
    if (!found) {
      assert_true(missions < 16);
      strcpy(mission_names[missions++], record->mission);
    }
    found = 0;
    for (int k = 0; k < kinds; ++k) found |= strcmp(kind_names[k], record->kind) == 0;
    if (!found) {
      assert_true(kinds < 16);
      strcpy(kind_names[kinds++], record->kind);
    }
    /* Paths repeat across a payload's consecutive rows and roll over with time. */
    assert_true(record->uri_changes <= record->rows / 256 + 1);
    assert_true(record->path_changes <= record->rows / 2 + 1);
  }
  assert_int_equal(payloads, 200);
  assert_int_equal(missions, 8);
  assert_true(kinds >= 8 && kinds <= 12);
  int64_t payload_switches = 0;
  for (int64_t i = 1; i < d.rows; ++i) payload_switches += d.payload_ids[i] != d.payload_ids[i - 1];
  assert_true(payload_switches > d.rows / 2);

  /* Notes: ~2% non-null, every one unique. */
  double note_fraction = (double)d.note_count / (double)d.rows;
  assert_true(note_fraction >= 0.015 && note_fraction <= 0.025);
  char** notes = (char**)malloc((size_t)d.note_count * sizeof(char*));
  int64_t n = 0;
  for (int64_t i = 0; i < d.rows; ++i) {
    if (d.notes[i]) notes[n++] = d.notes[i];
  }
  qsort(notes, (size_t)n, sizeof(char*), compare_strings);
  for (int64_t i = 1; i < n; ++i) assert_string_not_equal(notes[i], notes[i - 1]);
  free(notes);

  /* Quality flags: mostly 0, the rest single-bit flags. */
  int64_t flagged = 0;
  for (int64_t i = 0; i < d.rows; ++i) {
    uint8_t q = d.quality[i];
    assert_true(q == 0 || q == 1 || q == 2 || q == 4 || q == 8);
    flagged += q != 0;
  }
  assert_true(flagged > d.rows / 400 && flagged < d.rows / 25);

  /* Calibrated ADC channels: physically plausible and few distinct values per payload. */
  for (int64_t i = 0; i < d.rows; ++i) {
    assert_true(d.values[0][i] > -1.0 && d.values[0][i] < 42.0);
    assert_true(d.values[1][i] > -125.0 && d.values[1][i] < 135.0);
    assert_true(d.values[2][i] > -2.0 && d.values[2][i] < 255.0);
  }
  int64_t* distinct = (int64_t*)malloc(MAX_TRACKED_PAYLOAD_ID * sizeof(int64_t));
  for (int v = 0; v < 3; ++v) {
    count_distinct_per_payload(&d, v, distinct);
    int64_t rows_total = 0, distinct_total = 0;
    for (int id = 0; id < MAX_TRACKED_PAYLOAD_ID; ++id) {
      assert_true(distinct[id] < 5000);
      distinct_total += distinct[id];
      rows_total += d.payloads[id].rows;
    }
    /* Random walks revisit values: far fewer distinct values than rows. */
    assert_true(distinct_total * 2 < rows_total);
  }
  free(distinct);
  drained_free(&d);
}

static void test_full_mantissa_has_many_distinct_values(void** state) {
  (void)state;
  artemis_sample_options options = default_options(200000, 50000);
  options.values = ARTEMIS_SAMPLE_FULL_MANTISSA;
  drained d = drain(&options);
  int64_t* distinct = (int64_t*)malloc(MAX_TRACKED_PAYLOAD_ID * sizeof(int64_t));
  for (int v = 0; v < 3; ++v) {
    count_distinct_per_payload(&d, v, distinct);
    int64_t rows_total = 0, distinct_total = 0;
    for (int id = 0; id < MAX_TRACKED_PAYLOAD_ID; ++id) {
      distinct_total += distinct[id];
      rows_total += d.payloads[id].rows;
    }
    assert_true(distinct_total * 100 >= rows_total * 99);
    /* The low mantissa bits are populated (not a short decimal or a few-bit grid). */
    int64_t low_bits_used = 0;
    for (int64_t i = 0; i < d.rows; ++i) {
      uint64_t bits;
      memcpy(&bits, &d.values[v][i], sizeof bits);
      low_bits_used += (bits & 0xFFFFF) != 0;
    }
    assert_true(low_bits_used * 100 >= d.rows * 99);
  }
  free(distinct);
  check_per_payload_monotonic(&d);
  drained_free(&d);
}

static void test_payload_grouped_order(void** state) {
  (void)state;
  artemis_sample_options options = default_options(123457, 10000);
  options.order = ARTEMIS_SAMPLE_PAYLOAD_GROUPED;
  drained grouped = drain(&options);
  assert_int_equal(grouped.batches, 13);
  assert_int_equal(grouped.last_batch_rows, 3457);

  /* Each payload's rows are one contiguous run. */
  uint8_t* finished = (uint8_t*)calloc(MAX_TRACKED_PAYLOAD_ID, 1);
  int runs = 1;
  for (int64_t i = 1; i < grouped.rows; ++i) {
    if (grouped.payload_ids[i] != grouped.payload_ids[i - 1]) {
      finished[grouped.payload_ids[i - 1]] = 1;
      assert_false(finished[grouped.payload_ids[i]]);
      ++runs;
    }
  }
  assert_int_equal(runs, 200);
  free(finished);
  check_per_payload_monotonic(&grouped);

  /* A payload's stream does not depend on the order: its first rows are the same
   * timestamps, sequence numbers and values as in the time-ordered stream. */
  options.order = ARTEMIS_SAMPLE_TIME_ORDER;
  drained timed = drain(&options);
  uint32_t probe = grouped.payload_ids[grouped.rows - 1];
  int64_t g = 0, t = 0, compared = 0;
  while (compared < 50) {
    while (grouped.payload_ids[g] != probe) ++g;
    while (timed.payload_ids[t] != probe) ++t;
    assert_int_equal(grouped.timestamps[g], timed.timestamps[t]);
    assert_int_equal(grouped.sequences[g], timed.sequences[t]);
    assert_memory_equal(&grouped.values[1][g], &timed.values[1][t], sizeof(double));
    ++g;
    ++t;
    ++compared;
  }
  drained_free(&timed);
  drained_free(&grouped);
}

/* A one-payload archive sampled once a second makes a month of telemetry cheap to
 * generate: the paths must follow the row's own UTC date and hour, across a day and a
 * month boundary, and the archive part number restarts every day. */
static uint64_t seed_with_one_second_period(void) {
  for (uint64_t seed = 1; seed < 2000; ++seed) {
    artemis_sample_options options = default_options(3, 3);
    options.seed = seed;
    options.missions = 1;
    options.payloads = 1;
    artemis_sample* sample = open_or_fail(&options);
    struct ArrowArray batch;
    assert_int_equal(artemis_sample_next(sample, &batch, NULL), ARTEMIS_OK);
    const int64_t* timestamps = (const int64_t*)batch.children[COL_TIMESTAMP]->buffers[1];
    int64_t delta = timestamps[2] - timestamps[1];
    batch.release(&batch);
    artemis_sample_close(sample);
    if (delta > INT64_C(980000000) && delta < INT64_C(1020000000)) return seed;
  }
  fail_msg("no seed gives a 1 s sampling period");
  return 0;
}

static void test_paths_follow_the_clock(void** state) {
  (void)state;
  artemis_sample_options options = default_options(INT64_C(31) * 86400 + 2000, 100000);
  options.seed = seed_with_one_second_period();
  options.missions = 1;
  options.payloads = 1;
  artemis_sample* sample = open_or_fail(&options);
  struct ArrowArray batch;
  int64_t current_day = -1, current_hour = -1, days_seen = 0;
  long last_part = -1, last_segment = -1;
  char uri_date[64] = "", path_date[64] = "";
  int saw_may = 0;
  while (artemis_sample_next(sample, &batch, NULL) == ARTEMIS_OK) {
    const int64_t* timestamps = (const int64_t*)batch.children[COL_TIMESTAMP]->buffers[1];
    for (int64_t i = 0; i < batch.length; ++i) {
      int64_t seconds = timestamps[i] / INT64_C(1000000000);
      int64_t day = seconds / 86400, hour = (seconds % 86400) / 3600;
      int new_day = day != current_day;
      if (new_day) {
        time_t as_time = (time_t)seconds;
        struct tm civil;
        assert_non_null(gmtime_r(&as_time, &civil));
        snprintf(uri_date, sizeof uri_date, "/%04d/%02d/%02d/part-", civil.tm_year + 1900,
                 civil.tm_mon + 1, civil.tm_mday);
        snprintf(path_date, sizeof path_date, "/%04d-%02d-%02d/hour-", civil.tm_year + 1900,
                 civil.tm_mon + 1, civil.tm_mday);
        saw_may |= civil.tm_mon + 1 == 5;
        current_day = day;
        ++days_seen;
      }
      int32_t uri_length, path_length;
      const char* uri = string_value(batch.children[COL_URI], i, &uri_length);
      const char* path = string_value(batch.children[COL_PATH], i, &path_length);
      char text[256];
      memcpy(text, uri, (size_t)uri_length);
      text[uri_length] = '\0';
      const char* date = strstr(text, uri_date);
      assert_non_null(date);
      long part = strtol(date + strlen(uri_date), NULL, 10);
      /* part numbers restart each day and otherwise never go back */
      if (new_day) {
        assert_int_equal(part, 0);
      } else {
        assert_true(part == last_part || part == last_part + 1);
      }
      last_part = part;

      memcpy(text, path, (size_t)path_length);
      text[path_length] = '\0';
      date = strstr(text, path_date);
      assert_non_null(date);
      const char* hour_text = date + strlen(path_date);
      assert_int_equal(strtol(hour_text, NULL, 10), hour);
      const char* segment_text = strstr(hour_text, "/seg-");
      assert_non_null(segment_text);
      long segment = strtol(segment_text + 5, NULL, 10);
      assert_true(segment >= 0 && segment < 60);
      if (hour == current_hour) assert_true(segment >= last_segment);
      current_hour = hour;
      last_segment = segment;
    }
    batch.release(&batch);
  }
  artemis_sample_close(sample);
  assert_true(days_seen >= 31);
  assert_true(saw_may);
}

static void test_release_frees_children_moved_out(void** state) {
  (void)state;
  artemis_sample_options options = default_options(5000, 4096);
  artemis_sample* sample = open_or_fail(&options);
  struct ArrowArray batch;
  assert_int_equal(artemis_sample_next(sample, &batch, NULL), ARTEMIS_OK);
  /* Move two children out, release the parent, then use and release the children. */
  struct ArrowArray notes = *batch.children[COL_NOTES];
  struct ArrowArray uri = *batch.children[COL_URI];
  batch.children[COL_NOTES]->release = NULL;
  batch.children[COL_URI]->release = NULL;
  batch.release(&batch);
  assert_null(batch.release);
  artemis_sample_close(sample); /* batches outlive their generator */
  int32_t length;
  const char* text = string_value(&uri, uri.length - 1, &length);
  assert_true(length > 0 && memcmp(text, "s3://", 5) == 0);
  (void)is_valid(&notes, notes.length - 1);
  notes.release(&notes);
  uri.release(&uri);
  assert_null(notes.release);
  assert_null(uri.release);

  /* A second, shorter batch from a fresh generator, released whole. */
  sample = open_or_fail(&options);
  assert_int_equal(artemis_sample_next(sample, &batch, NULL), ARTEMIS_OK);
  batch.release(&batch);
  assert_int_equal(artemis_sample_next(sample, &batch, NULL), ARTEMIS_OK);
  assert_int_equal(batch.length, 5000 - 4096);
  batch.release(&batch);
  artemis_sample_close(sample);
  artemis_sample_close(NULL);
}

static void expect_invalid(const artemis_sample_options* options) {
  static char not_a_generator;
  /* A failed open must reset *out to NULL, so start from a non-NULL sentinel. */
  artemis_sample* sample = (artemis_sample*)(void*)&not_a_generator;
  artemis_error error;
  assert_int_equal(artemis_sample_open(&sample, options, &error), ARTEMIS_E_INVALID_ARGUMENT);
  assert_int_equal(error.code, ARTEMIS_E_INVALID_ARGUMENT);
  assert_true(strlen(error.message) > 0);
  assert_null(sample);
}

static void test_invalid_options_rejected(void** state) {
  (void)state;
  artemis_sample_options options = default_options(-1, 100);
  expect_invalid(&options);
  options = default_options(100, 0);
  expect_invalid(&options);
  options = default_options(100, -5);
  expect_invalid(&options);
  options = default_options(100, 100);
  options.missions = 0;
  expect_invalid(&options);
  options = default_options(100, 100);
  options.payloads = 0;
  expect_invalid(&options);
  options = default_options(100, 100);
  options.payloads = -3;
  expect_invalid(&options);
  options = default_options(100, 100);
  options.sensor_kinds = 0;
  expect_invalid(&options);
  options = default_options(100, 100);
  options.missions = 9;
  options.payloads = 8;
  expect_invalid(&options);
  options = default_options(100, 100);
  options.version = 0;
  expect_invalid(&options);
  options = default_options(100, 100);
  options.order = (artemis_sample_order)7;
  expect_invalid(&options);
  options = default_options(100, 100);
  options.values = (artemis_sample_values)7;
  expect_invalid(&options);
  /* Batches whose strings could overflow int32 offsets, and timestamps past int64. */
  options = default_options(INT64_C(100000000), INT64_C(100000000));
  expect_invalid(&options);
  options = default_options(INT64_MAX, 65536);
  expect_invalid(&options);

  artemis_error error;
  assert_int_equal(artemis_sample_open(NULL, &options, &error), ARTEMIS_E_INVALID_ARGUMENT);
  struct ArrowArray batch;
  assert_int_equal(artemis_sample_next(NULL, &batch, &error), ARTEMIS_E_INVALID_ARGUMENT);

  /* NULL options mean the defaults; a small custom shape also works. */
  artemis_sample* sample = NULL;
  assert_int_equal(artemis_sample_open(&sample, NULL, &error), ARTEMIS_OK);
  assert_int_equal(artemis_sample_next(sample, NULL, &error), ARTEMIS_E_INVALID_ARGUMENT);
  artemis_sample_close(sample);
  options = default_options(3000, 700);
  options.missions = 20;
  options.payloads = 20;
  options.sensor_kinds = 30;
  drained d = drain(&options);
  drained_free(&d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_schema_shape),
      cmocka_unit_test(test_schema_child_can_be_moved_out),
      cmocka_unit_test(test_total_rows_exact_with_short_last_batch),
      cmocka_unit_test(test_determinism),
      cmocka_unit_test(test_time_order_realism),
      cmocka_unit_test(test_full_mantissa_has_many_distinct_values),
      cmocka_unit_test(test_payload_grouped_order),
      cmocka_unit_test(test_paths_follow_the_clock),
      cmocka_unit_test(test_release_frees_children_moved_out),
      cmocka_unit_test(test_invalid_options_rejected),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
