/* Fault injection at the writer level (issue 6, part 1): the real writer (open, write, close
 * on canonical telemetry, several row groups) with every system call of the publish
 * protocol failed in turn, and the hard memory cap (options.memory_limit_bytes).
 *
 * file_sink_test.c sweeps the same io_ops table on a synthetic sink-only workload; this file
 * checks what a caller of the public API sees: the error surfaces from whichever call hit
 * it (open, a write that flushed a row group, or close), with the errno and the step, and
 * afterwards nothing is on disk, no descriptor and no byte of memory is left. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "artemis/artemis.h"
#include "core/memory.h"
#include "publish/sink.h"
#include "stats/statistics.h"
#include "support/test_allocators.h"
#include "thrift/parquet_metadata.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* ---- counting allocator --------------------------------------------------------------- */

/* Counts live blocks and bytes through a size header, so "nothing leaked" is checked by the
 * allocator the writer was given, independently of the writer's own counters. The writer
 * serializes allocator calls under its lock, so no locking here. */
typedef struct counting {
  int64_t live_blocks;
  int64_t live_bytes;
} counting;

#define COUNT_HEADER 16

static void* count_alloc(void* ctx, size_t n) {
  counting* c = ctx;
  unsigned char* p = malloc(n + COUNT_HEADER);
  if (!p) return NULL;
  memcpy(p, &n, sizeof n);
  c->live_blocks++;
  c->live_bytes += (int64_t)n;
  return p + COUNT_HEADER;
}

static void* count_realloc(void* ctx, void* ptr, size_t n) {
  counting* c = ctx;
  if (!ptr) return count_alloc(ctx, n);
  unsigned char* block = (unsigned char*)ptr - COUNT_HEADER;
  size_t old;
  memcpy(&old, block, sizeof old);
  unsigned char* grown = realloc(block, n + COUNT_HEADER);
  if (!grown) return NULL;
  memcpy(grown, &n, sizeof n);
  c->live_bytes += (int64_t)n - (int64_t)old;
  return grown + COUNT_HEADER;
}

static void count_free(void* ctx, void* ptr) {
  counting* c = ctx;
  if (!ptr) return;
  unsigned char* block = (unsigned char*)ptr - COUNT_HEADER;
  size_t old;
  memcpy(&old, block, sizeof old);
  c->live_blocks--;
  c->live_bytes -= (int64_t)old;
  free(block);
}

/* ---- fault-injecting io table --------------------------------------------------------- */

typedef enum {
  OP_OPEN_DIR,
  OP_CREATE,
  OP_LOCK,
  OP_WRITE,
  OP_FSYNC,
  OP_CLOSE,
  OP_DUP,
  OP_RENAME,
  OP_LINK,
  OP_UNLINK,
  OP_EXISTS,
  OP_OPEN_EXISTING,
  OP_STAT_FD,
  OP_STAT_NAME,
  OP_COUNT
} op_id;

static const char* const kOpNames[OP_COUNT] = {"open_dir", "create_excl", "lock",          "write",   "fsync",
                                               "close",    "dup",         "rename",        "link",    "unlink",
                                               "exists",   "open_existing", "stat_fd",     "stat_name"};

typedef enum { SHORT_NONE, SHORT_ONE_BYTE, SHORT_HALF } short_kind;

static struct {
  int calls[OP_COUNT];
  op_id fail_op;
  int fail_nth; /* 1-based call of fail_op that fails with fail_errno; 0 = none */
  int fail_errno;
  int rename_unsupported; /* every rename fails with EINVAL: the link + unlink fallback */
  int short_nth;          /* this write call moves only part of its bytes */
  short_kind short_kind;
} g_io;

static void io_reset(void) { memset(&g_io, 0, sizeof g_io); }

static void inject(op_id op, int nth, int err) {
  g_io.fail_op = op;
  g_io.fail_nth = nth;
  g_io.fail_errno = err;
}

static int should_fail(op_id op) {
  int n = ++g_io.calls[op];
  if (g_io.fail_nth > 0 && g_io.fail_op == op && g_io.fail_nth == n) {
    errno = g_io.fail_errno;
    return 1;
  }
  return 0;
}

static const artemis_io_ops* real(void) { return artemis_default_io_ops(); }

