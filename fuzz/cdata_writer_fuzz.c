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
 *   - a schema the reference calls valid, with encodings that fit, opens (absent faults).
 *   - bytes the writer must never read (views, fixed-width values and dictionary indices of
 *     null slots, and of slots outside the batch's range) are overwritten with garbage
 *     before the second run; the file must not change ("null slots are never read").
 *
 * Types: every flat type the writer takes, including utf8_view / binary_view ("vu", "vz":
 * buffers validity, views, the variadic data buffers, and last an int64 array of their
 * sizes; each data buffer is allocated at exactly its declared size, so a view the writer
 * fails to bound is an ASan report), decimal32/64/128/256 ("d:p,s[,bits]"; the reference
 * counts the digits of each value by long division, independently of the writer's 10^p
 * limbs), the null type ("n", no buffers) and dictionaries of all of them but null.
 * New kinds are chosen only by kind words >= NEW_KIND_FROM, so inputs from before they
 * existed keep (mostly) their meaning.
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
/* FUZZ_DEBUG=1 in the environment: print what the reference decided, and why. */
static int g_debug = -1;
#define DBG(...) do { if (g_debug > 0) fprintf(stderr, "debug: " __VA_ARGS__); } while (0)
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
  K_TIME64US, K_TIME64NS, K_TSS, K_TSMS, K_TSUS, K_TSNS,
  K_COUNT_OLD, /* kinds before views/null/decimal32/64/256: their inputs keep their meaning */
  K_UTF8V = K_COUNT_OLD, K_BINV, K_NULL, K_DEC32, K_DEC64, K_DEC256, K_COUNT
};
/* Kind words at or above this pick one of the new kinds (37.5% of columns). */
#define NEW_KIND_FROM 0xA000u
static const char* const kSimple[K_COUNT] = {
    "b", "c", "C", "s", "S", "i", "I", "l", "L", "e", "f", "g", "u", "U", "z", "Z", NULL, NULL,
    "tdD", "tdm", "tts", "ttm", "ttu", "ttn", "tss:", "tsm:", "tsu:UTC", "tsn:Europe/Paris",
    "vu", "vz", "n", NULL, NULL, NULL};
static int is_view_kind(int k) { return k == K_UTF8V || k == K_BINV; }
static int is_dec_kind(int k) { return k == K_DEC || k == K_DEC32 || k == K_DEC64 || k == K_DEC256; }
static int dec_bits(int k) { return k == K_DEC32 ? 32 : k == K_DEC64 ? 64 : k == K_DEC256 ? 256 : 128; }
static int dec_max_precision(int k) { return k == K_DEC32 ? 9 : k == K_DEC64 ? 18 : k == K_DEC256 ? 76 : 38; }
static const int kIndexKinds[8] = {K_I8, K_U8, K_I16, K_U16, K_I32, K_U32, K_I64, K_U64};
/* Formats that must never open. */
/* (Same length and order as before views/null/decimal256 existed: "n", "vu", "vz" and
 * "d:10,2,256" now open, so they were replaced in place by formats that still must not.) */
static const char* const kBadFormats[] = {
    "+l", "+s", "+m", "nn", "vuu", "v", "tDs", "tiM", "d:77,2,256", "d:39,2", "d:0,0", "d:5,6", "d:5,-1",
    "w:0", "w:-1", "w:", "w:12a", "d:", "d:5", "tsx:", "ts", "t", "", "x", "ii", "tdd", "d:5,2,128x",
    "d:1234567890,1", "w:1234567890", "+w:2", "+r", "d:38,2,64", "tss", "tt", "ttx", "ZZ"};
#define N_BAD (sizeof kBadFormats / sizeof *kBadFormats)
/* Near misses of the new formats (used for columns of the new kinds). */
static const char* const kBadFormats2[] = {
    "d:10,2,32", "d:19,2,64", "d:0,0,32", "d:5,2,16", "d:5,2,512", "d:9,10,32", "d:3,-1,64", "d:40,2,32",
    "vU", "vb", "vu ", "n:", "N", "d:77,0,256", "d:1,0,256x", "d:1,0,", "d:18,19,64", "d:9,2,032x"};
#define N_BAD2 (sizeof kBadFormats2 / sizeof *kBadFormats2)

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
    case K_DEC: case K_DEC32: case K_DEC64: case K_DEC256: return dec_bits(t->kind) / 8;
    case K_FSB: return t->fsb_width;
    case K_UTF8: case K_BIN: return -1;
    case K_LUTF8: case K_LBIN: return -2;
    case K_UTF8V: case K_BINV: return -3;
    case K_NULL: return -4;
  }
  return 0;
}

