/* Internal allocation layer: every allocation of a writer goes through an artemis_mem,
 * which forwards to the user's artemis_allocator and tracks live and peak bytes (a size
 * header in front of each block makes the tracking exact without asking the allocator). */
#ifndef ARTEMIS_CORE_MEMORY_H
#define ARTEMIS_CORE_MEMORY_H

#include <stddef.h>
#include <stdint.h>
#include "artemis/alloc.h"

typedef struct artemis_mem {
  const artemis_allocator* allocator;
  int64_t live_bytes;
  int64_t peak_bytes;
} artemis_mem;

/* `allocator` NULL means the default allocator. */
void artemis_mem_init(artemis_mem* mem, const artemis_allocator* allocator);
/* NULL on failure or when size is 0. */
void* artemis_mem_alloc(artemis_mem* mem, size_t size);
void* artemis_mem_calloc(artemis_mem* mem, size_t count, size_t size);
/* Like realloc: NULL on failure with `ptr` untouched. */
void* artemis_mem_realloc(artemis_mem* mem, void* ptr, size_t new_size);
void artemis_mem_free(artemis_mem* mem, void* ptr);
char* artemis_mem_strdup(artemis_mem* mem, const char* s);

#endif
