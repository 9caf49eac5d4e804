/* The Arrow IPC reader's parts, on hand-built bytes: the FlatBuffers verifier (offsets,
 * vtables, strings, vectors, depth and work bounds), message framing (both framings,
 * every end-of-stream form, truncation at every byte), dictionary replacement and
 * deltas, body compression prefix rules, byte-swapping, and the error codes, messages
 * and offsets. Streams are built here with a tiny FlatBuffers writer from the field ids
 * of apache/arrow format/Schema.fbs and Message.fbs, so every expectation is known from
 * construction. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <lz4frame.h>
#include <zstd.h>

#include "artemis/artemis.h"
#include "artemis/ipc_reader.h"
#include "core/errors.h"
#include "ipc/flatbuffer_reader.h"
#include "ipc/ipc_array.h"
#include "ipc/ipc_byteswap.h"
#include "ipc/ipc_codec.h"
#include "ipc/ipc_metadata.h"
#include "support/test_allocators.h"

/* ---- a forward FlatBuffers writer ------------------------------------------------------
 * Children are written after their parents (uoffsets point forward); vtables just before
 * their tables. Offset fields are reserved first and linked once the target exists. */

typedef struct fbw {
  uint8_t b[8192];
  size_t n;
} fbw;

static void fbw_init(fbw* w) {
  memset(w, 0, sizeof *w);
  w->n = 4; /* the root uoffset, linked by fbw_root */
}

static void pad_to(fbw* w, size_t a) {
  while (w->n % a) w->b[w->n++] = 0;
}

static void put(fbw* w, const void* p, size_t k) {
  assert_true(w->n + k <= sizeof w->b);
  if (p) memcpy(w->b + w->n, p, k);
  else memset(w->b + w->n, 0, k);
  w->n += k;
}

static void put_u16(fbw* w, uint16_t v) { put(w, (uint8_t[]){(uint8_t)v, (uint8_t)(v >> 8)}, 2); }
static void put_u32(fbw* w, uint32_t v) {
  put(w, (uint8_t[]){(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)}, 4);
}
static void set_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void set_u64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

enum { OFFSET = -4 }; /* field size meaning "a uoffset to link later" */

typedef struct tfield {
  int id;
  int size; /* 1, 2, 4, 8, or OFFSET */
  int64_t value;
} tfield;

/* Writes a table; `where[i]` receives the position of field i (for fbw_link). */
static size_t fbw_table(fbw* w, const tfield* f, int n, size_t* where) {
  int max_id = -1;
  for (int i = 0; i < n; i++)
    if (f[i].id > max_id) max_id = f[i].id;
  uint16_t offs[32] = {0};
  size_t inline_size = 4, field_at[32];
  for (int i = 0; i < n; i++) {
    size_t sz = f[i].size == OFFSET ? 4 : (size_t)f[i].size;
    while (inline_size % sz) inline_size++;
    field_at[i] = inline_size;
    offs[f[i].id] = (uint16_t)inline_size;
    inline_size += sz;
  }
  pad_to(w, 2);
  size_t vt = w->n;
  put_u16(w, (uint16_t)(4 + 2 * (max_id + 1)));
  put_u16(w, (uint16_t)inline_size);
  for (int i = 0; i <= max_id; i++) put_u16(w, offs[i]);
  pad_to(w, 8);
  size_t t = w->n;
  put_u32(w, (uint32_t)(t - vt));
  uint8_t zeros[64] = {0};
  put(w, zeros, inline_size - 4);
  for (int i = 0; i < n; i++) {
    uint8_t* p = w->b + t + field_at[i];
    if (f[i].size != OFFSET)
      for (int k = 0; k < f[i].size; k++) p[k] = (uint8_t)((uint64_t)f[i].value >> (8 * k));
    if (where) where[i] = t + field_at[i];
  }
  return t;
}

static void fbw_link(fbw* w, size_t from, size_t to) {
  assert_true(to > from);
  set_u32(w->b + from, (uint32_t)(to - from));
}

static void fbw_root(fbw* w, size_t table) { set_u32(w->b, (uint32_t)table); }

/* A vector of `count` elements of `size` bytes (8-byte aligned elements). */
static size_t fbw_vector(fbw* w, uint32_t count, size_t size, const void* elems) {
  while ((w->n + 4) % 8) w->b[w->n++] = 0;
  size_t at = w->n;
  put_u32(w, count);
  if (count) put(w, elems, count * size);
  return at;
}

static size_t fbw_string(fbw* w, const char* s) {
  pad_to(w, 4);
  size_t at = w->n;
  put_u32(w, (uint32_t)strlen(s));
  put(w, s, strlen(s) + 1);
  return at;
}

/* ---- IPC messages built with it (ids from Schema.fbs / Message.fbs) ---- */

enum { TYPE_INT = 2, TYPE_UTF8 = 5, TYPE_STRUCT = 13, TYPE_UNION = 14 };

typedef struct field_spec {
  const char* name;
  int type;      /* Type union tag */
  int bit_width; /* Int */
  int64_t dict_id; /* -1: not dictionary-encoded */
  int index_bits;
} field_spec;

/* Schema{endianness, fields} (a table of `w`, linked by the caller). */
static size_t build_schema_table(fbw* w, bool big_endian, const field_spec* fields, int n_fields) {
  size_t spos[2];
  tfield s[] = {{0, 2, big_endian ? 1 : 0}, {1, OFFSET, 0}};
  size_t schema = fbw_table(w, s, 2, spos);
  size_t vec = fbw_vector(w, (uint32_t)n_fields, 4, NULL);
  w->n += 4 * (size_t)n_fields;
  fbw_link(w, spos[1], vec);
  for (int i = 0; i < n_fields; i++) {
    const field_spec* f = &fields[i];
    size_t fpos[5];
    tfield ft[5] = {{0, OFFSET, 0}, {1, 1, 1}, {2, 1, f->type}, {3, OFFSET, 0}, {4, OFFSET, 0}};
    size_t field = fbw_table(w, ft, f->dict_id >= 0 ? 5 : 4, fpos);
    fbw_link(w, vec + 4 + 4 * (size_t)i, field);
    fbw_link(w, fpos[0], fbw_string(w, f->name));
    tfield it[] = {{0, 4, f->bit_width}, {1, 1, 1}};
    fbw_link(w, fpos[3], fbw_table(w, it, f->type == TYPE_INT ? 2 : 0, NULL));
    if (f->dict_id >= 0) {
      size_t dpos[2];
      tfield dt[] = {{0, 8, f->dict_id}, {1, OFFSET, 0}};
      fbw_link(w, fpos[4], fbw_table(w, dt, 2, dpos));
      tfield index[] = {{0, 4, f->index_bits}, {1, 1, 1}};
      fbw_link(w, dpos[1], fbw_table(w, index, 2, NULL));
    }
  }
  return schema;
}

/* Message{version, header_type=Schema, header=Schema{endianness, fields}}. */
static size_t build_schema(fbw* w, int version, bool big_endian, const field_spec* fields, int n_fields) {
  fbw_init(w);
  size_t mpos[3];
  tfield m[] = {{0, 2, version}, {1, 1, 1}, {2, OFFSET, 0}};
  size_t message = fbw_table(w, m, 3, mpos);
  fbw_root(w, message);
  fbw_link(w, mpos[2], build_schema_table(w, big_endian, fields, n_fields));
  return w->n;
}

typedef struct batch_spec {
  int64_t length;
  const int64_t* nodes; /* length, null_count pairs */
  int n_nodes;
  const int64_t* buffers; /* offset, length pairs */
  int n_buffers;
  int codec; /* -1: no BodyCompression */
  int64_t body_length;
  int64_t dict_id; /* >= 0: a DictionaryBatch */
  bool is_delta;
  const int64_t* variadic; /* variadicBufferCounts (NULL: absent) */
  int n_variadic;
} batch_spec;

static size_t build_batch(fbw* w, const batch_spec* b) {
  fbw_init(w);
  bool dict = b->dict_id >= 0;
  size_t mpos[4];
  tfield m[] = {{0, 2, 4}, {1, 1, dict ? 2 : 3}, {2, OFFSET, 0}, {3, 8, b->body_length}};
  size_t message = fbw_table(w, m, 4, mpos);
  fbw_root(w, message);
  size_t rb_link = mpos[2];
  if (dict) {
    size_t dpos[3];
    tfield d[] = {{0, 8, b->dict_id}, {1, OFFSET, 0}, {2, 1, b->is_delta}};
    fbw_link(w, mpos[2], fbw_table(w, d, 3, dpos));
    rb_link = dpos[1];
  }
  size_t rpos[5];
  tfield r[5] = {{0, 8, b->length}, {1, OFFSET, 0}, {2, OFFSET, 0}};
  int n_r = 3;
  int at_codec = -1, at_variadic = -1;
  if (b->codec >= 0) {
    at_codec = n_r;
    r[n_r++] = (tfield){3, OFFSET, 0};
  }
  if (b->variadic) {
    at_variadic = n_r;
    r[n_r++] = (tfield){4, OFFSET, 0};
  }
  fbw_link(w, rb_link, fbw_table(w, r, n_r, rpos));
  uint8_t tmp[128 * 16];
  assert_true(b->n_nodes <= 128 && b->n_buffers <= 128 && b->n_variadic <= 256);
  for (int i = 0; i < 2 * b->n_nodes; i++) set_u64(tmp + 8 * i, (uint64_t)b->nodes[i]);
  fbw_link(w, rpos[1], fbw_vector(w, (uint32_t)b->n_nodes, 16, tmp));
  for (int i = 0; i < 2 * b->n_buffers; i++) set_u64(tmp + 8 * i, (uint64_t)b->buffers[i]);
  fbw_link(w, rpos[2], fbw_vector(w, (uint32_t)b->n_buffers, 16, tmp));
  if (b->codec >= 0) {
    tfield c[] = {{0, 1, b->codec}};
    fbw_link(w, rpos[at_codec], fbw_table(w, c, 1, NULL));
  }
  if (b->variadic) {
    for (int i = 0; i < b->n_variadic; i++) set_u64(tmp + 8 * i, (uint64_t)b->variadic[i]);
    fbw_link(w, rpos[at_variadic], fbw_vector(w, (uint32_t)b->n_variadic, 8, tmp));
  }
  return w->n;
}

/* A growing stream of framed messages. */
typedef struct stream {
  uint8_t b[65536];
  size_t n;
  size_t boundaries[64]; /* offsets where a message (or the end marker) starts */
  int n_boundaries;
  size_t framed_meta[64]; /* per message: prefix + padded metadata (a Block's metaDataLength) */
  size_t padded_body[64];
} stream;

static void stream_message(stream* s, const fbw* w, const void* body, size_t body_len, bool legacy) {
  size_t prefix = legacy ? 4 : 8;
  size_t meta = (prefix + w->n + 7) / 8 * 8 - prefix; /* prefix + metadata: a multiple of 8 */
  assert_true(s->n_boundaries < 64 && s->n + prefix + meta + body_len + 8 <= sizeof s->b);
  s->framed_meta[s->n_boundaries] = prefix + meta;
  s->padded_body[s->n_boundaries] = (body_len + 7) / 8 * 8;
  s->boundaries[s->n_boundaries++] = s->n;
  if (!legacy) {
    set_u32(s->b + s->n, 0xFFFFFFFFu);
    s->n += 4;
  }
  set_u32(s->b + s->n, (uint32_t)meta);
  s->n += 4;
  memset(s->b + s->n, 0, meta);
  memcpy(s->b + s->n, w->b, w->n);
  s->n += meta;
  size_t padded = (body_len + 7) / 8 * 8;
  memset(s->b + s->n, 0, padded);
  if (body_len) memcpy(s->b + s->n, body, body_len);
  s->n += padded;
}

static void stream_end(stream* s, bool legacy) {
  s->boundaries[s->n_boundaries++] = s->n;
  if (!legacy) {
    set_u32(s->b + s->n, 0xFFFFFFFFu);
    s->n += 4;
  }
  set_u32(s->b + s->n, 0);
  s->n += 4;
}

/* ---- the FlatBuffers verifier ---- */

static void fb_over(artemis_fb* fb, const uint8_t* data, size_t size, artemis_error* err) {
  artemis_error_clear(err);
  artemis_fb_init(fb, data, size, 1000, "message 9", 16, err);
}

