#include "thrift/compact_reader.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/errors.h"

/* A hard ceiling on recursion whatever the caller asks for: each level costs a few
 * hundred bytes of C stack, and no Parquet structure nests deeper than ~8. */
#define HARD_MAX_DEPTH 512

/* ---- arena: the tree is many small values with one lifetime ---- */

typedef struct arena_block {
  struct arena_block* next;
  size_t used;
  size_t cap;
} arena_block;

#define ARENA_ALIGN 16
#define ARENA_HEADER (((sizeof(arena_block) + ARENA_ALIGN - 1) / ARENA_ALIGN) * ARENA_ALIGN)
#define ARENA_BLOCK_BYTES 16384

/* The root lives at the start of its document so artemis_thrift_free can find the rest. */
typedef struct thrift_doc {
  artemis_thrift_value root;
  artemis_mem* mem;
  arena_block* blocks; /* head = block currently being filled */
} thrift_doc;

static uint8_t* block_data(arena_block* block) { return (uint8_t*)block + ARENA_HEADER; }

static void* arena_alloc(thrift_doc* doc, size_t size) {
  if (size > SIZE_MAX - ARENA_ALIGN - ARENA_HEADER) return NULL;
  size = (size + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
  arena_block* head = doc->blocks;
  if (head && head->cap - head->used >= size) {
    void* p = block_data(head) + head->used;
    head->used += size;
    return p;
  }
  size_t cap = size > ARENA_BLOCK_BYTES / 4 ? size : ARENA_BLOCK_BYTES - ARENA_HEADER;
  arena_block* block = artemis_mem_alloc(doc->mem, ARENA_HEADER + cap);
  if (!block) return NULL;
  block->used = size;
  block->cap = cap;
  if (head && cap == size) {
    /* A large dedicated block goes behind the head so the head's free space stays usable. */
    block->next = head->next;
    head->next = block;
  } else {
    block->next = head;
    doc->blocks = block;
  }
  return block_data(block);
}

static void doc_free(thrift_doc* doc) {
  if (!doc) return;
  artemis_mem* mem = doc->mem;
  arena_block* block = doc->blocks;
  while (block) {
    arena_block* next = block->next;
    artemis_mem_free(mem, block);
    block = next;
  }
  artemis_mem_free(mem, doc);
}

/* ---- parser ---- */

typedef struct parser {
  const uint8_t* bytes;
  size_t n;
  size_t pos;
  thrift_doc* doc;
  int max_depth;
  size_t elements_left;
  size_t max_binary_len;
  /* Fields of the structs being parsed, innermost last; a struct moves its own slice
   * into the arena when it reaches STOP, so the stack is shared by all levels. */
  artemis_thrift_struct_field* pending;
  size_t pending_len;
  size_t pending_cap;
  artemis_error* error;
} parser;

static int fail(parser* p, int code, size_t offset, const char* fmt, ...) ARTEMIS_PRINTF(4, 5);

static int fail(parser* p, int code, size_t offset, const char* fmt, ...) {
  char message[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  return artemis_set_error_at(p->error, code, -1, -1, (int64_t)offset, "thrift: %s (byte %zu)", message,
                              offset);
}

static size_t remaining(const parser* p) { return p->n - p->pos; }

static int need(parser* p, size_t start, size_t count, const char* what) {
  if (count <= remaining(p)) return ARTEMIS_OK;
  return fail(p, ARTEMIS_E_NEED_MORE, start, "input ends inside %s: %zu bytes needed, %zu left", what,
              count, remaining(p));
}

static int nomem(parser* p) {
  return fail(p, ARTEMIS_E_NOMEM, p->pos, "out of memory while decoding");
}

static int take_element(parser* p, size_t offset) {
  if (p->elements_left == 0) return fail(p, ARTEMIS_E_LIMIT, offset, "more values than max_elements");
  p->elements_left--;
  return ARTEMIS_OK;
}

static int read_byte(parser* p, const char* what, uint8_t* out) {
  ARTEMIS_RETURN_NOT_OK(need(p, p->pos, 1, what));
  *out = p->bytes[p->pos++];
  return ARTEMIS_OK;
}

/* ULEB128 of at most `bits` significant bits; longer or wider encodings are rejected
 * rather than truncated, so a corrupt value never passes as a small one. */
static int read_varint(parser* p, int bits, const char* what, uint64_t* out) {
  size_t start = p->pos;
  uint64_t value = 0;
  int shift = 0;
  for (;;) {
    if (p->pos >= p->n) {
      return fail(p, ARTEMIS_E_NEED_MORE, start, "input ends inside the varint of %s", what);
    }
    uint8_t byte = p->bytes[p->pos++];
    uint64_t chunk = byte & 0x7F;
    if (shift >= bits || (bits - shift < 7 && (chunk >> (bits - shift)) != 0)) {
      return fail(p, ARTEMIS_E_INVALID_INPUT, start, "varint of %s does not fit in %d bits", what, bits);
    }
    value |= chunk << shift;
    if (!(byte & 0x80)) break;
    shift += 7;
  }
  *out = value;
  return ARTEMIS_OK;
}

static int64_t unzigzag(uint64_t z) {
  return (z & 1) ? -(int64_t)(z >> 1) - 1 : (int64_t)(z >> 1);
}

static int read_zigzag(parser* p, int bits, const char* what, int64_t* out) {
  uint64_t z = 0;
  ARTEMIS_RETURN_NOT_OK(read_varint(p, bits, what, &z));
  *out = unzigzag(z);
  return ARTEMIS_OK;
}

/* Binary lengths and collection sizes are i32 on the wire. */
static int read_size(parser* p, const char* what, size_t* out) {
  size_t start = p->pos;
  uint64_t size = 0;
  ARTEMIS_RETURN_NOT_OK(read_varint(p, 32, what, &size));
  if (size > (uint64_t)INT32_MAX) {
    return fail(p, ARTEMIS_E_INVALID_INPUT, start, "negative %s (%" PRIu64 " as unsigned)", what, size);
  }
  *out = (size_t)size;
  return ARTEMIS_OK;
}

static int check_depth(parser* p, int depth, size_t offset) {
  if (depth > p->max_depth) {
    return fail(p, ARTEMIS_E_LIMIT, offset, "nesting deeper than max_depth %d", p->max_depth);
  }
  return ARTEMIS_OK;
}

static int elem_kind_from_type(int type, artemis_thrift_kind* out) {
  if (type == 1 || type == 2) {
    *out = ARTEMIS_THRIFT_BOOL;
    return 1;
  }
  if (type >= ARTEMIS_THRIFT_I8 && type <= ARTEMIS_THRIFT_STRUCT) {
    *out = (artemis_thrift_kind)type;
    return 1;
  }
  return 0;
}

/* Rejects element counts that cannot fit: every encoded element takes at least one
 * byte, so more elements than remaining bytes means the input is short — checked
 * before the count is used to size an allocation. */
static int check_count(parser* p, size_t start, size_t count, size_t bytes_per_element, const char* what) {
  if (count > remaining(p) / bytes_per_element) {
    return fail(p, ARTEMIS_E_NEED_MORE, start, "%s of %zu elements needs at least %zu bytes, %zu left",
                what, count, count, remaining(p));
  }
  if (count > p->elements_left / bytes_per_element) {
    return fail(p, ARTEMIS_E_LIMIT, start, "%s of %zu elements exceeds max_elements", what, count);
  }
  return ARTEMIS_OK;
}

static artemis_thrift_value* alloc_values(parser* p, size_t count) {
  if (count > SIZE_MAX / sizeof(artemis_thrift_value)) return NULL;
  artemis_thrift_value* values = arena_alloc(p->doc, count * sizeof(artemis_thrift_value));
  if (values) memset(values, 0, count * sizeof(artemis_thrift_value));
  return values;
}

static int parse_value(parser* p, artemis_thrift_kind kind, artemis_thrift_value* out, int depth);

static int push_pending(parser* p, const artemis_thrift_struct_field* field) {
  if (p->pending_len == p->pending_cap) {
    size_t cap = p->pending_cap ? p->pending_cap * 2 : 64;
    if (cap > SIZE_MAX / sizeof(artemis_thrift_struct_field)) return nomem(p);
    artemis_thrift_struct_field* grown =
        artemis_mem_realloc(p->doc->mem, p->pending, cap * sizeof(artemis_thrift_struct_field));
    if (!grown) return nomem(p);
    p->pending = grown;
    p->pending_cap = cap;
  }
  p->pending[p->pending_len++] = *field;
  return ARTEMIS_OK;
}

static int parse_struct(parser* p, artemis_thrift_value* out, int depth) {
  ARTEMIS_RETURN_NOT_OK(check_depth(p, depth, p->pos));
  size_t base = p->pending_len;
  int32_t last_id = 0;
  for (;;) {
    size_t header_at = p->pos;
    uint8_t header;
    ARTEMIS_RETURN_NOT_OK(read_byte(p, "a struct (field header or STOP expected)", &header));
    if (header == 0) break;
    int type = header & 0x0F;
    int delta = header >> 4;
    artemis_thrift_kind kind;
    if (!elem_kind_from_type(type, &kind)) {
      return fail(p, ARTEMIS_E_INVALID_INPUT, header_at, "unknown field type %d", type);
    }
    int32_t id;
    if (delta != 0) {
      id = last_id + delta;
      if (id > INT16_MAX) {
        return fail(p, ARTEMIS_E_INVALID_INPUT, header_at, "field id delta overflows i16 (%d + %d)",
                    (int)last_id, delta);
      }
    } else {
      int64_t long_id;
      ARTEMIS_RETURN_NOT_OK(read_zigzag(p, 16, "a field id", &long_id));
      id = (int32_t)long_id;
    }
    last_id = id;
    ARTEMIS_RETURN_NOT_OK(take_element(p, header_at));
    artemis_thrift_struct_field field;
    memset(&field, 0, sizeof field);
    field.id = (int16_t)id;
    field.value.offset = p->pos;
    if (kind == ARTEMIS_THRIFT_BOOL) {
      /* A bool field has no payload: the type nibble is the value. */
      field.value.kind = ARTEMIS_THRIFT_BOOL;
      field.value.as.boolean = (type == 1);
    } else {
      ARTEMIS_RETURN_NOT_OK(parse_value(p, kind, &field.value, depth + 1));
    }
    ARTEMIS_RETURN_NOT_OK(push_pending(p, &field));
  }
  size_t count = p->pending_len - base;
  out->kind = ARTEMIS_THRIFT_STRUCT;
  out->as.strct.count = count;
  out->as.strct.fields = NULL;
  if (count > 0) {
    artemis_thrift_struct_field* fields =
        arena_alloc(p->doc, count * sizeof(artemis_thrift_struct_field));
    if (!fields) return nomem(p);
    memcpy(fields, p->pending + base, count * sizeof(artemis_thrift_struct_field));
    out->as.strct.fields = fields;
  }
  p->pending_len = base;
  return ARTEMIS_OK;
}

static int parse_list(parser* p, artemis_thrift_kind list_kind, artemis_thrift_value* out, int depth) {
  size_t start = p->pos;
  ARTEMIS_RETURN_NOT_OK(check_depth(p, depth, start));
  const char* what = list_kind == ARTEMIS_THRIFT_SET ? "set" : "list";
  uint8_t header;
  ARTEMIS_RETURN_NOT_OK(read_byte(p, what, &header));
  artemis_thrift_kind elem_kind;
  if (!elem_kind_from_type(header & 0x0F, &elem_kind)) {
    return fail(p, ARTEMIS_E_INVALID_INPUT, start, "%s with unknown element type %d", what, header & 0x0F);
  }
  size_t count = header >> 4;
  if (count == 15) ARTEMIS_RETURN_NOT_OK(read_size(p, "a list size", &count));
  ARTEMIS_RETURN_NOT_OK(check_count(p, start, count, 1, what));
  out->kind = list_kind;
  out->as.list.elem_kind = elem_kind;
  out->as.list.count = count;
  out->as.list.items = NULL;
  if (count == 0) return ARTEMIS_OK;
  artemis_thrift_value* items = alloc_values(p, count);
  if (!items) return nomem(p);
  out->as.list.items = items;
  for (size_t i = 0; i < count; i++) {
    ARTEMIS_RETURN_NOT_OK(take_element(p, p->pos));
    items[i].offset = p->pos;
    ARTEMIS_RETURN_NOT_OK(parse_value(p, elem_kind, &items[i], depth + 1));
  }
  return ARTEMIS_OK;
}

static int parse_map(parser* p, artemis_thrift_value* out, int depth) {
  size_t start = p->pos;
  ARTEMIS_RETURN_NOT_OK(check_depth(p, depth, start));
  size_t count;
  ARTEMIS_RETURN_NOT_OK(read_size(p, "a map size", &count));
  out->kind = ARTEMIS_THRIFT_MAP;
  memset(&out->as.map, 0, sizeof out->as.map);
  /* An empty map is just its size byte: no key/value type byte follows. */
  if (count == 0) return ARTEMIS_OK;
  uint8_t types;
  ARTEMIS_RETURN_NOT_OK(read_byte(p, "a map (key/value types)", &types));
  artemis_thrift_kind key_kind, value_kind;
  if (!elem_kind_from_type(types >> 4, &key_kind) || !elem_kind_from_type(types & 0x0F, &value_kind)) {
    return fail(p, ARTEMIS_E_INVALID_INPUT, start, "map with unknown key/value types 0x%02x", types);
  }
  ARTEMIS_RETURN_NOT_OK(check_count(p, start, count, 2, "map"));
  artemis_thrift_value* keys = alloc_values(p, count);
  artemis_thrift_value* values = keys ? alloc_values(p, count) : NULL;
  if (!values) return nomem(p);
  out->as.map.key_kind = key_kind;
  out->as.map.value_kind = value_kind;
  out->as.map.count = count;
  out->as.map.keys = keys;
  out->as.map.values = values;
  for (size_t i = 0; i < count; i++) {
    ARTEMIS_RETURN_NOT_OK(take_element(p, p->pos));
    keys[i].offset = p->pos;
    ARTEMIS_RETURN_NOT_OK(parse_value(p, key_kind, &keys[i], depth + 1));
    ARTEMIS_RETURN_NOT_OK(take_element(p, p->pos));
    values[i].offset = p->pos;
    ARTEMIS_RETURN_NOT_OK(parse_value(p, value_kind, &values[i], depth + 1));
  }
  return ARTEMIS_OK;
}

static int parse_binary(parser* p, artemis_thrift_value* out) {
  size_t start = p->pos;
  size_t len;
  ARTEMIS_RETURN_NOT_OK(read_size(p, "a binary length", &len));
  if (len > p->max_binary_len) {
    return fail(p, ARTEMIS_E_LIMIT, start, "binary of %zu bytes exceeds max_binary_len %zu", len,
                p->max_binary_len);
  }
  ARTEMIS_RETURN_NOT_OK(need(p, start, len, "a binary value"));
  uint8_t* copy = arena_alloc(p->doc, len + 1);
  if (!copy) return nomem(p);
  if (len) memcpy(copy, p->bytes + p->pos, len);
  copy[len] = 0;
  p->pos += len;
  out->kind = ARTEMIS_THRIFT_BINARY;
  out->as.binary.data = copy;
  out->as.binary.len = len;
  return ARTEMIS_OK;
}

/* A value of `kind` that is not a struct field's bool (those live in the header). */
static int parse_value(parser* p, artemis_thrift_kind kind, artemis_thrift_value* out, int depth) {
  size_t start = p->pos;
  out->kind = kind;
  switch (kind) {
    case ARTEMIS_THRIFT_BOOL: {
      uint8_t byte;
      ARTEMIS_RETURN_NOT_OK(read_byte(p, "a bool element", &byte));
      /* 1 is the protocol's true and 2 its false; some writers use 0 for false. */
      if (byte > 2) return fail(p, ARTEMIS_E_INVALID_INPUT, start, "bool element byte %u", byte);
      out->as.boolean = (byte == 1);
      return ARTEMIS_OK;
    }
    case ARTEMIS_THRIFT_I8: {
      uint8_t byte;
      ARTEMIS_RETURN_NOT_OK(read_byte(p, "an i8", &byte));
      out->as.integer = (int8_t)byte;
      return ARTEMIS_OK;
    }
    case ARTEMIS_THRIFT_I16: return read_zigzag(p, 16, "an i16", &out->as.integer);
    case ARTEMIS_THRIFT_I32: return read_zigzag(p, 32, "an i32", &out->as.integer);
    case ARTEMIS_THRIFT_I64: return read_zigzag(p, 64, "an i64", &out->as.integer);
    case ARTEMIS_THRIFT_DOUBLE: {
      ARTEMIS_RETURN_NOT_OK(need(p, start, 8, "a double"));
      uint64_t bits = 0;
      for (int i = 7; i >= 0; i--) bits = (bits << 8) | p->bytes[p->pos + (size_t)i];
      p->pos += 8;
      memcpy(&out->as.real, &bits, sizeof bits);
      return ARTEMIS_OK;
    }
    case ARTEMIS_THRIFT_BINARY: return parse_binary(p, out);
    case ARTEMIS_THRIFT_LIST:
    case ARTEMIS_THRIFT_SET: return parse_list(p, kind, out, depth);
    case ARTEMIS_THRIFT_MAP: return parse_map(p, out, depth);
    case ARTEMIS_THRIFT_STRUCT: return parse_struct(p, out, depth);
  }
  return fail(p, ARTEMIS_E_INTERNAL, start, "unexpected value kind %d", (int)kind);
}

void artemis_thrift_limits_init(artemis_thrift_limits* limits) {
  limits->max_depth = ARTEMIS_THRIFT_DEFAULT_MAX_DEPTH;
  limits->max_elements = ARTEMIS_THRIFT_DEFAULT_MAX_ELEMENTS;
  limits->max_binary_len = ARTEMIS_THRIFT_DEFAULT_MAX_BINARY_LEN;
}

int artemis_thrift_parse(const uint8_t* bytes, size_t n, artemis_mem* mem,
                         const artemis_thrift_limits* limits, artemis_thrift_value** out_root,
                         size_t* consumed, artemis_error* error) {
  if (out_root) *out_root = NULL;
  if (consumed) *consumed = 0;
  if (!out_root || !mem || (!bytes && n > 0)) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                             "thrift: NULL argument to artemis_thrift_parse");
  }
  artemis_thrift_limits defaults;
  if (!limits) {
    artemis_thrift_limits_init(&defaults);
    limits = &defaults;
  }
  thrift_doc* doc = artemis_mem_alloc(mem, sizeof *doc);
  if (!doc) return artemis_set_error_at(error, ARTEMIS_E_NOMEM, -1, -1, 0, "thrift: out of memory");
  memset(doc, 0, sizeof *doc);
  doc->mem = mem;

  parser p;
  memset(&p, 0, sizeof p);
  p.bytes = bytes;
  p.n = n;
  p.doc = doc;
  p.max_depth = limits->max_depth < HARD_MAX_DEPTH ? limits->max_depth : HARD_MAX_DEPTH;
  p.elements_left = limits->max_elements;
  p.max_binary_len = limits->max_binary_len;
  p.error = error;

  int status = take_element(&p, 0);
  if (status == ARTEMIS_OK) status = parse_struct(&p, &doc->root, 1);
  artemis_mem_free(mem, p.pending);
  if (status != ARTEMIS_OK) {
    doc_free(doc);
    return status;
  }
  *out_root = &doc->root;
  if (consumed) *consumed = p.pos;
  return ARTEMIS_OK;
}

