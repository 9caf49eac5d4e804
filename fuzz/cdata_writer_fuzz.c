/* libFuzzer target for artemis_writer_open/write/close with foreign Arrow C Data
 * Interface batches built from the fuzz bytes.
 *
 * Every buffer is malloc'ed with exactly the size its array's declared offset+length (and,
 * for var-length arrays, its last offset) implies, so any read beyond what the producer
 * declared is an ASan heap-buffer-overflow.
 *
 * Oracles (each failure is abort()):
 *   - an independent reference validator decides whether each batch is valid; the writer
 *     must return OK for valid batches and ARTEMIS_E_INVALID_INPUT (or E_LIMIT for values
 *     >2 GiB) for invalid ones.
 *   - a rejected batch must not change artemis_writer_rows(), must not poison the writer,
 *     and the final file must be byte-identical to a second run that never saw the bad
 *     batches ("nothing of a bad batch is written").
 *   - with allocator / write(2) fault injection: after the first non-input failure, every
 *     later write and close return ARTEMIS_E_STATE, nothing is left at <path> or
 *     <path>.inprogress, and every allocator byte is freed after close/abort.
 *
 * Build: fuzz/CMakeLists.txt (tests/integration/fuzz.cmake). With clang and
 * -DARTEMIS_SANITIZE=ON it builds the libFuzzer target `cdata_writer_fuzz`; every build also
 * has `cdata_writer_replay` (-DFUZZ_MAIN), a plain driver that runs the inputs given as
 * files, so gcc builds replay the corpus in fuzz/corpora/cdata_writer/ under CTest.
 *
 * Knobs (compile-time): -DFUZZ_MISALIGN=1 lets the input misalign buffers (the C Data
 * Interface only recommends alignment). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "artemis/artemis.h"
#include "artemis/writer.h"
#include "publish/sink.h"

#ifndef FUZZ_MISALIGN
#define FUZZ_MISALIGN 0
#endif

#define DIE(...)                         \
  do {                                   \
    fprintf(stderr, "ORACLE: " __VA_ARGS__); \
    fprintf(stderr, "\n");               \
    abort();                             \
  } while (0)

/* ---- input reader ------------------------------------------------------------------ */
typedef struct rd {
  const uint8_t* p;
  size_t n;
} rd;
static uint8_t u8(rd* r) {
  if (!r->n) return 0;
  r->n--;
  return *r->p++;
}
static uint16_t u16(rd* r) { return (uint16_t)(u8(r) | u8(r) << 8); }
static uint32_t u32(rd* r) { return (uint32_t)u16(r) | (uint32_t)u16(r) << 16; }
static uint64_t u64(rd* r) { return (uint64_t)u32(r) | (uint64_t)u32(r) << 32; }
static int chance(rd* r, int in256) { return u8(r) < in256; }
/* Garbage mutations happen only in "messy" arrays, so that clean, valid batches (which
 * reach the encoders) stay common. */
static int g_messy;
static int garbage(rd* r, int in256) { return g_messy && chance(r, in256); }
static uint32_t below(rd* r, uint32_t n) { return n ? u16(r) % n : 0; }

/* ---- allocations owned by one iteration --------------------------------------------- */
#define MAX_ALLOCS 4096
static void* g_allocs[MAX_ALLOCS];
static size_t g_nallocs;
static void* own(void* p) {
  if (!p) abort();
  if (g_nallocs == MAX_ALLOCS) abort();
  g_allocs[g_nallocs++] = p;
  return p;
}
static void free_all(void) {
  while (g_nallocs) free(g_allocs[--g_nallocs]);
}
/* Exactly `size` bytes (ASan catches any byte beyond), optionally misaligned. */
static uint8_t* buffer(rd* r, size_t size, int misalign) {
  size_t shift = FUZZ_MISALIGN && misalign ? (size_t)(1 + below(r, 7)) : 0;
  uint8_t* base = own(malloc(size + shift ? size + shift : 1));
  /* Poisoning the shift prefix is not needed: reads before the buffer never happen via
   * positive indices. */
  return base + shift;
}

/* ---- counting / failing allocator ------------------------------------------------- */
typedef struct actx {
  long calls, fail_at; /* fail_at 0 = never */
  long live;
  int failed;
} actx;
static void* a_alloc(void* c, size_t n) {
  actx* a = c;
  if (++a->calls == a->fail_at) { a->failed = 1; return NULL; }
  if (n > ((size_t)1 << 31)) DIE("allocation of %zu bytes", n); /* "huge allocation" */
  void* p = malloc(n);
  if (p) a->live++;
  return p;
}
static void* a_realloc(void* c, void* p, size_t n) {
  actx* a = c;
  if (!p) return a_alloc(c, n);
  if (++a->calls == a->fail_at) { a->failed = 1; return NULL; }
  if (n > ((size_t)1 << 31)) DIE("reallocation to %zu bytes", n);
  return realloc(p, n);
}
static void a_free(void* c, void* p) {
  actx* a = c;
  if (p) a->live--;
  free(p);
}