static void assert_fb_error(const artemis_error* err, const char* what) {
  assert_int_equal(err->code, ARTEMIS_E_INVALID_INPUT);
  if (!strstr(err->message, what) || !strstr(err->message, "message 9: ") || !strstr(err->message, "(byte "))
    fail_msg("error \"%s\" does not say \"%s\" with its context and byte", err->message, what);
  char expect[64];
  snprintf(expect, sizeof expect, "(byte %lld)", (long long)err->offset);
  assert_non_null(strstr(err->message, expect));
  assert_true(err->offset >= 1000); /* offsets are absolute: the input offset is added */
}

static void test_fb_reads_a_valid_table(void** state) {
  (void)state;
  fbw w;
  fbw_init(&w);
  size_t pos[4];
  tfield f[] = {{0, 2, 7}, {2, 8, -5}, {3, OFFSET, 0}, {4, OFFSET, 0}};
  size_t t = fbw_table(&w, f, 4, pos);
  fbw_root(&w, t);
  fbw_link(&w, pos[2], fbw_string(&w, "abc"));
  int32_t elems[3] = {10, 20, 30};
  fbw_link(&w, pos[3], fbw_vector(&w, 3, 4, elems));
  artemis_fb fb;
  artemis_error err;
  fb_over(&fb, w.b, w.n, &err);
  artemis_fb_table root;
  assert_int_equal(artemis_fb_root(&fb, &root), ARTEMIS_OK);
  int16_t a;
  int64_t c;
  int32_t absent;
  assert_int_equal(artemis_fb_i16(&root, 0, 99, &a), ARTEMIS_OK);
  assert_int_equal(a, 7);
  assert_int_equal(artemis_fb_i32(&root, 1, 42, &absent), ARTEMIS_OK);
  assert_int_equal(absent, 42); /* absent: the default */
  assert_int_equal(artemis_fb_i32(&root, 30, 43, &absent), ARTEMIS_OK);
  assert_int_equal(absent, 43); /* beyond the vtable: the default */
  assert_int_equal(artemis_fb_i64(&root, 2, 0, &c), ARTEMIS_OK);
  assert_int_equal(c, -5);
  artemis_fb_string s;
  bool present;
  assert_int_equal(artemis_fb_string_field(&root, 3, &s, &present), ARTEMIS_OK);
  assert_true(present);
  assert_int_equal(s.len, 3);
  assert_memory_equal(s.data, "abc", 4);
  artemis_fb_vector v;
  assert_int_equal(artemis_fb_vector_field(&root, 4, 4, &v, &present), ARTEMIS_OK);
  assert_int_equal(v.count, 3);
  const uint8_t* e;
  assert_int_equal(artemis_fb_vector_element(&v, 2, &e), ARTEMIS_OK);
  assert_int_equal(artemis_load_i32le(e), 30);
  assert_int_equal(artemis_fb_vector_element(&v, 3, &e), ARTEMIS_E_INVALID_INPUT);
}

static void test_fb_rejects_bad_roots_and_vtables(void** state) {
  (void)state;
  artemis_fb fb;
  artemis_error err;
  artemis_fb_table t;
  /* Shorter than the root offset. */
  uint8_t tiny[3] = {4, 0, 0};
  fb_over(&fb, tiny, sizeof tiny, &err);
  assert_int_equal(artemis_fb_root(&fb, &t), ARTEMIS_E_INVALID_INPUT);
  assert_fb_error(&err, "shorter than its root offset");
  /* Root offset beyond the end. */
  uint8_t far[8] = {200, 0, 0, 0, 0, 0, 0, 0};
  fb_over(&fb, far, sizeof far, &err);
  assert_int_equal(artemis_fb_root(&fb, &t), ARTEMIS_E_INVALID_INPUT);
  assert_fb_error(&err, "table offset out of range");
  assert_int_equal(err.offset, 1000); /* at the root offset, not at its target beyond the input */
  far[0] = 0xF0, far[1] = 0xFF, far[2] = 0xFF, far[3] = 0x7F; /* ~2 GiB away (fuzz finding) */
  fb_over(&fb, far, sizeof far, &err);
  assert_int_equal(artemis_fb_root(&fb, &t), ARTEMIS_E_INVALID_INPUT);
  assert_fb_error(&err, "table offset out of range");
  assert_int_equal(err.offset, 1000);
  /* soffset puts the vtable before the buffer (a negative position). */
  uint8_t before[12] = {4, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0, 0};
  fb_over(&fb, before, sizeof before, &err);
  assert_int_equal(artemis_fb_root(&fb, &t), ARTEMIS_E_INVALID_INPUT);
  assert_fb_error(&err, "vtable out of range");
  /* A negative soffset puts it past the end. */
  uint8_t after[12] = {4, 0, 0, 0, 0xF0, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0};
  fb_over(&fb, after, sizeof after, &err);
  assert_int_equal(artemis_fb_root(&fb, &t), ARTEMIS_E_INVALID_INPUT);
  assert_fb_error(&err, "vtable out of range");
  /* vtable of odd size, and one running past the end. */
  uint8_t odd[12] = {8, 0, 0, 0, 5, 0, 8, 0, 4, 0, 0, 0};
  fb_over(&fb, odd, sizeof odd, &err);
  assert_int_equal(artemis_fb_root(&fb, &t), ARTEMIS_E_INVALID_INPUT);
  assert_fb_error(&err, "vtable size invalid");
  uint8_t long_vt[12] = {8, 0, 0, 0, 40, 0, 8, 0, 4, 0, 0, 0};
  fb_over(&fb, long_vt, sizeof long_vt, &err);
  assert_int_equal(artemis_fb_root(&fb, &t), ARTEMIS_E_INVALID_INPUT);
  assert_fb_error(&err, "vtable size invalid");
}

static void test_fb_rejects_fields_strings_and_vectors_out_of_range(void** state) {
  (void)state;
  fbw w;
  fbw_init(&w);
  size_t pos[3];
  tfield f[] = {{0, 4, 0}, {1, OFFSET, 0}, {2, OFFSET, 0}};
  size_t t = fbw_table(&w, f, 3, pos);
  fbw_root(&w, t);
  size_t str = fbw_string(&w, "hello");
  fbw_link(&w, pos[1], str);
  size_t vec = fbw_vector(&w, 2, 8, (int64_t[]){1, 2});
  fbw_link(&w, pos[2], vec);
  artemis_fb fb;
  artemis_error err;
  artemis_fb_table root;
  artemis_fb_string s;
  artemis_fb_vector v;
  bool present;
  uint8_t copy[sizeof w.b];

  /* A string without its NUL terminator. */
  memcpy(copy, w.b, w.n);
  copy[str + 4 + 5] = 'X';
  fb_over(&fb, copy, w.n, &err);
  assert_int_equal(artemis_fb_root(&fb, &root), ARTEMIS_OK);
  assert_int_equal(artemis_fb_string_field(&root, 1, &s, &present), ARTEMIS_E_INVALID_INPUT);
  assert_fb_error(&err, "not NUL-terminated");
  assert_int_equal(err.offset, 1000 + (int64_t)str);
  /* A string longer than the buffer. */
  memcpy(copy, w.b, w.n);
  set_u32(copy + str, 100000);
  fb_over(&fb, copy, w.n, &err);
  assert_int_equal(artemis_fb_root(&fb, &root), ARTEMIS_OK);
  assert_int_equal(artemis_fb_string_field(&root, 1, &s, &present), ARTEMIS_E_INVALID_INPUT);
  assert_fb_error(&err, "string out of range");
  /* A uoffset past the end. */
  memcpy(copy, w.b, w.n);
  set_u32(copy + pos[1], 0x7FFFFFF0u);
  fb_over(&fb, copy, w.n, &err);
  assert_int_equal(artemis_fb_root(&fb, &root), ARTEMIS_OK);
  assert_int_equal(artemis_fb_string_field(&root, 1, &s, &present), ARTEMIS_E_INVALID_INPUT);
  assert_fb_error(&err, "offset out of range");
  /* A vector count the buffer cannot hold. */
  memcpy(copy, w.b, w.n);
  set_u32(copy + vec, 0xFFFFFFFFu);
  fb_over(&fb, copy, w.n, &err);
  assert_int_equal(artemis_fb_root(&fb, &root), ARTEMIS_OK);
  assert_int_equal(artemis_fb_vector_field(&root, 2, 8, &v, &present), ARTEMIS_E_INVALID_INPUT);
  assert_fb_error(&err, "vector longer than the buffer");
  /* A vtable entry pointing past the end of the buffer. */
  memcpy(copy, w.b, w.n);
  size_t vt = t - (size_t)artemis_load_i32le(copy + t);
  copy[vt + 4] = 0xF0;
  copy[vt + 5] = 0x7F;
  fb_over(&fb, copy, w.n, &err);
  assert_int_equal(artemis_fb_root(&fb, &root), ARTEMIS_OK);
  int32_t x;
  assert_int_equal(artemis_fb_i32(&root, 0, 0, &x), ARTEMIS_E_INVALID_INPUT);
  assert_fb_error(&err, "field out of range");
  /* The same bytes, cut short at every length: never a crash, always an answer. */
  for (size_t n = 0; n < w.n; n++) {
    fb_over(&fb, w.b, n, &err);
    if (artemis_fb_root(&fb, &root) != ARTEMIS_OK) continue;
    (void)artemis_fb_string_field(&root, 1, &s, &present);
    (void)artemis_fb_vector_field(&root, 2, 8, &v, &present);
  }
}

/* Visits every table reachable through field 0 (a table) and field 1 (tables). */
static int walk(const artemis_fb_table* t) {
  artemis_fb_table child;
  bool present;
  ARTEMIS_RETURN_NOT_OK(artemis_fb_table_field(t, 0, &child, &present));
  if (present) ARTEMIS_RETURN_NOT_OK(walk(&child));
  artemis_fb_vector v;
  ARTEMIS_RETURN_NOT_OK(artemis_fb_vector_field(t, 1, 4, &v, &present));
  for (uint32_t i = 0; i < v.count; i++) {
    ARTEMIS_RETURN_NOT_OK(artemis_fb_vector_table(&v, i, &child));
    ARTEMIS_RETURN_NOT_OK(walk(&child));
  }
  return ARTEMIS_OK;
}

static void test_fb_cycles_and_shared_offsets_terminate(void** state) {
  (void)state;
  /* A table whose field 0 points back at itself: a uoffset cannot point backwards, so
   * the cycle goes through a second table that points back with a wrapped offset. */
  uint8_t cyc[32] = {0};
  set_u32(cyc, 12);                  /* root -> table at 12 */
  cyc[4] = 6; cyc[6] = 8; cyc[8] = 4; /* vtable at 4: size 6, table size 8, field 0 at +4 */
  set_u32(cyc + 12, 8);              /* table 12: vtable at 12 - 8 = 4 */
  set_u32(cyc + 16, 4);              /* field 0 -> table at 20 */
  set_u32(cyc + 20, 16);             /* table 20: vtable at 4 */
  /* field 0 of table 20 at 24: uoffset wraps around to 12 modulo 2^32 -> out of range */
  set_u32(cyc + 24, (uint32_t)(12 - 24));
  artemis_fb fb;
  artemis_error err;
  artemis_fb_table root;
  fb_over(&fb, cyc, sizeof cyc, &err);
  assert_int_equal(artemis_fb_root(&fb, &root), ARTEMIS_OK);
  assert_int_equal(walk(&root), ARTEMIS_E_INVALID_INPUT);
  assert_fb_error(&err, "offset out of range");

  /* Deep chain: table k's field 0 points to table k+1, 40 deep (limit 16). */
  fbw w;
  fbw_init(&w);
  size_t link = 0;
  for (int k = 0; k < 40; k++) {
    size_t pos;
    tfield f[] = {{0, OFFSET, 0}};
    size_t t = fbw_table(&w, f, 1, &pos);
    if (k == 0) fbw_root(&w, t);
    else fbw_link(&w, link, t);
    link = pos;
  }
  fb_over(&fb, w.b, w.n, &err);
  assert_int_equal(artemis_fb_root(&fb, &root), ARTEMIS_OK);
  int rc = walk(&root);
  assert_int_equal(rc, ARTEMIS_E_INVALID_INPUT);
  assert_fb_error(&err, "nested too deeply");

  /* Shared offsets: each level's vector holds 8 links to the same next table, so a naive
   * walk visits 8^15 tables. The work budget stops it. */
  fbw_init(&w);
  size_t vec_at = 0;
  for (int k = 0; k < 15; k++) {
    size_t pos[1];
    tfield f[] = {{1, OFFSET, 0}};
    size_t t = fbw_table(&w, f, 1, pos);
    if (k == 0) fbw_root(&w, t);
    else
      for (int i = 0; i < 8; i++) fbw_link(&w, vec_at + 4 + 4 * (size_t)i, t);
    vec_at = fbw_vector(&w, 8, 4, NULL);
    w.n += 32;
    fbw_link(&w, pos[0], vec_at);
  }
  set_u32(w.b + vec_at, 0); /* the last level's vector is empty */
  fb_over(&fb, w.b, w.n, &err);
  assert_int_equal(artemis_fb_root(&fb, &root), ARTEMIS_OK);
  assert_int_equal(walk(&root), ARTEMIS_E_INVALID_INPUT);
  assert_fb_error(&err, "too expensive");
}