void artemis_thrift_free(artemis_thrift_value* root) {
  /* root is the first member of its thrift_doc. */
  doc_free((thrift_doc*)root);
}

const char* artemis_thrift_kind_name(int kind) {
  switch (kind) {
    case ARTEMIS_THRIFT_BOOL: return "bool";
    case ARTEMIS_THRIFT_I8: return "i8";
    case ARTEMIS_THRIFT_I16: return "i16";
    case ARTEMIS_THRIFT_I32: return "i32";
    case ARTEMIS_THRIFT_I64: return "i64";
    case ARTEMIS_THRIFT_DOUBLE: return "double";
    case ARTEMIS_THRIFT_BINARY: return "binary";
    case ARTEMIS_THRIFT_LIST: return "list";
    case ARTEMIS_THRIFT_SET: return "set";
    case ARTEMIS_THRIFT_MAP: return "map";
    case ARTEMIS_THRIFT_STRUCT: return "struct";
    default: return "?";
  }
}

/* ---- lookups ---- */

const artemis_thrift_value* artemis_thrift_field(const artemis_thrift_value* s, int16_t id) {
  if (!s || s->kind != ARTEMIS_THRIFT_STRUCT) return NULL;
  for (size_t i = 0; i < s->as.strct.count; i++) {
    if (s->as.strct.fields[i].id == id) return &s->as.strct.fields[i].value;
  }
  return NULL;
}

