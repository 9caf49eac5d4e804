/* The public writer API: schema and configuration errors at open, validation of foreign
 * batches, conflicts, abort/crash leaving nothing at the final path, row-group slicing,
 * bounded memory, and an allocation-failure sweep. Values read back by independent
 * readers are checked by the interop tests; this file checks behaviour. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "artemis/artemis.h"
#include "support/canonical_child.h"
#include "support/table_builder.h"
#include "support/test_allocators.h"

static char tmpdir[256];
static char path[512];
static char inprogress[600];

static int setup(void** state) {
  (void)state;
  snprintf(tmpdir, sizeof tmpdir, "/tmp/artemis-writer-test-XXXXXX");
  if (!mkdtemp(tmpdir)) return -1;
  snprintf(path, sizeof path, "%s/out.parquet", tmpdir);
  snprintf(inprogress, sizeof inprogress, "%s.inprogress", path);
  return 0;
}

static int teardown(void** state) {
  (void)state;
  unlink(path);
  unlink(inprogress);
  rmdir(tmpdir);
  return 0;
}

static int exists(const char* p) {
  struct stat st;
  return stat(p, &st) == 0;
}

static void assert_nothing_on_disk(void) {
  assert_false(exists(path));
  assert_false(exists(inprogress));
}

/* A one-column schema of `format`. */
static void one_column_schema(const char* format, int nullable, struct ArrowSchema* out) {
  tb_col* c = tb_col_new("x", format, nullable);
  tb_schema(&c, 1, out);
  tb_col_free(c);
}

/* ---- open: unsupported types and configuration ------------------------------------- */

static struct ArrowSchema* g_children[1];
static void noop_release_schema(struct ArrowSchema* s) { s->release = NULL; }

static int open_with_format(const char* format, artemis_error* err) {
  struct ArrowSchema child = {format, "col_a", NULL, ARROW_FLAG_NULLABLE, 0, NULL, NULL, noop_release_schema, NULL};
  g_children[0] = &child;
  struct ArrowSchema root = {"+s", "", NULL, 0, 1, g_children, NULL, noop_release_schema, NULL};
  artemis_writer* w = NULL;
  int rc = artemis_writer_open(&w, path, &root, NULL, err);
  if (rc == ARTEMIS_OK) artemis_writer_abort(w);
  return rc;
}

static void test_unsupported_types_are_clear_errors(void** state) {
  (void)state;
  const char* formats[] = {"+l", "+L", "+s", "+m", "+ud:0,1", "+us:0", "+r", "tDs", "tiM", "d:77,2,256", "d:10,2,32", "d:19,2,64"};
  for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
    artemis_error err;
    int rc = open_with_format(formats[i], &err);
    assert_int_equal(rc, ARTEMIS_E_UNSUPPORTED);
    assert_int_equal(err.code, ARTEMIS_E_UNSUPPORTED);
    assert_int_equal(err.column, 0);
    assert_non_null(strstr(err.message, "col_a"));
    assert_non_null(strstr(err.message, "unsupported type"));
    assert_nothing_on_disk();
  }
  artemis_error err;
  assert_int_equal(open_with_format("q", &err), ARTEMIS_E_UNSUPPORTED);
  assert_int_equal(open_with_format("w:x", &err), ARTEMIS_E_INVALID_INPUT);
  assert_int_equal(open_with_format("d:9", &err), ARTEMIS_E_INVALID_INPUT);
  assert_int_equal(open_with_format("d:9,2,48", &err), ARTEMIS_E_INVALID_INPUT);
  /* Stored since decimal32/64/256 and the null type gained Parquet mappings. */
  assert_int_equal(open_with_format("d:76,2,256", &err), ARTEMIS_OK);
  assert_int_equal(open_with_format("d:9,2,32", &err), ARTEMIS_OK);
  assert_int_equal(open_with_format("d:18,2,64", &err), ARTEMIS_OK);
  assert_int_equal(open_with_format("n", &err), ARTEMIS_OK);
}

