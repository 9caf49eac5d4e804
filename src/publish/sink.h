/* Output sinks. The writer emits bytes strictly sequentially into a sink and, at the end,
 * either publishes or discards it. The page / row-group logic does not know which sink it
 * writes to (local atomic file today; S3 multipart later). */
#ifndef ARTEMIS_PUBLISH_SINK_H
#define ARTEMIS_PUBLISH_SINK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
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

/* S3 multipart sink (src/publish/s3_sink.c, RELIABILITY-PLAN.md section 3). Built only with
 * ARTEMIS_WITH_S3 (libcurl + OpenSSL libcrypto). open = CreateMultipartUpload; writes are
 * buffered to `part_size` and each full part is PUT (synchronously: one part in flight, so
 * the sink holds one part_size buffer) with its ETag checked against the part's MD5;
 * publish = last part + CompleteMultipartUpload with If-None-Match: * (an existing object is
 * never overwritten: ARTEMIS_E_CONFLICT), success only on HTTP 200 with no <Error> in the
 * body; every failure, and discard, aborts the upload (AbortMultipartUpload). 5xx answers and
 * network errors are retried with exponential backoff. Nothing is visible at the key before
 * publish succeeds. Path-style URLs: <endpoint>/<bucket>/<key>. */
typedef struct artemis_s3_options {
  const char* endpoint;          /* "http(s)://host[:port]"; NULL: https://s3.<region>.amazonaws.com */
  const char* region;            /* NULL: $AWS_REGION, else "us-east-1" */
  const char* access_key_id;     /* NULL: $AWS_ACCESS_KEY_ID (required from one or the other) */
  const char* secret_access_key; /* NULL: $AWS_SECRET_ACCESS_KEY (required likewise) */
  const char* session_token;     /* NULL: $AWS_SESSION_TOKEN (optional) */
  size_t part_size;              /* 0: 16 MiB; else >= 5 MiB */
  int max_attempts;              /* per request, 0: 5 (first try included) */
  long timeout_seconds;          /* per request without progress, 0: 60 */
} artemis_s3_options;

#define ARTEMIS_S3_MIN_PART_SIZE ((size_t)5 * 1024 * 1024)
#define ARTEMIS_S3_DEFAULT_PART_SIZE ((size_t)16 * 1024 * 1024)

/* Splits "s3://bucket/key" into bucket and key, copied into the caller's buffers
 * (NUL-terminated). Checks the bucket name ([a-z0-9.-], 3..63) and the key
 * ([A-Za-z0-9._/-], no empty, "." or ".." segment, at most 1024 bytes): libcurl 7.88 signs
 * SigV4 requests correctly only for paths and queries that need no %-escaping. */
int artemis_s3_parse_url(const char* url, char* bucket, size_t bucket_size, char* key, size_t key_size,
                         artemis_error* error);
/* Same checks for a bucket and key given separately. */
int artemis_s3_check_location(const char* bucket, const char* key, artemis_error* error);

/* Opens an S3 multipart upload for s3://bucket/key. `options` may be NULL (all defaults).
 * `mem` is borrowed and must outlive the sink; the part buffer is allocated through it. */
int artemis_s3_sink_open(artemis_sink** out, const char* bucket, const char* key, const artemis_s3_options* options,
                         artemis_mem* mem, artemis_error* error);

/* One pending multipart upload, as listed by ListMultipartUploads. */
typedef struct artemis_s3_upload {
  char key[1025];
  char upload_id[512];
  char initiated[64]; /* ISO 8601 as the server sent it */
  int64_t initiated_unix; /* seconds since the epoch, -1 if it did not parse */
} artemis_s3_upload;

/* Lists the pending uploads of `bucket` whose key starts with `prefix` (may be "" or NULL)
 * and aborts those initiated more than `older_than_seconds` ago (-1: list only). `visit`, if
 * given, is called for every listed upload with `aborted` 1/0/-1 (aborted / kept / abort
 * failed). Counts go to *listed and *aborted (either may be NULL). */
int artemis_s3_gc(const char* bucket, const char* prefix, int64_t older_than_seconds, const artemis_s3_options* options,
                  void (*visit)(void* ctx, const artemis_s3_upload* upload, int aborted), void* ctx, int* listed,
                  int* aborted, artemis_error* error);

#endif