const artemis_thrift_value* artemis_thrift_field_of_kind(const artemis_thrift_value* s, int16_t id,
                                                         artemis_thrift_kind kind) {
  const artemis_thrift_value* v = artemis_thrift_field(s, id);
  return (v && v->kind == kind) ? v : NULL;
}

bool artemis_thrift_get_bool(const artemis_thrift_value* s, int16_t id, bool* out) {
  const artemis_thrift_value* v = artemis_thrift_field_of_kind(s, id, ARTEMIS_THRIFT_BOOL);
  if (!v) return false;
  *out = v->as.boolean;
  return true;
}

bool artemis_thrift_get_i8(const artemis_thrift_value* s, int16_t id, int8_t* out) {
  const artemis_thrift_value* v = artemis_thrift_field_of_kind(s, id, ARTEMIS_THRIFT_I8);
  if (!v) return false;
  *out = (int8_t)v->as.integer;
  return true;
}

bool artemis_thrift_get_i16(const artemis_thrift_value* s, int16_t id, int16_t* out) {
  const artemis_thrift_value* v = artemis_thrift_field_of_kind(s, id, ARTEMIS_THRIFT_I16);
  if (!v) return false;
  *out = (int16_t)v->as.integer;
  return true;
}

bool artemis_thrift_get_i32(const artemis_thrift_value* s, int16_t id, int32_t* out) {
  const artemis_thrift_value* v = artemis_thrift_field_of_kind(s, id, ARTEMIS_THRIFT_I32);
  if (!v) return false;
  *out = (int32_t)v->as.integer;
  return true;
}

