#include "support/table_builder.h"

#include <stdlib.h>
#include <string.h>

typedef enum { K_BOOL, K_FIXED, K_VAR32, K_VAR64, K_VIEW, K_DECIMAL } storage_kind;

struct tb_col {
  char* name;
  char* format;
  int nullable;
  storage_kind storage;
  size_t width;          /* K_FIXED / K_DECIMAL value width */
  char type_name[64];    /* harness type */
  int is_unsigned, is_float;
  int64_t multiplier;    /* canonical = value * multiplier (seconds -> millis) */
  int64_t divisor;       /* canonical = value / divisor (date64 -> days) */
  tb_col* dictionary;    /* for dictionary-encoded columns */
  /* rows */
  int64_t rows;
  uint8_t* valid; size_t valid_cap;
  uint8_t* data; size_t data_len, data_cap;
  int64_t* offsets; size_t offsets_cap; /* rows + 1 */
  char** expected; size_t expected_cap; /* JSON text per row */
};

static void* xrealloc(void* p, size_t n) {
  void* q = realloc(p, n ? n : 1);
  if (!q) {
    fprintf(stderr, "table_builder: out of memory\n");
    exit(1); /* test helper only */
  }
  return q;
}

static char* xstrdup(const char* s) {
  size_t n = strlen(s) + 1;
  char* p = xrealloc(NULL, n);
  memcpy(p, s, n);
  return p;
}

static void classify(tb_col* c) {
  const char* f = c->format;
  c->storage = K_FIXED;
  c->multiplier = 1;
  c->divisor = 1;
  struct { const char* f; size_t w; const char* t; int u, fl; } simple[] = {
      {"c", 1, "int8", 0, 0}, {"s", 2, "int16", 0, 0}, {"i", 4, "int32", 0, 0}, {"l", 8, "int64", 0, 0},
      {"C", 1, "uint8", 1, 0}, {"S", 2, "uint16", 1, 0}, {"I", 4, "uint32", 1, 0}, {"L", 8, "uint64", 1, 0},
      {"e", 2, "float16", 0, 1}, {"f", 4, "float32", 0, 1}, {"g", 8, "float64", 0, 1},
      {"tdD", 4, "date32", 0, 0}, {"tdm", 8, "date32", 0, 0}, {"tts", 4, "time_ms", 0, 0},
      {"ttm", 4, "time_ms", 0, 0}, {"ttu", 8, "time_us", 0, 0}, {"ttn", 8, "time_ns", 0, 0}};
  for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++) {
    if (strcmp(f, simple[i].f) == 0) {
      c->width = simple[i].w;
      snprintf(c->type_name, sizeof c->type_name, "%s", simple[i].t);
      c->is_unsigned = simple[i].u;
      c->is_float = simple[i].fl;
      if (!strcmp(f, "tdm")) c->divisor = 86400000;
      if (!strcmp(f, "tts")) c->multiplier = 1000;
      return;
    }
  }
  if (!strcmp(f, "b")) { c->storage = K_BOOL; snprintf(c->type_name, sizeof c->type_name, "bool"); return; }
  if (!strcmp(f, "u")) { c->storage = K_VAR32; snprintf(c->type_name, sizeof c->type_name, "utf8"); return; }
  if (!strcmp(f, "U")) { c->storage = K_VAR64; snprintf(c->type_name, sizeof c->type_name, "utf8"); return; }
  if (!strcmp(f, "z")) { c->storage = K_VAR32; snprintf(c->type_name, sizeof c->type_name, "binary"); return; }
  if (!strcmp(f, "Z")) { c->storage = K_VAR64; snprintf(c->type_name, sizeof c->type_name, "binary"); return; }
  if (!strcmp(f, "vu")) { c->storage = K_VIEW; snprintf(c->type_name, sizeof c->type_name, "utf8"); return; }
  if (!strcmp(f, "vz")) { c->storage = K_VIEW; snprintf(c->type_name, sizeof c->type_name, "binary"); return; }
  if (!strncmp(f, "w:", 2)) {
    c->width = (size_t)atoi(f + 2);
    snprintf(c->type_name, sizeof c->type_name, "fixed_binary:%zu", c->width);
    return;
  }
  if (!strncmp(f, "d:", 2)) {
    int p = 0, s = 0;
    sscanf(f + 2, "%d,%d", &p, &s);
    c->storage = K_DECIMAL;
    c->width = 16;
    snprintf(c->type_name, sizeof c->type_name, "decimal:%d:%d", p, s);
    return;
  }
  if (!strncmp(f, "ts", 2) && f[2] && f[3] == ':') {
    const char* unit = f[2] == 's' || f[2] == 'm' ? "ms" : f[2] == 'u' ? "us" : "ns";
    if (f[2] == 's') c->multiplier = 1000;
    c->width = 8;
    snprintf(c->type_name, sizeof c->type_name, "timestamp_%s%s", unit, f[4] ? "_utc" : "");
    return;
  }
  fprintf(stderr, "table_builder: unsupported format %s\n", f);
  exit(1);
}

