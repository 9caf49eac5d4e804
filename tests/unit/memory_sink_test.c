/* The in-memory sink (src/publish/memory_sink.c) and the writer's sink seam
 * (artemis_writer_open_with_sink, src/file/writer_internal.h): the bytes do not depend on
 * the sink, every allocation failure is clean, and the sink's own contract (growth, cap,
 * calls after a failure, ownership on every path) holds. */
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
#include "file/writer_internal.h"
#include "publish/sink.h"
#include "support/table_builder.h"
#include "support/test_allocators.h"

static char tmpdir[256];
static char path[512];

static int setup(void** state) {
  (void)state;
  snprintf(tmpdir, sizeof tmpdir, "/tmp/artemis-memory-sink-test-XXXXXX");
  if (!mkdtemp(tmpdir)) return -1;
  snprintf(path, sizeof path, "%s/out.parquet", tmpdir);
  return 0;
}

static int teardown(void** state) {
  (void)state;
  unlink(path);
  rmdir(tmpdir);
  return 0;
}

static uint8_t* read_file(const char* p, size_t* len) {
  FILE* f = fopen(p, "rb");
  assert_non_null(f);
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  long n = ftell(f);
  assert_true(n > 0);
  rewind(f);
  uint8_t* bytes = malloc((size_t)n);
  assert_non_null(bytes);
  assert_int_equal(fread(bytes, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *len = (size_t)n;
  return bytes;
}

/* ---- the same canonical write, to a file and to memory ------------------------------- */

/* Canonical rows (artemis preset, ZSTD, small row groups so that several reach the output)
 * written to `path` when `output` is NULL, else into a memory sink over `sink_mem`. */
static void canonical_write(artemis_memory_output* output, artemis_mem* sink_mem, int threads) {
  artemis_sample_options so;
  artemis_sample_options_init(&so);
  so.total_rows = 30000;
  so.batch_rows = 7000;
  artemis_sample* sample;
  assert_int_equal(artemis_sample_open(&sample, &so, NULL), ARTEMIS_OK);
  struct ArrowSchema schema;
  assert_int_equal(artemis_sample_schema(&schema, NULL), ARTEMIS_OK);
  artemis_writer_options o;
  artemis_writer_options_init(&o);
  artemis_writer_options_use_artemis_preset(&o);
  o.row_group_target_bytes = 1 << 20;
  o.durable = 0;
  o.threads = threads;
  artemis_writer* w;
  artemis_error err;
  if (output) {
    artemis_sink* sink;
    assert_int_equal(artemis_memory_sink_open(&sink, sink_mem, 0, output, &err), ARTEMIS_OK);
    assert_int_equal(artemis_writer_open_with_sink(&w, sink, &schema, &o, &err), ARTEMIS_OK);
  } else {
    assert_int_equal(artemis_writer_open(&w, path, &schema, &o, &err), ARTEMIS_OK);
  }
  struct ArrowArray batch;
  while (artemis_sample_next(sample, &batch, NULL) == ARTEMIS_OK) {
    assert_int_equal(artemis_writer_write(w, &batch, &err), ARTEMIS_OK);
    batch.release(&batch);
  }
  artemis_write_summary* s;
  assert_int_equal(artemis_writer_close(w, &s, &err), ARTEMIS_OK);
  assert_int_equal(s->rows, 30000);
  assert_true(s->row_groups >= 3);
  if (output) assert_int_equal(s->file_bytes, (int64_t)output->len);
  artemis_write_summary_free(s);
  schema.release(&schema);
  artemis_sample_close(sample);
}

static void test_memory_output_is_byte_identical_to_file(void** state) {
  (void)state;
  canonical_write(NULL, NULL, 1);
  size_t file_len;
  uint8_t* file_bytes = read_file(path, &file_len);

  tracked_mem env;
  tracked_mem_init(&env, -1);
  for (int threads = 1; threads <= 2; threads++) {
    artemis_memory_output out;
    canonical_write(&out, &env.mem, threads);
    assert_ptr_equal(out.mem, &env.mem);
    assert_int_equal(out.len, file_len);
    assert_memory_equal(out.data, file_bytes, file_len);
    /* The output, trimmed to its length, is all the sink's mem still holds. */
    assert_int_equal(env.mem.live_bytes, (int64_t)out.len);
    artemis_memory_output_free(&out);
    assert_null(out.data);
    assert_int_equal(env.mem.live_bytes, 0);
  }
  print_message("%zu bytes, identical through the file sink and the memory sink (1 and 2 threads)\n", file_len);
  free(file_bytes);
}

/* ---- allocation failure sweep -------------------------------------------------------- */

/* Three columns, three batches, small pages and row groups; writer and sink share one
 * allocator, so the sweep fails every allocation of both. */
static int small_write(test_nth_failure* fa, artemis_memory_output* out) {
  artemis_allocator alloc = test_nth_failure_allocator(fa);
  artemis_mem sink_mem;
  artemis_mem_init(&sink_mem, &alloc);
  tb_col* cols[3] = {tb_col_new("s", "u", 1), tb_col_new("i", "l", 0), tb_col_new("d", "g", 1)};
  struct ArrowSchema schema;
  tb_schema(cols, 3, &schema);
  artemis_writer_options o;
  artemis_writer_options_init(&o);
  o.allocator = &alloc;
  o.data_page_max_rows = 100;
  o.row_group_target_bytes = 8192;
  artemis_writer* w = NULL;
  artemis_error err;
  artemis_sink* sink = NULL;
  int rc = artemis_memory_sink_open(&sink, &sink_mem, 0, out, &err);
  if (rc == ARTEMIS_OK) rc = artemis_writer_open_with_sink(&w, sink, &schema, &o, &err);
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
  if (rc != ARTEMIS_OK) {
    assert_int_equal(rc, ARTEMIS_E_NOMEM);
    assert_null(out->data); /* nothing published */
    assert_int_equal(sink_mem.live_bytes, 0);
  } else {
    /* The copy to compare with survives the allocator; the output itself goes back. (A
     * refused trim at publish keeps the larger block: >=.) */
    assert_true(sink_mem.live_bytes >= (int64_t)out->len);
    uint8_t* copy = malloc(out->len);
    assert_non_null(copy);
    memcpy(copy, out->data, out->len);
    artemis_memory_output_free(out);
    out->data = copy;
  }
  schema.release(&schema);
  for (int i = 0; i < 3; i++) tb_col_free(cols[i]);
  return rc;
}

static void test_allocation_failure_sweep(void** state) {
  (void)state;
  test_nth_failure fa = {0, -1, 0};
  artemis_memory_output reference;
  assert_int_equal(small_write(&fa, &reference), ARTEMIS_OK);
  assert_int_equal(fa.live, 0);
  int64_t total = fa.calls;
  assert_true(total > 10);
  int64_t completed = 0;
  for (int64_t n = 1; n <= total; n++) {
    test_nth_failure f = {0, n, 0};
    artemis_memory_output out;
    int rc = small_write(&f, &out);
    assert_int_equal(f.live, 0); /* nothing leaked, the sink's buffer included */
    if (rc == ARTEMIS_OK) {
      /* Only a failure the writer absorbs without a trace may still succeed. */
      assert_int_equal(out.len, reference.len);
      assert_memory_equal(out.data, reference.data, reference.len);
      free(out.data);
      completed++;
    }
  }
  free(reference.data);
  print_message("allocation failure injected at each of %lld calls (writer + memory sink): all clean, %lld completed\n",
                (long long)total, (long long)completed);
}

/* ---- the sink on its own ------------------------------------------------------------- */

static void test_sink_appends_across_growth(void** state) {
  (void)state;
  tracked_mem env;
  tracked_mem_init(&env, -1);
  artemis_memory_output out;
  artemis_sink* sink;
  artemis_error err;
  assert_int_equal(artemis_memory_sink_open(&sink, &env.mem, 0, &out, &err), ARTEMIS_OK);
  /* Writes of 1 .. 700 bytes: far past the first block and several doublings. */
  size_t total = 0;
  uint8_t chunk[700];
  for (size_t n = 1; n <= 700; n++) {
    for (size_t i = 0; i < n; i++) chunk[i] = (uint8_t)(total + i);
    assert_int_equal(artemis_sink_write(sink, chunk, n, &err), ARTEMIS_OK);
    total += n;
    assert_int_equal(sink->offset, (int64_t)total);
  }
  assert_int_equal(artemis_sink_write(sink, NULL, 0, &err), ARTEMIS_OK); /* empty write: nothing */
  assert_null(out.data); /* not visible before publish */
  assert_int_equal(artemis_sink_publish(sink, &err), ARTEMIS_OK);
  assert_int_equal(out.len, total);
  for (size_t i = 0; i < total; i++) assert_int_equal(out.data[i], (uint8_t)i);
  artemis_memory_output_free(&out);
  assert_int_equal(env.mem.live_bytes, 0);
}

static void test_cap_and_failed_sink(void** state) {
  (void)state;
  tracked_mem env;
  tracked_mem_init(&env, -1);
  artemis_memory_output out;
  artemis_sink* sink;
  artemis_error err;
  assert_int_equal(artemis_memory_sink_open(&sink, &env.mem, 100, &out, &err), ARTEMIS_OK);
  int64_t empty_sink = env.mem.live_bytes;
  uint8_t bytes[64] = {0};
  assert_int_equal(artemis_sink_write(sink, bytes, 64, &err), ARTEMIS_OK);
  assert_int_equal(artemis_sink_write(sink, bytes, 36, &err), ARTEMIS_OK); /* exactly the cap */
  assert_int_equal(artemis_sink_write(sink, bytes, 1, &err), ARTEMIS_E_LIMIT);
  assert_int_equal(err.offset, 100);
  assert_non_null(strstr(err.message, "at byte 100"));
  assert_non_null(strstr(err.message, "100-byte cap"));
  /* The buffer went back at the failure; the sink only waits to be freed. */
  assert_int_equal(env.mem.live_bytes, empty_sink);
  assert_int_equal(artemis_sink_write(sink, bytes, 1, &err), ARTEMIS_E_STATE);
  assert_int_equal(artemis_sink_publish(sink, &err), ARTEMIS_E_STATE);
  assert_null(out.data);
  assert_int_equal(env.mem.live_bytes, 0);

  /* Out of memory while growing: ARTEMIS_E_NOMEM naming the offset, then discard frees. */
  tracked_mem tight;
  tracked_mem_init(&tight, 2); /* the sink and its first block */
  assert_int_equal(artemis_memory_sink_open(&sink, &tight.mem, 0, &out, &err), ARTEMIS_OK);
  static uint8_t big[100 * 1024];
  assert_int_equal(artemis_sink_write(sink, big, 1000, &err), ARTEMIS_OK);
  assert_int_equal(artemis_sink_write(sink, big, sizeof big, &err), ARTEMIS_E_NOMEM);
  assert_int_equal(err.offset, 1000);
  artemis_sink_discard(sink);
  assert_int_equal(tight.mem.live_bytes, 0);

  /* Discard of a healthy sink frees everything; publish of an empty one gives no bytes. */
  assert_int_equal(artemis_memory_sink_open(&sink, &env.mem, 0, &out, &err), ARTEMIS_OK);
  assert_int_equal(artemis_sink_write(sink, bytes, 10, &err), ARTEMIS_OK);
  artemis_sink_discard(sink);
  assert_null(out.data);
  assert_int_equal(env.mem.live_bytes, 0);
  assert_int_equal(artemis_memory_sink_open(&sink, &env.mem, 0, &out, &err), ARTEMIS_OK);
  assert_int_equal(artemis_sink_publish(sink, &err), ARTEMIS_OK);
  assert_null(out.data);
  assert_int_equal(out.len, 0);
  artemis_memory_output_free(&out);
  assert_int_equal(env.mem.live_bytes, 0);
}

static void noop_release_schema(struct ArrowSchema* s) { s->release = NULL; }

/* The writer owns the sink from the call on: a refused open frees it (cmocka's tracked
 * allocator would report the leak otherwise). */
static void test_open_with_sink_takes_ownership_on_failure(void** state) {
  (void)state;
  tracked_mem env;
  tracked_mem_init(&env, -1);
  artemis_memory_output out;
  artemis_sink* sink;
  artemis_writer* w = NULL;
  artemis_error err;
  tb_col* col = tb_col_new("x", "l", 0);
  struct ArrowSchema schema;
  tb_schema(&col, 1, &schema);

  /* Not fresh. */
  assert_int_equal(artemis_memory_sink_open(&sink, &env.mem, 0, &out, &err), ARTEMIS_OK);
  assert_int_equal(artemis_sink_write(sink, "x", 1, &err), ARTEMIS_OK);
  assert_int_equal(artemis_writer_open_with_sink(&w, sink, &schema, NULL, &err), ARTEMIS_E_INVALID_ARGUMENT);
  assert_null(w);
  assert_int_equal(env.mem.live_bytes, 0);

  /* Refused before the writer exists (bad options), and after (bad column type). */
  artemis_writer_options o;
  artemis_writer_options_init(&o);
  o.threads = 0;
  assert_int_equal(artemis_memory_sink_open(&sink, &env.mem, 0, &out, &err), ARTEMIS_OK);
  assert_int_equal(artemis_writer_open_with_sink(&w, sink, &schema, &o, &err), ARTEMIS_E_INVALID_ARGUMENT);
  assert_int_equal(env.mem.live_bytes, 0);
  struct ArrowSchema child = {"+r", "run_ends", NULL, ARROW_FLAG_NULLABLE, 0, NULL, NULL, noop_release_schema, NULL};
  struct ArrowSchema* children[1] = {&child};
  struct ArrowSchema bad = {"+s", "", NULL, 0, 1, children, NULL, noop_release_schema, NULL};
  assert_int_equal(artemis_memory_sink_open(&sink, &env.mem, 0, &out, &err), ARTEMIS_OK);
  int rc = artemis_writer_open_with_sink(&w, sink, &bad, NULL, &err);
  assert_int_equal(rc, ARTEMIS_E_UNSUPPORTED);
  assert_null(w);
  assert_int_equal(env.mem.live_bytes, 0);

  /* Abort discards it. */
  assert_int_equal(artemis_memory_sink_open(&sink, &env.mem, 0, &out, &err), ARTEMIS_OK);
  assert_int_equal(artemis_writer_open_with_sink(&w, sink, &schema, NULL, &err), ARTEMIS_OK);
  assert_true(env.mem.live_bytes > 0); /* PAR1 is in the buffer */
  artemis_writer_abort(w);
  assert_null(out.data);
  assert_int_equal(env.mem.live_bytes, 0);

  schema.release(&schema);
  tb_col_free(col);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_memory_output_is_byte_identical_to_file, setup, teardown),
      cmocka_unit_test(test_allocation_failure_sweep),
      cmocka_unit_test(test_sink_appends_across_growth),
      cmocka_unit_test(test_cap_and_failed_sink),
      cmocka_unit_test(test_open_with_sink_takes_ownership_on_failure),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
