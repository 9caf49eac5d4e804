#include "ipc/ipc_dictionaries.h"

#include <stdlib.h>
#include <string.h>

#include "core/errors.h"
#include "ipc/ipc_array.h"
#include "ipc/ipc_byteswap.h"
#include "ipc/ipc_schema.h"
#include "ipc/ipc_types.h"

/* Registration collects every dictionary-encoded field in pre-order, sorts them by id
 * (then by that order, so the first field declaring an id gives the slot its value type)
 * and keeps one slot per id; lookups binary-search. A linear scan per field, per
 * dictionary batch and per dictionary-encoded column of every record batch was quadratic
 * in the fields a schema may declare (max_fields, default 100,000): 20,000 dictionary
 * fields already took 3x the time of 10,000 (found while bounding the work per input
 * byte for the fuzz target). */
typedef struct declared {
  int64_t id;
  int64_t seq;
  const artemis_ipc_field* field;
} declared;

static int64_t count_declared(const artemis_ipc_field* fields, int64_t n) {
  int64_t count = 0;
  for (int64_t i = 0; i < n; i++)
    count += (fields[i].dictionary_encoded ? 1 : 0) + count_declared(fields[i].children, fields[i].n_children);
  return count;
}

static void collect_declared(const artemis_ipc_field* fields, int64_t n, declared* out, int64_t* k) {
  for (int64_t i = 0; i < n; i++) {
    if (fields[i].dictionary_encoded) {
      out[*k].id = fields[i].dictionary_id;
      out[*k].seq = *k;
      out[*k].field = &fields[i];
      (*k)++;
    }
    collect_declared(fields[i].children, fields[i].n_children, out, k);
  }
}

static int by_id_then_seq(const void* a, const void* b) {
  const declared* x = a;
  const declared* y = b;
  if (x->id != y->id) return x->id < y->id ? -1 : 1;
  return (x->seq > y->seq) - (x->seq < y->seq);
}

static int register_all(artemis_ipc_dictionaries* dicts, const artemis_ipc_schema* schema, const char* where,
                        int64_t offset, artemis_error* error) {
  /* At most one slot per field, and the field count is bounded by max_fields. */
  int64_t n = count_declared(schema->fields, schema->n_fields);
  if (n == 0) return ARTEMIS_OK;
  declared* all = artemis_mem_calloc(dicts->mem, (size_t)n, sizeof *all);
  dicts->entries = artemis_mem_calloc(dicts->mem, (size_t)n, sizeof *dicts->entries);
  if (!all || !dicts->entries) {
    artemis_mem_free(dicts->mem, all);
    return artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory registering dictionaries");
  }
  int64_t k = 0;
  collect_declared(schema->fields, schema->n_fields, all, &k);
  qsort(all, (size_t)n, sizeof *all, by_id_then_seq);
  int rc = ARTEMIS_OK;
  for (int64_t i = 0; i < n && rc == ARTEMIS_OK; i++) {
    artemis_ipc_dictionary* last = dicts->n_entries ? &dicts->entries[dicts->n_entries - 1] : NULL;
    if (last && last->id == all[i].id) {
      if (!artemis_ipc_same_value_type(last->field, all[i].field))
        rc = artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, -1, -1, offset,
                                  "%s: fields \"%s\" and \"%s\" share dictionary id %lld with different "
                                  "value types (byte %lld)",
                                  where, last->field->name, all[i].field->name,
                                  (long long)all[i].id, (long long)offset);
      continue;
    }
    artemis_ipc_dictionary* slot = &dicts->entries[dicts->n_entries++];
    memset(slot, 0, sizeof *slot);
    slot->id = all[i].id;
    slot->field = all[i].field;
  }
  artemis_mem_free(dicts->mem, all);
  return rc;
}

