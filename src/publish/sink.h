/* Output sinks. The writer emits bytes strictly sequentially into a sink and, at the end,
 * either publishes or discards it. The page / row-group logic does not know which sink it
 * writes to (local atomic file today; S3 multipart later). */
#ifndef ARTEMIS_PUBLISH_SINK_H
#define ARTEMIS_PUBLISH_SINK_H

#include <stddef.h>
#include <stdint.h>
#include "artemis/error.h"
#include "core/memory.h"

typedef struct artemis_sink artemis_sink;

typedef struct artemis_sink_vtable {
  /* Appends all `n` bytes or fails. */
  int (*write)(artemis_sink* sink, const void* bytes, size_t n, artemis_error* error);
  /* Makes the complete output visible at its final name, durably; frees the sink in every case.
   * On failure nothing is at the final name. */
  int (*publish)(artemis_sink* sink, artemis_error* error);
  /* Removes everything written and frees the sink. Never fails visibly. */
  void (*discard)(artemis_sink* sink);
} artemis_sink_vtable;

struct artemis_sink {
  const artemis_sink_vtable* vtable;
  int64_t offset; /* bytes accepted so far */
};

static inline int artemis_sink_write(artemis_sink* sink, const void* bytes, size_t n, artemis_error* error) {
  return sink->vtable->write(sink, bytes, n, error);
}
static inline int artemis_sink_publish(artemis_sink* sink, artemis_error* error) {
  return sink->vtable->publish(sink, error);
}
static inline void artemis_sink_discard(artemis_sink* sink) { sink->vtable->discard(sink); }

/* System calls used by the file sink. Tests replace them (fault injection); the default
 * table calls the real functions. Each returns like the syscall (-1 + errno). */
typedef struct artemis_io_ops {
  int (*open_dir)(const char* path);                           /* open(O_RDONLY|O_DIRECTORY|O_CLOEXEC) */
  int (*create_excl)(int dirfd, const char* name, int mode);   /* openat(O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC) */
  int (*lock)(int fd);                                         /* flock(LOCK_EX|LOCK_NB) */
  long (*write)(int fd, const void* bytes, size_t n);          /* write(2) */
  int (*fsync)(int fd);
  int (*close)(int fd);
  int (*dup)(int fd);
  int (*rename_noreplace)(int dirfd, const char* from, const char* to); /* renameat2(NOREPLACE) */
  int (*link)(int dirfd, const char* from, const char* to);    /* linkat (fallback) */
  int (*unlink)(int dirfd, const char* name);                  /* unlinkat */
  int (*exists)(int dirfd, const char* name);                  /* fstatat: 1 yes, 0 no, -1 error */
} artemis_io_ops;

const artemis_io_ops* artemis_default_io_ops(void);

/* Test hook: replaces the table used by sinks opened afterwards (NULL restores the
 * default). Not thread-safe; tests only. */
void artemis_set_io_ops_for_testing(const artemis_io_ops* ops);

/* Local atomic file (RELIABILITY-PLAN.md section 2): creates "<path>.inprogress" with
 * O_EXCL in the final directory, flocks it, writes sequentially; publish = fsync, close,
 * rename without replacing, fsync the directory. ARTEMIS_E_CONFLICT if <path> or
 * <path>.inprogress exists. `durable` 0 skips both fsyncs (benchmarks only). */
int artemis_file_sink_open(artemis_sink** out, const char* path, artemis_mem* mem, int durable,
                           artemis_error* error);

#endif