bool artemis_thrift_get_i64(const artemis_thrift_value* s, int16_t id, int64_t* out) {
  const artemis_thrift_value* v = artemis_thrift_field_of_kind(s, id, ARTEMIS_THRIFT_I64);
  if (!v) return false;
  *out = v->as.integer;
  return true;
}

bool artemis_thrift_get_double(const artemis_thrift_value* s, int16_t id, double* out) {
  const artemis_thrift_value* v = artemis_thrift_field_of_kind(s, id, ARTEMIS_THRIFT_DOUBLE);
  if (!v) return false;
  *out = v->as.real;
  return true;
}

bool artemis_thrift_get_binary(const artemis_thrift_value* s, int16_t id, const uint8_t** data,
                               size_t* len) {
  const artemis_thrift_value* v = artemis_thrift_field_of_kind(s, id, ARTEMIS_THRIFT_BINARY);
  if (!v) return false;
  *data = v->as.binary.data;
  *len = v->as.binary.len;
  return true;
}

const artemis_thrift_value* artemis_thrift_get_list(const artemis_thrift_value* s, int16_t id,
                                                    artemis_thrift_kind elem_kind) {
  const artemis_thrift_value* v = artemis_thrift_field_of_kind(s, id, ARTEMIS_THRIFT_LIST);
  if (!v) return NULL;
  if (elem_kind != 0 && v->as.list.elem_kind != elem_kind) return NULL;
  return v;
}