static void test_schema_shape_errors(void** state) {
  (void)state;
  struct ArrowSchema not_struct;
  one_column_schema("i", 0, &not_struct);
  artemis_writer* w = NULL;
  artemis_error err;
  /* The child (format "i") passed as the root. */
  assert_int_equal(artemis_writer_open(&w, path, not_struct.children[0], NULL, &err), ARTEMIS_E_INVALID_ARGUMENT);
  not_struct.release(&not_struct);
  tb_col* cols[2] = {tb_col_new("dup", "i", 0), tb_col_new("dup", "l", 0)};
  struct ArrowSchema dup;
  tb_schema(cols, 2, &dup);
  assert_int_equal(artemis_writer_open(&w, path, &dup, NULL, &err), ARTEMIS_E_UNSUPPORTED);
  assert_non_null(strstr(err.message, "both named \"dup\""));
  dup.release(&dup);
  tb_col_free(cols[0]);
  tb_col_free(cols[1]);
  assert_nothing_on_disk();
}

static void test_config_errors(void** state) {
  (void)state;
  struct ArrowSchema schema;
  assert_int_equal(artemis_sample_schema(&schema, NULL), ARTEMIS_OK);
  struct {
    artemis_column_option opt;
    int expected;
  } cases[] = {
      {{"mission_id", ARTEMIS_ENCODING_BYTE_STREAM_SPLIT, 0}, ARTEMIS_E_CONFIG},
      {{"panel_voltage", ARTEMIS_ENCODING_DELTA_BINARY_PACKED, 0}, ARTEMIS_E_CONFIG},
      {{"payload_id", ARTEMIS_ENCODING_DELTA_BYTE_ARRAY, 0}, ARTEMIS_E_CONFIG},
      {{"sample_timestamp_ns", ARTEMIS_ENCODING_DELTA_LENGTH_BYTE_ARRAY, 0}, ARTEMIS_E_CONFIG},
      {{"no_such_column", ARTEMIS_ENCODING_PLAIN, 0}, ARTEMIS_E_CONFIG},
      {{"no_such_column", ARTEMIS_ENCODING_PLAIN, ARTEMIS_COLUMN_IF_PRESENT}, ARTEMIS_OK},
      {{"notes", ARTEMIS_ENCODING_DELTA_LENGTH_BYTE_ARRAY, 0}, ARTEMIS_OK},
      {{"quality_flag", ARTEMIS_ENCODING_DELTA_BINARY_PACKED, 0}, ARTEMIS_OK},
      {{"quality_flag", (artemis_column_encoding)99, 0}, ARTEMIS_E_CONFIG},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    artemis_writer_options o;
    artemis_writer_options_init(&o);
    o.columns = &cases[i].opt;
    o.column_count = 1;
    artemis_writer* w = NULL;
    artemis_error err;
    int rc = artemis_writer_open(&w, path, &schema, &o, &err);
    assert_int_equal(rc, cases[i].expected);
    if (rc == ARTEMIS_OK) {
      artemis_writer_abort(w);
    } else {
      assert_non_null(strstr(err.message, cases[i].opt.column));
    }
    assert_nothing_on_disk();
  }
  /* Boolean columns have no dictionary encoding. */
  struct ArrowSchema b;
  one_column_schema("b", 1, &b);
  artemis_column_option dict = {"x", ARTEMIS_ENCODING_DICTIONARY, 0};
  artemis_writer_options o;
  artemis_writer_options_init(&o);
  o.columns = &dict;
  o.column_count = 1;
  artemis_writer* w = NULL;
  assert_int_equal(artemis_writer_open(&w, path, &b, &o, NULL), ARTEMIS_E_CONFIG);
  b.release(&b);
  /* Option values. */
  artemis_writer_options_init(&o);
  o.row_group_target_bytes = 0;
  assert_int_equal(artemis_writer_open(&w, path, &schema, &o, NULL), ARTEMIS_E_INVALID_ARGUMENT);
  artemis_writer_options_init(&o);
  o.compression_level = 99;
  assert_int_equal(artemis_writer_open(&w, path, &schema, &o, NULL), ARTEMIS_E_INVALID_ARGUMENT);
  artemis_writer_options_init(&o);
  o.version = 0;
  assert_int_equal(artemis_writer_open(&w, path, &schema, &o, NULL), ARTEMIS_E_INVALID_ARGUMENT);
  schema.release(&schema);
  assert_nothing_on_disk();
}

