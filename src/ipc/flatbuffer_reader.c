#include "ipc/flatbuffer_reader.h"

#include <stdio.h>

#include "core/errors.h"

/* Visiting one table, field or element costs 1. A well-formed buffer is read a handful
 * of times per byte at most; 16 per byte plus slack is far above any real schema and
 * still keeps a hostile DAG of shared offsets to a few million steps. */
#define WORK_PER_BYTE 16
#define WORK_SLACK 4096

void artemis_fb_init(artemis_fb* fb, const uint8_t* data, size_t size, int64_t input_offset, const char* label,
                     int max_depth, artemis_error* error) {
  fb->data = data;
  fb->size = size;
  fb->input_offset = input_offset;
  snprintf(fb->label, sizeof fb->label, "%s", label ? label : "flatbuffer");
  fb->max_depth = max_depth < 1 ? 1 : max_depth;
  fb->work_left = (size > (size_t)(INT64_MAX / WORK_PER_BYTE) - WORK_SLACK) ? INT64_MAX
                                                                              : (int64_t)size * WORK_PER_BYTE + WORK_SLACK;
  fb->error = error;
}

int artemis_fb_fail(artemis_fb* fb, size_t pos, const char* what) {
  int64_t at = fb->input_offset + (int64_t)pos;
  return artemis_set_error_at(fb->error, ARTEMIS_E_INVALID_INPUT, -1, -1, at, "%s: %s (byte %lld)", fb->label, what,
                              (long long)at);
}

static int charge(artemis_fb* fb, size_t pos) {
  if (--fb->work_left < 0) return artemis_fb_fail(fb, pos, "flatbuffer too expensive to decode (cyclic or shared offsets)");
  return ARTEMIS_OK;
}

/* `n` bytes at `pos` lie inside the buffer. */
static bool in_range(const artemis_fb* fb, size_t pos, size_t n) { return pos <= fb->size && n <= fb->size - pos; }

static int table_at(artemis_fb* fb, size_t pos, int depth, artemis_fb_table* out) {
  ARTEMIS_RETURN_NOT_OK(charge(fb, pos));
  if (depth > fb->max_depth) return artemis_fb_fail(fb, pos, "flatbuffer tables nested too deeply");
  if (!in_range(fb, pos, 4)) return artemis_fb_fail(fb, pos, "flatbuffer table offset out of range");
  int64_t vtable = (int64_t)pos - (int64_t)artemis_load_i32le(fb->data + pos);
  if (vtable < 0 || !in_range(fb, (size_t)vtable, 4)) return artemis_fb_fail(fb, pos, "flatbuffer vtable out of range");
  uint16_t vtable_size = artemis_load_u16le(fb->data + vtable);
  uint16_t table_size = artemis_load_u16le(fb->data + vtable + 2);
  if (vtable_size < 4 || (vtable_size & 1) != 0 || !in_range(fb, (size_t)vtable, vtable_size))
    return artemis_fb_fail(fb, (size_t)vtable, "flatbuffer vtable size invalid or out of range");
  /* The inline size is not checked: like the reference verifier, each field is checked
   * against the buffer when it is read, so a table with a wrong size is still safe. */
  out->fb = fb;
  out->pos = pos;
  out->vtable = (size_t)vtable;
  out->vtable_size = vtable_size;
  out->table_size = table_size;
  out->depth = depth;
  return ARTEMIS_OK;
}

int artemis_fb_root(artemis_fb* fb, artemis_fb_table* out) {
  if (!in_range(fb, 0, 4)) return artemis_fb_fail(fb, 0, "flatbuffer shorter than its root offset");
  uint32_t root = artemis_load_u32le(fb->data);
  /* Reported at the root offset itself: table_at would name the (possibly gigabytes
   * away) target, an offset outside the input. */
  if (!in_range(fb, root, 4)) return artemis_fb_fail(fb, 0, "flatbuffer root table offset out of range");
  return table_at(fb, root, 1, out);
}