/* ---- failing write(2) --------------------------------------------------------------- */
static long g_write_calls, g_write_fail_at;
static int g_io_failed;
static long fail_write(int fd, const void* b, size_t n) {
  if (++g_write_calls == g_write_fail_at) {
    g_io_failed = 1;
    errno = ENOSPC;
    return -1;
  }
  return artemis_default_io_ops()->write(fd, b, n);
}
static artemis_io_ops g_io;

/* ---- column types --------------------------------------------------------------------- */
enum {
  K_BOOL, K_I8, K_U8, K_I16, K_U16, K_I32, K_U32, K_I64, K_U64, K_F16, K_F32, K_F64,
  K_UTF8, K_LUTF8, K_BIN, K_LBIN, K_FSB, K_DEC, K_DATE32, K_DATE64, K_TIME32S, K_TIME32MS,
  K_TIME64US, K_TIME64NS, K_TSS, K_TSMS, K_TSUS, K_TSNS, K_COUNT
};
static const char* const kSimple[K_COUNT] = {
    "b", "c", "C", "s", "S", "i", "I", "l", "L", "e", "f", "g", "u", "U", "z", "Z", NULL, NULL,
    "tdD", "tdm", "tts", "ttm", "ttu", "ttn", "tss:", "tsm:", "tsu:UTC", "tsn:Europe/Paris"};
static const int kIndexKinds[8] = {K_I8, K_U8, K_I16, K_U16, K_I32, K_U32, K_I64, K_U64};
/* Formats that must never open. */
static const char* const kBadFormats[] = {
    "+l", "+s", "+m", "n", "vu", "vz", "tDs", "tiM", "d:10,2,256", "d:39,2", "d:0,0", "d:5,6", "d:5,-1",
    "w:0", "w:-1", "w:", "w:12a", "d:", "d:5", "tsx:", "ts", "t", "", "x", "ii", "tdd", "d:5,2,128x",
    "d:1234567890,1", "w:1234567890", "+w:2", "+r", "d:38,2,64", "tss", "tt", "ttx", "ZZ"};
#define N_BAD (sizeof kBadFormats / sizeof *kBadFormats)

typedef struct vtype {
  int kind;
  int fsb_width;     /* K_FSB */
  int prec, scale;   /* K_DEC */
} vtype;

typedef struct colspec {
  vtype v;           /* value type */
  int is_dict;
  int index_kind;
  int nullable;
  char fmt[48], dfmt[48], name[16];
  int encoding;
} colspec;

static int width_of(const vtype* t) { /* Arrow bytes per value; 0 bool (bits), -1 var, -2 large var */
  switch (t->kind) {
    case K_BOOL: return 0;
    case K_I8: case K_U8: return 1;
    case K_I16: case K_U16: case K_F16: return 2;
    case K_I32: case K_U32: case K_F32: case K_DATE32: case K_TIME32S: case K_TIME32MS: return 4;
    case K_I64: case K_U64: case K_F64: case K_DATE64: case K_TIME64US: case K_TIME64NS:
    case K_TSS: case K_TSMS: case K_TSUS: case K_TSNS: return 8;
    case K_DEC: return 16;
    case K_FSB: return t->fsb_width;
    case K_UTF8: case K_BIN: return -1;
    case K_LUTF8: case K_LBIN: return -2;
  }
  return 0;
}


/* Would converting this value be rejected? (the documented checks) */
static int value_ok(const vtype* t, const uint8_t* v) {
  switch (t->kind) {
    case K_DATE64: {
      int64_t ms;
      memcpy(&ms, v, 8);
      if (ms % 86400000LL) return 0;
      int64_t d = ms / 86400000LL;
      return d >= INT32_MIN && d <= INT32_MAX;
    }
    case K_TIME32S: {
      int32_t s;
      memcpy(&s, v, 4);
      return (int64_t)s * 1000 >= INT32_MIN && (int64_t)s * 1000 <= INT32_MAX;
    }
    case K_TSS: {
      int64_t s;
      memcpy(&s, v, 8);
      return s >= INT64_MIN / 1000 && s <= INT64_MAX / 1000;
    }
    case K_DEC: {
      /* |unscaled| < 10^precision (which also makes it fit int32 / int64 / the FLBA width) */
      __int128 x;
      memcpy(&x, v, 16);
      unsigned __int128 mag = x < 0 ? (unsigned __int128)0 - (unsigned __int128)x : (unsigned __int128)x;
      unsigned __int128 lim = 1;
      for (int i = 0; i < t->prec; i++) lim *= 10;
      return mag < lim;
    }
    default:
      return 1;
  }
}

/* Fills one value of width w (w>0) with either raw bytes or a small sign-extended number
 * scaled for types with value checks, so that valid batches are common. */
static void fill_value(rd* r, const vtype* t, uint8_t* dst, int w) {
  int mode = u8(r) & 3;
  if (mode == 0) {
    for (int i = 0; i < w; i++) dst[i] = u8(r);
    return;
  }
  int64_t small = (int8_t)u8(r);
  if (mode == 3) small = (int32_t)u32(r);
  if (t->kind == K_DATE64 && mode != 3) small *= 86400000LL;
  uint8_t le[16];
  uint64_t lo = (uint64_t)small, hi = small < 0 ? ~(uint64_t)0 : 0;
  memcpy(le, &lo, 8);
  memcpy(le + 8, &hi, 8);
  memcpy(dst, le, (size_t)(w < 16 ? w : 16));
  for (int i = 16; i < w; i++) dst[i] = (uint8_t)hi;
}

