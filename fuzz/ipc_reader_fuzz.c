/* libFuzzer target for the Arrow IPC reader (include/artemis/ipc_reader.h), end to end.
 *
 * The fuzz bytes are the IPC input itself (so real stream/file captures are seeds). Each
 * input is read in five modes, no fork:
 *   M_MEMORY  artemis_ipc_reader_open_memory (stream or file detected; a file through its
 *             footer). libFuzzer's buffer is exactly `size` bytes, so any zero-copy buffer
 *             claiming a byte beyond the input is an ASan heap-buffer-overflow.
 *   M_PATH    artemis_ipc_reader_open_path on a memfd (/proc/self/fd/N): the same logic
 *             through pread, every message copied into allocator blocks.
 *   M_FD      artemis_ipc_reader_open_fd on the memfd: forced sequential reading with a
 *             known size (a file-format input is read as the stream it contains).
 *   M_PIPE    artemis_ipc_reader_open_fd on a pipe holding the whole input (skipped when
 *             the input exceeds the pipe's capacity): sequential, size unknown, buffers
 *             grown as bytes arrive.
 *   M_NOMEM   M_MEMORY again with one allocation failing (which one: from the input's
 *             hash): the reading must end in ARTEMIS_E_NOMEM, freeing everything.
 *
 * Oracles (each failure is abort()):
 *   - every returned ArrowArray is checked against the exported ArrowSchema by an
 *     independent checker: buffer and child counts per format string, lengths and
 *     offsets in range, every byte the array claims is read (ASan/valgrind catch a claim
 *     beyond real memory), offsets monotonic and within their data/child, null_count
 *     equal to the zero bits of the validity bitmap, dictionary indices within the
 *     dictionary, struct/list/map children long enough; views ("vz"/"vu"): every data
 *     buffer as large as the trailing sizes buffer says, every non-null view inline or
 *     within the data buffer it names (null slots' views are not read);
 *   - batches are re-checked after the reader is freed, and a child moved out of its
 *     parent stays valid after the parent is released (holder reference counting);
 *   - error codes are the documented ones; INVALID_INPUT names "byte N" with
 *     N == error.offset within the input;
 *   - M_PATH gives exactly what M_MEMORY gives (same codes, batches and content hash);
 *     for stream-format inputs M_FD and M_PIPE give the same batches as M_MEMORY and fail
 *     (or end) at the same point;
 *   - the counting allocator given in the options is empty after everything is released
 *     (no leak per input, M_NOMEM's failed readings included), and no single allocation
 *     exceeds the tight limits set below; in M_NOMEM the reading ends in ARTEMIS_E_NOMEM;
 *   - M_MEMORY batches go through the Parquet writer (artemis_writer_open in a
 *     per-process temp dir, write, artemis_writer_abort): no crash, no ARTEMIS_E_INTERNAL,
 *     nothing left on disk, no leak in the writer's allocator. The writer may reject.
 *
 * Build: tests/integration/fuzz.cmake. With clang and -DARTEMIS_SANITIZE=ON it builds the
 * libFuzzer target `ipc_reader_fuzz`; every build has `ipc_reader_replay` (-DFUZZ_MAIN),
 * a plain driver that runs the files (or directories of files) given on its command line.
 * FUZZ_STATS=1 prints per-mode counters at exit. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "artemis/artemis.h"
#include "artemis/ipc_reader.h"
#include "artemis/writer.h"

#define DIE(...)                             \
  do {                                       \
    fprintf(stderr, "ORACLE: " __VA_ARGS__); \
    fprintf(stderr, "\n");                   \
    abort();                                 \
  } while (0)

/* Tight reader limits: the defaults (2 GiB bodies) are far above what a fuzzer may
 * allocate. -malloc_limit_mb in fuzz.cmake sits a little above the largest of these. */
#define LIMIT_BODY ((int64_t)64 << 20)
#define LIMIT_DICTIONARY ((int64_t)64 << 20)
#define LIMIT_METADATA ((int64_t)1 << 20)
/* The largest single allocation the reader may make: a body, a decompressed buffer or a
 * concatenated dictionary, plus block headers and small change. */
#define LIMIT_ONE_ALLOCATION ((size_t)LIMIT_BODY + ((size_t)1 << 20))
/* Batches kept alive until after the reader is freed (the rest are released at once). */
#define KEEP_BATCHES 8
#define MAX_DEPTH 256