int artemis_ipc_dictionaries_init(artemis_ipc_dictionaries* dicts, artemis_mem* mem,
                                  const artemis_allocator* allocator, const artemis_ipc_schema* schema,
                                  int64_t max_bytes, const char* where, int64_t offset, artemis_error* error) {
  memset(dicts, 0, sizeof *dicts);
  dicts->mem = mem;
  dicts->allocator = allocator;
  dicts->max_bytes = max_bytes;
  int rc = register_all(dicts, schema, where, offset, error);
  if (rc != ARTEMIS_OK) artemis_ipc_dictionaries_free(dicts);
  return rc;
}

void artemis_ipc_dictionaries_free(artemis_ipc_dictionaries* dicts) {
  for (int64_t i = 0; i < dicts->n_entries; i++)
    if (dicts->entries[i].values.release) dicts->entries[i].values.release(&dicts->entries[i].values);
  artemis_mem_free(dicts->mem, dicts->entries);
  dicts->entries = NULL;
  dicts->n_entries = 0;
  dicts->total_bytes = 0;
}

artemis_ipc_dictionary* artemis_ipc_dictionaries_slot(artemis_ipc_dictionaries* dicts, int64_t id) {
  int64_t lo = 0, hi = dicts->n_entries; /* entries are sorted by id (register_all) */
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (dicts->entries[mid].id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo < dicts->n_entries && dicts->entries[lo].id == id ? &dicts->entries[lo] : NULL;
}

const struct ArrowArray* artemis_ipc_dictionaries_find(void* dicts, int64_t id) {
  artemis_ipc_dictionary* slot = artemis_ipc_dictionaries_slot(dicts, id);
  return slot && slot->values.release ? &slot->values : NULL;
}

/* ---- delta concatenation (flat value types) ---- */

static bool bit_at(const void* bits, int64_t i) {
  const uint8_t* b = bits;
  return (b[i / 8] >> (i % 8)) & 1;
}

static void put_bit(uint8_t* bits, int64_t i, bool v) {
  if (v) bits[i / 8] |= (uint8_t)(1u << (i % 8));
}

/* Copies the bits of a[offset .. offset+len) to out[at ..); NULL `src` means all ones. */
static void copy_bits(uint8_t* out, int64_t at, const void* src, int64_t offset, int64_t len) {
  for (int64_t i = 0; i < len; i++) put_bit(out, at + i, src ? bit_at(src, offset + i) : true);
}

static int64_t load_offset(const void* p, int width, int64_t i) {
  if (width == 4) {
    int32_t v;
    memcpy(&v, (const uint8_t*)p + i * 4, 4);
    return v;
  }
  int64_t v;
  memcpy(&v, (const uint8_t*)p + i * 8, 8);
  return v;
}

static void store_offset(uint8_t* p, int width, int64_t i, int64_t v) {
  if (width == 4) {
    int32_t w = (int32_t)v;
    memcpy(p + i * 4, &w, 4);
  } else {
    memcpy(p + i * 8, &v, 8);
  }
}

static int concat(artemis_ipc_dictionaries* dicts, const artemis_ipc_layout* layout, const struct ArrowArray* a,
                  const struct ArrowArray* b, struct ArrowArray* out, int64_t id, int64_t message_index,
                  int64_t offset, artemis_error* error) {
  if (a->length > INT64_MAX / 16 - b->length)
    return artemis_set_error_at(error, ARTEMIS_E_LIMIT, -1, -1, offset,
                                "message %lld: delta dictionary id %lld grows beyond the format's limits (byte %lld)",
                                (long long)message_index, (long long)id, (long long)offset);
  int64_t len = a->length + b->length;
  int64_t n_buffers = layout->n_buffers;
  int64_t a_data = 0, b_data = 0; /* VIEW: data buffers of each */
  if (layout->kind == ARTEMIS_IPC_LAYOUT_VIEW) {
    a_data = a->n_buffers - 3;
    b_data = b->n_buffers - 3;
    /* Buffer indices are int32 in a view. */
    if (a_data > INT32_MAX - b_data)
      return artemis_set_error_at(error, ARTEMIS_E_LIMIT, -1, -1, offset,
                                  "message %lld: delta dictionary id %lld would have more than 2^31 data buffers "
                                  "(byte %lld)",
                                  (long long)message_index, (long long)id, (long long)offset);
    n_buffers = 3 + a_data + b_data;
  }
  artemis_ipc_holder* holder = artemis_ipc_holder_new(dicts->allocator);
  if (!holder) goto nomem;
  int rc = artemis_ipc_array_new(dicts->allocator, holder, n_buffers, 0, false, out);
  artemis_ipc_holder_unref(holder); /* the node holds its own reference */
  if (rc != ARTEMIS_OK) goto nomem;
  out->length = len;
  out->null_count = a->null_count + b->null_count;
  const void** buffers = artemis_ipc_array_buffers(out);
  size_t bitmap_bytes = (size_t)(len / 8 + 1);
  if (layout->kind == ARTEMIS_IPC_LAYOUT_NULL) {
    out->null_count = len;
    return ARTEMIS_OK;
  }
  if (out->null_count > 0) {
    uint8_t* bits = artemis_ipc_holder_alloc(holder, bitmap_bytes);
    if (!bits) goto nomem_release;
    memset(bits, 0, bitmap_bytes);
    copy_bits(bits, 0, a->null_count ? a->buffers[0] : NULL, a->offset, a->length);
    copy_bits(bits, a->length, b->null_count ? b->buffers[0] : NULL, b->offset, b->length);
    buffers[0] = bits;
  }
  if (layout->kind == ARTEMIS_IPC_LAYOUT_BITS) {
    uint8_t* bits = artemis_ipc_holder_alloc(holder, bitmap_bytes);
    if (!bits) goto nomem_release;
    memset(bits, 0, bitmap_bytes);
    copy_bits(bits, 0, a->buffers[1], a->offset, a->length);
    copy_bits(bits, a->length, b->buffers[1], b->offset, b->length);
    buffers[1] = bits;
    return ARTEMIS_OK;
  }
  if (layout->kind == ARTEMIS_IPC_LAYOUT_FIXED) {
    size_t w = (size_t)layout->value_width;
    size_t a_bytes = (size_t)a->length * w, b_bytes = (size_t)b->length * w;
    uint8_t* data = artemis_ipc_holder_alloc(holder, a_bytes + b_bytes + 1);
    if (!data) goto nomem_release;
    if (a_bytes) memcpy(data, (const uint8_t*)a->buffers[1] + (size_t)a->offset * w, a_bytes);
    if (b_bytes) memcpy(data + a_bytes, (const uint8_t*)b->buffers[1] + (size_t)b->offset * w, b_bytes);
    buffers[1] = data;
    return ARTEMIS_OK;
  }
  if (layout->kind == ARTEMIS_IPC_LAYOUT_VIEW) {
    /* The views of both, b's buffer indices moved past a's data buffers (only where b's
     * slot is valid and not inline: null slots' views are never read), then copies of
     * every data buffer of a, then of b, and their sizes. */
    uint8_t* views = artemis_ipc_holder_alloc(holder, (size_t)len * ARTEMIS_IPC_VIEW_SIZE + 1);
    int64_t* sizes = artemis_ipc_holder_alloc(holder, (size_t)(a_data + b_data + 1) * sizeof(int64_t));
    if (!views || !sizes) goto nomem_release;
    if (a->length)
      memcpy(views, (const uint8_t*)a->buffers[1] + (size_t)a->offset * ARTEMIS_IPC_VIEW_SIZE,
             (size_t)a->length * ARTEMIS_IPC_VIEW_SIZE);
    if (b->length)
      memcpy(views + (size_t)a->length * ARTEMIS_IPC_VIEW_SIZE,
             (const uint8_t*)b->buffers[1] + (size_t)b->offset * ARTEMIS_IPC_VIEW_SIZE,
             (size_t)b->length * ARTEMIS_IPC_VIEW_SIZE);
    for (int64_t i = 0; i < b->length; i++) {
      if (b->null_count && b->buffers[0] && !bit_at(b->buffers[0], b->offset + i)) continue;
      uint8_t* v = views + (size_t)(a->length + i) * ARTEMIS_IPC_VIEW_SIZE;
      int32_t n, index;
      memcpy(&n, v, 4);
      if (n <= ARTEMIS_IPC_VIEW_INLINE) continue;
      memcpy(&index, v + 8, 4);
      index += (int32_t)a_data; /* index < b_data (checked when b was read): no overflow */
      memcpy(v + 8, &index, 4);
    }
    for (int64_t k = 0; k < a_data + b_data; k++) {
      const struct ArrowArray* src = k < a_data ? a : b;
      int64_t src_k = k < a_data ? k : k - a_data;
      int64_t size;
      memcpy(&size, (const uint8_t*)src->buffers[src->n_buffers - 1] + src_k * 8, 8);
      uint8_t* copy = artemis_ipc_holder_alloc(holder, (size_t)size + 1);
      if (!copy) goto nomem_release;
      if (size) memcpy(copy, src->buffers[2 + src_k], (size_t)size);
      buffers[2 + k] = copy;
      sizes[k] = size;
    }
    buffers[1] = views;
    buffers[n_buffers - 1] = sizes;
    return ARTEMIS_OK;
  }
  /* VARBINARY */
  int w = layout->offset_width;
  int64_t a_start = load_offset(a->buffers[1], w, a->offset), a_end = load_offset(a->buffers[1], w, a->offset + a->length);
  int64_t b_start = load_offset(b->buffers[1], w, b->offset), b_end = load_offset(b->buffers[1], w, b->offset + b->length);
  int64_t total = (a_end - a_start) + (b_end - b_start);
  if (w == 4 && total > INT32_MAX) {
    out->release(out);
    return artemis_set_error_at(error, ARTEMIS_E_LIMIT, -1, -1, offset,
                                "message %lld: delta dictionary id %lld holds more than 2 GiB of 32-bit-offset data "
                                "(byte %lld)",
                                (long long)message_index, (long long)id, (long long)offset);
  }
  uint8_t* offs = artemis_ipc_holder_alloc(holder, (size_t)(len + 1) * (size_t)w);
  uint8_t* data = artemis_ipc_holder_alloc(holder, (size_t)total + 1);
  if (!offs || !data) goto nomem_release;
  store_offset(offs, w, 0, 0);
  for (int64_t i = 0; i < a->length; i++)
    store_offset(offs, w, i + 1, load_offset(a->buffers[1], w, a->offset + i + 1) - a_start);
  for (int64_t i = 0; i < b->length; i++)
    store_offset(offs, w, a->length + i + 1,
                 (a_end - a_start) + load_offset(b->buffers[1], w, b->offset + i + 1) - b_start);
  if (a_end > a_start) memcpy(data, (const uint8_t*)a->buffers[2] + a_start, (size_t)(a_end - a_start));
  if (b_end > b_start) memcpy(data + (a_end - a_start), (const uint8_t*)b->buffers[2] + b_start, (size_t)(b_end - b_start));
  buffers[1] = offs;
  buffers[2] = data;
  return ARTEMIS_OK;
nomem_release:
  out->release(out);
nomem:
  return artemis_set_error_at(error, ARTEMIS_E_NOMEM, -1, -1, offset,
                              "message %lld: out of memory appending to dictionary id %lld (byte %lld)",
                              (long long)message_index, (long long)id, (long long)offset);
}

static int over_limit(const artemis_ipc_dictionaries* dicts, int64_t id, int64_t would_hold, int64_t message_index,
                      int64_t offset, artemis_error* error) {
  return artemis_set_error_at(error, ARTEMIS_E_LIMIT, -1, -1, offset,
                              "message %lld: dictionaries would hold %lld bytes with dictionary id %lld, above "
                              "max_dictionary_bytes (%lld) (byte %lld)",
                              (long long)message_index, (long long)would_hold, (long long)id,
                              (long long)dicts->max_bytes, (long long)offset);
}

int artemis_ipc_dictionaries_update(artemis_ipc_dictionaries* dicts, artemis_ipc_dictionary* slot, bool is_delta,
                                    struct ArrowArray* values, int64_t bytes, int64_t input_bytes,
                                    int64_t message_index, int64_t offset, artemis_error* error) {
  int64_t held_elsewhere = dicts->total_bytes - slot->bytes;
  if (!is_delta || !slot->values.release) {
    if (bytes > dicts->max_bytes - held_elsewhere) {
      int64_t would = held_elsewhere + bytes;
      values->release(values);
      return over_limit(dicts, slot->id, would, message_index, offset, error);
    }
    if (slot->values.release) slot->values.release(&slot->values);
    slot->values = *values;
    values->release = NULL;
    slot->bytes = bytes;
    dicts->total_bytes = held_elsewhere + bytes;
    return ARTEMIS_OK;
  }
  artemis_ipc_layout layout = artemis_ipc_type_layout(&slot->field->type);
  if (slot->field->n_children != 0 ||
      (layout.kind != ARTEMIS_IPC_LAYOUT_NULL && layout.kind != ARTEMIS_IPC_LAYOUT_BITS &&
       layout.kind != ARTEMIS_IPC_LAYOUT_FIXED && layout.kind != ARTEMIS_IPC_LAYOUT_VARBINARY &&
       layout.kind != ARTEMIS_IPC_LAYOUT_VIEW)) {
    values->release(values);
    return artemis_set_error_at(error, ARTEMIS_E_UNSUPPORTED, -1, -1, offset,
                                "message %lld: unsupported delta dictionary batch for dictionary id %lld of nested "
                                "type %s (byte %lld)",
                                (long long)message_index, (long long)slot->id, artemis_ipc_type_name(&slot->field->type),
                                (long long)offset);
  }
  int64_t grown = slot->bytes + bytes;
  if (bytes > dicts->max_bytes - dicts->total_bytes) {
    values->release(values);
    return over_limit(dicts, slot->id, held_elsewhere + grown, message_index, offset, error);
  }
  /* The work bound (while bounding the work per input byte for the fuzz target, 2,000
   * one-value deltas to an 8 MiB dictionary took 9 s on a 9 MiB input, quadratic in the
   * number of deltas): what all concatenations copy stays linear in the input read.
   * Both terms are at most INT64_MAX / 4. */
  int64_t budget = dicts->max_bytes > INT64_MAX / 8 ? INT64_MAX / 4 : 2 * dicts->max_bytes;
  int64_t per_byte = input_bytes > 0 ? input_bytes : 0;
  budget += per_byte > (INT64_MAX / 4) / ARTEMIS_IPC_DELTA_COPY_PER_INPUT_BYTE
                ? INT64_MAX / 4
                : per_byte * ARTEMIS_IPC_DELTA_COPY_PER_INPUT_BYTE;
  if (grown > budget - dicts->copied) {
    values->release(values);
    return artemis_set_error_at(error, ARTEMIS_E_LIMIT, -1, -1, offset,
                                "message %lld: delta dictionary batches for dictionary id %lld would copy more than "
                                "%d bytes per input byte (plus twice max_dictionary_bytes): each delta copies the "
                                "whole dictionary (byte %lld)",
                                (long long)message_index, (long long)slot->id, ARTEMIS_IPC_DELTA_COPY_PER_INPUT_BYTE,
                                (long long)offset);
  }
  dicts->copied += grown;
  struct ArrowArray joined;
  int rc = concat(dicts, &layout, &slot->values, values, &joined, slot->id, message_index, offset, error);
  values->release(values);
  if (rc != ARTEMIS_OK) return rc;
  slot->values.release(&slot->values);
  slot->values = joined;
  slot->bytes = grown;
  dicts->total_bytes = held_elsewhere + grown;
  return ARTEMIS_OK;
}
