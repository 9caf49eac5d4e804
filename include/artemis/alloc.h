/* Pluggable allocator. Every byte the writer holds (including libzstd's contexts) goes
 * through the allocator given in the options, so tests can cap memory, count the peak, or
 * fail the Nth allocation. (The summary returned by artemis_writer_close() is malloc'ed.) */
#ifndef ARTEMIS_ALLOC_H
#define ARTEMIS_ALLOC_H

#include <stddef.h>
#include "artemis/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* malloc/realloc/free with a context pointer. `alloc` and `realloc` return NULL on
 * failure (the writer then fails with ARTEMIS_E_NOMEM and frees what it holds);
 * `free(ctx, NULL)` must be a no-op. The functions may be called from any thread that
 * calls into the writer and, with options.threads > 1, from the writer's worker threads;
 * never concurrently for one writer (the writer serializes the calls under its lock). */
typedef struct artemis_allocator {
  void* (*alloc)(void* ctx, size_t size);
  void* (*realloc)(void* ctx, void* ptr, size_t new_size);
  void (*free)(void* ctx, void* ptr);
  void* ctx;
} artemis_allocator;

/* The process allocator (malloc/realloc/free). Static; never NULL. */
ARTEMIS_API const artemis_allocator* artemis_default_allocator(void);

#ifdef __cplusplus
}
#endif

#endif /* ARTEMIS_ALLOC_H */