/* ---- body compression prefix rules ---- */

typedef struct codec_env {
  artemis_ipc_codec codec;
  test_alloc_budget budget;
  artemis_allocator allocator;
  artemis_ipc_holder* holder;
} codec_env;

static void codec_env_init(codec_env* e) {
  artemis_ipc_codec_init(&e->codec);
  e->budget.left = -1;
  e->budget.largest = 0;
  e->allocator = test_budget_allocator(&e->budget);
  e->holder = artemis_ipc_holder_new(&e->allocator);
  assert_non_null(e->holder);
}

static void codec_env_free(codec_env* e) {
  artemis_ipc_holder_unref(e->holder);
  artemis_ipc_codec_free(&e->codec);
}

static int decode(codec_env* e, int codec, const uint8_t* src, int64_t len, int64_t max, const uint8_t** out,
                  int64_t* out_len, artemis_error* err) {
  artemis_error_clear(err);
  return artemis_ipc_codec_decode(&e->codec, codec, src, len, -1, max, e->holder, out, out_len, "message 4: buffer 2", 500,
                                  err);
}

static size_t lz4_frame(uint8_t* dst, size_t cap, const void* src, size_t n, bool with_size) {
  LZ4F_preferences_t prefs;
  memset(&prefs, 0, sizeof prefs);
  prefs.frameInfo.contentSize = with_size ? n : 0;
  size_t r = LZ4F_compressFrame(dst, cap, src, n, &prefs);
  assert_false(LZ4F_isError(r));
  return r;
}

static void test_codec_prefix_rules(void** state) {
  (void)state;
  codec_env e;
  codec_env_init(&e);
  artemis_error err;
  const uint8_t* out;
  int64_t out_len;
  uint8_t raw[1000];
  for (int i = 0; i < 1000; i++) raw[i] = (uint8_t)(i % 7);
  uint8_t buf[4096];

  /* An empty buffer has no prefix. */
  assert_int_equal(decode(&e, 0, buf, 0, 1 << 20, &out, &out_len, &err), ARTEMIS_OK);
  assert_int_equal(out_len, 0);
  /* Shorter than the prefix. */
  assert_int_equal(decode(&e, 0, buf, 5, 1 << 20, &out, &out_len, &err), ARTEMIS_E_INVALID_INPUT);
  assert_non_null(strstr(err.message, "shorter than its 8-byte length prefix"));
  assert_non_null(strstr(err.message, "message 4: buffer 2"));
  assert_int_equal(err.offset, 500);
  /* -1: the bytes that follow, stored as they are (no copy). */
  set_u64(buf, (uint64_t)-1);
  memcpy(buf + 8, "abcdef", 6);
  assert_int_equal(decode(&e, 1, buf, 14, 1 << 20, &out, &out_len, &err), ARTEMIS_OK);
  assert_int_equal(out_len, 6);
  assert_ptr_equal(out, buf + 8);
  /* Other negative lengths. */
  set_u64(buf, (uint64_t)-2);
  assert_int_equal(decode(&e, 1, buf, 14, 1 << 20, &out, &out_len, &err), ARTEMIS_E_INVALID_INPUT);
  assert_non_null(strstr(err.message, "negative uncompressed length"));

  /* ZSTD and LZ4 round trips. */
  size_t z = ZSTD_compress(buf + 8, sizeof buf - 8, raw, sizeof raw, 3);
  assert_false(ZSTD_isError(z));
  set_u64(buf, sizeof raw);
  assert_int_equal(decode(&e, 1, buf, (int64_t)(8 + z), 1 << 20, &out, &out_len, &err), ARTEMIS_OK);
  assert_int_equal(out_len, sizeof raw);
  assert_memory_equal(out, raw, sizeof raw);
  /* The declared length above the limit: refused before allocating it. */
  set_u64(buf, (uint64_t)1 << 40);
  e.budget.largest = 0;
  assert_int_equal(decode(&e, 1, buf, (int64_t)(8 + z), (int64_t)1 << 31, &out, &out_len, &err), ARTEMIS_E_LIMIT);
  assert_true(e.budget.largest < 4096);
  /* A declared length that differs from the frame's recorded content size: refused
   * before allocating it. */
  set_u64(buf, (uint64_t)1 << 30);
  e.budget.largest = 0;
  assert_int_equal(decode(&e, 1, buf, (int64_t)(8 + z), (int64_t)1 << 31, &out, &out_len, &err),
                   ARTEMIS_E_INVALID_INPUT);
  assert_non_null(strstr(err.message, "content size"));
  assert_true(e.budget.largest < 4096);
  /* A ZSTD frame cut short, and one whose magic number is damaged. (Without a checksum,
   * flipped bytes inside a frame may still decode to the right size.) */
  set_u64(buf, sizeof raw);
  assert_int_equal(decode(&e, 1, buf, (int64_t)(8 + z - 2), 1 << 20, &out, &out_len, &err), ARTEMIS_E_INVALID_INPUT);
  assert_non_null(strstr(err.message, "corrupt ZSTD frame"));
  buf[8] ^= 0xFF;
  assert_int_equal(decode(&e, 1, buf, (int64_t)(8 + z), 1 << 20, &out, &out_len, &err), ARTEMIS_E_INVALID_INPUT);

  for (int with_size = 0; with_size <= 1; with_size++) {
    size_t l = lz4_frame(buf + 8, sizeof buf - 8, raw, sizeof raw, with_size);
    set_u64(buf, sizeof raw);
    assert_int_equal(decode(&e, 0, buf, (int64_t)(8 + l), 1 << 20, &out, &out_len, &err), ARTEMIS_OK);
    assert_int_equal(out_len, sizeof raw);
    assert_memory_equal(out, raw, sizeof raw);
    /* Declared larger than what the frame holds. */
    set_u64(buf, sizeof raw + 10);
    assert_int_equal(decode(&e, 0, buf, (int64_t)(8 + l), 1 << 20, &out, &out_len, &err), ARTEMIS_E_INVALID_INPUT);
    /* Declared smaller: the frame would write past it. */
    set_u64(buf, sizeof raw - 10);
    assert_int_equal(decode(&e, 0, buf, (int64_t)(8 + l), 1 << 20, &out, &out_len, &err), ARTEMIS_E_INVALID_INPUT);
    /* A frame cut short. */
    set_u64(buf, sizeof raw);
    assert_int_equal(decode(&e, 0, buf, (int64_t)(8 + l - 3), 1 << 20, &out, &out_len, &err),
                     ARTEMIS_E_INVALID_INPUT);
  }
  /* Bytes that are not an LZ4 frame. */
  set_u64(buf, 16);
  memset(buf + 8, 0x41, 16);
  assert_int_equal(decode(&e, 0, buf, 24, 1 << 20, &out, &out_len, &err), ARTEMIS_E_INVALID_INPUT);
  codec_env_free(&e);
}

/* ---- byte-swapping ---- */

static void test_byteswap_patterns(void** state) {
  (void)state;
  uint8_t src[40], dst[40];
  for (int i = 0; i < 40; i++) src[i] = (uint8_t)i;
  artemis_ipc_byteswap(dst, src, 6, ARTEMIS_IPC_SWAP_2);
  assert_memory_equal(dst, ((uint8_t[]){1, 0, 3, 2, 5, 4}), 6);
  artemis_ipc_byteswap(dst, src, 9, ARTEMIS_IPC_SWAP_4); /* a trailing partial unit is copied */
  assert_memory_equal(dst, ((uint8_t[]){3, 2, 1, 0, 7, 6, 5, 4, 8}), 9);
  artemis_ipc_byteswap(dst, src, 8, ARTEMIS_IPC_SWAP_8);
  assert_memory_equal(dst, ((uint8_t[]){7, 6, 5, 4, 3, 2, 1, 0}), 8);
  artemis_ipc_byteswap(dst, src, 16, ARTEMIS_IPC_SWAP_16); /* decimal128: the whole value */
  for (int i = 0; i < 16; i++) assert_int_equal(dst[i], 15 - i);
  artemis_ipc_byteswap(dst, src, 32, ARTEMIS_IPC_SWAP_32); /* decimal256 */
  for (int i = 0; i < 32; i++) assert_int_equal(dst[i], 31 - i);
  /* month_day_nano: int32 months, int32 days, int64 nanoseconds. */
  artemis_ipc_byteswap(dst, src, 16, ARTEMIS_IPC_SWAP_MONTH_DAY_NANO);
  assert_memory_equal(dst, ((uint8_t[]){3, 2, 1, 0, 7, 6, 5, 4, 15, 14, 13, 12, 11, 10, 9, 8}), 16);
  artemis_ipc_byteswap(dst, src, 5, ARTEMIS_IPC_SWAP_NONE);
  assert_memory_equal(dst, src, 5);
  /* In place. */
  memcpy(dst, src, 8);
  artemis_ipc_byteswap(dst, dst, 8, ARTEMIS_IPC_SWAP_4);
  assert_memory_equal(dst, ((uint8_t[]){3, 2, 1, 0, 7, 6, 5, 4}), 8);
  /* Views: the length always; index and offset only when not inline; bytes never. */
  const uint8_t views[32] = {0, 0, 0, 12, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l',
                             0, 0, 0, 13, 'p', 'r', 'e', 'f', 0, 0, 0, 1, 0, 0, 1, 2};
  uint8_t swapped[32];
  artemis_ipc_byteswap_views(swapped, views, 2);
  assert_memory_equal(swapped, ((uint8_t[]){12, 0, 0, 0, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l',
                                            13, 0, 0, 0, 'p', 'r', 'e', 'f', 1, 0, 0, 0, 2, 1, 0, 0}),
                      32);
}

/* ---- built streams ---- */

static void put_i32(uint8_t* p, int32_t v, bool big_endian) {
  uint32_t u = (uint32_t)v;
  for (int i = 0; i < 4; i++) p[big_endian ? 3 - i : i] = (uint8_t)(u >> (8 * i));
}

static void add_schema(stream* s, const field_spec* fields, int n, bool legacy, bool big_endian) {
  fbw w;
  build_schema(&w, 4, big_endian, fields, n);
  stream_message(s, &w, NULL, 0, legacy);
}

/* A record batch of one int32 column (no nulls). */
static void add_int32_batch(stream* s, const int32_t* values, int n, bool legacy, bool big_endian) {
  uint8_t body[256] = {0};
  for (int i = 0; i < n; i++) put_i32(body + 4 * i, values[i], big_endian);
  int64_t nodes[] = {n, 0};
  int64_t buffers[] = {0, 0, 0, 4 * n};
  batch_spec b = {n, nodes, 1, buffers, 2, -1, (4 * n + 7) / 8 * 8, -1, false, NULL, 0};
  fbw w;
  build_batch(&w, &b);
  stream_message(s, &w, body, (size_t)(4 * n), legacy);
}

/* A dictionary batch of utf8 values (no nulls). */
static void add_utf8_dictionary(stream* s, int64_t id, bool delta, const char* const* values, int n, bool legacy) {
  uint8_t body[512] = {0};
  int32_t at = 0;
  size_t data_at = ((size_t)(n + 1) * 4 + 7) / 8 * 8;
  for (int i = 0; i < n; i++) {
    put_i32(body + 4 * i, at, false);
    memcpy(body + data_at + at, values[i], strlen(values[i]));
    at += (int32_t)strlen(values[i]);
  }
  put_i32(body + 4 * n, at, false);
  int64_t nodes[] = {n, 0};
  int64_t buffers[] = {0, 0, 0, 4 * (n + 1), (int64_t)data_at, at};
  batch_spec b = {n, nodes, 1, buffers, 3, -1, (int64_t)(data_at + (size_t)at + 7) / 8 * 8, id, delta, NULL, 0};
  fbw w;
  build_batch(&w, &b);
  stream_message(s, &w, body, data_at + (size_t)at, legacy);
}