static int fi_open_dir(const char* p) { return should_fail(OP_OPEN_DIR) ? -1 : real()->open_dir(p); }
static int fi_create_excl(int dirfd, const char* name, int mode) {
  return should_fail(OP_CREATE) ? -1 : real()->create_excl(dirfd, name, mode);
}
static int fi_lock(int fd) { return should_fail(OP_LOCK) ? -1 : real()->lock(fd); }
static long fi_write(int fd, const void* bytes, size_t n) {
  if (should_fail(OP_WRITE)) return -1;
  if (g_io.short_nth == g_io.calls[OP_WRITE] && n > 1) n = g_io.short_kind == SHORT_ONE_BYTE ? 1 : n / 2;
  return real()->write(fd, bytes, n);
}
static int fi_fsync(int fd) { return should_fail(OP_FSYNC) ? -1 : real()->fsync(fd); }
static int fi_close(int fd) {
  if (should_fail(OP_CLOSE)) {
    /* Like Linux: the descriptor is released even when close reports an error. */
    int saved = errno;
    (void)real()->close(fd);
    errno = saved;
    return -1;
  }
  return real()->close(fd);
}
static int fi_dup(int fd) { return should_fail(OP_DUP) ? -1 : real()->dup(fd); }
static int fi_rename(int dirfd, const char* from, const char* to) {
  if (should_fail(OP_RENAME)) return -1;
  if (g_io.rename_unsupported) {
    errno = EINVAL;
    return -1;
  }
  return real()->rename_noreplace(dirfd, from, to);
}
static int fi_link(int dirfd, const char* from, const char* to) {
  return should_fail(OP_LINK) ? -1 : real()->link(dirfd, from, to);
}
static int fi_unlink(int dirfd, const char* name) { return should_fail(OP_UNLINK) ? -1 : real()->unlink(dirfd, name); }
static int fi_exists(int dirfd, const char* name) { return should_fail(OP_EXISTS) ? -1 : real()->exists(dirfd, name); }
static int fi_open_existing(int dirfd, const char* name) {
  return should_fail(OP_OPEN_EXISTING) ? -1 : real()->open_existing(dirfd, name);
}
static int fi_stat_fd(int fd, struct stat* st) { return should_fail(OP_STAT_FD) ? -1 : real()->stat_fd(fd, st); }
static int fi_stat_name(int dirfd, const char* name, struct stat* st) {
  return should_fail(OP_STAT_NAME) ? -1 : real()->stat_name(dirfd, name, st);
}

static const artemis_io_ops kFaultOps = {fi_open_dir, fi_create_excl,   fi_lock,    fi_write,    fi_fsync,
                                         fi_close,    fi_dup,           fi_rename,  fi_link,     fi_unlink,
                                         fi_exists,   fi_open_existing, fi_stat_fd, fi_stat_name};

/* ---- fixture: a scratch directory and pre-generated canonical batches ------------------ */

static char g_dir[256];
static char g_path[512];
static char g_temp[600];

static int count_entries(const char* dir) {
  DIR* d = opendir(dir);
  assert_non_null(d);
  int n = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
  }
  closedir(d);
  return n;
}

static int count_open_fds(void) { return count_entries("/proc/self/fd"); }

static int path_exists(const char* p) {
  struct stat st;
  return lstat(p, &st) == 0;
}

static int setup(void** state) {
  (void)state;
  const char* base = getenv("TMPDIR");
  snprintf(g_dir, sizeof g_dir, "%s/artemis-writer-faults-XXXXXX", base && base[0] ? base : "/tmp");
  if (!mkdtemp(g_dir)) return -1;
  snprintf(g_path, sizeof g_path, "%s/out.parquet", g_dir);
  snprintf(g_temp, sizeof g_temp, "%s.inprogress", g_path);
  io_reset();
  return 0;
}

static int teardown(void** state) {
  (void)state;
  artemis_set_io_ops_for_testing(NULL);
  unlink(g_path);
  unlink(g_temp);
  rmdir(g_dir);
  return 0;
}

typedef struct batches {
  struct ArrowSchema schema;
  struct ArrowArray* items;
  size_t count;
} batches;

static void batches_make(batches* b, int64_t rows, int64_t batch_rows) {
  artemis_sample_options so;
  artemis_sample_options_init(&so);
  so.total_rows = rows;
  so.batch_rows = batch_rows;
  artemis_sample* sample;
  assert_int_equal(artemis_sample_open(&sample, &so, NULL), ARTEMIS_OK);
  assert_int_equal(artemis_sample_schema(&b->schema, NULL), ARTEMIS_OK);
  b->count = (size_t)((rows + batch_rows - 1) / batch_rows);
  b->items = calloc(b->count, sizeof *b->items);
  assert_non_null(b->items);
  for (size_t i = 0; i < b->count; i++) assert_int_equal(artemis_sample_next(sample, &b->items[i], NULL), ARTEMIS_OK);
  struct ArrowArray extra;
  assert_int_equal(artemis_sample_next(sample, &extra, NULL), ARTEMIS_E_END_OF_STREAM);
  artemis_sample_close(sample);
}

static void batches_free(batches* b) {
  for (size_t i = 0; i < b->count; i++) b->items[i].release(&b->items[i]);
  free(b->items);
  b->schema.release(&b->schema);
}

/* ---- one write through the public API ------------------------------------------------- */

typedef enum { AT_OPEN, AT_WRITE, AT_CLOSE, PUBLISHED } stage;
static const char* const kStageNames[] = {"open", "write", "close", "published"};

