#include "ipc/ipc_dictionaries.h"

#include <string.h>

#include "core/errors.h"
#include "ipc/ipc_array.h"
#include "ipc/ipc_schema.h"
#include "ipc/ipc_types.h"

static int register_fields(artemis_ipc_dictionaries* dicts, const artemis_ipc_field* fields, int64_t n,
                           int64_t message_index, int64_t offset, artemis_error* error);

static int register_field(artemis_ipc_dictionaries* dicts, const artemis_ipc_field* f, int64_t message_index,
                          int64_t offset, artemis_error* error) {
  if (f->dictionary_encoded) {
    artemis_ipc_dictionary* slot = artemis_ipc_dictionaries_slot(dicts, f->dictionary_id);
    if (slot) {
      if (!artemis_ipc_same_value_type(slot->field, f))
        return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, -1, -1, offset,
                                    "message %lld: fields \"%s\" and \"%s\" share dictionary id %lld with different "
                                    "value types (byte %lld)",
                                    (long long)message_index, slot->field->name, f->name, (long long)f->dictionary_id,
                                    (long long)offset);
    } else {
      /* At most one slot per field, and the field count is bounded by max_fields. */
      artemis_ipc_dictionary* grown =
          artemis_mem_realloc(dicts->mem, dicts->entries, (size_t)(dicts->n_entries + 1) * sizeof *grown);
      if (!grown) return artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory registering dictionaries");
      dicts->entries = grown;
      slot = &grown[dicts->n_entries++];
      memset(slot, 0, sizeof *slot);
      slot->id = f->dictionary_id;
      slot->field = f;
    }
  }
  return register_fields(dicts, f->children, f->n_children, message_index, offset, error);
}

static int register_fields(artemis_ipc_dictionaries* dicts, const artemis_ipc_field* fields, int64_t n,
                           int64_t message_index, int64_t offset, artemis_error* error) {
  for (int64_t i = 0; i < n; i++)
    ARTEMIS_RETURN_NOT_OK(register_field(dicts, &fields[i], message_index, offset, error));
  return ARTEMIS_OK;
}

int artemis_ipc_dictionaries_init(artemis_ipc_dictionaries* dicts, artemis_mem* mem,
                                  const artemis_allocator* allocator, const artemis_ipc_schema* schema,
                                  int64_t max_bytes, int64_t message_index, int64_t offset, artemis_error* error) {
  memset(dicts, 0, sizeof *dicts);
  dicts->mem = mem;
  dicts->allocator = allocator;
  dicts->max_bytes = max_bytes;
  int rc = register_fields(dicts, schema->fields, schema->n_fields, message_index, offset, error);
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
  for (int64_t i = 0; i < dicts->n_entries; i++)
    if (dicts->entries[i].id == id) return &dicts->entries[i];
  return NULL;
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
  artemis_ipc_holder* holder = artemis_ipc_holder_new(dicts->allocator);
  if (!holder) goto nomem;
  int rc = artemis_ipc_array_new(dicts->allocator, holder, layout->n_buffers, 0, false, out);
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
                                    struct ArrowArray* values, int64_t bytes, int64_t message_index, int64_t offset,
                                    artemis_error* error) {
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
       layout.kind != ARTEMIS_IPC_LAYOUT_FIXED && layout.kind != ARTEMIS_IPC_LAYOUT_VARBINARY)) {
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
