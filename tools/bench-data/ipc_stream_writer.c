/* Arrow IPC stream writer for flat record batches; see ipc_stream_writer.h for the contract.
 *
 * Field ids, enum values and union type ids below come from Arrow's format/Schema.fbs and
 * format/Message.fbs (a union field `x` takes two vtable slots: x_type, then x). Message
 * framing and body layout follow docs/source/format/Columnar.rst, "Encapsulated message
 * format" and "IPC Streaming Format". */
#include "ipc_stream_writer.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define IPCW_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define IPCW_PRINTF(f, a)
#endif

/* ---- Schema.fbs / Message.fbs constants ---------------------------------------------- */

enum { METADATA_V5 = 4 }; /* MetadataVersion: V1=0 .. V5=4 */

enum { HEADER_SCHEMA = 1, HEADER_RECORD_BATCH = 3 }; /* union MessageHeader, NONE = 0 */

enum { /* union Type, NONE = 0 */
       TYPE_INT = 2,
       TYPE_FLOATING_POINT = 3,
       TYPE_BINARY = 4,
       TYPE_UTF8 = 5,
       TYPE_BOOL = 6,
       TYPE_DATE = 8,
       TYPE_TIMESTAMP = 10,
       TYPE_LARGE_BINARY = 19,
       TYPE_LARGE_UTF8 = 20 };

/* Table field slots (declaration order; a union takes two). */
enum { MESSAGE_VERSION, MESSAGE_HEADER_TYPE, MESSAGE_HEADER, MESSAGE_BODY_LENGTH, MESSAGE_SLOTS = 5 };
enum { SCHEMA_ENDIANNESS, SCHEMA_FIELDS, SCHEMA_CUSTOM_METADATA, SCHEMA_SLOTS = 4 };
enum {
  FIELD_NAME,
  FIELD_NULLABLE,
  FIELD_TYPE_TYPE,
  FIELD_TYPE,
  FIELD_DICTIONARY,
  FIELD_CHILDREN,
  FIELD_CUSTOM_METADATA,
  FIELD_SLOTS
};
enum { KEYVALUE_KEY, KEYVALUE_VALUE, KEYVALUE_SLOTS };
enum { RECORD_BATCH_LENGTH, RECORD_BATCH_NODES, RECORD_BATCH_BUFFERS, RECORD_BATCH_SLOTS = 5 };
enum { INT_BIT_WIDTH, INT_IS_SIGNED, INT_SLOTS };
enum { FLOATING_POINT_PRECISION, FLOATING_POINT_SLOTS };
enum { DATE_UNIT, DATE_SLOTS };
enum { TIMESTAMP_UNIT, TIMESTAMP_TIMEZONE, TIMESTAMP_SLOTS };

enum { PRECISION_SINGLE = 1, PRECISION_DOUBLE = 2 };
enum { DATE_UNIT_DAY = 0 }; /* Date.unit defaults to MILLISECOND, so DAY must be written */

#define FBB_MAX_SLOTS 8

/* Body buffers start at multiples of this (Columnar.rst requires 8). */
#define BODY_ALIGN 8

/* Output buffer: batches of ~100 MB of body go out in fwrite() calls of this size. */
#define OUT_CAPACITY ((size_t)1 << 20)

/* Transformed data (re-aligned bitmaps, rebased offsets) is produced in pieces this big. */
#define TRANSFORM_CHUNK ((size_t)1 << 16)

static IPCW_PRINTF(4, 5) int fail(ipcw_error* err, int status, int errnum, const char* fmt, ...) {
  if (err) {
    err->errnum = errnum;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
  }
  return status;
}