static const field_spec kInt32Field = {"x", TYPE_INT, 32, -1, 0};
static const field_spec kDictField = {"d", TYPE_UTF8, 0, 7, 32};

typedef struct read_result {
  int rc;       /* ARTEMIS_E_END_OF_STREAM when read cleanly to the end */
  int opened;   /* 1 if open succeeded */
  int batches;
  int64_t rows[16];
  artemis_error err;
  artemis_ipc_reader_info info;
} read_result;

/* Feeds `data` to the reader from memory (via_pipe 0) or through a pipe (1). */
static void read_all(const uint8_t* data, size_t n, int via_pipe, const artemis_ipc_reader_options* options,
                     read_result* out) {
  memset(out, 0, sizeof *out);
  artemis_error_clear(&out->err);
  artemis_ipc_reader* r = NULL;
  int fd = -1;
  pid_t child = -1;
  if (via_pipe) {
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    child = fork();
    assert_true(child >= 0);
    if (child == 0) {
      close(fds[0]);
      signal(SIGPIPE, SIG_IGN);
      for (size_t done = 0; done < n;) {
        ssize_t wr = write(fds[1], data + done, n - done < 13 ? n - done : 13);
        if (wr < 0 && errno == EINTR) continue;
        if (wr <= 0) break;
        done += (size_t)wr;
      }
      _exit(0);
    }
    close(fds[1]);
    fd = fds[0];
    out->rc = artemis_ipc_reader_open_fd(&r, fd, options, &out->err);
  } else {
    out->rc = artemis_ipc_reader_open_memory(&r, data, n, options, &out->err);
  }
  if (out->rc == ARTEMIS_OK) {
    out->opened = 1;
    for (;;) {
      struct ArrowArray batch;
      out->rc = artemis_ipc_reader_next(r, &batch, &out->err);
      if (out->rc != ARTEMIS_OK) break;
      if (out->batches < 16) out->rows[out->batches] = batch.length;
      out->batches++;
      batch.release(&batch);
    }
    artemis_ipc_reader_get_info(r, &out->info);
    artemis_ipc_reader_free(r);
  }
  if (fd >= 0) {
    close(fd);
    int status;
    waitpid(child, &status, 0);
  }
}

static void test_both_framings_and_every_end_of_stream(void** state) {
  (void)state;
  const int32_t values[] = {1, 2, 3};
  for (int legacy = 0; legacy <= 1; legacy++) {
    for (int with_end = 0; with_end <= 1; with_end++) {
      stream s = {.n = 0};
      add_schema(&s, &kInt32Field, 1, legacy, false);
      add_int32_batch(&s, values, 3, legacy, false);
      add_int32_batch(&s, values, 2, legacy, false);
      if (with_end) stream_end(&s, legacy); /* marker + 0, or 4 zero bytes; else clean EOF */
      for (int via_pipe = 0; via_pipe <= 1; via_pipe++) {
        read_result r;
        read_all(s.b, s.n, via_pipe, NULL, &r);
        if (r.rc != ARTEMIS_E_END_OF_STREAM) fail_msg("legacy=%d end=%d pipe=%d: %s", legacy, with_end, via_pipe, r.err.message);
        assert_int_equal(r.batches, 2);
        assert_int_equal(r.rows[0], 3);
        assert_int_equal(r.rows[1], 2);
        assert_int_equal(r.info.legacy_framing, legacy);
        assert_int_equal(r.info.metadata_version, 5);
        assert_int_equal(r.info.messages_read, 3);
        assert_int_equal(r.info.rows_read, 5);
        assert_int_equal(r.info.bytes_read, (int64_t)s.n);
      }
    }
  }
  /* The legacy end marker also works after continuation-framed messages. */
  stream s = {.n = 0};
  add_schema(&s, &kInt32Field, 1, false, false);
  add_int32_batch(&s, values, 3, false, false);
  stream_end(&s, true);
  read_result r;
  read_all(s.b, s.n, 0, NULL, &r);
  assert_int_equal(r.rc, ARTEMIS_E_END_OF_STREAM);
  assert_int_equal(r.batches, 1);
}

/* A released batch's body is reused for the next body that fits (no fresh pages per
 * message); a batch still held is never overwritten; batches outlive the reader. */
static const int32_t* batch_values(const struct ArrowArray* batch) {
  return (const int32_t*)batch->children[0]->buffers[1];
}

static void test_released_bodies_are_reused(void** state) {
  (void)state;
  const int32_t a[] = {1, 2, 3}, b[] = {4, 5, 6}, c[] = {7, 8}, d[] = {9, 10, 11, 12, 13, 14, 15, 16, 17};
  stream s = {.n = 0};
  add_schema(&s, &kInt32Field, 1, false, false);
  add_int32_batch(&s, a, 3, false, false);
  add_int32_batch(&s, b, 3, false, false);
  add_int32_batch(&s, c, 2, false, false);
  add_int32_batch(&s, d, 9, false, false);
  stream_end(&s, false);
  char path[] = "/tmp/artemis-ipc-recycle-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, s.b, s.n), (ssize_t)s.n);
  close(fd);
  artemis_ipc_reader* r;
  artemis_error err;
  assert_int_equal(artemis_ipc_reader_open_path(&r, path, NULL, &err), ARTEMIS_OK);
  struct ArrowArray b1, b2, b3, b4, end;
  assert_int_equal(artemis_ipc_reader_next(r, &b1, &err), ARTEMIS_OK);
  const int32_t* first = batch_values(&b1);
  assert_memory_equal(first, a, sizeof a);
  b1.release(&b1);
  assert_int_equal(artemis_ipc_reader_next(r, &b2, &err), ARTEMIS_OK);
  assert_ptr_equal(batch_values(&b2), first); /* the same block, refilled */
  assert_memory_equal(batch_values(&b2), b, sizeof b);
  assert_int_equal(artemis_ipc_reader_next(r, &b3, &err), ARTEMIS_OK); /* b2 still held */
  assert_ptr_not_equal(batch_values(&b3), batch_values(&b2));
  assert_memory_equal(batch_values(&b2), b, sizeof b);
  assert_memory_equal(batch_values(&b3), c, sizeof c);
  b3.release(&b3);
  b2.release(&b2); /* the slot is taken by b3's block: this one is freed */
  assert_int_equal(artemis_ipc_reader_next(r, &b4, &err), ARTEMIS_OK); /* larger than the parked block */
  assert_memory_equal(batch_values(&b4), d, sizeof d);
  assert_int_equal(artemis_ipc_reader_next(r, &end, &err), ARTEMIS_E_END_OF_STREAM);
  artemis_ipc_reader_free(r);
  assert_memory_equal(batch_values(&b4), d, sizeof d); /* outlives the reader */
  b4.release(&b4);
  unlink(path);
}

/* schema, dictionary, batch, delta dictionary, batch, end. */
static void dictionary_stream(stream* s, bool legacy) {
  s->n = 0;
  s->n_boundaries = 0;
  add_schema(s, &kDictField, 1, legacy, false);
  add_utf8_dictionary(s, 7, false, (const char* const[]){"a", "bc"}, 2, legacy);
  add_int32_batch(s, (const int32_t[]){1, 0, 1}, 3, legacy, false);
  add_utf8_dictionary(s, 7, true, (const char* const[]){"def"}, 1, legacy);
  add_int32_batch(s, (const int32_t[]){2, 2}, 2, legacy, false);
  stream_end(s, legacy);
}

static void test_truncation_at_every_byte(void** state) {
  (void)state;
  for (int legacy = 0; legacy <= 1; legacy++) {
    stream s;
    dictionary_stream(&s, legacy);
    /* Batches complete before each boundary: schema, dict, batch, dict, batch, end. */
    const int batches_before[] = {0, 0, 0, 1, 1, 2};
    assert_int_equal(s.n_boundaries, 6);
    for (size_t n = 0; n <= s.n; n++) {
      int boundary = -1;
      for (int k = 1; k < s.n_boundaries; k++)
        if (s.boundaries[k] == n) boundary = k;
      for (int via_pipe = 0; via_pipe <= 1; via_pipe++) {
        if (via_pipe && n % 5 != 0 && boundary < 0) continue; /* a pipe for every 5th cut */
        read_result r;
        read_all(s.b, n, via_pipe, NULL, &r);
        if (n == s.n || boundary >= 0) {
          int want = n == s.n ? 2 : batches_before[boundary];
          if (r.rc != ARTEMIS_E_END_OF_STREAM || r.batches != want)
            fail_msg("legacy=%d cut at %zu (a message boundary): %s, %d batches", legacy, n,
                     artemis_status_name(r.rc), r.batches);
        } else {
          if (r.rc != ARTEMIS_E_INVALID_INPUT)
            fail_msg("legacy=%d cut at %zu: %s \"%s\", expected ARTEMIS_E_INVALID_INPUT", legacy, n,
                     artemis_status_name(r.rc), r.err.message);
          assert_true(r.err.offset >= 0 && r.err.offset <= (int64_t)n);
          assert_non_null(strstr(r.err.message, "message "));
          assert_non_null(strstr(r.err.message, "byte "));
          assert_true(r.opened == (n >= s.boundaries[1]));
        }
      }
    }
  }
}

static void test_dictionary_replacement_and_delta(void** state) {
  (void)state;
  stream s;
  dictionary_stream(&s, false);
  s.n -= 8; /* drop the end marker, then: a replacement and one more batch */
  s.n_boundaries--;
  add_utf8_dictionary(&s, 7, false, (const char* const[]){"z"}, 1, false);
  add_int32_batch(&s, (const int32_t[]){0}, 1, false, false);
  stream_end(&s, false);
  artemis_ipc_reader* r;
  artemis_error err;
  assert_int_equal(artemis_ipc_reader_open_memory(&r, s.b, s.n, NULL, &err), ARTEMIS_OK);
  struct ArrowArray b1, b2, b3, extra;
  assert_int_equal(artemis_ipc_reader_next(r, &b1, &err), ARTEMIS_OK);
  assert_int_equal(artemis_ipc_reader_next(r, &b2, &err), ARTEMIS_OK);
  assert_int_equal(artemis_ipc_reader_next(r, &b3, &err), ARTEMIS_OK);
  assert_int_equal(artemis_ipc_reader_next(r, &extra, &err), ARTEMIS_E_END_OF_STREAM);
  assert_int_equal(artemis_ipc_reader_next(r, &extra, &err), ARTEMIS_E_END_OF_STREAM);
  artemis_ipc_reader_free(r);
  /* Each batch keeps the dictionary it was read with. */
  const struct ArrowArray* d1 = b1.children[0]->dictionary;
  const struct ArrowArray* d2 = b2.children[0]->dictionary;
  const struct ArrowArray* d3 = b3.children[0]->dictionary;
  assert_int_equal(d1->length, 2);
  assert_int_equal(d2->length, 3); /* "a", "bc" + delta "def" */
  assert_int_equal(d3->length, 1); /* replaced by "z" */
  const int32_t* offsets = d2->buffers[1];
  assert_int_equal(offsets[0], 0);
  assert_int_equal(offsets[1], 1);
  assert_int_equal(offsets[2], 3);
  assert_int_equal(offsets[3], 6);
  assert_memory_equal(d2->buffers[2], "abcdef", 6);
  assert_memory_equal(d3->buffers[2], "z", 1);
  const int32_t* idx = b2.children[0]->buffers[1];
  assert_int_equal(idx[0], 2);
  b1.release(&b1);
  b2.release(&b2);
  b3.release(&b3);
}

static void expect_failure(const stream* s, const artemis_ipc_reader_options* options, int code, const char* text) {
  for (int via_pipe = 0; via_pipe <= 1; via_pipe++) {
    read_result r;
    read_all(s->b, s->n, via_pipe, options, &r);
    if (r.rc != code || !strstr(r.err.message, text))
      fail_msg("expected %s \"%s\", got %s \"%s\"", artemis_status_name(code), text, artemis_status_name(r.rc),
               r.err.message);
  }
}