/* ---- counting allocator ------------------------------------------------------------ */
typedef struct actx {
  const char* who;
  long live;
  long calls;
  size_t largest;
  long fail_at; /* 0: never; else this call (counting alloc and realloc from 1) fails */
  int failed;
} actx;
static void* a_alloc(void* c, size_t n) {
  actx* a = c;
  if (++a->calls == a->fail_at) {
    a->failed = 1;
    return NULL;
  }
  if (n > a->largest) a->largest = n;
  if (n > LIMIT_ONE_ALLOCATION) DIE("%s: allocation of %zu bytes above the limits", a->who, n);
  void* p = malloc(n ? n : 1);
  if (p) a->live++;
  return p;
}
static void* a_realloc(void* c, void* p, size_t n) {
  actx* a = c;
  if (!p) return a_alloc(c, n);
  if (++a->calls == a->fail_at) {
    a->failed = 1;
    return NULL;
  }
  if (n > a->largest) a->largest = n;
  if (n > LIMIT_ONE_ALLOCATION) DIE("%s: reallocation to %zu bytes above the limits", a->who, n);
  return realloc(p, n ? n : 1);
}
static void a_free(void* c, void* p) {
  actx* a = c;
  if (p) a->live--;
  free(p);
}

/* ---- statistics --------------------------------------------------------------------- */
enum { M_MEMORY, M_PATH, M_FD, M_PIPE, M_NOMEM, N_MODES };
static const char* const kModeName[N_MODES] = {"memory", "path", "fd", "pipe", "nomem"};
static long st_runs[N_MODES], st_open_ok[N_MODES], st_batches[N_MODES], st_end_ok[N_MODES];
static long st_inputs, st_writer_open, st_writer_rows_ok, st_writer_rejected;
static uint64_t st_rows[N_MODES]; /* wraps: batches may claim INT64_MAX rows */
static void print_stats(void) {
  if (!getenv("FUZZ_STATS")) return;
  fprintf(stderr, "stats: inputs %ld\n", st_inputs);
  for (int m = 0; m < N_MODES; m++)
    fprintf(stderr, "stats: %-6s runs %ld open_ok %ld batches %ld rows %llu clean_end %ld\n", kModeName[m], st_runs[m],
            st_open_ok[m], st_batches[m], (unsigned long long)st_rows[m], st_end_ok[m]);
  fprintf(stderr, "stats: writer opened %ld, batches accepted %ld, rejected %ld\n", st_writer_open, st_writer_rows_ok,
          st_writer_rejected);
}

/* ---- independent structural checker ---------------------------------------------------- */
static volatile uint8_t g_sink;
static uint64_t g_hash; /* FNV-1a over every byte and length the checker visits */

static void mix(uint64_t v) {
  for (int i = 0; i < 8; i++) {
    g_hash ^= (uint8_t)(v >> (8 * i));
    g_hash *= 1099511628211ull;
  }
}

/* Reads every byte of [p, p + n): an array claiming memory it does not have is caught by
 * ASan (or valgrind in the replay build). */
static void touch(const void* p, int64_t n, const char* what) {
  if (n <= 0) return;
  if (!p) DIE("%s: NULL buffer for %lld bytes", what, (long long)n);
  const uint8_t* b = p;
  uint8_t acc = 0;
  uint64_t h = g_hash;
  for (int64_t i = 0; i < n; i++) {
    acc ^= b[i];
    h = (h ^ b[i]) * 1099511628211ull;
  }
  g_hash = h;
  g_sink = acc;
}

static int bit(const void* bits, int64_t i) { return (((const uint8_t*)bits)[i / 8] >> (i % 8)) & 1; }

typedef enum kind {
  K_NULL, K_BITS, K_FIXED, K_VAR32, K_VAR64, K_LIST32, K_LIST64, K_FIXED_LIST, K_STRUCT, K_MAP, K_VIEW
} kind;

/* Parses an unsigned decimal at *p (advancing it); -1 when none or too large. */
static int64_t number(const char** p) {
  const char* s = *p;
  int64_t v = 0;
  if (*s < '0' || *s > '9') return -1;
  while (*s >= '0' && *s <= '9') {
    if (v > (INT64_MAX - 9) / 10) return -1;
    v = v * 10 + (*s++ - '0');
  }
  *p = s;
  return v;
}

/* The layout a format string implies (C Data Interface spec), independently of the
 * reader's own tables. `width`: bytes per value (K_FIXED), list size (K_FIXED_LIST). */
