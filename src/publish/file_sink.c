/* Local atomic file sink: the publish protocol of RELIABILITY-PLAN.md §2.
 *
 * The invariant every path below keeps: when a call returns an error, nothing is at the final
 * path and no "<path>.inprogress" of ours is left behind. The only files this sink ever
 * removes are the temporary file it created itself (with O_EXCL) and, as a rollback, the final
 * name it has just published. */
#include "publish/sink.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/errors.h"

#define TEMP_SUFFIX ".inprogress"
/* How long a file we have just created may wait for its own flock. Someone else holds it
 * only when a replacer caught it in the moment between our create and our flock, and a
 * replacer holds it for a few system calls; so this runs out only if that process is
 * stopped. */
#define OWN_LOCK_ATTEMPTS 1000
#define OWN_LOCK_PAUSE_NS 1000000L
/* Footer pieces and page headers arrive as writes of a few bytes; coalescing them saves one
 * syscall each. Column chunks are far larger and go straight through. */
#define WRITE_BUFFER_SIZE (256 * 1024)

static const artemis_io_ops* g_io_ops_override;

void artemis_set_io_ops_for_testing(const artemis_io_ops* ops) { g_io_ops_override = ops; }

typedef struct file_sink {
  artemis_sink base; /* first, so an artemis_sink* is a file_sink* */
  const artemis_io_ops* io;
  artemis_mem* mem;
  int durable;
  int64_t replace_stale_after_seconds; /* -1: never */
  int dirfd;
  int fd;
  /* Set when a write failed: the temporary file is already gone and the sink only waits for
   * publish/discard to free it. */
  int failed;
  char* final_path; /* as given, for messages */
  char* temp_path;  /* final_path + TEMP_SUFFIX, for messages */
  const char* final_name; /* points into final_path: the name relative to dirfd */
  const char* temp_name;  /* points into temp_path */
  uint8_t* buffer;
  size_t buffered;
  int64_t file_offset; /* bytes that reached write(2); sink->offset also counts the buffer */
} file_sink;

static void close_quietly(const artemis_io_ops* io, int* fd) {
  if (*fd >= 0) (void)io->close(*fd);
  *fd = -1;
}

static void free_sink(file_sink* sink) {
  artemis_mem* mem = sink->mem;
  artemis_mem_free(mem, sink->buffer);
  artemis_mem_free(mem, sink->final_path);
  artemis_mem_free(mem, sink->temp_path);
  artemis_mem_free(mem, sink);
}

/* The abort path: removes our temporary file and releases the descriptors. Errors are
 * ignored because the caller is already reporting the error that brought us here. */
static void abandon(file_sink* sink) {
  if (sink->fd >= 0 && sink->dirfd >= 0) (void)sink->io->unlink(sink->dirfd, sink->temp_name);
  close_quietly(sink->io, &sink->fd);
  close_quietly(sink->io, &sink->dirfd);
}

static int write_all(file_sink* sink, const uint8_t* bytes, size_t n, artemis_error* error) {
  while (n > 0) {
    long done = sink->io->write(sink->fd, bytes, n);
    if (done < 0) {
      if (errno == EINTR) continue;
      int saved = errno;
      artemis_set_io_error(error, saved, "write '%s' at offset %lld", sink->temp_path,
                           (long long)sink->file_offset);
      if (error) error->offset = sink->file_offset;
      return ARTEMIS_E_IO;
    }
    if (done == 0 || (size_t)done > n) {
      /* A regular file never accepts zero bytes of a non-empty write; looping would spin. */
      artemis_set_io_error(error, EIO, "write '%s' at offset %lld made no progress", sink->temp_path,
                           (long long)sink->file_offset);
      if (error) error->offset = sink->file_offset;
      return ARTEMIS_E_IO;
    }
    bytes += done;
    n -= (size_t)done;
    sink->file_offset += done;
  }
  return ARTEMIS_OK;
}

