/* The local atomic file sink: publish protocol, conflicts, and a fault sweep that fails the
 * Nth call of every system call the protocol makes (RELIABILITY-PLAN.md §5). The invariant
 * after every scenario: success means the final file holds exactly the bytes written; an
 * error means no final file, no .inprogress, no leaked descriptor and no leaked memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/memory.h"
#include "publish/sink.h"
#include "support/test_allocators.h"

/* ---- fault-injecting io table ------------------------------------------------------- */

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
                                               "exists",   "open_existing", "stat_fd", "stat_name"};

typedef struct fault {
  op_id op;
  int nth; /* 1-based call number that fails; 0 = unused */
  int err;
} fault;

static struct {
  int calls[OP_COUNT];
  fault faults[2];
  size_t short_write_max; /* 0 = real writes; otherwise each write moves at most this many */
  int zero_write_nth;     /* this write call returns 0 */
  char unlinked[2][256];  /* names passed to unlink, in order */
  /* Called before the real call: lets a test play a concurrent process at an exact point. */
  void (*before_lock)(int nth);
  void (*after_unlink)(int nth);
} g_io;

static void io_reset(void) { memset(&g_io, 0, sizeof g_io); }

static void inject(int slot, op_id op, int nth, int err) {
  g_io.faults[slot].op = op;
  g_io.faults[slot].nth = nth;
  g_io.faults[slot].err = err;
}

/* Counts the call and says whether it must fail (errno already set). */
static int should_fail(op_id op) {
  int n = ++g_io.calls[op];
  for (int i = 0; i < 2; i++) {
    if (g_io.faults[i].nth > 0 && g_io.faults[i].op == op && g_io.faults[i].nth == n) {
      errno = g_io.faults[i].err;
      return 1;
    }
  }
  return 0;
}

static const artemis_io_ops* real(void) { return artemis_default_io_ops(); }

static int fi_open_dir(const char* path) { return should_fail(OP_OPEN_DIR) ? -1 : real()->open_dir(path); }
static int fi_create_excl(int dirfd, const char* name, int mode) {
  return should_fail(OP_CREATE) ? -1 : real()->create_excl(dirfd, name, mode);
}
static int fi_lock(int fd) {
  if (should_fail(OP_LOCK)) return -1;
  if (g_io.before_lock) g_io.before_lock(g_io.calls[OP_LOCK]);
  return real()->lock(fd);
}
static long fi_write(int fd, const void* bytes, size_t n) {
  if (should_fail(OP_WRITE)) return -1;
  if (g_io.zero_write_nth == g_io.calls[OP_WRITE]) return 0;
  if (g_io.short_write_max > 0 && n > g_io.short_write_max) n = g_io.short_write_max;
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
  return should_fail(OP_RENAME) ? -1 : real()->rename_noreplace(dirfd, from, to);
}
static int fi_link(int dirfd, const char* from, const char* to) {
  return should_fail(OP_LINK) ? -1 : real()->link(dirfd, from, to);
}
static int fi_unlink(int dirfd, const char* name) {
  int n = g_io.calls[OP_UNLINK];
  if (n < 2) snprintf(g_io.unlinked[n], sizeof g_io.unlinked[n], "%s", name);
  if (should_fail(OP_UNLINK)) return -1;
  int rc = real()->unlink(dirfd, name);
  if (g_io.after_unlink) {
    int saved = errno;
    g_io.after_unlink(g_io.calls[OP_UNLINK]);
    errno = saved;
  }
  return rc;
}
static int fi_exists(int dirfd, const char* name) { return should_fail(OP_EXISTS) ? -1 : real()->exists(dirfd, name); }
static int fi_open_existing(int dirfd, const char* name) {
  return should_fail(OP_OPEN_EXISTING) ? -1 : real()->open_existing(dirfd, name);
}
static int fi_stat_fd(int fd, struct stat* st) { return should_fail(OP_STAT_FD) ? -1 : real()->stat_fd(fd, st); }
static int fi_stat_name(int dirfd, const char* name, struct stat* st) {
  return should_fail(OP_STAT_NAME) ? -1 : real()->stat_name(dirfd, name, st);
}

static const artemis_io_ops kFaultOps = {fi_open_dir,   fi_create_excl,   fi_lock,    fi_write,    fi_fsync,
                                         fi_close,      fi_dup,           fi_rename,  fi_link,     fi_unlink,
                                         fi_exists,     fi_open_existing, fi_stat_fd, fi_stat_name};

/* ---- fixture ------------------------------------------------------------------------ */

typedef struct fixture {
  char dir[64];
  char final_path[128];
  char temp_path[160];
  artemis_mem mem;
  int fds_before;
  int64_t replace_stale; /* passed by run_workload; -1 unless a test sets it */
} fixture;

static int count_open_fds(void) {
  DIR* d = opendir("/proc/self/fd");
  assert_non_null(d);
  int n = 0;
  while (readdir(d)) n++;
  closedir(d);
  return n;
}

static void remove_dir_contents(const char* dir) {
  DIR* d = opendir(dir);
  if (!d) return;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    (void)unlinkat(dirfd(d), e->d_name, 0);
  }
  closedir(d);
}