typedef struct run_config {
  int threads;
  int durable;
  int64_t row_group_target;
  int64_t memory_limit;
} run_config;

typedef struct run_result {
  stage stage;
  int rc;
  artemis_error error;
  int64_t memory_peak; /* summary->memory_peak_bytes when published */
  int64_t row_groups;
} run_result;

/* Writes every batch to g_path and closes (or aborts after a failed write). Whatever the
 * outcome, the counting allocator must be back to zero and no descriptor may be left. */
static void run_write(const batches* b, const run_config* cfg, run_result* out) {
  counting count = {0, 0};
  artemis_allocator alloc = {count_alloc, count_realloc, count_free, &count};
  artemis_writer_options o;
  artemis_writer_options_init(&o);
  artemis_writer_options_use_artemis_preset(&o);
  o.allocator = &alloc;
  o.threads = cfg->threads;
  o.durable = cfg->durable;
  o.row_group_target_bytes = cfg->row_group_target;
  o.memory_limit_bytes = cfg->memory_limit;
  memset(out, 0, sizeof *out);
  int fds_before = count_open_fds();

  artemis_writer* w = NULL;
  out->rc = artemis_writer_open(&w, g_path, &b->schema, &o, &out->error);
  out->stage = AT_OPEN;
  if (out->rc == ARTEMIS_OK) {
    out->stage = AT_WRITE;
    for (size_t i = 0; i < b->count && out->rc == ARTEMIS_OK; i++) out->rc = artemis_writer_write(w, &b->items[i], &out->error);
    if (out->rc != ARTEMIS_OK) {
      /* A later call must refuse, not pretend. */
      artemis_error again;
      assert_int_equal(artemis_writer_write(w, &b->items[0], &again), ARTEMIS_E_STATE);
      artemis_writer_abort(w);
    } else {
      out->stage = AT_CLOSE;
      artemis_write_summary* summary = NULL;
      out->rc = artemis_writer_close(w, &summary, &out->error);
      if (out->rc == ARTEMIS_OK) {
        out->stage = PUBLISHED;
        out->memory_peak = summary->memory_peak_bytes;
        out->row_groups = summary->row_groups;
      }
      artemis_write_summary_free(summary);
    }
  } else {
    assert_null(w);
  }
  if (count.live_blocks != 0 || count.live_bytes != 0) {
    fail_msg("%s: %lld blocks, %lld bytes still allocated (rc %d: %s)", kStageNames[out->stage],
             (long long)count.live_blocks, (long long)count.live_bytes, out->rc, out->error.message);
  }
  assert_int_equal(count_open_fds(), fds_before);
}

static uint8_t* read_file(const char* p, size_t* len) {
  FILE* f = fopen(p, "rb");
  assert_non_null(f);
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  long size = ftell(f);
  assert_true(size > 0);
  rewind(f);
  uint8_t* data = malloc((size_t)size);
  assert_non_null(data);
  assert_int_equal(fread(data, 1, (size_t)size, f), (size_t)size);
  fclose(f);
  *len = (size_t)size;
  return data;
}

static void assert_nothing_on_disk(void) {
  assert_false(path_exists(g_path));
  assert_false(path_exists(g_temp));
  assert_int_equal(count_entries(g_dir), 0);
}

/* The published file is exactly the reference, and nothing else is in the directory; then
 * it is removed for the next run. */
static void assert_published_reference(const uint8_t* reference, size_t reference_len, const char* what) {
  size_t len;
  uint8_t* data = read_file(g_path, &len);
  if (len != reference_len || memcmp(data, reference, len) != 0)
    fail_msg("%s: published %zu bytes that differ from the %zu-byte reference", what, len, reference_len);
  free(data);
  assert_false(path_exists(g_temp));
  assert_int_equal(count_entries(g_dir), 1);
  assert_int_equal(unlink(g_path), 0);
}

/* ---- the writer-level io sweep -------------------------------------------------------- */

/* About 13 row groups and a 2.2 MB file: 10 write calls of the sink's 256 KiB buffer (ASan:
 * 7 row groups, 5 calls, to keep the run short). */
#define SWEEP_ROWS (UNDER_ASAN ? 30000 : 60000)
#define SWEEP_BATCH_ROWS 10000
#define SWEEP_ROW_GROUP (1 << 20)

/* The step the message must name for the nth call of `op`. */
static const char* step_word(op_id op, int nth, int link_fallback) {
  switch (op) {
    case OP_OPEN_DIR: return "open directory";
    case OP_CREATE: return "create";
    case OP_LOCK: return "flock";
    case OP_WRITE: return "write";
    case OP_FSYNC: return nth == 1 ? "fsync '" : "fsync directory";
    case OP_CLOSE: return "close";
    case OP_DUP: return "dup";
    case OP_RENAME: return "rename";
    case OP_LINK: return "link";
    case OP_UNLINK: return link_fallback ? "unlink" : "?";
    case OP_EXISTS: return "check whether";
    case OP_STAT_FD: return "fstat";
    case OP_STAT_NAME: return "still the file we locked";
    default: return "?";
  }
}