static int flush_buffer(file_sink* sink, artemis_error* error) {
  if (sink->buffered == 0) return ARTEMIS_OK;
  int rc = write_all(sink, sink->buffer, sink->buffered, error);
  sink->buffered = 0;
  return rc;
}

static int file_sink_write(artemis_sink* base, const void* bytes, size_t n, artemis_error* error) {
  file_sink* sink = (file_sink*)base;
  if (sink->failed) {
    return artemis_set_error(error, ARTEMIS_E_STATE, "write '%s': an earlier write failed", sink->temp_path);
  }
  if (n == 0) return ARTEMIS_OK;
  if (!bytes) return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "write '%s': NULL bytes", sink->temp_path);

  int rc = ARTEMIS_OK;
  if (n <= WRITE_BUFFER_SIZE - sink->buffered) {
    memcpy(sink->buffer + sink->buffered, bytes, n);
    sink->buffered += n;
  } else {
    rc = flush_buffer(sink, error);
    if (rc == ARTEMIS_OK) {
      if (n >= WRITE_BUFFER_SIZE) {
        rc = write_all(sink, bytes, n, error);
      } else {
        memcpy(sink->buffer, bytes, n);
        sink->buffered = n;
      }
    }
  }
  if (rc != ARTEMIS_OK) {
    /* Release the space now (ENOSPC is the common cause); the caller still owns the sink
     * and frees it with discard. */
    abandon(sink);
    sink->failed = 1;
    return rc;
  }
  sink->base.offset += (int64_t)n;
  return ARTEMIS_OK;
}

static void file_sink_discard(artemis_sink* base) {
  file_sink* sink = (file_sink*)base;
  abandon(sink);
  free_sink(sink);
}

/* Failure after the file left its temporary name (rename/link done): removes the final
 * name again so that an error always means "nothing published". */
static void roll_back_final(file_sink* sink) { (void)sink->io->unlink(sink->dirfd, sink->final_name); }

/* renameat2(RENAME_NOREPLACE), or link + unlink where the file system lacks it; neither ever
 * replaces an existing final file. On success the temporary name is gone. */
static int move_into_place(file_sink* sink, artemis_error* error) {
  if (sink->io->rename_noreplace(sink->dirfd, sink->temp_name, sink->final_name) == 0) return ARTEMIS_OK;
  int saved = errno;
  if (saved == EEXIST) {
    return artemis_set_error(error, ARTEMIS_E_CONFLICT, "rename '%s' to '%s': the final path already exists",
                             sink->temp_path, sink->final_path);
  }
  if (saved != EINVAL && saved != ENOSYS) {
    return artemis_set_io_error(error, saved, "rename '%s' to '%s'", sink->temp_path, sink->final_path);
  }

  if (sink->io->link(sink->dirfd, sink->temp_name, sink->final_name) != 0) {
    saved = errno;
    if (saved == EEXIST) {
      return artemis_set_error(error, ARTEMIS_E_CONFLICT, "link '%s' to '%s': the final path already exists",
                               sink->temp_path, sink->final_path);
    }
    return artemis_set_io_error(error, saved, "link '%s' to '%s' (rename without replace unsupported)",
                                sink->temp_path, sink->final_path);
  }
  if (sink->io->unlink(sink->dirfd, sink->temp_name) != 0) {
    saved = errno;
    /* A leftover .inprogress would block the next writer of this path as if we had crashed,
     * so undo the publish rather than succeed with it. */
    roll_back_final(sink);
    return artemis_set_io_error(error, saved, "unlink '%s' after linking it to '%s'", sink->temp_path,
                                sink->final_path);
  }
  return ARTEMIS_OK;
}