/* A canonical sample of `rows` rows in batches of `batch_rows`, its schema (caller
 * releases), and writer options with the artemis preset. */
static artemis_sample* open_canonical(int64_t rows, int64_t batch_rows, struct ArrowSchema* schema,
                                      artemis_writer_options* o) {
  artemis_sample_options so;
  artemis_sample_options_init(&so);
  so.total_rows = rows;
  so.batch_rows = batch_rows;
  artemis_sample* sample;
  assert_int_equal(artemis_sample_open(&sample, &so, NULL), ARTEMIS_OK);
  assert_int_equal(artemis_sample_schema(schema, NULL), ARTEMIS_OK);
  artemis_writer_options_init(o);
  artemis_writer_options_use_artemis_preset(o);
  return sample;
}

/* The preset applied to the canonical schema gives exactly the briefing's map. */
static void test_preset_on_canonical_schema(void** state) {
  (void)state;
  size_t n;
  const artemis_column_option* preset = artemis_artemis_preset(&n);
  assert_int_equal(n, 12);
  struct ArrowSchema schema;
  artemis_writer_options o;
  artemis_sample* sample = open_canonical(30000, 10000, &schema, &o);
  artemis_writer* w;
  artemis_error err;
  assert_int_equal(artemis_writer_open(&w, path, &schema, &o, &err), ARTEMIS_OK);
  struct ArrowArray batch;
  while (artemis_sample_next(sample, &batch, NULL) == ARTEMIS_OK) {
    assert_int_equal(artemis_writer_write(w, &batch, &err), ARTEMIS_OK);
    batch.release(&batch);
  }
  artemis_write_summary* s;
  assert_int_equal(artemis_writer_close(w, &s, &err), ARTEMIS_OK);
  assert_int_equal(s->rows, 30000);
  assert_int_equal(s->column_count, 12);
  struct {
    const char* column;
    uint32_t data_page_encodings;
  } expected[] = {
      {"sample_timestamp_ns", 1u << 5}, {"sequence_number", 1u << 5}, {"panel_voltage", 1u << 9},
      {"temperature_c", 1u << 9},       {"pressure_kpa", 1u << 9},    {"archive_uri", 1u << 7},
      {"object_path", 1u << 7},         {"mission_id", 1u << 8},      {"payload_id", 1u << 8},
      {"sensor_kind", 1u << 8},         {"quality_flag", 1u << 8},    {"notes", 1u << 8},
  };
  for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
    int found = 0;
    for (size_t c = 0; c < s->column_count; c++) {
      if (strcmp(s->columns[c].name, expected[i].column) != 0) continue;
      found = 1;
      assert_int_equal(s->columns[c].data_page_encodings, expected[i].data_page_encodings);
      /* The preset's entries name exactly these columns with this intent. */
      int in_preset = 0;
      for (size_t k = 0; k < n; k++) in_preset |= !strcmp(preset[k].column, expected[i].column);
      assert_true(in_preset);
    }
    assert_true(found);
  }
  artemis_write_summary_free(s);
  schema.release(&schema);
  artemis_sample_close(sample);
  assert_true(exists(path));
  assert_false(exists(inprogress));
  unlink(path);
}

/* ---- batch validation -------------------------------------------------------------- */

typedef void (*corrupt_fn)(struct ArrowArray* batch);