static const int kErrnos[] = {EIO, ENOSPC, EDQUOT};
#define ERRNO_COUNT (sizeof kErrnos / sizeof kErrnos[0])

typedef struct sweep_counts {
  int points[OP_COUNT][ERRNO_COUNT]; /* injected (op, nth, errno) points */
  int at_stage[4];                   /* where the error surfaced (PUBLISHED: the close exception) */
  int runs;
} sweep_counts;

/* Fails each call of each op (every nth up to the op's fault-free count) with each errno.
 * `link_fallback`: renameat2 reports EINVAL throughout, so link + unlink publish instead
 * (the only way those two ops are called on a successful run). */
static void sweep(const batches* b, const run_config* cfg, int link_fallback, const uint8_t* reference,
                  size_t reference_len, sweep_counts* counts) {
  io_reset();
  g_io.rename_unsupported = link_fallback;
  run_result r;
  run_write(b, cfg, &r);
  if (r.stage != PUBLISHED) fail_msg("fault-free run failed: %s", r.error.message);
  int baseline[OP_COUNT];
  memcpy(baseline, g_io.calls, sizeof baseline);
  assert_published_reference(reference, reference_len, "fault-free run");
  assert_int_equal(baseline[OP_FSYNC], 2);
  assert_true(baseline[OP_WRITE] >= 4); /* PAR1 + row groups + footer in several writes */
  if (link_fallback) {
    assert_int_equal(baseline[OP_LINK], 1);
    assert_int_equal(baseline[OP_UNLINK], 1);
  } else {
    assert_int_equal(baseline[OP_LINK] + baseline[OP_UNLINK], 0);
  }

  for (int op = 0; op < OP_COUNT; op++) {
    /* In the fallback pass only the ops the fallback adds are new. */
    if (link_fallback && op != OP_LINK && op != OP_UNLINK && op != OP_RENAME) continue;
    for (size_t e = 0; e < ERRNO_COUNT; e++) {
      for (int nth = 1; nth <= baseline[op]; nth++) {
        io_reset();
        g_io.rename_unsupported = link_fallback;
        inject((op_id)op, nth, kErrnos[e]);
        run_write(b, cfg, &r);
        counts->points[op][e]++;
        counts->runs++;
        counts->at_stage[r.stage]++;
        char what[96];
        snprintf(what, sizeof what, "%s #%d errno %d (threads %d%s)", kOpNames[op], nth, kErrnos[e], cfg->threads,
                 link_fallback ? ", link fallback" : "");
        if (op == OP_CLOSE && nth > 1) {
          /* Closing the lock and directory handles after a durable publish: the data and the
           * name are already durable, so the file stays published (crash-safety.md step 10). */
          if (r.stage != PUBLISHED) fail_msg("%s: %s", what, r.error.message);
          assert_published_reference(reference, reference_len, what);
          continue;
        }
        if (r.stage == PUBLISHED) fail_msg("%s was ignored: the file was published", what);
        if (r.rc != ARTEMIS_E_IO || r.error.code != ARTEMIS_E_IO) fail_msg("%s: rc %d, message '%s'", what, r.rc, r.error.message);
        if (r.error.sys_errno != kErrnos[e]) fail_msg("%s: sys_errno %d, message '%s'", what, r.error.sys_errno, r.error.message);
        if (!strstr(r.error.message, step_word((op_id)op, nth, link_fallback)))
          fail_msg("%s: message '%s' does not name the step", what, r.error.message);
        if (!strstr(r.error.message, g_path)) fail_msg("%s: message '%s' does not name the path", what, r.error.message);
        char errno_text[32];
        snprintf(errno_text, sizeof errno_text, "(errno %d)", kErrnos[e]);
        if (!strstr(r.error.message, errno_text)) fail_msg("%s: message '%s' lacks %s", what, r.error.message, errno_text);
        if (op == OP_WRITE && r.error.offset < 0) fail_msg("%s: no byte offset in the error", what);
        assert_nothing_on_disk();
        /* A failed fsync is final: never a second attempt (fsyncgate), and no rename after it. */
        if (op == OP_FSYNC) {
          assert_int_equal(g_io.calls[OP_FSYNC], nth);
          if (nth == 1) assert_int_equal(g_io.calls[OP_RENAME] + g_io.calls[OP_LINK], 0);
        }
        assert_true(g_io.calls[OP_FSYNC] <= baseline[OP_FSYNC]);
      }
    }
  }
}

