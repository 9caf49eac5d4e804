/* The real system calls behind artemis_io_ops. Kept apart from the sink so that every call of
 * the publish protocol goes through one table that tests can replace (RELIABILITY-PLAN.md §5:
 * LD_PRELOAD cannot see every call and does not work under ASan or static builds). */
#include "publish/sink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static int real_open_dir(const char* path) { return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC); }

static int real_create_excl(int dirfd, const char* name, int mode) {
  return openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, (mode_t)mode);
}

static int real_lock(int fd) { return flock(fd, LOCK_EX | LOCK_NB); }

static long real_write(int fd, const void* bytes, size_t n) { return (long)write(fd, bytes, n); }

static int real_fsync(int fd) { return fsync(fd); }

static int real_close(int fd) { return close(fd); }

static int real_dup(int fd) { return fcntl(fd, F_DUPFD_CLOEXEC, 0); }

static int real_rename_noreplace(int dirfd, const char* from, const char* to) {
  return renameat2(dirfd, from, dirfd, to, RENAME_NOREPLACE);
}

static int real_link(int dirfd, const char* from, const char* to) { return linkat(dirfd, from, dirfd, to, 0); }

static int real_unlink(int dirfd, const char* name) { return unlinkat(dirfd, name, 0); }

static int real_exists(int dirfd, const char* name) {
  struct stat st;
  /* NOFOLLOW: a dangling symlink at the final name still blocks a no-replace rename, so it
   * must count as "exists". */
  if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) return 1;
  return errno == ENOENT ? 0 : -1;
}

/* Another writer's file, opened only to test its lock and age. NOFOLLOW: a symlink planted
 * at the name must never lead us to a file elsewhere. NONBLOCK: a FIFO or device planted
 * there must not hang the open (the sink then refuses anything but a regular file). O_RDWR
 * because only someone who may write the file should be able to claim it is stale. */
static int real_open_existing(int dirfd, const char* name) {
  return openat(dirfd, name, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
}

static int real_stat_fd(int fd, struct stat* st) { return fstat(fd, st); }

static int real_stat_name(int dirfd, const char* name, struct stat* st) {
  return fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW);
}

static const artemis_io_ops kRealIoOps = {
    real_open_dir, real_create_excl, real_lock,   real_write,  real_fsync,  real_close,
    real_dup,      real_rename_noreplace, real_link, real_unlink, real_exists,
    real_open_existing, real_stat_fd, real_stat_name,
};

const artemis_io_ops* artemis_default_io_ops(void) { return &kRealIoOps; }