const artemis_thrift_value* artemis_thrift_list_at(const artemis_thrift_value* list, size_t i) {
  if (!list || (list->kind != ARTEMIS_THRIFT_LIST && list->kind != ARTEMIS_THRIFT_SET)) return NULL;
  if (i >= list->as.list.count) return NULL;
  return &list->as.list.items[i];
}

/* ---- JSON ---- */

static int json_raw(artemis_buf* out, const char* s) { return artemis_buf_append(out, s, strlen(s)); }

/* Decodes one UTF-8 sequence at s[0..n); returns its length, 0 if invalid (overlong,
 * surrogate, above U+10FFFF or truncated). */
static size_t utf8_decode(const uint8_t* s, size_t n, uint32_t* cp) {
  static const struct { uint8_t mask, lead; size_t len; uint32_t min; } forms[] = {
      {0x80, 0x00, 1, 0}, {0xE0, 0xC0, 2, 0x80}, {0xF0, 0xE0, 3, 0x800}, {0xF8, 0xF0, 4, 0x10000}};
  size_t form = 0;
  while (form < 4 && (s[0] & forms[form].mask) != forms[form].lead) form++;
  if (form == 4) return 0;
  size_t len = forms[form].len;
  uint32_t min = forms[form].min;
  *cp = s[0] & (uint8_t)~forms[form].mask;
  if (len > n) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    *cp = (*cp << 6) | (s[i] & 0x3F);
  }
  if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) return 0;
  return len;
}