static void print_counts(const char* title, const sweep_counts* c) {
  print_message("%s: %d runs; error surfaced at open %d, write %d, close %d; published (close after publish) %d\n", title,
                c->runs, c->at_stage[AT_OPEN], c->at_stage[AT_WRITE], c->at_stage[AT_CLOSE], c->at_stage[PUBLISHED]);
  for (int op = 0; op < OP_COUNT; op++) {
    print_message("  %-12s EIO %3d  ENOSPC %3d  EDQUOT %3d\n", kOpNames[op], c->points[op][0], c->points[op][1],
                  c->points[op][2]);
  }
}

static void make_reference(const batches* b, uint8_t** reference, size_t* len) {
  io_reset();
  run_config cfg = {1, 1, SWEEP_ROW_GROUP, 0};
  run_result r;
  run_write(b, &cfg, &r);
  if (r.stage != PUBLISHED) fail_msg("reference run failed: %s", r.error.message);
  assert_true(r.row_groups >= 3);
  *reference = read_file(g_path, len);
  assert_int_equal(unlink(g_path), 0);
}

static void test_io_fault_sweep(void** state) {
  (void)state;
  batches b;
  batches_make(&b, SWEEP_ROWS, SWEEP_BATCH_ROWS);
  artemis_set_io_ops_for_testing(&kFaultOps);
  uint8_t* reference;
  size_t reference_len;
  make_reference(&b, &reference, &reference_len);

  sweep_counts one;
  memset(&one, 0, sizeof one);
  run_config cfg1 = {1, 1, SWEEP_ROW_GROUP, 0};
  sweep(&b, &cfg1, 0, reference, reference_len, &one);
  sweep(&b, &cfg1, 1, reference, reference_len, &one);
  print_counts("threads 1", &one);

  /* Two threads: the same bytes (the output does not depend on the thread count), the same
   * call sequence, and the same invariants while a worker thread shares the allocator. */
  sweep_counts two;
  memset(&two, 0, sizeof two);
  run_config cfg2 = {2, 1, SWEEP_ROW_GROUP, 0};
  sweep(&b, &cfg2, 0, reference, reference_len, &two);
  print_counts("threads 2", &two);

  free(reference);
  batches_free(&b);
}

/* EINTR and short writes are not errors: at every write call, the file must still publish
 * and be byte-identical to the fault-free reference. */
static void test_eintr_and_short_writes_publish_identical_bytes(void** state) {
  (void)state;
  batches b;
  batches_make(&b, SWEEP_ROWS, SWEEP_BATCH_ROWS);
  artemis_set_io_ops_for_testing(&kFaultOps);
  uint8_t* reference;
  size_t reference_len;
  make_reference(&b, &reference, &reference_len);
  int writes = g_io.calls[OP_WRITE];
  assert_true(writes >= 4);

  run_config cfg = {1, 1, SWEEP_ROW_GROUP, 0};
  int runs = 0;
  for (int mode = 0; mode < 3; mode++) {
    for (int nth = 1; nth <= writes; nth++) {
      io_reset();
      if (mode == 0) inject(OP_WRITE, nth, EINTR);
      else {
        g_io.short_nth = nth;
        g_io.short_kind = mode == 1 ? SHORT_ONE_BYTE : SHORT_HALF;
      }
      run_result r;
      run_write(&b, &cfg, &r);
      runs++;
      char what[64];
      snprintf(what, sizeof what, "%s at write #%d", mode == 0 ? "EINTR" : mode == 1 ? "1-byte write" : "half write", nth);
      if (r.stage != PUBLISHED) fail_msg("%s: %s", what, r.error.message);
      assert_published_reference(reference, reference_len, what);
      /* The interrupted or partial call was continued by exactly one more call. */
      assert_int_equal(g_io.calls[OP_WRITE], writes + 1);
    }
  }
  print_message("EINTR, 1-byte and half writes at each of %d write calls: %d runs, all byte-identical\n", writes, runs);
  free(reference);
  batches_free(&b);
}

/* ---- the memory cap ------------------------------------------------------------------- */

/* The cap in the allocation layer itself: growth through realloc counts like an alloc, the
 * refused request never reaches the allocator and leaves the block intact, shrinking and
 * freeing always work and give the headroom back. */