/* ---- arrays ------------------------------------------------------------------------------- */
static void noop_release(struct ArrowArray* a) { (void)a; }

typedef struct built {
  struct ArrowArray arr;
  const void* bufs[4];
  /* what the reference validator needs */
  int structurally_ok;
  int limit; /* a value > INT32_MAX-64 bytes (writer may answer E_LIMIT) */
  int huge;  /* offset or length beyond any address space: must be rejected */
} built;

#define CAP_ROWS 4096
#define CAP_BYTES (1u << 20)

/* Builds an array of `t` (or of index kind `index_kind` when != -1) that must cover
 * `need` logical elements; `dict_len` bounds the generated indices. Returns 0 if the input
 * asks for something that cannot be backed by honest buffers (caller skips). */
static int build_array(rd* r, const vtype* t, int index_kind, int64_t need, int64_t dict_len, built* b) {
  memset(b, 0, sizeof *b);
  struct ArrowArray* a = &b->arr;
  g_messy = chance(r, 60);
  b->structurally_ok = 1;
  vtype it = {index_kind, 0, 0, 0};
  const vtype* vt = index_kind >= 0 ? &it : t;
  int w = width_of(vt);
  int var = w < 0;
  int64_t extra = chance(r, 200) ? 0 : below(r, 9);
  int64_t length = need + extra;
  if (garbage(r, 6)) { length = need - 1 - (int64_t)below(r, 3); } /* too short */
  if (garbage(r, 2)) length = -1 - (int64_t)below(r, 2);
  int64_t offset = chance(r, 160) ? 0 : below(r, 20);
  if (garbage(r, 2)) offset = -1;
  a->length = length;
  a->offset = offset;
  if (length < 0 || offset < 0 || length < need) b->structurally_ok = 0;
  int64_t span = (length < 0 ? 0 : length) + (offset < 0 ? 0 : offset); /* elements backed */
  if (span > CAP_ROWS) return 0;
  a->n_buffers = var ? 3 : 2;
  if (garbage(r, 4)) {
    a->n_buffers = (int64_t)below(r, 5);
    if (a->n_buffers != (var ? 3 : 2)) b->structurally_ok = 0;
  }
  a->buffers = b->bufs;
  if (garbage(r, 2)) { a->buffers = NULL; b->structurally_ok = 0; }
  a->n_children = 0;
  if (garbage(r, 2)) { a->n_children = 1; b->structurally_ok = 0; static struct ArrowArray* none[1]; a->children = none; }
  a->release = noop_release;
  if (garbage(r, 2)) { a->release = NULL; b->structurally_ok = 0; }

  /* Declared extents no process can back (>= 2^57 elements): must be rejected. The
   * buffers stay small; a writer that accepts reads wild memory. */
  static const int64_t kHuge[] = {INT64_MAX, INT64_MAX - 1, (int64_t)1 << 62, (int64_t)1 << 61, (int64_t)1 << 57,
                                  INT64_MAX / 8 + 1, INT64_MAX / 16 + 1};
  int64_t huge_offset = -1, huge_length = -1;
  if (garbage(r, 3)) {
    if (chance(r, 128)) huge_offset = kHuge[below(r, 7)];
    else huge_length = kHuge[below(r, 7)];
    b->structurally_ok = 0;
    b->huge = 1;
  }
  /* validity */
  int has_validity = chance(r, 120);
  int64_t nulls_declared;
  uint8_t* validity = NULL;
  int64_t nbytes = (span + 7) / 8;
  if (has_validity) {
    validity = buffer(r, (size_t)nbytes, 0);
    int density = u8(r);
    for (int64_t i = 0; i < nbytes; i++) validity[i] = (uint8_t)(u8(r) | (density > 128 ? 0xFF : 0));
    if (chance(r, 30)) memset(validity, 0xFF, (size_t)nbytes);
  }
  switch (u8(r) & 7) {
    case 0: nulls_declared = 0; break;
    case 1: nulls_declared = -1; break;
    case 2: nulls_declared = g_messy ? (int64_t)u64(r) : -1; break; /* garbage */
    default: nulls_declared = has_validity ? 1 + (int64_t)below(r, 10) : 0; break;
  }
  a->null_count = nulls_declared;
  b->bufs[0] = validity;
  if (!validity && nulls_declared != 0 && nulls_declared != -1) b->structurally_ok = 0;

  if (!var) {
    size_t bytes = w == 0 ? (size_t)nbytes : (size_t)span * (size_t)w;
    uint8_t* values = NULL;
    if (bytes > CAP_BYTES) return 0;
    if (!(bytes == 0 && chance(r, 128))) {
      values = buffer(r, bytes, 1);
      if (index_kind >= 0) {
        for (int64_t i = 0; i < span; i++) {
          int64_t k = dict_len > 0 ? (int64_t)below(r, (uint32_t)dict_len) : 0;
          if (garbage(r, 6)) k = dict_len + (int64_t)below(r, 3);
          if (garbage(r, 4)) k = -1 - (int64_t)below(r, 3);
          uint64_t kk = (uint64_t)k;
          if (garbage(r, 2)) kk = u64(r);
          memcpy(values + (size_t)i * (size_t)w, &kk, (size_t)w); /* little endian truncation */
        }
      } else if (w == 0) {
        for (int64_t i = 0; i < nbytes; i++) values[i] = u8(r);
      } else {
        for (int64_t i = 0; i < span; i++) fill_value(r, vt, values + (size_t)i * (size_t)w, w);
      }
    }
    b->bufs[1] = values;
    if (length > 0 && !values && b->structurally_ok) b->structurally_ok = 0; /* refined later */
  } else {
    int large = w == -2;
    size_t ow = large ? 8 : 4;
    int64_t nofs = span + 1;
    uint8_t* offs = NULL;
    int64_t last = 0, first = 0;
    if (!(span == 0 && chance(r, 128))) {
      offs = buffer(r, (size_t)nofs * ow, 1);
      int64_t cur = chance(r, 200) ? 0 : below(r, 50);
      for (int64_t i = 0; i < nofs; i++) {
        int64_t v = cur;
        if (garbage(r, 3)) v = cur - 1 - (int64_t)below(r, 5);      /* decrease */
        if (garbage(r, 1)) v = large ? (int64_t)u64(r) : (int32_t)u32(r); /* garbage */
        if (large) memcpy(offs + (size_t)i * 8, &v, 8);
        else { int32_t v32 = (int32_t)v; memcpy(offs + (size_t)i * 4, &v32, 4); v = v32; }
        if (v >= cur) cur = v;
        cur += chance(r, 100) ? 0 : below(r, 12);
      }
    }
    /* honest data size: the largest offset in the declared range (>= 0) */
    int64_t maxo = 0;
    if (offs) {
      for (int64_t i = (offset < 0 ? 0 : offset); i < nofs; i++) {
        int64_t v;
        if (large) memcpy(&v, offs + (size_t)i * 8, 8);
        else { int32_t v32; memcpy(&v32, offs + (size_t)i * 4, 4); v = v32; }
        if (v > maxo) maxo = v;
      }
      int64_t o = offset < 0 ? 0 : offset;
      int64_t e = o + (length < 0 ? 0 : length);
      if (large) { memcpy(&first, offs + (size_t)o * 8, 8); memcpy(&last, offs + (size_t)e * 8, 8); }
      else { int32_t f32, l32; memcpy(&f32, offs + (size_t)o * 4, 4); memcpy(&l32, offs + (size_t)e * 4, 4); first = f32; last = l32; }
    }
    /* Exactly the bytes the last offset of the declared range implies, when the offsets
     * are valid; otherwise (the writer must reject) up to the maximum, capped. */
    int64_t data_size = last > 0 ? last : 0;
    if (maxo > data_size) data_size = maxo; /* invalid offsets: be generous, must be rejected anyway */
    uint8_t* data = NULL;
    if (data_size > (int64_t)CAP_BYTES) {
      /* Cannot back it honestly: only fine if the offsets are invalid in the used range
       * anyway; keep a small buffer and let the reference decide. */
      data_size = 64;
      b->limit = 2; /* marker: data not honestly backed */
    }
    if (!(last == first && chance(r, 128))) {
      data = buffer(r, (size_t)data_size, 0);
      for (int64_t i = 0; i < data_size; i++) data[i] = u8(r) & 0x7F;
    }
    b->bufs[1] = offs;
    b->bufs[2] = data;
  }
  if (huge_offset >= 0) a->offset = huge_offset;
  if (huge_length >= 0) a->length = huge_length;
  return 1;
}

