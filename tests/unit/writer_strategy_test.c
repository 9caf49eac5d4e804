/* Worker threads and the adaptive encoding strategy:
 *  - the output bytes and the event sequence do not depend on the thread count;
 *  - the adaptive strategy picks, per chunk, the candidate with the smallest compared
 *    size, reports every candidate, and on stationary columns ends up within a few percent
 *    of the best fixed encoding measured by writing the whole column with each;
 *  - option validation, and an allocation-failure sweep with two threads.
 * Readers we did not write check adaptive and threaded files in interop.cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "artemis/artemis.h"
#include "support/table_builder.h"
#include "support/test_allocators.h"
#include "support/test_random.h"

static char tmpdir[256];

static int setup(void** state) {
  (void)state;
  snprintf(tmpdir, sizeof tmpdir, "/tmp/artemis-strategy-test-XXXXXX");
  return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void** state) {
  (void)state;
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  return system(cmd) == 0 ? 0 : -1;
}

static char* slurp(const char* p, size_t* len) {
  FILE* f = fopen(p, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* data = malloc((size_t)n + 1);
  assert_non_null(data);
  assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *len = (size_t)n;
  return data;
}

/* Events as JSON lines without the timing fields (the only thing allowed to differ). */
typedef struct event_log {
  char* text;
  size_t len, cap;
  int chosen;
} event_log;

static void record_event(const artemis_event* ev, void* payload) {
  event_log* log = payload;
  artemis_event copy = *ev;
  copy.elapsed_ms = -1;
  copy.path = NULL;
  char line[4096];
  size_t n = artemis_event_format_json(&copy, line, sizeof line);
  assert_true(n < sizeof line);
  if (log->len + n + 1 > log->cap) {
    log->cap = (log->len + n + 1) * 2;
    log->text = realloc(log->text, log->cap);
    assert_non_null(log->text);
  }
  memcpy(log->text + log->len, line, n + 1);
  log->len += n;
  if (ev->kind == ARTEMIS_EVENT_ENCODING_CHOSEN) log->chosen++;
}

/* Writes `rows` canonical rows with `threads` threads; returns the file bytes. */
static char* write_canonical(const char* name, int64_t rows, int threads, artemis_encoding_strategy strategy,
                             event_log* log, size_t* len) {
  char p[512];
  snprintf(p, sizeof p, "%s/%s", tmpdir, name);
  artemis_sample_options so;
  artemis_sample_options_init(&so);
  so.total_rows = rows;
  so.batch_rows = 7000; /* batches that do not line up with pages or row groups */
  artemis_sample* sample;
  assert_int_equal(artemis_sample_open(&sample, &so, NULL), ARTEMIS_OK);
  struct ArrowSchema schema;
  assert_int_equal(artemis_sample_schema(&schema, NULL), ARTEMIS_OK);
  artemis_writer_options o;
  artemis_writer_options_init(&o);
  if (strategy == ARTEMIS_ENCODING_STRATEGY_MAP) artemis_writer_options_use_artemis_preset(&o);
  o.encoding_strategy = strategy;
  o.adaptive_sample_rows = 3000;
  o.row_group_target_bytes = 3 << 20;
  o.dictionary_limit_bytes = 64 << 10; /* some dictionaries fall back */
  o.durable = 0;
  o.threads = threads;
  o.on_event = record_event;
  o.event_payload = log;
  artemis_writer* w;
  artemis_error err;
  assert_int_equal(artemis_writer_open(&w, p, &schema, &o, &err), ARTEMIS_OK);
  struct ArrowArray batch;
  while (artemis_sample_next(sample, &batch, NULL) == ARTEMIS_OK) {
    int rc = artemis_writer_write(w, &batch, &err);
    if (rc != ARTEMIS_OK) fail_msg("%s", err.message);
    batch.release(&batch);
  }
  assert_int_equal(artemis_writer_close(w, NULL, &err), ARTEMIS_OK);
  schema.release(&schema);
  artemis_sample_close(sample);
  char* data = slurp(p, len);
  unlink(p);
  return data;
}