static bool is_printable_text(const uint8_t* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint32_t cp;
    size_t len = utf8_decode(s + i, n - i, &cp);
    if (len == 0) return false;
    bool control = cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
    if (control && cp != '\t' && cp != '\n' && cp != '\r') return false;
    i += len;
  }
  return true;
}

static int json_binary(const uint8_t* s, size_t n, artemis_buf* out) {
  if (is_printable_text(s, n)) {
    ARTEMIS_RETURN_NOT_OK(artemis_buf_append_u8(out, '"'));
    size_t run = 0; /* bytes copied verbatim, flushed before each escape */
    for (size_t i = 0; i < n; i++) {
      const char* escape = NULL;
      switch (s[i]) {
        case '"': escape = "\\\""; break;
        case '\\': escape = "\\\\"; break;
        case '\n': escape = "\\n"; break;
        case '\r': escape = "\\r"; break;
        case '\t': escape = "\\t"; break;
        default: break;
      }
      if (!escape) continue;
      ARTEMIS_RETURN_NOT_OK(artemis_buf_append(out, s + run, i - run));
      ARTEMIS_RETURN_NOT_OK(json_raw(out, escape));
      run = i + 1;
    }
    ARTEMIS_RETURN_NOT_OK(artemis_buf_append(out, s + run, n - run));
    return artemis_buf_append_u8(out, '"');
  }
  static const char digits[] = "0123456789abcdef";
  ARTEMIS_RETURN_NOT_OK(json_raw(out, "{\"hex\": \""));
  if (n > (SIZE_MAX - 2) / 2) return ARTEMIS_E_NOMEM;
  ARTEMIS_RETURN_NOT_OK(artemis_buf_reserve(out, 2 * n + 2));
  for (size_t i = 0; i < n; i++) {
    artemis_buf_put_u8_unchecked(out, (uint8_t)digits[s[i] >> 4]);
    artemis_buf_put_u8_unchecked(out, (uint8_t)digits[s[i] & 0x0F]);
  }
  return json_raw(out, "\"}");
}