/* ---- reference decimal arithmetic (little-endian two's complement, w <= 32 bytes) ------- */
/* Number of decimal digits of |v| (0 for zero), by schoolbook long division by 10 of the
 * big-endian magnitude: independent of the writer's 10^p limb comparison. */
static int ref_decimal_digits(const uint8_t* v, int w) {
  uint8_t mag[32];
  int neg = (v[w - 1] & 0x80) != 0;
  /* magnitude, big-endian */
  unsigned carry = 1;
  for (int i = 0; i < w; i++) {
    unsigned b = v[i];
    if (neg) { b = (~b & 0xFFu) + carry; carry = b >> 8; b &= 0xFFu; }
    mag[w - 1 - i] = (uint8_t)b;
  }
  int digits = 0;
  for (;;) {
    int nonzero = 0;
    for (int i = 0; i < w; i++) if (mag[i]) { nonzero = 1; break; }
    if (!nonzero) return digits;
    unsigned rem = 0;
    for (int i = 0; i < w; i++) {
      unsigned cur = rem * 256u + mag[i];
      mag[i] = (uint8_t)(cur / 10u);
      rem = cur % 10u;
    }
    digits++;
  }
}
/* dst (w bytes LE) = dst * m + add, modulo 2^(8w). */
static void dec_muladd(uint8_t* dst, int w, unsigned m, unsigned add) {
  unsigned carry = add;
  for (int i = 0; i < w; i++) {
    unsigned cur = dst[i] * m + carry;
    dst[i] = (uint8_t)cur;
    carry = cur >> 8;
  }
}
static void dec_negate(uint8_t* dst, int w) {
  unsigned carry = 1;
  for (int i = 0; i < w; i++) {
    unsigned b = (~dst[i] & 0xFFu) + carry;
    dst[i] = (uint8_t)b;
    carry = b >> 8;
  }
}
/* dst += delta (small signed), modulo 2^(8w). */
static void dec_add_small(uint8_t* dst, int w, int delta) {
  uint8_t d[32];
  memset(d, delta < 0 ? 0xFF : 0x00, (size_t)w);
  int64_t dd = delta;
  memcpy(d, &dd, (size_t)(w < 8 ? w : 8));
  unsigned carry = 0;
  for (int i = 0; i < w; i++) {
    unsigned cur = (unsigned)dst[i] + d[i] + carry;
    dst[i] = (uint8_t)cur;
    carry = cur >> 8;
  }
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
      int ok = mag < lim;
      /* the two reference checks must agree */
      if (ok != (ref_decimal_digits(v, 16) <= t->prec)) DIE("reference decimal checks disagree");
      return ok;
    }
    case K_DEC32: case K_DEC64: case K_DEC256: {
      /* at most `precision` digits */
      int digits = ref_decimal_digits(v, dec_bits(t->kind) / 8);
      DBG("decimal%d value of %d digits, precision %d\n", dec_bits(t->kind), digits, t->prec);
      return digits <= t->prec;
    }
    default:
      return 1;
  }
}

/* Fills one value of width w (w>0) with either raw bytes or a small sign-extended number
 * scaled for types with value checks, so that valid batches are common. */
