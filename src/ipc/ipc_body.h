/* A RecordBatch header plus its body -> an ArrowArray tree.
 *
 * Field nodes and buffers are consumed in pre-order (a field's node and buffers, then its
 * children's), as the format lays them out. Every buffer's offset and length is checked
 * against the body; validity bitmaps against lengths and null counts (the number of
 * zero bits must equal the null count); data sizes against lengths; offsets must start
 * at >= 0, never decrease and end within their data (or their child); dictionary
 * indices must be within their dictionary; every non-null view within its data buffer
 * (binary_view, utf8_view: validity, views, then the field's variadicBufferCounts entry
 * of data buffers, exported with a last int64 buffer of the data buffers' sizes).
 * Compressed buffers may declare no more uncompressed bytes than their role needs plus
 * padding, and a message's buffers together no more than max_body_bytes. Buffers point into the body (zero-copy)
 * unless they were compressed or byte-swapped: then into copies owned by the holder. */
#ifndef ARTEMIS_IPC_BODY_H
#define ARTEMIS_IPC_BODY_H

#include <stdbool.h>
#include <stdint.h>

#include "artemis/alloc.h"
#include "artemis/arrow_c.h"
#include "artemis/error.h"
#include "ipc/ipc_array.h"
#include "ipc/ipc_codec.h"
#include "ipc/ipc_metadata.h"

/* The current dictionary of `id` (a tree made by ipc_array.c), or NULL if none yet. */
typedef const struct ArrowArray* (*artemis_ipc_find_dictionary)(void* dictionaries, int64_t id);

typedef struct artemis_ipc_body_ctx {
  const artemis_allocator* allocator;
  artemis_ipc_holder* holder; /* every node references it; copies are allocated in it */
  const artemis_ipc_record_batch* batch;
  const uint8_t* body;
  int64_t body_size;
  int64_t body_offset; /* where the body starts in the input */
  int64_t message_index;
  bool swap;                  /* the body is big-endian and this machine is not (or the reverse) */
  int64_t max_decompressed;   /* uncompressed bytes of a compressed message's buffers, all
                                 together (max_body_bytes); each buffer is also bounded by
                                 what its role needs (ipc_codec.h) */
  artemis_ipc_codec* codec;
  artemis_ipc_find_dictionary find_dictionary;
  void* dictionaries;
  artemis_error* error;
  /* Every dictionary-encoded column gets its own copy of the dictionary's node tree:
   * `*shared_nodes` (kept by the reader across messages) counts the nodes made so, which
   * may not exceed `share_budget` (ARTEMIS_E_LIMIT). */
  int64_t* shared_nodes;
  int64_t share_budget;
  /* Filled while decoding. */
  int64_t node_index;
  int64_t buffer_index;
  int64_t variadic_index; /* next variadicBufferCounts entry */
  int64_t decompressed;   /* bytes of this message's buffers after decompression */
  int64_t column;      /* top-level column being decoded, -1 in a dictionary batch */
  const char* column_name;
  int64_t dictionary_id; /* the dictionary batch's id, for messages */
  int64_t bytes;       /* bytes of all buffers taken (after decompression) */
} artemis_ipc_body_ctx;

/* Field nodes and buffers a record batch of `fields` has (`as_values`: the fields' value
 * types, as in a dictionary batch, rather than their dictionary indices), and how many
 * of its fields are views: `buffers` counts their 2 fixed buffers, not their data
 * buffers (the batch's variadicBufferCounts say how many those are). */
void artemis_ipc_expected_counts(const artemis_ipc_field* fields, int64_t n_fields, bool as_values, int64_t* nodes,
                                 int64_t* buffers, int64_t* view_fields);

/* A record batch of `schema` into a "+s" struct array. */
int artemis_ipc_decode_record_batch(artemis_ipc_body_ctx* ctx, const artemis_ipc_schema* schema,
                                    struct ArrowArray* out);

/* The data of a dictionary batch: the values of `field`'s value type. */
int artemis_ipc_decode_dictionary_values(artemis_ipc_body_ctx* ctx, const artemis_ipc_field* field,
                                         struct ArrowArray* out);

#endif
