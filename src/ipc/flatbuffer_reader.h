/* Verified access to FlatBuffers bytes that come from an untrusted input.
 *
 * Nothing here trusts a number it reads: every uoffset, soffset, vtable entry, vector
 * count and string length is checked against the buffer (with overflow-safe arithmetic)
 * before the bytes it designates are touched, and loads go through memcpy so unaligned
 * input is fine. Two bounds make any input terminate quickly whatever its offsets do:
 *   - a depth limit on tables reached through tables (cyclic offsets cannot recurse
 *     forever),
 *   - a work budget proportional to the buffer size, charged for every table, field,
 *     vector element and string visited (shared offsets cannot make an exponential DAG).
 * Any violation is ARTEMIS_E_INVALID_INPUT, with a message naming the context label
 * (e.g. "message 3") and the byte offset in the input (also in error->offset).
 *
 * Layout reminders (FlatBuffers binary format): a root uoffset at byte 0; a table starts
 * with an soffset to its vtable (vtable = table - soffset); a vtable is u16 vtable size,
 * u16 inline table size, then one u16 offset per field id (0 = absent, use the default);
 * offset fields hold a u32 relative to their own position; vectors and strings start
 * with a u32 count; strings are followed by a NUL byte. Like the reference verifier,
 * each field is checked against the buffer when it is read (not against the table's
 * declared inline size, which fuzzed inputs often damage harmlessly). Since uoffsets
 * are unsigned, every table-to-table link points forward: no cycle is possible, and the
 * depth limit bounds recursion on long chains. */
#ifndef ARTEMIS_IPC_FLATBUFFER_READER_H
#define ARTEMIS_IPC_FLATBUFFER_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "artemis/error.h"

typedef struct artemis_fb {
  const uint8_t* data;
  size_t size;
  int64_t input_offset; /* where data[0] is in the whole input: error offsets are absolute */
  char label[48];       /* "message 3", "footer": the first words of every error */
  int max_depth;
  int64_t work_left;
  artemis_error* error;
} artemis_fb;

typedef struct artemis_fb_table {
  artemis_fb* fb;
  size_t pos;    /* first byte of the table (its soffset) */
  size_t vtable; /* first byte of its vtable */
  uint16_t vtable_size;
  uint16_t table_size; /* as declared; informational */
  int depth;
} artemis_fb_table;

typedef struct artemis_fb_vector {
  artemis_fb* fb;
  size_t start; /* first element */
  uint32_t count;
  size_t elem_size;
  int depth; /* of the table holding the vector */
} artemis_fb_vector;

typedef struct artemis_fb_string {
  const char* data; /* NUL-terminated in the buffer (checked); may hold NULs of its own */
  uint32_t len;
} artemis_fb_string;

static inline uint16_t artemis_load_u16le(const uint8_t* p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t artemis_load_u32le(const uint8_t* p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t artemis_load_u64le(const uint8_t* p) {
  return (uint64_t)artemis_load_u32le(p) | ((uint64_t)artemis_load_u32le(p + 4) << 32);
}
static inline int32_t artemis_load_i32le(const uint8_t* p) {
  uint32_t u = artemis_load_u32le(p);
  int32_t v;
  memcpy(&v, &u, sizeof v);
  return v;
}
static inline int64_t artemis_load_i64le(const uint8_t* p) {
  uint64_t u = artemis_load_u64le(p);
  int64_t v;
  memcpy(&v, &u, sizeof v);
  return v;
}

/* Prepares `fb` over `size` bytes. `label` names the context in errors; `max_depth`
 * bounds table nesting (the root table is depth 1). Never fails. */
void artemis_fb_init(artemis_fb* fb, const uint8_t* data, size_t size, int64_t input_offset, const char* label,
                     int max_depth, artemis_error* error);

/* The root table. */
int artemis_fb_root(artemis_fb* fb, artemis_fb_table* out);

/* Scalars: `*out` is the stored value, or `dflt` when the field is absent. */
int artemis_fb_u8(const artemis_fb_table* t, int id, uint8_t dflt, uint8_t* out);
int artemis_fb_bool(const artemis_fb_table* t, int id, bool dflt, bool* out);
int artemis_fb_i16(const artemis_fb_table* t, int id, int16_t dflt, int16_t* out);
int artemis_fb_i32(const artemis_fb_table* t, int id, int32_t dflt, int32_t* out);
int artemis_fb_i64(const artemis_fb_table* t, int id, int64_t dflt, int64_t* out);

/* Offset fields. `*present` is false (and `out` untouched) when the field is absent. */
int artemis_fb_table_field(const artemis_fb_table* t, int id, artemis_fb_table* out, bool* present);
int artemis_fb_string_field(const artemis_fb_table* t, int id, artemis_fb_string* out, bool* present);
/* A vector of `elem_size`-byte elements (4 for tables and strings, the struct size for
 * structs, the scalar size for scalars); an absent vector reads as empty. */
int artemis_fb_vector_field(const artemis_fb_table* t, int id, size_t elem_size, artemis_fb_vector* out,
                            bool* present);
/* An inline struct of `size` bytes stored in the table. */
int artemis_fb_struct_field(const artemis_fb_table* t, int id, size_t size, const uint8_t** out, bool* present);

/* Vector elements (`index` < count is the caller's job; checked again here). */
int artemis_fb_vector_table(const artemis_fb_vector* v, uint32_t index, artemis_fb_table* out);
int artemis_fb_vector_string(const artemis_fb_vector* v, uint32_t index, artemis_fb_string* out);
/* The bytes of element `index` (structs and scalars). */
int artemis_fb_vector_element(const artemis_fb_vector* v, uint32_t index, const uint8_t** out);

/* Fails with ARTEMIS_E_INVALID_INPUT: "<label>: <message> (byte <input_offset + pos>)". */
int artemis_fb_fail(artemis_fb* fb, size_t pos, const char* what);

#endif