tb_col* tb_col_new(const char* name, const char* format, int nullable) {
  tb_col* c = xrealloc(NULL, sizeof *c);
  memset(c, 0, sizeof *c);
  c->name = xstrdup(name);
  c->format = xstrdup(format);
  c->nullable = nullable;
  classify(c);
  c->offsets = xrealloc(NULL, sizeof(int64_t));
  c->offsets[0] = 0;
  c->offsets_cap = 1;
  return c;
}

tb_col* tb_col_new_dict(const char* name, const char* index_format, tb_col* dictionary, int nullable) {
  tb_col* c = tb_col_new(name, index_format, nullable);
  c->dictionary = dictionary;
  snprintf(c->type_name, sizeof c->type_name, "%s", dictionary->type_name);
  return c;
}

static void reset_rows(tb_col* c) {
  for (int64_t i = 0; i < c->rows; i++) free(c->expected[i]);
  c->rows = 0;
  c->data_len = 0;
  c->offsets[0] = 0;
}

void tb_col_free(tb_col* c) {
  if (!c) return;
  reset_rows(c);
  if (c->dictionary) tb_col_free(c->dictionary);
  free(c->name);
  free(c->format);
  free(c->valid);
  free(c->data);
  free(c->offsets);
  free(c->expected);
  free(c);
}

int64_t tb_col_rows(const tb_col* c) { return c->rows; }

static void push_row(tb_col* c, int valid, const void* bytes, size_t n, const char* expected_json) {
  size_t r = (size_t)c->rows;
  if (r + 1 > c->valid_cap) {
    c->valid_cap = c->valid_cap ? c->valid_cap * 2 : 64;
    c->valid = xrealloc(c->valid, c->valid_cap);
    c->expected = xrealloc(c->expected, c->valid_cap * sizeof *c->expected);
  }
  if (r + 2 > c->offsets_cap) {
    c->offsets_cap = (r + 2) * 2;
    c->offsets = xrealloc(c->offsets, c->offsets_cap * sizeof *c->offsets);
  }
  if (c->data_len + n > c->data_cap) {
    c->data_cap = (c->data_len + n) * 2 + 64;
    c->data = xrealloc(c->data, c->data_cap);
  }
  if (n) memcpy(c->data + c->data_len, bytes, n);
  c->data_len += n;
  c->offsets[r + 1] = (int64_t)c->data_len;
  c->valid[r] = (uint8_t)valid;
  c->expected[r] = xstrdup(expected_json);
  c->rows++;
}

void tb_null(tb_col* c) {
  uint8_t zeros[16] = {0};
  size_t n = c->storage == K_VAR32 || c->storage == K_VAR64 || c->storage == K_VIEW ? 0 : c->storage == K_BOOL ? 1 : c->width;
  push_row(c, 0, zeros, n, "null");
}

static void quoted_decimal(char* out, size_t cap, int64_t v) { snprintf(out, cap, "\"%lld\"", (long long)v); }

void tb_int(tb_col* c, int64_t v) {
  char text[64];
  if (c->dictionary) {
    if (v < 0 || v >= c->dictionary->rows) {
      fprintf(stderr, "table_builder: dictionary index out of range\n");
      exit(1);
    }
    /* The row's expectation is its dictionary value's, whatever its length. */
    uint8_t le[8];
    for (size_t i = 0; i < 8; i++) le[i] = (uint8_t)((uint64_t)v >> (8 * i));
    push_row(c, 1, le, c->width, c->dictionary->expected[v]); /* a null value stays a valid index */
    return;
  } else {
    int64_t canonical = v / c->divisor;
    /* An unrepresentable value (a test of the writer's overflow check) has no expectation. */
    if (c->multiplier != 1 && __builtin_mul_overflow(v, c->multiplier, &canonical)) canonical = 0;
    quoted_decimal(text, sizeof text, canonical);
  }
  uint8_t le[8];
  for (size_t i = 0; i < 8; i++) le[i] = (uint8_t)((uint64_t)v >> (8 * i));
  push_row(c, 1, le, c->width, text);
}