/* Where field `id` (of `size` inline bytes) sits, if present. */
static int field_pos(const artemis_fb_table* t, int id, size_t size, size_t* out, bool* present) {
  ARTEMIS_RETURN_NOT_OK(charge(t->fb, t->pos));
  *present = false;
  if (id < 0) return artemis_fb_fail(t->fb, t->pos, "negative flatbuffer field id");
  size_t slot = 4 + 2 * (size_t)id;
  if (slot + 2 > t->vtable_size) return ARTEMIS_OK;
  uint16_t off = artemis_load_u16le(t->fb->data + t->vtable + slot);
  if (off == 0) return ARTEMIS_OK;
  if (!in_range(t->fb, t->pos + off, size))
    return artemis_fb_fail(t->fb, t->vtable + slot, "flatbuffer field out of range");
  *out = t->pos + off;
  *present = true;
  return ARTEMIS_OK;
}

int artemis_fb_u8(const artemis_fb_table* t, int id, uint8_t dflt, uint8_t* out) {
  size_t pos = 0;
  bool present;
  ARTEMIS_RETURN_NOT_OK(field_pos(t, id, 1, &pos, &present));
  *out = present ? t->fb->data[pos] : dflt;
  return ARTEMIS_OK;
}

int artemis_fb_bool(const artemis_fb_table* t, int id, bool dflt, bool* out) {
  uint8_t v;
  ARTEMIS_RETURN_NOT_OK(artemis_fb_u8(t, id, dflt ? 1 : 0, &v));
  *out = v != 0;
  return ARTEMIS_OK;
}

int artemis_fb_i16(const artemis_fb_table* t, int id, int16_t dflt, int16_t* out) {
  size_t pos = 0;
  bool present;
  ARTEMIS_RETURN_NOT_OK(field_pos(t, id, 2, &pos, &present));
  if (!present) {
    *out = dflt;
  } else {
    uint16_t u = artemis_load_u16le(t->fb->data + pos);
    memcpy(out, &u, sizeof u);
  }
  return ARTEMIS_OK;
}

int artemis_fb_i32(const artemis_fb_table* t, int id, int32_t dflt, int32_t* out) {
  size_t pos = 0;
  bool present;
  ARTEMIS_RETURN_NOT_OK(field_pos(t, id, 4, &pos, &present));
  *out = present ? artemis_load_i32le(t->fb->data + pos) : dflt;
  return ARTEMIS_OK;
}

int artemis_fb_i64(const artemis_fb_table* t, int id, int64_t dflt, int64_t* out) {
  size_t pos = 0;
  bool present;
  ARTEMIS_RETURN_NOT_OK(field_pos(t, id, 8, &pos, &present));
  *out = present ? artemis_load_i64le(t->fb->data + pos) : dflt;
  return ARTEMIS_OK;
}

/* Follows the uoffset stored at `pos`. */
static int follow(artemis_fb* fb, size_t pos, size_t* target) {
  if (!in_range(fb, pos, 4)) return artemis_fb_fail(fb, pos, "flatbuffer offset out of range");
  uint32_t rel = artemis_load_u32le(fb->data + pos);
  if (rel == 0 || rel > fb->size - pos) return artemis_fb_fail(fb, pos, "flatbuffer offset out of range");
  *target = pos + rel;
  return ARTEMIS_OK;
}

static int offset_field(const artemis_fb_table* t, int id, size_t* target, bool* present) {
  size_t pos = 0;
  ARTEMIS_RETURN_NOT_OK(field_pos(t, id, 4, &pos, present));
  if (!*present) return ARTEMIS_OK;
  return follow(t->fb, pos, target);
}

int artemis_fb_table_field(const artemis_fb_table* t, int id, artemis_fb_table* out, bool* present) {
  size_t target = 0;
  ARTEMIS_RETURN_NOT_OK(offset_field(t, id, &target, present));
  if (!*present) return ARTEMIS_OK;
  return table_at(t->fb, target, t->depth + 1, out);
}