static void corrupt_offsets(struct ArrowArray* b) {
  int32_t* off = (int32_t*)(uintptr_t)b->children[0]->buffers[1];
  off[2] = off[1] - 1; /* decreasing */
}
static void corrupt_negative_length(struct ArrowArray* b) { b->children[0]->length = -1; }
static void corrupt_short_child(struct ArrowArray* b) { b->children[0]->length = b->length - 1; }
static void corrupt_buffer_count(struct ArrowArray* b) { b->children[0]->n_buffers = 2; }
static void corrupt_null_data(struct ArrowArray* b) { b->children[0]->buffers[2] = NULL; }
static void corrupt_null_offsets(struct ArrowArray* b) { b->children[0]->buffers[1] = NULL; }
static void corrupt_nulls_without_bitmap(struct ArrowArray* b) {
  b->children[0]->null_count = 3;
  b->children[0]->buffers[0] = NULL;
}
static void corrupt_children(struct ArrowArray* b) { b->n_children = 2; }
static void corrupt_released(struct ArrowArray* b) { b->release = NULL; }

static void test_invalid_batches_rejected_whole(void** state) {
  (void)state;
  corrupt_fn corruptions[] = {corrupt_offsets, corrupt_negative_length, corrupt_short_child, corrupt_buffer_count,
                              corrupt_null_data, corrupt_null_offsets, corrupt_nulls_without_bitmap, corrupt_children,
                              corrupt_released};
  for (size_t i = 0; i < sizeof corruptions / sizeof corruptions[0]; i++) {
    tb_col* c = tb_col_new("s", "u", 0);
    struct ArrowSchema schema;
    tb_schema(&c, 1, &schema);
    artemis_writer* w;
    assert_int_equal(artemis_writer_open(&w, path, &schema, NULL, NULL), ARTEMIS_OK);
    for (int r = 0; r < 10; r++) tb_str(c, "value");
    struct ArrowArray batch;
    tb_batch(&c, 1, 0, &batch, NULL);
    void (*release)(struct ArrowArray*) = batch.release;
    corruptions[i](&batch);
    artemis_error err;
    int rc = artemis_writer_write(w, &batch, &err);
    assert_true(rc == ARTEMIS_E_INVALID_INPUT);
    assert_true(strlen(err.message) > 0);
    batch.release = release;
    batch.n_children = 1;
    batch.release(&batch);
    /* The writer is still usable and nothing of the bad batch was written. */
    assert_int_equal(artemis_writer_rows(w), 0);
    for (int r = 0; r < 5; r++) tb_str(c, "ok");
    tb_batch(&c, 1, 0, &batch, NULL);
    assert_int_equal(artemis_writer_write(w, &batch, &err), ARTEMIS_OK);
    batch.release(&batch);
    artemis_write_summary* s;
    assert_int_equal(artemis_writer_close(w, &s, &err), ARTEMIS_OK);
    assert_int_equal(s->rows, 5);
    artemis_write_summary_free(s);
    unlink(path);
    schema.release(&schema);
    tb_col_free(c);
  }
}

/* View arrays (the table builder puts values longer than 12 bytes in data buffers 0 and 1,
 * rows alternating): each corruption must reject the whole batch, naming the column. */
static void view_negative_length(struct ArrowArray* b) {
  int32_t n = -1;
  memcpy((uint8_t*)(uintptr_t)b->children[0]->buffers[1] + 16, &n, 4);
}
static void view_bad_buffer_index(struct ArrowArray* b) {
  int32_t idx = 2; /* only 0 and 1 exist */
  memcpy((uint8_t*)(uintptr_t)b->children[0]->buffers[1] + 8, &idx, 4);
}
static void view_offset_past_buffer(struct ArrowArray* b) {
  int32_t off = 1000;
  memcpy((uint8_t*)(uintptr_t)b->children[0]->buffers[1] + 12, &off, 4);
}
static void view_sizes_too_small(struct ArrowArray* b) {
  int64_t size = 3;
  memcpy((uint8_t*)(uintptr_t)b->children[0]->buffers[4], &size, 8);
}
static void view_no_sizes(struct ArrowArray* b) { b->children[0]->buffers[4] = NULL; }
static void view_too_few_buffers(struct ArrowArray* b) { b->children[0]->n_buffers = 2; }