static kind parse_format(const char* f, int64_t* width, const char* path) {
  *width = 0;
  if (!f) DIE("%s: NULL format", path);
  if (!f[0]) DIE("%s: empty format", path);
  if (!f[1]) {
    switch (f[0]) {
      case 'n': return K_NULL;
      case 'b': return K_BITS;
      case 'c': case 'C': *width = 1; return K_FIXED;
      case 's': case 'S': case 'e': *width = 2; return K_FIXED;
      case 'i': case 'I': case 'f': *width = 4; return K_FIXED;
      case 'l': case 'L': case 'g': *width = 8; return K_FIXED;
      case 'z': case 'u': return K_VAR32;
      case 'Z': case 'U': return K_VAR64;
      default: break;
    }
    DIE("%s: unknown format \"%s\"", path, f);
  }
  if (!strcmp(f, "tdD") || !strcmp(f, "tts") || !strcmp(f, "ttm") || !strcmp(f, "tiM")) { *width = 4; return K_FIXED; }
  if (!strcmp(f, "tdm") || !strcmp(f, "ttu") || !strcmp(f, "ttn") || !strcmp(f, "tiD")) { *width = 8; return K_FIXED; }
  if (!strcmp(f, "tin")) { *width = 16; return K_FIXED; }
  if (!strncmp(f, "ts", 2) && f[2] && strchr("smun", f[2]) && f[3] == ':') { *width = 8; return K_FIXED; }
  if (!strncmp(f, "tD", 2) && f[2] && strchr("smun", f[2]) && !f[3]) { *width = 8; return K_FIXED; }
  if (!strncmp(f, "w:", 2)) {
    const char* p = f + 2;
    int64_t w = number(&p);
    if (w < 0 || *p) DIE("%s: bad fixed-size binary format \"%s\"", path, f);
    *width = w;
    return K_FIXED;
  }
  if (!strncmp(f, "d:", 2)) {
    const char* p = f + 2;
    if (*p == '-') p++;
    int64_t prec = number(&p);
    if (prec < 1 || *p++ != ',') DIE("%s: bad decimal format \"%s\"", path, f);
    if (*p == '-') p++;
    if (number(&p) < 0) DIE("%s: bad decimal format \"%s\"", path, f);
    int64_t bits = 128;
    if (*p == ',') {
      p++;
      bits = number(&p);
    }
    if (*p || (bits != 32 && bits != 64 && bits != 128 && bits != 256)) DIE("%s: bad decimal format \"%s\"", path, f);
    *width = bits / 8;
    return K_FIXED;
  }
  if (!strcmp(f, "vz") || !strcmp(f, "vu")) return K_VIEW;
  if (!strcmp(f, "+l")) return K_LIST32;
  if (!strcmp(f, "+L")) return K_LIST64;
  if (!strcmp(f, "+s")) return K_STRUCT;
  if (!strcmp(f, "+m")) return K_MAP;
  if (!strncmp(f, "+w:", 3)) {
    const char* p = f + 3;
    int64_t n = number(&p);
    if (n < 0 || *p) DIE("%s: bad fixed-size list format \"%s\"", path, f);
    *width = n;
    return K_FIXED_LIST;
  }
  DIE("%s: unknown format \"%s\"", path, f);
}

static int is_index_format(const char* f) { return f && f[0] && !f[1] && strchr("cCsSiIlL", f[0]); }

static int64_t load_index(const uint8_t* p, char fmt, int64_t i, int* too_big) {
  *too_big = 0;
  switch (fmt) {
    case 'c': return (int8_t)p[i];
    case 'C': return p[i];
    case 's': { int16_t v; memcpy(&v, p + 2 * i, 2); return v; }
    case 'S': { uint16_t v; memcpy(&v, p + 2 * i, 2); return v; }
    case 'i': { int32_t v; memcpy(&v, p + 4 * i, 4); return v; }
    case 'I': { uint32_t v; memcpy(&v, p + 4 * i, 4); return v; }
    case 'l': { int64_t v; memcpy(&v, p + 8 * i, 8); return v; }
    default: {
      uint64_t v;
      memcpy(&v, p + 8 * i, 8);
      if (v > (uint64_t)INT64_MAX) { *too_big = 1; return INT64_MAX; }
      return (int64_t)v;
    }
  }
}

static int64_t load_offset(const void* p, int wide, int64_t i) {
  if (wide) {
    int64_t v;
    memcpy(&v, (const uint8_t*)p + 8 * i, 8);
    return v;
  }
  int32_t v;
  memcpy(&v, (const uint8_t*)p + 4 * i, 4);
  return v;
}

static void check_array(const struct ArrowSchema* s, const struct ArrowArray* a, int depth, const char* path);

/* Offsets of slots [offset, offset + length]: non-negative, monotonic; returns the span. */
static void check_offsets(const struct ArrowArray* a, int wide, const char* path, int64_t* first, int64_t* last) {
  int64_t n = a->offset + a->length + 1;
  if (!a->buffers[1]) DIE("%s: NULL offsets buffer", path);
  touch(a->buffers[1], n * (wide ? 8 : 4), path);
  int64_t prev = load_offset(a->buffers[1], wide, a->offset);
  if (prev < 0) DIE("%s: first offset %lld is negative", path, (long long)prev);
  *first = prev;
  for (int64_t i = a->offset + 1; i < n; i++) {
    int64_t cur = load_offset(a->buffers[1], wide, i);
    if (cur < prev) DIE("%s: offsets decrease at %lld", path, (long long)i);
    prev = cur;
  }
  *last = prev;
}