static void fill_decimal(rd* r, const vtype* t, uint8_t* dst, int w);
static void fill_value(rd* r, const vtype* t, uint8_t* dst, int w) {
  if (t->kind == K_DEC32 || t->kind == K_DEC64 || t->kind == K_DEC256) {
    fill_decimal(r, t, dst, w);
    return;
  }
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

/* Decimals of the new widths: raw bytes, small numbers, and values at the precision
 * boundary (10^p - 2, 10^p - 1, 10^p, 10^p + 1, either sign), or p random digits. */
static void fill_decimal(rd* r, const vtype* t, uint8_t* dst, int w) {
  int mode = u8(r) & 7;
  memset(dst, 0, (size_t)w);
  switch (mode) {
    case 0:
      for (int i = 0; i < w; i++) dst[i] = u8(r);
      return;
    case 1: case 2: case 3: {
      int64_t small = mode == 3 ? (int64_t)(int32_t)u32(r) : (int64_t)(int8_t)u8(r);
      memset(dst, small < 0 ? 0xFF : 0x00, (size_t)w);
      memcpy(dst, &small, (size_t)(w < 8 ? w : 8));
      return;
    }
    case 4: case 5: { /* boundary */
      dst[0] = 1;
      for (int i = 0; i < t->prec; i++) dec_muladd(dst, w, 10, 0);
      dec_add_small(dst, w, (int)(u8(r) % 4) - 2);
      if (mode == 5) dec_negate(dst, w);
      return;
    }
    default: { /* up to p (sometimes p + 1) random digits */
      int nd = (int)below(r, (uint32_t)t->prec + 2);
      for (int i = 0; i < nd; i++) dec_muladd(dst, w, 10, u8(r) % 10);
      if (u8(r) & 1) dec_negate(dst, w);
      return;
    }
  }
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
  /* the array's slots (fixed-width values, indices or views), writable for the scramble */
  uint8_t* slots;
  int slot_width;
  int64_t slots_n;
  /* view arrays: bytes really allocated behind each declared data buffer (a declared size
   * above it is a lie the writer may only act on by rejecting the batch) */
  int64_t data_alloc[8];
} built;

#define CAP_ROWS 4096
#define CAP_BYTES (1u << 20)
#define MAX_VAR 6

/* Reference-side bit read (also used by the builders). */
static int bit(const void* bm, int64_t i) { return (((const uint8_t*)bm)[i >> 3] >> (i & 7)) & 1; }

/* Builds a utf8_view / binary_view (w == -3) or null (w == -4) array; same contract as
 * build_array (which has drawn g_messy already). */
static int build_view_or_null(rd* r, int w, int64_t need, built* b) {
  struct ArrowArray* a = &b->arr;
  b->structurally_ok = 1;
  int64_t length = need + (chance(r, 200) ? 0 : (int64_t)below(r, 9));
  if (garbage(r, 6)) length = need - 1 - (int64_t)below(r, 3); /* too short */
  if (garbage(r, 2)) length = -1 - (int64_t)below(r, 2);
  int64_t offset = chance(r, 160) ? 0 : below(r, 20);
  if (garbage(r, 2)) offset = -1;
  a->length = length;
  a->offset = offset;
  int64_t span = (length < 0 ? 0 : length) + (offset < 0 ? 0 : offset);
  if (span > CAP_ROWS) return 0;
  a->n_children = 0;
  if (garbage(r, 2)) { a->n_children = 1; static struct ArrowArray* none[1]; a->children = none; }
  a->release = noop_release;
  if (garbage(r, 2)) a->release = NULL;
  static const int64_t kHuge[] = {INT64_MAX, INT64_MAX - 1, (int64_t)1 << 62, (int64_t)1 << 61, (int64_t)1 << 57,
                                  INT64_MAX / 8 + 1, INT64_MAX / 16 + 1, ((int64_t)1 << 52) + 1};
  int64_t huge_offset = -1, huge_length = -1;
  if (garbage(r, 3)) {
    int64_t h = kHuge[below(r, 8)];
    if (chance(r, 128)) huge_offset = h;
    else huge_length = h;
    /* 2^52 + 1 views need more than 2^56 bytes (the writer's address-space bound); a null
     * array of that extent has no buffers and is fine */
    b->huge = !(w == -4 && h < ((int64_t)1 << 56));
  }
  int64_t nbytes = (span + 7) / 8;

  if (w == -4) { /* null: no buffers at all */
    a->n_buffers = 0;
    const void** none = chance(r, 128) ? NULL : own(malloc(sizeof *none));
    a->buffers = none;
    if (garbage(r, 6)) { /* buffers a null array does not have */
      int64_t nb = 1 + (int64_t)below(r, 3);
      const void** p = own(malloc((size_t)nb * sizeof *p));
      for (int64_t i = 0; i < nb; i++) {
        uint8_t* buf = NULL;
        if (chance(r, 160)) {
          buf = buffer(r, (size_t)nbytes, 0);
          memset(buf, 0, (size_t)nbytes);
        }
        p[i] = buf;
      }
      a->n_buffers = nb;
      a->buffers = p;
    }
    switch (u8(r) & 3) {
      case 0: a->null_count = length; break;
      case 1: a->null_count = -1; break;
      case 2: a->null_count = 0; break; /* inconsistent, but nothing to read */
      default: a->null_count = g_messy ? (int64_t)u64(r) : length; break;
    }
    if (huge_offset >= 0) a->offset = huge_offset;
    if (huge_length >= 0) a->length = huge_length;
    return 1;
  }

  /* views: validity as for the other types */
  int has_validity = chance(r, 120);
  uint8_t* validity = NULL;
  if (has_validity) {
    validity = buffer(r, (size_t)nbytes, 0);
    int density = u8(r);
    for (int64_t i = 0; i < nbytes; i++) validity[i] = (uint8_t)(u8(r) | (density > 128 ? 0xFF : 0));
    if (chance(r, 30)) memset(validity, 0xFF, (size_t)nbytes);
  }
  int64_t nulls_declared;
  switch (u8(r) & 7) {
    case 0: nulls_declared = 0; break;
    case 1: nulls_declared = -1; break;
    case 2: nulls_declared = g_messy ? (int64_t)u64(r) : -1; break;
    default: nulls_declared = has_validity ? 1 + (int64_t)below(r, 10) : 0; break;
  }
  a->null_count = nulls_declared;

  /* variadic data buffers: `real` bytes of content each; the declared size is normally the
   * same, and the allocation is exactly the declared size (or `real` when the declared size
   * is a lie above it) */
  int nvar = (int)below(r, 4);
  if (chance(r, 16)) nvar = (int)below(r, MAX_VAR + 1);
  uint8_t* data[MAX_VAR] = {0};
  int64_t real[MAX_VAR] = {0}, declared[MAX_VAR] = {0};
  for (int j = 0; j < nvar; j++) {
    real[j] = chance(r, 40) ? below(r, 13) : chance(r, 30) ? below(r, 4000) : below(r, 160);
    declared[j] = real[j];
    int lie = 0;
    if (garbage(r, 12)) declared[j] = real[j] - 1 - (int64_t)below(r, (uint32_t)(real[j] < 40 ? real[j] : 40) + 1);
    if (garbage(r, 3)) declared[j] = chance(r, 128) ? INT64_MIN : -1 - (int64_t)below(r, 3);
    if (garbage(r, 4)) {
      static const int64_t kLie[] = {(int64_t)INT32_MAX + 1, (int64_t)1 << 32, (int64_t)1 << 40, INT64_MAX};
      declared[j] = kLie[below(r, 4)];
      lie = 1;
    }
    int64_t alloc = lie ? real[j] : declared[j] < 0 ? 0 : declared[j];
    uint8_t* d = buffer(r, (size_t)alloc, 1);
    for (int64_t i = 0; i < alloc; i++) d[i] = u8(r);
    b->data_alloc[j] = alloc;
    data[j] = d;
    if (garbage(r, 8) || (declared[j] == 0 && chance(r, 60))) data[j] = NULL;
  }

  uint8_t* views = NULL;
  if (!(span == 0 && chance(r, 128))) views = buffer(r, (size_t)span * 16, 1);
  for (int64_t i = 0; i < span; i++) {
    uint8_t* v = views + 16 * i;
    memset(v, 0, 16);
    int is_null = validity && nulls_declared != 0 && !bit(validity, i);
    if (is_null && chance(r, 100)) { /* garbage in a null slot: never to be read */
      for (int k = 0; k < 16; k++) v[k] = u8(r);
      continue;
    }
    int32_t len, idx = 0, off = 0;
    int j = nvar ? (int)below(r, (uint32_t)nvar) : -1;
    int is_long = j >= 0 && real[j] >= 13 && chance(r, 140);
    if (is_long) {
      len = 13 + (int32_t)below(r, (uint32_t)(real[j] - 12));
      off = (int32_t)below(r, (uint32_t)(real[j] - len + 1));
      idx = j;
    } else {
      len = (int32_t)below(r, 13);
      for (int k = 0; k < len; k++) v[4 + k] = u8(r);
      if (garbage(r, 20)) for (int k = len; k < 12; k++) v[4 + k] = u8(r); /* padding not zero */
    }
    if (garbage(r, 40)) {
      if (!is_long) { /* most corruptions concern out-of-line views */
        is_long = 1;
        len = 13 + (int32_t)below(r, 40);
        idx = j >= 0 ? j : 0;
        off = (int32_t)below(r, 50);
      }
      switch (u8(r) & 7) {
        case 0: len = -1 - (int32_t)below(r, 3); break;
        case 1: len = chance(r, 128) ? INT32_MIN : -13; break;
        case 2: len = INT32_MAX - (int32_t)below(r, 70); break; /* around the 2 GiB limit */
        case 3: idx = nvar + (int32_t)below(r, 3); break;
        case 4: idx = chance(r, 128) ? INT32_MIN : -1 - (int32_t)below(r, 2); break;
        case 5: off = chance(r, 128) ? INT32_MIN : -1 - (int32_t)below(r, 3); break;
        case 6: off = (int32_t)((j >= 0 ? real[j] : 0) - len + 1 + (int64_t)below(r, 4)); break; /* just past the end */
        default: off = INT32_MAX - (int32_t)below(r, 8); break;
      }
    }
    memcpy(v, &len, 4);
    if (is_long) {
      /* prefix: the first 4 bytes (the writer does not check it) */
      if (idx >= 0 && idx < nvar && off >= 0 && len >= 4 && (int64_t)off + 4 <= b->data_alloc[idx] && data[idx])
        memcpy(v + 4, data[idx] + off, 4);
      if (garbage(r, 10)) for (int k = 4; k < 8; k++) v[k] = u8(r);
      memcpy(v + 8, &idx, 4);
      memcpy(v + 12, &off, 4);
    }
    if (garbage(r, 3)) for (int k = 0; k < 16; k++) v[k] = u8(r);
  }

  /* declared buffer count: all data buffers, or fewer (views into the dropped ones are out
   * of range; the size array then has only the declared ones) */
  int ndecl = nvar;
  if (nvar > 0 && garbage(r, 8)) ndecl = (int)below(r, (uint32_t)nvar);
  uint8_t* sizes = buffer(r, (size_t)ndecl * 8, 1);
  memcpy(sizes, declared, (size_t)ndecl * 8);
  int64_t nb = 3 + ndecl;
  const void** ptrs = own(malloc((size_t)nb * sizeof *ptrs));
  ptrs[0] = validity;
  ptrs[1] = views;
  for (int j = 0; j < ndecl; j++) ptrs[2 + j] = data[j];
  ptrs[nb - 1] = sizes;
  if (garbage(r, 4)) ptrs[nb - 1] = NULL;
  if (garbage(r, 3)) ptrs[1] = NULL;
  if (garbage(r, 4)) { /* fewer than 3 buffers (an exact pointer array of that many) */
    int64_t k = (int64_t)below(r, 3);
    const void** p = own(malloc((size_t)(k ? k : 1) * sizeof *p));
    for (int64_t i = 0; i < k; i++) p[i] = ptrs[i];
    nb = k;
    ptrs = p;
  }
  a->n_buffers = nb;
  a->buffers = ptrs;
  if (garbage(r, 2)) a->buffers = NULL;
  b->slots = views;
  b->slot_width = 16;
  b->slots_n = views ? span : 0;
  if (huge_offset >= 0) a->offset = huge_offset;
  if (huge_length >= 0) a->length = huge_length;
  return 1;
}

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
  if (w <= -3) return build_view_or_null(r, w, need, b);
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
    if (w > 0 && values) { b->slots = values; b->slot_width = w; b->slots_n = span; }
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
static int ref_view(const built* b, int64_t rel, int64_t n);
static int ref_null(const built* b, int64_t rel, int64_t n);

/* Reference check of one array's buffers over absolute elements [o, o+n): 1 valid,
 * 0 invalid, 2 value too long (E_LIMIT), -1 data not honestly backed (skip input). */
static int ref_array(const built* b, const vtype* vt, int64_t rel, int64_t n) {
  if (is_view_kind(vt->kind)) return ref_view(b, rel, n);
  if (vt->kind == K_NULL) return ref_null(b, rel, n);
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

/* Views (Columnar.rst "Variable-size Binary View Layout", CDataInterface.rst "Binary view
 * arrays"): buffers = validity, views, the data buffers, int64 sizes of the data buffers;
 * n_buffers = 3 + number of data buffers. Each non-null view in the range: length >= 0;
 * length <= 12 is inline; else the buffer index is one of the data buffers, offset >= 0,
 * [offset, offset + length) within that buffer's declared size, and the buffer exists.
 * Lengths > INT32_MAX - 64 are E_LIMIT (a Parquet page holds at most 2 GiB). The prefix
 * and the inline padding are not checked (the writer copies the data bytes only). */
/* A huge view (length > INT32_MAX - 64) that points outside its data buffer (or into no
 * buffer) must be INVALID_INPUT, not E_LIMIT: the range is checked first (the spec: it must
 * lie within the buffer). This fuzzer found the opposite order; fixed in view_array().
 * FUZZ_STRICT_VIEW_LIMIT=0 accepts either answer (for bisecting old builds). */
#ifndef FUZZ_STRICT_VIEW_LIMIT
#define FUZZ_STRICT_VIEW_LIMIT 1
#endif
static int ref_view(const built* b, int64_t rel, int64_t n) {
  const struct ArrowArray* a = &b->arr;
  if (b->huge) return 0;
  if (a->release == NULL || a->length < 0 || a->offset < 0 || a->length - rel < n) return 0;
  if (a->n_buffers < 3 || !a->buffers || a->n_children != 0) return 0;
  if (!a->buffers[0] && a->null_count != 0 && a->null_count != -1) return 0;
  if (n == 0) return 1;
  const uint8_t* views = a->buffers[1];
  if (!views) return 0;
  int64_t ndata = a->n_buffers - 3;
  const uint8_t* sizes = a->buffers[a->n_buffers - 1];
  if (ndata > 0 && !sizes) return 0;
  int relies_on_lie = 0, n_null = 0, n_long = 0;
  for (int64_t i = a->offset + rel; i < a->offset + rel + n; i++) {
    if (!present_in(a, i)) { n_null++; continue; }
    const uint8_t* v = views + 16 * i;
    int32_t len, idx, off;
    memcpy(&len, v, 4);
    memcpy(&idx, v + 8, 4);
    memcpy(&off, v + 12, 4);
    if (len < 0) return 0;
    if (len <= 12) continue;
    int bad_huge = FUZZ_STRICT_VIEW_LIMIT || len <= INT32_MAX - 64 ? 0 : 3;
    if (idx < 0 || idx >= ndata) return bad_huge;
    int64_t size;
    memcpy(&size, sizes + 8 * idx, 8);
    if (off < 0 || (int64_t)off + (int64_t)len > size) return bad_huge;
    if (!a->buffers[2 + idx]) return bad_huge;
    if (len > INT32_MAX - 64) return 2;
    if ((int64_t)off + len > b->data_alloc[idx]) relies_on_lie = 1;
    n_long++;
  }
  DBG("valid views: %lld data buffers, %d out-of-line, %d null of %lld\n", (long long)ndata, n_long, n_null, (long long)n);
  return relies_on_lie ? -1 : 1;
}

/* The null type: no buffers, no children; every element null (null_count not used). */
static int ref_null(const built* b, int64_t rel, int64_t n) {
  const struct ArrowArray* a = &b->arr;
  if (b->huge) return 0;
  if (a->release == NULL || a->length < 0 || a->offset < 0 || a->length - rel < n) return 0;
  return a->n_buffers == 0 && a->n_children == 0;
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
  int expect; /* 1 valid, 0 invalid, 2 limit, 3 invalid or the known E_LIMIT (FUZZ_STRICT_VIEW_LIMIT) */
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
    DBG("col %d fmt %s dict %s: array len %lld off %lld nbuf %lld nulls %lld -> %d\n", c, s->fmt, s->is_dict ? s->dfmt : "-",
        (long long)a->length, (long long)a->offset, (long long)a->n_buffers, (long long)a->null_count, rc);
    if (rc == -1) return 0;
    if (rc != 1) { expect = rc; break; }
    if (s->v.kind == K_NULL) continue; /* all null, always optional (dictionary<null> never opens) */
    const struct ArrowArray* d = a->dictionary;
    if (s->is_dict && len > 0) {
      if (!d) { expect = 0; break; }
      if (d->length < 0 || d->offset < 0) { expect = 0; break; }
      rc = ref_array(&B->dicts[c], &s->v, 0, d->length);
      DBG("col %d dictionary len %lld off %lld nbuf %lld nulls %lld -> %d\n", c, (long long)d->length, (long long)d->offset,
          (long long)d->n_buffers, (long long)d->null_count, rc);
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
        if (!s->nullable) { DBG("col %d row %lld null in a non-nullable column\n", c, (long long)i); expect = 0; break; }
        continue;
      }
      if (w > 0 && !value_ok(&s->v, (const uint8_t*)va->buffers[1] + vabs * w)) {
        DBG("col %d row %lld value rejected\n", c, (long long)i);
        expect = 0;
        break;
      }
    }
  }
  DBG("batch len %lld off %lld: expect %d\n", (long long)len, (long long)off, expect);
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
  else if (is_dec_kind(v->kind)) snprintf(out, n, "d:%d,%d,%d", v->prec, v->scale, dec_bits(v->kind));
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
    uint16_t kind_word = u16(r);
    s->v.kind = (int)(kind_word % K_COUNT_OLD);
    if (kind_word >= NEW_KIND_FROM) s->v.kind = K_COUNT_OLD + (int)((kind_word - NEW_KIND_FROM) % (K_COUNT - K_COUNT_OLD));
    int new_kind = s->v.kind >= K_COUNT_OLD;
    s->v.fsb_width = 1 + (int)below(r, chance(r, 250) ? 40 : 70000);
    s->v.prec = 1 + (int)below(r, 38);
    s->v.scale = (int)below(r, (uint32_t)s->v.prec + 1);
    if (new_kind && is_dec_kind(s->v.kind)) {
      int maxp = dec_max_precision(s->v.kind);
      s->v.prec = chance(r, 64) ? maxp - (int)below(r, 2) : 1 + (int)below(r, (uint32_t)maxp);
      if (chance(r, 6)) { s->v.prec = maxp + 1 + (int)below(r, 3); ok = 0; } /* too many digits for the width */
      s->v.scale = (int)below(r, (uint32_t)s->v.prec + 1);
    }
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
    if (s->is_dict && s->v.kind == K_NULL) ok = 0; /* dictionary<null> is unsupported */
    f->format = s->fmt;
    if (chance(r, 3)) {
      const char* bad = new_kind && chance(r, 128) ? kBadFormats2[below(r, N_BAD2)] : kBadFormats[below(r, N_BAD)];
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
static long st_scrambled, st_kind_ok[K_COUNT], st_kind_rej[K_COUNT], st_limit, st_known_limit;
static void print_stats(void) {
  if (!getenv("FUZZ_STATS")) return;
  fprintf(stderr, "stats: inputs %ld open_ok %ld accepted %ld (rows %ld) rejected %ld (limit %ld, of which the known "
          "view-limit issue %ld) published %ld compared %ld (after scrambling never-read slots %ld) dead-after-fault %ld\n",
          st_inputs, st_open_ok, st_ok_batches, st_rows, st_rejected, st_limit, st_known_limit, st_published, st_compared,
          st_scrambled, st_dead);
  static const char* const kNew[] = {"utf8_view", "binary_view", "null", "decimal32", "decimal64", "decimal256"};
  fprintf(stderr, "stats: batches with a column of kind accepted/rejected:");
  for (int k = K_COUNT_OLD; k < K_COUNT; k++) fprintf(stderr, " %s %ld/%ld", kNew[k - K_COUNT_OLD], st_kind_ok[k], st_kind_rej[k]);
  fprintf(stderr, " decimal128 %ld/%ld\n", st_kind_ok[K_DEC], st_kind_rej[K_DEC]);
}

/* Reference Parquet physical type (0 BOOLEAN, 1 INT32, 2 INT64, 4 FLOAT, 5 DOUBLE,
 * 6 BYTE_ARRAY, 7 FIXED_LEN_BYTE_ARRAY; docs/parquet-subset.md) and which encodings of the
 * map can apply to it (options.h). */
static int ref_physical(const vtype* t) {
  switch (t->kind) {
    case K_BOOL: return 0;
    case K_I64: case K_U64: case K_TIME64US: case K_TIME64NS: case K_TSS: case K_TSMS: case K_TSUS: case K_TSNS: return 2;
    case K_F16: case K_FSB: return 7;
    case K_F32: return 4;
    case K_F64: return 5;
    case K_UTF8: case K_LUTF8: case K_BIN: case K_LBIN: case K_UTF8V: case K_BINV: return 6;
    case K_DEC: case K_DEC32: case K_DEC64: case K_DEC256: return t->prec <= 9 ? 1 : t->prec <= 18 ? 2 : 7;
    default: return 1; /* 8/16/32-bit ints, date32/64, time32, null */
  }
}
static int ref_encoding_fits(int enc, int phys) {
  switch (enc) {
    case 0: case 1: return 1;                 /* default, plain */
    case 2: return phys != 0;                 /* dictionary */
    case 3: return phys == 1 || phys == 2;    /* delta_binary_packed */
    case 4: return phys == 4 || phys == 5;    /* byte_stream_split */
    default: return phys == 6;                /* delta_length_byte_array, delta_byte_array */
  }
}

/* ---- the "never read" oracle: overwrite what the writer must not read ----------------- */
static uint64_t g_rng;
static uint8_t rng8(void) {
  g_rng ^= g_rng << 13;
  g_rng ^= g_rng >> 7;
  g_rng ^= g_rng << 17;
  return (uint8_t)(g_rng >> 24);
}
/* Null dictionary views are scrambled whole: the writer must never read them. This fuzzer
 * found artemis_gather_rows_within() reading their length word (fixed). With
 * FUZZ_STRICT_DICT_NULL_VIEWS=0 their length is left intact (for bisecting old builds). */
#ifndef FUZZ_STRICT_DICT_NULL_VIEWS
#define FUZZ_STRICT_DICT_NULL_VIEWS 1
#endif
/* Slots of `b` outside absolute [lo, hi) or null there get garbage (null ones from byte
 * `keep` on); returns how many. */
static long scramble_array(built* b, int64_t lo, int64_t hi, int keep) {
  const struct ArrowArray* a = &b->arr;
  long n = 0;
  if (!b->slots || b->slot_width <= 0) return 0;
  for (int64_t j = 0; j < b->slots_n; j++) {
    int in_range = j >= lo && j < hi;
    if (in_range && present_in(a, j)) continue;
    for (int k = in_range ? keep : 0; k < b->slot_width; k++) b->slots[j * b->slot_width + k] = rng8();
    n++;
  }
  return n;
}
static long scramble_batches(const colspec* cs, int ncols, batch* B, int nb) {
  long n = 0;
  for (int i = 0; i < nb; i++) {
    if (B[i].expect != 1) continue; /* the second run skips it */
    int64_t off = B[i].top.offset, len = B[i].top.length;
    for (int c = 0; c < ncols; c++) {
      if (cs[c].v.kind == K_NULL) continue;
      built* col = &B[i].cols[c];
      n += scramble_array(col, col->arr.offset + off, col->arr.offset + off + len, 0);
      if (cs[c].is_dict && len > 0) {
        built* d = &B[i].dicts[c];
        int keep = !FUZZ_STRICT_DICT_NULL_VIEWS && is_view_kind(cs[c].v.kind) ? 4 : 0;
        n += scramble_array(d, d->arr.offset, d->arr.offset + d->arr.length, keep);
      }
    }
  }
  return n;
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
  int open_rc;
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
  out->open_rc = rc;
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
    DBG("write batch %d -> %d %s\n", i, rc, rc ? err.message : "");
    if (dead) {
      if (rc != ARTEMIS_E_STATE) DIE("write after failure returned %d, not E_STATE", rc);
      continue;
    }
    int injected = inject && (ac->failed || g_io_failed);
    if (rc == ARTEMIS_OK) {
      if (B[i].expect != 1) DIE("batch %d accepted but the reference says %d", i, B[i].expect);
      for (int c = 0; c < ncols; c++) {
        int k = cs[c].v.kind, seen = 0;
        for (int c2 = 0; c2 < c; c2++) seen |= cs[c2].v.kind == k;
        if (!seen) st_kind_ok[k]++;
      }
      st_ok_batches++;
      st_rows += B[i].top.length;
      continue;
    }
    if (rc == ARTEMIS_E_INVALID_INPUT ||
        (rc == ARTEMIS_E_LIMIT && (B[i].expect == 2 || B[i].expect == 3) && artemis_writer_rows(w) == before)) {
      if (B[i].expect == 1) DIE("batch %d rejected (%d: %s) but the reference says valid", i, rc, err.message);
      if (artemis_writer_rows(w) != before) DIE("rejected batch changed the row count");
      for (int c = 0; c < ncols; c++) {
        int k = cs[c].v.kind, seen = 0;
        for (int c2 = 0; c2 < c; c2++) seen |= cs[c2].v.kind == k;
        if (!seen) st_kind_rej[k]++;
      }
      st_limit += rc == ARTEMIS_E_LIMIT;
      st_known_limit += rc == ARTEMIS_E_LIMIT && B[i].expect == 3;
      st_rejected++;
      continue;
    }
    if (B[i].expect == 0 || B[i].expect == 3) DIE("invalid batch %d gave %d (%s), not INVALID_INPUT", i, rc, err.message);
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

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size); /* libFuzzer's entry point */
int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (!g_path[0]) {
    snprintf(g_path, sizeof g_path, "/dev/shm/fuzz-cdata-%d.parquet", (int)getpid());
    snprintf(g_temp, sizeof g_temp, "%s.inprogress", g_path);
  }
  rd r = {data, size};
  if (g_debug < 0) g_debug = getenv("FUZZ_DEBUG") != NULL;
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
  int do_scramble = chance(&r, 150);
  g_rng = ((uint64_t)u32(&r) << 1) | 1;

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
  if (r1.published == -1 && schema_ok && !ac.failed && !g_io_failed) {
    int fits = 1;
    for (int c = 0; c < ncols; c++) fits &= ref_encoding_fits(cs[c].encoding, ref_physical(&cs[c].v));
    if (fits) DIE("a valid schema did not open (%d)", r1.open_rc);
  }
  /* Run 2: only the valid batches, no faults; the files must be identical. */
  if (r1.published == 1) {
    int skip[MAX_BATCHES] = {0};
    int any_bad = 0;
    for (int i = 0; i < built_n; i++) if (B[i].expect != 1) { skip[i] = 1; any_bad = 1; }
    long scrambled = do_scramble ? scramble_batches(cs, ncols, B, built_n) : 0;
    if (any_bad || scrambled) {
      actx ac2 = {0, 0, 0, 0};
      alloc.ctx = &ac2;
      g_write_fail_at = 0;
      run(&S, cs, ncols, &o, &ac2, B, built_n, skip, 0, &r2);
      if (r2.published != 1) DIE("second run did not publish");
      if (r1.file_len != r2.file_len || memcmp(r1.file, r2.file, r1.file_len) != 0)
        DIE("the output file changed (%zu vs %zu bytes) by %s%s%s", r1.file_len, r2.file_len,
            any_bad ? "rejected batches" : "", any_bad && scrambled ? " or " : "",
            scrambled ? "garbage in slots that must never be read" : "");
      free(r2.file);
      DBG("second run identical (%s, %ld never-read slots scrambled)\n", any_bad ? "without the rejected batches" : "all batches", scrambled);
      st_compared++;
      st_scrambled += scrambled != 0;
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
