#include "baseline_jsonl.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

enum { BJL_MAX_COLS = 256, BJL_CHUNK = 1 << 16 };

typedef enum { K_INT, K_UINT, K_F64, K_F32, K_UTF8, K_LARGE_UTF8 } col_kind;

struct bjl_writer {
  FILE* f;
  z_stream z;
  int z_ready;
  bjl_fault fault;
  char* errbuf;
  size_t errcap;
  int ncols;
  char* key[BJL_MAX_COLS]; /* "\"name\":" already escaped */
  col_kind kind[BJL_MAX_COLS];
  int width[BJL_MAX_COLS]; /* bytes per value for ints */
  int fault_col;           /* column changed by BJL_FAULT_VALUE */
  char* line;
  size_t line_len, line_cap;
  unsigned char out[BJL_CHUNK];
  int64_t rows, json_bytes, file_bytes;
  int dropped; /* BJL_FAULT_DROP_ROW done */
};

__attribute__((format(printf, 2, 3))) static int fail(bjl_writer* w, const char* fmt, ...) {
  if (w->errbuf && w->errcap) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->errbuf, w->errcap, fmt, ap);
    va_end(ap);
  }
  return -1;
}

static void put(bjl_writer* w, const char* s, size_t n) {
  if (w->line_len + n + 1 > w->line_cap) {
    size_t cap = w->line_cap ? w->line_cap : 1024;
    while (cap < w->line_len + n + 1) cap *= 2;
    char* p = realloc(w->line, cap);
    if (!p) {
      fprintf(stderr, "baseline_jsonl: out of memory\n");
      exit(1);
    }
    w->line = p;
    w->line_cap = cap;
  }
  memcpy(w->line + w->line_len, s, n);
  w->line_len += n;
}

static void puts_(bjl_writer* w, const char* s) { put(w, s, strlen(s)); }

static void put_json_string(bjl_writer* w, const uint8_t* s, size_t n) {
  put(w, "\"", 1);
  size_t run = 0;
  for (size_t i = 0; i < n; i++) {
    uint8_t c = s[i];
    const char* esc = NULL;
    char u[8];
    switch (c) {
      case '"': esc = "\\\""; break;
      case '\\': esc = "\\\\"; break;
      case '\b': esc = "\\b"; break;
      case '\f': esc = "\\f"; break;
      case '\n': esc = "\\n"; break;
      case '\r': esc = "\\r"; break;
      case '\t': esc = "\\t"; break;
      default:
        if (c < 0x20) {
          snprintf(u, sizeof u, "\\u%04x", c);
          esc = u;
        }
    }
    if (!esc) continue;
    put(w, (const char*)s + run, i - run);
    puts_(w, esc);
    run = i + 1;
  }
  put(w, (const char*)s + run, n - run);
  put(w, "\"", 1);
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

size_t bjl_format_double(double v, char* out) {
  if (!isfinite(v)) {
    memcpy(out, "null", 5);
    return 4;
  }
  /* Shortest precision p in 1..17 whose correctly rounded %.{p-1}e reads back as v. Round-
   * tripping is monotone in p, so binary search. */
  char buf[48];
  int lo = 1, hi = 17;
  /* Telemetry doubles mostly need 15-17 digits: probe there first. */
  snprintf(buf, sizeof buf, "%.*e", 14, v);
  if (same_bits(strtod(buf, NULL), v)) hi = 15;
  else {
    lo = 16;
    snprintf(buf, sizeof buf, "%.*e", 15, v);
    hi = same_bits(strtod(buf, NULL), v) ? 16 : 17;
    lo = hi;
  }
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    snprintf(buf, sizeof buf, "%.*e", mid - 1, v);
    if (same_bits(strtod(buf, NULL), v)) hi = mid;
    else lo = mid + 1;
  }
  snprintf(buf, sizeof buf, "%.*e", lo - 1, v);
  /* buf = [-]d[.ddd]e(+|-)xx  ->  sign, digits, decimal exponent */
  const char* p = buf;
  int neg = 0;
  if (*p == '-') {
    neg = 1;
    p++;
  }
  char digits[24];
  int nd = 0;
  for (; *p && *p != 'e'; p++)
    if (*p != '.') digits[nd++] = *p;
  int exp10 = atoi(p + 1);
  while (nd > 1 && digits[nd - 1] == '0') nd--; /* %.Ne can pad, e.g. 0 -> "0" */
  int decpt = exp10 + 1;                         /* value = 0.DIGITS x 10^decpt */
  size_t k = 0;
  if (neg) out[k++] = '-';
  if (decpt > -4 && decpt <= 16) {
    /* Python's repr: fixed notation when -4 < decpt <= 16 */
    if (decpt <= 0) {
      out[k++] = '0';
      out[k++] = '.';
      for (int i = 0; i < -decpt; i++) out[k++] = '0';
      for (int i = 0; i < nd; i++) out[k++] = digits[i];
    } else if (decpt < nd) {
      for (int i = 0; i < decpt; i++) out[k++] = digits[i];
      out[k++] = '.';
      for (int i = decpt; i < nd; i++) out[k++] = digits[i];
    } else {
      for (int i = 0; i < nd; i++) out[k++] = digits[i];
      for (int i = nd; i < decpt; i++) out[k++] = '0';
      out[k++] = '.';
      out[k++] = '0';
    }
  } else {
    out[k++] = digits[0];
    if (nd > 1) {
      out[k++] = '.';
      for (int i = 1; i < nd; i++) out[k++] = digits[i];
    }
    k += (size_t)snprintf(out + k, 16, "e%c%02d", decpt - 1 < 0 ? '-' : '+', abs(decpt - 1));
  }
  out[k] = '\0';
  return k;
}