void tb_uint(tb_col* c, uint64_t v) {
  char text[64];
  snprintf(text, sizeof text, "\"%llu\"", (unsigned long long)v);
  uint8_t le[8];
  for (size_t i = 0; i < 8; i++) le[i] = (uint8_t)(v >> (8 * i));
  push_row(c, 1, le, c->width, text);
}

void tb_bool(tb_col* c, int v) {
  uint8_t b = (uint8_t)(v != 0);
  push_row(c, 1, &b, 1, v ? "true" : "false");
}

void tb_f16_bits(tb_col* c, uint16_t bits) {
  char text[16];
  snprintf(text, sizeof text, "\"%04x\"", bits);
  push_row(c, 1, &bits, 2, text);
}

void tb_f32(tb_col* c, float v) {
  uint32_t bits;
  memcpy(&bits, &v, 4);
  char text[16];
  snprintf(text, sizeof text, "\"%08x\"", bits);
  push_row(c, 1, &bits, 4, text);
}

void tb_f64(tb_col* c, double v) {
  uint64_t bits;
  memcpy(&bits, &v, 8);
  char text[24];
  snprintf(text, sizeof text, "\"%016llx\"", (unsigned long long)bits);
  push_row(c, 1, &bits, 8, text);
}

void tb_bytes(tb_col* c, const void* bytes, size_t n) {
  char* text = xrealloc(NULL, 2 * n + 3);
  text[0] = '"';
  for (size_t i = 0; i < n; i++) snprintf(text + 1 + 2 * i, 3, "%02x", ((const uint8_t*)bytes)[i]);
  text[1 + 2 * n] = '"';
  text[2 + 2 * n] = '\0';
  if (c->storage == K_FIXED && n != c->width) {
    fprintf(stderr, "table_builder: fixed_size_binary value of %zu bytes, width %zu\n", n, c->width);
    exit(1);
  }
  push_row(c, 1, bytes, n, text);
  free(text);
}

void tb_str(tb_col* c, const char* s) { tb_bytes(c, s, strlen(s)); }

void tb_decimal(tb_col* c, int64_t hi, uint64_t lo) {
  __int128 v = (__int128)(((unsigned __int128)(uint64_t)hi << 64) | lo);
  unsigned __int128 mag = v < 0 ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
  char digits[48];
  int n = 0;
  do {
    digits[n++] = (char)('0' + (int)(mag % 10));
    mag /= 10;
  } while (mag);
  char text[52];
  int k = 0;
  text[k++] = '"';
  if (v < 0) text[k++] = '-';
  while (n) text[k++] = digits[--n];
  text[k++] = '"';
  text[k] = '\0';
  uint8_t le[16];
  for (int i = 0; i < 8; i++) {
    le[i] = (uint8_t)(lo >> (8 * i));
    le[8 + i] = (uint8_t)((uint64_t)hi >> (8 * i));
  }
  push_row(c, 1, le, 16, text);
}

/* ---- Arrow structs ------------------------------------------------------------------- */

#define TB_MAX_BUFFERS 5 /* a view array: validity, views, two data buffers, their sizes */

typedef struct owned {
  void* buffers[TB_MAX_BUFFERS];
  const void* buffer_ptrs[TB_MAX_BUFFERS];
  struct ArrowArray** children;
  struct ArrowSchema** schema_children;
  int64_t n_children;
  char* format;
  char* name;
} owned;

static void release_array(struct ArrowArray* a) {
  owned* o = a->private_data;
  for (int64_t i = 0; i < o->n_children; i++) {
    if (o->children[i]->release) o->children[i]->release(o->children[i]);
    free(o->children[i]);
  }
  if (a->dictionary) {
    if (a->dictionary->release) a->dictionary->release(a->dictionary);
    free(a->dictionary);
  }
  for (int i = 0; i < TB_MAX_BUFFERS; i++) free(o->buffers[i]);
  free(o->children);
  free(o);
  a->release = NULL;
}