static void test_thread_count_does_not_change_bytes(void** state) {
  (void)state;
  const int thread_counts[] = {1, 2, 3, 12};
  for (int s = 0; s < 2; s++) {
    artemis_encoding_strategy strategy = s ? ARTEMIS_ENCODING_STRATEGY_ADAPTIVE : ARTEMIS_ENCODING_STRATEGY_MAP;
    size_t ref_len = 0;
    event_log ref_log = {0};
    char* ref = write_canonical("t1.parquet", 120000, 1, strategy, &ref_log, &ref_len);
    if (s) assert_true(ref_log.chosen >= 12); /* every column of every row group */
    for (size_t i = 1; i < sizeof thread_counts / sizeof thread_counts[0]; i++) {
      size_t len = 0;
      event_log log = {0};
      char* got = write_canonical("tn.parquet", 120000, thread_counts[i], strategy, &log, &len);
      assert_int_equal(len, ref_len);
      assert_memory_equal(got, ref, len);
      assert_int_equal(log.len, ref_log.len);
      assert_string_equal(log.text, ref_log.text); /* same events, same (column) order */
      free(got);
      free(log.text);
    }
    print_message("%s: %zu bytes, identical with 1, 2, 3 and 12 threads\n", s ? "adaptive" : "map", ref_len);
    free(ref);
    free(ref_log.text);
  }
}

/* ---- adaptive choices ------------------------------------------------------------------ */

enum { KIND_STEP_INT, KIND_RANDOM_WALK, KIND_FEW_STRINGS, KIND_UNIQUE_STRINGS, KIND_SORTED_PATHS, KIND_SATURATING, KIND_COUNT };
static const char* const kFormats[KIND_COUNT] = {"l", "g", "u", "u", "u", "g"};

static void fill(tb_col* col, int kind, int64_t rows, uint64_t* rng) {
  double walk = 100.0;
  for (int64_t r = 0; r < rows; r++) {
    char s[64];
    switch (kind) {
      case KIND_STEP_INT: /* a clock: 1 ms steps with a little jitter */
        tb_int(col, 1700000000000000000ll + r * 1000000 + (int64_t)(splitmix64(rng) % 50));
        break;
      case KIND_RANDOM_WALK: /* full-mantissa measurements */
        walk += ((double)(splitmix64(rng) % 2000001) - 1000000.0) * 1e-9;
        tb_f64(col, walk);
        break;
      case KIND_FEW_STRINGS:
        snprintf(s, sizeof s, "mode-%u", (unsigned)(splitmix64(rng) % 7));
        tb_str(col, s);
        break;
      case KIND_UNIQUE_STRINGS: /* random tokens: nothing repeats, nothing shares a prefix */
        snprintf(s, sizeof s, "%016llx%08llx", (unsigned long long)splitmix64(rng),
                 (unsigned long long)(splitmix64(rng) & 0xffffffffu));
        tb_str(col, s);
        break;
      case KIND_SATURATING: /* 30,000 random doubles, drawn uniformly: the sample sees a dictionary
                             still growing fast, the whole chunk sees it saturate */
        tb_f64(col, (double)(splitmix64(rng) % 30000) * 0.0123456789 + 1e-7 * (double)((splitmix64(rng) % 30000) == 0));
        break;
      case KIND_SORTED_PATHS: /* long shared prefixes */
        snprintf(s, sizeof s, "s3://artemis-cold/telemetry/2026/11/26/segment-%09lld.bin", (long long)r);
        tb_str(col, s);
        break;
    }
  }
}