static int64_t read_offset(const struct ArrowArray* a, int large, int64_t i) {
  if (large) { int64_t v; memcpy(&v, (const uint8_t*)a->buffers[1] + i * 8, 8); return v; }
  int32_t v;
  memcpy(&v, (const uint8_t*)a->buffers[1] + i * 4, 4);
  return v;
}
static int bit(const void* bm, int64_t i) { return (((const uint8_t*)bm)[i >> 3] >> (i & 7)) & 1; }

/* Reference check of one array's buffers over absolute elements [o, o+n): 1 valid,
 * 0 invalid, 2 value too long (E_LIMIT), -1 data not honestly backed (skip input). */
static int ref_array(const built* b, const vtype* vt, int64_t rel, int64_t n) {
  const struct ArrowArray* a = &b->arr;
  if (!b->structurally_ok) {
    /* structurally_ok marks only what build_array knew; recompute the part that depends
     * on the need: */
  }
  if (b->huge) return 0;
  if (a->release == NULL || a->length < 0 || a->offset < 0 || a->length - rel < n) return 0;
  int w = width_of(vt);
  if (a->n_buffers != (w < 0 ? 3 : 2) || !a->buffers || a->n_children != 0) return 0;
  if (!a->buffers[0] && a->null_count != 0 && a->null_count != -1) return 0;
  if (n == 0) return 1;
  if (w >= 0) return a->buffers[1] != NULL;
  if (!a->buffers[1]) return 0;
  int large = w == -2;
  int64_t o = a->offset + rel;
  int64_t prev = read_offset(a, large, o);
  if (prev < 0) return 0;
  int limit = 0;
  for (int64_t i = 1; i <= n; i++) {
    int64_t cur = read_offset(a, large, o + i);
    if (cur < prev) return limit ? 2 : 0;
    if (cur - prev > INT32_MAX - 64) limit = 1;
    prev = cur;
  }
  if (limit) return 2;
  int64_t first = read_offset(a, large, o);
  if (prev > first && !a->buffers[2]) return 0;
  if (b->limit == 2) return -1;
  return 1;
}

