/* Exported ArrowArray nodes over reference-counted storage.
 *
 * A holder owns the bytes that arrays point into: a message body read from a file or a
 * pipe, decompressed or byte-swapped copies, concatenated dictionaries. Every node keeps
 * one reference to its holder, so a child moved out of its parent (C Data Interface
 * "move"), a batch released after the reader is gone, or a dictionary shared by several
 * batches all stay valid until the last node using the bytes is released. References
 * are atomic: batches may be released from any thread. */
#ifndef ARTEMIS_IPC_ARRAY_H
#define ARTEMIS_IPC_ARRAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "artemis/alloc.h"
#include "artemis/arrow_c.h"

typedef struct artemis_ipc_holder artemis_ipc_holder;

/* A new holder with one reference (the caller's). NULL when out of memory. */
artemis_ipc_holder* artemis_ipc_holder_new(const artemis_allocator* allocator);
void artemis_ipc_holder_ref(artemis_ipc_holder* holder);
/* Drops one reference; the last one frees every block and the holder. NULL is a no-op. */
void artemis_ipc_holder_unref(artemis_ipc_holder* holder);

/* Blocks: allocations the holder can adopt. The body reader grows one with
 * artemis_ipc_block_realloc while bytes arrive, then hands it to a holder. */
void* artemis_ipc_block_alloc(const artemis_allocator* allocator, size_t size);
void* artemis_ipc_block_realloc(const artemis_allocator* allocator, void* block, size_t size);
void artemis_ipc_block_free(const artemis_allocator* allocator, void* block);
/* The holder takes `block` (from artemis_ipc_block_alloc with the same allocator). */
void artemis_ipc_holder_adopt(artemis_ipc_holder* holder, void* block);
/* A new block of `size` bytes owned by the holder; NULL when out of memory. */
void* artemis_ipc_holder_alloc(artemis_ipc_holder* holder, size_t size);

/* Block capacity in bytes (what it was allocated or last reallocated with). */
size_t artemis_ipc_block_capacity(const void* block);

/* A one-slot store of a message-body block whose batch has been released, so the next
 * body of at most that size is read into it instead of into fresh memory: each fresh
 * multi-megabyte block costs page faults and zeroing for every page (a fifth of the
 * reader's time on a large stream). Reference-counted: the reader holds one reference and
 * every holder whose body may come back holds one, so it lives as long as either. */
typedef struct artemis_ipc_recycler artemis_ipc_recycler;
artemis_ipc_recycler* artemis_ipc_recycler_new(const artemis_allocator* allocator);
void artemis_ipc_recycler_unref(artemis_ipc_recycler* recycler);
/* The parked block if its capacity is at least `size` (the caller owns it), else NULL (a
 * parked block too small is freed). Any thread. */
void* artemis_ipc_recycler_take(artemis_ipc_recycler* recycler, size_t size);
/* The holder will park `block` (one of its blocks) in `recycler` instead of freeing it
 * when its last reference goes. Takes a reference to the recycler. */
void artemis_ipc_holder_recycle(artemis_ipc_holder* holder, void* block, artemis_ipc_recycler* recycler);

/* Makes `out` a node with `n_buffers` buffers (all NULL), `n_children` children (each an
 * empty struct with release == NULL until filled) and, if asked, an empty dictionary
 * struct; the node takes a reference to `holder`. `out->release` frees whatever the
 * children and dictionary hold at that time, so a half-built tree is released safely. */
int artemis_ipc_array_new(const artemis_allocator* allocator, artemis_ipc_holder* holder, int64_t n_buffers,
                          int64_t n_children, bool with_dictionary, struct ArrowArray* out);

/* Buffer pointers of a node made by artemis_ipc_array_new (writable). */
const void** artemis_ipc_array_buffers(struct ArrowArray* array);

/* Nodes of the tree at `array` (children and dictionaries included), counting stops
 * once it exceeds `cap`: the cost of artemis_ipc_array_share, bounded. */
int64_t artemis_ipc_array_count_nodes(const struct ArrowArray* array, int64_t cap);

/* A new tree sharing the buffers of `source` (a tree made here), each node referencing
 * the same holders. */
int artemis_ipc_array_share(const struct ArrowArray* source, const artemis_allocator* allocator,
                            struct ArrowArray* out);

#endif