static void check_array(const struct ArrowSchema* s, const struct ArrowArray* a, int depth, const char* path) {
  char sub[512];
  if (depth > MAX_DEPTH) DIE("%s: arrays nested deeper than %d", path, MAX_DEPTH);
  if (!s || !s->release) DIE("%s: released or missing schema", path);
  if (!a || !a->release) DIE("%s: released or missing array", path);
  int64_t width;
  kind k = parse_format(s->format, &width, path);
  if (a->length < 0 || a->offset < 0 || a->offset > INT64_MAX - 1 - a->length)
    DIE("%s: length %lld offset %lld", path, (long long)a->length, (long long)a->offset);
  int64_t end = a->offset + a->length;
  mix((uint64_t)a->length);
  mix((uint64_t)a->null_count);
  if (a->null_count < 0 || a->null_count > a->length)
    DIE("%s: null_count %lld of %lld slots", path, (long long)a->null_count, (long long)a->length);
  if ((s->dictionary != NULL) != (a->dictionary != NULL)) DIE("%s: dictionary presence differs from the schema", path);
  if (s->dictionary && !is_index_format(s->format)) DIE("%s: dictionary with index format \"%s\"", path, s->format);
  if (s->n_children != a->n_children)
    DIE("%s: %lld children, the schema has %lld", path, (long long)a->n_children, (long long)s->n_children);
  if (a->n_children < 0 || (a->n_children > 0 && !a->children)) DIE("%s: bad children", path);
  int64_t want_children = k == K_STRUCT ? s->n_children : (k == K_LIST32 || k == K_LIST64 || k == K_FIXED_LIST || k == K_MAP) ? 1 : 0;
  if (s->n_children != want_children)
    DIE("%s: format \"%s\" with %lld children", path, s->format, (long long)s->n_children);
  int64_t want_buffers = k == K_NULL ? 0 : (k == K_VAR32 || k == K_VAR64) ? 3 : (k == K_STRUCT || k == K_FIXED_LIST) ? 1 : 2;
  /* Views: validity, views, any number of data buffers, then their int64 sizes. */
  if (k == K_VIEW) want_buffers = a->n_buffers >= 3 ? a->n_buffers : 3;
  if (a->n_buffers != want_buffers)
    DIE("%s: format \"%s\" with %lld buffers, expected %lld", path, s->format, (long long)a->n_buffers,
        (long long)want_buffers);
  if (a->n_buffers > 0 && !a->buffers) DIE("%s: NULL buffers array", path);

  if (k == K_NULL) {
    if (a->null_count != a->length) DIE("%s: null array with null_count %lld of %lld", path, (long long)a->null_count, (long long)a->length);
    return;
  }
  /* Validity: present whenever there are nulls, and its zero bits are the null count. */
  if (a->null_count > 0 && !a->buffers[0]) DIE("%s: %lld nulls without a validity bitmap", path, (long long)a->null_count);
  if (a->buffers[0]) {
    touch(a->buffers[0], (end + 7) / 8, path);
    int64_t zeros = 0;
    for (int64_t i = a->offset; i < end; i++) zeros += !bit(a->buffers[0], i);
    if (zeros != a->null_count)
      DIE("%s: validity has %lld zero bits, null_count is %lld", path, (long long)zeros, (long long)a->null_count);
  }
  switch (k) {
    case K_BITS:
      if (end > 0 && !a->buffers[1]) DIE("%s: NULL bool data", path);
      touch(a->buffers[1], (end + 7) / 8, path);
      break;
    case K_FIXED: {
      if (width > 0 && end > INT64_MAX / width) DIE("%s: %lld values of %lld bytes overflow", path, (long long)end, (long long)width);
      if (end > 0 && width > 0 && !a->buffers[1]) DIE("%s: NULL data", path);
      touch(a->buffers[1], end * width, path);
      if (s->dictionary) {
        snprintf(sub, sizeof sub, "%s<dict>", path);
        check_array(s->dictionary, a->dictionary, depth + 1, sub);
        int too_big;
        for (int64_t i = a->offset; i < end; i++) {
          if (a->buffers[0] && !bit(a->buffers[0], i)) continue;
          int64_t v = load_index(a->buffers[1], s->format[0], i, &too_big);
          if (too_big || v < 0 || v >= a->dictionary->length)
            DIE("%s: index %lld at %lld outside the dictionary of %lld", path, (long long)v, (long long)i,
                (long long)a->dictionary->length);
        }
      }
      break;
    }
    case K_VIEW: {
      /* C Data Interface views: every data buffer is as large as its size says (touched
       * whole); every non-null view has length >= 0 and is inline (<= 12 bytes) or lies
       * within the data buffer its index names; null slots' views are not read. */
      int64_t n_data = a->n_buffers - 3;
      if (end > INT64_MAX / 16) DIE("%s: %lld views overflow", path, (long long)end);
      if (end > 0 && !a->buffers[1]) DIE("%s: NULL views", path);
      touch(a->buffers[1], end * 16, path);
      const uint8_t* sizes = a->buffers[a->n_buffers - 1];
      if (n_data > 0 && !sizes) DIE("%s: NULL data buffer sizes", path);
      touch(sizes, n_data * 8, path);
      for (int64_t d = 0; d < n_data; d++) {
        int64_t size;
        memcpy(&size, sizes + 8 * d, 8);
        if (size < 0) DIE("%s: data buffer %lld has size %lld", path, (long long)d, (long long)size);
        if (size > 0 && !a->buffers[2 + d]) DIE("%s: NULL data buffer %lld of %lld bytes", path, (long long)d, (long long)size);
        touch(a->buffers[2 + d], size, path);
      }
      for (int64_t i = a->offset; i < end; i++) {
        if (a->buffers[0] && !bit(a->buffers[0], i)) continue;
        const uint8_t* v = (const uint8_t*)a->buffers[1] + 16 * i;
        int32_t n, index, offset;
        memcpy(&n, v, 4);
        if (n < 0) DIE("%s: view %lld has length %d", path, (long long)i, (int)n);
        if (n <= 12) continue;
        memcpy(&index, v + 8, 4);
        memcpy(&offset, v + 12, 4);
        if (index < 0 || index >= n_data) DIE("%s: view %lld names data buffer %d of %lld", path, (long long)i, (int)index, (long long)n_data);
        int64_t size;
        memcpy(&size, sizes + 8 * index, 8);
        if (offset < 0 || (int64_t)offset + n > size)
          DIE("%s: view %lld (offset %d, length %d) outside data buffer %d of %lld bytes", path, (long long)i, (int)offset,
              (int)n, (int)index, (long long)size);
        touch((const uint8_t*)a->buffers[2 + index] + offset, n, path);
      }
      break;
    }
    case K_VAR32:
    case K_VAR64: {
      int64_t first, last;
      check_offsets(a, k == K_VAR64, path, &first, &last);
      if (last > first && !a->buffers[2]) DIE("%s: NULL data buffer", path);
      touch(a->buffers[2] ? (const uint8_t*)a->buffers[2] + first : NULL, last - first, path);
      break;
    }
    case K_LIST32:
    case K_LIST64:
    case K_MAP: {
      int64_t first, last;
      check_offsets(a, k == K_LIST64, path, &first, &last);
      const struct ArrowArray* child = a->children[0];
      snprintf(sub, sizeof sub, "%s.%s", path, s->children[0]->name ? s->children[0]->name : "?");
      check_array(s->children[0], child, depth + 1, sub);
      if (child->length < last) DIE("%s: child has %lld values, the last offset is %lld", path, (long long)child->length, (long long)last);
      if (k == K_MAP) {
        if (strcmp(s->children[0]->format, "+s") != 0 || s->children[0]->n_children != 2 || s->children[0]->dictionary)
          DIE("%s: map entries are not a struct of two", path);
      }
      break;
    }
    case K_FIXED_LIST: {
      if (width > 0 && end > INT64_MAX / width) DIE("%s: fixed-size list overflow", path);
      snprintf(sub, sizeof sub, "%s.%s", path, s->children[0]->name ? s->children[0]->name : "?");
      check_array(s->children[0], a->children[0], depth + 1, sub);
      if (a->children[0]->length < end * width)
        DIE("%s: child has %lld values, %lld lists of %lld need more", path, (long long)a->children[0]->length,
            (long long)end, (long long)width);
      break;
    }
    case K_STRUCT:
      for (int64_t i = 0; i < a->n_children; i++) {
        snprintf(sub, sizeof sub, "%s.%s", path, s->children[i]->name ? s->children[i]->name : "?");
        check_array(s->children[i], a->children[i], depth + 1, sub);
        if (a->children[i]->length < end)
          DIE("%s: child %lld has %lld values, the struct needs %lld", path, (long long)i,
              (long long)a->children[i]->length, (long long)end);
      }
      break;
    default:
      break;
  }
  if (s->dictionary && k != K_FIXED) DIE("%s: dictionary on a non-index array", path);
}