static void test_invalid_views_rejected_whole(void** state) {
  (void)state;
  void (*corruptions[])(struct ArrowArray*) = {view_negative_length, view_bad_buffer_index, view_offset_past_buffer,
                                               view_sizes_too_small, view_no_sizes, view_too_few_buffers};
  for (size_t i = 0; i < sizeof corruptions / sizeof corruptions[0]; i++) {
    tb_col* c = tb_col_new("v", "vu", 1);
    struct ArrowSchema schema;
    tb_schema(&c, 1, &schema);
    artemis_writer* w;
    assert_int_equal(artemis_writer_open(&w, path, &schema, NULL, NULL), ARTEMIS_OK);
    tb_str(c, "a value longer than twelve bytes");     /* row 0: data buffer 0, offset 0 */
    tb_str(c, "another long value, in buffer one"); /* row 1: data buffer 1, offset 0 */
    tb_null(c);                                      /* row 2: a garbage view, never read */
    tb_str(c, "short");                              /* row 3: inline */
    struct ArrowArray batch;
    tb_batch(&c, 1, 0, &batch, NULL);
    int64_t n_buffers = batch.children[0]->n_buffers;
    const void* sizes = batch.children[0]->buffers[4];
    corruptions[i](&batch);
    artemis_error err;
    int rc = artemis_writer_write(w, &batch, &err);
    assert_int_equal(rc, ARTEMIS_E_INVALID_INPUT);
    assert_non_null(strstr(err.message, "\"v\""));
    batch.children[0]->n_buffers = n_buffers;
    batch.children[0]->buffers[4] = sizes;
    batch.release(&batch);
    assert_int_equal(artemis_writer_rows(w), 0);
    /* The writer is still usable: a good view batch (garbage in its null slot) is written. */
    tb_str(c, "a value longer than twelve bytes");
    tb_null(c);
    tb_str(c, "");
    tb_batch(&c, 1, 0, &batch, NULL);
    assert_int_equal(artemis_writer_write(w, &batch, &err), ARTEMIS_OK);
    batch.release(&batch);
    artemis_write_summary* s;
    assert_int_equal(artemis_writer_close(w, &s, &err), ARTEMIS_OK);
    assert_int_equal(s->rows, 3);
    assert_int_equal(s->columns[0].null_count, 1);
    artemis_write_summary_free(s);
    unlink(path);
    schema.release(&schema);
    tb_col_free(c);
  }
}

static int write_one(const char* format, int nullable, void (*fill)(tb_col*), artemis_error* err) {
  tb_col* c = tb_col_new("x", format, nullable);
  struct ArrowSchema schema;
  tb_schema(&c, 1, &schema);
  artemis_writer* w;
  assert_int_equal(artemis_writer_open(&w, path, &schema, NULL, NULL), ARTEMIS_OK);
  fill(c);
  struct ArrowArray batch;
  tb_batch(&c, 1, 0, &batch, NULL);
  int rc = artemis_writer_write(w, &batch, err);
  batch.release(&batch);
  artemis_writer_abort(w);
  schema.release(&schema);
  tb_col_free(c);
  return rc;
}

static void fill_with_null(tb_col* c) {
  tb_int(c, 1);
  tb_null(c);
}
static void fill_partial_day(tb_col* c) {
  tb_int(c, 86400000);
  tb_int(c, 86400001);
}
static void fill_wide_decimal(tb_col* c) { tb_decimal(c, 0, 10000000000ull); }
static void fill_seconds_overflow(tb_col* c) { tb_int(c, INT64_MAX / 100); }
static void fill_decimal_digits(tb_col* c) {
  tb_decimal(c, 0, 99999);   /* 999.99 fits decimal(5, 2) */
  tb_decimal(c, -1, (uint64_t)-99999);
  tb_decimal(c, 0, 100000);  /* 1000.00 has 6 digits */
}

static void test_invalid_values(void** state) {
  (void)state;
  artemis_error err;
  assert_int_equal(write_one("l", 0, fill_with_null, &err), ARTEMIS_E_INVALID_INPUT);
  assert_non_null(strstr(err.message, "not nullable"));
  assert_int_equal(write_one("tdm", 1, fill_partial_day, &err), ARTEMIS_E_INVALID_INPUT);
  assert_non_null(strstr(err.message, "row 1"));
  assert_int_equal(write_one("d:9,2", 1, fill_wide_decimal, &err), ARTEMIS_E_INVALID_INPUT);
  assert_int_equal(write_one("tss:", 1, fill_seconds_overflow, &err), ARTEMIS_E_INVALID_INPUT);
  assert_int_equal(write_one("d:5,2", 1, fill_decimal_digits, &err), ARTEMIS_E_INVALID_INPUT);
  assert_non_null(strstr(err.message, "row 2"));
  assert_non_null(strstr(err.message, "more than 5 digits"));
  assert_nothing_on_disk();
}

