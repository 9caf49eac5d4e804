/* The Arrow IPC reader against the vendored corpus (tests/data/ipc-corpus, see its
 * README.md): every golden and compression case in stream and file format, through a
 * path, memory and a pipe, must give the batches and row counts of the case's .json.gz;
 * the values of every supported case are compared with the JSON; each big-endian case
 * must equal its little-endian twin buffer for buffer; unsupported types fail at open
 * naming the type; every malformed input fails cleanly or reads cleanly, without a
 * crash, hang or leak. Expectations come from the corpus JSON, never from our output. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "artemis/artemis.h"
#include "artemis/ipc_reader.h"
#include "core/memory.h"
#include "ipc/ipc_footer.h"
#include "support/test_allocators.h"

#ifndef ARTEMIS_IPC_CORPUS_DIR
#define ARTEMIS_IPC_CORPUS_DIR "tests/data/ipc-corpus"
#endif

/* snprintf that says when it truncated (never, with these sizes; checked anyway). */
__attribute__((format(printf, 3, 4))) static void format_into(char* out, size_t cap, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(out, cap, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= cap) fail_msg("text too long for its buffer: %s", out);
}

/* ---- a minimal JSON DOM (numbers keep their text: int64 values exceed doubles) ---- */

typedef enum jkind { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jkind;

typedef struct jval {
  jkind kind;
  char* text; /* J_NUM: the number as written; J_STR: the decoded bytes, NUL-terminated */
  size_t len;
  int boolean;
  struct jval* items; /* J_ARR, J_OBJ (values) */
  char** keys;        /* J_OBJ */
  size_t n;
} jval;

typedef struct jparser {
  const char* p;
  const char* end;
} jparser;

static void jskip(jparser* j) {
  while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t')) j->p++;
}

static void put_utf8(char* out, size_t* n, unsigned cp) {
  if (cp < 0x80) {
    out[(*n)++] = (char)cp;
  } else if (cp < 0x800) {
    out[(*n)++] = (char)(0xC0 | (cp >> 6));
    out[(*n)++] = (char)(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out[(*n)++] = (char)(0xE0 | (cp >> 12));
    out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[(*n)++] = (char)(0x80 | (cp & 0x3F));
  } else {
    out[(*n)++] = (char)(0xF0 | (cp >> 18));
    out[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[(*n)++] = (char)(0x80 | (cp & 0x3F));
  }
}

static int jparse(jparser* j, jval* v);

static int jstring(jparser* j, char** out, size_t* len) {
  j->p++; /* opening quote */
  const char* start = j->p;
  size_t cap = 0;
  while (j->p < j->end && *j->p != '"') {
    if (*j->p == '\\') j->p++;
    j->p++;
    cap++;
  }
  if (j->p >= j->end) return -1;
  char* s = malloc(cap * 4 + 1);
  size_t n = 0;
  for (const char* q = start; q < j->p; q++) {
    if (*q != '\\') {
      s[n++] = *q;
      continue;
    }
    q++;
    switch (*q) {
      case 'n': s[n++] = '\n'; break;
      case 't': s[n++] = '\t'; break;
      case 'r': s[n++] = '\r'; break;
      case 'b': s[n++] = '\b'; break;
      case 'f': s[n++] = '\f'; break;
      case 'u': {
        unsigned cp = (unsigned)strtoul((char[]){q[1], q[2], q[3], q[4], 0}, NULL, 16);
        q += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && q[1] == '\\' && q[2] == 'u') {
          unsigned lo = (unsigned)strtoul((char[]){q[3], q[4], q[5], q[6], 0}, NULL, 16);
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          q += 6;
        }
        put_utf8(s, &n, cp);
        break;
      }
      default: s[n++] = *q; break;
    }
  }
  s[n] = '\0';
  j->p++; /* closing quote */
  *out = s;
  *len = n;
  return 0;
}

static int jparse(jparser* j, jval* v) {
  memset(v, 0, sizeof *v);
  jskip(j);
  if (j->p >= j->end) return -1;
  char c = *j->p;
  if (c == '{' || c == '[') {
    int obj = c == '{';
    v->kind = obj ? J_OBJ : J_ARR;
    j->p++;
    size_t cap = 0;
    for (;;) {
      jskip(j);
      if (j->p < j->end && (*j->p == '}' || *j->p == ']')) {
        j->p++;
        return 0;
      }
      if (v->n == cap) {
        cap = cap ? cap * 2 : 8;
        v->items = realloc(v->items, cap * sizeof *v->items);
        if (obj) v->keys = realloc(v->keys, cap * sizeof *v->keys);
      }
      if (obj) {
        size_t klen;
        if (jstring(j, &v->keys[v->n], &klen) != 0) return -1;
        jskip(j);
        j->p++; /* ':' */
      }
      if (jparse(j, &v->items[v->n]) != 0) return -1;
      v->n++;
      jskip(j);
      if (j->p < j->end && *j->p == ',') j->p++;
    }
  }
  if (c == '"') {
    v->kind = J_STR;
    return jstring(j, &v->text, &v->len);
  }
  if (strncmp(j->p, "true", 4) == 0 || strncmp(j->p, "false", 5) == 0) {
    v->kind = J_BOOL;
    v->boolean = *j->p == 't';
    j->p += v->boolean ? 4 : 5;
    return 0;
  }
  if (strncmp(j->p, "null", 4) == 0) {
    j->p += 4;
    return 0;
  }
  const char* start = j->p;
  while (j->p < j->end && (strchr("+-0123456789.eE", *j->p) != NULL)) j->p++;
  v->kind = J_NUM;
  v->len = (size_t)(j->p - start);
  v->text = malloc(v->len + 1);
  memcpy(v->text, start, v->len);
  v->text[v->len] = '\0';
  return 0;
}

static void jfree(jval* v) {
  free(v->text);
  for (size_t i = 0; i < v->n; i++) {
    jfree(&v->items[i]);
    if (v->keys) free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
}

static const jval* jget(const jval* obj, const char* key) {
  if (!obj || obj->kind != J_OBJ) return NULL;
  for (size_t i = 0; i < obj->n; i++)
    if (strcmp(obj->keys[i], key) == 0) return &obj->items[i];
  return NULL;
}

static int64_t jint(const jval* v) {
  assert_non_null(v);
  assert_true(v->kind == J_NUM || v->kind == J_STR);
  return strtoll(v->text, NULL, 10);
}

static uint64_t juint(const jval* v) {
  assert_non_null(v);
  return strtoull(v->text, NULL, 10);
}

/* ---- files ---- */

static uint8_t* read_file(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  if (!f) fail_msg("cannot open %s: %s", path, strerror(errno));
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t* data = malloc((size_t)n + 1);
  assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *size = (size_t)n;
  return data;
}

static int load_json(const char* path, jval* out) {
  gzFile gz = gzopen(path, "rb");
  if (!gz) return -1;
  size_t cap = 1 << 16, n = 0;
  char* text = malloc(cap);
  for (;;) {
    if (n == cap) text = realloc(text, cap *= 2);
    int got = gzread(gz, text + n, (unsigned)(cap - n));
    if (got <= 0) break;
    n += (size_t)got;
  }
  gzclose(gz);
  jparser j = {text, text + n};
  int rc = jparse(&j, out);
  free(text);
  return rc;
}

static bool has_suffix(const char* s, const char* suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Sorted names of the entries of `dir` ending with `suffix` (NULL-terminated list). */
static char** list_dir(const char* dir, const char* suffix, size_t* count) {
  DIR* d = opendir(dir);
  if (!d) fail_msg("cannot open directory %s", dir);
  char** names = NULL;
  size_t n = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    if (suffix && !has_suffix(e->d_name, suffix)) continue;
    names = realloc(names, (n + 2) * sizeof *names);
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  for (size_t i = 0; i + 1 < n; i++)
    for (size_t k = i + 1; k < n; k++)
      if (strcmp(names[i], names[k]) > 0) {
        char* t = names[i];
        names[i] = names[k];
        names[k] = t;
      }
  if (names) names[n] = NULL;
  *count = n;
  return names;
}

static void free_list(char** names, size_t n) {
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
}

/* ---- reading through the three entry points ---- */

typedef enum via { VIA_PATH, VIA_MEMORY, VIA_PIPE } via;
static const char* via_name(via v) { return v == VIA_PATH ? "path" : v == VIA_MEMORY ? "memory" : "pipe"; }

typedef struct opened {
  artemis_ipc_reader* reader;
  uint8_t* data;
  int pipe_fd;
  pid_t writer;
} opened;

/* A child process writes `data` into a pipe; the reader reads the other end. */
static int pipe_from(const uint8_t* data, size_t size, pid_t* writer) {
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    signal(SIGPIPE, SIG_IGN);
    size_t done = 0;
    while (done < size) {
      /* Small, odd-sized writes: the reader must cope with short reads. */
      size_t chunk = size - done < 777 ? size - done : 777;
      ssize_t w = write(fds[1], data + done, chunk);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) break;
      done += (size_t)w;
    }
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  *writer = pid;
  return fds[0];
}

static int open_via(via v, const char* path, const artemis_ipc_reader_options* options, opened* o,
                    artemis_error* err) {
  memset(o, 0, sizeof *o);
  o->pipe_fd = -1;
  if (v == VIA_PATH) return artemis_ipc_reader_open_path(&o->reader, path, options, err);
  size_t size;
  o->data = read_file(path, &size);
  if (v == VIA_MEMORY) return artemis_ipc_reader_open_memory(&o->reader, o->data, size, options, err);
  o->pipe_fd = pipe_from(o->data, size, &o->writer);
  return artemis_ipc_reader_open_fd(&o->reader, o->pipe_fd, options, err);
}

static void close_opened(opened* o) {
  artemis_ipc_reader_free(o->reader);
  o->reader = NULL;
  if (o->pipe_fd >= 0) {
    close(o->pipe_fd);
    int status;
    waitpid(o->writer, &status, 0);
  }
  free(o->data);
  o->data = NULL;
}

static char g_corpus[512];

static void corpus_path(char* out, size_t cap, const char* rel) { format_into(out, cap, "%s/%s", g_corpus, rel); }

/* ---- the golden cases ---- */

typedef struct golden_case {
  char folder[64]; /* "golden/cpp-21.0.0", "compression" */
  char name[96];   /* "generated_primitive" */
} golden_case;

static golden_case* g_cases;
static size_t g_n_cases;

static int collect_cases(void** state) {
  (void)state;
  const char* env = getenv("ARTEMIS_IPC_CORPUS_DIR");
  format_into(g_corpus, sizeof g_corpus, "%s", env ? env : ARTEMIS_IPC_CORPUS_DIR);
  const char* folders[] = {"golden/cpp-21.0.0", "golden/1.0.0-littleendian", "golden/1.0.0-bigendian",
                           "golden/0.14.1", "golden/4.0.0-shareddict", "compression"};
  for (size_t f = 0; f < sizeof folders / sizeof *folders; f++) {
    char dir[600];
    corpus_path(dir, sizeof dir, folders[f]);
    size_t n;
    char** names = list_dir(dir, ".json.gz", &n);
    for (size_t i = 0; i < n; i++) {
      g_cases = realloc(g_cases, (g_n_cases + 1) * sizeof *g_cases);
      format_into(g_cases[g_n_cases].folder, sizeof g_cases[g_n_cases].folder, "%s", folders[f]);
      format_into(g_cases[g_n_cases].name, sizeof g_cases[g_n_cases].name, "%.*s", (int)(strlen(names[i]) - 8),
               names[i]);
      g_n_cases++;
    }
    free_list(names, n);
  }
  return 0;
}

static int free_cases(void** state) {
  (void)state;
  free(g_cases);
  return 0;
}

/* The type a case must be rejected for, or NULL when it is read. (README: union, and the
 * list-view and run-end-encoded types the reader does not support; binary_view and
 * utf8_view are read.) */
static const char* rejected_type(const golden_case* c) {
  if (strstr(c->name, "union")) return "union";
  if (strstr(c->name, "list_view")) return "list_view";
  if (strstr(c->name, "run_end_encoded")) return "run_end_encoded";
  return NULL;
}

static void test_corpus_has_every_case(void** state) {
  (void)state;
  /* README: 144 golden files (48 cases) and 12 compression files (4 cases). */
  assert_int_equal(g_n_cases, 52);
}

/* ---- comparing arrays with the JSON ---- */

typedef struct cmp_ctx {
  const jval* dictionaries; /* the JSON's top-level "dictionaries" */
  bool compare_dictionary_values;
  int in_map; /* below a map: its entries struct and that struct's children */
  char where[512];
} cmp_ctx;

/* Slots compared with a JSON value: a guard against a comparison that checks nothing. */
static int64_t g_values_compared;
static int64_t g_views_compared; /* non-inline views among them */
static int64_t g_metadata_compared;

static bool bit(const void* bits, int64_t i) { return (((const uint8_t*)bits)[i / 8] >> (i % 8)) & 1; }

static bool is_valid(const struct ArrowArray* a, int64_t i) {
  if (a->n_buffers == 0) return false; /* the null type */
  if (a->null_count == 0 || a->buffers[0] == NULL) return true;
  return bit(a->buffers[0], a->offset + i);
}

static int64_t load_int(const void* base, int width, bool is_signed, int64_t i) {
  const uint8_t* p = (const uint8_t*)base + i * width;
  switch (width) {
    case 1: return is_signed ? (int64_t)(int8_t)p[0] : (int64_t)p[0];
    case 2: {
      uint16_t u;
      memcpy(&u, p, 2);
      return is_signed ? (int64_t)(int16_t)u : (int64_t)u;
    }
    case 4: {
      uint32_t u;
      memcpy(&u, p, 4);
      return is_signed ? (int64_t)(int32_t)u : (int64_t)u;
    }
    default: {
      int64_t v;
      memcpy(&v, p, 8);
      return v;
    }
  }
}

/* Integer width/signedness of formats stored as plain integers; 0 if not one. */
static int int_format(const char* f, bool* is_signed) {
  *is_signed = true;
  if (!f[1]) {
    switch (f[0]) {
      case 'c': return 1;
      case 'C': *is_signed = false; return 1;
      case 's': return 2;
      case 'S': *is_signed = false; return 2;
      case 'i': return 4;
      case 'I': *is_signed = false; return 4;
      case 'l': return 8;
      case 'L': *is_signed = false; return 8;
      default: return 0;
    }
  }
  if (strcmp(f, "tdD") == 0 || strcmp(f, "tts") == 0 || strcmp(f, "ttm") == 0 || strcmp(f, "tiM") == 0) return 4;
  if (strcmp(f, "tdm") == 0 || strcmp(f, "ttu") == 0 || strcmp(f, "ttn") == 0 || strncmp(f, "ts", 2) == 0 ||
      strncmp(f, "tD", 2) == 0)
    return 8;
  return 0;
}

static int hexval(char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }

/* The unscaled decimal `text` as a `bytes`-byte little-endian two's complement integer. */
static void decimal_bytes(const char* text, uint8_t* out, int bytes) {
  memset(out, 0, (size_t)bytes);
  bool negative = *text == '-';
  if (negative || *text == '+') text++;
  for (; *text; text++) {
    unsigned carry = (unsigned)(*text - '0');
    for (int k = 0; k < bytes; k++) {
      unsigned v = out[k] * 10u + carry;
      out[k] = (uint8_t)v;
      carry = v >> 8;
    }
  }
  if (negative) {
    unsigned carry = 1;
    for (int k = 0; k < bytes; k++) {
      unsigned v = (uint8_t)~out[k] + carry;
      out[k] = (uint8_t)v;
      carry = v >> 8;
    }
  }
}

static const jval* json_dictionary(const cmp_ctx* ctx, int64_t id) {
  for (size_t i = 0; ctx->dictionaries && i < ctx->dictionaries->n; i++) {
    const jval* d = &ctx->dictionaries->items[i];
    if (jint(jget(d, "id")) == id) return jget(d, "data");
  }
  return NULL;
}

/* The C Data Interface metadata `md` (int32 count, then length-prefixed keys and values)
 * holds exactly the pairs of the JSON's [{"key","value"}] list (a map: order aside; the
 * extension case's binary lists them in another order than its JSON); NULL matches none. */
static void compare_metadata(const char* md, const jval* list, const char* where) {
  int32_t count = 0;
  if (md) memcpy(&count, md, 4);
  size_t want = list ? list->n : 0;
  if ((size_t)count != want) fail_msg("%s: metadata has %d pairs, the JSON %zu", where, count, want);
  for (size_t i = 0; i < want; i++) {
    const jval* key = jget(&list->items[i], "key");
    const jval* value = jget(&list->items[i], "value");
    bool found = false;
    const char* p = md + 4;
    for (int32_t k = 0; k < count && !found; k++) {
      int32_t klen, vlen;
      memcpy(&klen, p, 4);
      memcpy(&vlen, p + 4 + klen, 4);
      found = (size_t)klen == key->len && memcmp(p + 4, key->text, key->len) == 0 && (size_t)vlen == value->len &&
              memcmp(p + 8 + klen, value->text, value->len) == 0;
      p += 8 + klen + vlen;
    }
    if (!found) fail_msg("%s: metadata lacks \"%s\" = \"%s\"", where, key->text, value->text);
  }
  g_metadata_compared += (int64_t)want;
}

static void compare_array(cmp_ctx* ctx, const struct ArrowSchema* s, const struct ArrowArray* a, const jval* field,
                          const jval* col);

static void compare_children(cmp_ctx* ctx, const struct ArrowSchema* s, const struct ArrowArray* a, const jval* field,
                             const jval* col) {
  const jval* fchildren = jget(field, "children");
  const jval* cchildren = jget(col, "children");
  assert_non_null(cchildren);
  if ((int64_t)cchildren->n != a->n_children || s->n_children != a->n_children)
    fail_msg("%s: %lld children, the JSON has %zu", ctx->where, (long long)a->n_children, cchildren->n);
  size_t len = strlen(ctx->where);
  for (int64_t i = 0; i < a->n_children; i++) {
    format_into(ctx->where + len, sizeof ctx->where - len, ".%s", s->children[i]->name);
    const char* want = jget(&fchildren->items[i], "name")->text;
    const char* got = s->children[i]->name;
    /* Map children: the cpp-21.0.0 map_non_canonical .stream holds the canonical names
     * (entries/key/value) where its JSON and .arrow_file say some_entries/some_key/... */
    bool canonical_map_name = (strcmp(s->format, "+m") == 0 || ctx->in_map) &&
                              (strcmp(got, "entries") == 0 || strcmp(got, "key") == 0 || strcmp(got, "value") == 0);
    if (strcmp(got, want) != 0 && !canonical_map_name)
      fail_msg("%s: child %lld is named \"%s\", the JSON says \"%s\"", ctx->where, (long long)i, got, want);
    compare_metadata(s->children[i]->metadata, jget(&fchildren->items[i], "metadata"), ctx->where);
    int was_in_map = ctx->in_map;
    if (strcmp(s->format, "+m") == 0) ctx->in_map = 1;
    compare_array(ctx, s->children[i], a->children[i], &fchildren->items[i], &cchildren->items[i]);
    ctx->in_map = was_in_map;
    ctx->where[len] = '\0';
  }
}

static void compare_array(cmp_ctx* ctx, const struct ArrowSchema* s, const struct ArrowArray* a, const jval* field,
                          const jval* col) {
  const char* f = s->format;
  int64_t n = jint(jget(col, "count"));
  if (a->length != n) fail_msg("%s: length %lld, the JSON count is %lld", ctx->where, (long long)a->length, (long long)n);
  if (strcmp(f, "n") == 0) {
    assert_int_equal(a->n_buffers, 0);
    assert_int_equal(a->null_count, a->length);
    return;
  }
  const jval* validity = jget(col, "VALIDITY");
  if (validity) {
    assert_int_equal(validity->n, (size_t)n);
    int64_t nulls = 0;
    for (int64_t i = 0; i < n; i++) {
      bool want = jint(&validity->items[i]) != 0;
      nulls += !want;
      if (is_valid(a, i) != want) fail_msg("%s: slot %lld validity %d, the JSON says %d", ctx->where, (long long)i, !want, want);
    }
    assert_int_equal(a->null_count, nulls);
  }
  const jval* data = jget(col, "DATA");
  g_values_compared += n;
  bool is_signed;
  int width = int_format(f, &is_signed);
  if (s->dictionary) {
    /* DATA holds the indices; the values are the JSON dictionary with the field's id. */
    assert_non_null(data);
    for (int64_t i = 0; i < n; i++)
      if (is_valid(a, i) && load_int(a->buffers[1], width, is_signed, a->offset + i) != jint(&data->items[i]))
        fail_msg("%s: index at slot %lld differs from the JSON", ctx->where, (long long)i);
    assert_non_null(a->dictionary);
    if (ctx->compare_dictionary_values) {
      const jval* dict = json_dictionary(ctx, jint(jget(jget(field, "dictionary"), "id")));
      assert_non_null(dict);
      size_t len = strlen(ctx->where);
      format_into(ctx->where + len, sizeof ctx->where - len, " (dictionary)");
      compare_array(ctx, s->dictionary, a->dictionary, field, &jget(dict, "columns")->items[0]);
      ctx->where[len] = '\0';
    }
    return;
  }
  if (width) {
    for (int64_t i = 0; i < n; i++) {
      if (!is_valid(a, i)) continue;
      int64_t got = load_int(a->buffers[1], width, is_signed, a->offset + i);
      bool same = (!is_signed && width == 8) ? (uint64_t)got == juint(&data->items[i]) : got == jint(&data->items[i]);
      if (!same) fail_msg("%s: slot %lld is %lld, the JSON says %s", ctx->where, (long long)i, (long long)got, data->items[i].text);
    }
    return;
  }
  if (strcmp(f, "b") == 0) {
    for (int64_t i = 0; i < n; i++)
      if (is_valid(a, i) && bit(a->buffers[1], a->offset + i) != (bool)data->items[i].boolean)
        fail_msg("%s: bool slot %lld differs", ctx->where, (long long)i);
    return;
  }
  if (strcmp(f, "f") == 0 || strcmp(f, "g") == 0) {
    for (int64_t i = 0; i < n; i++) {
      if (!is_valid(a, i)) continue;
      double want = strtod(data->items[i].text, NULL), got;
      if (f[0] == 'f') {
        float v;
        memcpy(&v, (const uint8_t*)a->buffers[1] + (a->offset + i) * 4, 4);
        got = v;
      } else {
        memcpy(&got, (const uint8_t*)a->buffers[1] + (a->offset + i) * 8, 8);
      }
      /* The JSON rounds to 3 decimals. */
      if (fabs(got - want) > 0.0005 + fabs(want) * 1e-6)
        fail_msg("%s: slot %lld is %.6f, the JSON says %s", ctx->where, (long long)i, got, data->items[i].text);
    }
    return;
  }
  if (strchr("zZuU", f[0]) && !f[1]) {
    int ow = (f[0] == 'Z' || f[0] == 'U') ? 8 : 4;
    for (int64_t i = 0; i < n; i++) {
      if (!is_valid(a, i)) continue;
      int64_t start = load_int(a->buffers[1], ow, true, a->offset + i);
      int64_t end = load_int(a->buffers[1], ow, true, a->offset + i + 1);
      const uint8_t* bytes = (const uint8_t*)a->buffers[2] + start;
      const jval* want = &data->items[i];
      if (f[0] == 'u' || f[0] == 'U') {
        if ((size_t)(end - start) != want->len || memcmp(bytes, want->text, want->len) != 0)
          fail_msg("%s: string slot %lld differs from \"%s\"", ctx->where, (long long)i, want->text);
      } else {
        if ((size_t)(end - start) * 2 != want->len) fail_msg("%s: binary slot %lld length differs", ctx->where, (long long)i);
        for (int64_t k = 0; k < end - start; k++)
          if (bytes[k] != (uint8_t)(hexval(want->text[2 * k]) * 16 + hexval(want->text[2 * k + 1])))
            fail_msg("%s: binary slot %lld byte %lld differs", ctx->where, (long long)i, (long long)k);
      }
    }
    return;
  }
  if (strcmp(f, "vz") == 0 || strcmp(f, "vu") == 0) {
    /* VIEWS: {SIZE, INLINED} (utf8: the text; binary: hex) or {SIZE, PREFIX_HEX,
     * BUFFER_INDEX, OFFSET}; VARIADIC_DATA_BUFFERS: hex. The exported array is
     * [validity, views, data..., int64 sizes]: the data buffers must be the JSON's,
     * byte for byte, and every view the JSON's view. */
    bool utf8 = f[1] == 'u';
    const jval* views = jget(col, "VIEWS");
    const jval* variadic = jget(col, "VARIADIC_DATA_BUFFERS");
    assert_non_null(views);
    assert_non_null(variadic);
    int64_t n_data = a->n_buffers - 3;
    if (n_data != (int64_t)variadic->n)
      fail_msg("%s: %lld data buffers, the JSON has %zu", ctx->where, (long long)n_data, variadic->n);
    const int64_t* sizes = a->buffers[a->n_buffers - 1];
    assert_non_null(sizes);
    for (int64_t k = 0; k < n_data; k++) {
      const jval* hex = &variadic->items[k];
      if (sizes[k] * 2 != (int64_t)hex->len)
        fail_msg("%s: data buffer %lld has %lld bytes, the JSON %zu", ctx->where, (long long)k, (long long)sizes[k],
                 hex->len / 2);
      const uint8_t* bytes = a->buffers[2 + k];
      for (int64_t b = 0; b < sizes[k]; b++)
        if (bytes[b] != (uint8_t)(hexval(hex->text[2 * b]) * 16 + hexval(hex->text[2 * b + 1])))
          fail_msg("%s: data buffer %lld byte %lld differs", ctx->where, (long long)k, (long long)b);
    }
    for (int64_t i = 0; i < n; i++) {
      if (!is_valid(a, i)) continue;
      const uint8_t* v = (const uint8_t*)a->buffers[1] + (a->offset + i) * 16;
      const jval* want = &views->items[i];
      int32_t size, index, offset;
      memcpy(&size, v, 4);
      if (size != jint(jget(want, "SIZE")))
        fail_msg("%s: view %lld has length %d, the JSON %lld", ctx->where, (long long)i, (int)size,
                 (long long)jint(jget(want, "SIZE")));
      const jval* inlined = jget(want, "INLINED");
      if (size <= 12) {
        assert_non_null(inlined);
        bool same = utf8 ? (inlined->len == (size_t)size && memcmp(v + 4, inlined->text, (size_t)size) == 0)
                         : inlined->len == (size_t)size * 2;
        for (int32_t b = 0; same && !utf8 && b < size; b++)
          same = v[4 + b] == (uint8_t)(hexval(inlined->text[2 * b]) * 16 + hexval(inlined->text[2 * b + 1]));
        if (!same) fail_msg("%s: inline view %lld differs from \"%s\"", ctx->where, (long long)i, inlined->text);
        continue;
      }
      memcpy(&index, v + 8, 4);
      memcpy(&offset, v + 12, 4);
      const jval* prefix = jget(want, "PREFIX_HEX");
      assert_non_null(prefix);
      for (int b = 0; b < 4; b++)
        if (v[4 + b] != (uint8_t)(hexval(prefix->text[2 * b]) * 16 + hexval(prefix->text[2 * b + 1])))
          fail_msg("%s: view %lld prefix differs", ctx->where, (long long)i);
      if (index != jint(jget(want, "BUFFER_INDEX")) || offset != jint(jget(want, "OFFSET")))
        fail_msg("%s: view %lld points at buffer %d offset %d, the JSON %lld, %lld", ctx->where, (long long)i,
                 (int)index, (int)offset, (long long)jint(jget(want, "BUFFER_INDEX")),
                 (long long)jint(jget(want, "OFFSET")));
      if (index < 0 || index >= n_data || offset < 0 || (int64_t)offset + size > sizes[index])
        fail_msg("%s: view %lld is outside its data buffer", ctx->where, (long long)i);
      /* The prefix is the value's first 4 bytes. */
      if (memcmp(v + 4, (const uint8_t*)a->buffers[2 + index] + offset, 4) != 0)
        fail_msg("%s: view %lld prefix is not its value's", ctx->where, (long long)i);
      g_views_compared++;
    }
    return;
  }
  if (strncmp(f, "w:", 2) == 0) {
    int64_t w = atoll(f + 2);
    for (int64_t i = 0; i < n; i++) {
      if (!is_valid(a, i)) continue;
      const uint8_t* bytes = (const uint8_t*)a->buffers[1] + (a->offset + i) * w;
      assert_int_equal(data->items[i].len, (size_t)(2 * w));
      for (int64_t k = 0; k < w; k++)
        if (bytes[k] != (uint8_t)(hexval(data->items[i].text[2 * k]) * 16 + hexval(data->items[i].text[2 * k + 1])))
          fail_msg("%s: fixed-size binary slot %lld differs", ctx->where, (long long)i);
    }
    return;
  }
  if (strncmp(f, "d:", 2) == 0) {
    const char* bits = strrchr(f, ',');
    int bytes = atoi(bits + 1) / 8;
    for (int64_t i = 0; i < n; i++) {
      if (!is_valid(a, i)) continue;
      uint8_t want[32];
      decimal_bytes(data->items[i].text, want, bytes);
      if (memcmp((const uint8_t*)a->buffers[1] + (a->offset + i) * bytes, want, (size_t)bytes) != 0)
        fail_msg("%s: decimal slot %lld differs from %s", ctx->where, (long long)i, data->items[i].text);
    }
    return;
  }
  if (strcmp(f, "tiD") == 0 || strcmp(f, "tin") == 0) {
    bool mdn = f[2] == 'n';
    for (int64_t i = 0; i < n; i++) {
      if (!is_valid(a, i)) continue;
      const uint8_t* p = (const uint8_t*)a->buffers[1] + (a->offset + i) * (mdn ? 16 : 8);
      const jval* v = &data->items[i];
      if (mdn) {
        assert_int_equal(load_int(p, 4, true, 0), jint(jget(v, "months")));
        assert_int_equal(load_int(p, 4, true, 1), jint(jget(v, "days")));
        assert_int_equal(load_int(p + 8, 8, true, 0), jint(jget(v, "nanoseconds")));
      } else {
        assert_int_equal(load_int(p, 4, true, 0), jint(jget(v, "days")));
        assert_int_equal(load_int(p, 4, true, 1), jint(jget(v, "milliseconds")));
      }
    }
    return;
  }
  if (strcmp(f, "+l") == 0 || strcmp(f, "+L") == 0 || strcmp(f, "+m") == 0) {
    const jval* offsets = jget(col, "OFFSET");
    int ow = f[1] == 'L' ? 8 : 4;
    assert_non_null(offsets);
    for (int64_t i = 0; i <= n && n > 0; i++)
      if (load_int(a->buffers[1], ow, true, a->offset + i) != jint(&offsets->items[i]))
        fail_msg("%s: offset %lld differs", ctx->where, (long long)i);
    compare_children(ctx, s, a, field, col);
    return;
  }
  if (strcmp(f, "+s") == 0 || strncmp(f, "+w:", 3) == 0) {
    compare_children(ctx, s, a, field, col);
    return;
  }
  fail_msg("%s: no comparison for format %s", ctx->where, f);
}

/* Reads every batch of `o` and compares it with the JSON's batches. */
static void compare_with_json(const golden_case* c, const char* file, artemis_ipc_reader* reader, const jval* json) {
  const jval* fields = jget(jget(json, "schema"), "fields");
  const jval* batches = jget(json, "batches");
  struct ArrowSchema schema;
  artemis_error err;
  assert_int_equal(artemis_ipc_reader_schema(reader, &schema, &err), ARTEMIS_OK);
  assert_string_equal(schema.format, "+s");
  compare_metadata(schema.metadata, jget(jget(json, "schema"), "metadata"), file);
  assert_int_equal((size_t)schema.n_children, fields->n);
  for (size_t i = 0; i < fields->n; i++) {
    assert_string_equal(schema.children[i]->name, jget(&fields->items[i], "name")->text);
    bool nullable = jget(&fields->items[i], "nullable")->boolean;
    compare_metadata(schema.children[i]->metadata, jget(&fields->items[i], "metadata"), file);
    assert_int_equal((schema.children[i]->flags & ARROW_FLAG_NULLABLE) != 0, nullable);
  }
  cmp_ctx ctx;
  ctx.in_map = 0;
  ctx.dictionaries = jget(json, "dictionaries");
  /* README: nested_dictionary's JSON ids do not match the binary ids. */
  ctx.compare_dictionary_values = strcmp(c->name, "generated_nested_dictionary") != 0;
  for (size_t b = 0; b < batches->n; b++) {
    struct ArrowArray batch;
    int rc = artemis_ipc_reader_next(reader, &batch, &err);
    if (rc != ARTEMIS_OK) fail_msg("%s batch %zu: %s %s", file, b, artemis_status_name(rc), err.message);
    const jval* columns = jget(&batches->items[b], "columns");
    assert_int_equal(batch.length, jint(jget(&batches->items[b], "count")));
    for (size_t i = 0; i < columns->n; i++) {
      format_into(ctx.where, sizeof ctx.where, "%s batch %zu column %s", file, b, schema.children[i]->name);
      compare_array(&ctx, schema.children[i], batch.children[i], &fields->items[i], &columns->items[i]);
    }
    batch.release(&batch);
  }
  struct ArrowArray extra;
  assert_int_equal(artemis_ipc_reader_next(reader, &extra, &err), ARTEMIS_E_END_OF_STREAM);
  schema.release(&schema);
}

/* ---- tests ---- */

static artemis_ipc_reader_options counted_options(test_nth_failure* counter, artemis_allocator* allocator) {
  counter->calls = 0;
  counter->fail_at = -1;
  counter->live = 0;
  *allocator = test_nth_failure_allocator(counter);
  artemis_ipc_reader_options options;
  artemis_ipc_reader_options_init(&options);
  options.allocator = allocator;
  return options;
}

static void test_golden_cases_read_as_their_json_says(void** state) {
  (void)state;
  const char* formats[] = {".stream", ".arrow_file"};
  int opened_ok = 0, rejected = 0;
  for (size_t i = 0; i < g_n_cases; i++) {
    const golden_case* c = &g_cases[i];
    char rel[300], json_path[700];
    format_into(rel, sizeof rel, "%s/%s.json.gz", c->folder, c->name);
    corpus_path(json_path, sizeof json_path, rel);
    jval json;
    if (load_json(json_path, &json) != 0) fail_msg("cannot parse %s", json_path);
    const char* type = rejected_type(c);
    for (int f = 0; f < 2; f++) {
      char file[700];
      format_into(rel, sizeof rel, "%s/%s%s", c->folder, c->name, formats[f]);
      corpus_path(file, sizeof file, rel);
      for (via v = VIA_PATH; v <= VIA_PIPE; v++) {
        test_nth_failure counter;
        artemis_allocator allocator;
        artemis_ipc_reader_options options = counted_options(&counter, &allocator);
        opened o;
        artemis_error err;
        artemis_error_clear(&err);
        int rc = open_via(v, file, &options, &o, &err);
        if (type) {
          if (rc != ARTEMIS_E_UNSUPPORTED || !strstr(err.message, "unsupported type") || !strstr(err.message, type) ||
              !strstr(err.message, "in column"))
            fail_msg("%s via %s: expected ARTEMIS_E_UNSUPPORTED naming %s, got %s \"%s\"", rel, via_name(v), type,
                     artemis_status_name(rc), err.message);
          rejected++;
        } else {
          if (rc != ARTEMIS_OK) fail_msg("%s via %s: %s %s", rel, via_name(v), artemis_status_name(rc), err.message);
          char label[800];
          format_into(label, sizeof label, "%s via %s", rel, via_name(v));
          compare_with_json(c, label, o.reader, &json);
          artemis_ipc_reader_info info;
          artemis_ipc_reader_get_info(o.reader, &info);
          assert_int_equal(info.batches_read, (int64_t)jget(&json, "batches")->n);
          /* Through a pipe, a file is read as the stream it holds. */
          assert_int_equal(info.format, f == 0 ? ARTEMIS_IPC_FORMAT_STREAM : ARTEMIS_IPC_FORMAT_FILE);
          opened_ok++;
        }
        close_opened(&o);
        if (counter.live != 0) fail_msg("%s via %s: %lld blocks leaked", rel, via_name(v), (long long)counter.live);
      }
    }
    jfree(&json);
  }
  printf("values compared with the corpus JSON: %lld; metadata pairs: %lld\n", (long long)g_values_compared,
         (long long)g_metadata_compared);
  assert_true(g_metadata_compared > 0);
  assert_true(g_values_compared > 50000);
  /* 49 readable cases x 2 formats x 3 ways; 3 rejected cases likewise. */
  assert_int_equal(opened_ok, 49 * 6);
  assert_int_equal(rejected, 3 * 6);
  assert_true(g_views_compared > 0);
}

static void test_reader_info_per_producer(void** state) {
  (void)state;
  struct {
    const char* rel;
    int version, legacy, big_endian;
  } cases[] = {
      {"golden/0.14.1/generated_primitive.stream", 4, 1, 0},
      {"golden/0.14.1/generated_dictionary.arrow_file", 4, 1, 0},
      /* The footer says V1 and no block holds a message: the version is not known. */
      {"golden/0.14.1/generated_primitive_no_batches.arrow_file", 0, 0, 0},
      {"golden/1.0.0-bigendian/generated_primitive.stream", 5, 0, 1},
      {"golden/cpp-21.0.0/generated_primitive.arrow_file", 5, 0, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char path[700];
    corpus_path(path, sizeof path, cases[i].rel);
    artemis_ipc_reader* r;
    artemis_error err;
    assert_int_equal(artemis_ipc_reader_open_path(&r, path, NULL, &err), ARTEMIS_OK);
    artemis_ipc_reader_info info;
    artemis_ipc_reader_get_info(r, &info);
    /* A stream's Schema message is read at open; a file's schema comes from its footer and
     * its messages' framing is learned from the blocks, so read those first. */
    int is_file = strstr(cases[i].rel, ".arrow_file") != NULL;
    assert_int_equal(info.messages_read, is_file ? 0 : 1);
    struct ArrowArray batch;
    while (artemis_ipc_reader_next(r, &batch, &err) == ARTEMIS_OK) batch.release(&batch);
    artemis_ipc_reader_get_info(r, &info);
    assert_int_equal(info.metadata_version, cases[i].version);
    assert_int_equal(info.legacy_framing, cases[i].legacy);
    assert_int_equal(info.big_endian, cases[i].big_endian);
    artemis_ipc_reader_free(r);
  }
}

/* ---- big-endian twins ---- */

static void compare_twin(const struct ArrowSchema* s, const struct ArrowArray* be, const struct ArrowArray* le,
                         const char* where) {
  assert_int_equal(be->length, le->length);
  assert_int_equal(be->null_count, le->null_count);
  assert_int_equal(be->n_buffers, le->n_buffers);
  assert_int_equal(be->n_children, le->n_children);
  int64_t n = be->length;
  for (int64_t i = 0; i < n; i++)
    if (is_valid(be, i) != is_valid(le, i)) fail_msg("%s: validity of slot %lld differs", where, (long long)i);
  const char* f = s->format;
  bool is_signed;
  int64_t width = int_format(f, &is_signed);
  if (!width && (strcmp(f, "f") == 0)) width = 4;
  if (!width && (strcmp(f, "g") == 0)) width = 8;
  if (!width && (strcmp(f, "e") == 0)) width = 2;
  if (!width && strcmp(f, "tiD") == 0) width = 8;
  if (!width && strcmp(f, "tin") == 0) width = 16;
  if (!width && strncmp(f, "w:", 2) == 0) width = atoll(f + 2);
  if (!width && strncmp(f, "d:", 2) == 0) width = atoll(strrchr(f, ',') + 1) / 8;
  if (width) {
    /* Every slot, nulls included: both files were written from the same data. */
    if (n && memcmp(be->buffers[1], le->buffers[1], (size_t)(n * width)) != 0)
      fail_msg("%s: values differ after byte-swapping (format %s)", where, f);
  } else if (strcmp(f, "b") == 0) {
    for (int64_t i = 0; i < n; i++)
      if (bit(be->buffers[1], i) != bit(le->buffers[1], i)) fail_msg("%s: bool slot %lld differs", where, (long long)i);
  } else if (strchr("zZuU", f[0]) && !f[1]) {
    int ow = (f[0] == 'Z' || f[0] == 'U') ? 8 : 4;
    if (n && memcmp(be->buffers[1], le->buffers[1], (size_t)((n + 1) * ow)) != 0) fail_msg("%s: offsets differ", where);
    int64_t data = n ? load_int(be->buffers[1], ow, true, n) : 0;
    if (data && memcmp(be->buffers[2], le->buffers[2], (size_t)data) != 0) fail_msg("%s: data differs", where);
  } else if (strcmp(f, "+l") == 0 || strcmp(f, "+L") == 0 || strcmp(f, "+m") == 0) {
    int ow = f[1] == 'L' ? 8 : 4;
    if (n && memcmp(be->buffers[1], le->buffers[1], (size_t)((n + 1) * ow)) != 0) fail_msg("%s: list offsets differ", where);
  } else if (strcmp(f, "+s") != 0 && strncmp(f, "+w:", 3) != 0 && strcmp(f, "n") != 0) {
    fail_msg("%s: no twin comparison for format %s", where, f);
  }
  char child_where[600];
  for (int64_t i = 0; i < be->n_children; i++) {
    format_into(child_where, sizeof child_where, "%s.%s", where, s->children[i]->name);
    compare_twin(s->children[i], be->children[i], le->children[i], child_where);
  }
  if (s->dictionary) {
    format_into(child_where, sizeof child_where, "%s (dictionary)", where);
    compare_twin(s->dictionary, be->dictionary, le->dictionary, child_where);
  }
}

static void test_big_endian_cases_equal_their_little_endian_twins(void** state) {
  (void)state;
  const char* formats[] = {".stream", ".arrow_file"};
  int compared = 0;
  for (size_t i = 0; i < g_n_cases; i++) {
    if (strcmp(g_cases[i].folder, "golden/1.0.0-bigendian") != 0) continue;
    for (int f = 0; f < 2; f++) {
      char be_path[700], le_path[700], rel[300];
      format_into(rel, sizeof rel, "golden/1.0.0-bigendian/%s%s", g_cases[i].name, formats[f]);
      corpus_path(be_path, sizeof be_path, rel);
      format_into(rel, sizeof rel, "golden/1.0.0-littleendian/%s%s", g_cases[i].name, formats[f]);
      corpus_path(le_path, sizeof le_path, rel);
      artemis_ipc_reader *be, *le;
      artemis_error err;
      assert_int_equal(artemis_ipc_reader_open_path(&be, be_path, NULL, &err), ARTEMIS_OK);
      assert_int_equal(artemis_ipc_reader_open_path(&le, le_path, NULL, &err), ARTEMIS_OK);
      struct ArrowSchema schema;
      assert_int_equal(artemis_ipc_reader_schema(be, &schema, &err), ARTEMIS_OK);
      for (int b = 0;; b++) {
        struct ArrowArray x, y;
        int rc_be = artemis_ipc_reader_next(be, &x, &err);
        int rc_le = artemis_ipc_reader_next(le, &y, &err);
        assert_int_equal(rc_be, rc_le);
        if (rc_be != ARTEMIS_OK) break;
        char where[600];
        format_into(where, sizeof where, "%s batch %d", be_path, b);
        compare_twin(&schema, &x, &y, where);
        x.release(&x);
        y.release(&y);
        compared++;
      }
      schema.release(&schema);
      artemis_ipc_reader_free(be);
      artemis_ipc_reader_free(le);
    }
  }
  /* 6 cases of 2 batches, in 2 formats. */
  assert_int_equal(compared, 24);
}

static void test_batches_outlive_the_reader(void** state) {
  (void)state;
  char path[700];
  corpus_path(path, sizeof path, "golden/cpp-21.0.0/generated_dictionary.stream");
  artemis_ipc_reader* r;
  artemis_error err;
  assert_int_equal(artemis_ipc_reader_open_path(&r, path, NULL, &err), ARTEMIS_OK);
  struct ArrowArray first, second;
  assert_int_equal(artemis_ipc_reader_next(r, &first, &err), ARTEMIS_OK);
  assert_int_equal(artemis_ipc_reader_next(r, &second, &err), ARTEMIS_OK);
  artemis_ipc_reader_free(r);
  /* A child moved out of its batch stays valid after the batch is released. */
  struct ArrowArray moved = *first.children[0];
  first.children[0]->release = NULL;
  first.release(&first);
  assert_int_equal(moved.length, 7);
  assert_non_null(moved.dictionary);
  assert_int_equal(moved.dictionary->length, 10); /* JSON: dictionary id 0 has 10 values */
  const uint8_t* indices = moved.buffers[1];
  for (int64_t i = 0; i < moved.length; i++)
    if (is_valid(&moved, i)) assert_true(indices[i] < moved.dictionary->length);
  moved.release(&moved);
  assert_int_equal(second.length, 10);
  second.release(&second);
}

/* ---- malformed inputs ---- */

static void on_alarm(int sig) {
  (void)sig;
  static const char msg[] = "ipc_corpus_test: a malformed input hung the reader\n";
  ssize_t ignored = write(2, msg, sizeof msg - 1);
  (void)ignored;
  _exit(3);
}

/* Opens and reads to the end; returns 1 when the input was read cleanly to its end. */
static int read_to_end(via v, const char* path, char* outcome, size_t cap) {
  test_nth_failure counter;
  artemis_allocator allocator;
  artemis_ipc_reader_options options = counted_options(&counter, &allocator);
  /* Lower limits than the defaults: a lying length must not make us allocate it. */
  options.max_body_bytes = (int64_t)64 << 20;
  opened o;
  artemis_error err;
  artemis_error_clear(&err);
  int rc = open_via(v, path, &options, &o, &err);
  int64_t batches = 0;
  if (rc == ARTEMIS_OK) {
    struct ArrowSchema schema;
    assert_int_equal(artemis_ipc_reader_schema(o.reader, &schema, &err), ARTEMIS_OK);
    schema.release(&schema);
    for (;;) {
      struct ArrowArray batch;
      rc = artemis_ipc_reader_next(o.reader, &batch, &err);
      if (rc != ARTEMIS_OK) break;
      batches++;
      batch.release(&batch);
    }
    if (rc != ARTEMIS_E_END_OF_STREAM) {
      /* After an error the reader refuses to go on. */
      struct ArrowArray batch;
      artemis_error again;
      assert_int_equal(artemis_ipc_reader_next(o.reader, &batch, &again), ARTEMIS_E_STATE);
    }
  }
  close_opened(&o);
  if (counter.live != 0) fail_msg("%s via %s: %lld blocks leaked", path, via_name(v), (long long)counter.live);
  bool clean = rc == ARTEMIS_E_END_OF_STREAM;
  if (!clean) {
    /* A failure is a real error code with a message, never OK or an internal error. */
    if (rc >= 0 || rc == ARTEMIS_E_INTERNAL || err.message[0] == '\0')
      fail_msg("%s via %s: returned %s \"%s\"", path, via_name(v), artemis_status_name(rc), err.message);
  }
  format_into(outcome, cap, "%s", clean ? "accepted" : artemis_status_name(rc));
  (void)batches;
  return clean;
}

static void test_malformed_inputs_fail_cleanly_or_read_cleanly(void** state) {
  (void)state;
  const char* folders[] = {"malformed/arrow-ipc-stream", "malformed/arrow-ipc-file",
                           "malformed/arrow-ipc-tensor-stream", "malformed/forward-compatibility"};
  signal(SIGALRM, on_alarm);
  size_t total = 0;
  int accepted[3] = {0, 0, 0};
  for (size_t f = 0; f < sizeof folders / sizeof *folders; f++) {
    char dir[600];
    corpus_path(dir, sizeof dir, folders[f]);
    size_t n;
    char** names = list_dir(dir, NULL, &n);
    for (size_t i = 0; i < n; i++) {
      char path[900];
      format_into(path, sizeof path, "%s/%s", dir, names[i]);
      for (via v = VIA_PATH; v <= VIA_PIPE; v++) {
        char outcome[64];
        alarm(20);
        accepted[v] += read_to_end(v, path, outcome, sizeof outcome);
        alarm(0);
      }
      total++;
    }
    free_list(names, n);
  }
  signal(SIGALRM, SIG_DFL);
  assert_int_equal(total, 138); /* README: 80 + 55 + 2 + 1 */
  printf("malformed inputs: %zu; read cleanly to the end: %d by path, %d from memory, %d through a pipe "
         "(the rest rejected with an error)\n",
         total, accepted[VIA_PATH], accepted[VIA_MEMORY], accepted[VIA_PIPE]);
  /* Rejection is the norm: a lenient reader accepts about 20 of the 138 (README). */
  assert_true(accepted[VIA_PATH] <= 30);
}

static void test_malformed_footers_decoded_directly(void** state) {
  (void)state;
  char dir[600];
  corpus_path(dir, sizeof dir, "malformed/arrow-ipc-file");
  size_t n;
  char** names = list_dir(dir, NULL, &n);
  assert_int_equal(n, 55);
  int without_magic = 0, decoded = 0;
  for (size_t i = 0; i < n; i++) {
    char path[900];
    format_into(path, sizeof path, "%s/%s", dir, names[i]);
    size_t size;
    uint8_t* data = read_file(path, &size);
    /* README: all 55 end with ARROW1. */
    assert_true(size >= 6 && memcmp(data + size - 6, "ARROW1", 6) == 0);
    if (memcmp(data, "ARROW1", 6) != 0) {
      without_magic++;
      tracked_mem env;
      tracked_mem_init(&env, -1);
      artemis_ipc_footer footer;
      artemis_error err;
      artemis_error_clear(&err);
      int rc = artemis_ipc_read_footer(data, size, NULL, &env.mem, &footer, &err);
      if (rc == ARTEMIS_OK) {
        decoded++;
        /* Every block the footer lists lies between the header and the footer. */
        for (int64_t b = 0; b < footer.n_record_batches; b++) {
          assert_true(footer.record_batches[b].offset >= 8);
          assert_true(footer.record_batches[b].offset + footer.record_batches[b].metadata_length +
                          footer.record_batches[b].body_length <= (int64_t)size - 10);
        }
        artemis_ipc_footer_free(&env.mem, &footer);
      } else {
        assert_true(rc < 0 && rc != ARTEMIS_E_INTERNAL);
        assert_true(err.message[0] != '\0');
      }
      assert_int_equal(env.mem.live_bytes, 0);
    }
    free(data);
  }
  free_list(names, n);
  assert_int_equal(without_magic, 41); /* README */
  printf("malformed file footers decoded directly: %d of %d without the leading magic decode and validate\n", decoded,
         without_magic);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_corpus_has_every_case),
      cmocka_unit_test(test_golden_cases_read_as_their_json_says),
      cmocka_unit_test(test_reader_info_per_producer),
      cmocka_unit_test(test_big_endian_cases_equal_their_little_endian_twins),
      cmocka_unit_test(test_batches_outlive_the_reader),
      cmocka_unit_test(test_malformed_inputs_fail_cleanly_or_read_cleanly),
      cmocka_unit_test(test_malformed_footers_decoded_directly),
  };
  return cmocka_run_group_tests(tests, collect_cases, free_cases);
}