/* The batch: a "+s" with one child per schema field, all as long as the batch. */
static void check_batch(const struct ArrowSchema* schema, const struct ArrowArray* b) {
  if (strcmp(schema->format, "+s") != 0) DIE("schema format \"%s\", not +s", schema->format);
  if (b->offset != 0) DIE("batch offset %lld", (long long)b->offset);
  if (b->null_count != 0) DIE("batch null_count %lld", (long long)b->null_count);
  if (b->dictionary) DIE("batch with a dictionary");
  check_array(schema, b, 0, "batch");
  for (int64_t i = 0; i < b->n_children; i++)
    if (b->children[i]->length != b->length)
      DIE("column %lld has %lld values, the batch %lld rows", (long long)i, (long long)b->children[i]->length,
          (long long)b->length);
}

/* Validates the exported schema tree on its own (formats parse; child counts agree). */
static void check_schema(const struct ArrowSchema* s, int depth) {
  if (depth > MAX_DEPTH) DIE("schema nested deeper than %d", MAX_DEPTH);
  if (!s->release || !s->format || !s->name) DIE("schema node without release/format/name");
  int64_t w;
  parse_format(s->format, &w, "schema");
  if (s->n_children < 0 || (s->n_children && !s->children)) DIE("schema with bad children");
  for (int64_t i = 0; i < s->n_children; i++) check_schema(s->children[i], depth + 1);
  if (s->dictionary) {
    if (!is_index_format(s->format)) DIE("schema dictionary on format \"%s\"", s->format);
    check_schema(s->dictionary, depth + 1);
  }
}