static void test_dictionary_index_out_of_range(void** state) {
  (void)state;
  tb_col* dict = tb_col_new("v", "u", 0);
  tb_str(dict, "a");
  tb_str(dict, "b");
  tb_col* c = tb_col_new_dict("x", "c", dict, 1);
  struct ArrowSchema schema;
  tb_schema(&c, 1, &schema);
  artemis_writer* w;
  assert_int_equal(artemis_writer_open(&w, path, &schema, NULL, NULL), ARTEMIS_OK);
  tb_int(c, 0);
  tb_int(c, 1);
  struct ArrowArray batch;
  tb_batch(&c, 1, 0, &batch, NULL);
  ((int8_t*)(uintptr_t)batch.children[0]->buffers[1])[1] = 2; /* past the 2-entry dictionary */
  artemis_error err;
  assert_int_equal(artemis_writer_write(w, &batch, &err), ARTEMIS_E_INVALID_INPUT);
  assert_non_null(strstr(err.message, "dictionary index 2"));
  batch.release(&batch);
  artemis_writer_abort(w);
  schema.release(&schema);
  tb_col_free(c);
  assert_nothing_on_disk();
}

/* ---- publish, conflicts, abort, crash ------------------------------------------------ */

static void test_conflicts_and_abort(void** state) {
  (void)state;
  struct ArrowSchema schema;
  one_column_schema("l", 0, &schema);
  artemis_writer* w;
  artemis_error err;
  /* A live writer's .inprogress blocks a second writer. */
  assert_int_equal(artemis_writer_open(&w, path, &schema, NULL, &err), ARTEMIS_OK);
  assert_true(exists(inprogress));
  assert_false(exists(path));
  artemis_writer* second;
  assert_int_equal(artemis_writer_open(&second, path, &schema, NULL, &err), ARTEMIS_E_CONFLICT);
  /* Abort discards. */
  artemis_writer_abort(w);
  assert_nothing_on_disk();
  /* An existing final file is never replaced. */
  int fd = open(path, O_WRONLY | O_CREAT, 0644);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, "keep", 4), 4);
  close(fd);
  assert_int_equal(artemis_writer_open(&w, path, &schema, NULL, &err), ARTEMIS_E_CONFLICT);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_size, 4);
  assert_false(exists(inprogress));
  unlink(path);
  /* The final path appearing while we write: close fails, nothing replaced, no temp left. */
  assert_int_equal(artemis_writer_open(&w, path, &schema, NULL, &err), ARTEMIS_OK);
  fd = open(path, O_WRONLY | O_CREAT, 0644);
  close(fd);
  assert_int_equal(artemis_writer_close(w, NULL, &err), ARTEMIS_E_CONFLICT);
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_size, 0);
  assert_false(exists(inprogress));
  unlink(path);
  schema.release(&schema);
}

/* A child writes part of a file and is killed (SIGKILL) mid-write; separately a child
 * exits without calling close. Either way: no final file, an .inprogress that starts with
 * PAR1 and has no footer. */
