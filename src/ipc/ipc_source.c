#include "ipc/ipc_source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/errors.h"
#include "ipc/ipc_array.h"

/* First allocation when reading a body of unknown availability; doubled as bytes come. */
#define PIPE_FIRST_CHUNK ((size_t)64 * 1024)
/* One read() call at most this many bytes (read may return less on any descriptor). */
#define MAX_READ_CALL ((size_t)1 << 30)

void artemis_ipc_source_open_memory(artemis_ipc_source* src, const artemis_allocator* allocator, const void* data,
                                    size_t size) {
  memset(src, 0, sizeof *src);
  src->allocator = allocator;
  static const uint8_t kEmpty[1] = {0};
  src->memory = data ? data : kEmpty; /* no arithmetic on a NULL pointer */
  src->fd = -1;
  src->seekable = true;
  src->size = size > (size_t)INT64_MAX ? INT64_MAX : (int64_t)size;
}

int artemis_ipc_source_open_path(artemis_ipc_source* src, const artemis_allocator* allocator, const char* path,
                                 artemis_error* error) {
  memset(src, 0, sizeof *src);
  src->allocator = allocator;
  src->fd = -1;
  int fd;
  do {
    fd = open(path, O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return artemis_set_io_error(error, errno, "cannot open \"%s\"", path);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return artemis_set_io_error(error, e, "cannot examine \"%s\"", path);
  }
  src->fd = fd;
  src->owns_fd = true;
  if (S_ISREG(st.st_mode)) {
    src->seekable = true;
    src->size = st.st_size;
  } else {
    /* A FIFO or a character device given by path: read it like a pipe. */
    src->size = -1;
  }
  return ARTEMIS_OK;
}

void artemis_ipc_source_open_fd(artemis_ipc_source* src, const artemis_allocator* allocator, int fd) {
  memset(src, 0, sizeof *src);
  src->allocator = allocator;
  src->fd = fd;
  src->size = -1;
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    off_t here = lseek(fd, 0, SEEK_CUR);
    if (here >= 0 && here <= st.st_size) src->size = st.st_size - here;
  }
}

void artemis_ipc_source_close(artemis_ipc_source* src) {
  if (src->owns_fd && src->fd >= 0) close(src->fd);
  src->fd = -1;
  src->owns_fd = false;
}

static int write_all(int fd, const void* data, size_t n) {
  const uint8_t* p = data;
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* An unlinked temporary file: O_TMPFILE where the file system has it, else mkstemp + unlink. */
static int temporary_file(void) {
  const char* dir = getenv("TMPDIR");
  if (!dir || !dir[0]) dir = "/tmp";
#ifdef O_TMPFILE
  int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
#endif
  char path[4096];
  if (snprintf(path, sizeof path, "%s/artemis-ipc-spool-XXXXXX", dir) >= (int)sizeof path) {
    errno = ENAMETOOLONG;
    return -1;
  }
  int tmp = mkstemp(path);
  if (tmp >= 0) unlink(path);
  return tmp;
}

int artemis_ipc_source_spool(artemis_ipc_source* src, const void* const* head, const size_t* head_len, size_t parts,
                             artemis_error* error) {
  int fd = temporary_file();
  if (fd < 0) return artemis_set_io_error(error, errno, "cannot create a temporary file to spool the input");
  int64_t total = 0;
  for (size_t i = 0; i < parts; i++) {
    if (head_len[i] && write_all(fd, head[i], head_len[i]) != 0) {
      int e = errno;
      close(fd);
      return artemis_set_io_error(error, e, "cannot spool the input to a temporary file");
    }
    total += (int64_t)head_len[i];
  }
  uint8_t* chunk = src->allocator->alloc(src->allocator->ctx, 1u << 16);
  if (!chunk) {
    close(fd);
    return artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory spooling the input");
  }
  int rc = ARTEMIS_OK;
  for (;;) {
    size_t got = 0;
    rc = artemis_ipc_source_read(src, chunk, 1u << 16, &got, error);
    if (rc != ARTEMIS_OK) break;
    if (got && write_all(fd, chunk, got) != 0) {
      rc = artemis_set_io_error(error, errno, "cannot spool the input to a temporary file");
      break;
    }
    total += (int64_t)got;
    if (got < (1u << 16)) break;
  }
  src->allocator->free(src->allocator->ctx, chunk);
  if (rc != ARTEMIS_OK) {
    close(fd);
    return rc;
  }
  artemis_ipc_source_close(src);
  src->fd = fd;
  src->owns_fd = true;
  src->seekable = true;
  src->size = total;
  src->spooled = true;
  src->bytes_read = total; /* the whole input is consumed; rereading the spool adds nothing */
  return ARTEMIS_OK;
}

int64_t artemis_ipc_source_remaining(const artemis_ipc_source* src) {
  if (src->size < 0) return -1;
  return src->position >= src->size ? 0 : src->size - src->position;
}

int artemis_ipc_source_read(artemis_ipc_source* src, void* dst, size_t n, size_t* got, artemis_error* error) {
  *got = 0;
  if (src->fd < 0) { /* memory */
    int64_t left = artemis_ipc_source_remaining(src);
    size_t take = (uint64_t)left < n ? (size_t)left : n;
    if (take) memcpy(dst, src->memory + src->position, take);
    src->position += (int64_t)take;
    if (!src->spooled) src->bytes_read += (int64_t)take;
    *got = take;
    return ARTEMIS_OK;
  }
  uint8_t* out = dst;
  while (*got < n) {
    size_t want = n - *got;
    if (want > MAX_READ_CALL) want = MAX_READ_CALL;
    ssize_t r = src->seekable ? pread(src->fd, out + *got, want, (off_t)src->position) : read(src->fd, out + *got, want);
    if (r < 0) {
      if (errno == EINTR) continue;
      return artemis_set_io_error(error, errno, "cannot read the IPC input at byte %lld", (long long)src->position);
    }
    if (r == 0) break;
    *got += (size_t)r;
    src->position += r;
    if (!src->spooled) src->bytes_read += r;
  }
  return ARTEMIS_OK;
}

int artemis_ipc_source_seek(artemis_ipc_source* src, int64_t position, artemis_error* error) {
  if (!src->seekable || position < 0)
    return artemis_set_error(error, ARTEMIS_E_INTERNAL, "seek to byte %lld on an input that cannot seek",
                             (long long)position);
  src->position = position;
  return ARTEMIS_OK;
}

static int truncated(const char* label, int64_t n, int64_t start, int64_t have, artemis_error* error) {
  return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, -1, -1, start,
                              "%s: input truncated: %lld bytes needed at byte %lld, %lld available", label,
                              (long long)n, (long long)start, (long long)have);
}