static int count_dir_entries(const char* dir) {
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

static int setup(void** state) {
  fixture* f = calloc(1, sizeof *f);
  assert_non_null(f);
  snprintf(f->dir, sizeof f->dir, "/tmp/artemis-sink-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  snprintf(f->final_path, sizeof f->final_path, "%s/out.parquet", f->dir);
  snprintf(f->temp_path, sizeof f->temp_path, "%s.inprogress", f->final_path);
  artemis_mem_init(&f->mem, NULL);
  f->replace_stale = -1;
  io_reset();
  artemis_set_io_ops_for_testing(&kFaultOps);
  f->fds_before = count_open_fds();
  *state = f;
  return 0;
}

static int teardown(void** state) {
  fixture* f = *state;
  artemis_set_io_ops_for_testing(NULL);
  remove_dir_contents(f->dir);
  rmdir(f->dir);
  free(f);
  return 0;
}

static int path_exists(const char* path) {
  struct stat st;
  return lstat(path, &st) == 0;
}

static void write_text_file(const char* path, const char* text) {
  FILE* fp = fopen(path, "wb");
  assert_non_null(fp);
  assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
  assert_int_equal(fclose(fp), 0);
}

/* Returns a malloc'd copy of the file; *len gets its size. */
static uint8_t* read_whole_file(const char* path, size_t* len) {
  FILE* fp = fopen(path, "rb");
  assert_non_null(fp);
  assert_int_equal(fseek(fp, 0, SEEK_END), 0);
  long size = ftell(fp);
  assert_true(size >= 0);
  rewind(fp);
  uint8_t* data = malloc((size_t)size + 1);
  assert_non_null(data);
  assert_int_equal(fread(data, 1, (size_t)size, fp), (size_t)size);
  fclose(fp);
  *len = (size_t)size;
  return data;
}

static void assert_file_text(const char* path, const char* text) {
  size_t len;
  uint8_t* data = read_whole_file(path, &len);
  assert_int_equal(len, strlen(text));
  assert_memory_equal(data, text, len);
  free(data);
}

/* No descriptor and no byte of memory may outlive a sink. */
static void assert_no_leaks(const fixture* f) {
  assert_int_equal(count_open_fds(), f->fds_before);
  assert_int_equal(f->mem.live_bytes, 0);
}

static void assert_clean(const fixture* f) {
  assert_false(path_exists(f->final_path));
  assert_false(path_exists(f->temp_path));
  assert_int_equal(count_dir_entries(f->dir), 0);
  assert_no_leaks(f);
}

/* ---- the standard workload ---------------------------------------------------------- */

/* Small pieces (coalesced by the buffer), one chunk larger than the buffer (written through),
 * then a small tail flushed at publish: three write calls on the real file. */
#define SMALL_PIECES 10
#define SMALL_PIECE 100
#define BIG_PIECE (300 * 1024)
#define TAIL_PIECES 3
#define TAIL_PIECE 50
#define WORKLOAD_BYTES (SMALL_PIECES * SMALL_PIECE + BIG_PIECE + TAIL_PIECES * TAIL_PIECE)

static uint8_t g_expected[WORKLOAD_BYTES];

static void fill_expected(void) {
  uint32_t x = 2463534242u;
  for (size_t i = 0; i < WORKLOAD_BYTES; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    g_expected[i] = (uint8_t)x;
  }
}

typedef enum { FAILED_AT_OPEN, FAILED_AT_WRITE, FAILED_AT_PUBLISH, PUBLISHED } outcome;

static outcome run_workload(fixture* f, int durable, int* rc_out, artemis_error* error) {
  artemis_sink* sink = NULL;
  artemis_error_clear(error);
  int rc = artemis_file_sink_open(&sink, f->final_path, &f->mem, durable, f->replace_stale, error);
  *rc_out = rc;
  if (rc != ARTEMIS_OK) {
    assert_null(sink);
    return FAILED_AT_OPEN;
  }
  size_t pos = 0;
  size_t sizes[SMALL_PIECES + 1 + TAIL_PIECES];
  size_t count = 0;
  for (int i = 0; i < SMALL_PIECES; i++) sizes[count++] = SMALL_PIECE;
  sizes[count++] = BIG_PIECE;
  for (int i = 0; i < TAIL_PIECES; i++) sizes[count++] = TAIL_PIECE;
  for (size_t i = 0; i < count; i++) {
    rc = artemis_sink_write(sink, g_expected + pos, sizes[i], error);
    if (rc != ARTEMIS_OK) {
      *rc_out = rc;
      artemis_sink_discard(sink);
      return FAILED_AT_WRITE;
    }
    pos += sizes[i];
    assert_int_equal(sink->offset, (int64_t)pos);
  }
  rc = artemis_sink_publish(sink, error);
  *rc_out = rc;
  return rc == ARTEMIS_OK ? PUBLISHED : FAILED_AT_PUBLISH;
}

static void assert_published_exactly(const fixture* f) {
  size_t len;
  uint8_t* data = read_whole_file(f->final_path, &len);
  assert_int_equal(len, WORKLOAD_BYTES);
  assert_memory_equal(data, g_expected, WORKLOAD_BYTES);
  free(data);
  assert_false(path_exists(f->temp_path));
  assert_int_equal(count_dir_entries(f->dir), 1);
  assert_no_leaks(f);
}

/* ---- tests -------------------------------------------------------------------------- */

static void test_happy_path_publishes_exact_bytes(void** state) {
  fixture* f = *state;
  artemis_error error;
  int rc;
  assert_int_equal(run_workload(f, 1, &rc, &error), PUBLISHED);
  assert_int_equal(rc, ARTEMIS_OK);
  assert_published_exactly(f);
  /* The protocol's shape: one create, one lock, small writes coalesced, fsync of the file and
   * of the directory, the written fd plus the lock and directory fds closed. */
  assert_int_equal(g_io.calls[OP_OPEN_DIR], 1);
  assert_int_equal(g_io.calls[OP_EXISTS], 1);
  assert_int_equal(g_io.calls[OP_CREATE], 1);
  assert_int_equal(g_io.calls[OP_LOCK], 1);
  assert_int_equal(g_io.calls[OP_WRITE], 3);
  assert_int_equal(g_io.calls[OP_FSYNC], 2);
  assert_int_equal(g_io.calls[OP_DUP], 1);
  assert_int_equal(g_io.calls[OP_CLOSE], 3);
  assert_int_equal(g_io.calls[OP_RENAME], 1);
  assert_int_equal(g_io.calls[OP_LINK], 0);
  assert_int_equal(g_io.calls[OP_UNLINK], 0);
  /* The check that the name is still the file we locked; no stale-file handling. */
  assert_int_equal(g_io.calls[OP_STAT_FD], 1);
  assert_int_equal(g_io.calls[OP_STAT_NAME], 1);
  assert_int_equal(g_io.calls[OP_OPEN_EXISTING], 0);
}

static void test_non_durable_skips_fsync(void** state) {
  fixture* f = *state;
  artemis_error error;
  int rc;
  assert_int_equal(run_workload(f, 0, &rc, &error), PUBLISHED);
  assert_published_exactly(f);
  assert_int_equal(g_io.calls[OP_FSYNC], 0);
}

static void check_mode_for_umask(fixture* f, mode_t mask, mode_t expected) {
  mode_t old = umask(mask);
  artemis_sink* sink = NULL;
  artemis_error error;
  int rc = artemis_file_sink_open(&sink, f->final_path, &f->mem, 1, -1, &error);
  umask(old);
  assert_int_equal(rc, ARTEMIS_OK);
  assert_int_equal(artemis_sink_write(sink, "x", 1, &error), ARTEMIS_OK);
  assert_int_equal(artemis_sink_publish(sink, &error), ARTEMIS_OK);
  struct stat st;
  assert_int_equal(stat(f->final_path, &st), 0);
  assert_int_equal(st.st_mode & 07777, expected);
  assert_int_equal(unlink(f->final_path), 0);
}

static void test_mode_follows_umask(void** state) {
  fixture* f = *state;
  check_mode_for_umask(f, 022, 0644);
  check_mode_for_umask(f, 077, 0600);
  check_mode_for_umask(f, 027, 0640);
  assert_clean(f);
}

static void test_empty_file_publishes(void** state) {
  fixture* f = *state;
  artemis_sink* sink = NULL;
  artemis_error error;
  assert_int_equal(artemis_file_sink_open(&sink, f->final_path, &f->mem, 1, -1, &error), ARTEMIS_OK);
  assert_int_equal(artemis_sink_write(sink, NULL, 0, &error), ARTEMIS_OK);
  assert_int_equal(artemis_sink_publish(sink, &error), ARTEMIS_OK);
  assert_file_text(f->final_path, "");
  assert_false(path_exists(f->temp_path));
  assert_no_leaks(f);
}

static void test_relative_path_without_directory(void** state) {
  fixture* f = *state;
  int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  assert_true(cwd >= 0);
  assert_int_equal(chdir(f->dir), 0);
  artemis_sink* sink = NULL;
  artemis_error error;
  int rc = artemis_file_sink_open(&sink, "out.parquet", &f->mem, 1, -1, &error);
  if (rc == ARTEMIS_OK) {
    assert_true(path_exists(f->temp_path));
    rc = artemis_sink_write(sink, "hello", 5, &error);
    if (rc == ARTEMIS_OK) rc = artemis_sink_publish(sink, &error);
  }
  assert_int_equal(fchdir(cwd), 0);
  close(cwd);
  assert_int_equal(rc, ARTEMIS_OK);
  assert_file_text(f->final_path, "hello");
  assert_false(path_exists(f->temp_path));
  assert_no_leaks(f);
}

static void test_invalid_paths(void** state) {
  fixture* f = *state;
  artemis_sink* sink = NULL;
  artemis_error error;
  char path[200];
  snprintf(path, sizeof path, "%s/", f->dir);
  assert_int_equal(artemis_file_sink_open(&sink, path, &f->mem, 1, -1, &error), ARTEMIS_E_INVALID_ARGUMENT);
  assert_int_equal(artemis_file_sink_open(&sink, "", &f->mem, 1, -1, &error), ARTEMIS_E_INVALID_ARGUMENT);
  snprintf(path, sizeof path, "%s/..", f->dir);
  assert_int_equal(artemis_file_sink_open(&sink, path, &f->mem, 1, -1, &error), ARTEMIS_E_INVALID_ARGUMENT);
  assert_int_equal(artemis_file_sink_open(&sink, NULL, &f->mem, 1, -1, &error), ARTEMIS_E_INVALID_ARGUMENT);
  assert_int_equal(artemis_file_sink_open(&sink, f->final_path, NULL, 1, -1, &error), ARTEMIS_E_INVALID_ARGUMENT);
  assert_null(sink);
  assert_clean(f);
}

static void test_missing_directory(void** state) {
  fixture* f = *state;
  artemis_sink* sink = NULL;
  artemis_error error;
  char path[200];
  snprintf(path, sizeof path, "%s/no/such/dir/out.parquet", f->dir);
  assert_int_equal(artemis_file_sink_open(&sink, path, &f->mem, 1, -1, &error), ARTEMIS_E_IO);
  assert_int_equal(error.sys_errno, ENOENT);
  assert_non_null(strstr(error.message, "open directory"));
  assert_non_null(strstr(error.message, path));
  assert_clean(f);
}

static void test_final_exists_is_conflict(void** state) {
  fixture* f = *state;
  write_text_file(f->final_path, "old archive");
  artemis_sink* sink = NULL;
  artemis_error error;
  assert_int_equal(artemis_file_sink_open(&sink, f->final_path, &f->mem, 1, -1, &error), ARTEMIS_E_CONFLICT);
  assert_null(sink);
  assert_non_null(strstr(error.message, f->final_path));
  assert_file_text(f->final_path, "old archive");
  assert_false(path_exists(f->temp_path));
  assert_no_leaks(f);
}

static void test_final_dangling_symlink_is_conflict(void** state) {
  fixture* f = *state;
  assert_int_equal(symlink("/nonexistent/target", f->final_path), 0);
  artemis_sink* sink = NULL;
  artemis_error error;
  assert_int_equal(artemis_file_sink_open(&sink, f->final_path, &f->mem, 1, -1, &error), ARTEMIS_E_CONFLICT);
  assert_false(path_exists(f->temp_path));
  assert_no_leaks(f);
}

/* Sets the file's mtime (not following symlinks) to `seconds_ago` before now. */
static void set_mtime_ago(const char* path, long seconds_ago) {
  struct timespec now;
  assert_int_equal(clock_gettime(CLOCK_REALTIME, &now), 0);
  struct timespec times[2] = {now, now};
  times[1].tv_sec -= seconds_ago;
  assert_int_equal(utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW), 0);
}

static time_t mtime_of(const char* path) {
  struct stat st;
  assert_int_equal(lstat(path, &st), 0);
  return st.st_mtime;
}

/* Opens the sink with replacement allowed after `replace` seconds; on success writes the
 * standard workload and publishes. Returns the open's status. */
static int open_with_replace(fixture* f, int64_t replace, artemis_error* error, int* stale_replaced) {
  artemis_sink* sink = NULL;
  artemis_error_clear(error);
  int rc = artemis_file_sink_open(&sink, f->final_path, &f->mem, 1, replace, error);
  if (rc != ARTEMIS_OK) {
    assert_null(sink);
    return rc;
  }
  *stale_replaced = sink->stale_replaced;
  assert_int_equal(artemis_sink_write(sink, g_expected, WORKLOAD_BYTES, error), ARTEMIS_OK);
  assert_int_equal(artemis_sink_publish(sink, error), ARTEMIS_OK);
  return rc;
}

static void test_stale_inprogress_is_conflict(void** state) {
  fixture* f = *state;
  write_text_file(f->temp_path, "someone else's bytes");
  artemis_sink* sink = NULL;
  artemis_error error;
  /* Without replace_stale_after_seconds even an old, unlocked file is never touched. */
  for (int old = 0; old <= 1; old++) {
    if (old) set_mtime_ago(f->temp_path, 100000);
    time_t mtime = mtime_of(f->temp_path);
    assert_int_equal(artemis_file_sink_open(&sink, f->final_path, &f->mem, 1, -1, &error), ARTEMIS_E_CONFLICT);
    assert_null(sink);
    assert_non_null(strstr(error.message, "left by a crashed or concurrent writer"));
    assert_non_null(strstr(error.message, "--replace-stale"));
    assert_non_null(strstr(error.message, f->temp_path));
    assert_file_text(f->temp_path, "someone else's bytes");
    assert_int_equal(mtime_of(f->temp_path), mtime);
    assert_false(path_exists(f->final_path));
    assert_int_equal(g_io.calls[OP_UNLINK], 0);
    assert_int_equal(g_io.calls[OP_OPEN_EXISTING], 0);
    assert_no_leaks(f);
  }
  /* Any other negative value is a usage error, not "never". */
  assert_int_equal(artemis_file_sink_open(&sink, f->final_path, &f->mem, 1, -2, &error), ARTEMIS_E_INVALID_ARGUMENT);
  assert_file_text(f->temp_path, "someone else's bytes");
  assert_no_leaks(f);
}

static void test_stale_old_unlocked_is_replaced(void** state) {
  fixture* f = *state;
  write_text_file(f->temp_path, "PAR1 and half a row group of a dead writer");
  set_mtime_ago(f->temp_path, 120);
  artemis_error error;
  int replaced = 0;
  assert_int_equal(open_with_replace(f, 60, &error, &replaced), ARTEMIS_OK);
  assert_int_equal(replaced, 1);
  assert_published_exactly(f);
  assert_int_equal(g_io.calls[OP_OPEN_EXISTING], 1);
  assert_int_equal(g_io.calls[OP_UNLINK], 1);
  assert_string_equal(g_io.unlinked[0], "out.parquet.inprogress");
  assert_int_equal(g_io.calls[OP_CREATE], 2);
  assert_int_equal(g_io.calls[OP_LOCK], 2);
}

static void test_stale_age_boundaries(void** state) {
  fixture* f = *state;
  artemis_error error;
  int replaced = 0;
  /* 0 = any age in the past, even one second. */
  write_text_file(f->temp_path, "dead");
  set_mtime_ago(f->temp_path, 1);
  assert_int_equal(open_with_replace(f, 0, &error, &replaced), ARTEMIS_OK);
  assert_int_equal(replaced, 1);
  assert_published_exactly(f);
  assert_int_equal(unlink(f->final_path), 0);
  /* An mtime in the future is never "older than" anything. */
  write_text_file(f->temp_path, "from the future");
  set_mtime_ago(f->temp_path, -3600);
  assert_int_equal(open_with_replace(f, 0, &error, &replaced), ARTEMIS_E_CONFLICT);
  assert_non_null(strstr(error.message, "younger than"));
  assert_file_text(f->temp_path, "from the future");
  /* A new writer's success resets nothing: the count is per sink. */
  assert_int_equal(unlink(f->temp_path), 0);
  assert_int_equal(open_with_replace(f, 0, &error, &replaced), ARTEMIS_OK);
  assert_int_equal(replaced, 0);
  assert_published_exactly(f);
}

static void test_stale_younger_is_conflict(void** state) {
  fixture* f = *state;
  write_text_file(f->temp_path, "maybe a writer that is just starting");
  set_mtime_ago(f->temp_path, 10);
  time_t mtime = mtime_of(f->temp_path);
  artemis_error error;
  int replaced = 0;
  assert_int_equal(open_with_replace(f, 60, &error, &replaced), ARTEMIS_E_CONFLICT);
  assert_int_equal(error.code, ARTEMIS_E_CONFLICT);
  assert_non_null(strstr(error.message, f->temp_path));
  assert_non_null(strstr(error.message, "younger than"));
  assert_non_null(strstr(error.message, "age of 60 s"));
  /* 10 s, or 11 if the clock ticked over a second boundary in between. */
  assert_true(strstr(error.message, "modified 10 s ago") || strstr(error.message, "modified 11 s ago"));
  assert_file_text(f->temp_path, "maybe a writer that is just starting");
  assert_int_equal(mtime_of(f->temp_path), mtime);
  assert_false(path_exists(f->final_path));
  assert_int_equal(g_io.calls[OP_UNLINK], 0);
  assert_no_leaks(f);
}

/* A live writer holds its flock: the file is never replaced, however old. `hold` 0 holds the
 * lock through a second open file description in this process, 1 from a child process. */
static void check_locked_stale_is_conflict(fixture* f, int from_child) {
  write_text_file(f->temp_path, "a live writer's bytes");
  set_mtime_ago(f->temp_path, 100000);
  int holder = -1;
  pid_t child = -1;
  int ready[2];
  if (from_child) {
    assert_int_equal(pipe(ready), 0);
    child = fork();
    assert_true(child >= 0);
    if (child == 0) {
      int fd = open(f->temp_path, O_RDONLY);
      char ok = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0 ? 'y' : 'n';
      if (write(ready[1], &ok, 1) != 1) _exit(2);
      pause(); /* until the parent kills us: the kernel then drops the lock */
      _exit(0);
    }
    close(ready[1]);
    char ok = 0;
    assert_int_equal(read(ready[0], &ok, 1), 1);
    close(ready[0]);
    assert_int_equal(ok, 'y');
  } else {
    holder = open(f->temp_path, O_RDONLY | O_CLOEXEC);
    assert_true(holder >= 0);
    assert_int_equal(flock(holder, LOCK_EX | LOCK_NB), 0);
  }
  time_t mtime = mtime_of(f->temp_path);
  artemis_error error;
  int replaced = 0;
  int rc = open_with_replace(f, 0, &error, &replaced);
  if (from_child) {
    kill(child, SIGKILL);
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
  } else {
    close(holder);
  }
  assert_int_equal(rc, ARTEMIS_E_CONFLICT);
  assert_non_null(strstr(error.message, "held by a running writer"));
  assert_non_null(strstr(error.message, f->temp_path));
  assert_file_text(f->temp_path, "a live writer's bytes");
  assert_int_equal(mtime_of(f->temp_path), mtime);
  assert_false(path_exists(f->final_path));
  assert_int_equal(g_io.calls[OP_UNLINK], 0);
  assert_no_leaks(f);

  /* Once the holder is gone (killed, or closed), the same file is stale and replaced. */
  io_reset();
  assert_int_equal(open_with_replace(f, 0, &error, &replaced), ARTEMIS_OK);
  assert_int_equal(replaced, 1);
  assert_published_exactly(f);
}

static void test_stale_locked_by_this_process_is_conflict(void** state) { check_locked_stale_is_conflict(*state, 0); }

static void test_stale_locked_by_child_is_conflict(void** state) { check_locked_stale_is_conflict(*state, 1); }

static void test_stale_symlink_is_conflict(void** state) {
  fixture* f = *state;
  char target[200];
  snprintf(target, sizeof target, "%s/target.txt", f->dir);
  write_text_file(target, "not ours to delete");
  set_mtime_ago(target, 100000);
  assert_int_equal(symlink(target, f->temp_path), 0);
  set_mtime_ago(f->temp_path, 100000); /* the link itself looks stale too */
  artemis_error error;
  int replaced = 0;
  assert_int_equal(open_with_replace(f, 0, &error, &replaced), ARTEMIS_E_CONFLICT);
  assert_non_null(strstr(error.message, "symbolic link"));
  assert_non_null(strstr(error.message, f->temp_path));
  struct stat st;
  assert_int_equal(lstat(f->temp_path, &st), 0);
  assert_true(S_ISLNK(st.st_mode));
  assert_file_text(target, "not ours to delete");
  assert_false(path_exists(f->final_path));
  assert_int_equal(g_io.calls[OP_UNLINK], 0);
  assert_no_leaks(f);
  /* A dangling one too. */
  assert_int_equal(unlink(target), 0);
  assert_int_equal(open_with_replace(f, 0, &error, &replaced), ARTEMIS_E_CONFLICT);
  assert_non_null(strstr(error.message, "symbolic link"));
  assert_int_equal(lstat(f->temp_path, &st), 0);
  assert_no_leaks(f);
}

static void test_stale_non_regular_is_conflict(void** state) {
  fixture* f = *state;
  artemis_error error;
  int replaced = 0;
  assert_int_equal(mkfifo(f->temp_path, 0644), 0);
  set_mtime_ago(f->temp_path, 100000);
  assert_int_equal(open_with_replace(f, 0, &error, &replaced), ARTEMIS_E_CONFLICT);
  assert_non_null(strstr(error.message, "not a regular file"));
  assert_true(path_exists(f->temp_path));
  assert_no_leaks(f);
  assert_int_equal(unlink(f->temp_path), 0);

  assert_int_equal(mkdir(f->temp_path, 0755), 0);
  set_mtime_ago(f->temp_path, 100000);
  assert_int_equal(open_with_replace(f, 0, &error, &replaced), ARTEMIS_E_CONFLICT);
  assert_non_null(strstr(error.message, f->temp_path));
  assert_true(path_exists(f->temp_path));
  assert_int_equal(rmdir(f->temp_path), 0);
  assert_false(path_exists(f->final_path));
  assert_int_equal(g_io.calls[OP_UNLINK], 0);
  assert_no_leaks(f);
}

/* ---- concurrent writers at exact points ---------------------------------------------- */

static const fixture* g_race_fixture;

static void make_stale_for_race(const fixture* f) {
  write_text_file(f->temp_path, "dead");
  set_mtime_ago(f->temp_path, 100000);
}

/* Plays a writer that starts right after we removed the stale file: its create wins. */
static void recreate_after_unlink(int nth) {
  if (nth == 1) write_text_file(g_race_fixture->temp_path, "a new writer's file");
}

static void test_stale_recreated_meanwhile_is_conflict(void** state) {
  fixture* f = *state;
  write_text_file(f->temp_path, "dead");
  set_mtime_ago(f->temp_path, 100000);
  g_race_fixture = f;
  g_io.after_unlink = recreate_after_unlink;
  artemis_error error;
  int replaced = 0;
  assert_int_equal(open_with_replace(f, 0, &error, &replaced), ARTEMIS_E_CONFLICT);
  /* The removal is said, not silent, and the newcomer's file is left alone. */
  assert_non_null(strstr(error.message, "created again by a concurrent writer"));
  assert_non_null(strstr(error.message, "we removed the stale one"));
  assert_file_text(f->temp_path, "a new writer's file");
  assert_int_equal(g_io.calls[OP_CREATE], 2);
  assert_int_equal(g_io.calls[OP_UNLINK], 1);
  assert_false(path_exists(f->final_path));
  assert_no_leaks(f);
}

/* Plays a faster replacer: between our open of the stale file and our flock of it, it
 * removed that file and a new writer created its own under the name (unlocked for now). */
static void other_replacer_before_stale_lock(int nth) {
  if (nth != 1) return;
  assert_int_equal(unlink(g_race_fixture->temp_path), 0);
  write_text_file(g_race_fixture->temp_path, "the next writer's file");
  set_mtime_ago(g_race_fixture->temp_path, 100000); /* even if it looked old */
}

static void test_stale_name_reused_while_checking_is_conflict(void** state) {
  fixture* f = *state;
  make_stale_for_race(f);
  g_race_fixture = f;
  g_io.before_lock = other_replacer_before_stale_lock;
  artemis_error error;
  int replaced = 0;
  assert_int_equal(open_with_replace(f, 0, &error, &replaced), ARTEMIS_E_CONFLICT);
  /* We hold the lock of the orphan we opened, but the name is someone else's now. */
  assert_non_null(strstr(error.message, "replaced by another writer while we checked it"));
  assert_file_text(f->temp_path, "the next writer's file");
  assert_int_equal(g_io.calls[OP_UNLINK], 0);
  assert_false(path_exists(f->final_path));
  assert_no_leaks(f);
}

/* Plays a replacer that judged our brand-new file stale in the instant between our create
 * and our flock: it unlinks our file and creates its own under the name. */
static void replacer_before_our_lock(int nth) {
  if (nth != 1) return;
  assert_int_equal(unlink(g_race_fixture->temp_path), 0);
  write_text_file(g_race_fixture->temp_path, "the replacer's file");
}

static void test_file_taken_over_before_lock_is_conflict(void** state) {
  fixture* f = *state;
  g_race_fixture = f;
  g_io.before_lock = replacer_before_our_lock;
  artemis_sink* sink = NULL;
  artemis_error error;
  assert_int_equal(artemis_file_sink_open(&sink, f->final_path, &f->mem, 1, -1, &error), ARTEMIS_E_CONFLICT);
  assert_null(sink);
  assert_non_null(strstr(error.message, "taken over"));
  /* Without the check we would have written into an orphan and renamed *their* file into
   * place; with it we leave their name alone (no unlink of it either). */
  assert_file_text(f->temp_path, "the replacer's file");
  assert_false(path_exists(f->final_path));
  assert_int_equal(g_io.calls[OP_UNLINK], 0);
  assert_no_leaks(f);
}

/* Another process inspecting our new file holds its lock for a moment: we wait, then own it. */
static void test_own_lock_busy_briefly_still_publishes(void** state) {
  fixture* f = *state;
  inject(0, OP_LOCK, 1, EWOULDBLOCK);
  inject(1, OP_LOCK, 2, EWOULDBLOCK);
  artemis_error error;
  int rc;
  assert_int_equal(run_workload(f, 1, &rc, &error), PUBLISHED);
  assert_published_exactly(f);
  assert_int_equal(g_io.calls[OP_LOCK], 3);
}

/* Held for good (the holder is stopped): give up with a conflict, and leave the name alone. */
static int g_holder_fd = -1;
static void take_lock_once(int nth) {
  if (nth != 1) return;
  g_holder_fd = open(g_race_fixture->temp_path, O_RDONLY | O_CLOEXEC);
  assert_true(g_holder_fd >= 0);
  assert_int_equal(flock(g_holder_fd, LOCK_EX | LOCK_NB), 0);
}

static void test_own_lock_held_forever_is_conflict(void** state) {
  fixture* f = *state;
  g_race_fixture = f;
  g_io.before_lock = take_lock_once;
  artemis_sink* sink = NULL;
  artemis_error error;
  assert_int_equal(artemis_file_sink_open(&sink, f->final_path, &f->mem, 1, -1, &error), ARTEMIS_E_CONFLICT);
  assert_null(sink);
  assert_non_null(strstr(error.message, "another process has held"));
  assert_non_null(strstr(error.message, f->temp_path));
  assert_true(path_exists(f->temp_path)); /* whoever holds it decides about it */
  assert_int_equal(g_io.calls[OP_UNLINK], 0);
  assert_true(g_io.calls[OP_LOCK] > 100);
  close(g_holder_fd);
  g_holder_fd = -1;
  assert_no_leaks(f);
}

/* Another process publishes the same name while we write: rename must not replace it. */
static void check_final_appears_during_write(fixture* f, int rename_unsupported) {
  if (rename_unsupported) inject(0, OP_RENAME, 1, EINVAL);
  artemis_sink* sink = NULL;
  artemis_error error;
  assert_int_equal(artemis_file_sink_open(&sink, f->final_path, &f->mem, 1, -1, &error), ARTEMIS_OK);
  assert_int_equal(artemis_sink_write(sink, "ours", 4, &error), ARTEMIS_OK);
  write_text_file(f->final_path, "theirs");
  assert_int_equal(artemis_sink_publish(sink, &error), ARTEMIS_E_CONFLICT);
  assert_non_null(strstr(error.message, rename_unsupported ? "link" : "rename"));
  assert_file_text(f->final_path, "theirs");
  assert_false(path_exists(f->temp_path));
  assert_int_equal(count_dir_entries(f->dir), 1);
  assert_no_leaks(f);
}

static void test_final_appears_during_write_is_conflict(void** state) {
  check_final_appears_during_write(*state, 0);
}

static void test_final_appears_during_write_is_conflict_with_link_fallback(void** state) {
  check_final_appears_during_write(*state, 1);
}

static void test_discard_leaves_nothing(void** state) {
  fixture* f = *state;
  artemis_sink* sink = NULL;
  artemis_error error;
  assert_int_equal(artemis_file_sink_open(&sink, f->final_path, &f->mem, 1, -1, &error), ARTEMIS_OK);
  artemis_sink_discard(sink);
  assert_clean(f);

  assert_int_equal(artemis_file_sink_open(&sink, f->final_path, &f->mem, 1, -1, &error), ARTEMIS_OK);
  assert_int_equal(artemis_sink_write(sink, g_expected, 1000, &error), ARTEMIS_OK);
  assert_int_equal(artemis_sink_write(sink, g_expected, BIG_PIECE, &error), ARTEMIS_OK);
  assert_true(path_exists(f->temp_path));
  assert_false(path_exists(f->final_path));
  artemis_sink_discard(sink);
  assert_clean(f);
}

static void test_rename_unsupported_falls_back_to_link(void** state) {
  fixture* f = *state;
  static const int kErrnos[] = {EINVAL, ENOSYS};
  for (size_t i = 0; i < sizeof kErrnos / sizeof kErrnos[0]; i++) {
    io_reset();
    inject(0, OP_RENAME, 1, kErrnos[i]);
    artemis_error error;
    int rc;
    assert_int_equal(run_workload(f, 1, &rc, &error), PUBLISHED);
    assert_published_exactly(f);
    assert_int_equal(g_io.calls[OP_LINK], 1);
    assert_int_equal(g_io.calls[OP_UNLINK], 1);
    assert_string_equal(g_io.unlinked[0], "out.parquet.inprogress");
    assert_int_equal(unlink(f->final_path), 0);
  }
}

static void test_link_fallback_unlink_failure_rolls_back(void** state) {
  fixture* f = *state;
  inject(0, OP_RENAME, 1, EINVAL);
  inject(1, OP_UNLINK, 1, EIO);
  artemis_error error;
  int rc;
  assert_int_equal(run_workload(f, 1, &rc, &error), FAILED_AT_PUBLISH);
  assert_int_equal(rc, ARTEMIS_E_IO);
  assert_int_equal(error.sys_errno, EIO);
  assert_non_null(strstr(error.message, "unlink"));
  assert_clean(f);
}

static void test_link_failure_after_rename_unsupported(void** state) {
  fixture* f = *state;
  inject(0, OP_RENAME, 1, EINVAL);
  inject(1, OP_LINK, 1, EPERM);
  artemis_error error;
  int rc;
  assert_int_equal(run_workload(f, 1, &rc, &error), FAILED_AT_PUBLISH);
  assert_int_equal(rc, ARTEMIS_E_IO);
  assert_int_equal(error.sys_errno, EPERM);
  assert_non_null(strstr(error.message, "link"));
  assert_clean(f);
}

static void test_fsync_failure_is_not_retried(void** state) {
  fixture* f = *state;
  inject(0, OP_FSYNC, 1, EIO);
  artemis_error error;
  int rc;
  assert_int_equal(run_workload(f, 1, &rc, &error), FAILED_AT_PUBLISH);
  assert_int_equal(rc, ARTEMIS_E_IO);
  assert_int_equal(g_io.calls[OP_FSYNC], 1);
  assert_int_equal(g_io.calls[OP_RENAME], 0);
  assert_non_null(strstr(error.message, "fsync"));
  assert_non_null(strstr(error.message, f->temp_path));
  assert_non_null(strstr(error.message, "(errno 5)"));
  assert_clean(f);
}

static void test_dir_fsync_failure_rolls_back_final(void** state) {
  fixture* f = *state;
  inject(0, OP_FSYNC, 2, EIO);
  artemis_error error;
  int rc;
  assert_int_equal(run_workload(f, 1, &rc, &error), FAILED_AT_PUBLISH);
  assert_int_equal(rc, ARTEMIS_E_IO);
  assert_int_equal(g_io.calls[OP_RENAME], 1);
  assert_int_equal(g_io.calls[OP_UNLINK], 1);
  assert_string_equal(g_io.unlinked[0], "out.parquet");
  assert_non_null(strstr(error.message, "fsync directory"));
  assert_clean(f);
}

static void test_eintr_and_short_writes_still_publish(void** state) {
  fixture* f = *state;
  /* EINTR at each write call in turn. */
  for (int nth = 1; nth <= 3; nth++) {
    io_reset();
    inject(0, OP_WRITE, nth, EINTR);
    artemis_error error;
    int rc;
    assert_int_equal(run_workload(f, 1, &rc, &error), PUBLISHED);
    assert_published_exactly(f);
    assert_int_equal(g_io.calls[OP_WRITE], 4);
    assert_int_equal(unlink(f->final_path), 0);
  }
  /* Every write moves at most 4093 bytes, plus an EINTR in the middle of the big chunk. */
  io_reset();
  g_io.short_write_max = 4093;
  inject(0, OP_WRITE, 20, EINTR);
  artemis_error error;
  int rc;
  assert_int_equal(run_workload(f, 1, &rc, &error), PUBLISHED);
  assert_published_exactly(f);
  assert_true(g_io.calls[OP_WRITE] > WORKLOAD_BYTES / 4093);
}

static void test_write_making_no_progress_fails(void** state) {
  fixture* f = *state;
  g_io.zero_write_nth = 2;
  artemis_error error;
  int rc;
  assert_int_equal(run_workload(f, 1, &rc, &error), FAILED_AT_WRITE);
  assert_int_equal(rc, ARTEMIS_E_IO);
  assert_non_null(strstr(error.message, "write"));
  assert_clean(f);
}

static void test_calls_after_failed_write(void** state) {
  fixture* f = *state;
  inject(0, OP_WRITE, 1, ENOSPC);
  artemis_sink* sink = NULL;
  artemis_error error;
  assert_int_equal(artemis_file_sink_open(&sink, f->final_path, &f->mem, 1, -1, &error), ARTEMIS_OK);
  assert_int_equal(artemis_sink_write(sink, g_expected, BIG_PIECE, &error), ARTEMIS_E_IO);
  assert_int_equal(error.sys_errno, ENOSPC);
  assert_int_equal(error.offset, 0);
  /* The space is released at once, before the caller gets round to discarding. */
  assert_false(path_exists(f->temp_path));
  assert_int_equal(artemis_sink_write(sink, "x", 1, &error), ARTEMIS_E_STATE);
  assert_int_equal(artemis_sink_publish(sink, &error), ARTEMIS_E_STATE);
  assert_clean(f);
}

/* The expected step in the message for the nth call of `op` in the standard workload. */
static const char* step_word(op_id op, int nth) {
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
    case OP_UNLINK: return "unlink";
    case OP_EXISTS: return "check whether";
    case OP_OPEN_EXISTING: return "open existing";
    case OP_STAT_FD: return "fstat '";
    case OP_STAT_NAME: return "still the file we locked";
    default: return "?";
  }
}