static void put_le(uint8_t* p, uint64_t v, size_t width) {
  for (size_t i = 0; i < width; ++i) p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- a back-to-front FlatBuffers builder --------------------------------------------
 *
 * Like the reference builders, the buffer is filled from its end towards its start, so a
 * child (string, vector, table) always exists before the table that points at it, and
 * every reference is a forward uoffset. Positions are counted from the end of the buffer
 * (they survive reallocation); alignment is relative to the end too, which is why
 * fbb_finish pads the whole buffer to a multiple of the largest alignment used. No vtable
 * deduplication: the messages are small and written once. */

typedef struct fbb {
  uint8_t* buf;
  size_t cap;  /* bytes allocated */
  size_t size; /* bytes used, at buf[cap - size, cap) */
  size_t minalign;
  int oom;
  size_t slot[FBB_MAX_SLOTS]; /* position of each field of the open table, 0 = absent */
  int nslots;
  size_t table_start;
} fbb;

static void fbb_reset(fbb* b) {
  b->size = 0;
  b->minalign = 1;
  b->oom = 0;
}

/* n more bytes at the front; NULL when n is 0 (nothing to write) or memory ran out. */
static uint8_t* fbb_claim(fbb* b, size_t n) {
  if (b->oom || n == 0) return NULL;
  if (b->cap - b->size < n) {
    size_t cap = b->cap ? b->cap : 1024;
    while (cap - b->size < n) {
      if (cap > SIZE_MAX / 2) {
        b->oom = 1;
        return NULL;
      }
      cap *= 2;
    }
    uint8_t* grown = malloc(cap);
    if (!grown) {
      b->oom = 1;
      return NULL;
    }
    if (b->size) memcpy(grown + cap - b->size, b->buf + b->cap - b->size, b->size);
    free(b->buf);
    b->buf = grown;
    b->cap = cap;
  }
  b->size += n;
  return b->buf + b->cap - b->size;
}

static void fbb_pad(fbb* b, size_t n) {
  uint8_t* p = fbb_claim(b, n);
  if (p) memset(p, 0, n);
}

/* Pads so that after `additional` more bytes the position is a multiple of `align`. */
static void fbb_prep(fbb* b, size_t align, size_t additional) {
  if (align > b->minalign) b->minalign = align;
  fbb_pad(b, (align - ((b->size + additional) & (align - 1))) & (align - 1));
}

static void fbb_push_scalar(fbb* b, uint64_t v, size_t width) {
  fbb_prep(b, width, 0);
  uint8_t* p = fbb_claim(b, width);
  if (p) put_le(p, v, width);
}

/* A uoffset is relative to its own address: target lies later in memory, i.e. nearer the
 * end, so it is our position (after the push) minus the target's. */
static void fbb_push_uoffset(fbb* b, size_t target) {
  fbb_prep(b, 4, 0);
  uint64_t rel = (uint64_t)(b->size + 4 - target);
  uint8_t* p = fbb_claim(b, 4);
  if (p) put_le(p, rel, 4);
}

static void fbb_table_start(fbb* b, int nslots) {
  memset(b->slot, 0, sizeof b->slot);
  b->nslots = nslots;
  b->table_start = b->size;
}

static void fbb_add_scalar(fbb* b, int slot, uint64_t v, size_t width) {
  fbb_push_scalar(b, v, width);
  b->slot[slot] = b->size;
}

static void fbb_add_uoffset(fbb* b, int slot, size_t target) {
  fbb_push_uoffset(b, target);
  b->slot[slot] = b->size;
}

/* Writes the table's soffset and, just before it in memory, its vtable: vtable size, table
 * size, then each field's offset from the table start (0 = absent; trailing absent
 * fields trimmed). The soffset is table address minus vtable address. */
static size_t fbb_table_end(fbb* b) {
  fbb_push_scalar(b, 0, 4);
  size_t table = b->size;
  int n = b->nslots;
  while (n > 0 && b->slot[n - 1] == 0) --n;
  for (int i = n - 1; i >= 0; --i) fbb_push_scalar(b, b->slot[i] ? table - b->slot[i] : 0, 2);
  fbb_push_scalar(b, table - b->table_start, 2);
  fbb_push_scalar(b, 4 + 2 * (uint64_t)n, 2);
  if (!b->oom) put_le(b->buf + b->cap - table, (uint64_t)(b->size - table), 4);
  return table;
}

/* Elements are pushed by the caller last to first between start and end. */
static void fbb_vector_start(fbb* b, size_t elem_size, size_t count, size_t align) {
  fbb_prep(b, 4, elem_size * count);
  fbb_prep(b, align, elem_size * count);
}

static size_t fbb_vector_end(fbb* b, size_t count) {
  fbb_push_scalar(b, count, 4);
  return b->size;
}

static size_t fbb_string(fbb* b, const char* s, size_t len) {
  fbb_prep(b, 4, len + 1);
  uint8_t* p = fbb_claim(b, len + 1);
  if (p) {
    if (len) memcpy(p, s, len);
    p[len] = 0;
  }
  return fbb_vector_end(b, len);
}

static size_t fbb_offset_vector(fbb* b, const size_t* targets, size_t count) {
  fbb_vector_start(b, 4, count, 4);
  for (size_t i = count; i-- > 0;) fbb_push_uoffset(b, targets[i]);
  return fbb_vector_end(b, count);
}

static int fbb_finish(fbb* b, size_t root) {
  fbb_prep(b, b->minalign, 4);
  fbb_push_uoffset(b, root);
  return !b->oom && b->size <= INT32_MAX;
}

/* ---- types ------------------------------------------------------------------------- */

typedef enum layout { LAYOUT_FIXED, LAYOUT_BOOL, LAYOUT_VAR32, LAYOUT_VAR64 } layout;

typedef struct column_type {
  uint8_t fb_type; /* union Type id */
  layout layout;
  int width;      /* bytes per value of LAYOUT_FIXED */
  int is_signed;  /* Int */
  int precision;  /* FloatingPoint */
  int time_unit;  /* Timestamp: TimeUnit SECOND=0 .. NANOSECOND=3 */
  const char* tz; /* Timestamp: points into the format string; "" = no timezone */
} column_type;

/* C Data Interface format strings of the flat types we write. */
static int parse_format(const char* f, column_type* t) {
  memset(t, 0, sizeof *t);
  t->layout = LAYOUT_FIXED;
  t->tz = "";
  if (!f || !f[0]) return 0;
  if (f[1] == '\0') {
    switch (f[0]) {
      case 'c': case 'C': t->width = 1; break;
      case 's': case 'S': t->width = 2; break;
      case 'i': case 'I': t->width = 4; break;
      case 'l': case 'L': t->width = 8; break;
      case 'f': t->fb_type = TYPE_FLOATING_POINT; t->width = 4; t->precision = PRECISION_SINGLE; return 1;
      case 'g': t->fb_type = TYPE_FLOATING_POINT; t->width = 8; t->precision = PRECISION_DOUBLE; return 1;
      case 'b': t->fb_type = TYPE_BOOL; t->layout = LAYOUT_BOOL; return 1;
      case 'z': t->fb_type = TYPE_BINARY; t->layout = LAYOUT_VAR32; return 1;
      case 'u': t->fb_type = TYPE_UTF8; t->layout = LAYOUT_VAR32; return 1;
      case 'Z': t->fb_type = TYPE_LARGE_BINARY; t->layout = LAYOUT_VAR64; return 1;
      case 'U': t->fb_type = TYPE_LARGE_UTF8; t->layout = LAYOUT_VAR64; return 1;
      default: return 0;
    }
    t->fb_type = TYPE_INT;
    t->is_signed = f[0] >= 'a'; /* lower case = signed in the C Data Interface */
    return 1;
  }
  if (!strcmp(f, "tdD")) {
    t->fb_type = TYPE_DATE;
    t->width = 4;
    return 1;
  }
  if (f[0] == 't' && f[1] == 's' && f[2] && f[3] == ':') {
    static const char units[] = "smun";
    const char* u = memchr(units, f[2], 4);
    if (!u) return 0;
    t->fb_type = TYPE_TIMESTAMP;
    t->width = 8;
    t->time_unit = (int)(u - units);
    t->tz = f + 4;
    return 1;
  }
  return 0;
}

static size_t build_type_table(fbb* b, const column_type* t) {
  switch (t->fb_type) {
    case TYPE_INT:
      fbb_table_start(b, INT_SLOTS);
      fbb_add_scalar(b, INT_BIT_WIDTH, (uint64_t)(t->width * 8), 4);
      fbb_add_scalar(b, INT_IS_SIGNED, (uint64_t)t->is_signed, 1);
      return fbb_table_end(b);
    case TYPE_FLOATING_POINT:
      fbb_table_start(b, FLOATING_POINT_SLOTS);
      fbb_add_scalar(b, FLOATING_POINT_PRECISION, (uint64_t)t->precision, 2);
      return fbb_table_end(b);
    case TYPE_DATE:
      fbb_table_start(b, DATE_SLOTS);
      fbb_add_scalar(b, DATE_UNIT, DATE_UNIT_DAY, 2);
      return fbb_table_end(b);
    case TYPE_TIMESTAMP: {
      size_t tz = t->tz[0] ? fbb_string(b, t->tz, strlen(t->tz)) : 0;
      fbb_table_start(b, TIMESTAMP_SLOTS);
      fbb_add_scalar(b, TIMESTAMP_UNIT, (uint64_t)t->time_unit, 2);
      if (tz) fbb_add_uoffset(b, TIMESTAMP_TIMEZONE, tz);
      return fbb_table_end(b);
    }
    default: /* Bool, Utf8, Binary, LargeUtf8, LargeBinary: empty tables */
      fbb_table_start(b, 0);
      return fbb_table_end(b);
  }
}

/* C Data Interface metadata (int32 count, then int32-length-prefixed key and value per
 * pair, native endianness) as a [KeyValue] vector; 0 when there is none. The producer's
 * encoding is trusted apart from negative counts and lengths. */
static int build_metadata(fbb* b, const char* metadata, size_t* out, ipcw_error* err, const char* owner) {
  *out = 0;
  if (!metadata) return IPCW_OK;
  int32_t n;
  memcpy(&n, metadata, 4);
  if (n < 0) return fail(err, IPCW_E_INVALID, 0, "%s: metadata has a negative pair count %d", owner, (int)n);
  if (n == 0) return IPCW_OK;
  size_t* pairs = malloc((size_t)n * sizeof *pairs);
  if (!pairs) return fail(err, IPCW_E_NOMEM, 0, "out of memory for %s's metadata", owner);
  const char* p = metadata + 4;
  int rc = IPCW_OK;
  for (int32_t i = 0; i < n; ++i) {
    int32_t klen, vlen = 0;
    memcpy(&klen, p, 4);
    const char* key = p + 4;
    if (klen >= 0) memcpy(&vlen, key + klen, 4);
    if (klen < 0 || vlen < 0) {
      rc = fail(err, IPCW_E_INVALID, 0, "%s: metadata pair %d has a negative length", owner, (int)i);
      break;
    }
    const char* value = key + klen + 4;
    p = value + vlen;
    size_t k = fbb_string(b, key, (size_t)klen);
    size_t v = fbb_string(b, value, (size_t)vlen);
    fbb_table_start(b, KEYVALUE_SLOTS);
    fbb_add_uoffset(b, KEYVALUE_KEY, k);
    fbb_add_uoffset(b, KEYVALUE_VALUE, v);
    pairs[i] = fbb_table_end(b);
  }
  if (rc == IPCW_OK) *out = fbb_offset_vector(b, pairs, (size_t)n);
  free(pairs);
  return rc;
}

/* ---- the writer ---------------------------------------------------------------------- */

typedef struct column_plan {
  int64_t offset;   /* first slot, in the child's own buffers */
  int64_t length;
  int64_t nulls;
  int64_t var_begin; /* LAYOUT_VAR*: offsets[offset], offsets[offset + length] */
  int64_t var_end;
  int nbuffers;
  uint64_t buffer_length[3];
} column_plan;

struct ipcw_writer {
  FILE* out;
  uint8_t* obuf;
  size_t olen;
  uint64_t bytes;
  int64_t batches;
  int io_failed; /* an fwrite failed: the stream is broken, refuse everything after */
  fbb fb;
  int64_t ncols;
  column_type* types;
  column_plan* plans;
};

static int out_flush(ipcw_writer* w, ipcw_error* err) {
  if (w->olen && fwrite(w->obuf, 1, w->olen, w->out) != w->olen) {
    int e = errno ? errno : EIO;
    w->io_failed = 1;
    return fail(err, IPCW_E_IO, e, "write failed: %s", strerror(e));
  }
  w->olen = 0;
  return IPCW_OK;
}

static int out_write(ipcw_writer* w, const void* p, size_t n, ipcw_error* err) {
  if (n == 0) return IPCW_OK;
  if (OUT_CAPACITY - w->olen < n) {
    int rc = out_flush(w, err);
    if (rc) return rc;
  }
  if (n >= OUT_CAPACITY) {
    /* Big column buffers go straight from the producer's memory to the file. */
    if (fwrite(p, 1, n, w->out) != n) {
      int e = errno ? errno : EIO;
      w->io_failed = 1;
      return fail(err, IPCW_E_IO, e, "write failed: %s", strerror(e));
    }
  } else {
    memcpy(w->obuf + w->olen, p, n);
    w->olen += n;
  }
  w->bytes += n;
  return IPCW_OK;
}

/* Room for n (<= OUT_CAPACITY) bytes to be produced in place; then out_commit(n). */
static uint8_t* out_space(ipcw_writer* w, size_t n, ipcw_error* err, int* rc) {
  *rc = IPCW_OK;
  if (OUT_CAPACITY - w->olen < n && (*rc = out_flush(w, err)) != IPCW_OK) return NULL;
  return w->obuf + w->olen;
}

static void out_commit(ipcw_writer* w, size_t n) {
  w->olen += n;
  w->bytes += n;
}

static int out_zeros(ipcw_writer* w, size_t n, ipcw_error* err) {
  static const uint8_t zeros[BODY_ALIGN];
  return out_write(w, zeros, n, err);
}

static uint64_t pad_to(uint64_t n, uint64_t align) {
  return (n + align - 1) & ~(align - 1);
}

/* Byte k of the bitmap slice starting at bit `offset`, with the bits past `length`
 * cleared (so the output does not depend on what the producer left there). Reads the
 * next source byte only when it holds bits of the slice. */
static uint8_t bitmap_byte(const uint8_t* bits, int64_t offset, int64_t length, int64_t k) {
  const uint8_t* src = bits + offset / 8;
  unsigned shift = (unsigned)(offset % 8);
  unsigned v = src[k] >> shift;
  if (shift && 8 * k + 8 - (int64_t)shift < length) v |= (unsigned)src[k + 1] << (8 - shift);
  int64_t left = length - 8 * k;
  if (left < 8) v &= (1u << left) - 1;
  return (uint8_t)v;
}

static int64_t count_set_bits(const uint8_t* bits, int64_t offset, int64_t length) {
  int64_t set = 0;
  for (int64_t k = 0; k < (length + 7) / 8; ++k) set += __builtin_popcount(bitmap_byte(bits, offset, length, k));
  return set;
}

static int write_bitmap(ipcw_writer* w, const uint8_t* bits, int64_t offset, int64_t length, ipcw_error* err) {
  if (length == 0) return IPCW_OK;
  int64_t nbytes = (length + 7) / 8;
  int64_t k = 0;
  if (offset % 8 == 0) { /* whole bytes straight through, only the last one masked */
    int64_t whole = length / 8;
    int rc = out_write(w, bits + offset / 8, (size_t)whole, err);
    if (rc) return rc;
    k = whole;
  }
  while (k < nbytes) {
    size_t chunk = nbytes - k < (int64_t)TRANSFORM_CHUNK ? (size_t)(nbytes - k) : TRANSFORM_CHUNK;
    int rc;
    uint8_t* dst = out_space(w, chunk, err, &rc);
    if (!dst) return rc;
    for (size_t i = 0; i < chunk; ++i) dst[i] = bitmap_byte(bits, offset, length, k + (int64_t)i);
    out_commit(w, chunk);
    k += (int64_t)chunk;
  }
  return IPCW_OK;
}

static int64_t read_offset(const void* offsets, int64_t i, int wide) {
  if (wide) {
    int64_t v;
    memcpy(&v, (const uint8_t*)offsets + 8 * i, 8);
    return v;
  }
  int32_t v;
  memcpy(&v, (const uint8_t*)offsets + 4 * i, 4);
  return v;
}

/* The slice's offsets, rebased so the first is 0 (the data buffer is cut to match). */
static int write_offsets(ipcw_writer* w, const void* offsets, const column_plan* p, int wide, ipcw_error* err) {
  size_t width = wide ? 8 : 4;
  if (!offsets) return out_zeros(w, width, err); /* length 0: the single offset 0 */
  if (p->var_begin == 0) return out_write(w, (const uint8_t*)offsets + width * (size_t)p->offset, width * (size_t)(p->length + 1), err);
  int64_t count = p->length + 1, done = 0;
  while (done < count) {
    int64_t n = count - done < (int64_t)(TRANSFORM_CHUNK / 8) ? count - done : (int64_t)(TRANSFORM_CHUNK / 8);
    int rc;
    uint8_t* dst = out_space(w, (size_t)n * width, err, &rc);
    if (!dst) return rc;
    for (int64_t i = 0; i < n; ++i) {
      uint64_t v = (uint64_t)(read_offset(offsets, p->offset + done + i, wide) - p->var_begin);
      put_le(dst + (size_t)i * width, v, width);
    }
    out_commit(w, (size_t)n * width);
    done += n;
  }
  return IPCW_OK;
}

/* Continuation marker, metadata length (flatbuffer padded to 8), the flatbuffer, padding. */
static int write_framed_message(ipcw_writer* w, ipcw_error* err) {
  const uint8_t* fb = w->fb.buf + w->fb.cap - w->fb.size;
  size_t padded = (size_t)pad_to(w->fb.size, 8);
  uint8_t prefix[8];
  put_le(prefix, 0xFFFFFFFFu, 4);
  put_le(prefix + 4, padded, 4);
  int rc = out_write(w, prefix, sizeof prefix, err);
  if (!rc) rc = out_write(w, fb, w->fb.size, err);
  if (!rc) rc = out_zeros(w, padded - w->fb.size, err);
  return rc;
}

static size_t build_message(fbb* b, uint8_t header_type, size_t header, uint64_t body_length) {
  fbb_table_start(b, MESSAGE_SLOTS);
  fbb_add_scalar(b, MESSAGE_BODY_LENGTH, body_length, 8);
  fbb_add_uoffset(b, MESSAGE_HEADER, header);
  fbb_add_scalar(b, MESSAGE_VERSION, METADATA_V5, 2);
  fbb_add_scalar(b, MESSAGE_HEADER_TYPE, header_type, 1);
  return fbb_table_end(b);
}

static int write_schema_message(ipcw_writer* w, const struct ArrowSchema* schema, ipcw_error* err) {
  fbb* b = &w->fb;
  fbb_reset(b);
  size_t* fields = malloc((size_t)(w->ncols ? w->ncols : 1) * sizeof *fields);
  if (!fields) return fail(err, IPCW_E_NOMEM, 0, "out of memory for %lld schema fields", (long long)w->ncols);
  int rc = IPCW_OK;
  for (int64_t i = 0; i < w->ncols && rc == IPCW_OK; ++i) {
    const struct ArrowSchema* child = schema->children[i];
    const char* name = child->name ? child->name : "";
    size_t metadata;
    rc = build_metadata(b, child->metadata, &metadata, err, name);
    if (rc) break;
    size_t name_off = fbb_string(b, name, strlen(name));
    size_t type_off = build_type_table(b, &w->types[i]);
    fbb_vector_start(b, 4, 0, 4);
    size_t children = fbb_vector_end(b, 0); /* flat: an empty vector, as Schema.fbs asks */
    fbb_table_start(b, FIELD_SLOTS);
    fbb_add_uoffset(b, FIELD_NAME, name_off);
    fbb_add_uoffset(b, FIELD_TYPE, type_off);
    fbb_add_uoffset(b, FIELD_CHILDREN, children);
    if (metadata) fbb_add_uoffset(b, FIELD_CUSTOM_METADATA, metadata);
    fbb_add_scalar(b, FIELD_NULLABLE, (child->flags & ARROW_FLAG_NULLABLE) ? 1 : 0, 1);
    fbb_add_scalar(b, FIELD_TYPE_TYPE, w->types[i].fb_type, 1);
    fields[i] = fbb_table_end(b);
  }
  size_t schema_metadata = 0;
  if (rc == IPCW_OK) rc = build_metadata(b, schema->metadata, &schema_metadata, err, "schema");
  if (rc == IPCW_OK) {
    size_t field_vector = fbb_offset_vector(b, fields, (size_t)w->ncols);
    fbb_table_start(b, SCHEMA_SLOTS);
    fbb_add_uoffset(b, SCHEMA_FIELDS, field_vector);
    if (schema_metadata) fbb_add_uoffset(b, SCHEMA_CUSTOM_METADATA, schema_metadata);
    fbb_add_scalar(b, SCHEMA_ENDIANNESS, 0, 2); /* Little */
    size_t schema_table = fbb_table_end(b);
    if (!fbb_finish(b, build_message(b, HEADER_SCHEMA, schema_table, 0)))
      rc = fail(err, IPCW_E_NOMEM, 0, "out of memory building the Schema message");
  }
  free(fields);
  return rc ? rc : write_framed_message(w, err);
}

int ipcw_open(ipcw_writer** writer, FILE* out, const struct ArrowSchema* schema, ipcw_error* err) {
  *writer = NULL;
  if (err) {
    err->errnum = 0;
    err->message[0] = '\0';
  }
  const uint16_t probe = 1;
  if (*(const uint8_t*)&probe != 1)
    return fail(err, IPCW_E_UNSUPPORTED, 0, "big-endian hosts are not supported (the body is written as in memory)");
  if (!schema || !schema->release) return fail(err, IPCW_E_INVALID, 0, "the schema is missing or released");
  if (!schema->format || strcmp(schema->format, "+s") != 0)
    return fail(err, IPCW_E_UNSUPPORTED, 0, "the top-level schema must be a struct (\"+s\"), got \"%s\"",
                schema->format ? schema->format : "(null)");
  if (schema->n_children < 0 || (schema->n_children > 0 && !schema->children))
    return fail(err, IPCW_E_INVALID, 0, "the schema has %lld children but no child array", (long long)schema->n_children);

  ipcw_writer* w = calloc(1, sizeof *w);
  if (!w) return fail(err, IPCW_E_NOMEM, 0, "out of memory");
  w->out = out;
  w->ncols = schema->n_children;
  size_t ncols = (size_t)(w->ncols ? w->ncols : 1);
  w->obuf = malloc(OUT_CAPACITY);
  w->types = calloc(ncols, sizeof *w->types);
  w->plans = calloc(ncols, sizeof *w->plans);
  int rc = IPCW_OK;
  if (!w->obuf || !w->types || !w->plans) rc = fail(err, IPCW_E_NOMEM, 0, "out of memory");
  for (int64_t i = 0; i < w->ncols && rc == IPCW_OK; ++i) {
    const struct ArrowSchema* c = schema->children[i];
    const char* name = c && c->name ? c->name : "(unnamed)";
    if (!c || !c->release)
      rc = fail(err, IPCW_E_INVALID, 0, "field %lld (%s) is missing or released", (long long)i, name);
    else if (c->dictionary || c->n_children != 0 || !parse_format(c->format, &w->types[i]))
      rc = fail(err, IPCW_E_UNSUPPORTED, 0,
                "field %lld (%s): type \"%s\"%s is not supported; only flat columns of int8..uint64, "
                "float32/64, bool, (large) utf8/binary, date32 and timestamp[s|ms|us|ns] (with or "
                "without a timezone)",
                (long long)i, name, c->format ? c->format : "(null)", c->dictionary ? " (dictionary-encoded)" : "");
  }
  if (rc == IPCW_OK) rc = write_schema_message(w, schema, err);
  if (rc != IPCW_OK) {
    ipcw_free(w);
    return rc;
  }
  *writer = w;
  return IPCW_OK;
}

/* Where column i's slice lies and how long each of its body buffers is. */
static int plan_column(ipcw_writer* w, int64_t i, const struct ArrowArray* parent, ipcw_error* err) {
  const struct ArrowArray* a = parent->children[i];
  const column_type* t = &w->types[i];
  column_plan* p = &w->plans[i];
  int expected_buffers = t->layout == LAYOUT_VAR32 || t->layout == LAYOUT_VAR64 ? 3 : 2;
  if (!a || !a->release)
    return fail(err, IPCW_E_INVALID, 0, "column %lld is missing or released", (long long)i);
  if (a->n_buffers != expected_buffers || !a->buffers || a->n_children != 0 || a->dictionary)
    return fail(err, IPCW_E_INVALID, 0, "column %lld: %lld buffers and %lld children, expected %d and 0",
                (long long)i, (long long)a->n_buffers, (long long)a->n_children, expected_buffers);
  /* A struct's children are read at the struct's offset plus their own (the batch's
   * offset + length was checked not to overflow). */
  if (a->offset < 0 || a->offset > INT64_MAX - parent->offset || a->length < parent->offset + parent->length)
    return fail(err, IPCW_E_INVALID, 0, "column %lld: length %lld (offset %lld) does not cover the batch's %lld rows at offset %lld",
                (long long)i, (long long)a->length, (long long)a->offset, (long long)parent->length, (long long)parent->offset);
  p->offset = a->offset + parent->offset;
  p->length = parent->length;
  const uint8_t* validity = a->buffers[0];
  if (!validity && a->null_count > 0)
    return fail(err, IPCW_E_INVALID, 0, "column %lld: null_count %lld without a validity buffer", (long long)i, (long long)a->null_count);
  const int whole = parent->offset == 0 && parent->length == a->length;
  if (!validity || a->null_count == 0)
    p->nulls = 0;
  else if (whole && a->null_count > 0)
    p->nulls = a->null_count;
  else /* unknown (-1), or counted over more rows than the slice */
    p->nulls = p->length - count_set_bits(validity, p->offset, p->length);

  uint64_t len = (uint64_t)p->length;
  p->nbuffers = expected_buffers;
  p->buffer_length[0] = p->nulls ? (len + 7) / 8 : 0;
  switch (t->layout) {
    case LAYOUT_FIXED: p->buffer_length[1] = len * (uint64_t)t->width; break;
    case LAYOUT_BOOL: p->buffer_length[1] = (len + 7) / 8; break;
    case LAYOUT_VAR32:
    case LAYOUT_VAR64: {
      const int wide = t->layout == LAYOUT_VAR64;
      p->var_begin = p->var_end = 0;
      if (a->buffers[1]) {
        p->var_begin = read_offset(a->buffers[1], p->offset, wide);
        p->var_end = read_offset(a->buffers[1], p->offset + p->length, wide);
      } else if (p->length != 0) {
        return fail(err, IPCW_E_INVALID, 0, "column %lld: no offsets buffer", (long long)i);
      }
      if (p->var_begin < 0 || p->var_end < p->var_begin || (p->var_end > p->var_begin && !a->buffers[2]))
        return fail(err, IPCW_E_INVALID, 0, "column %lld: offsets %lld..%lld of the slice are invalid", (long long)i,
                    (long long)p->var_begin, (long long)p->var_end);
      p->buffer_length[1] = (len + 1) * (wide ? 8u : 4u);
      p->buffer_length[2] = (uint64_t)(p->var_end - p->var_begin);
      break;
    }
  }
  if (p->buffer_length[1] && !a->buffers[1])
    return fail(err, IPCW_E_INVALID, 0, "column %lld: no values buffer", (long long)i);
  return IPCW_OK;
}

static int write_column_body(ipcw_writer* w, int64_t i, const struct ArrowArray* a, ipcw_error* err) {
  const column_type* t = &w->types[i];
  const column_plan* p = &w->plans[i];
  int rc = IPCW_OK;
  if (p->nulls) rc = write_bitmap(w, a->buffers[0], p->offset, p->length, err);
  if (!rc) rc = out_zeros(w, (size_t)(pad_to(p->buffer_length[0], BODY_ALIGN) - p->buffer_length[0]), err);
  if (rc) return rc;
  switch (t->layout) {
    case LAYOUT_FIXED:
      if (p->buffer_length[1])
        rc = out_write(w, (const uint8_t*)a->buffers[1] + (size_t)p->offset * (size_t)t->width, (size_t)p->buffer_length[1], err);
      break;
    case LAYOUT_BOOL: rc = write_bitmap(w, a->buffers[1], p->offset, p->length, err); break;
    case LAYOUT_VAR32:
    case LAYOUT_VAR64:
      rc = write_offsets(w, a->buffers[1], p, t->layout == LAYOUT_VAR64, err);
      if (!rc) rc = out_zeros(w, (size_t)(pad_to(p->buffer_length[1], BODY_ALIGN) - p->buffer_length[1]), err);
      if (!rc && p->buffer_length[2])
        rc = out_write(w, (const uint8_t*)a->buffers[2] + p->var_begin, (size_t)p->buffer_length[2], err);
      break;
  }
  if (rc) return rc;
  uint64_t last = p->buffer_length[p->nbuffers - 1];
  return out_zeros(w, (size_t)(pad_to(last, BODY_ALIGN) - last), err);
}

int ipcw_write_batch(ipcw_writer* w, const struct ArrowArray* batch, ipcw_error* err) {
  if (w->io_failed) return fail(err, IPCW_E_IO, 0, "an earlier write failed");
  if (!batch || !batch->release) return fail(err, IPCW_E_INVALID, 0, "the batch is missing or released");
  if (batch->n_children != w->ncols || (w->ncols && !batch->children))
    return fail(err, IPCW_E_INVALID, 0, "the batch has %lld columns, the schema %lld", (long long)batch->n_children,
                (long long)w->ncols);
  /* The bound keeps every buffer size computation ((length + 1) x 8) far from overflow. */
  if (batch->length < 0 || batch->offset < 0 || batch->length > (INT64_MAX >> 8) || batch->offset > (INT64_MAX >> 8))
    return fail(err, IPCW_E_INVALID, 0, "the batch has length %lld and offset %lld", (long long)batch->length,
                (long long)batch->offset);
  /* A RecordBatch has no validity of its own: a null row cannot be written. */
  if (batch->null_count != 0 && batch->n_buffers >= 1 && batch->buffers && batch->buffers[0] &&
      count_set_bits(batch->buffers[0], batch->offset, batch->length) != batch->length)
    return fail(err, IPCW_E_INVALID, 0, "the batch has null rows (top-level struct nulls), which a record batch cannot hold");

  int rc = IPCW_OK;
  uint64_t body_length = 0;
  int64_t nbuffers = 0;
  for (int64_t i = 0; i < w->ncols; ++i) {
    if ((rc = plan_column(w, i, batch, err)) != IPCW_OK) return rc;
    for (int k = 0; k < w->plans[i].nbuffers; ++k) body_length += pad_to(w->plans[i].buffer_length[k], BODY_ALIGN);
    nbuffers += w->plans[i].nbuffers;
  }

  /* RecordBatch: FieldNode {length, null_count} and Buffer {offset, length} are 16-byte
   * structs of two longs; pushed last to first, second member first. */
  fbb* b = &w->fb;
  fbb_reset(b);
  fbb_vector_start(b, 16, (size_t)nbuffers, 8);
  uint64_t end = body_length;
  for (int64_t i = w->ncols; i-- > 0;) {
    const column_plan* p = &w->plans[i];
    for (int k = p->nbuffers; k-- > 0;) {
      end -= pad_to(p->buffer_length[k], BODY_ALIGN);
      fbb_push_scalar(b, p->buffer_length[k], 8);
      fbb_push_scalar(b, end, 8);
    }
  }
  size_t buffers = fbb_vector_end(b, (size_t)nbuffers);
  fbb_vector_start(b, 16, (size_t)w->ncols, 8);
  for (int64_t i = w->ncols; i-- > 0;) {
    fbb_push_scalar(b, (uint64_t)w->plans[i].nulls, 8);
    fbb_push_scalar(b, (uint64_t)w->plans[i].length, 8);
  }
  size_t nodes = fbb_vector_end(b, (size_t)w->ncols);
  fbb_table_start(b, RECORD_BATCH_SLOTS);
  fbb_add_scalar(b, RECORD_BATCH_LENGTH, (uint64_t)batch->length, 8);
  fbb_add_uoffset(b, RECORD_BATCH_NODES, nodes);
  fbb_add_uoffset(b, RECORD_BATCH_BUFFERS, buffers);
  size_t record_batch = fbb_table_end(b);
  if (!fbb_finish(b, build_message(b, HEADER_RECORD_BATCH, record_batch, body_length)))
    return fail(err, IPCW_E_NOMEM, 0, "out of memory building a RecordBatch message");

  if ((rc = write_framed_message(w, err)) != IPCW_OK) return rc;
  const uint64_t body_start = w->bytes;
  for (int64_t i = 0; i < w->ncols && rc == IPCW_OK; ++i) rc = write_column_body(w, i, batch->children[i], err);
  if (rc) return rc;
  if (w->bytes - body_start != body_length) /* a planning bug; never write a lying stream */
    return fail(err, IPCW_E_INVALID, 0, "internal error: wrote %llu body bytes, declared %llu",
                (unsigned long long)(w->bytes - body_start), (unsigned long long)body_length);
  w->batches++;
  return IPCW_OK;
}

int ipcw_finish(ipcw_writer* w, ipcw_error* err) {
  if (w->io_failed) return fail(err, IPCW_E_IO, 0, "an earlier write failed");
  uint8_t eos[8];
  put_le(eos, 0xFFFFFFFFu, 4);
  put_le(eos + 4, 0, 4);
  int rc = out_write(w, eos, sizeof eos, err);
  if (!rc) rc = out_flush(w, err);
  if (!rc && fflush(w->out) != 0) {
    int e = errno ? errno : EIO;
    w->io_failed = 1;
    rc = fail(err, IPCW_E_IO, e, "write failed: %s", strerror(e));
  }
  return rc;
}

uint64_t ipcw_bytes_written(const ipcw_writer* w) {
  return w->bytes;
}

int64_t ipcw_batches_written(const ipcw_writer* w) {
  return w->batches;
}

void ipcw_free(ipcw_writer* w) {
  if (!w) return;
  free(w->fb.buf);
  free(w->obuf);
  free(w->types);
  free(w->plans);
  free(w);
}