static void test_crash_leaves_only_inprogress(void** state) {
  (void)state;
  int hows[] = {SIGKILL, 0};
  for (int i = 0; i < 2; i++) {
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) canonical_child_write_then_die(path, 1000000, 20, hows[i]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (hows[i] == SIGKILL) {
      assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    } else {
      assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    assert_false(exists(path));
    assert_true(exists(inprogress));
    int fd = open(inprogress, O_RDONLY);
    assert_true(fd >= 0);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    assert_true(st.st_size > 1024); /* row groups were flushed before the crash */
    char head[4], tail[4];
    assert_int_equal(pread(fd, head, 4, 0), 4);
    assert_int_equal(pread(fd, tail, 4, st.st_size - 4), 4);
    close(fd);
    assert_memory_equal(head, "PAR1", 4);
    assert_memory_not_equal(tail, "PAR1", 4); /* no footer: readers reject it */
    /* The stale file blocks the next writer with a clear conflict. */
    struct ArrowSchema schema;
    assert_int_equal(artemis_sample_schema(&schema, NULL), ARTEMIS_OK);
    artemis_writer* w;
    artemis_error err;
    assert_int_equal(artemis_writer_open(&w, path, &schema, NULL, &err), ARTEMIS_E_CONFLICT);
    assert_non_null(strstr(err.message, "crashed or concurrent writer"));
    schema.release(&schema);
    unlink(inprogress);
  }
}

/* ---- row groups and memory ---------------------------------------------------------- */

typedef struct flush_log {
  int64_t flushed;
  int64_t rows;
  int published;
} flush_log;

static void log_events(const artemis_event* ev, void* payload) {
  flush_log* log = payload;
  if (ev->kind == ARTEMIS_EVENT_ROW_GROUP_FLUSHED) {
    log->flushed++;
    log->rows += ev->rows;
  }
  if (ev->kind == ARTEMIS_EVENT_FILE_PUBLISHED) log->published++;
}

/* Writes `rows` canonical rows in batches of `batch_rows` with a row-group target;
 * returns the summary's row-group count and the writer's peak tracked bytes. */
static void canonical_write(int64_t rows, int64_t batch_rows, int64_t target, int64_t* row_groups, int64_t* peak) {
  struct ArrowSchema schema;
  artemis_writer_options o;
  artemis_sample* sample = open_canonical(rows, batch_rows, &schema, &o);
  o.row_group_target_bytes = target;
  o.durable = 0;
  flush_log log = {0, 0, 0};
  o.on_event = log_events;
  o.event_payload = &log;
  artemis_writer* w;
  artemis_error err;
  assert_int_equal(artemis_writer_open(&w, path, &schema, &o, &err), ARTEMIS_OK);
  struct ArrowArray batch;
  int64_t max_peak = 0;
  while (artemis_sample_next(sample, &batch, NULL) == ARTEMIS_OK) {
    assert_int_equal(artemis_writer_write(w, &batch, &err), ARTEMIS_OK);
    batch.release(&batch);
    int64_t live, p;
    artemis_writer_memory(w, &live, &p);
    if (p > max_peak) max_peak = p;
  }
  artemis_write_summary* s;
  assert_int_equal(artemis_writer_close(w, &s, &err), ARTEMIS_OK);
  assert_int_equal(s->rows, rows);
  assert_int_equal(log.flushed, s->row_groups);
  assert_int_equal(log.rows, rows);
  assert_int_equal(log.published, 1);
  *row_groups = s->row_groups;
  *peak = max_peak;
  artemis_write_summary_free(s);
  schema.release(&schema);
  artemis_sample_close(sample);
  unlink(path);
}

static void test_large_batch_is_sliced_into_row_groups(void** state) {
  (void)state;
  int64_t rgs_small_batches, rgs_one_batch, peak_small, peak_one;
  /* About 215 Arrow bytes per canonical row: 200k rows ~ 43 MB -> ~10 row groups of 4 MiB,
   * whether the rows arrive in small batches or in a single batch. */
  canonical_write(200000, 10000, 4 << 20, &rgs_small_batches, &peak_small);
  canonical_write(200000, 200000, 4 << 20, &rgs_one_batch, &peak_one);
  assert_true(rgs_small_batches >= 8 && rgs_small_batches <= 14);
  assert_true(rgs_one_batch >= 8 && rgs_one_batch <= 14);
  /* One huge batch costs the writer no more memory than small ones (the batch itself is
   * the caller's). */
  print_message("peak tracked bytes: %lld (20 batches), %lld (one batch)\n", (long long)peak_small, (long long)peak_one);
  assert_true(peak_one < peak_small + peak_small / 10);
}

static void test_memory_does_not_grow_with_input(void** state) {
  (void)state;
  int64_t rgs1, rgs8, peak1, peak8;
  canonical_write(100000, 20000, 2 << 20, &rgs1, &peak1);
  canonical_write(800000, 20000, 2 << 20, &rgs8, &peak8);
  assert_true(rgs8 >= 7 * rgs1);
  /* Only the footer and page-index entries grow with the row-group count. */
  assert_true(peak8 < peak1 + peak1 / 5);
  print_message("peak tracked bytes: %lld (100k rows, %lld row groups), %lld (800k rows, %lld row groups)\n",
                (long long)peak1, (long long)rgs1, (long long)peak8, (long long)rgs8);
}

/* ---- allocation failure sweep -------------------------------------------------------- */

static int small_write(test_nth_failure* fa) {
  artemis_allocator alloc = test_nth_failure_allocator(fa);
  tb_col* cols[3] = {tb_col_new("s", "u", 1), tb_col_new("i", "l", 0), tb_col_new("d", "g", 1)};
  struct ArrowSchema schema;
  tb_schema(cols, 3, &schema);
  artemis_writer_options o;
  artemis_writer_options_init(&o);
  o.allocator = &alloc;
  o.data_page_max_rows = 100;
  o.row_group_target_bytes = 8192;
  artemis_column_option dbp = {"i", ARTEMIS_ENCODING_DELTA_BINARY_PACKED, 0};
  o.columns = &dbp;
  o.column_count = 1;
  artemis_writer* w = NULL;
  artemis_error err;
  int rc = artemis_writer_open(&w, path, &schema, &o, &err);
  for (int b = 0; rc == ARTEMIS_OK && b < 3; b++) {
    for (int r = 0; r < 400; r++) {
      char s[32];
      snprintf(s, sizeof s, "v%d", r % 37);
      if (r % 11 == 0) tb_null(cols[0]); else tb_str(cols[0], s);
      tb_int(cols[1], r * 3);
      if (r % 7 == 0) tb_null(cols[2]); else tb_f64(cols[2], r / 3.0);
    }
    struct ArrowArray batch;
    tb_batch(cols, 3, 0, &batch, NULL);
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
  for (int i = 0; i < 3; i++) tb_col_free(cols[i]);
  return rc;
}

static void test_allocation_failure_sweep(void** state) {
  (void)state;
  test_nth_failure fa = {0, -1, 0};
  assert_int_equal(small_write(&fa), ARTEMIS_OK);
  assert_int_equal(fa.live, 0);
  unlink(path);
  int64_t total = fa.calls;
  assert_true(total > 10);
  for (int64_t n = 1; n <= total; n++) {
    test_nth_failure f = {0, n, 0};
    int rc = small_write(&f);
    assert_int_equal(f.live, 0); /* nothing leaked */
    if (rc == ARTEMIS_OK) {
      unlink(path);
    } else {
      assert_nothing_on_disk();
    }
  }
  print_message("allocation failure injected at each of %lld calls: all clean\n", (long long)total);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_unsupported_types_are_clear_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_schema_shape_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_config_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_preset_on_canonical_schema, setup, teardown),
      cmocka_unit_test_setup_teardown(test_invalid_batches_rejected_whole, setup, teardown),
      cmocka_unit_test_setup_teardown(test_invalid_views_rejected_whole, setup, teardown),
      cmocka_unit_test_setup_teardown(test_invalid_values, setup, teardown),
      cmocka_unit_test_setup_teardown(test_dictionary_index_out_of_range, setup, teardown),
      cmocka_unit_test_setup_teardown(test_conflicts_and_abort, setup, teardown),
      cmocka_unit_test_setup_teardown(test_crash_leaves_only_inprogress, setup, teardown),
      cmocka_unit_test_setup_teardown(test_large_batch_is_sliced_into_row_groups, setup, teardown),
      cmocka_unit_test_setup_teardown(test_memory_does_not_grow_with_input, setup, teardown),
      cmocka_unit_test_setup_teardown(test_allocation_failure_sweep, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