static int64_t column_bytes(int kind, int64_t rows, artemis_encoding_strategy strategy, artemis_column_encoding fixed,
                            event_log* log, uint32_t* data_page_encodings) {
  char p[512];
  snprintf(p, sizeof p, "%s/kind%d.parquet", tmpdir, kind);
  tb_col* col = tb_col_new("x", kFormats[kind], 0);
  struct ArrowSchema schema;
  tb_schema(&col, 1, &schema);
  artemis_writer_options o;
  artemis_writer_options_init(&o);
  o.encoding_strategy = strategy;
  artemis_column_option entry = {"x", fixed, 0};
  if (fixed != ARTEMIS_ENCODING_DEFAULT) {
    o.columns = &entry;
    o.column_count = 1;
  }
  o.durable = 0;
  /* One row group holding every row, so the writer's chunk-size estimate is the truth. */
  if (kind == KIND_SATURATING) o.row_group_target_bytes = rows * 8 + 1;
  o.on_event = log ? record_event : NULL;
  o.event_payload = log;
  artemis_writer* w;
  artemis_error err;
  assert_int_equal(artemis_writer_open(&w, p, &schema, &o, &err), ARTEMIS_OK);
  uint64_t rng = 42;
  for (int b = 0; b < 4; b++) {
    fill(col, kind, rows / 4, &rng);
    struct ArrowArray batch;
    tb_batch(&col, 1, 0, &batch, NULL);
    assert_int_equal(artemis_writer_write(w, &batch, &err), ARTEMIS_OK);
    batch.release(&batch);
  }
  artemis_write_summary* s;
  assert_int_equal(artemis_writer_close(w, &s, &err), ARTEMIS_OK);
  int64_t bytes = s->columns[0].compressed_bytes;
  if (data_page_encodings) *data_page_encodings = s->columns[0].data_page_encodings;
  artemis_write_summary_free(s);
  schema.release(&schema);
  tb_col_free(col);
  unlink(p);
  return bytes;
}

/* Pulls "encoding":"X" and the compared_bytes object out of the encoding_chosen line. */
static void check_chosen_is_smallest(const char* line, char* chosen, size_t cap) {
  const char* e = strstr(line, "\"encoding\":\"");
  assert_non_null(e);
  e += strlen("\"encoding\":\"");
  size_t n = strcspn(e, "\"");
  assert_true(n < cap);
  memcpy(chosen, e, n);
  chosen[n] = '\0';
  const char* c = strstr(line, "\"compared_bytes\":{");
  assert_non_null(c);
  c += strlen("\"compared_bytes\":{");
  long long best = -1, chosen_bytes = -1;
  int candidates = 0;
  while (*c == '"') {
    const char* name = c + 1;
    size_t name_len = strcspn(name, "\"");
    char* end;
    long long v = strtoll(name + name_len + 2, &end, 10);
    c = end;
    if (best < 0 || v < best) best = v;
    if (name_len == n && !strncmp(name, chosen, n)) chosen_bytes = v;
    candidates++;
    if (*c == ',') c++;
  }
  assert_true(candidates >= 3);
  assert_true(chosen_bytes >= 0);
  assert_true(chosen_bytes == best);
}