static void test_mem_limit_alloc_and_realloc(void** state) {
  (void)state;
  counting count = {0, 0};
  artemis_allocator alloc = {count_alloc, count_realloc, count_free, &count};
  artemis_mem mem;
  artemis_mem_init(&mem, &alloc);
  artemis_mem_set_limit(&mem, 1000);
  uint8_t* a = artemis_mem_alloc(&mem, 600);
  assert_non_null(a);
  memset(a, 7, 600);
  assert_int_equal(mem.limit_hit, 0);
  assert_null(artemis_mem_alloc(&mem, 401));
  assert_int_equal(mem.limit_hit, 1);
  assert_int_equal(count.live_blocks, 1); /* the allocator never saw the refused request */
  assert_null(artemis_mem_calloc(&mem, 401, 1));
  uint8_t* grown = artemis_mem_realloc(&mem, a, 1000); /* exactly at the cap: allowed */
  assert_non_null(grown);
  a = grown;
  assert_int_equal(mem.live_bytes, 1000);
  assert_null(artemis_mem_realloc(&mem, a, 1001));
  assert_int_equal(mem.live_bytes, 1000);
  assert_int_equal(a[599], 7); /* the refused growth left the block as it was */
  assert_int_equal(count.live_blocks, 1);
  a = artemis_mem_realloc(&mem, a, 10); /* shrinking is always allowed */
  assert_non_null(a);
  uint8_t* b = artemis_mem_alloc(&mem, 990);
  assert_non_null(b);
  assert_null(artemis_mem_alloc(&mem, 1));
  artemis_mem_free(&mem, b);
  b = artemis_mem_alloc(&mem, 990);
  assert_non_null(b);
  assert_int_equal(mem.peak_bytes, 1000);
  artemis_mem_free(&mem, a);
  artemis_mem_free(&mem, b);
  assert_int_equal(mem.live_bytes, 0);
  assert_int_equal(count.live_blocks, 0);
  /* 0 = no cap. */
  artemis_mem_set_limit(&mem, 0);
  a = artemis_mem_alloc(&mem, 1 << 20);
  assert_non_null(a);
  artemis_mem_free(&mem, a);
  artemis_mem_destroy(&mem);
}

static int mentions_limit(const artemis_error* e, int64_t limit) {
  char text[96];
  snprintf(text, sizeof text, "memory limit of %lld bytes reached", (long long)limit);
  return strstr(e->message, text) != NULL;
}

/* For caps from tiny to comfortable: every run either publishes with a peak within the cap
 * or fails with NOMEM naming the cap, leaving nothing on disk and nothing allocated. */
static void cap_sweep(const batches* b, int threads, int steps, int top_steps, int* failures, int* successes,
                      int stage_hist[4]) {
  run_config cfg = {threads, 0, 256 << 10, 0};
  run_result r;
  run_write(b, &cfg, &r);
  if (r.stage != PUBLISHED) fail_msg("uncapped run failed: %s", r.error.message);
  assert_int_equal(unlink(g_path), 0);
  int64_t uncapped_peak = r.memory_peak;
  assert_true(uncapped_peak > 0);
  print_message("threads %d: uncapped peak %lld bytes\n", threads, (long long)uncapped_peak);

  for (int k = 0; k <= 2 + top_steps; k++) {
    /* 1 byte, 4 KiB, 64 KiB, then steps of peak/steps up to top_steps/steps x the peak. */
    int64_t cap = k == 0 ? 1 : k == 1 ? 4096 : k == 2 ? 65536 : uncapped_peak * (k - 2) / steps;
    if (cap <= 0) cap = 1;
    cfg.memory_limit = cap;
    run_write(b, &cfg, &r);
    stage_hist[r.stage]++;
    if (r.stage == PUBLISHED) {
      (*successes)++;
      if (r.memory_peak > cap) fail_msg("cap %lld: published with a peak of %lld", (long long)cap, (long long)r.memory_peak);
      assert_int_equal(unlink(g_path), 0);
    } else {
      (*failures)++;
      if (r.rc != ARTEMIS_E_NOMEM) fail_msg("cap %lld: rc %d at %s: %s", (long long)cap, r.rc, kStageNames[r.stage], r.error.message);
      if (!mentions_limit(&r.error, cap)) fail_msg("cap %lld: message '%s'", (long long)cap, r.error.message);
      assert_nothing_on_disk();
    }
    /* From the uncapped peak on there is always room: exactly so with one thread (the same
     * allocations in the same order). With two, the peak depends on whether the second
     * worker took a job and so grew its own zstd workspace (1.53-2.34 MB seen across runs,
     * about one compression context apart), hence twice the uncapped run's peak. */
    int64_t always_fits = threads == 1 ? uncapped_peak : 2 * uncapped_peak;
    if (cap >= always_fits && r.stage != PUBLISHED)
      fail_msg("cap %lld (uncapped peak %lld) failed: %s", (long long)cap, (long long)uncapped_peak, r.error.message);
  }
}

static void test_memory_cap_sweep(void** state) {
  (void)state;
  batches b;
  batches_make(&b, 5000, 1000);
  int failures = 0, successes = 0, stages[4] = {0, 0, 0, 0};
  cap_sweep(&b, 1, 40, 50, &failures, &successes, stages); /* up to 1.25x the peak */
  cap_sweep(&b, 2, 20, 40, &failures, &successes, stages); /* up to 2x */
  assert_true(failures >= 10);
  assert_true(successes >= 5);
  /* The cap bites everywhere a writer allocates, not only in one place. */
  assert_true(stages[AT_OPEN] > 0 && stages[AT_WRITE] > 0);
  print_message("cap sweep: %d runs, %d refused (open %d, write %d, close %d), %d published within the cap\n",
                failures + successes, failures, stages[AT_OPEN], stages[AT_WRITE], stages[AT_CLOSE], successes);
  batches_free(&b);
}