static int file_sink_publish(artemis_sink* base, artemis_error* error) {
  file_sink* sink = (file_sink*)base;
  int rc;
  int lockfd = -1;
  if (sink->failed) {
    rc = artemis_set_error(error, ARTEMIS_E_STATE, "publish '%s': an earlier write failed", sink->final_path);
    goto fail;
  }
  rc = flush_buffer(sink, error);
  if (rc != ARTEMIS_OK) goto fail;

  /* Never retried: after a failed write-back Linux marks the pages clean, so a second fsync
   * can succeed while the data is lost (PostgreSQL "fsyncgate"). The output is gone; the
   * caller regenerates it from its input. */
  if (sink->durable && sink->io->fsync(sink->fd) != 0) {
    rc = artemis_set_io_error(error, errno, "fsync '%s'", sink->temp_path);
    goto fail;
  }

  /* The duplicate keeps the flock held until the file is under its final name, while the
   * close of `fd` still reports deferred write errors (NFS does so at close). */
  lockfd = sink->io->dup(sink->fd);
  if (lockfd < 0) {
    rc = artemis_set_io_error(error, errno, "dup '%s'", sink->temp_path);
    goto fail;
  }
  {
    int close_result = sink->io->close(sink->fd);
    int saved = errno;
    /* Linux releases the descriptor even when close fails; closing it again could hit a
     * descriptor another thread has just opened. */
    sink->fd = -1;
    if (close_result != 0) {
      rc = artemis_set_io_error(error, saved, "close '%s'", sink->temp_path);
      (void)sink->io->unlink(sink->dirfd, sink->temp_name);
      goto fail;
    }
  }

  rc = move_into_place(sink, error);
  if (rc != ARTEMIS_OK) {
    (void)sink->io->unlink(sink->dirfd, sink->temp_name);
    goto fail;
  }

  /* Without this the rename itself may not survive a power loss (fsync(2): the directory
   * entry needs its own fsync). */
  if (sink->durable && sink->io->fsync(sink->dirfd) != 0) {
    rc = artemis_set_io_error(error, errno, "fsync directory of '%s' after rename", sink->final_path);
    roll_back_final(sink);
    goto fail;
  }

  /* The data and the directory entry are durable and the close of the written descriptor
   * succeeded; a failing close of these read-only handles cannot mean lost data, so it must
   * not turn a published file into an error. */
  close_quietly(sink->io, &lockfd);
  close_quietly(sink->io, &sink->dirfd);
  free_sink(sink);
  return ARTEMIS_OK;

fail:
  close_quietly(sink->io, &lockfd);
  abandon(sink);
  free_sink(sink);
  return rc;
}

static const artemis_sink_vtable kFileSinkVtable = {file_sink_write, file_sink_publish, file_sink_discard};

/* Copies `path` and `path` + TEMP_SUFFIX into the sink and points the names at their last
 * component. Returns ARTEMIS_OK, ARTEMIS_E_INVALID_ARGUMENT or ARTEMIS_E_NOMEM. */
static int set_names(file_sink* sink, const char* path, artemis_error* error) {
  size_t len = strlen(path);
  const char* slash = strrchr(path, '/');
  size_t name_start = slash ? (size_t)(slash - path) + 1 : 0;
  const char* name = path + name_start;
  if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "output path '%s' does not name a file", path);
  }
  sink->final_path = artemis_mem_alloc(sink->mem, len + 1);
  sink->temp_path = artemis_mem_alloc(sink->mem, len + sizeof TEMP_SUFFIX);
  if (!sink->final_path || !sink->temp_path) {
    return artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory opening '%s'", path);
  }
  memcpy(sink->final_path, path, len + 1);
  memcpy(sink->temp_path, path, len);
  memcpy(sink->temp_path + len, TEMP_SUFFIX, sizeof TEMP_SUFFIX);
  sink->final_name = sink->final_path + name_start;
  sink->temp_name = sink->temp_path + name_start;
  return ARTEMIS_OK;
}

/* Opens the directory holding the final name. A path without a slash lives in the current
 * directory; "/name" lives in "/". */
