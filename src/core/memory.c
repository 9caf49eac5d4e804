#include "core/memory.h"

#include "artemis/error.h"

#include <stdlib.h>
#include <string.h>

static void* default_alloc(void* ctx, size_t size) {
  (void)ctx;
  return malloc(size);
}
static void* default_realloc(void* ctx, void* ptr, size_t size) {
  (void)ctx;
  return realloc(ptr, size);
}
static void default_free(void* ctx, void* ptr) {
  (void)ctx;
  free(ptr);
}

static const artemis_allocator kDefaultAllocator = {default_alloc, default_realloc, default_free, NULL};

const artemis_allocator* artemis_default_allocator(void) { return &kDefaultAllocator; }

/* 16 bytes keep the user block aligned for any scalar type. */
#define HEADER_SIZE 16

void artemis_mem_init(artemis_mem* mem, const artemis_allocator* allocator) {
  mem->allocator = allocator ? allocator : &kDefaultAllocator;
  mem->live_bytes = 0;
  mem->peak_bytes = 0;
  mem->limit_bytes = 0;
  mem->limit_hit = 0;
  mem->locking = 0;
}

void artemis_mem_set_limit(artemis_mem* mem, int64_t limit_bytes) {
  mem->limit_bytes = limit_bytes > 0 ? limit_bytes : 0;
}

int artemis_mem_enable_locking(artemis_mem* mem) {
  if (mem->locking) return ARTEMIS_OK;
  if (pthread_mutex_init(&mem->lock, NULL) != 0) return ARTEMIS_E_NOMEM;
  mem->locking = 1;
  return ARTEMIS_OK;
}

void artemis_mem_destroy(artemis_mem* mem) {
  if (mem->locking) pthread_mutex_destroy(&mem->lock);
  mem->locking = 0;
}

static void lock(artemis_mem* mem) {
  if (mem->locking) pthread_mutex_lock(&mem->lock);
}
static void unlock(artemis_mem* mem) {
  if (mem->locking) pthread_mutex_unlock(&mem->lock);
}

static void account(artemis_mem* mem, int64_t delta) {
  mem->live_bytes += delta;
  if (mem->live_bytes > mem->peak_bytes) mem->peak_bytes = mem->live_bytes;
}

/* Whether growing live_bytes by `delta` stays within the cap; records a refusal. Called
 * under the lock, so concurrent requests cannot both pass on the same headroom. */
static int within_limit(artemis_mem* mem, int64_t delta) {
  if (mem->limit_bytes == 0 || delta <= 0 || delta <= mem->limit_bytes - mem->live_bytes) return 1;
  mem->limit_hit = 1;
  return 0;
}

void* artemis_mem_alloc(artemis_mem* mem, size_t size) {
  if (size == 0 || size > SIZE_MAX - HEADER_SIZE || size > INT64_MAX) return NULL;
  lock(mem);
  uint8_t* block = within_limit(mem, (int64_t)size) ? mem->allocator->alloc(mem->allocator->ctx, size + HEADER_SIZE) : NULL;
  if (block) account(mem, (int64_t)size);
  unlock(mem);
  if (!block) return NULL;
  memcpy(block, &size, sizeof size);
  return block + HEADER_SIZE;
}

void* artemis_mem_calloc(artemis_mem* mem, size_t count, size_t size) {
  if (size != 0 && count > SIZE_MAX / size) return NULL;
  void* p = artemis_mem_alloc(mem, count * size);
  if (p) memset(p, 0, count * size);
  return p;
}

void* artemis_mem_realloc(artemis_mem* mem, void* ptr, size_t new_size) {
  if (!ptr) return artemis_mem_alloc(mem, new_size);
  if (new_size == 0 || new_size > SIZE_MAX - HEADER_SIZE || new_size > INT64_MAX) return NULL;
  uint8_t* block = (uint8_t*)ptr - HEADER_SIZE;
  size_t old_size;
  memcpy(&old_size, block, sizeof old_size);
  lock(mem);
  uint8_t* grown = within_limit(mem, (int64_t)new_size - (int64_t)old_size)
                       ? mem->allocator->realloc(mem->allocator->ctx, block, new_size + HEADER_SIZE)
                       : NULL;
  if (grown) account(mem, (int64_t)new_size - (int64_t)old_size);
  unlock(mem);
  if (!grown) return NULL;
  memcpy(grown, &new_size, sizeof new_size);
  return grown + HEADER_SIZE;
}

void artemis_mem_free(artemis_mem* mem, void* ptr) {
  if (!ptr) return;
  uint8_t* block = (uint8_t*)ptr - HEADER_SIZE;
  size_t size;
  memcpy(&size, block, sizeof size);
  /* `mem` may live inside the block being freed (a reader frees itself this way): nothing
   * of it is read after the free. A locking mem never does (the writer's is freed last). */
  int locking = mem->locking;
  const artemis_allocator* allocator = mem->allocator;
  if (locking) pthread_mutex_lock(&mem->lock);
  account(mem, -(int64_t)size);
  allocator->free(allocator->ctx, block);
  if (locking) pthread_mutex_unlock(&mem->lock);
}

char* artemis_mem_strdup(artemis_mem* mem, const char* s) {
  size_t n = strlen(s) + 1;
  char* copy = artemis_mem_alloc(mem, n);
  if (copy) memcpy(copy, s, n);
  return copy;
}
