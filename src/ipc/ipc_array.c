#include "ipc/ipc_array.h"

#include <stdatomic.h>
#include <string.h>

#include "artemis/error.h"

/* Every block starts with this header (16 bytes keep the data aligned for any scalar). */
typedef struct block_header {
  struct block_header* next;
  uint64_t capacity;
} block_header;

struct artemis_ipc_recycler {
  atomic_llong refs;
  const artemis_allocator* allocator;
  _Atomic(block_header*) parked;
};

struct artemis_ipc_holder {
  atomic_llong refs;
  const artemis_allocator* allocator;
  block_header* blocks;
  block_header* recyclable; /* one of `blocks`, parked in `recycler` at the end */
  artemis_ipc_recycler* recycler;
};

void* artemis_ipc_block_alloc(const artemis_allocator* allocator, size_t size) {
  if (size > SIZE_MAX - sizeof(block_header)) return NULL;
  block_header* h = allocator->alloc(allocator->ctx, sizeof *h + size);
  if (!h) return NULL;
  h->next = NULL;
  h->capacity = size;
  return h + 1;
}

void* artemis_ipc_block_realloc(const artemis_allocator* allocator, void* block, size_t size) {
  if (!block) return artemis_ipc_block_alloc(allocator, size);
  if (size > SIZE_MAX - sizeof(block_header)) return NULL;
  block_header* h = allocator->realloc(allocator->ctx, (block_header*)block - 1, sizeof *h + size);
  if (!h) return NULL;
  h->capacity = size;
  return h + 1;
}

size_t artemis_ipc_block_capacity(const void* block) { return (size_t)((const block_header*)block - 1)->capacity; }

artemis_ipc_recycler* artemis_ipc_recycler_new(const artemis_allocator* allocator) {
  artemis_ipc_recycler* r = allocator->alloc(allocator->ctx, sizeof *r);
  if (!r) return NULL;
  atomic_init(&r->refs, 1);
  r->allocator = allocator;
  atomic_init(&r->parked, NULL);
  return r;
}

void artemis_ipc_recycler_unref(artemis_ipc_recycler* r) {
  if (!r || atomic_fetch_sub(&r->refs, 1) != 1) return;
  block_header* parked = atomic_load(&r->parked);
  if (parked) r->allocator->free(r->allocator->ctx, parked);
  r->allocator->free(r->allocator->ctx, r);
}

void* artemis_ipc_recycler_take(artemis_ipc_recycler* r, size_t size) {
  if (!r) return NULL;
  block_header* h = atomic_exchange(&r->parked, NULL);
  if (!h) return NULL;
  if (h->capacity < size) {
    r->allocator->free(r->allocator->ctx, h);
    return NULL;
  }
  h->next = NULL;
  return h + 1;
}

static void recycler_park(artemis_ipc_recycler* r, block_header* h) {
  block_header* empty = NULL;
  /* One slot: a second block (batches released out of order) is simply freed. */
  if (!atomic_compare_exchange_strong(&r->parked, &empty, h)) r->allocator->free(r->allocator->ctx, h);
}

void artemis_ipc_holder_recycle(artemis_ipc_holder* holder, void* block, artemis_ipc_recycler* recycler) {
  if (!recycler || holder->recycler) return;
  atomic_fetch_add(&recycler->refs, 1);
  holder->recycler = recycler;
  holder->recyclable = (block_header*)block - 1;
}

void artemis_ipc_block_free(const artemis_allocator* allocator, void* block) {
  if (block) allocator->free(allocator->ctx, (block_header*)block - 1);
}

artemis_ipc_holder* artemis_ipc_holder_new(const artemis_allocator* allocator) {
  artemis_ipc_holder* holder = allocator->alloc(allocator->ctx, sizeof *holder);
  if (!holder) return NULL;
  atomic_init(&holder->refs, 1);
  holder->allocator = allocator;
  holder->blocks = NULL;
  holder->recyclable = NULL;
  holder->recycler = NULL;
  return holder;
}

void artemis_ipc_holder_ref(artemis_ipc_holder* holder) { atomic_fetch_add(&holder->refs, 1); }

void artemis_ipc_holder_unref(artemis_ipc_holder* holder) {
  if (!holder) return;
  if (atomic_fetch_sub(&holder->refs, 1) != 1) return;
  block_header* h = holder->blocks;
  while (h) {
    block_header* next = h->next;
    if (h == holder->recyclable) recycler_park(holder->recycler, h);
    else holder->allocator->free(holder->allocator->ctx, h);
    h = next;
  }
  artemis_ipc_recycler_unref(holder->recycler);
  holder->allocator->free(holder->allocator->ctx, holder);
}

void artemis_ipc_holder_adopt(artemis_ipc_holder* holder, void* block) {
  block_header* h = (block_header*)block - 1;
  h->next = holder->blocks;
  holder->blocks = h;
}