static void test_dictionary_errors(void** state) {
  (void)state;
  stream s = {.n = 0};
  /* An index beyond the dictionary. */
  add_schema(&s, &kDictField, 1, false, false);
  add_utf8_dictionary(&s, 7, false, (const char* const[]){"a", "bc"}, 2, false);
  add_int32_batch(&s, (const int32_t[]){0, 2}, 2, false, false);
  expect_failure(&s, NULL, ARTEMIS_E_INVALID_INPUT, "dictionary index 2 at slot 1 is outside the dictionary of 2 values");
  /* A dictionary used before any dictionary batch defined it. */
  s.n = 0;
  add_schema(&s, &kDictField, 1, false, false);
  add_int32_batch(&s, (const int32_t[]){0}, 1, false, false);
  expect_failure(&s, NULL, ARTEMIS_E_INVALID_INPUT, "before any dictionary batch defined it");
  /* A dictionary batch for an id no field uses. */
  s.n = 0;
  add_schema(&s, &kDictField, 1, false, false);
  add_utf8_dictionary(&s, 8, false, (const char* const[]){"a"}, 1, false);
  expect_failure(&s, NULL, ARTEMIS_E_INVALID_INPUT, "matches no dictionary-encoded field");
  /* max_dictionary_bytes. */
  s.n = 0;
  add_schema(&s, &kDictField, 1, false, false);
  add_utf8_dictionary(&s, 7, false, (const char* const[]){"aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"}, 2, false);
  artemis_ipc_reader_options options;
  artemis_ipc_reader_options_init(&options);
  options.max_dictionary_bytes = 40;
  expect_failure(&s, &options, ARTEMIS_E_LIMIT, "max_dictionary_bytes");
  /* A delta dictionary of a nested value type (struct). */
  s.n = 0;
  const field_spec nested = {"s", TYPE_STRUCT, 0, 3, 8};
  add_schema(&s, &nested, 1, false, false);
  int64_t nodes[] = {2, 0};
  int64_t buffers[] = {0, 0};
  batch_spec dict = {2, nodes, 1, buffers, 1, -1, 0, 3, false, NULL, 0};
  fbw w;
  build_batch(&w, &dict);
  stream_message(&s, &w, NULL, 0, false);
  dict.is_delta = true;
  build_batch(&w, &dict);
  stream_message(&s, &w, NULL, 0, false);
  expect_failure(&s, NULL, ARTEMIS_E_UNSUPPORTED, "unsupported delta dictionary batch for dictionary id 3");
}

/* A batch of one int32 column whose data buffer is `data` (already prefixed/compressed). */
static void add_compressed_batch(stream* s, int codec, const uint8_t* data, size_t data_len, int64_t rows) {
  int64_t nodes[] = {rows, 0};
  int64_t buffers[] = {0, 0, 0, (int64_t)data_len}; /* the empty validity buffer has no prefix */
  batch_spec b = {rows, nodes, 1, buffers, 2, codec, (int64_t)(data_len + 7) / 8 * 8, -1, false, NULL, 0};
  fbw w;
  build_batch(&w, &b);
  stream_message(s, &w, data, data_len, false);
}

static void test_compressed_batches(void** state) {
  (void)state;
  int32_t values[64];
  for (int i = 0; i < 64; i++) values[i] = i * 1000 - 7;
  uint8_t data[1024];
  for (int kind = 0; kind < 3; kind++) { /* LZ4 frame, ZSTD, -1 stored */
    size_t len;
    int codec = kind == 1 ? 1 : 0;
    if (kind == 0) {
      len = 8 + lz4_frame(data + 8, sizeof data - 8, values, sizeof values, false);
      set_u64(data, sizeof values);
    } else if (kind == 1) {
      len = 8 + ZSTD_compress(data + 8, sizeof data - 8, values, sizeof values, 1);
      set_u64(data, sizeof values);
    } else {
      len = 8 + sizeof values;
      set_u64(data, (uint64_t)-1);
      memcpy(data + 8, values, sizeof values);
    }
    stream s = {.n = 0};
    add_schema(&s, &kInt32Field, 1, false, false);
    add_compressed_batch(&s, codec, data, len, 64);
    stream_end(&s, false);
    artemis_ipc_reader* r;
    artemis_error err;
    assert_int_equal(artemis_ipc_reader_open_memory(&r, s.b, s.n, NULL, &err), ARTEMIS_OK);
    struct ArrowArray batch;
    assert_int_equal(artemis_ipc_reader_next(r, &batch, &err), ARTEMIS_OK);
    assert_int_equal(batch.children[0]->length, 64);
    assert_memory_equal(batch.children[0]->buffers[1], values, sizeof values);
    batch.release(&batch);
    artemis_ipc_reader_free(r);
    /* A declared length shorter than the column needs. */
    set_u64(data, kind == 2 ? (uint64_t)-1 : 40);
    s.n = 0;
    add_schema(&s, &kInt32Field, 1, false, false);
    add_compressed_batch(&s, codec, data, kind == 2 ? 48 : len, 64);
    expect_failure(&s, NULL, ARTEMIS_E_INVALID_INPUT, kind == 2 ? "data buffer has 40 bytes, 256 are needed" : "message 1");
  }
}

static void test_big_endian_bodies_are_swapped(void** state) {
  (void)state;
  const int32_t values[] = {1, -2, 0x01020304};
  stream s = {.n = 0};
  add_schema(&s, &kInt32Field, 1, false, true);
  add_int32_batch(&s, values, 3, false, true);
  stream_end(&s, false);
  artemis_ipc_reader* r;
  artemis_error err;
  assert_int_equal(artemis_ipc_reader_open_memory(&r, s.b, s.n, NULL, &err), ARTEMIS_OK);
  artemis_ipc_reader_info info;
  artemis_ipc_reader_get_info(r, &info);
  assert_int_equal(info.big_endian, 1);
  struct ArrowArray batch;
  assert_int_equal(artemis_ipc_reader_next(r, &batch, &err), ARTEMIS_OK);
  const int32_t* got = batch.children[0]->buffers[1];
  if (!artemis_ipc_host_is_big_endian()) {
    assert_int_equal(got[0], 1);
    assert_int_equal(got[1], -2);
    assert_int_equal(got[2], 0x01020304);
  }
  batch.release(&batch);
  artemis_ipc_reader_free(r);
}

static void test_schema_and_message_errors(void** state) {
  (void)state;
  stream s = {.n = 0};
  /* Unsupported types are named with their column. */
  const field_spec three[] = {{"a", TYPE_INT, 32, -1, 0}, {"b", TYPE_INT, 8, -1, 0}, {"u", TYPE_UNION, 0, -1, 0}};
  add_schema(&s, three, 3, false, false);
  expect_failure(&s, NULL, ARTEMIS_E_UNSUPPORTED, "unsupported type union in column 2 \"u\"");
  const field_spec unknown = {"q", 77, 0, -1, 0};
  s.n = 0;
  add_schema(&s, &unknown, 1, false, false);
  expect_failure(&s, NULL, ARTEMIS_E_UNSUPPORTED, "unknown type id 77) in column 0 \"q\"");
  const field_spec bad_int = {"i", TYPE_INT, 24, -1, 0};
  s.n = 0;
  add_schema(&s, &bad_int, 1, false, false);
  expect_failure(&s, NULL, ARTEMIS_E_INVALID_INPUT, "invalid int type parameters");
  /* Metadata versions: V1-V3 and unknown ones are refused, V4 and V5 are read. */
  for (int version = -1; version <= 6; version++) {
    fbw w;
    build_schema(&w, version, false, &kInt32Field, 1);
    s.n = 0;
    stream_message(&s, &w, NULL, 0, false);
    stream_end(&s, false);
    read_result r;
    read_all(s.b, s.n, 0, NULL, &r);
    if (version == 3 || version == 4) {
      assert_int_equal(r.rc, ARTEMIS_E_END_OF_STREAM);
      assert_int_equal(r.info.metadata_version, version + 1);
    } else {
      assert_int_equal(r.rc, ARTEMIS_E_UNSUPPORTED);
      assert_non_null(strstr(r.err.message, "unsupported metadata version"));
    }
  }
  /* A second Schema message. */
  s.n = 0;
  add_schema(&s, &kInt32Field, 1, false, false);
  add_schema(&s, &kInt32Field, 1, false, false);
  expect_failure(&s, NULL, ARTEMIS_E_INVALID_INPUT, "message 1: a second Schema message");
  /* A stream starting with a record batch. */
  s.n = 0;
  add_int32_batch(&s, (const int32_t[]){1}, 1, false, false);
  expect_failure(&s, NULL, ARTEMIS_E_INVALID_INPUT, "does not start with a Schema message");
  /* An empty input, and one that is just the end marker. */
  s.n = 0;
  expect_failure(&s, NULL, ARTEMIS_E_INVALID_INPUT, "ends before any Schema message");
  stream_end(&s, false);
  expect_failure(&s, NULL, ARTEMIS_E_INVALID_INPUT, "ends before any Schema message");
  /* A record batch with more field nodes than the schema has fields. */
  s.n = 0;
  add_schema(&s, &kInt32Field, 1, false, false);
  int64_t nodes[] = {1, 0, 1, 0};
  int64_t buffers[] = {0, 0, 0, 4};
  batch_spec b = {1, nodes, 2, buffers, 2, -1, 8, -1, false, NULL, 0};
  fbw w;
  build_batch(&w, &b);
  stream_message(&s, &w, (uint8_t[8]){0}, 8, false);
  expect_failure(&s, NULL, ARTEMIS_E_INVALID_INPUT, "record batch has 2 field nodes, the schema has 1");
  /* A column shorter than the batch, and a null count above the length. */
  s.n = 0;
  add_schema(&s, &kInt32Field, 1, false, false);
  int64_t short_node[] = {1, 0};
  batch_spec b2 = {2, short_node, 1, buffers, 2, -1, 8, -1, false, NULL, 0};
  build_batch(&w, &b2);
  stream_message(&s, &w, (uint8_t[8]){0}, 8, false);
  expect_failure(&s, NULL, ARTEMIS_E_INVALID_INPUT, "column has 1 values, the record batch has 2 rows");
}

static void test_errors_name_message_and_byte_offset(void** state) {
  (void)state;
  stream s = {.n = 0};
  add_schema(&s, &kInt32Field, 1, false, false);
  /* A data buffer that runs past the 8-byte body. */
  int64_t nodes[] = {2, 0};
  int64_t buffers[] = {0, 0, 4, 8};
  batch_spec b = {2, nodes, 1, buffers, 2, -1, 8, -1, false, NULL, 0};
  fbw w;
  build_batch(&w, &b);
  stream_message(&s, &w, (uint8_t[8]){0}, 8, false);
  size_t body_at = s.n - 8; /* known from construction: the body is the last 8 bytes */
  read_result r;
  read_all(s.b, s.n, 0, NULL, &r);
  assert_int_equal(r.rc, ARTEMIS_E_INVALID_INPUT);
  assert_int_equal(r.err.offset, (int64_t)body_at);
  char expect[160];
  snprintf(expect, sizeof expect,
           "message 1: column 0 \"x\": data buffer 1 (offset 4, length 8) lies outside the 8-byte body (byte %zu)",
           body_at);
  assert_string_equal(r.err.message, expect);
  assert_int_equal(r.err.column, 0);
}

static void test_lying_lengths_cost_what_the_input_holds(void** state) {
  (void)state;
  test_alloc_budget budget = {-1, 0};
  artemis_allocator allocator = test_budget_allocator(&budget);
  artemis_ipc_reader_options options;
  artemis_ipc_reader_options_init(&options);
  options.allocator = &allocator;
  /* A batch message declaring a 1 GiB body, followed by 64 bytes. */
  stream s = {.n = 0};
  add_schema(&s, &kInt32Field, 1, false, false);
  int64_t nodes[] = {1, 0};
  int64_t buffers[] = {0, 0, 0, 4};
  batch_spec b = {1, nodes, 1, buffers, 2, -1, (int64_t)1 << 30, -1, false, NULL, 0};
  fbw w;
  build_batch(&w, &b);
  stream_message(&s, &w, (uint8_t[64]){0}, 64, false);
  for (int via_pipe = 0; via_pipe <= 1; via_pipe++) {
    budget.largest = 0;
    read_result r;
    read_all(s.b, s.n, via_pipe, &options, &r);
    assert_int_equal(r.rc, ARTEMIS_E_INVALID_INPUT);
    assert_non_null(strstr(r.err.message, "message 1 body: input truncated"));
    /* From memory nothing is copied; through a pipe the buffer grew only as bytes came. */
    assert_true(budget.largest <= 256 * 1024);
  }
  /* Above max_body_bytes on a pipe (unknown size): a limit, before allocating. */
  options.max_body_bytes = 1 << 20;
  budget.largest = 0;
  read_result r;
  read_all(s.b, s.n, 1, &options, &r);
  assert_int_equal(r.rc, ARTEMIS_E_LIMIT);
  assert_true(budget.largest <= 64 * 1024);
  /* A metadata length claiming 1 GiB. */
  s.n = 0;
  set_u32(s.b, 0xFFFFFFFFu);
  set_u32(s.b + 4, 1u << 30);
  s.n = 64;
  read_all(s.b, s.n, 0, NULL, &r);
  assert_int_equal(r.rc, ARTEMIS_E_INVALID_INPUT);
  assert_non_null(strstr(r.err.message, "message 0 metadata: input truncated"));
  read_all(s.b, s.n, 1, NULL, &r);
  assert_int_equal(r.rc, ARTEMIS_E_LIMIT); /* above max_metadata_bytes (16 MiB) */
}