static int present_in(const struct ArrowArray* a, int64_t abs) {
  if (a->null_count == 0 || !a->buffers[0]) return 1;
  return bit(a->buffers[0], abs);
}

static int64_t read_index_ref(const struct ArrowArray* a, int kind, int64_t abs) {
  const uint8_t* p = a->buffers[1];
  switch (kind) {
    case K_I8: return (int8_t)p[abs];
    case K_U8: return p[abs];
    case K_I16: { int16_t v; memcpy(&v, p + abs * 2, 2); return v; }
    case K_U16: { uint16_t v; memcpy(&v, p + abs * 2, 2); return v; }
    case K_I32: { int32_t v; memcpy(&v, p + abs * 4, 4); return v; }
    case K_U32: { uint32_t v; memcpy(&v, p + abs * 4, 4); return v; }
    case K_I64: { int64_t v; memcpy(&v, p + abs * 8, 8); return v; }
    case K_U64: { uint64_t v; memcpy(&v, p + abs * 8, 8); return v > INT64_MAX ? -1 : (int64_t)v; }
  }
  return -1;
}

/* ---- one batch ------------------------------------------------------------------------- */
#define MAX_COLS 4
typedef struct batch {
  struct ArrowArray top;
  const void* top_bufs[1];
  struct ArrowArray* kids[MAX_COLS];
  built cols[MAX_COLS];
  built dicts[MAX_COLS];
  int expect; /* 1 valid, 0 invalid, 2 limit */
} batch;

static void noop_release_top(struct ArrowArray* a) { (void)a; }

/* Returns 0 to skip the input. */
static int build_batch(rd* r, const colspec* cs, int ncols, batch* B) {
  memset(B, 0, sizeof *B);
  int64_t len = below(r, 4) == 0 ? below(r, 600) : below(r, 40);
  if (chance(r, 8)) len = 0;
  int64_t off = chance(r, 180) ? 0 : below(r, 16);
  int expect = 1;
  struct ArrowArray* t = &B->top;
  t->length = len;
  t->offset = off;
  if (chance(r, 2)) { t->length = -1; expect = 0; }
  if (chance(r, 2)) { t->offset = -1; expect = 0; }
  t->n_buffers = 1;
  if (chance(r, 2)) { t->n_buffers = below(r, 3); if (t->n_buffers != 1) expect = 0; }
  t->buffers = B->top_bufs;
  t->n_children = ncols;
  if (chance(r, 2)) { t->n_children = (int64_t)below(r, MAX_COLS + 1); if (t->n_children != ncols) expect = 0; }
  t->children = B->kids;
  if (chance(r, 1)) { t->children = NULL; expect = 0; }
  t->release = noop_release_top;
  if (chance(r, 2)) { t->release = NULL; expect = 0; }
  int64_t nb = (off + len + 7) / 8;
  t->null_count = 0;
  if (chance(r, 20)) {
    uint8_t* v = buffer(r, (size_t)nb, 0);
    memset(v, 0xFF, (size_t)nb);
    if (chance(r, 64) && len > 0) {
      int64_t i = off + below(r, (uint32_t)len);
      v[i >> 3] &= (uint8_t)~(1u << (i & 7));
      expect = 0;
    }
    B->top_bufs[0] = v;
    t->null_count = chance(r, 128) ? -1 : 1;
  }
  int64_t need = off + len;
  for (int c = 0; c < ncols; c++) {
    const colspec* s = &cs[c];
    B->kids[c] = &B->cols[c].arr;
    int64_t dict_len = 0;
    built* d = &B->dicts[c];
    if (s->is_dict) {
      int64_t dneed = below(r, 3) == 0 ? 0 : 1 + below(r, 30);
      if (!build_array(r, &s->v, -1, dneed, 0, d)) return 0;
      dict_len = d->arr.length > 0 ? d->arr.length : 0;
      if (dict_len > 1000) dict_len = 1000; /* huge (garbage) dictionary length: indices stay small */
    }
    if (!build_array(r, &s->v, s->is_dict ? s->index_kind : -1, need, dict_len, &B->cols[c])) return 0;
    if (s->is_dict) {
      B->cols[c].arr.dictionary = &d->arr;
      if (chance(r, 3)) B->cols[c].arr.dictionary = NULL;
    }
    if (chance(r, 1)) B->kids[c] = NULL;
  }
  if (garbage(r, 2)) { /* batch extent beyond any address space: children cannot cover it */
    static const int64_t kHugeB[] = {INT64_MAX, (int64_t)1 << 62, (int64_t)1 << 57};
    if (chance(r, 128)) t->offset = kHugeB[below(r, 3)];
    else t->length = kHugeB[below(r, 3)];
    if (t->buffers) B->top_bufs[0] = NULL;
    B->expect = 0;
    return 1;
  }
  if (t->n_children != ncols || !t->children || t->release == NULL || t->length < 0 || t->offset < 0 ||
      t->n_buffers != 1) {
    B->expect = 0;
    return 1;
  }
  /* struct validity */
  if (expect && t->null_count != 0 && t->buffers[0]) {
    for (int64_t i = 0; i < len; i++)
      if (!bit(t->buffers[0], off + i)) expect = 0;
  }
  /* columns: first failure decides, in column order (INVALID vs LIMIT) */
  for (int c = 0; c < ncols && expect == 1; c++) {
    const colspec* s = &cs[c];
    const struct ArrowArray* a = B->kids[c];
    if (!a) { expect = 0; break; }
    vtype it = {s->index_kind, 0, 0, 0};
    int rc = ref_array(&B->cols[c], s->is_dict ? &it : &s->v, off, len);
    if (rc == -1) return 0;
    if (rc != 1) { expect = rc; break; }
    const struct ArrowArray* d = a->dictionary;
    if (s->is_dict && len > 0) {
      if (!d) { expect = 0; break; }
      if (d->length < 0 || d->offset < 0) { expect = 0; break; }
      rc = ref_array(&B->dicts[c], &s->v, 0, d->length);
      if (rc == -1) return 0;
      if (rc != 1) { expect = rc; break; }
    }
    int w = width_of(&s->v);
    for (int64_t i = 0; i < len; i++) {
      int64_t abs = a->offset + off + i;
      int present = present_in(a, abs);
      const struct ArrowArray* va = a;
      int64_t vabs = abs;
      if (present && s->is_dict) {
        int64_t k = read_index_ref(a, s->index_kind, abs);
        if (k < 0 || k >= d->length) { expect = 0; break; }
        va = d;
        vabs = d->offset + k;
        present = present_in(d, vabs);
      }
      if (!present) {
        if (!s->nullable) { expect = 0; break; }
        continue;
      }
      if (w > 0 && !value_ok(&s->v, (const uint8_t*)va->buffers[1] + vabs * w)) { expect = 0; break; }
    }
  }
  B->expect = expect;
  return 1;
}