/* ---- the writer ------------------------------------------------------------------------- */
static char g_dir[256], g_out[320], g_inprogress[340];

/* A fresh directory per input, removed after it (libFuzzer may leave through _Exit, so
 * nothing is left to an atexit handler). */
static void setup_dir(void) {
  const char* base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  snprintf(g_dir, sizeof g_dir, "%s/ipc-reader-fuzz-XXXXXX", base);
  if (!mkdtemp(g_dir)) DIE("mkdtemp %s: %s", g_dir, strerror(errno));
  snprintf(g_out, sizeof g_out, "%s/out.parquet", g_dir);
  snprintf(g_inprogress, sizeof g_inprogress, "%s.inprogress", g_out);
}

static void remove_dir(void) {
  unlink(g_inprogress);
  unlink(g_out);
  if (rmdir(g_dir) != 0) DIE("rmdir %s: %s", g_dir, strerror(errno));
}

static int file_exists(const char* p) {
  struct stat st;
  return lstat(p, &st) == 0;
}

typedef struct writer_run {
  artemis_writer* w;
  actx ac;
  artemis_allocator alloc;
} writer_run;

static void writer_begin(writer_run* wr, const struct ArrowSchema* schema) {
  memset(wr, 0, sizeof *wr);
  wr->ac.who = "writer";
  wr->alloc = (artemis_allocator){a_alloc, a_realloc, a_free, &wr->ac};
  artemis_writer_options o;
  artemis_writer_options_init(&o);
  o.durable = 0;
  o.compression = ARTEMIS_COMPRESSION_UNCOMPRESSED;
  o.row_group_target_bytes = (int64_t)1 << 20;
  o.allocator = &wr->alloc;
  artemis_error err;
  int rc = artemis_writer_open(&wr->w, g_out, schema, &o, &err);
  if (rc != ARTEMIS_OK) {
    if (rc == ARTEMIS_E_INTERNAL) DIE("writer open: internal error: %s", err.message);
    if (wr->w) DIE("writer open failed but set *out");
    if (wr->ac.live) DIE("writer open failed and leaked %ld allocations", wr->ac.live);
    if (file_exists(g_inprogress) || file_exists(g_out)) DIE("writer open failed but left a file");
    wr->w = NULL;
    return;
  }
  st_writer_open++;
}

static void writer_write(writer_run* wr, const struct ArrowArray* batch) {
  if (!wr->w) return;
  artemis_error err;
  int rc = artemis_writer_write(wr->w, batch, &err);
  if (rc == ARTEMIS_OK) {
    st_writer_rows_ok++;
  } else {
    if (rc == ARTEMIS_E_INTERNAL) DIE("writer write: internal error: %s", err.message);
    st_writer_rejected++;
  }
}

static void writer_end(writer_run* wr) {
  if (wr->w) artemis_writer_abort(wr->w);
  wr->w = NULL;
  if (wr->ac.live) DIE("writer leaked %ld allocations", wr->ac.live);
  if (file_exists(g_inprogress) || file_exists(g_out)) DIE("writer abort left a file");
}

/* ---- one reading ------------------------------------------------------------------------ */
#define MAX_RECORDED 64

typedef struct outcome {
  int open_rc;
  int end_rc; /* the return of the last next() (END_OF_STREAM when clean) */
  int64_t end_offset;
  int format;
  int64_t batches;
  uint64_t hashes[MAX_RECORDED]; /* per batch: rows and content */
} outcome;

static void check_error(int rc, const artemis_error* err, size_t size, const char* where, int mode, int nomem_ok) {
  switch (rc) {
    case ARTEMIS_E_INVALID_INPUT: case ARTEMIS_E_UNSUPPORTED: case ARTEMIS_E_LIMIT: break;
    case ARTEMIS_E_NOMEM: if (nomem_ok) break; /* fall through */
    default: DIE("%s (%s): unexpected %s \"%s\"", where, kModeName[mode], artemis_status_name(rc), err->message);
  }
  if (err->code != rc) DIE("%s: error.code %d, returned %d", where, err->code, rc);
  if (rc == ARTEMIS_E_INVALID_INPUT) {
    char expect[64];
    snprintf(expect, sizeof expect, "byte %lld", (long long)err->offset);
    if (err->offset < 0 || err->offset > (int64_t)size || !strstr(err->message, expect))
      DIE("%s (%s): INVALID_INPUT without its byte offset (offset %lld of %zu): \"%s\"", where, kModeName[mode],
          (long long)err->offset, size, err->message);
  }
}