static void release_schema(struct ArrowSchema* s) {
  owned* o = s->private_data;
  for (int64_t i = 0; i < o->n_children; i++) {
    if (o->schema_children[i]->release) o->schema_children[i]->release(o->schema_children[i]);
    free(o->schema_children[i]);
  }
  if (s->dictionary) {
    if (s->dictionary->release) s->dictionary->release(s->dictionary);
    free(s->dictionary);
  }
  free(o->schema_children);
  free(o->format);
  free(o->name);
  free(o);
  s->release = NULL;
}

static void column_schema(const tb_col* c, struct ArrowSchema* s) {
  owned* o = xrealloc(NULL, sizeof *o);
  memset(o, 0, sizeof *o);
  o->format = xstrdup(c->format);
  o->name = xstrdup(c->name);
  memset(s, 0, sizeof *s);
  s->format = o->format;
  s->name = o->name;
  s->flags = c->nullable ? ARROW_FLAG_NULLABLE : 0;
  s->release = release_schema;
  s->private_data = o;
  if (c->dictionary) {
    s->dictionary = xrealloc(NULL, sizeof *s->dictionary);
    column_schema(c->dictionary, s->dictionary);
  }
}

void tb_schema(tb_col* const* cols, size_t n, struct ArrowSchema* out) {
  owned* o = xrealloc(NULL, sizeof *o);
  memset(o, 0, sizeof *o);
  o->format = xstrdup("+s");
  o->name = xstrdup("");
  o->n_children = (int64_t)n;
  o->schema_children = xrealloc(NULL, n * sizeof *o->schema_children);
  for (size_t i = 0; i < n; i++) {
    o->schema_children[i] = xrealloc(NULL, sizeof(struct ArrowSchema));
    column_schema(cols[i], o->schema_children[i]);
  }
  memset(out, 0, sizeof *out);
  out->format = o->format;
  out->name = o->name;
  out->n_children = (int64_t)n;
  out->children = o->schema_children;
  out->release = release_schema;
  out->private_data = o;
}

static void column_array(const tb_col* c, struct ArrowArray* a) {
  owned* o = xrealloc(NULL, sizeof *o);
  memset(o, 0, sizeof *o);
  int64_t rows = c->rows;
  int64_t nulls = 0;
  for (int64_t i = 0; i < rows; i++) nulls += !c->valid[i];
  /* Keep an all-ones bitmap on some nullable columns without nulls: both forms are legal. */
  if (nulls > 0 || (c->nullable && (rows % 2) == 1)) {
    uint8_t* bitmap = xrealloc(NULL, (size_t)(rows + 7) / 8 + 1);
    memset(bitmap, 0, (size_t)(rows + 7) / 8 + 1);
    for (int64_t i = 0; i < rows; i++)
      if (c->valid[i]) bitmap[i / 8] |= (uint8_t)(1u << (i % 8));
    o->buffers[0] = bitmap;
  }
  int nbuf = 2;
  if (c->storage == K_BOOL) {
    uint8_t* bits = xrealloc(NULL, (size_t)(rows + 7) / 8 + 1);
    memset(bits, 0, (size_t)(rows + 7) / 8 + 1);
    for (int64_t i = 0; i < rows; i++)
      if (c->data[i]) bits[i / 8] |= (uint8_t)(1u << (i % 8));
    o->buffers[1] = bits;
  } else if (c->storage == K_VIEW) {
    /* Views as producers make them: values up to 12 bytes inline, longer ones in one of two
     * data buffers (alternating, so buffer indexes vary), null slots holding garbage views
     * that a consumer must never follow. */
    nbuf = 5;
    uint8_t* views = xrealloc(NULL, (size_t)rows * 16 + 1);
    uint8_t* data[2] = {xrealloc(NULL, c->data_len + 1), xrealloc(NULL, c->data_len + 1)};
    int64_t used[2] = {0, 0};
    for (int64_t i = 0; i < rows; i++) {
      uint8_t* v = views + 16 * i;
      int32_t len = (int32_t)(c->offsets[i + 1] - c->offsets[i]);
      const uint8_t* bytes = c->data + c->offsets[i];
      memset(v, 0, 16);
      if (!c->valid[i]) {
        int32_t garbage[4] = {0x7fffff00, 0x41414141, 77, -5};
        memcpy(v, garbage, 16);
      } else if (len <= 12) {
        memcpy(v, &len, 4);
        if (len) memcpy(v + 4, bytes, (size_t)len);
      } else {
        int32_t b = (int32_t)(i % 2), off = (int32_t)used[b];
        memcpy(data[b] + used[b], bytes, (size_t)len);
        used[b] += len;
        memcpy(v, &len, 4);
        memcpy(v + 4, bytes, 4); /* prefix */
        memcpy(v + 8, &b, 4);
        memcpy(v + 12, &off, 4);
      }
    }
    int64_t* sizes = xrealloc(NULL, 2 * sizeof(int64_t));
    sizes[0] = used[0];
    sizes[1] = used[1];
    o->buffers[1] = views;
    o->buffers[2] = data[0];
    o->buffers[3] = data[1];
    o->buffers[4] = sizes;
  } else if (c->storage == K_VAR32 || c->storage == K_VAR64) {
    nbuf = 3;
    if (c->storage == K_VAR32) {
      int32_t* off = xrealloc(NULL, (size_t)(rows + 1) * 4);
      for (int64_t i = 0; i <= rows; i++) off[i] = (int32_t)c->offsets[i];
      o->buffers[1] = off;
    } else {
      int64_t* off = xrealloc(NULL, (size_t)(rows + 1) * 8);
      memcpy(off, c->offsets, (size_t)(rows + 1) * 8);
      o->buffers[1] = off;
    }
    o->buffers[2] = xrealloc(NULL, c->data_len);
    if (c->data_len) memcpy(o->buffers[2], c->data, c->data_len);
  } else {
    o->buffers[1] = xrealloc(NULL, c->data_len);
    if (c->data_len) memcpy(o->buffers[1], c->data, c->data_len);
  }
  for (int i = 0; i < TB_MAX_BUFFERS; i++) o->buffer_ptrs[i] = o->buffers[i];
  memset(a, 0, sizeof *a);
  a->length = rows;
  a->null_count = o->buffers[0] ? nulls : 0;
  a->n_buffers = nbuf;
  a->buffers = o->buffer_ptrs;
  a->release = release_array;
  a->private_data = o;
  if (c->dictionary) {
    a->dictionary = xrealloc(NULL, sizeof *a->dictionary);
    column_array(c->dictionary, a->dictionary);
  }
}

