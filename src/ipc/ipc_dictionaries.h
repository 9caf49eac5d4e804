/* The dictionaries a reader holds, by id.
 *
 * Each id the schema declares (at any depth, including inside dictionary value types)
 * gets one slot; several fields may share an id if their value types agree. A dictionary
 * batch replaces the slot's values, or, when it is a delta, appends to them: flat value
 * types (views included: views, data buffers and sizes copied, the delta's buffer
 * indices moved past the old data buffers) are concatenated into new reader-owned
 * buffers, nested ones are ARTEMIS_E_UNSUPPORTED. (The reader refuses a second non-delta
 * batch for an id in the file format, which does not allow replacement.) The bytes held by all slots together stay within
 * max_dictionary_bytes (ARTEMIS_E_LIMIT). Batches get shared copies of the values
 * (ipc_array.h), so replacing a dictionary never invalidates a batch already returned. */
#ifndef ARTEMIS_IPC_DICTIONARIES_H
#define ARTEMIS_IPC_DICTIONARIES_H

#include <stdbool.h>
#include <stdint.h>

#include "artemis/alloc.h"
#include "artemis/arrow_c.h"
#include "artemis/error.h"
#include "core/memory.h"
#include "ipc/ipc_metadata.h"

typedef struct artemis_ipc_dictionary {
  int64_t id;
  const artemis_ipc_field* field; /* the first field declaring the id: its value type */
  struct ArrowArray values;       /* release == NULL until a dictionary batch defines it */
  int64_t bytes;
} artemis_ipc_dictionary;

typedef struct artemis_ipc_dictionaries {
  artemis_mem* mem;
  const artemis_allocator* allocator;
  artemis_ipc_dictionary* entries;
  int64_t n_entries;
  int64_t total_bytes;
  int64_t max_bytes;
  int64_t copied; /* bytes written by delta concatenation so far (see _update) */
} artemis_ipc_dictionaries;

/* Registers every dictionary id of `schema` (which must outlive `dicts`). Fields sharing
 * an id with a different value type are ARTEMIS_E_INVALID_INPUT, naming `where` (the
 * schema's origin: "message 0" or "footer") and `offset` (where it starts). */
int artemis_ipc_dictionaries_init(artemis_ipc_dictionaries* dicts, artemis_mem* mem,
                                  const artemis_allocator* allocator, const artemis_ipc_schema* schema,
                                  int64_t max_bytes, const char* where, int64_t offset, artemis_error* error);
void artemis_ipc_dictionaries_free(artemis_ipc_dictionaries* dicts);

/* The slot of `id`, or NULL if the schema declares no such id. */
artemis_ipc_dictionary* artemis_ipc_dictionaries_slot(artemis_ipc_dictionaries* dicts, int64_t id);

/* The current values of `id`, or NULL (signature of artemis_ipc_find_dictionary). */
const struct ArrowArray* artemis_ipc_dictionaries_find(void* dicts, int64_t id);

/* Stores `values` (moved in: released here on failure too) of `bytes` bytes as the new
 * dictionary of `slot`, or appends them when `is_delta`.
 * A delta copies the whole dictionary (batches share the old one), so many small deltas
 * to a large dictionary cost quadratic work: the bytes copied by all deltas together
 * stay within ARTEMIS_IPC_DELTA_COPY_PER_INPUT_BYTE per byte of `input_bytes` (the input
 * consumed so far) plus twice max_bytes, else ARTEMIS_E_LIMIT. */
#define ARTEMIS_IPC_DELTA_COPY_PER_INPUT_BYTE 256
int artemis_ipc_dictionaries_update(artemis_ipc_dictionaries* dicts, artemis_ipc_dictionary* slot, bool is_delta,
                                    struct ArrowArray* values, int64_t bytes, int64_t input_bytes,
                                    int64_t message_index, int64_t offset, artemis_error* error);

#endif