/* Returns the number of allocator calls the reading made. */
static long read_all(int mode, const uint8_t* data, size_t size, int fd, const char* path, long fail_at,
                     outcome* out) {
  memset(out, 0, sizeof *out);
  actx ac = {"reader", 0, 0, 0, fail_at, 0};
  artemis_allocator alloc = {a_alloc, a_realloc, a_free, &ac};
  artemis_ipc_reader_options o;
  artemis_ipc_reader_options_init(&o);
  o.max_body_bytes = LIMIT_BODY;
  o.max_dictionary_bytes = LIMIT_DICTIONARY;
  o.max_metadata_bytes = LIMIT_METADATA;
  o.allocator = &alloc;
  artemis_ipc_reader* r = NULL;
  artemis_error err;
  artemis_error_clear(&err);
  st_runs[mode]++;
  switch (mode) {
    case M_MEMORY:
    case M_NOMEM: out->open_rc = artemis_ipc_reader_open_memory(&r, data, size, &o, &err); break;
    case M_PATH: out->open_rc = artemis_ipc_reader_open_path(&r, path, &o, &err); break;
    default: out->open_rc = artemis_ipc_reader_open_fd(&r, fd, &o, &err); break;
  }
  if (out->open_rc != ARTEMIS_OK) {
    if (r) DIE("open failed but set *out");
    check_error(out->open_rc, &err, size, "open", mode, ac.failed);
    out->end_offset = err.offset;
    if (ac.live) DIE("%s: failed open leaked %ld allocations", kModeName[mode], ac.live);
    return ac.calls;
  }
  st_open_ok[mode]++;
  artemis_ipc_reader_info info;
  artemis_ipc_reader_get_info(r, &info);
  out->format = info.format;
  struct ArrowSchema schema;
  int rc = artemis_ipc_reader_schema(r, &schema, &err);
  if (rc != ARTEMIS_OK && ac.failed && rc == ARTEMIS_E_NOMEM) {
    artemis_ipc_reader_free(r);
    if (ac.live) DIE("%s: failed schema export leaked %ld allocations", kModeName[mode], ac.live);
    out->open_rc = rc;
    return ac.calls;
  }
  if (rc != ARTEMIS_OK) DIE("schema export failed: %s", err.message);
  check_schema(&schema, 0);
  writer_run wr;
  int use_writer = mode == M_MEMORY;
  if (use_writer) writer_begin(&wr, &schema);

  struct ArrowArray kept[KEEP_BATCHES];
  int n_kept = 0;
  for (;;) {
    struct ArrowArray batch;
    memset(&batch, 0, sizeof batch);
    rc = artemis_ipc_reader_next(r, &batch, &err);
    if (rc != ARTEMIS_OK) break;
    g_hash = 14695981039346656037ull;
    check_batch(&schema, &batch);
    if (out->batches < MAX_RECORDED) out->hashes[out->batches] = g_hash;
    out->batches++;
    st_batches[mode]++;
    st_rows[mode] += (uint64_t)batch.length;
    if (use_writer) writer_write(&wr, &batch);
    if (n_kept < KEEP_BATCHES) kept[n_kept++] = batch;
    else batch.release(&batch);
  }
  out->end_rc = rc;
  out->end_offset = err.offset;
  if (rc == ARTEMIS_E_END_OF_STREAM) {
    st_end_ok[mode]++;
    struct ArrowArray extra;
    if (artemis_ipc_reader_next(r, &extra, &err) != ARTEMIS_E_END_OF_STREAM) DIE("next after the end is not END_OF_STREAM");
  } else {
    check_error(rc, &err, size, "next", mode, ac.failed);
    struct ArrowArray extra;
    if (artemis_ipc_reader_next(r, &extra, &err) != ARTEMIS_E_STATE) DIE("next after a failure is not E_STATE");
  }
  artemis_ipc_reader_get_info(r, &info);
  if (info.batches_read != out->batches) DIE("info.batches_read %lld, read %lld", (long long)info.batches_read, (long long)out->batches);
  if (info.bytes_read < 0 || (mode != M_PATH && mode != M_MEMORY && info.bytes_read > (int64_t)size))
    DIE("info.bytes_read %lld of %zu", (long long)info.bytes_read, size);
  if (use_writer) writer_end(&wr);
  artemis_ipc_reader_free(r);

  /* The batches outlive the reader; a child moved out outlives its parent. */
  for (int i = 0; i < n_kept; i++) {
    g_hash = 14695981039346656037ull;
    check_batch(&schema, &kept[i]);
    if (i < MAX_RECORDED && g_hash != out->hashes[i]) DIE("batch %d changed after the reader was freed", i);
    if (kept[i].n_children > 0 && (i & 1)) {
      struct ArrowArray moved = *kept[i].children[0];
      kept[i].children[0]->release = NULL;
      kept[i].release(&kept[i]);
      if (kept[i].release) DIE("release did not mark the batch released");
      check_array(schema.children[0], &moved, 1, "moved child");
      moved.release(&moved);
    } else {
      kept[i].release(&kept[i]);
    }
  }
  schema.release(&schema);
  if (schema.release) DIE("schema release did not mark it released");
  if (ac.live) DIE("%s: reader leaked %ld allocations", kModeName[mode], ac.live);
  return ac.calls;
}

/* ---- input plumbing --------------------------------------------------------------------- */
static int g_memfd = -1;
static char g_memfd_path[64];