/* ---- schema ------------------------------------------------------------------------------ */
static void noop_schema_release(struct ArrowSchema* s) { (void)s; }

typedef struct schema_storage {
  struct ArrowSchema top, kids[MAX_COLS], dicts[MAX_COLS], dictdict;
  struct ArrowSchema* kidp[MAX_COLS];
} schema_storage;

static void vtype_format(const vtype* v, char* out, size_t n) {
  if (v->kind == K_FSB) snprintf(out, n, "w:%d", v->fsb_width);
  else if (v->kind == K_DEC) snprintf(out, n, "d:%d,%d%s", v->prec, v->scale, v->prec & 1 ? ",128" : "");
  else snprintf(out, n, "%s", kSimple[v->kind]);
}

/* Returns 1 if the schema is expected to open (0 = must fail). */
static int build_schema(rd* r, colspec* cs, int ncols, schema_storage* S) {
  memset(S, 0, sizeof *S);
  int ok = 1;
  S->top.format = "+s";
  S->top.name = "";
  S->top.n_children = ncols;
  S->top.children = S->kidp;
  S->top.release = noop_schema_release;
  for (int c = 0; c < ncols; c++) {
    colspec* s = &cs[c];
    memset(s, 0, sizeof *s);
    s->v.kind = (int)below(r, K_COUNT);
    s->v.fsb_width = 1 + (int)below(r, chance(r, 250) ? 40 : 70000);
    s->v.prec = 1 + (int)below(r, 38);
    s->v.scale = (int)below(r, (uint32_t)s->v.prec + 1);
    s->is_dict = chance(r, 70);
    s->index_kind = kIndexKinds[below(r, 8)];
    s->nullable = chance(r, 170);
    s->encoding = chance(r, 128) ? 0 : (int)below(r, 7);
    snprintf(s->name, sizeof s->name, "c%d", c);
    struct ArrowSchema* f = &S->kids[c];
    S->kidp[c] = f;
    f->name = s->name;
    f->flags = s->nullable ? ARROW_FLAG_NULLABLE : 0;
    f->release = noop_schema_release;
    vtype_format(&s->v, s->fmt, sizeof s->fmt);
    if (s->is_dict) {
      snprintf(s->dfmt, sizeof s->dfmt, "%s", s->fmt);
      snprintf(s->fmt, sizeof s->fmt, "%s", kSimple[s->index_kind]);
      struct ArrowSchema* d = &S->dicts[c];
      d->format = s->dfmt;
      d->name = "";
      d->release = noop_schema_release;
      f->dictionary = d;
      if (chance(r, 2)) { d->dictionary = &S->dictdict; S->dictdict.format = "i"; S->dictdict.release = noop_schema_release; ok = 0; }
      if (chance(r, 2)) { snprintf(s->fmt, sizeof s->fmt, "%s", chance(r, 128) ? "f" : "u"); ok = 0; }
    }
    f->format = s->fmt;
    if (chance(r, 3)) {
      const char* bad = kBadFormats[below(r, N_BAD)];
      if (s->is_dict) S->dicts[c].format = bad;
      else f->format = bad;
      ok = 0;
    }
    if (chance(r, 2)) { f->n_children = 1; ok = 0; }
    if (chance(r, 2)) { f->release = NULL; ok = 0; }
    if (chance(r, 2)) { f->name = chance(r, 128) ? NULL : ""; ok = 0; }
    if (chance(r, 2) && c > 0) { f->name = "c0"; ok = 0; }
    /* encodings that cannot apply -> CONFIG at open (not an oracle failure, just no batches) */
  }
  return ok;
}