static void test_adaptive_choices(void** state) {
  (void)state;
  const int64_t rows = 200000;
  /* The fixed encodings valid per kind, to measure the best one on the whole column. */
  static const artemis_column_encoding kInts[] = {ARTEMIS_ENCODING_PLAIN, ARTEMIS_ENCODING_DICTIONARY,
                                                  ARTEMIS_ENCODING_DELTA_BINARY_PACKED};
  static const artemis_column_encoding kFloats[] = {ARTEMIS_ENCODING_PLAIN, ARTEMIS_ENCODING_DICTIONARY,
                                                    ARTEMIS_ENCODING_BYTE_STREAM_SPLIT};
  static const artemis_column_encoding kStrings[] = {ARTEMIS_ENCODING_PLAIN, ARTEMIS_ENCODING_DICTIONARY,
                                                     ARTEMIS_ENCODING_DELTA_LENGTH_BYTE_ARRAY,
                                                     ARTEMIS_ENCODING_DELTA_BYTE_ARRAY};
  /* What must win on these data (each by a wide margin on the whole column). */
  static const char* const kExpected[KIND_COUNT] = {"DELTA_BINARY_PACKED", "BYTE_STREAM_SPLIT", "RLE_DICTIONARY",
                                                    NULL /* PLAIN or DLBA: within noise */, "DELTA_BYTE_ARRAY",
                                                    "RLE_DICTIONARY" /* on the sample alone, PLAIN looks smaller */};
  for (int kind = 0; kind < KIND_COUNT; kind++) {
    int floats = kind == KIND_RANDOM_WALK || kind == KIND_SATURATING;
    const artemis_column_encoding* fixed = kind == KIND_STEP_INT ? kInts : floats ? kFloats : kStrings;
    size_t nfixed = kind == KIND_STEP_INT || floats ? 3 : 4;
    int64_t best_fixed = -1;
    for (size_t i = 0; i < nfixed; i++) {
      int64_t b = column_bytes(kind, rows, ARTEMIS_ENCODING_STRATEGY_MAP, fixed[i], NULL, NULL);
      if (best_fixed < 0 || b < best_fixed) best_fixed = b;
    }
    event_log log = {0};
    uint32_t page_encodings = 0;
    int64_t adaptive = column_bytes(kind, rows, ARTEMIS_ENCODING_STRATEGY_ADAPTIVE, ARTEMIS_ENCODING_DEFAULT, &log,
                                    &page_encodings);
    assert_int_equal(log.chosen, 1); /* one chunk */
    char chosen[64];
    const char* line = strstr(log.text, "encoding_chosen");
    check_chosen_is_smallest(line, chosen, sizeof chosen);
    print_message("  %.*s\n", (int)strcspn(line, "\n"), line);
    print_message("kind %d: adaptive chose %s: %lld bytes; best fixed encoding %lld bytes\n", kind, chosen,
                  (long long)adaptive, (long long)best_fixed);
    if (kExpected[kind]) assert_string_equal(chosen, kExpected[kind]);
    /* The pages are in the chosen encoding. */
    int pq = !strcmp(chosen, "PLAIN") ? 0 : !strcmp(chosen, "RLE_DICTIONARY") ? 8 : !strcmp(chosen, "DELTA_BINARY_PACKED") ? 5
             : !strcmp(chosen, "DELTA_LENGTH_BYTE_ARRAY") ? 6 : !strcmp(chosen, "DELTA_BYTE_ARRAY") ? 7 : 9;
    assert_true(page_encodings & (1u << pq));
    /* Stationary data: the sample's verdict holds for the whole column. */
    assert_true(adaptive <= best_fixed + best_fixed / 50);
    free(log.text);
  }
}

/* A map entry pins its column; the strategy applies to the others only. */
static void test_map_entries_win_over_adaptive(void** state) {
  (void)state;
  event_log log = {0};
  uint32_t encodings = 0;
  column_bytes(KIND_STEP_INT, 40000, ARTEMIS_ENCODING_STRATEGY_ADAPTIVE, ARTEMIS_ENCODING_PLAIN, &log, &encodings);
  assert_int_equal(log.chosen, 0);
  assert_int_equal(encodings, 1u << 0);
  free(log.text);
}

static void test_option_validation(void** state) {
  (void)state;
  tb_col* col = tb_col_new("x", "l", 0);
  struct ArrowSchema schema;
  tb_schema(&col, 1, &schema);
  char p[512];
  snprintf(p, sizeof p, "%s/bad.parquet", tmpdir);
  struct {
    int threads;
    int strategy;
    int64_t sample_rows;
    const char* message;
  } cases[] = {{0, 0, 100, "threads"},     {257, 0, 100, "threads"}, {1, 2, 100, "strategy"},
               {1, -1, 100, "strategy"},   {1, 1, 0, "adaptive_sample_rows"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    artemis_writer_options o;
    artemis_writer_options_init(&o);
    o.threads = cases[i].threads;
    o.encoding_strategy = (artemis_encoding_strategy)cases[i].strategy;
    o.adaptive_sample_rows = cases[i].sample_rows;
    artemis_writer* w = NULL;
    artemis_error err;
    assert_int_equal(artemis_writer_open(&w, p, &schema, &o, &err), ARTEMIS_E_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, cases[i].message));
    assert_null(w);
  }
  /* Version 1 options (built against the previous header) are refused, not misread. */
  artemis_writer_options o;
  artemis_writer_options_init(&o);
  o.version = 1;
  artemis_writer* w = NULL;
  assert_int_equal(artemis_writer_open(&w, p, &schema, &o, NULL), ARTEMIS_E_INVALID_ARGUMENT);
  schema.release(&schema);
  tb_col_free(col);
}