void* artemis_ipc_holder_alloc(artemis_ipc_holder* holder, size_t size) {
  void* block = artemis_ipc_block_alloc(holder->allocator, size);
  if (block) artemis_ipc_holder_adopt(holder, block);
  return block;
}

/* ---- nodes ---- */

/* One allocation per node: this header, then the buffer pointers, the child pointers,
 * the child structs and the dictionary struct. */
typedef struct array_node {
  const artemis_allocator* allocator;
  artemis_ipc_holder* holder;
  const void** buffers;
} array_node;

#define ALIGN8(n) (((n) + 7) & ~(size_t)7)

static void release_array(struct ArrowArray* a) {
  if (!a || !a->release) return;
  for (int64_t i = 0; i < a->n_children; i++)
    if (a->children[i]->release) a->children[i]->release(a->children[i]);
  if (a->dictionary && a->dictionary->release) a->dictionary->release(a->dictionary);
  array_node* node = a->private_data;
  artemis_ipc_holder_unref(node->holder);
  node->allocator->free(node->allocator->ctx, node);
  a->release = NULL;
}

int artemis_ipc_array_new(const artemis_allocator* allocator, artemis_ipc_holder* holder, int64_t n_buffers,
                          int64_t n_children, bool with_dictionary, struct ArrowArray* out) {
  size_t nb = (size_t)n_buffers, nc = (size_t)n_children;
  if (n_buffers < 0 || n_children < 0 || nc > (SIZE_MAX / 2) / (sizeof(struct ArrowArray) + sizeof(void*)))
    return ARTEMIS_E_INVALID_ARGUMENT;
  size_t size = ALIGN8(sizeof(array_node));
  size_t buffers_at = size;
  size += ALIGN8(nb * sizeof(void*));
  size_t ptrs_at = size;
  size += nc * sizeof(struct ArrowArray*);
  size_t children_at = size;
  size += nc * sizeof(struct ArrowArray);
  size_t dict_at = size;
  if (with_dictionary) size += sizeof(struct ArrowArray);
  uint8_t* block = allocator->alloc(allocator->ctx, size);
  if (!block) return ARTEMIS_E_NOMEM;
  memset(block, 0, size);
  array_node* node = (array_node*)(void*)block;
  node->allocator = allocator;
  node->holder = holder;
  node->buffers = (const void**)(void*)(block + buffers_at);
  artemis_ipc_holder_ref(holder);
  struct ArrowArray** ptrs = (struct ArrowArray**)(void*)(block + ptrs_at);
  struct ArrowArray* children = (struct ArrowArray*)(void*)(block + children_at);
  for (size_t i = 0; i < nc; i++) ptrs[i] = &children[i];
  memset(out, 0, sizeof *out);
  out->n_buffers = n_buffers;
  out->n_children = n_children;
  out->buffers = node->buffers;
  out->children = nc ? ptrs : NULL;
  out->dictionary = with_dictionary ? (struct ArrowArray*)(void*)(block + dict_at) : NULL;
  out->release = release_array;
  out->private_data = node;
  return ARTEMIS_OK;
}

const void** artemis_ipc_array_buffers(struct ArrowArray* array) {
  return ((array_node*)array->private_data)->buffers;
}

static void count_nodes(const struct ArrowArray* a, int64_t cap, int64_t* n) {
  if (++*n > cap) return;
  for (int64_t i = 0; i < a->n_children && *n <= cap; i++) count_nodes(a->children[i], cap, n);
  if (a->dictionary && *n <= cap) count_nodes(a->dictionary, cap, n);
}

int64_t artemis_ipc_array_count_nodes(const struct ArrowArray* array, int64_t cap) {
  int64_t n = 0;
  count_nodes(array, cap, &n);
  return n;
}

int artemis_ipc_array_share(const struct ArrowArray* source, const artemis_allocator* allocator,
                            struct ArrowArray* out) {
  const array_node* src = source->private_data;
  int rc = artemis_ipc_array_new(allocator, src->holder, source->n_buffers, source->n_children,
                                 source->dictionary != NULL, out);
  if (rc != ARTEMIS_OK) return rc;
  out->length = source->length;
  out->null_count = source->null_count;
  out->offset = source->offset;
  const void** buffers = artemis_ipc_array_buffers(out);
  for (int64_t i = 0; i < source->n_buffers; i++) buffers[i] = source->buffers[i];
  for (int64_t i = 0; i < source->n_children && rc == ARTEMIS_OK; i++)
    rc = artemis_ipc_array_share(source->children[i], allocator, out->children[i]);
  if (rc == ARTEMIS_OK && source->dictionary) rc = artemis_ipc_array_share(source->dictionary, allocator, out->dictionary);
  if (rc != ARTEMIS_OK) out->release(out);
  return rc;
}