static void test_api_misuse(void** state) {
  (void)state;
  artemis_ipc_reader* r = NULL;
  artemis_error err;
  assert_int_equal(artemis_ipc_reader_open_memory(NULL, "", 0, NULL, &err), ARTEMIS_E_INVALID_ARGUMENT);
  assert_int_equal(artemis_ipc_reader_open_path(&r, NULL, NULL, &err), ARTEMIS_E_INVALID_ARGUMENT);
  assert_int_equal(artemis_ipc_reader_open_fd(&r, -1, NULL, &err), ARTEMIS_E_INVALID_ARGUMENT);
  artemis_ipc_reader_options options;
  artemis_ipc_reader_options_init(&options);
  options.version = 99;
  assert_int_equal(artemis_ipc_reader_open_memory(&r, "", 0, &options, &err), ARTEMIS_E_INVALID_ARGUMENT);
  artemis_ipc_reader_options_init(&options);
  options.max_fields = 0;
  assert_int_equal(artemis_ipc_reader_open_memory(&r, "", 0, &options, &err), ARTEMIS_E_INVALID_ARGUMENT);
  assert_int_equal(artemis_ipc_reader_open_path(&r, "/nonexistent/ipc/file", NULL, &err), ARTEMIS_E_IO);
  assert_int_equal(err.sys_errno, ENOENT);
  assert_null(r);
  struct ArrowArray a;
  assert_int_equal(artemis_ipc_reader_next(NULL, &a, &err), ARTEMIS_E_INVALID_ARGUMENT);
  artemis_ipc_reader_free(NULL);
  /* Limits: fields and nesting. */
  stream s = {.n = 0};
  const field_spec three[] = {{"a", TYPE_INT, 32, -1, 0}, {"b", TYPE_INT, 8, -1, 0}, {"c", TYPE_INT, 8, -1, 0}};
  add_schema(&s, three, 3, false, false);
  artemis_ipc_reader_options_init(&options);
  options.max_fields = 2;
  expect_failure(&s, &options, ARTEMIS_E_LIMIT, "more than max_fields (2)");
}

/* Every allocation failing in turn: each is reported as ARTEMIS_E_NOMEM and leaks nothing. */
static void test_allocation_failures(void** state) {
  (void)state;
  stream s;
  dictionary_stream(&s, false);
  for (int64_t fail_at = 1;; fail_at++) {
    test_nth_failure nth = {0, fail_at, 0};
    artemis_allocator allocator = test_nth_failure_allocator(&nth);
    artemis_ipc_reader_options options;
    artemis_ipc_reader_options_init(&options);
    options.allocator = &allocator;
    read_result r;
    read_all(s.b, s.n, (int)(fail_at % 2), &options, &r);
    assert_int_equal(nth.live, 0);
    if (nth.calls < fail_at) { /* no allocation failed: done */
      assert_int_equal(r.rc, ARTEMIS_E_END_OF_STREAM);
      break;
    }
    if (r.rc != ARTEMIS_E_NOMEM) fail_msg("allocation %lld failing gave %s \"%s\"", (long long)fail_at, artemis_status_name(r.rc), r.err.message);
  }
}

/* ---- found by fuzz/ipc_reader_fuzz.c ---- */

/* A utf8 node claiming INT64_MAX slots: its offsets count (length + 1) must not overflow. */
static void test_node_length_int64_max(void** state) {
  (void)state;
  const field_spec utf8 = {"s", TYPE_UTF8, 0, -1, 0};
  stream s = {.n = 0};
  add_schema(&s, &utf8, 1, false, false);
  int64_t nodes[] = {INT64_MAX, 0};
  int64_t buffers[] = {0, 0, 0, 8, 8, 0};
  batch_spec b = {INT64_MAX, nodes, 1, buffers, 3, -1, 8, -1, false, NULL, 0};
  fbw w;
  build_batch(&w, &b);
  stream_message(&s, &w, (uint8_t[8]){0}, 8, false);
  expect_failure(&s, NULL, ARTEMIS_E_INVALID_INPUT, "offsets of 9223372036854775807 slots overflow");
}

/* Batches of the null type cost no body: rows_read saturates instead of overflowing. */
static void test_rows_read_saturates(void** state) {
  (void)state;
  const field_spec null_field = {"n", 1, 0, -1, 0};
  stream s = {.n = 0};
  add_schema(&s, &null_field, 1, false, false);
  int64_t big = (int64_t)1 << 62;
  int64_t nodes[] = {big, big};
  batch_spec b = {big, nodes, 1, NULL, 0, -1, 0, -1, false, NULL, 0};
  fbw w;
  build_batch(&w, &b);
  for (int i = 0; i < 3; i++) stream_message(&s, &w, NULL, 0, false);
  stream_end(&s, false);
  read_result r;
  read_all(s.b, s.n, 0, NULL, &r);
  assert_int_equal(r.rc, ARTEMIS_E_END_OF_STREAM);
  assert_int_equal(r.batches, 3);
  assert_int_equal(r.info.rows_read, INT64_MAX);
}

/* Each delta copies the whole dictionary: many deltas to a large (here compressed, so
 * nearly free) dictionary are bounded by the delta copy budget, not run to completion. */
static void test_delta_copy_budget(void** state) {
  (void)state;
  enum { BIG = 600000 };
  uint8_t* raw = malloc(BIG);
  assert_non_null(raw);
  memset(raw, 'a', BIG);
  uint8_t body[4096] = {0};
  /* validity: empty, no prefix; offsets: stored (-1 prefix); data: ZSTD. */
  set_u64(body, (uint64_t)-1);
  set_u32(body + 8, 0);
  set_u32(body + 12, BIG);
  set_u64(body + 16, BIG);
  size_t z = ZSTD_compress(body + 24, sizeof body - 24, raw, BIG, 1);
  assert_false(ZSTD_isError(z));
  free(raw);
  int64_t nodes[] = {1, 0};
  int64_t buffers[] = {0, 0, 0, 16, 16, 8 + (int64_t)z};
  batch_spec dict = {1, nodes, 1, buffers, 3, 1, (int64_t)(24 + z + 7) / 8 * 8, 7, false, NULL, 0};
  stream s = {.n = 0};
  add_schema(&s, &kDictField, 1, false, false);
  fbw w;
  build_batch(&w, &dict);
  stream_message(&s, &w, body, 24 + z, false);
  for (int i = 0; i < 40; i++) add_utf8_dictionary(&s, 7, true, (const char* const[]){"b"}, 1, false);
  add_int32_batch(&s, (const int32_t[]){0}, 1, false, false);
  stream_end(&s, false);
  artemis_ipc_reader_options options;
  artemis_ipc_reader_options_init(&options);
  options.max_dictionary_bytes = 1 << 20;
  expect_failure(&s, &options, ARTEMIS_E_LIMIT, "delta dictionary batches for dictionary id 7 would copy more than");
  /* Within the budget (the default limits allow 2 GiB plus 256 bytes per input byte). */
  read_result r;
  read_all(s.b, s.n, 0, NULL, &r);
  assert_int_equal(r.rc, ARTEMIS_E_END_OF_STREAM);
  assert_int_equal(r.batches, 1);
}

/* Dictionary ids declared out of order, one shared by two fields: the sorted slots find
 * each, and a batch references the right dictionary for every column. */
static void test_many_dictionary_ids(void** state) {
  (void)state;
  const field_spec fields[] = {{"a", TYPE_UTF8, 0, 9, 32}, {"b", TYPE_UTF8, 0, 3, 32}, {"c", TYPE_UTF8, 0, 9, 32}};
  stream s = {.n = 0};
  add_schema(&s, fields, 3, false, false);
  add_utf8_dictionary(&s, 9, false, (const char* const[]){"nine", "NINE"}, 2, false);
  add_utf8_dictionary(&s, 3, false, (const char* const[]){"three"}, 1, false);
  uint8_t body[24] = {0};
  put_i32(body, 1, false);
  put_i32(body + 8, 0, false);
  put_i32(body + 16, 1, false);
  int64_t nodes[] = {1, 0, 1, 0, 1, 0};
  int64_t buffers[] = {0, 0, 0, 4, 8, 0, 8, 4, 16, 0, 16, 4};
  batch_spec b = {1, nodes, 3, buffers, 6, -1, 24, -1, false, NULL, 0};
  fbw w;
  build_batch(&w, &b);
  stream_message(&s, &w, body, sizeof body, false);
  stream_end(&s, false);
  artemis_ipc_reader* r;
  artemis_error err;
  assert_int_equal(artemis_ipc_reader_open_memory(&r, s.b, s.n, NULL, &err), ARTEMIS_OK);
  struct ArrowArray batch;
  assert_int_equal(artemis_ipc_reader_next(r, &batch, &err), ARTEMIS_OK);
  assert_int_equal(batch.children[0]->dictionary->length, 2);
  assert_int_equal(batch.children[1]->dictionary->length, 1);
  assert_int_equal(batch.children[2]->dictionary->length, 2);
  assert_memory_equal(batch.children[1]->dictionary->buffers[2], "three", 5);
  batch.release(&batch);
  artemis_ipc_reader_free(r);
  /* A batch for the id no field declares, between declared ones. */
  s.n = 0;
  add_schema(&s, fields, 3, false, false);
  add_utf8_dictionary(&s, 5, false, (const char* const[]){"x"}, 1, false);
  expect_failure(&s, NULL, ARTEMIS_E_INVALID_INPUT, "dictionary batch id 5 matches no dictionary-encoded field");
}


/* With IPC_READER_TEST_DUMP=DIR, the view and bomb inputs built below are also written
 * to DIR/NAME (how fuzz/corpora/ipc_reader/unit-* seeds were made). */
static void maybe_dump(const stream* s, const char* name) {
  const char* dir = getenv("IPC_READER_TEST_DUMP");
  if (!dir) return;
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE* f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(s->b, 1, s->n, f), s->n);
  fclose(f);
}

/* ---- the file format (built here: magic, messages, footer) ---- */

/* Starts a file: the magic and its padding, then messages are added with the stream
 * helpers (boundaries[k] and framed_meta[k]/padded_body[k] describe message k). */
static void file_begin(stream* s) {
  memset(s, 0, sizeof *s);
  memcpy(s->b, "ARROW1\0\0", 8);
  s->n = 8;
}

/* Appends the footer (schema `fields`; dictionary blocks = messages `dicts`, record batch
 * blocks = messages `batches`, by message number) and the trailer. Returns where the
 * footer flatbuffer starts. */
static size_t file_end(stream* s, const field_spec* fields, int n_fields, const int* dicts, int n_dicts,
                       const int* batches, int n_batches) {
  fbw w;
  fbw_init(&w);
  size_t fpos[4];
  tfield ft[] = {{0, 2, 4}, {1, OFFSET, 0}, {2, OFFSET, 0}, {3, OFFSET, 0}};
  size_t footer = fbw_table(&w, ft, 4, fpos);
  fbw_root(&w, footer);
  fbw_link(&w, fpos[1], build_schema_table(&w, false, fields, n_fields));
  for (int kind = 0; kind < 2; kind++) {
    const int* which = kind == 0 ? dicts : batches;
    int n = kind == 0 ? n_dicts : n_batches;
    uint8_t blocks[24 * 16] = {0};
    for (int i = 0; i < n; i++) {
      set_u64(blocks + 24 * i, s->boundaries[which[i]]);
      set_u32(blocks + 24 * i + 8, (uint32_t)s->framed_meta[which[i]]);
      set_u64(blocks + 24 * i + 16, s->padded_body[which[i]]);
    }
    fbw_link(&w, fpos[2 + kind], fbw_vector(&w, (uint32_t)n, 24, blocks));
  }
  stream_end(s, false); /* writers end the stream inside a file too (read from a pipe) */
  size_t footer_at = s->n;
  memcpy(s->b + s->n, w.b, w.n);
  s->n += w.n;
  set_u32(s->b + s->n, (uint32_t)w.n);
  memcpy(s->b + s->n + 4, "ARROW1", 6);
  s->n += 10;
  return footer_at;
}