/* Fails every call the standard workload makes, one at a time, with each errno of interest. */
static void test_fault_sweep(void** state) {
  fixture* f = *state;
  artemis_error error;
  int rc;
  io_reset();
  assert_int_equal(run_workload(f, 1, &rc, &error), PUBLISHED);
  int baseline[OP_COUNT];
  memcpy(baseline, g_io.calls, sizeof baseline);
  assert_int_equal(unlink(f->final_path), 0);

  static const int kWriteErrnos[] = {EIO, ENOSPC, EDQUOT, EFBIG};
  static const int kOtherErrnos[] = {EIO};
  int scenarios = 0;
  for (int op = 0; op < OP_COUNT; op++) {
    const int* errnos = op == OP_WRITE ? kWriteErrnos : kOtherErrnos;
    size_t errno_count = op == OP_WRITE ? sizeof kWriteErrnos / sizeof kWriteErrnos[0] : 1;
    for (size_t e = 0; e < errno_count; e++) {
      for (int nth = 1; nth <= baseline[op]; nth++) {
        io_reset();
        inject(0, (op_id)op, nth, errnos[e]);
        outcome result = run_workload(f, 1, &rc, &error);
        scenarios++;
        if (op == OP_CLOSE && nth > 1) {
          /* Closing the lock and directory handles after a durable publish: the data is safe,
           * so the file stays published. */
          if (result != PUBLISHED) fail_msg("close #%d: %s", nth, error.message);
          assert_published_exactly(f);
          assert_int_equal(unlink(f->final_path), 0);
          continue;
        }
        if (result == PUBLISHED) fail_msg("%s #%d (errno %d) was ignored", kOpNames[op], nth, errnos[e]);
        assert_int_equal(rc, ARTEMIS_E_IO);
        assert_int_equal(error.code, ARTEMIS_E_IO);
        assert_int_equal(error.sys_errno, errnos[e]);
        if (!strstr(error.message, step_word((op_id)op, nth))) {
          fail_msg("%s #%d: message '%s' does not name the step", kOpNames[op], nth, error.message);
        }
        char errno_text[32];
        snprintf(errno_text, sizeof errno_text, "(errno %d)", errnos[e]);
        assert_non_null(strstr(error.message, errno_text));
        assert_non_null(strstr(error.message, "out.parquet"));
        assert_clean(f);
        /* Never a second attempt at fsync after it failed. */
        if (op == OP_FSYNC) assert_int_equal(g_io.calls[OP_FSYNC], nth);
      }
    }
  }
  assert_true(scenarios >= 20);
  print_message("fault sweep: %d injected failures\n", scenarios);
}

