/* Output sinks. The writer emits bytes strictly sequentially into a sink and, at the end,
 * either publishes or discards it. The page / row-group logic does not know which sink it
 * writes to (local atomic file, memory, S3 multipart upload). */
#ifndef ARTEMIS_PUBLISH_SINK_H
#define ARTEMIS_PUBLISH_SINK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include "artemis/error.h"
#include "artemis/s3.h"
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
  /* Stale "<path>.inprogress" files this sink removed at open (0 or 1), so the writer can
   * report it: a replacement is never silent. */
  int stale_replaced;
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
  /* Stale-file handling and the identity check after lock. */
  int (*open_existing)(int dirfd, const char* name);  /* openat(O_RDWR|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC) */
  int (*stat_fd)(int fd, struct stat* st);                       /* fstat */
  int (*stat_name)(int dirfd, const char* name, struct stat* st); /* fstatat(AT_SYMLINK_NOFOLLOW) */
} artemis_io_ops;

const artemis_io_ops* artemis_default_io_ops(void);

/* Test hook: replaces the table used by sinks opened afterwards (NULL restores the
 * default). Not thread-safe; tests only. */
void artemis_set_io_ops_for_testing(const artemis_io_ops* ops);

/* Local atomic file (RELIABILITY-PLAN.md section 2): creates "<path>.inprogress" with
 * O_EXCL in the final directory, flocks it, checks that the name still refers to the file it
 * locked, writes sequentially; publish = fsync, close, rename without replacing, fsync the
 * directory. `durable` 0 skips both fsyncs (benchmarks only).
 * ARTEMIS_E_CONFLICT if <path> exists, or if <path>.inprogress exists and may not be
 * replaced: `replace_stale_after_seconds` -1 never replaces it; N >= 0 replaces it (unlink,
 * then one more O_EXCL create) only when it is a regular file, no process holds its flock,
 * and its mtime is more than N seconds old. On success (*out)->stale_replaced says whether
 * that happened. `mem` is borrowed and must outlive the sink; the sink frees itself in
 * publish or discard. */
int artemis_file_sink_open(artemis_sink** out, const char* path, artemis_mem* mem, int durable,
                           int64_t replace_stale_after_seconds, artemis_error* error);

/* What a published memory sink leaves: the complete output, owned by the caller, freed
 * with artemis_memory_output_free (through `mem`, the one given to the sink). */
typedef struct artemis_memory_output {
  uint8_t* data; /* NULL until publish; also NULL for an empty output */
  size_t len;
  artemis_mem* mem;
} artemis_memory_output;

/* In-memory sink (src/publish/memory_sink.c): appends into one buffer allocated through
 * `mem`, so the output is counted in mem's live/peak bytes and refused like any other
 * allocation when the allocator (or mem's cap) says no. `mem` is the caller's, not the
 * writer's, because the output outlives the writer (whose mem dies at close); give it the
 * writer's allocator to count and cap both together. `max_bytes` > 0 caps the output:
 * a write beyond it is ARTEMIS_E_LIMIT. publish moves the buffer to *output (never fails
 * unless a write failed: ARTEMIS_E_STATE); discard frees it. `mem` and `output` are
 * borrowed and must outlive the sink; *output is zeroed here. */
int artemis_memory_sink_open(artemis_sink** out, artemis_mem* mem, size_t max_bytes, artemis_memory_output* output,
                             artemis_error* error);
/* Frees a published output and zeroes it. NULL and a zeroed output are no-ops. */
void artemis_memory_output_free(artemis_memory_output* output);

/* S3 (the public side is include/artemis/s3.h). Internal pieces shared by
 * src/publish/s3_sink.c and s3_gc.c (built with ARTEMIS_WITH_S3, over the client in
 * s3_client.h), src/publish/s3_unavailable.c (built without it) and src/publish/s3_names.c
 * (always built, so the unit tests of names, dates and the gc age rule run in both
 * configurations). */

/* Checks a bucket ([a-z0-9.-], 3..63) and a key ([A-Za-z0-9._/-], 1..1024 bytes, no empty,
 * "." or ".." segment): libcurl 7.88 signs SigV4 requests correctly only for paths and
 * queries that need no %-escaping. ARTEMIS_E_INVALID_ARGUMENT names the character. */
int artemis_s3_check_location(const char* bucket, const char* key, artemis_error* error);
/* Splits "s3://bucket/key" without checking the names (artemis_s3_parse_url checks them). */
int artemis_s3_split_url(const char* url, char* bucket, size_t bucket_size, char* key, size_t key_size,
                         artemis_error* error);
/* Splits and checks "s3://bucket[/prefix]" for artemis_s3_gc: the prefix may be empty and
 * may end with '/', and is restricted to [A-Za-z0-9._/-] (it goes into a signed query). */
int artemis_s3_parse_prefix_url(const char* url, char* bucket, size_t bucket_size, char* prefix, size_t prefix_size,
                                artemis_error* error);
/* "2010-11-10T20:48:33.000Z" (fraction optional; "Z", "+hh:mm", "+hhmm" or "-..." zone)
 * -> seconds since the epoch; -1 when the text is not such a date (S3 sends UTC "Z"). */
int64_t artemis_s3_parse_iso8601(const char* text);
/* The gc age rule: 1 when an upload initiated at `initiated_unix` (-1: unknown date) is
 * to be aborted at `now` given `older_than_seconds` (-1: list only); an unknown date is
 * never aborted, and "older than" is strict. */
int artemis_s3_gc_should_abort(int64_t older_than_seconds, int64_t initiated_unix, int64_t now);

/* Opens an S3 multipart upload for s3://bucket/key (CreateMultipartUpload). `options` NULL:
 * defaults. Everything the sink holds (itself, part buffers, the part list) is allocated
 * through `mem`, which is borrowed and must outlive the sink: the writer passes its own,
 * so part buffers count in its peak and against its limit. Part buffers are allocated
 * when first filled, at most options->parts_in_flight of them. */
int artemis_s3_sink_open(artemis_sink** out, const char* bucket, const char* key, const artemis_s3_options* options,
                         artemis_mem* mem, artemis_error* error);

/* Makes every S3 transfer that can be given up (CreateMultipartUpload, UploadPart) stop
 * within about a second, in this process and for good: the call waiting on it fails with
 * ARTEMIS_E_IO ("cancelled"), and its upload is aborted as after any failure. Requests
 * that finish or clean up (CompleteMultipartUpload, HeadObject, AbortMultipartUpload) are
 * not cancelled, so an abort after this still runs. Async-signal-safe: the CLI's SIGINT
 * handler calls it. A no-op without ARTEMIS_WITH_S3. */
void artemis_s3_request_cancel(void);

/* Test hook: the replies to the next `count` CompleteMultipartUpload attempts (in this
 * process) are thrown away after they arrived, as if the connection had dropped, so the
 * ambiguous-Complete recovery runs against a real server. Tests only. */
void artemis_s3_drop_complete_replies_for_testing(int count);

#endif