static int string_at(artemis_fb* fb, size_t pos, artemis_fb_string* out) {
  ARTEMIS_RETURN_NOT_OK(charge(fb, pos));
  if (!in_range(fb, pos, 4)) return artemis_fb_fail(fb, pos, "flatbuffer string out of range");
  uint32_t len = artemis_load_u32le(fb->data + pos);
  /* The length, the bytes, then the NUL terminator the format requires. */
  if (!in_range(fb, pos + 4, (size_t)len + 1)) return artemis_fb_fail(fb, pos, "flatbuffer string out of range");
  if (fb->data[pos + 4 + len] != 0) return artemis_fb_fail(fb, pos, "flatbuffer string not NUL-terminated");
  out->data = (const char*)(fb->data + pos + 4);
  out->len = len;
  return ARTEMIS_OK;
}

int artemis_fb_string_field(const artemis_fb_table* t, int id, artemis_fb_string* out, bool* present) {
  size_t target = 0;
  ARTEMIS_RETURN_NOT_OK(offset_field(t, id, &target, present));
  if (!*present) return ARTEMIS_OK;
  return string_at(t->fb, target, out);
}

int artemis_fb_vector_field(const artemis_fb_table* t, int id, size_t elem_size, artemis_fb_vector* out,
                            bool* present) {
  out->fb = t->fb;
  out->start = 0;
  out->count = 0;
  out->elem_size = elem_size;
  out->depth = t->depth;
  size_t target = 0;
  ARTEMIS_RETURN_NOT_OK(offset_field(t, id, &target, present));
  if (!*present) return ARTEMIS_OK;
  artemis_fb* fb = t->fb;
  if (!in_range(fb, target, 4)) return artemis_fb_fail(fb, target, "flatbuffer vector out of range");
  uint32_t count = artemis_load_u32le(fb->data + target);
  size_t room = fb->size - (target + 4);
  if (elem_size == 0 || count > room / elem_size)
    return artemis_fb_fail(fb, target, "flatbuffer vector longer than the buffer");
  out->start = target + 4;
  out->count = count;
  return ARTEMIS_OK;
}

int artemis_fb_struct_field(const artemis_fb_table* t, int id, size_t size, const uint8_t** out, bool* present) {
  size_t pos = 0;
  ARTEMIS_RETURN_NOT_OK(field_pos(t, id, size, &pos, present));
  if (*present) *out = t->fb->data + pos;
  return ARTEMIS_OK;
}

static int element_pos(const artemis_fb_vector* v, uint32_t index, size_t* pos) {
  if (index >= v->count) return artemis_fb_fail(v->fb, v->start, "flatbuffer vector index out of range");
  ARTEMIS_RETURN_NOT_OK(charge(v->fb, v->start));
  *pos = v->start + (size_t)index * v->elem_size;
  return ARTEMIS_OK;
}

int artemis_fb_vector_table(const artemis_fb_vector* v, uint32_t index, artemis_fb_table* out) {
  size_t pos = 0, target = 0;
  if (v->elem_size != 4) return artemis_fb_fail(v->fb, v->start, "flatbuffer vector is not a vector of tables");
  ARTEMIS_RETURN_NOT_OK(element_pos(v, index, &pos));
  ARTEMIS_RETURN_NOT_OK(follow(v->fb, pos, &target));
  return table_at(v->fb, target, v->depth + 1, out);
}

int artemis_fb_vector_string(const artemis_fb_vector* v, uint32_t index, artemis_fb_string* out) {
  size_t pos = 0, target = 0;
  if (v->elem_size != 4) return artemis_fb_fail(v->fb, v->start, "flatbuffer vector is not a vector of strings");
  ARTEMIS_RETURN_NOT_OK(element_pos(v, index, &pos));
  ARTEMIS_RETURN_NOT_OK(follow(v->fb, pos, &target));
  return string_at(v->fb, target, out);
}

int artemis_fb_vector_element(const artemis_fb_vector* v, uint32_t index, const uint8_t** out) {
  size_t pos = 0;
  ARTEMIS_RETURN_NOT_OK(element_pos(v, index, &pos));
  *out = v->fb->data + pos;
  return ARTEMIS_OK;
}