static int open_directory(file_sink* sink, artemis_error* error) {
  size_t dir_len = (size_t)(sink->final_name - sink->final_path);
  if (dir_len == 0) {
    sink->dirfd = sink->io->open_dir(".");
  } else {
    if (dir_len > 1) dir_len--; /* drop the separator, but keep "/" itself */
    char* dir = artemis_mem_alloc(sink->mem, dir_len + 1);
    if (!dir) return artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory opening '%s'", sink->final_path);
    memcpy(dir, sink->final_path, dir_len);
    dir[dir_len] = '\0';
    sink->dirfd = sink->io->open_dir(dir);
    int saved = errno;
    artemis_mem_free(sink->mem, dir);
    errno = saved;
  }
  if (sink->dirfd < 0) {
    return artemis_set_io_error(error, errno, "open directory of '%s'", sink->final_path);
  }
  return ARTEMIS_OK;
}

static int same_file(const struct stat* a, const struct stat* b) {
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* O_EXCL create, flock, then check that the name still refers to the file we locked.
 * Between our create and our flock the new file is unlocked, and a replacer (a writer with
 * replace_stale_after_seconds >= 0) may take it for stale in that moment: lock it, unlink it
 * and create its own. Our flock then either waits for theirs or succeeds on an orphan, so
 * only the identity check tells. If the name is no longer ours we lost the race and must not
 * touch the name again (abandon would unlink *their* file). Once we hold the lock and the
 * name is ours, no writer following this protocol removes it.
 * `*already_exists` is set when the create failed with EEXIST (no error filled then). */
static int create_own(file_sink* sink, int* already_exists, artemis_error* error) {
  *already_exists = 0;
  sink->fd = sink->io->create_excl(sink->dirfd, sink->temp_name, 0666);
  if (sink->fd < 0) {
    int saved = errno;
    if (saved == EEXIST) {
      *already_exists = 1;
      return ARTEMIS_E_CONFLICT;
    }
    return artemis_set_io_error(error, saved, "create '%s'", sink->temp_path);
  }
  for (int attempt = 1; sink->io->lock(sink->fd) != 0; attempt++) {
    int saved = errno;
    if (saved != EWOULDBLOCK) return artemis_set_io_error(error, saved, "flock '%s'", sink->temp_path);
    if (attempt == OWN_LOCK_ATTEMPTS) {
      /* Whoever holds it may be replacing it: the name may already be theirs. */
      close_quietly(sink->io, &sink->fd);
      return artemis_set_error(error, ARTEMIS_E_CONFLICT,
                               "flock '%s': another process has held the file we just created for over "
                               "1 s (a concurrent writer replacing stale files?); leaving it alone",
                               sink->temp_path);
    }
    struct timespec pause = {0, OWN_LOCK_PAUSE_NS};
    (void)nanosleep(&pause, NULL);
  }
  struct stat ours, named;
  if (sink->io->stat_fd(sink->fd, &ours) != 0) {
    return artemis_set_io_error(error, errno, "fstat '%s'", sink->temp_path);
  }
  int named_ok = sink->io->stat_name(sink->dirfd, sink->temp_name, &named) == 0;
  if (!named_ok && errno != ENOENT) {
    return artemis_set_io_error(error, errno, "check that '%s' is still the file we locked", sink->temp_path);
  }
  if (!named_ok || !same_file(&ours, &named)) {
    close_quietly(sink->io, &sink->fd);
    return artemis_set_error(error, ARTEMIS_E_CONFLICT,
                             "'%s' was taken over by a concurrent writer replacing stale files before we "
                             "locked it; leaving it to that writer",
                             sink->temp_path);
  }
  return ARTEMIS_OK;
}

/* Whole seconds since `mtime` (negative when it lies in the future); *over gets whether the
 * age exceeds `limit` seconds, to the nanosecond. */
static int64_t age_seconds(const struct timespec* mtime, int64_t limit, int* over) {
  struct timespec now;
  (void)clock_gettime(CLOCK_REALTIME, &now);
  int64_t sec = (int64_t)now.tv_sec - (int64_t)mtime->tv_sec;
  long nsec = now.tv_nsec - mtime->tv_nsec;
  if (nsec < 0) {
    sec--;
    nsec += 1000000000L;
  }
  *over = sec > limit || (sec == limit && nsec > 0);
  return sec;
}

/* An existing "<path>.inprogress", with replacement allowed. Removes it only when it is a
 * regular file that no process holds locked (a live writer always does once it has
 * verified its file; the kernel drops a dead writer's lock) and whose mtime is older than
 * the limit (the age keeps us from judging files a starting writer has not locked yet; the
 * check in create_own makes even that race safe). Returns ARTEMIS_OK when the name is free
 * again (removed by us, or gone by itself), ARTEMIS_E_CONFLICT when it must stay, or
 * ARTEMIS_E_IO. Every refusal names the file and the reason. */
static int remove_if_stale(file_sink* sink, artemis_error* error) {
  const int64_t limit = sink->replace_stale_after_seconds;
  int fd = sink->io->open_existing(sink->dirfd, sink->temp_name);
  if (fd < 0) {
    int saved = errno;
    if (saved == ENOENT) return ARTEMIS_OK; /* its writer published or discarded it meanwhile */
    if (saved == ELOOP) {
      return artemis_set_error(error, ARTEMIS_E_CONFLICT,
                               "'%s' is a symbolic link, not a writer's file; refusing to replace it",
                               sink->temp_path);
    }
    if (saved == EACCES || saved == EPERM || saved == EISDIR || saved == ENXIO || saved == ETXTBSY) {
      artemis_set_io_error(error, saved, "'%s' already exists and cannot be opened for writing; not replacing it",
                           sink->temp_path);
      if (error) error->code = ARTEMIS_E_CONFLICT;
      return ARTEMIS_E_CONFLICT;
    }
    return artemis_set_io_error(error, saved, "open existing '%s' to check whether it is stale", sink->temp_path);
  }
  int rc = ARTEMIS_OK;
  struct stat st, named;
  int over = 0;
  int64_t age = 0;
  if (sink->io->stat_fd(fd, &st) != 0) {
    rc = artemis_set_io_error(error, errno, "fstat existing '%s'", sink->temp_path);
    goto done;
  }
  if (!S_ISREG(st.st_mode)) {
    rc = artemis_set_error(error, ARTEMIS_E_CONFLICT, "'%s' is not a regular file; refusing to replace it",
                           sink->temp_path);
    goto done;
  }
  if (sink->io->lock(fd) != 0) {
    int saved = errno;
    if (saved == EWOULDBLOCK) {
      rc = artemis_set_error(error, ARTEMIS_E_CONFLICT,
                             "'%s' already exists and is held by a running writer (flock); not replacing it",
                             sink->temp_path);
    } else {
      rc = artemis_set_io_error(error, saved, "flock existing '%s'", sink->temp_path);
    }
    goto done;
  }
  age = age_seconds(&st.st_mtim, limit, &over);
  if (!over) {
    rc = artemis_set_error(error, ARTEMIS_E_CONFLICT,
                           "'%s' already exists, left by a crashed or concurrent writer; no writer holds it, "
                           "but it was modified %lld s ago, younger than the replace-stale age of %lld s "
                           "(--replace-stale); not replacing it",
                           sink->temp_path, (long long)age, (long long)limit);
    goto done;
  }
  /* We hold its lock, so no writer following the protocol can own it; but the name may
   * already point at a newer file (another replacer was faster), which is not ours to judge. */
  if (sink->io->stat_name(sink->dirfd, sink->temp_name, &named) != 0) {
    if (errno != ENOENT) rc = artemis_set_io_error(error, errno, "check that '%s' is still the stale file", sink->temp_path);
    goto done;
  }
  if (!same_file(&st, &named)) {
    rc = artemis_set_error(error, ARTEMIS_E_CONFLICT,
                           "'%s' was replaced by another writer while we checked it; not replacing it",
                           sink->temp_path);
    goto done;
  }
  /* Unlinked while we still hold its lock: nobody can lock-and-judge it in between. */
  if (sink->io->unlink(sink->dirfd, sink->temp_name) != 0) {
    if (errno != ENOENT) rc = artemis_set_io_error(error, errno, "unlink stale '%s'", sink->temp_path);
    goto done;
  }
  sink->base.stale_replaced = 1;
done:
  (void)sink->io->close(fd); /* read-only use, and the lock goes with it */
  return rc;
}

static int create_temp(file_sink* sink, artemis_error* error) {
  int exists = sink->io->exists(sink->dirfd, sink->final_name);
  if (exists < 0) return artemis_set_io_error(error, errno, "check whether '%s' exists", sink->final_path);
  if (exists > 0) {
    return artemis_set_error(error, ARTEMIS_E_CONFLICT, "'%s' already exists; refusing to overwrite it",
                             sink->final_path);
  }
  int already_exists;
  int rc = create_own(sink, &already_exists, error);
  if (!already_exists) return rc;
  if (sink->replace_stale_after_seconds < 0) {
    return artemis_set_error(error, ARTEMIS_E_CONFLICT,
                             "'%s' already exists, left by a crashed or concurrent writer; remove it once no "
                             "writer is running, or allow replacing it when stale (artemis-write "
                             "--replace-stale; option replace_stale_after_seconds)",
                             sink->temp_path);
  }
  rc = remove_if_stale(sink, error);
  if (rc != ARTEMIS_OK) return rc;
  /* Once only: if it is back, a writer is starting right now and the name is theirs. */
  rc = create_own(sink, &already_exists, error);
  if (already_exists) {
    return artemis_set_error(error, ARTEMIS_E_CONFLICT,
                             "'%s' was created again by a concurrent writer right after %s; not replacing it",
                             sink->temp_path,
                             sink->base.stale_replaced ? "we removed the stale one (no writer held it)"
                                                       : "the previous one disappeared");
  }
  return rc;
}

int artemis_file_sink_open(artemis_sink** out, const char* path, artemis_mem* mem, int durable,
                           int64_t replace_stale_after_seconds, artemis_error* error) {
  if (!out || !path || !mem) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "artemis_file_sink_open: NULL argument");
  }
  if (replace_stale_after_seconds < -1) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                             "replace_stale_after_seconds is %lld: use -1 (never) or a number of seconds >= 0",
                             (long long)replace_stale_after_seconds);
  }
  *out = NULL;
  file_sink* sink = artemis_mem_calloc(mem, 1, sizeof *sink);
  if (!sink) return artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory opening '%s'", path);
  sink->base.vtable = &kFileSinkVtable;
  sink->base.offset = 0;
  sink->io = g_io_ops_override ? g_io_ops_override : artemis_default_io_ops();
  sink->mem = mem;
  sink->durable = durable;
  sink->replace_stale_after_seconds = replace_stale_after_seconds;
  sink->dirfd = -1;
  sink->fd = -1;

  int rc = set_names(sink, path, error);
  if (rc == ARTEMIS_OK) {
    sink->buffer = artemis_mem_alloc(mem, WRITE_BUFFER_SIZE);
    if (!sink->buffer) rc = artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory opening '%s'", path);
  }
  if (rc == ARTEMIS_OK) rc = open_directory(sink, error);
  if (rc == ARTEMIS_OK) rc = create_temp(sink, error);
  if (rc != ARTEMIS_OK) {
    abandon(sink);
    free_sink(sink);
    return rc;
  }
  *out = &sink->base;
  return ARTEMIS_OK;
}