/* With one thread the allocation sequence is deterministic, so the uncapped peak is the
 * exact boundary: a cap of exactly the peak publishes, one byte less is refused. */
static void test_memory_cap_boundary_is_exact(void** state) {
  (void)state;
  batches b;
  batches_make(&b, 5000, 1000);
  run_config cfg = {1, 0, 256 << 10, 0};
  run_result r;
  run_write(&b, &cfg, &r);
  assert_int_equal(r.stage, PUBLISHED);
  assert_int_equal(unlink(g_path), 0);
  int64_t peak = r.memory_peak;

  cfg.memory_limit = peak;
  run_write(&b, &cfg, &r);
  if (r.stage != PUBLISHED) fail_msg("cap = peak %lld refused: %s", (long long)peak, r.error.message);
  assert_int_equal(r.memory_peak, peak);
  assert_int_equal(unlink(g_path), 0);

  cfg.memory_limit = peak - 1;
  run_write(&b, &cfg, &r);
  assert_int_not_equal(r.stage, PUBLISHED);
  assert_int_equal(r.rc, ARTEMIS_E_NOMEM);
  assert_true(mentions_limit(&r.error, peak - 1));
  assert_nothing_on_disk();
  print_message("uncapped peak %lld bytes: cap %lld publishes, cap %lld refused at %s: %s\n", (long long)peak,
                (long long)peak, (long long)(peak - 1), kStageNames[r.stage], r.error.message);
  batches_free(&b);
}

/* An allocator failure without a cap is still plain "out of memory", not blamed on a limit;
 * and a negative limit is a usage error. */
static void test_allocator_failure_is_not_called_a_limit(void** state) {
  (void)state;
  batches b;
  batches_make(&b, 2000, 1000);
  artemis_writer_options o;
  artemis_writer_options_init(&o);
  assert_int_equal(o.memory_limit_bytes, 0);
  o.memory_limit_bytes = -1;
  artemis_writer* w = NULL;
  artemis_error err;
  assert_int_equal(artemis_writer_open(&w, g_path, &b.schema, &o, &err), ARTEMIS_E_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "memory_limit_bytes"));
  assert_nothing_on_disk();

  /* A generous cap that is never reached, and an allocator that refuses after a while. */
  for (long allowed = 5; allowed <= 200; allowed += 65) {
    test_alloc_budget budget = {allowed, 0};
    artemis_allocator a = test_budget_allocator(&budget);
    artemis_writer_options_init(&o);
    o.allocator = &a;
    o.memory_limit_bytes = 1ll << 40;
    int rc = artemis_writer_open(&w, g_path, &b.schema, &o, &err);
    for (size_t i = 0; rc == ARTEMIS_OK && i < b.count; i++) rc = artemis_writer_write(w, &b.items[i], &err);
    if (rc == ARTEMIS_OK) rc = artemis_writer_close(w, NULL, &err);
    else if (w) artemis_writer_abort(w);
    w = NULL;
    assert_int_equal(rc, ARTEMIS_E_NOMEM);
    assert_null(strstr(err.message, "memory limit"));
    assert_non_null(strstr(err.message, "out of memory"));
    assert_nothing_on_disk();
  }
  batches_free(&b);
}

/* Peak tracked bytes for 1x, 10x and 100x the rows at a fixed row-group target must not
 * grow, beyond the footer material kept until close. */
typedef struct peak_run {
  int64_t rows;
  int64_t peak;
  int64_t row_groups;
  int64_t footer_bytes;     /* serialized FileMetaData (from the file's tail) */
  int64_t page_index_bytes; /* all ColumnIndex + OffsetIndex blobs */
} peak_run;