/* ---- the target ---------------------------------------------------------------------------- */
static char g_path[256], g_temp[300];
/* Coverage of the oracles, printed at exit when FUZZ_STATS is set. */
static long st_inputs, st_open_ok, st_ok_batches, st_rows, st_rejected, st_published, st_compared, st_dead;
static void print_stats(void) {
  if (getenv("FUZZ_STATS"))
    fprintf(stderr, "stats: inputs %ld open_ok %ld accepted %ld (rows %ld) rejected %ld published %ld compared %ld dead-after-fault %ld\n",
            st_inputs, st_open_ok, st_ok_batches, st_rows, st_rejected, st_published, st_compared, st_dead);
}

static int file_exists(const char* p) {
  struct stat st;
  return lstat(p, &st) == 0;
}

static uint8_t* slurp(const char* p, size_t* n) {
  FILE* f = fopen(p, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long sz = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t* b = malloc((size_t)sz + 1);
  *n = fread(b, 1, (size_t)sz, f);
  fclose(f);
  return b;
}

static void noop_event(const artemis_event* ev, void* payload) { (void)ev; (void)payload; }

#define MAX_BATCHES 6

typedef struct run_result {
  int published;
  uint8_t* file;
  size_t file_len;
} run_result;

/* Runs the writer over `batches` (skipping those with skip[i]); checks all oracles. */
static void run(const schema_storage* S, const colspec* cs, int ncols, artemis_writer_options* o, actx* ac,
                batch* B, int nb, const int* skip, int inject, run_result* out) {
  memset(out, 0, sizeof *out);
  unlink(g_path);
  unlink(g_temp);
  artemis_column_option map[MAX_COLS];
  for (int c = 0; c < ncols; c++) map[c] = (artemis_column_option){cs[c].name, (artemis_column_encoding)cs[c].encoding, 0};
  o->columns = map;
  o->column_count = (size_t)ncols;
  artemis_writer* w = NULL;
  artemis_error err;
  int rc = artemis_writer_open(&w, g_path, &S->top, o, &err);
  if (rc != ARTEMIS_OK) {
    if (w) DIE("open failed but set *out");
    if (file_exists(g_path) || file_exists(g_temp)) DIE("open failed (%d) but left a file", rc);
    if (ac->live) DIE("open failed and leaked %ld allocations", ac->live);
    out->published = -1;
    return;
  }
  int dead = 0;
  st_open_ok++;
  for (int i = 0; i < nb; i++) {
    if (skip && skip[i]) continue;
    int64_t before = artemis_writer_rows(w);
    rc = artemis_writer_write(w, &B[i].top, &err);
    if (dead) {
      if (rc != ARTEMIS_E_STATE) DIE("write after failure returned %d, not E_STATE", rc);
      continue;
    }
    int injected = inject && (ac->failed || g_io_failed);
    if (rc == ARTEMIS_OK) {
      if (B[i].expect != 1) DIE("batch %d accepted but the reference says %d", i, B[i].expect);
      st_ok_batches++;
      st_rows += B[i].top.length;
      continue;
    }
    if (rc == ARTEMIS_E_INVALID_INPUT || (rc == ARTEMIS_E_LIMIT && B[i].expect == 2 && artemis_writer_rows(w) == before)) {
      if (B[i].expect == 1) DIE("batch %d rejected (%d: %s) but the reference says valid", i, rc, err.message);
      if (artemis_writer_rows(w) != before) DIE("rejected batch changed the row count");
      st_rejected++;
      continue;
    }
    if (B[i].expect == 0) DIE("invalid batch %d gave %d (%s), not INVALID_INPUT", i, rc, err.message);
    if (!injected && rc != ARTEMIS_E_LIMIT) DIE("valid batch %d failed with %d: %s", i, rc, err.message);
    dead = 1;
    st_dead++;
  }
  artemis_write_summary* summary = NULL;
  rc = artemis_writer_close(w, &summary, &err);
  if (dead && rc != ARTEMIS_E_STATE) DIE("close after failure returned %d", rc);
  if (rc == ARTEMIS_OK) {
    if (!summary) DIE("close OK without summary");
    artemis_write_summary_free(summary);
    if (!file_exists(g_path) || file_exists(g_temp)) DIE("close OK but files wrong");
    out->published = 1;
    st_published++;
    out->file = slurp(g_path, &out->file_len);
  } else {
    if (summary) DIE("close failed but gave a summary");
    if (!dead && !(inject && (ac->failed || g_io_failed))) DIE("close failed without an injected fault: %d %s", rc, err.message);
    if (file_exists(g_path) || file_exists(g_temp)) DIE("close failed but left a file");
  }
  if (ac->live) DIE("writer leaked %ld allocations through the allocator", ac->live);
  unlink(g_path);
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (!g_path[0]) {
    snprintf(g_path, sizeof g_path, "/dev/shm/fuzz-cdata-%d.parquet", (int)getpid());
    snprintf(g_temp, sizeof g_temp, "%s.inprogress", g_path);
  }
  rd r = {data, size};
  st_inputs++;
  int ncols = 1 + (int)below(&r, MAX_COLS);
  colspec cs[MAX_COLS];
  static schema_storage S;
  int schema_ok = build_schema(&r, cs, ncols, &S);

  artemis_writer_options o;
  artemis_writer_options_init(&o);
  o.durable = 0;
  o.row_group_target_bytes = chance(&r, 128) ? (int64_t)(1 + below(&r, 4096)) : (int64_t)1 << 27;
  if (chance(&r, 8)) o.row_group_target_bytes = INT64_MAX - (int64_t)below(&r, 3);
  if (chance(&r, 4)) o.data_page_target_bytes = (int64_t)1 << 30;
  if (chance(&r, 4)) o.data_page_max_rows = (int64_t)1 << 30;
  if (chance(&r, 4)) o.dictionary_limit_bytes = (int64_t)1 << 30;
  if (chance(&r, 4)) o.statistics_truncate_bytes = INT32_MAX;
  o.data_page_target_bytes = chance(&r, 128) ? (int64_t)(1 + below(&r, 2048)) : 1 << 20;
  o.data_page_max_rows = chance(&r, 128) ? (int64_t)(1 + below(&r, 100)) : 20000;
  o.dictionary_limit_bytes = chance(&r, 128) ? (int64_t)(1 + below(&r, 512)) : 1 << 20;
  o.compression = chance(&r, 128) ? ARTEMIS_COMPRESSION_UNCOMPRESSED : ARTEMIS_COMPRESSION_ZSTD;
  o.compression_level = 1;
  o.statistics_enabled = !chance(&r, 30);
  o.page_index_enabled = !chance(&r, 30);
  o.statistics_truncate_bytes = chance(&r, 128) ? (int32_t)below(&r, 20) : 64;
  if (chance(&r, 60)) o.on_event = noop_event;
  actx ac = {0, 0, 0, 0};
  artemis_allocator alloc = {a_alloc, a_realloc, a_free, &ac};
  o.allocator = &alloc;
  int inject_mode = u8(&r);
  long inject_at = (long)(1 + below(&r, 400));

  static batch B[MAX_BATCHES];
  int nb = 1 + (int)below(&r, MAX_BATCHES);
  int built_n = 0;
  for (int i = 0; i < nb; i++) {
    if (!build_batch(&r, cs, ncols, &B[i])) break;
    built_n++;
  }
  if (built_n == 0) { free_all(); return 0; }

  /* Run 1: everything, optionally with one fault. */
  int inject = 0;
  g_write_calls = 0; g_write_fail_at = 0; g_io_failed = 0;
  if (inject_mode < 40) { ac.fail_at = inject_at; inject = 1; }
  else if (inject_mode < 56) { g_write_fail_at = 1 + (inject_at % 8); inject = 1; }
  artemis_set_io_ops_for_testing(&g_io);
  run_result r1, r2;
  run(&S, cs, ncols, &o, &ac, B, built_n, NULL, inject, &r1);
  if (r1.published == -1 && schema_ok && !ac.failed) {
    /* open may legitimately fail on an encoding that does not fit (CONFIG) or an
     * FSB/decimal edge; nothing to compare. */
  }
  if (r1.published != -1 && !schema_ok) DIE("a malformed schema opened");
  /* Run 2: only the valid batches, no faults; the files must be identical. */
  if (r1.published == 1) {
    int skip[MAX_BATCHES] = {0};
    int any_bad = 0;
    for (int i = 0; i < built_n; i++) if (B[i].expect != 1) { skip[i] = 1; any_bad = 1; }
    if (any_bad) {
      actx ac2 = {0, 0, 0, 0};
      alloc.ctx = &ac2;
      g_write_fail_at = 0;
      run(&S, cs, ncols, &o, &ac2, B, built_n, skip, 0, &r2);
      if (r2.published != 1) DIE("second run did not publish");
      if (r1.file_len != r2.file_len || memcmp(r1.file, r2.file, r1.file_len) != 0)
        DIE("a rejected batch changed the output file (%zu vs %zu bytes)", r1.file_len, r2.file_len);
      free(r2.file);
      st_compared++;
    }
    free(r1.file);
  }
  artemis_set_io_ops_for_testing(NULL);
  free_all();
  return 0;
}

__attribute__((constructor)) static void init_io(void) {
  g_io = *artemis_default_io_ops();
  atexit(print_stats);
  g_io.write = fail_write;
}

#ifdef FUZZ_MAIN
int main(int argc, char** argv) {
  for (int i = 1; i < argc; i++) {
    size_t n;
    uint8_t* b = slurp(argv[i], &n);
    if (!b) { perror(argv[i]); return 1; }
    LLVMFuzzerTestOneInput(b, n);
    free(b);
    printf("ok %s\n", argv[i]);
  }
  return 0;
}
#endif