/* File.fbs: only one non-delta dictionary batch per id in the file format. Through the
 * footer every dictionary is applied before the first batch, so a replacement used to
 * give batch 0 the later values silently. Deltas stay allowed. */
static void test_file_dictionary_replacement_is_refused(void** state) {
  (void)state;
  for (int delta = 0; delta <= 1; delta++) {
    stream s;
    file_begin(&s);
    add_schema(&s, &kDictField, 1, false, false);                                    /* message 0 */
    add_utf8_dictionary(&s, 7, false, (const char* const[]){"a", "bc"}, 2, false);  /* message 1 */
    add_int32_batch(&s, (const int32_t[]){1, 0}, 2, false, false);                  /* message 2 */
    add_utf8_dictionary(&s, 7, delta, (const char* const[]){"z"}, 1, false);         /* message 3 */
    add_int32_batch(&s, (const int32_t[]){2}, 1, false, false);                     /* message 4 */
    file_end(&s, &kDictField, 1, (const int[]){1, 3}, 2, (const int[]){2, 4}, 2);
    maybe_dump(&s, delta ? "unit-file-dictionary-delta.arrow_file" : "unit-file-dictionary-replacement.arrow_file");
    for (int via_pipe = 0; via_pipe <= 1; via_pipe++) {
      read_result r;
      read_all(s.b, s.n, via_pipe, NULL, &r);
      if (delta) {
        if (r.rc != ARTEMIS_E_END_OF_STREAM) fail_msg("delta, pipe=%d: %s", via_pipe, r.err.message);
        assert_int_equal(r.batches, 2);
        assert_int_equal(r.info.format, ARTEMIS_IPC_FORMAT_FILE);
        continue;
      }
      assert_int_equal(r.rc, ARTEMIS_E_INVALID_INPUT);
      assert_non_null(strstr(r.err.message, "a non-delta dictionary batch for dictionary id 7, which an earlier"));
      assert_int_equal(r.err.offset, (int64_t)s.boundaries[3]);
      char expect[64];
      snprintf(expect, sizeof expect, "(byte %zu)", s.boundaries[3]);
      assert_non_null(strstr(r.err.message, expect));
      /* Through the footer: the block is named; sequentially, the message. */
      if (!via_pipe) {
        assert_non_null(strstr(r.err.message, "footer dictionary block 1"));
        assert_int_equal(r.batches, 0);
      } else {
        assert_non_null(strstr(r.err.message, "message 3"));
        assert_int_equal(r.batches, 1);
      }
    }
  }
  /* A stream may replace its dictionaries (test_dictionary_replacement_and_delta). */
}

/* Errors found while registering the footer schema's dictionaries name the footer and
 * where it starts (they said "message 0 ... (byte 0)"). */
static void test_footer_schema_errors_name_the_footer(void** state) {
  (void)state;
  const field_spec fields[] = {{"a", TYPE_UTF8, 0, 7, 32}, {"b", TYPE_INT, 32, 7, 32}};
  stream s;
  file_begin(&s);
  add_schema(&s, fields, 2, false, false);
  size_t footer_at = file_end(&s, fields, 2, NULL, 0, NULL, 0);
  read_result r;
  read_all(s.b, s.n, 0, NULL, &r);
  assert_int_equal(r.rc, ARTEMIS_E_INVALID_INPUT);
  char expect[160];
  snprintf(expect, sizeof expect,
           "footer: fields \"a\" and \"b\" share dictionary id 7 with different value types (byte %zu)", footer_at);
  assert_string_equal(r.err.message, expect);
  assert_int_equal(r.err.offset, (int64_t)footer_at);
  /* Read as a stream (pipe): the Schema message names itself. */
  read_all(s.b, s.n, 1, NULL, &r);
  assert_int_equal(r.rc, ARTEMIS_E_INVALID_INPUT);
  assert_non_null(strstr(r.err.message, "message 0: fields \"a\" and \"b\" share dictionary id 7"));
}

/* ---- decompression bombs ---- */

/* A compressed buffer declaring more than its role needs is refused before anything is
 * allocated (40 one-row columns whose bitmaps each declared 1 GiB made the CLI allocate
 * 5 GB); the message's decompressed buffers together stay within max_body_bytes. */
static void test_decompression_bombs(void** state) {
  (void)state;
  test_alloc_budget budget = {-1, 0};
  artemis_allocator allocator = test_budget_allocator(&budget);
  artemis_ipc_reader_options options;
  artemis_ipc_reader_options_init(&options);
  options.allocator = &allocator;
  enum { COLS = 40 };
  field_spec fields[COLS];
  for (int i = 0; i < COLS; i++) fields[i] = kInt32Field;
  /* Every column: one row, one null; validity declares 1 GiB (the bytes after the prefix
   * are not even a frame: nothing is decoded); data stored (-1) with 4 bytes. */
  for (int role = 0; role < 2; role++) { /* the validity bitmap, then the values */
    uint8_t body[COLS * 32] = {0};
    int64_t nodes[COLS * 2], buffers[COLS * 4];
    for (int i = 0; i < COLS; i++) {
      uint8_t* p = body + 32 * i;
      set_u64(p, role == 0 ? (uint64_t)1 << 30 : (uint64_t)-1);
      p[8] = 0; /* stored validity: slot 0 null */
      set_u64(p + 16, role == 1 ? (uint64_t)1 << 30 : (uint64_t)-1);
      nodes[2 * i] = 1;
      nodes[2 * i + 1] = 1;
      buffers[4 * i] = 32 * i;
      buffers[4 * i + 1] = 16;
      buffers[4 * i + 2] = 32 * i + 16;
      buffers[4 * i + 3] = 16;
    }
    batch_spec b = {1, nodes, COLS, buffers, COLS * 2, 1, sizeof body, -1, false, NULL, 0};
    fbw w;
    build_batch(&w, &b);
    stream s = {.n = 0};
    add_schema(&s, fields, COLS, false, false);
    stream_message(&s, &w, body, sizeof body, false);
    size_t body_at = s.boundaries[1] + s.framed_meta[1];
    maybe_dump(&s, role == 0 ? "unit-bomb-validity.stream" : "unit-bomb-data.stream");
    for (int via_pipe = 0; via_pipe <= 1; via_pipe++) {
      budget.largest = 0;
      read_result r;
      read_all(s.b, s.n, via_pipe, &options, &r);
      assert_int_equal(r.rc, ARTEMIS_E_INVALID_INPUT);
      assert_non_null(strstr(r.err.message, role == 0 ? "message 1: column 0 \"x\": validity buffer 0"
                                                      : "message 1: column 0 \"x\": data buffer 1"));
      assert_non_null(strstr(r.err.message, role == 0 ? "declares 1073741824 uncompressed bytes, its layout needs 1 "
                                                      : "declares 1073741824 uncompressed bytes, its layout needs 4 "));
      int64_t at = (int64_t)body_at + (role == 0 ? 0 : 16);
      assert_int_equal(r.err.offset, at);
      char expect[64];
      snprintf(expect, sizeof expect, "(byte %lld)", (long long)at);
      assert_non_null(strstr(r.err.message, expect));
      assert_true(budget.largest < 64 * 1024);
    }
  }
  /* Buffers that each need what they declare, but together more than max_body_bytes:
   * 2 columns of 600 int32 (ZSTD, a few bytes each) with max_body_bytes 4000. */
  int32_t values[600] = {0};
  uint8_t body[256] = {0};
  set_u64(body, sizeof values);
  size_t z = ZSTD_compress(body + 8, 100, values, sizeof values, 1);
  assert_false(ZSTD_isError(z));
  int64_t nodes[] = {600, 0, 600, 0};
  int64_t buffers[] = {0, 0, 0, (int64_t)(8 + z), 0, 0, 0, (int64_t)(8 + z)};
  batch_spec b = {600, nodes, 2, buffers, 4, 1, (int64_t)(8 + z + 7) / 8 * 8, -1, false, NULL, 0};
  fbw w;
  build_batch(&w, &b);
  stream s = {.n = 0};
  add_schema(&s, fields, 2, false, false);
  stream_message(&s, &w, body, 8 + z, false);
  stream_end(&s, false);
  read_result r;
  read_all(s.b, s.n, 0, &options, &r);
  assert_int_equal(r.rc, ARTEMIS_E_END_OF_STREAM); /* 4,800 bytes: within the default */
  options.max_body_bytes = 4000;
  expect_failure(&s, &options, ARTEMIS_E_LIMIT, "column 1 \"x\": data buffer 3: declares 2400 uncompressed bytes");
  expect_failure(&s, &options, ARTEMIS_E_LIMIT, "would exceed max_body_bytes (1600 left)");
}

/* ---- views (binary_view, utf8_view) ---- */

enum { TYPE_BINARY_VIEW = 23, TYPE_UTF8_VIEW = 24 };

typedef struct view_case {
  const char* const* values; /* NULL: a null slot (its view is garbage) */
  int n;
  int n_data;      /* data buffers; long value i goes to buffer (long values so far) % n_data */
  bool big_endian;
  int codec;       /* -1, or 1 (ZSTD) */
  int64_t dict_id; /* >= 0: a dictionary batch */
  bool is_delta;
  /* Damage: */
  int bad_index_slot; /* >= 0: that slot's view names data buffer n_data */
  int bad_offset_slot;
  int negative_slot;
  int variadic_entries; /* entries of variadicBufferCounts (normally 1) */
  int64_t variadic_value_delta;
} view_case;

static void put_u32_order(uint8_t* p, uint32_t v, bool big_endian) {
  for (int i = 0; i < 4; i++) p[big_endian ? 3 - i : i] = (uint8_t)(v >> (8 * i));
}

/* One view column (or the values of a dictionary batch). */
static void add_view_message(stream* s, const view_case* c) {
  uint8_t raw[4][1024];
  size_t raw_len[4] = {0, 0, 0, 0};
  assert_true(c->n_data >= 0 && c->n_data <= 2);
  int n_raw = c->n_data <= 0 ? 2 : c->n_data == 1 ? 3 : 4; /* spelled out for gcc -Warray-bounds */
  uint8_t* views = raw[1];
  int nulls = 0, long_values = 0;
  memset(raw, 0, sizeof raw);
  for (int i = 0; i < c->n; i++) {
    uint8_t* v = views + 16 * i;
    const char* value = c->values[i];
    if (!value) {
      nulls++;
      put_u32_order(v, 1000, c->big_endian); /* garbage: never read */
      put_u32_order(v + 8, 99, c->big_endian);
      put_u32_order(v + 12, 0x7FFFFFF0, c->big_endian);
      continue;
    }
    raw[0][i / 8] |= (uint8_t)(1u << (i % 8));
    uint32_t len = (uint32_t)strlen(value);
    put_u32_order(v, i == c->negative_slot ? (uint32_t)-5 : len, c->big_endian);
    if (len <= 12) {
      memcpy(v + 4, value, len);
      continue;
    }
    int k = (long_values++ % c->n_data) & 1;
    memcpy(v + 4, value, 4);
    put_u32_order(v + 8, i == c->bad_index_slot ? (uint32_t)c->n_data : (uint32_t)k, c->big_endian);
    put_u32_order(v + 12, (uint32_t)raw_len[2 + k] + (i == c->bad_offset_slot ? 1 : 0), c->big_endian);
    memcpy(raw[2 + k] + raw_len[2 + k], value, len);
    raw_len[2 + k] += len;
  }
  raw_len[0] = nulls ? (size_t)(c->n + 7) / 8 : 0;
  raw_len[1] = 16 * (size_t)c->n;
  uint8_t body[8192] = {0};
  size_t at = 0;
  int64_t buffers[12];
  for (int k = 0; k < n_raw; k++) {
    size_t len = raw_len[k];
    buffers[2 * k] = (int64_t)at;
    if (c->codec >= 0 && len > 0) {
      set_u64(body + at, len);
      size_t z = ZSTD_compress(body + at + 8, sizeof body - at - 8, raw[k], len, 1);
      assert_false(ZSTD_isError(z));
      len = 8 + z;
    } else if (len) {
      memcpy(body + at, raw[k], len);
    }
    buffers[2 * k + 1] = (int64_t)len;
    at = (at + len + 7) / 8 * 8;
  }
  int64_t nodes[] = {c->n, nulls};
  int64_t variadic[2] = {c->n_data + c->variadic_value_delta, 0};
  batch_spec b = {c->n, nodes, 1, buffers, n_raw, c->codec, (int64_t)at, c->dict_id, c->is_delta,
                  c->variadic_entries ? variadic : NULL, c->variadic_entries};
  fbw w;
  build_batch(&w, &b);
  stream_message(s, &w, body, at, false);
}