static void setup_memfd(void) {
  if (g_memfd >= 0) return;
  g_memfd = memfd_create("ipc-reader-fuzz", MFD_CLOEXEC);
  if (g_memfd < 0) DIE("memfd_create: %s", strerror(errno));
  snprintf(g_memfd_path, sizeof g_memfd_path, "/proc/self/fd/%d", g_memfd);
}

static void fill_memfd(const uint8_t* data, size_t size) {
  if (ftruncate(g_memfd, 0) != 0) DIE("ftruncate: %s", strerror(errno));
  for (size_t done = 0; done < size;) {
    ssize_t n = pwrite(g_memfd, data + done, size - done, (off_t)done);
    if (n <= 0) DIE("pwrite: %s", strerror(errno));
    done += (size_t)n;
  }
  if (lseek(g_memfd, 0, SEEK_SET) != 0) DIE("lseek: %s", strerror(errno));
}

/* A pipe holding all of `data` with its write end closed, or -1 if it does not fit. */
static int pipe_with(const uint8_t* data, size_t size) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) DIE("pipe: %s", strerror(errno));
  (void)fcntl(fds[1], F_SETPIPE_SZ, 1 << 20); /* best effort: /proc/sys/fs/pipe-max-size */
  int cap = fcntl(fds[1], F_GETPIPE_SZ);
  if (cap < 0 || size > (size_t)cap) {
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  for (size_t done = 0; done < size;) {
    ssize_t n = write(fds[1], data + done, size - done);
    if (n <= 0) DIE("write to pipe: %s", strerror(errno));
    done += (size_t)n;
  }
  close(fds[1]);
  return fds[0];
}

static void same(const outcome* a, const outcome* b, int mode, int exact) {
  int a_fail = a->open_rc != ARTEMIS_OK ? a->open_rc : a->end_rc == ARTEMIS_E_END_OF_STREAM ? 0 : a->end_rc;
  int b_fail = b->open_rc != ARTEMIS_OK ? b->open_rc : b->end_rc == ARTEMIS_E_END_OF_STREAM ? 0 : b->end_rc;
  int agree = exact ? (a->open_rc == b->open_rc && a_fail == b_fail && a->end_offset == b->end_offset)
                    : ((a->open_rc == ARTEMIS_OK) == (b->open_rc == ARTEMIS_OK) && (a_fail == 0) == (b_fail == 0));
  if (!agree)
    DIE("%s disagrees with memory: open %s/%s, end %s/%s, offsets %lld/%lld", kModeName[mode],
        artemis_status_name(b->open_rc), artemis_status_name(a->open_rc), artemis_status_name(b_fail),
        artemis_status_name(a_fail), (long long)b->end_offset, (long long)a->end_offset);
  if (a->batches != b->batches)
    DIE("%s read %lld batches, memory %lld", kModeName[mode], (long long)b->batches, (long long)a->batches);
  for (int64_t i = 0; i < a->batches && i < MAX_RECORDED; i++)
    if (a->hashes[i] != b->hashes[i]) DIE("%s batch %lld differs from memory's", kModeName[mode], (long long)i);
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  setup_memfd();
  st_inputs++;
  outcome mem, other;
  setup_dir();
  long calls = read_all(M_MEMORY, data, size, -1, NULL, 0, &mem);
  remove_dir();

  /* One allocation failing, chosen by the input's hash: reported as ARTEMIS_E_NOMEM
   * where it happens, nothing leaked, no crash on the error paths. */
  if (calls > 0) {
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < size; i++) h = (h ^ data[i]) * 1099511628211ull;
    long fail_at = 1 + (long)(h % (uint64_t)calls);
    read_all(M_NOMEM, data, size, -1, NULL, fail_at, &other);
    int failed = other.open_rc != ARTEMIS_OK ? other.open_rc : other.end_rc;
    if (failed != ARTEMIS_E_NOMEM)
      DIE("allocation %ld of %ld failing gave %s, not ARTEMIS_E_NOMEM", fail_at, calls, artemis_status_name(failed));
  }

  fill_memfd(data, size);
  read_all(M_PATH, data, size, -1, g_memfd_path, 0, &other);
  same(&mem, &other, M_PATH, 1);

  /* Sequential readings: the same as memory's for a stream; a file is read as the stream
   * it contains, which memory (through the footer) does not do. */
  int stream_format = mem.open_rc == ARTEMIS_OK && mem.format == ARTEMIS_IPC_FORMAT_STREAM;
  read_all(M_FD, data, size, g_memfd, NULL, 0, &other);
  if (stream_format) same(&mem, &other, M_FD, 0);
  int p = pipe_with(data, size);
  if (p >= 0) {
    read_all(M_PIPE, data, size, p, NULL, 0, &other);
    close(p);
    if (stream_format) same(&mem, &other, M_PIPE, 0);
  }
  return 0;
}

__attribute__((constructor)) static void init_stats(void) { atexit(print_stats); }

/* FUZZ_MAIN builds link fuzz/replay_main.c, the shared replay driver. */