int artemis_ipc_source_take(artemis_ipc_source* src, int64_t n, const char* label, const uint8_t** data,
                            void** block, artemis_error* error) {
  return artemis_ipc_source_take_into(src, n, label, NULL, data, block, error);
}

int artemis_ipc_source_take_into(artemis_ipc_source* src, int64_t n, const char* label, artemis_ipc_recycler* recycler,
                                 const uint8_t** data, void** block, artemis_error* error) {
  *data = NULL;
  *block = NULL;
  int64_t start = src->position;
  int64_t left = artemis_ipc_source_remaining(src);
  if (n < 0) return truncated(label, n, start, left, error);
  if (left >= 0 && n > left) return truncated(label, n, start, left, error);
  if ((uint64_t)n > SIZE_MAX - 64) return truncated(label, n, start, left, error);
  if (src->fd < 0) { /* memory */
    *data = src->memory + src->position;
    src->position += n;
    if (!src->spooled) src->bytes_read += n;
    return ARTEMIS_OK;
  }
  /* Known to be there (regular file): one allocation. Otherwise grow as bytes arrive. */
  size_t want = (size_t)n;
  size_t cap = left >= 0 || want <= PIPE_FIRST_CHUNK ? want : PIPE_FIRST_CHUNK;
  uint8_t* buf = artemis_ipc_recycler_take(recycler, want);
  if (buf) cap = want; /* its capacity may be more; `want` is all this body may take */
  else buf = artemis_ipc_block_alloc(src->allocator, cap ? cap : 1);
  if (!buf) goto nomem;
  size_t have = 0;
  while (have < want) {
    if (have == cap) {
      size_t grown = cap > want / 2 ? want : cap * 2;
      uint8_t* bigger = artemis_ipc_block_realloc(src->allocator, buf, grown);
      if (!bigger) goto nomem;
      buf = bigger;
      cap = grown;
    }
    size_t asked = cap - have, got;
    int rc = artemis_ipc_source_read(src, buf + have, asked, &got, error);
    if (rc != ARTEMIS_OK) {
      artemis_ipc_block_free(src->allocator, buf);
      return rc;
    }
    have += got;
    if (got < asked) break; /* the input ended */
  }
  if (have < want) {
    artemis_ipc_block_free(src->allocator, buf);
    return truncated(label, n, start, (int64_t)have, error);
  }
  *data = buf;
  *block = buf;
  return ARTEMIS_OK;
nomem:
  artemis_ipc_block_free(src->allocator, buf);
  return artemis_set_error_at(error, ARTEMIS_E_NOMEM, -1, -1, start, "%s: out of memory for %lld bytes at byte %lld",
                              label, (long long)n, (long long)start);
}