static const char* const kViewValues[] = {"hi", NULL, "a value longer than twelve", "", "twelve bytes",
                                          "thirteen byte", NULL, "another long one, in buffer 1"};

static view_case view_case_default(void) {
  view_case c;
  memset(&c, 0, sizeof c);
  c.values = kViewValues;
  c.n = 8;
  c.n_data = 2;
  c.codec = -1;
  c.dict_id = -1;
  c.bad_index_slot = c.bad_offset_slot = c.negative_slot = -1;
  c.variadic_entries = 1;
  return c;
}

/* Checks the exported view array against `values`. */
static void expect_views(const struct ArrowArray* a, const char* const* values, int n) {
  assert_int_equal(a->length, n);
  assert_true(a->n_buffers >= 3);
  int64_t n_data = a->n_buffers - 3;
  const int64_t* sizes = a->buffers[a->n_buffers - 1];
  assert_non_null(sizes);
  for (int i = 0; i < n; i++) {
    bool valid = a->buffers[0] == NULL || ((const uint8_t*)a->buffers[0])[i / 8] & (1u << (i % 8));
    assert_int_equal(valid, values[i] != NULL);
    if (!values[i]) continue;
    const uint8_t* v = (const uint8_t*)a->buffers[1] + 16 * i;
    int32_t len, index, offset;
    memcpy(&len, v, 4);
    assert_int_equal(len, (int32_t)strlen(values[i]));
    const uint8_t* bytes = v + 4;
    if (len > 12) {
      memcpy(&index, v + 8, 4);
      memcpy(&offset, v + 12, 4);
      assert_true(index >= 0 && index < n_data);
      assert_true(offset >= 0 && offset + len <= sizes[index]);
      bytes = (const uint8_t*)a->buffers[2 + index] + offset;
      assert_memory_equal(v + 4, values[i], 4);
    }
    assert_memory_equal(bytes, values[i], (size_t)len);
  }
}

static void test_views_are_read(void** state) {
  (void)state;
  for (int variant = 0; variant < 4; variant++) { /* plain, big-endian, ZSTD, one data buffer */
    view_case c = view_case_default();
    c.big_endian = variant == 1;
    c.codec = variant == 2 ? 1 : -1;
    c.n_data = variant == 3 ? 1 : 2;
    for (int type = TYPE_BINARY_VIEW; type <= TYPE_UTF8_VIEW; type++) {
      const field_spec field = {"v", type, 0, -1, 0};
      stream s = {.n = 0};
      add_schema(&s, &field, 1, false, c.big_endian);
      add_view_message(&s, &c);
      stream_end(&s, false);
      char name[64];
      snprintf(name, sizeof name, "unit-views-%s-%s.stream", type == TYPE_UTF8_VIEW ? "utf8" : "binary",
               (const char* const[]){"plain", "bigendian", "zstd", "onebuffer"}[variant]);
      maybe_dump(&s, name);
      artemis_ipc_reader* r;
      artemis_error err;
      if (artemis_ipc_reader_open_memory(&r, s.b, s.n, NULL, &err) != ARTEMIS_OK) fail_msg("%s", err.message);
      struct ArrowSchema schema;
      assert_int_equal(artemis_ipc_reader_schema(r, &schema, &err), ARTEMIS_OK);
      assert_string_equal(schema.children[0]->format, type == TYPE_UTF8_VIEW ? "vu" : "vz");
      schema.release(&schema);
      struct ArrowArray batch;
      if (artemis_ipc_reader_next(r, &batch, &err) != ARTEMIS_OK) fail_msg("variant %d: %s", variant, err.message);
      artemis_ipc_reader_free(r); /* the batch outlives the reader */
      const struct ArrowArray* a = batch.children[0];
      assert_int_equal(a->n_buffers, 3 + c.n_data);
      assert_int_equal(a->null_count, 2);
      expect_views(a, kViewValues, 8);
      const int64_t* sizes = a->buffers[a->n_buffers - 1];
      if (c.n_data == 2) {
        assert_int_equal(sizes[0], (int64_t)strlen("a value longer than twelve") + (int64_t)strlen("another long one, in buffer 1"));
        assert_int_equal(sizes[1], (int64_t)strlen("thirteen byte"));
      }
      batch.release(&batch);
      read_result rr;
      read_all(s.b, s.n, 1, NULL, &rr); /* and through a pipe */
      assert_int_equal(rr.rc, ARTEMIS_E_END_OF_STREAM);
      assert_int_equal(rr.batches, 1);
    }
  }
  /* No data buffers at all (every value inline), and an empty batch. */
  const char* const short_values[] = {"x", NULL, "twelve bytes"};
  view_case c = view_case_default();
  c.values = short_values;
  c.n = 3;
  c.n_data = 0;
  const field_spec field = {"v", TYPE_UTF8_VIEW, 0, -1, 0};
  stream s = {.n = 0};
  add_schema(&s, &field, 1, false, false);
  add_view_message(&s, &c);
  c.n = 0;
  add_view_message(&s, &c);
  stream_end(&s, false);
  artemis_ipc_reader* r;
  artemis_error err;
  assert_int_equal(artemis_ipc_reader_open_memory(&r, s.b, s.n, NULL, &err), ARTEMIS_OK);
  struct ArrowArray batch;
  assert_int_equal(artemis_ipc_reader_next(r, &batch, &err), ARTEMIS_OK);
  assert_int_equal(batch.children[0]->n_buffers, 3);
  assert_non_null(batch.children[0]->buffers[2]);
  expect_views(batch.children[0], short_values, 3);
  batch.release(&batch);
  assert_int_equal(artemis_ipc_reader_next(r, &batch, &err), ARTEMIS_OK);
  assert_int_equal(batch.children[0]->length, 0);
  batch.release(&batch);
  artemis_ipc_reader_free(r);
}

static void test_view_errors(void** state) {
  (void)state;
  const field_spec field = {"v", TYPE_UTF8_VIEW, 0, -1, 0};
  for (int which = 0; which < 6; which++) {
    view_case c = view_case_default();
    const char* text = NULL;
    switch (which) {
      case 0: c.bad_index_slot = 5; text = "view at slot 5 points into data buffer 2 of 2"; break;
      case 1: c.bad_offset_slot = 7; text = "view at slot 7 (offset 27, length 29) is outside data buffer 0 of 55 bytes"; break;
      case 2: c.negative_slot = 0; text = "view at slot 0 has negative length -5"; break;
      case 3: c.variadic_entries = 0; text = "record batch has 0 variadicBufferCounts entries, the schema has 1 view fields"; break;
      case 4: c.variadic_entries = 2; text = "record batch has 2 variadicBufferCounts entries, the schema has 1 view fields"; break;
      case 5: c.variadic_value_delta = 5; text = "variadicBufferCounts entry 0 (7 data buffers) does not fit the 4 buffers"; break;
    }
    for (int big_endian = 0; big_endian <= 1; big_endian++) {
      c.big_endian = big_endian;
      stream s = {.n = 0};
      add_schema(&s, &field, 1, false, c.big_endian);
      add_view_message(&s, &c);
      stream_end(&s, false);
      expect_failure(&s, NULL, ARTEMIS_E_INVALID_INPUT, text);
    }
  }
  /* View data buffers (whose need is not known) declaring more than the message may
   * decompress: 4 values of 300 bytes, 2 per data buffer, ZSTD. */
  char big[300 + 1];
  memset(big, 'a', 300);
  big[300] = '\0';
  const char* const bigs[] = {big, big, big, big};
  view_case c = view_case_default();
  c.values = bigs;
  c.n = 4;
  c.codec = 1;
  stream s = {.n = 0};
  add_schema(&s, &field, 1, false, false);
  add_view_message(&s, &c);
  stream_end(&s, false);
  read_result r;
  read_all(s.b, s.n, 0, NULL, &r);
  assert_int_equal(r.rc, ARTEMIS_E_END_OF_STREAM);
  artemis_ipc_reader_options options;
  artemis_ipc_reader_options_init(&options);
  options.max_body_bytes = 700; /* views 64 + data 600 + data 600 */
  expect_failure(&s, &options, ARTEMIS_E_LIMIT, "view data buffer 3: declares 600 uncompressed bytes");
}

static void test_view_dictionaries(void** state) {
  (void)state;
  const field_spec field = {"d", TYPE_UTF8_VIEW, 0, 7, 32};
  const char* const first[] = {"short", "a long dictionary value", NULL, "another long dictionary value"};
  const char* const second[] = {"third long value of the dictionary", "x"};
  for (int in_file = 0; in_file <= 1; in_file++) {
    stream s;
    if (in_file) file_begin(&s);
    else memset(&s, 0, sizeof s);
    add_schema(&s, &field, 1, false, false); /* message 0 */
    view_case c = view_case_default();
    c.values = first;
    c.n = 4;
    c.dict_id = 7;
    add_view_message(&s, &c); /* message 1 */
    add_int32_batch(&s, (const int32_t[]){1, 0, 3}, 3, false, false); /* message 2 */
    c.values = second;
    c.n = 2;
    c.n_data = 1;
    c.is_delta = true;
    add_view_message(&s, &c);                                   /* message 3 */
    add_int32_batch(&s, (const int32_t[]){4, 5, 1}, 3, false, false); /* message 4 */
    if (in_file) file_end(&s, &field, 1, (const int[]){1, 3}, 2, (const int[]){2, 4}, 2);
    else stream_end(&s, false);
    maybe_dump(&s, in_file ? "unit-view-dictionary-delta.arrow_file" : "unit-view-dictionary-delta.stream");
    artemis_ipc_reader* r;
    artemis_error err;
    assert_int_equal(artemis_ipc_reader_open_memory(&r, s.b, s.n, NULL, &err), ARTEMIS_OK);
    struct ArrowArray b1, b2;
    if (artemis_ipc_reader_next(r, &b1, &err) != ARTEMIS_OK) fail_msg("%s", err.message);
    assert_int_equal(artemis_ipc_reader_next(r, &b2, &err), ARTEMIS_OK);
    artemis_ipc_reader_free(r);
    /* Through the footer both batches see the whole (delta-extended) dictionary. */
    const char* const joined[] = {"short", "a long dictionary value", NULL, "another long dictionary value",
                                  "third long value of the dictionary", "x"};
    expect_views(b1.children[0]->dictionary, joined, in_file ? 6 : 4);
    expect_views(b2.children[0]->dictionary, joined, 6);
    assert_int_equal(b2.children[0]->dictionary->n_buffers, 3 + 2 + 1);
    b1.release(&b1);
    b2.release(&b2);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fb_reads_a_valid_table),
      cmocka_unit_test(test_fb_rejects_bad_roots_and_vtables),
      cmocka_unit_test(test_fb_rejects_fields_strings_and_vectors_out_of_range),
      cmocka_unit_test(test_fb_cycles_and_shared_offsets_terminate),
      cmocka_unit_test(test_codec_prefix_rules),
      cmocka_unit_test(test_byteswap_patterns),
      cmocka_unit_test(test_both_framings_and_every_end_of_stream),
      cmocka_unit_test(test_released_bodies_are_reused),
      cmocka_unit_test(test_truncation_at_every_byte),
      cmocka_unit_test(test_dictionary_replacement_and_delta),
      cmocka_unit_test(test_dictionary_errors),
      cmocka_unit_test(test_compressed_batches),
      cmocka_unit_test(test_big_endian_bodies_are_swapped),
      cmocka_unit_test(test_schema_and_message_errors),
      cmocka_unit_test(test_errors_name_message_and_byte_offset),
      cmocka_unit_test(test_lying_lengths_cost_what_the_input_holds),
      cmocka_unit_test(test_api_misuse),
      cmocka_unit_test(test_allocation_failures),
      cmocka_unit_test(test_node_length_int64_max),
      cmocka_unit_test(test_rows_read_saturates),
      cmocka_unit_test(test_delta_copy_budget),
      cmocka_unit_test(test_many_dictionary_ids),
      cmocka_unit_test(test_file_dictionary_replacement_is_refused),
      cmocka_unit_test(test_footer_schema_errors_name_the_footer),
      cmocka_unit_test(test_decompression_bombs),
      cmocka_unit_test(test_views_are_read),
      cmocka_unit_test(test_view_errors),
      cmocka_unit_test(test_view_dictionaries),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