static int deflate_some(bjl_writer* w, const void* data, size_t n, int flush) {
  w->z.next_in = (Bytef*)(uintptr_t)data;
  w->z.avail_in = (uInt)n;
  do {
    w->z.next_out = w->out;
    w->z.avail_out = sizeof w->out;
    int zr = deflate(&w->z, flush);
    if (zr == Z_STREAM_ERROR) return fail(w, "deflate failed");
    size_t have = sizeof w->out - w->z.avail_out;
    if (have && fwrite(w->out, 1, have, w->f) != have) return fail(w, "write failed: %s", strerror(errno));
    w->file_bytes += (int64_t)have;
  } while (w->z.avail_out == 0 || (flush == Z_FINISH && w->z.avail_in > 0));
  return 0;
}

int bjl_open(bjl_writer** out, const char* path, const struct ArrowSchema* schema, bjl_fault fault, char* errbuf,
             size_t errcap) {
  bjl_writer* w = calloc(1, sizeof *w);
  if (!w) return -1;
  w->errbuf = errbuf;
  w->errcap = errcap;
  w->fault = fault;
  w->fault_col = -1;
  if (strcmp(schema->format, "+s") || schema->n_children < 1 || schema->n_children > BJL_MAX_COLS) {
    fail(w, "schema must be a struct of 1..%d fields", BJL_MAX_COLS);
    free(w);
    return -1;
  }
  w->ncols = (int)schema->n_children;
  for (int c = 0; c < w->ncols; c++) {
    const char* f = schema->children[c]->format;
    col_kind k;
    int width = 0;
    if (!strcmp(f, "c") || !strcmp(f, "s") || !strcmp(f, "i") || !strcmp(f, "l")) {
      k = K_INT;
      width = f[0] == 'c' ? 1 : f[0] == 's' ? 2 : f[0] == 'i' ? 4 : 8;
    } else if (!strcmp(f, "C") || !strcmp(f, "S") || !strcmp(f, "I") || !strcmp(f, "L")) {
      k = K_UINT;
      width = f[0] == 'C' ? 1 : f[0] == 'S' ? 2 : f[0] == 'I' ? 4 : 8;
    } else if (!strncmp(f, "ts", 2) && strlen(f) >= 4 && f[3] == ':') {
      k = K_INT; /* timestamp: its count of the unit, as the legacy pipeline wrote it */
      width = 8;
    } else if (!strcmp(f, "g")) k = K_F64;
    else if (!strcmp(f, "f")) k = K_F32;
    else if (!strcmp(f, "u")) k = K_UTF8;
    else if (!strcmp(f, "U")) k = K_LARGE_UTF8;
    else {
      fail(w, "field %s: unsupported Arrow format \"%s\"", schema->children[c]->name, f);
      for (int i = 0; i < c; i++) free(w->key[i]);
      free(w);
      return -1;
    }
    w->kind[c] = k;
    w->width[c] = width;
    if (w->fault_col < 0 && k == K_UINT && width == 8) w->fault_col = c;
    /* the key, escaped once */
    w->line_len = 0;
    put_json_string(w, (const uint8_t*)schema->children[c]->name, strlen(schema->children[c]->name));
    put(w, ":", 1);
    w->key[c] = malloc(w->line_len + 1);
    if (!w->key[c]) exit(1);
    memcpy(w->key[c], w->line, w->line_len);
    w->key[c][w->line_len] = '\0';
  }
  w->line_len = 0;
  w->f = fopen(path, "wb");
  if (!w->f) {
    fail(w, "cannot open %s: %s", path, strerror(errno));
    for (int i = 0; i < w->ncols; i++) free(w->key[i]);
    free(w->line);
    free(w);
    return -1;
  }
  /* windowBits 15 + 16: gzip wrapper; memLevel 8 and the default strategy, as gzip(1). */
  if (deflateInit2(&w->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    fail(w, "deflateInit2 failed");
    fclose(w->f);
    for (int i = 0; i < w->ncols; i++) free(w->key[i]);
    free(w->line);
    free(w);
    return -1;
  }
  w->z_ready = 1;
  *out = w;
  return 0;
}

static int is_valid(const struct ArrowArray* a, int64_t i) {
  const uint8_t* v = a->n_buffers > 0 ? a->buffers[0] : NULL;
  return !v || a->null_count == 0 || ((v[i >> 3] >> (i & 7)) & 1);
}

static int64_t load_int(const void* data, int width, int64_t i) {
  switch (width) {
    case 1: return ((const int8_t*)data)[i];
    case 2: return ((const int16_t*)data)[i];
    case 4: return ((const int32_t*)data)[i];
    default: return ((const int64_t*)data)[i];
  }
}

static uint64_t load_uint(const void* data, int width, int64_t i) {
  switch (width) {
    case 1: return ((const uint8_t*)data)[i];
    case 2: return ((const uint16_t*)data)[i];
    case 4: return ((const uint32_t*)data)[i];
    default: return ((const uint64_t*)data)[i];
  }
}

int bjl_write(bjl_writer* w, const struct ArrowArray* batch) {
  if (batch->n_children != w->ncols) return fail(w, "batch has %lld columns, schema %d", (long long)batch->n_children, w->ncols);
  int64_t n = batch->length;
  for (int64_t r = 0; r < n; r++) {
    if (w->fault == BJL_FAULT_DROP_ROW && !w->dropped) {
      w->dropped = 1; /* the first row is never written */
      continue;
    }
    w->line_len = 0;
    put(w, "{", 1);
    for (int c = 0; c < w->ncols; c++) {
      const struct ArrowArray* a = batch->children[c];
      int64_t i = a->offset + batch->offset + r;
      if (c) put(w, ",", 1);
      puts_(w, w->key[c]);
      if (!is_valid(a, i)) {
        put(w, "null", 4);
        continue;
      }
      char num[64];
      switch (w->kind[c]) {
        case K_INT: {
          int64_t v = load_int(a->buffers[1], w->width[c], i);
          snprintf(num, sizeof num, "%lld", (long long)v);
          puts_(w, num);
          break;
        }
        case K_UINT: {
          uint64_t v = load_uint(a->buffers[1], w->width[c], i);
          if (w->fault == BJL_FAULT_VALUE && c == w->fault_col && w->rows == 0 && r == 0) v++;
          snprintf(num, sizeof num, "%llu", (unsigned long long)v);
          puts_(w, num);
          break;
        }
        case K_F64:
        case K_F32: {
          double v = w->kind[c] == K_F64 ? ((const double*)a->buffers[1])[i] : (double)((const float*)a->buffers[1])[i];
          if (w->fault == BJL_FAULT_LONG_FLOATS && isfinite(v)) snprintf(num, sizeof num, "%.17g", v);
          else bjl_format_double(v, num);
          puts_(w, num);
          break;
        }
        case K_UTF8: {
          const int32_t* off = a->buffers[1];
          put_json_string(w, (const uint8_t*)a->buffers[2] + off[i], (size_t)(off[i + 1] - off[i]));
          break;
        }
        case K_LARGE_UTF8: {
          const int64_t* off = a->buffers[1];
          put_json_string(w, (const uint8_t*)a->buffers[2] + off[i], (size_t)(off[i + 1] - off[i]));
          break;
        }
      }
    }
    put(w, "}\n", 2);
    if (deflate_some(w, w->line, w->line_len, Z_NO_FLUSH)) return -1;
    w->json_bytes += (int64_t)w->line_len;
    w->rows++;
  }
  return 0;
}

int bjl_close(bjl_writer* w, int64_t* rows, int64_t* json_bytes, int64_t* file_bytes) {
  int rc = 0;
  if (deflate_some(w, NULL, 0, Z_FINISH)) rc = -1;
  deflateEnd(&w->z);
  if (fclose(w->f) != 0) rc = fail(w, "close failed: %s", strerror(errno));
  if (rows) *rows = w->rows;
  if (json_bytes) *json_bytes = w->json_bytes;
  if (file_bytes) *file_bytes = w->file_bytes;
  for (int i = 0; i < w->ncols; i++) free(w->key[i]);
  free(w->line);
  free(w);
  return rc;
}