/* The step named for the nth call of `op` when a stale file is being replaced: the first
 * lock, fstat and name check are about the stale file, the second ones about ours. */
static const char* stale_step_word(op_id op, int nth) {
  switch (op) {
    case OP_LOCK: return nth == 1 ? "flock existing" : "flock '";
    case OP_STAT_FD: return nth == 1 ? "fstat existing" : "fstat '";
    case OP_STAT_NAME: return nth == 1 ? "still the stale file" : "still the file we locked";
    case OP_UNLINK: return "unlink stale";
    default: return step_word(op, nth);
  }
}

static void make_stale(const fixture* f) {
  write_text_file(f->temp_path, "stale bytes");
  set_mtime_ago(f->temp_path, 100000);
}

/* The sweep over the replacement path: an old, unlocked .inprogress is in place before every
 * run, and every call is failed in turn. An error leaves either that file exactly as it was,
 * or (once it was removed) nothing; never a final file, never a file of ours, no leak. */
static void test_fault_sweep_replacing_stale(void** state) {
  fixture* f = *state;
  f->replace_stale = 60;
  artemis_error error;
  int rc;
  make_stale(f);
  io_reset();
  assert_int_equal(run_workload(f, 1, &rc, &error), PUBLISHED);
  assert_published_exactly(f);
  int baseline[OP_COUNT];
  memcpy(baseline, g_io.calls, sizeof baseline);
  assert_int_equal(unlink(f->final_path), 0);
  /* The stale file's descriptor, the written one, the lock and the directory. */
  assert_int_equal(baseline[OP_CLOSE], 4);
  assert_int_equal(baseline[OP_OPEN_EXISTING], 1);
  assert_int_equal(baseline[OP_CREATE], 2);
  /* With the plain sweep this covers every call in the table (link is the fallback, swept
   * by its own tests). */
  for (int op = 0; op < OP_COUNT; op++) {
    if (op != OP_LINK && baseline[op] == 0) fail_msg("%s is not reached by the stale workload", kOpNames[op]);
  }

  int scenarios = 0;
  for (int op = 0; op < OP_COUNT; op++) {
    for (int nth = 1; nth <= baseline[op]; nth++) {
      make_stale(f);
      io_reset();
      inject(0, (op_id)op, nth, EIO);
      outcome result = run_workload(f, 1, &rc, &error);
      scenarios++;
      if (op == OP_CLOSE && nth != 2) {
        /* Closing read-only handles (the stale file's, the lock, the directory) cannot lose
         * data; only the close of the written descriptor counts. */
        if (result != PUBLISHED) fail_msg("close #%d: %s", nth, error.message);
        assert_published_exactly(f);
        assert_int_equal(unlink(f->final_path), 0);
        continue;
      }
      if (result == PUBLISHED) fail_msg("%s #%d was ignored while replacing a stale file", kOpNames[op], nth);
      assert_int_equal(rc, ARTEMIS_E_IO);
      assert_int_equal(error.sys_errno, EIO);
      if (!strstr(error.message, stale_step_word((op_id)op, nth))) {
        fail_msg("%s #%d: message '%s' does not name the step", kOpNames[op], nth, error.message);
      }
      assert_non_null(strstr(error.message, "(errno 5)"));
      assert_non_null(strstr(error.message, "out.parquet"));
      assert_false(path_exists(f->final_path));
      if (path_exists(f->temp_path)) {
        assert_file_text(f->temp_path, "stale bytes");
        assert_int_equal(count_dir_entries(f->dir), 1);
        assert_int_equal(unlink(f->temp_path), 0);
      }
      assert_clean(f);
    }
  }
  assert_true(scenarios >= 20);
  print_message("fault sweep replacing a stale file: %d injected failures\n", scenarios);
}