static void peak_for_rows(int64_t rows, peak_run* out) {
  artemis_sample_options so;
  artemis_sample_options_init(&so);
  so.total_rows = rows;
  so.batch_rows = 20000;
  artemis_sample* sample;
  assert_int_equal(artemis_sample_open(&sample, &so, NULL), ARTEMIS_OK);
  struct ArrowSchema schema;
  assert_int_equal(artemis_sample_schema(&schema, NULL), ARTEMIS_OK);
  artemis_writer_options o;
  artemis_writer_options_init(&o);
  artemis_writer_options_use_artemis_preset(&o);
  o.row_group_target_bytes = 2 << 20;
  o.durable = 0;
  artemis_writer* w;
  artemis_error err;
  assert_int_equal(artemis_writer_open(&w, g_path, &schema, &o, &err), ARTEMIS_OK);
  struct ArrowArray batch;
  while (artemis_sample_next(sample, &batch, NULL) == ARTEMIS_OK) {
    int rc = artemis_writer_write(w, &batch, &err);
    batch.release(&batch);
    if (rc != ARTEMIS_OK) fail_msg("%s", err.message);
  }
  artemis_write_summary* s;
  assert_int_equal(artemis_writer_close(w, &s, &err), ARTEMIS_OK);
  assert_int_equal(s->rows, rows);
  out->rows = rows;
  out->peak = s->memory_peak_bytes;
  out->row_groups = s->row_groups;
  /* File = "PAR1" + column chunks + page index + footer + u32 length + "PAR1". */
  FILE* f = fopen(g_path, "rb");
  assert_non_null(f);
  uint8_t tail[8];
  assert_int_equal(fseek(f, -8, SEEK_END), 0);
  assert_int_equal(fread(tail, 1, 8, f), 8);
  fclose(f);
  assert_memory_equal(tail + 4, "PAR1", 4);
  out->footer_bytes = (int64_t)tail[0] | (int64_t)tail[1] << 8 | (int64_t)tail[2] << 16 | (int64_t)tail[3] << 24;
  out->page_index_bytes = s->file_bytes - 4 - s->compressed_bytes - out->footer_bytes - 8;
  assert_true(out->page_index_bytes > 0);
  artemis_write_summary_free(s);
  schema.release(&schema);
  artemis_sample_close(sample);
  assert_int_equal(unlink(g_path), 0);
}

static void test_peak_does_not_grow_with_rows(void** state) {
  (void)state;
  /* 2M rows take about 1.5 s in a release build; ASan is several times slower, so there it
   * checks 1x/10x/50x of a smaller base. */
  const int64_t base = UNDER_ASAN ? 10000 : 20000;
  const int64_t factors[3] = {1, 10, UNDER_ASAN ? 50 : 100};
  peak_run runs[3];
  for (int i = 0; i < 3; i++) peak_for_rows(base * factors[i], &runs[i]);
  for (int i = 0; i < 3; i++) {
    print_message("%lld rows: %lld row groups, peak tracked bytes %lld (footer %lld B, page index %lld B)\n",
                  (long long)runs[i].rows, (long long)runs[i].row_groups, (long long)runs[i].peak,
                  (long long)runs[i].footer_bytes, (long long)runs[i].page_index_bytes);
  }
  assert_true(runs[2].row_groups >= factors[2] * runs[0].row_groups / 2); /* the rows did go into many row groups */
  /* The one thing that may grow is the footer material kept until close (writer.h), so the
   * constant is that material, from its parts:
   *  - per column chunk, its record: the ColumnChunk struct, up to 4 encoding stats (the
   *    writer's MAX_ENCODING_STATS), the chunk statistics and copies of min/max (at most
   *    statistics_truncate_bytes = 64 each);
   *  - per row group, its record and the RowGroup entry built at close: < 128 B;
   *  - the serialized page index (kept in growable buffers: up to 1.5x their length) and,
   *    at close, the serialized footer (same buffers, also 1.5x), both measured from the
   *    file itself.
   * Everything else (pages, dictionaries, scratch, zstd) is per row group and reused, so
   * it may vary only by the 5% the assertion allows. */
  const int64_t per_chunk = (int64_t)(sizeof(artemis_pq_column_chunk) + 4 * sizeof(artemis_pq_encoding_stats) +
                                      sizeof(artemis_stats_encoded) + 2 * 64);
  for (int i = 1; i < 3; i++) {
    int64_t more_groups = runs[i].row_groups - runs[0].row_groups;
    int64_t more_serialized = (runs[i].footer_bytes - runs[0].footer_bytes) + (runs[i].page_index_bytes - runs[0].page_index_bytes);
    int64_t footer_growth = more_groups * (12 * per_chunk + 128) + more_serialized * 3 / 2;
    int64_t allowed = runs[0].peak + runs[0].peak / 20 + footer_growth;
    print_message("%lldx rows: peak grew by %lld B; allowed %lld B (5%% of the 1x peak + %lld B of footer material)\n",
                  (long long)factors[i], (long long)(runs[i].peak - runs[0].peak), (long long)(allowed - runs[0].peak),
                  (long long)footer_growth);
    if (runs[i].peak >= allowed)
      fail_msg("%lldx rows: peak %lld >= allowed %lld (1x peak %lld)", (long long)factors[i], (long long)runs[i].peak,
               (long long)allowed, (long long)runs[0].peak);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_io_fault_sweep, setup, teardown),
      cmocka_unit_test_setup_teardown(test_eintr_and_short_writes_publish_identical_bytes, setup, teardown),
      cmocka_unit_test(test_mem_limit_alloc_and_realloc),
      cmocka_unit_test_setup_teardown(test_memory_cap_sweep, setup, teardown),
      cmocka_unit_test_setup_teardown(test_memory_cap_boundary_is_exact, setup, teardown),
      cmocka_unit_test_setup_teardown(test_allocator_failure_is_not_called_a_limit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_peak_does_not_grow_with_rows, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