void tb_batch(tb_col* const* cols, size_t n, int64_t skip, struct ArrowArray* out, FILE* expected) {
  int64_t rows = n ? cols[0]->rows : 0;
  for (size_t i = 0; i < n; i++) {
    if (cols[i]->rows != rows) {
      fprintf(stderr, "table_builder: column %s has %lld rows, expected %lld\n", cols[i]->name,
              (long long)cols[i]->rows, (long long)rows);
      exit(1);
    }
  }
  if (expected) {
    for (int64_t r = skip; r < rows; r++) {
      fputc('[', expected);
      for (size_t i = 0; i < n; i++) fprintf(expected, "%s%s", i ? "," : "", cols[i]->expected[r]);
      fputs("]\n", expected);
    }
  }
  owned* o = xrealloc(NULL, sizeof *o);
  memset(o, 0, sizeof *o);
  o->n_children = (int64_t)n;
  o->children = xrealloc(NULL, (n ? n : 1) * sizeof *o->children);
  for (size_t i = 0; i < n; i++) {
    o->children[i] = xrealloc(NULL, sizeof(struct ArrowArray));
    column_array(cols[i], o->children[i]);
    reset_rows(cols[i]);
  }
  o->buffer_ptrs[0] = NULL;
  memset(out, 0, sizeof *out);
  out->length = rows - skip;
  out->offset = skip;
  out->n_buffers = 1;
  out->buffers = o->buffer_ptrs;
  out->n_children = (int64_t)n;
  out->children = o->children;
  out->release = release_array;
  out->private_data = o;
}

void tb_write_expected_json(tb_col* const* cols, size_t n, int64_t rows, const char* metadata_json, FILE* f) {
  fprintf(f, "{\"rows\": %lld, \"columns\": [", (long long)rows);
  for (size_t i = 0; i < n; i++)
    fprintf(f, "%s{\"name\": \"%s\", \"type\": \"%s\", \"nullable\": %s}", i ? ", " : "", cols[i]->name,
            cols[i]->type_name, cols[i]->nullable ? "true" : "false");
  fprintf(f, "]");
  if (metadata_json) fprintf(f, ", \"metadata\": %s", metadata_json);
  fprintf(f, "}\n");
}