/* Allocator failing the nth allocation: open must fail with NOMEM and leave nothing. */
static void test_out_of_memory_at_open(void** state) {
  fixture* f = *state;
  test_nth_failure nth_failure = {0, -1, 0};
  const artemis_allocator failing = test_nth_failure_allocator(&nth_failure);
  artemis_mem_init(&f->mem, &failing);
  int failures = 0;
  for (int nth = 1;; nth++) {
    nth_failure.calls = 0;
    nth_failure.fail_at = nth;
    artemis_sink* sink = NULL;
    artemis_error error;
    int rc = artemis_file_sink_open(&sink, f->final_path, &f->mem, 1, -1, &error);
    if (rc == ARTEMIS_OK) {
      assert_int_equal(artemis_sink_write(sink, "abc", 3, &error), ARTEMIS_OK);
      assert_int_equal(artemis_sink_publish(sink, &error), ARTEMIS_OK);
      assert_file_text(f->final_path, "abc");
      assert_int_equal(unlink(f->final_path), 0);
      break;
    }
    assert_int_equal(rc, ARTEMIS_E_NOMEM);
    assert_null(sink);
    assert_clean(f);
    failures++;
  }
  assert_true(failures >= 3);
  assert_no_leaks(f);
}

int main(void) {
  fill_expected();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_happy_path_publishes_exact_bytes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_non_durable_skips_fsync, setup, teardown),
      cmocka_unit_test_setup_teardown(test_mode_follows_umask, setup, teardown),
      cmocka_unit_test_setup_teardown(test_empty_file_publishes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_relative_path_without_directory, setup, teardown),
      cmocka_unit_test_setup_teardown(test_invalid_paths, setup, teardown),
      cmocka_unit_test_setup_teardown(test_missing_directory, setup, teardown),
      cmocka_unit_test_setup_teardown(test_final_exists_is_conflict, setup, teardown),
      cmocka_unit_test_setup_teardown(test_final_dangling_symlink_is_conflict, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stale_inprogress_is_conflict, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stale_old_unlocked_is_replaced, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stale_age_boundaries, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stale_younger_is_conflict, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stale_locked_by_this_process_is_conflict, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stale_locked_by_child_is_conflict, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stale_symlink_is_conflict, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stale_non_regular_is_conflict, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stale_recreated_meanwhile_is_conflict, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stale_name_reused_while_checking_is_conflict, setup, teardown),
      cmocka_unit_test_setup_teardown(test_file_taken_over_before_lock_is_conflict, setup, teardown),
      cmocka_unit_test_setup_teardown(test_own_lock_busy_briefly_still_publishes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_own_lock_held_forever_is_conflict, setup, teardown),
      cmocka_unit_test_setup_teardown(test_final_appears_during_write_is_conflict, setup, teardown),
      cmocka_unit_test_setup_teardown(test_final_appears_during_write_is_conflict_with_link_fallback, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_discard_leaves_nothing, setup, teardown),
      cmocka_unit_test_setup_teardown(test_rename_unsupported_falls_back_to_link, setup, teardown),
      cmocka_unit_test_setup_teardown(test_link_fallback_unlink_failure_rolls_back, setup, teardown),
      cmocka_unit_test_setup_teardown(test_link_failure_after_rename_unsupported, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fsync_failure_is_not_retried, setup, teardown),
      cmocka_unit_test_setup_teardown(test_dir_fsync_failure_rolls_back_final, setup, teardown),
      cmocka_unit_test_setup_teardown(test_eintr_and_short_writes_still_publish, setup, teardown),
      cmocka_unit_test_setup_teardown(test_write_making_no_progress_fails, setup, teardown),
      cmocka_unit_test_setup_teardown(test_calls_after_failed_write, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fault_sweep, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fault_sweep_replacing_stale, setup, teardown),
      cmocka_unit_test_setup_teardown(test_out_of_memory_at_open, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
