/* Internal allocation layer: every allocation of a writer goes through an artemis_mem,
 * which forwards to the user's artemis_allocator and tracks live and peak bytes (a size
 * header in front of each block makes the tracking exact without asking the allocator). */
#ifndef ARTEMIS_CORE_MEMORY_H
#define ARTEMIS_CORE_MEMORY_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include "artemis/alloc.h"

typedef struct artemis_mem {
  const artemis_allocator* allocator;
  int64_t live_bytes;
  int64_t peak_bytes;
  /* Hard cap on live_bytes (0 = none): a request that would take live_bytes above it fails
   * like an allocator failure, without calling the allocator. */
  int64_t limit_bytes;
  /* Set when the cap (not the allocator) refused a request, so the writer can say
   * "memory limit reached" instead of "out of memory". The mem never clears it; the writer
   * does at the start of each write/close, so it describes that call only. */
  int limit_hit;
  /* Set when worker threads share this mem: every allocator call and counter update then
   * happens under `lock`, so a user allocator never sees two calls at once and the peak
   * stays exact. Allocations are per buffer growth, not per value: the lock is cold. */
  int locking;
  pthread_mutex_t lock;
} artemis_mem;

/* `allocator` NULL means the default allocator. */
void artemis_mem_init(artemis_mem* mem, const artemis_allocator* allocator);
/* Sets the hard cap (0 = none), before any allocation that it should govern. Bytes are
 * the tracked ones: what callers asked for, without the allocator's own overhead. */
void artemis_mem_set_limit(artemis_mem* mem, int64_t limit_bytes);
/* Turns on locking (before any worker thread starts). ARTEMIS_OK or ARTEMIS_E_NOMEM. */
int artemis_mem_enable_locking(artemis_mem* mem);
/* Destroys the lock, if any (after the workers stopped). */
void artemis_mem_destroy(artemis_mem* mem);
/* NULL on failure or when size is 0. */
void* artemis_mem_alloc(artemis_mem* mem, size_t size);
void* artemis_mem_calloc(artemis_mem* mem, size_t count, size_t size);
/* Like realloc: NULL on failure with `ptr` untouched. */
void* artemis_mem_realloc(artemis_mem* mem, void* ptr, size_t new_size);
void artemis_mem_free(artemis_mem* mem, void* ptr);
char* artemis_mem_strdup(artemis_mem* mem, const char* s);

#endif