/* ---- allocation failures with workers ---------------------------------------------------- */

static int threaded_small_write(test_nth_failure* fa, const char* p) {
  artemis_allocator alloc = test_nth_failure_allocator(fa);
  tb_col* cols[4] = {tb_col_new("s", "u", 1), tb_col_new("i", "l", 0), tb_col_new("d", "g", 1), tb_col_new("t", "u", 0)};
  struct ArrowSchema schema;
  tb_schema(cols, 4, &schema);
  artemis_writer_options o;
  artemis_writer_options_init(&o);
  o.allocator = &alloc;
  o.threads = 2;
  o.encoding_strategy = ARTEMIS_ENCODING_STRATEGY_ADAPTIVE;
  o.adaptive_sample_rows = 50;
  o.data_page_max_rows = 100;
  o.row_group_target_bytes = 8192;
  o.durable = 0;
  artemis_writer* w = NULL;
  artemis_error err;
  int rc = artemis_writer_open(&w, p, &schema, &o, &err);
  for (int b = 0; rc == ARTEMIS_OK && b < 3; b++) {
    for (int r = 0; r < 300; r++) {
      char s[48];
      snprintf(s, sizeof s, "v%d", r % 37);
      if (r % 11 == 0) tb_null(cols[0]); else tb_str(cols[0], s);
      tb_int(cols[1], r * 3);
      if (r % 7 == 0) tb_null(cols[2]); else tb_f64(cols[2], r / 3.0);
      snprintf(s, sizeof s, "s3://bucket/key/%06d", b * 1000 + r);
      tb_str(cols[3], s);
    }
    struct ArrowArray batch;
    tb_batch(cols, 4, 0, &batch, NULL);
    rc = artemis_writer_write(w, &batch, &err);
    batch.release(&batch);
  }
  if (rc == ARTEMIS_OK) {
    rc = artemis_writer_close(w, NULL, &err);
  } else if (w) {
    artemis_writer_abort(w);
  }
  if (rc != ARTEMIS_OK) assert_int_equal(rc, ARTEMIS_E_NOMEM);
  schema.release(&schema);
  for (int i = 0; i < 4; i++) tb_col_free(cols[i]);
  return rc;
}

static void test_allocation_failure_sweep_with_workers(void** state) {
  (void)state;
  char p[512], inprogress[600];
  snprintf(p, sizeof p, "%s/sweep.parquet", tmpdir);
  snprintf(inprogress, sizeof inprogress, "%s.inprogress", p);
  test_nth_failure fa = {0, -1, 0};
  assert_int_equal(threaded_small_write(&fa, p), ARTEMIS_OK);
  assert_int_equal(fa.live, 0);
  unlink(p);
  int64_t total = fa.calls;
  assert_true(total > 50);
  for (int64_t n = 1; n <= total; n++) {
    test_nth_failure f = {0, n, 0};
    int rc = threaded_small_write(&f, p);
    assert_int_equal(f.live, 0);
    struct stat st;
    if (rc == ARTEMIS_OK) {
      unlink(p);
    } else {
      assert_int_not_equal(stat(p, &st), 0);
      assert_int_not_equal(stat(inprogress, &st), 0);
    }
  }
  print_message("allocation failure injected at each of %lld calls (2 threads, adaptive): all clean\n", (long long)total);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_thread_count_does_not_change_bytes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_adaptive_choices, setup, teardown),
      cmocka_unit_test_setup_teardown(test_map_entries_win_over_adaptive, setup, teardown),
      cmocka_unit_test_setup_teardown(test_option_validation, setup, teardown),
      cmocka_unit_test_setup_teardown(test_allocation_failure_sweep_with_workers, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