static int json_double(double d, artemis_buf* out) {
  if (isnan(d)) return json_raw(out, "\"NaN\"");
  if (isinf(d)) return json_raw(out, d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  char text[64];
  int len = snprintf(text, sizeof text, "%.17g", d);
  if (len < 0 || (size_t)len >= sizeof text) return ARTEMIS_E_INTERNAL;
  /* JSON needs '.', whatever LC_NUMERIC the host application chose. */
  for (int i = 0; i < len; i++) {
    if (text[i] == ',') text[i] = '.';
  }
  return artemis_buf_append(out, text, (size_t)len);
}

static int json_value(const artemis_thrift_value* v, artemis_buf* out) {
  char text[32];
  switch (v->kind) {
    case ARTEMIS_THRIFT_BOOL: return json_raw(out, v->as.boolean ? "true" : "false");
    case ARTEMIS_THRIFT_I8:
    case ARTEMIS_THRIFT_I16:
    case ARTEMIS_THRIFT_I32:
    case ARTEMIS_THRIFT_I64:
      snprintf(text, sizeof text, "%" PRId64, v->as.integer);
      return json_raw(out, text);
    case ARTEMIS_THRIFT_DOUBLE: return json_double(v->as.real, out);
    case ARTEMIS_THRIFT_BINARY: return json_binary(v->as.binary.data, v->as.binary.len, out);
    case ARTEMIS_THRIFT_LIST:
    case ARTEMIS_THRIFT_SET:
      ARTEMIS_RETURN_NOT_OK(artemis_buf_append_u8(out, '['));
      for (size_t i = 0; i < v->as.list.count; i++) {
        if (i) ARTEMIS_RETURN_NOT_OK(json_raw(out, ", "));
        ARTEMIS_RETURN_NOT_OK(json_value(&v->as.list.items[i], out));
      }
      return artemis_buf_append_u8(out, ']');
    case ARTEMIS_THRIFT_MAP:
      /* JSON object keys must be strings; thrift map keys can be anything. */
      ARTEMIS_RETURN_NOT_OK(artemis_buf_append_u8(out, '['));
      for (size_t i = 0; i < v->as.map.count; i++) {
        ARTEMIS_RETURN_NOT_OK(json_raw(out, i ? ", [" : "["));
        ARTEMIS_RETURN_NOT_OK(json_value(&v->as.map.keys[i], out));
        ARTEMIS_RETURN_NOT_OK(json_raw(out, ", "));
        ARTEMIS_RETURN_NOT_OK(json_value(&v->as.map.values[i], out));
        ARTEMIS_RETURN_NOT_OK(artemis_buf_append_u8(out, ']'));
      }
      return artemis_buf_append_u8(out, ']');
    case ARTEMIS_THRIFT_STRUCT:
      ARTEMIS_RETURN_NOT_OK(artemis_buf_append_u8(out, '{'));
      for (size_t i = 0; i < v->as.strct.count; i++) {
        const artemis_thrift_struct_field* f = &v->as.strct.fields[i];
        snprintf(text, sizeof text, "%s\"%d\": ", i ? ", " : "", (int)f->id);
        ARTEMIS_RETURN_NOT_OK(json_raw(out, text));
        ARTEMIS_RETURN_NOT_OK(json_value(&f->value, out));
      }
      return artemis_buf_append_u8(out, '}');
  }
  return ARTEMIS_E_INVALID_ARGUMENT;
}

int artemis_thrift_to_json(const artemis_thrift_value* value, artemis_buf* out) {
  if (!value || !out) return ARTEMIS_E_INVALID_ARGUMENT;
  return json_value(value, out);
}
