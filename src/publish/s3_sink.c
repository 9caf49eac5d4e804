/* S3 multipart sink: the commit protocol of RELIABILITY-PLAN.md section 3, and the public
 * S3 entry points of include/artemis/s3.h.
 *
 * S3 has no rename, so the commit point is CompleteMultipartUpload. The invariant every path
 * below keeps: when a call returns an error, nothing of ours is at s3://bucket/key (Complete
 * was not acknowledged, and HeadObject did not show our object either) and the upload this
 * sink created has been aborted (best effort: an abort that itself fails leaves a pending
 * upload for `artemis-write s3-gc` and the bucket's AbortIncompleteMultipartUpload rule).
 *
 * libcurl 7.88 (Debian 12) SigV4 pitfalls this code works around, each verified against moto
 * with signature checking on:
 *  - curl does not send x-amz-content-sha256; we compute SHA-256 of every body and send it;
 *  - a valueless query key must be written "uploads=", and query parameters must be
 *    pre-sorted and need no %-escaping (hence the restricted key alphabet);
 *  - every body gets an explicit Content-Type (otherwise curl sends form-urlencoded and moto
 *    stores an empty part with 200: the ETag = MD5 check is what catches that);
 *  - no header is removed with "Name:" (curl would still sign it).
 * curl signs every header we add, Content-MD5 included.
 *
 * Parts in flight: with parts_in_flight = 1 everything runs on the caller's thread (no
 * thread at all), exactly as a plain sequence of requests. With N > 1 the sink owns N
 * upload slots, each with its own part buffer, CURL easy handle and thread; write() fills
 * one slot while the others upload, and blocks when all N are busy. Slot threads touch
 * only their slot and the sink's immutable fields; the caller's thread hands slots out,
 * collects their results (under `lock`) and does every allocation, so the writer's mem
 * never sees a slot thread. */
#include "publish/sink.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/errors.h"
#include "file/writer_internal.h"

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define MAX_PARTS 10000
#define MAX_PART_SIZE ((size_t)5 * 1024 * 1024 * 1024)
#define MAX_PARTS_IN_FLIGHT 64
#define MAX_RESPONSE_BYTES ((size_t)16 * 1024 * 1024)
#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS 5000

/* ---- process-wide flags (async-signal-safe: lock-free atomics only) ---- */

static atomic_int g_cancel_all;
static atomic_int g_drop_complete_replies;

void artemis_s3_request_cancel(void) { atomic_store(&g_cancel_all, 1); }

void artemis_s3_drop_complete_replies_for_testing(int count) { atomic_store(&g_drop_complete_replies, count); }

static int take_dropped_reply(void) {
  int n = atomic_load(&g_drop_complete_replies);
  while (n > 0) {
    if (atomic_compare_exchange_weak(&g_drop_complete_replies, &n, n - 1)) return 1;
  }
  return 0;
}

/* ---- digests (OpenSSL EVP) ---- */

static void to_hex(const unsigned char* bytes, size_t n, char* hex) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    hex[2 * i] = digits[bytes[i] >> 4];
    hex[2 * i + 1] = digits[bytes[i] & 15];
  }
  hex[2 * n] = '\0';
}

static int digest_hex(const EVP_MD* md, const void* bytes, size_t n, char* hex /* 2*EVP_MAX_MD_SIZE+1 */) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(n ? bytes : "", n, out, &len, md, NULL) != 1) return -1;
  to_hex(out, len, hex);
  return 0;
}

/* ---- HTTP ---- */

static pthread_once_t g_curl_once = PTHREAD_ONCE_INIT;
static CURLcode g_curl_init_rc = CURLE_FAILED_INIT;
static void curl_init_once(void) { g_curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT); }

/* Where and as whom; immutable once opened, so slot threads share it without a lock. */
typedef struct s3_config {
  char* endpoint; /* no trailing '/' */
  char* sigv4;    /* "aws:amz:<region>:s3" */
  char* access_key;
  char* secret_key;
  char* token_header; /* "x-amz-security-token: ..." or NULL */
  int max_attempts;
  long timeout_seconds;
} s3_config;

typedef struct s3_response {
  long status;
  char* body; /* NUL-terminated, malloc'ed */
  size_t len;
  int overflow;
  char etag[128]; /* the ETag header, quotes stripped, or "" */
  char curl_error[CURL_ERROR_SIZE];
  CURLcode curl_rc;
} s3_response;

/* One request. */
typedef struct s3_call {
  const char* method; /* GET, HEAD, PUT, POST, DELETE */
  const char* path_query; /* "/bucket/key?query", already canonical */
  const void* body;       /* NULL: no body */
  size_t body_len;
  const char* content_type;
  const char* const* extra_headers; /* NULL-terminated, or NULL */
  /* Non-NULL: the request is given up when *cancel or artemis_s3_request_cancel() is set.
   * NULL for the requests that must run even then (Complete, Head, Abort). */
  atomic_int* cancel;
  int complete; /* CompleteMultipartUpload: artemis_s3_drop_complete_replies_for_testing */
} s3_call;

static void response_reset(s3_response* r) {
  free(r->body);
  memset(r, 0, sizeof *r);
}

static size_t on_body(char* data, size_t size, size_t count, void* ctx) {
  s3_response* r = ctx;
  size_t n = size * count;
  if (r->overflow || r->len + n > MAX_RESPONSE_BYTES) {
    r->overflow = 1;
    return n; /* keep reading, drop the excess */
  }
  char* grown = realloc(r->body, r->len + n + 1);
  if (!grown) {
    r->overflow = 1;
    return n;
  }
  memcpy(grown + r->len, data, n);
  r->body = grown;
  r->len += n;
  r->body[r->len] = '\0';
  return n;
}

static size_t on_header(char* data, size_t size, size_t count, void* ctx) {
  s3_response* r = ctx;
  size_t n = size * count;
  if (n > 5 && strncasecmp(data, "etag:", 5) == 0) {
    const char* v = data + 5;
    const char* end = data + n;
    while (v < end && (*v == ' ' || *v == '\t' || *v == '"')) v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '"')) end--;
    size_t len = (size_t)(end - v);
    if (len >= sizeof r->etag) len = sizeof r->etag - 1;
    memcpy(r->etag, v, len);
    r->etag[len] = '\0';
  }
  return n;
}

static int call_cancelled(const s3_call* call) {
  return call->cancel && (atomic_load(call->cancel) || atomic_load(&g_cancel_all));
}

/* curl calls this at least once a second during a transfer, also when it stalls. */
static int on_progress(void* ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow) {
  (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
  return call_cancelled(ctx) ? 1 : 0;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static int retryable(const s3_response* r) {
  if (r->curl_rc != CURLE_OK) {
    /* Network-level failures. A certificate, URL or option error does not heal. */
    switch (r->curl_rc) {
      case CURLE_UNSUPPORTED_PROTOCOL:
      case CURLE_URL_MALFORMAT:
      case CURLE_NOT_BUILT_IN:
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_OUT_OF_MEMORY:
      case CURLE_BAD_FUNCTION_ARGUMENT:
      case CURLE_ABORTED_BY_CALLBACK:
        return 0;
      default:
        return 1;
    }
  }
  return r->status >= 500 || r->status == 429;
}

/* One signed request with retries, on `h` (one easy handle per thread). Returns 0 when a
 * response arrived (any status; the caller judges it), -1 when the last attempt failed at
 * the network level or was cancelled (r->curl_rc, r->curl_error say why). */
static int s3_request(const s3_config* c, CURL* h, s3_call* call, s3_response* r) {
  char sha[2 * EVP_MAX_MD_SIZE + 1];
  if (call->body && call->body_len > 0) {
    if (digest_hex(EVP_sha256(), call->body, call->body_len, sha) != 0) {
      response_reset(r);
      r->curl_rc = CURLE_OUT_OF_MEMORY;
      snprintf(r->curl_error, sizeof r->curl_error, "OpenSSL SHA-256 failed");
      return -1;
    }
  } else {
    strcpy(sha, EMPTY_SHA256);
  }
  size_t url_len = strlen(c->endpoint) + strlen(call->path_query) + 1;
  char* url = malloc(url_len);
  if (!url) {
    response_reset(r);
    r->curl_rc = CURLE_OUT_OF_MEMORY;
    snprintf(r->curl_error, sizeof r->curl_error, "out of memory");
    return -1;
  }
  snprintf(url, url_len, "%s%s", c->endpoint, call->path_query);
  char sha_header[160];
  snprintf(sha_header, sizeof sha_header, "x-amz-content-sha256: %s", sha);
  char type_header[128];
  snprintf(type_header, sizeof type_header, "Content-Type: %s",
           call->content_type ? call->content_type : "application/octet-stream");
  const char* method = call->method;
  int sends_body = strcmp(method, "PUT") == 0 || strcmp(method, "POST") == 0;

  long backoff = BACKOFF_FIRST_MS;
  int rc = -1;
  for (int attempt = 1; attempt <= c->max_attempts; attempt++) {
    response_reset(r);
    curl_easy_reset(h); /* keeps the connection cache */
    struct curl_slist* headers = NULL;
    struct curl_slist* next;
#define ADD_HEADER(s)                       \
  do {                                      \
    next = curl_slist_append(headers, (s)); \
    if (!next) goto oom;                    \
    headers = next;                         \
  } while (0)
    ADD_HEADER(sha_header);
    if (call->body || sends_body) ADD_HEADER(type_header);
    if (c->token_header) ADD_HEADER(c->token_header);
    for (const char* const* e = call->extra_headers; e && *e; e++) ADD_HEADER(*e);
#undef ADD_HEADER
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, c->sigv4);
    curl_easy_setopt(h, CURLOPT_USERNAME, c->access_key);
    curl_easy_setopt(h, CURLOPT_PASSWORD, c->secret_key);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->curl_error);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
    /* A stalled transfer (below 1 byte/s for timeout_seconds) fails and is retried. */
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, c->timeout_seconds);
    if (call->cancel) {
      curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
      curl_easy_setopt(h, CURLOPT_XFERINFODATA, call);
    }
    if (strcmp(method, "HEAD") == 0) {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (strcmp(method, "DELETE") == 0) {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "DELETE");
    } else if (sends_body) {
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, call->body ? (const char*)call->body : "");
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(call->body ? call->body_len : 0));
      if (strcmp(method, "PUT") == 0) curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
    }
    r->curl_rc = curl_easy_perform(h);
    curl_slist_free_all(headers);
    if (r->curl_rc == CURLE_OK && call->complete && take_dropped_reply()) {
      r->curl_rc = CURLE_RECV_ERROR;
      snprintf(r->curl_error, sizeof r->curl_error, "reply dropped (test hook)");
    }
    if (r->curl_rc == CURLE_OK) {
      curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
      rc = 0;
    } else {
      if (r->curl_rc == CURLE_ABORTED_BY_CALLBACK)
        snprintf(r->curl_error, sizeof r->curl_error, "cancelled");
      else if (!r->curl_error[0])
        snprintf(r->curl_error, sizeof r->curl_error, "%s", curl_easy_strerror(r->curl_rc));
      rc = -1;
    }
    if (!retryable(r) || attempt == c->max_attempts || call_cancelled(call)) break;
    sleep_ms(backoff);
    backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
    continue;
  oom:
    curl_slist_free_all(headers);
    response_reset(r);
    r->curl_rc = CURLE_OUT_OF_MEMORY;
    snprintf(r->curl_error, sizeof r->curl_error, "out of memory building headers");
    rc = -1;
    break;
  }
  free(url);
  return rc;
}

/* "HTTP 403, SignatureDoesNotMatch" or the network error, for messages. */
static void describe(const s3_response* r, char* out, size_t size) {
  if (r->curl_rc != CURLE_OK) {
    snprintf(out, size, "%s%.200s", r->curl_rc == CURLE_ABORTED_BY_CALLBACK ? "" : "network error: ", r->curl_error);
    return;
  }
  const char* code = r->body ? strstr(r->body, "<Code>") : NULL;
  if (code) {
    const char* end = strstr(code, "</Code>");
    int len = end ? (int)(end - code - 6) : 0;
    if (len > 100) len = 100;
    snprintf(out, size, "HTTP %ld, %.*s", r->status, len, code + 6);
  } else {
    snprintf(out, size, "HTTP %ld", r->status);
  }
}

static int has_code(const s3_response* r, const char* code) {
  char tag[96];
  snprintf(tag, sizeof tag, "<Code>%s</Code>", code);
  return r->body && strstr(r->body, tag) != NULL;
}

/* Copies the text of the first <tag>...</tag> after `from` into out; returns a pointer past
 * the closing tag, or NULL when absent. */
static const char* xml_text(const char* from, const char* tag, char* out, size_t size) {
  char open[64], close[64];
  snprintf(open, sizeof open, "<%s>", tag);
  snprintf(close, sizeof close, "</%s>", tag);
  const char* a = from ? strstr(from, open) : NULL;
  if (!a) return NULL;
  a += strlen(open);
  const char* b = strstr(a, close);
  if (!b) return NULL;
  size_t len = (size_t)(b - a);
  if (len >= size) len = size - 1;
  memcpy(out, a, len);
  out[len] = '\0';
  return b + strlen(close);
}

static void config_close(s3_config* c) {
  free(c->endpoint);
  free(c->sigv4);
  free(c->access_key);
  if (c->secret_key) {
    memset(c->secret_key, 0, strlen(c->secret_key));
    free(c->secret_key);
  }
  free(c->token_header);
  memset(c, 0, sizeof *c);
}

/* Checks the options a caller gave (NULL: defaults) before anything is opened. */
static int check_options(const artemis_s3_options* o, artemis_error* error) {
  if (!o) return ARTEMIS_OK;
  if (o->version != ARTEMIS_S3_OPTIONS_VERSION) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                             "s3 options.version is %u, this library expects %u: call artemis_s3_options_init() first",
                             (unsigned)o->version, ARTEMIS_S3_OPTIONS_VERSION);
  }
  if (o->part_size != 0 && (o->part_size < ARTEMIS_S3_MIN_PART_SIZE || o->part_size > MAX_PART_SIZE)) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                             "s3: part size %zu is outside S3's limits of %zu bytes (5 MiB) to 5 GiB", o->part_size,
                             ARTEMIS_S3_MIN_PART_SIZE);
  }
  if (o->parts_in_flight < 0 || o->parts_in_flight > MAX_PARTS_IN_FLIGHT) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "s3: parts_in_flight is %d; it must be in 0..%d",
                             o->parts_in_flight, MAX_PARTS_IN_FLIGHT);
  }
  return ARTEMIS_OK;
}

static int config_open(s3_config* c, const artemis_s3_options* o, artemis_error* error) {
  memset(c, 0, sizeof *c);
  artemis_s3_options defaults;
  artemis_s3_options_init(&defaults);
  if (!o) o = &defaults;
  pthread_once(&g_curl_once, curl_init_once);
  if (g_curl_init_rc != CURLE_OK) {
    return artemis_set_error(error, ARTEMIS_E_IO, "s3: curl_global_init failed: %s", curl_easy_strerror(g_curl_init_rc));
  }
  const char* ak = o->access_key_id ? o->access_key_id : getenv("AWS_ACCESS_KEY_ID");
  const char* sk = o->secret_access_key ? o->secret_access_key : getenv("AWS_SECRET_ACCESS_KEY");
  const char* token = o->session_token ? o->session_token : getenv("AWS_SESSION_TOKEN");
  const char* region = o->region ? o->region : getenv("AWS_REGION");
  if (!region || !*region) region = "us-east-1";
  if (!ak || !*ak || !sk || !*sk) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                             "s3: no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  }
  for (const char* p = region; *p; p++) {
    if (!(isalnum((unsigned char)*p) || *p == '-')) {
      return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "s3: region '%.64s' is not a region name", region);
    }
  }
  char endpoint[512];
  if (o->endpoint && *o->endpoint) {
    if (strncmp(o->endpoint, "http://", 7) != 0 && strncmp(o->endpoint, "https://", 8) != 0) {
      return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                               "s3: endpoint '%.200s' must start with http:// or https://", o->endpoint);
    }
    if (strlen(o->endpoint) >= sizeof endpoint) {
      return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "s3: endpoint '%.200s...' is too long", o->endpoint);
    }
    snprintf(endpoint, sizeof endpoint, "%s", o->endpoint);
  } else {
    snprintf(endpoint, sizeof endpoint, "https://s3.%s.amazonaws.com", region);
  }
  size_t el = strlen(endpoint);
  while (el > 0 && endpoint[el - 1] == '/') endpoint[--el] = '\0';
  char sigv4[128];
  snprintf(sigv4, sizeof sigv4, "aws:amz:%s:s3", region);
  c->max_attempts = o->max_attempts > 0 ? o->max_attempts : 5;
  c->timeout_seconds = o->timeout_seconds > 0 ? o->timeout_seconds : 60;
  c->endpoint = strdup(endpoint);
  c->sigv4 = strdup(sigv4);
  c->access_key = strdup(ak);
  c->secret_key = strdup(sk);
  if (token && *token) {
    size_t n = strlen(token) + 32;
    c->token_header = malloc(n);
    if (c->token_header) snprintf(c->token_header, n, "x-amz-security-token: %s", token);
  }
  if (!c->endpoint || !c->sigv4 || !c->access_key || !c->secret_key || (token && *token && !c->token_header)) {
    config_close(c);
    return artemis_set_error(error, ARTEMIS_E_NOMEM, "s3: out of memory opening a connection to %s", endpoint);
  }
  return ARTEMIS_OK;
}

static int upload_id_ok(const char* id) {
  if (!*id) return 0;
  for (const char* p = id; *p; p++) {
    if (!(isalnum((unsigned char)*p) || *p == '.' || *p == '_' || *p == '-' || *p == '~')) return 0;
  }
  return 1;
}

/* Best-effort AbortMultipartUpload. 204 (and 404 NoSuchUpload: already gone) count as done.
 * Not cancellable: it is what a cancellation ends with. */
static int abort_upload(const s3_config* c, CURL* h, const char* bucket, const char* key, const char* upload_id) {
  char pq[2048];
  if ((size_t)snprintf(pq, sizeof pq, "/%s/%s?uploadId=%s", bucket, key, upload_id) >= sizeof pq) return -1;
  s3_response r;
  memset(&r, 0, sizeof r);
  s3_call call = {"DELETE", pq, NULL, 0, NULL, NULL, NULL, 0};
  int rc = s3_request(c, h, &call, &r);
  int ok = rc == 0 && (r.status == 204 || r.status == 200 || r.status == 404);
  response_reset(&r);
  return ok ? 0 : -1;
}

/* ---- the sink ---- */

typedef enum slot_state {
  SLOT_IDLE = 0, /* free, or being filled by the caller's thread (s->filling) */
  SLOT_QUEUED,   /* handed to its upload thread (or being uploaded inline) */
  SLOT_DONE      /* uploaded or failed; the caller's thread collects the result */
} slot_state;

typedef struct s3_sink s3_sink;

typedef struct upload_slot {
  s3_sink* sink;
  CURL* curl; /* this slot thread's own handle; NULL when parts upload inline */
  pthread_t thread;
  int thread_started;
  uint8_t* buffer; /* part_size bytes through the writer's mem, allocated at first use */
  size_t len;
  int number;     /* part number, from 1 */
  int64_t offset; /* of the part's first byte in the output */
  slot_state state;
  /* Results, written by the uploader before SLOT_DONE. */
  int status;
  artemis_error error;
  unsigned char md5[16];
  char etag[128];
} upload_slot;

typedef struct part_record {
  unsigned char md5[16]; /* for the expected multipart ETag */
  char etag[128];        /* as the server returned it, for CompleteMultipartUpload */
} part_record;

struct s3_sink {
  artemis_sink base; /* first, so an artemis_sink* is an s3_sink* */
  artemis_mem* mem;  /* the writer's; everything below that is allocated lives in it */
  s3_config cfg;
  CURL* curl; /* the caller's thread's handle: Create, Complete, Head, Abort, inline parts */
  char* bucket;
  char* key;
  char* path; /* "/bucket/key" */
  char upload_id[512];
  size_t part_size;
  int verify_etag;
  /* Slots: one without threads, parts_in_flight with. */
  upload_slot* slots;
  int slot_count;
  int threaded;
  upload_slot* filling; /* the slot write() is filling, or NULL */
  int parts;            /* part numbers handed out */
  part_record* records; /* indexed by part number - 1 */
  int record_capacity;
  pthread_mutex_t lock; /* guards slot states and results, stopping, part_failed */
  pthread_cond_t work;  /* a slot was queued, or stop */
  pthread_cond_t done;  /* a slot finished */
  int sync_ready;
  int stopping;
  atomic_int cancel; /* set by abandon(): in-flight parts stop early */
  int part_failed;   /* status of the first failed part (0: none) */
  artemis_error failure;
  int dead; /* a write failed: the upload is aborted, later calls are refused */
};

/* Uploads one part. Runs on the slot's thread, or inline on the caller's thread; touches
 * only `slot` and the sink's immutable fields. */
static void upload_job(s3_sink* s, upload_slot* slot) {
  artemis_error_clear(&slot->error);
  slot->status = ARTEMIS_OK;
  slot->etag[0] = '\0';
  int number = slot->number;
  int64_t at = slot->offset;
  unsigned int md5_len = 0;
  if (EVP_Digest(slot->len ? slot->buffer : (const uint8_t*)"", slot->len, slot->md5, &md5_len, EVP_md5(), NULL) != 1 ||
      md5_len != 16) {
    slot->status = artemis_set_error_at(&slot->error, ARTEMIS_E_INTERNAL, -1, -1, at,
                                        "s3://%s/%s: OpenSSL MD5 of part %d failed", s->bucket, s->key, number);
    return;
  }
  char md5_hex[33], md5_b64[32], md5_header[64];
  to_hex(slot->md5, 16, md5_hex);
  EVP_EncodeBlock((unsigned char*)md5_b64, slot->md5, 16);
  /* The server checks the body against it (400 BadDigest), so a part damaged on the way is
   * refused even where the ETag is no MD5 (SSE-KMS, SSE-C). */
  snprintf(md5_header, sizeof md5_header, "Content-MD5: %s", md5_b64);
  const char* extra[] = {md5_header, NULL};
  char pq[2048];
  if ((size_t)snprintf(pq, sizeof pq, "%s?partNumber=%d&uploadId=%s", s->path, number, s->upload_id) >= sizeof pq) {
    slot->status = artemis_set_error(&slot->error, ARTEMIS_E_INTERNAL, "s3://%s/%s: request path too long", s->bucket,
                                     s->key);
    return;
  }
  s3_response r;
  memset(&r, 0, sizeof r);
  s3_call call = {"PUT", pq, slot->len ? slot->buffer : NULL, slot->len, "application/octet-stream", extra, &s->cancel, 0};
  int rc = s3_request(&s->cfg, slot->curl ? slot->curl : s->curl, &call, &r);
  if (rc != 0 || r.status != 200 || (r.body && strstr(r.body, "<Error>"))) {
    char why[256];
    describe(&r, why, sizeof why);
    if (r.curl_rc == CURLE_ABORTED_BY_CALLBACK) {
      slot->status = artemis_set_error_at(&slot->error, ARTEMIS_E_IO, -1, -1, at,
                                          "s3://%s/%s: UploadPart %d (%zu bytes at offset %lld) cancelled", s->bucket,
                                          s->key, number, slot->len, (long long)at);
    } else {
      slot->status = artemis_set_error_at(
          &slot->error, ARTEMIS_E_IO, -1, -1, at,
          "s3://%s/%s: UploadPart %d (%zu bytes at offset %lld) failed after up to %d attempts: %s", s->bucket, s->key,
          number, slot->len, (long long)at, s->cfg.max_attempts, why);
    }
  } else if (s->verify_etag && strcasecmp(r.etag, md5_hex) != 0) {
    slot->status = artemis_set_error_at(&slot->error, ARTEMIS_E_IO, -1, -1, at,
                                        "s3://%s/%s: UploadPart %d (%zu bytes at offset %lld): the server's ETag '%s' is "
                                        "not the part's MD5 %s (the part was stored wrongly; for SSE-KMS or SSE-C "
                                        "buckets turn verify_etag_md5 off)",
                                        s->bucket, s->key, number, slot->len, (long long)at, r.etag, md5_hex);
  } else if (!r.etag[0]) {
    slot->status = artemis_set_error_at(&slot->error, ARTEMIS_E_IO, -1, -1, at,
                                        "s3://%s/%s: UploadPart %d (%zu bytes at offset %lld): HTTP 200 without an ETag",
                                        s->bucket, s->key, number, slot->len, (long long)at);
  } else {
    snprintf(slot->etag, sizeof slot->etag, "%s", r.etag);
  }
  response_reset(&r);
}

static void* uploader_main(void* arg) {
  upload_slot* slot = arg;
  s3_sink* s = slot->sink;
  pthread_mutex_lock(&s->lock);
  for (;;) {
    while (!s->stopping && slot->state != SLOT_QUEUED) pthread_cond_wait(&s->work, &s->lock);
    if (slot->state != SLOT_QUEUED) break; /* stopping, nothing queued */
    pthread_mutex_unlock(&s->lock);
    upload_job(s, slot);
    pthread_mutex_lock(&s->lock);
    slot->state = SLOT_DONE;
    pthread_cond_broadcast(&s->done);
  }
  pthread_mutex_unlock(&s->lock);
  return NULL;
}

/* Collects finished slots: their ETags into the part list, the first failure into
 * s->part_failed. Caller's thread, lock held. */
static void reap_locked(s3_sink* s) {
  for (int i = 0; i < s->slot_count; i++) {
    upload_slot* slot = &s->slots[i];
    if (slot->state != SLOT_DONE) continue;
    if (slot->status != ARTEMIS_OK) {
      if (!s->part_failed) {
        s->part_failed = slot->status;
        s->failure = slot->error;
      }
    } else {
      part_record* rec = &s->records[slot->number - 1];
      memcpy(rec->md5, slot->md5, sizeof rec->md5);
      memcpy(rec->etag, slot->etag, sizeof rec->etag);
    }
    slot->state = SLOT_IDLE;
    slot->len = 0;
  }
}

static void reap(s3_sink* s) {
  pthread_mutex_lock(&s->lock);
  reap_locked(s);
  pthread_mutex_unlock(&s->lock);
}

/* Waits until no part is uploading. */
static void wait_all(s3_sink* s) {
  pthread_mutex_lock(&s->lock);
  for (;;) {
    reap_locked(s);
    int busy = 0;
    for (int i = 0; i < s->slot_count; i++) busy |= s->slots[i].state == SLOT_QUEUED;
    if (!busy) break;
    pthread_cond_wait(&s->done, &s->lock);
  }
  pthread_mutex_unlock(&s->lock);
}

static int report_part_failure(const s3_sink* s, artemis_error* error) {
  if (error) *error = s->failure;
  return s->part_failed;
}

/* Takes an idle slot for filling, waiting while all are uploading. */
static int acquire_slot(s3_sink* s, artemis_error* error) {
  upload_slot* slot = NULL;
  pthread_mutex_lock(&s->lock);
  for (;;) {
    reap_locked(s);
    if (s->part_failed) break;
    for (int i = 0; i < s->slot_count && !slot; i++) {
      if (s->slots[i].state == SLOT_IDLE) slot = &s->slots[i];
    }
    if (slot) break;
    pthread_cond_wait(&s->done, &s->lock);
  }
  pthread_mutex_unlock(&s->lock);
  if (!slot) return report_part_failure(s, error);
  if (!slot->buffer) {
    slot->buffer = artemis_mem_alloc(s->mem, s->part_size);
    if (!slot->buffer) {
      /* "out of memory" first: the writer turns that into "memory limit of N bytes
       * reached" when its cap refused. */
      return artemis_set_error_at(error, ARTEMIS_E_NOMEM, -1, -1, s->base.offset,
                                  "out of memory for the %zu-byte buffer of part %d of s3://%s/%s (parts_in_flight %d); "
                                  "the upload was aborted",
                                  s->part_size, s->parts + 1, s->bucket, s->key, s->slot_count);
    }
  }
  slot->len = 0;
  slot->offset = s->base.offset;
  s->filling = slot;
  return ARTEMIS_OK;
}

/* Hands the filled slot to its uploader (or uploads it inline). */
static int submit_filling(s3_sink* s, artemis_error* error) {
  upload_slot* slot = s->filling;
  s->filling = NULL;
  int number = s->parts + 1;
  if (number > MAX_PARTS) {
    return artemis_set_error_at(error, ARTEMIS_E_LIMIT, -1, -1, slot->offset,
                                "s3://%s/%s: part %d would exceed S3's %d parts; raise the part size (now %zu bytes)",
                                s->bucket, s->key, number, MAX_PARTS, s->part_size);
  }
  if (number > s->record_capacity) {
    int cap = s->record_capacity ? s->record_capacity * 2 : 64;
    if (cap > MAX_PARTS) cap = MAX_PARTS;
    part_record* grown = artemis_mem_realloc(s->mem, s->records, (size_t)cap * sizeof *grown);
    if (!grown) {
      return artemis_set_error_at(error, ARTEMIS_E_NOMEM, -1, -1, slot->offset,
                                  "out of memory for the part list of s3://%s/%s (%d parts)", s->bucket, s->key, cap);
    }
    s->records = grown;
    s->record_capacity = cap;
  }
  s->parts = number;
  slot->number = number;
  if (!s->threaded) {
    slot->state = SLOT_QUEUED;
    upload_job(s, slot);
    slot->state = SLOT_DONE;
    reap(s);
    return s->part_failed ? report_part_failure(s, error) : ARTEMIS_OK;
  }
  pthread_mutex_lock(&s->lock);
  slot->state = SLOT_QUEUED;
  pthread_cond_broadcast(&s->work);
  pthread_mutex_unlock(&s->lock);
  return ARTEMIS_OK;
}

static void stop_threads(s3_sink* s) {
  if (!s->sync_ready) return;
  pthread_mutex_lock(&s->lock);
  s->stopping = 1;
  pthread_cond_broadcast(&s->work);
  pthread_mutex_unlock(&s->lock);
  for (int i = 0; i < s->slot_count; i++) {
    if (s->slots[i].thread_started) pthread_join(s->slots[i].thread, NULL);
    s->slots[i].thread_started = 0;
  }
}

static void free_sink(s3_sink* s) {
  artemis_mem* mem = s->mem;
  stop_threads(s);
  for (int i = 0; s->slots && i < s->slot_count; i++) {
    if (s->slots[i].curl) curl_easy_cleanup(s->slots[i].curl);
    artemis_mem_free(mem, s->slots[i].buffer);
  }
  if (s->curl) curl_easy_cleanup(s->curl);
  config_close(&s->cfg);
  if (s->sync_ready) {
    pthread_cond_destroy(&s->done);
    pthread_cond_destroy(&s->work);
    pthread_mutex_destroy(&s->lock);
  }
  artemis_mem_free(mem, s->slots);
  artemis_mem_free(mem, s->records);
  artemis_mem_free(mem, s->bucket);
  artemis_mem_free(mem, s->key);
  artemis_mem_free(mem, s->path);
  artemis_mem_free(mem, s);
}

/* Gives the upload up: stops the parts in flight early, waits for them (no thread may
 * still send a part of it), then AbortMultipartUpload. Part buffers are freed at once:
 * a failed writer should not keep holding them. */
static void abandon(s3_sink* s) {
  atomic_store(&s->cancel, 1);
  if (s->sync_ready) wait_all(s);
  if (s->upload_id[0] && s->curl) (void)abort_upload(&s->cfg, s->curl, s->bucket, s->key, s->upload_id);
  s->upload_id[0] = '\0';
  s->filling = NULL;
  for (int i = 0; s->slots && i < s->slot_count; i++) {
    artemis_mem_free(s->mem, s->slots[i].buffer);
    s->slots[i].buffer = NULL;
  }
}

static int s3_sink_write(artemis_sink* base, const void* bytes, size_t n, artemis_error* error) {
  s3_sink* s = (s3_sink*)base;
  if (s->dead) {
    return artemis_set_error(error, ARTEMIS_E_STATE, "s3://%s/%s: write after an earlier write failed (the upload was "
                                                     "aborted)", s->bucket, s->key);
  }
  if (n && !bytes) return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "s3 sink: write of %zu NULL bytes", n);
  int rc = ARTEMIS_OK;
  /* A part that failed in the background fails the next write. */
  if (s->threaded) reap(s);
  if (s->part_failed) {
    rc = report_part_failure(s, error);
    goto fail;
  }
  const uint8_t* p = bytes;
  while (n > 0) {
    if (!s->filling) {
      rc = acquire_slot(s, error);
      if (rc != ARTEMIS_OK) goto fail;
    }
    upload_slot* slot = s->filling;
    size_t take = s->part_size - slot->len;
    if (take > n) take = n;
    memcpy(slot->buffer + slot->len, p, take);
    slot->len += take;
    s->base.offset += (int64_t)take;
    p += take;
    n -= take;
    if (slot->len == s->part_size) {
      rc = submit_filling(s, error);
      if (rc != ARTEMIS_OK) goto fail;
    }
  }
  return ARTEMIS_OK;
fail:
  abandon(s);
  s->dead = 1;
  return rc;
}

/* hex(MD5(MD5(part 1) || ... || MD5(part N))) "-" N: the ETag S3 gives a multipart object. */
static int expected_multipart_etag(const s3_sink* s, char* out, size_t size) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  int ok = ctx && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) == 1;
  for (int i = 0; ok && i < s->parts; i++) ok = EVP_DigestUpdate(ctx, s->records[i].md5, 16) == 1;
  ok = ok && EVP_DigestFinal_ex(ctx, md, &len) == 1 && len == 16;
  EVP_MD_CTX_free(ctx);
  if (!ok) return -1;
  char hex[33];
  to_hex(md, 16, hex);
  snprintf(out, size, "%s-%d", hex, s->parts);
  return 0;
}

/* After a Complete that failed or was refused: is the object at the key ours, and whole? 1 yes. */
static int object_is_ours(s3_sink* s, char* note, size_t note_size) {
  char expected[64];
  if (expected_multipart_etag(s, expected, sizeof expected) != 0) {
    snprintf(note, note_size, "; HeadObject skipped (MD5 failed)");
    return 0;
  }
  s3_response r;
  memset(&r, 0, sizeof r);
  s3_call call = {"HEAD", s->path, NULL, 0, NULL, NULL, NULL, 0};
  int rc = s3_request(&s->cfg, s->curl, &call, &r);
  int ours = rc == 0 && r.status == 200 && strcasecmp(r.etag, expected) == 0;
  if (!ours) {
    char why[256];
    describe(&r, why, sizeof why);
    if (rc == 0 && r.status == 200)
      snprintf(note, note_size, "; HeadObject: ETag %.100s, ours would be %s", r.etag, expected);
    else
      snprintf(note, note_size, "; HeadObject: %.200s", why);
  }
  response_reset(&r);
  return ours;
}

static int s3_sink_publish(artemis_sink* base, artemis_error* error) {
  s3_sink* s = (s3_sink*)base;
  int rc = ARTEMIS_OK;
  char* xml = NULL;
  s3_response r;
  memset(&r, 0, sizeof r);
  if (s->dead) {
    rc = artemis_set_error(error, ARTEMIS_E_STATE, "s3://%s/%s: publish after a write failed (the upload was aborted)",
                           s->bucket, s->key);
    goto done;
  }
  /* The last part may be short; an empty output still needs one (empty) part. */
  if ((s->filling && s->filling->len > 0) || s->parts == 0) {
    if (!s->filling) {
      rc = acquire_slot(s, error);
      if (rc != ARTEMIS_OK) goto fail;
    }
    rc = submit_filling(s, error);
    if (rc != ARTEMIS_OK) goto fail;
  }
  s->filling = NULL;
  wait_all(s);
  if (s->part_failed) {
    rc = report_part_failure(s, error);
    goto fail;
  }
  size_t cap = 64 + (size_t)s->parts * (64 + sizeof s->records[0].etag);
  xml = artemis_mem_alloc(s->mem, cap);
  if (!xml) {
    rc = artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory for the Complete request of s3://%s/%s (%d parts)",
                           s->bucket, s->key, s->parts);
    goto fail;
  }
  size_t len = (size_t)snprintf(xml, cap, "<CompleteMultipartUpload>");
  for (int i = 0; i < s->parts; i++) {
    len += (size_t)snprintf(xml + len, cap - len, "<Part><PartNumber>%d</PartNumber><ETag>\"%s\"</ETag></Part>", i + 1,
                            s->records[i].etag);
  }
  len += (size_t)snprintf(xml + len, cap - len, "</CompleteMultipartUpload>");
  char pq[2048];
  snprintf(pq, sizeof pq, "%s?uploadId=%s", s->path, s->upload_id);
  static const char* const extra[] = {"If-None-Match: *", NULL};
  /* Not cancellable: once Complete is sent, only its answer (or HeadObject) says whether
   * the object exists; giving up half-way would only make that harder to know. */
  s3_call call = {"POST", pq, xml, len, "application/xml", extra, NULL, 1};
  int req = s3_request(&s->cfg, s->curl, &call, &r);
  if (req == 0 && r.status == 200 && r.body && !strstr(r.body, "<Error>") && strstr(r.body, "<ETag>")) {
    s->upload_id[0] = '\0'; /* committed: nothing to abort */
    goto done;
  }
  int conflict = req == 0 && (r.status == 412 || has_code(&r, "PreconditionFailed"));
  int no_upload = req == 0 && (r.status == 404 || has_code(&r, "NoSuchUpload"));
  char note[320] = "";
  /* A lost reply may hide a Complete the server carried out: a retry then meets our own
   * object (412) or no upload any more (404), or never gets through. We cannot rely on
   * seeing the loss: libcurl silently re-sends a request whose reused connection closed
   * without a reply, so the first answer we get may already be the retry's 412/404. The
   * object's ETag (the multipart ETag of exactly our parts) tells whether it is ours. */
  if ((req != 0 || conflict || no_upload) && object_is_ours(s, note, sizeof note)) {
    s->upload_id[0] = '\0';
    goto done;
  }
  char why[256];
  describe(&r, why, sizeof why);
  if (conflict) {
    rc = artemis_set_error(error, ARTEMIS_E_CONFLICT,
                           "s3://%s/%s already exists; not overwritten (CompleteMultipartUpload with If-None-Match: * "
                           "got %s%s); the upload was aborted",
                           s->bucket, s->key, why, note);
  } else {
    rc = artemis_set_error(error, ARTEMIS_E_IO,
                           "s3://%s/%s: CompleteMultipartUpload of %d parts (%lld bytes) failed after up to %d attempts: "
                           "%s%s; the upload was aborted",
                           s->bucket, s->key, s->parts, (long long)s->base.offset, s->cfg.max_attempts, why, note);
  }
fail:
  abandon(s);
done:
  response_reset(&r);
  artemis_mem_free(s->mem, xml);
  free_sink(s);
  return rc;
}

static void s3_sink_discard(artemis_sink* base) {
  s3_sink* s = (s3_sink*)base;
  abandon(s);
  free_sink(s);
}

static const artemis_sink_vtable kS3SinkVtable = {s3_sink_write, s3_sink_publish, s3_sink_discard};

/* Starts one thread per slot, each with its own easy handle. Threads block every signal:
 * the application's SIGINT handler must run on one of its own threads (as for the
 * writer's column workers, src/core/worker_pool.c). */
static int start_uploaders(s3_sink* s, artemis_error* error) {
  for (int i = 0; i < s->slot_count; i++) {
    s->slots[i].curl = curl_easy_init();
    if (!s->slots[i].curl) {
      return artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory for the connections of s3://%s/%s", s->bucket,
                               s->key);
    }
  }
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  int rc = 0;
  for (int i = 0; i < s->slot_count && rc == 0; i++) {
    rc = pthread_create(&s->slots[i].thread, NULL, uploader_main, &s->slots[i]);
    if (rc == 0) s->slots[i].thread_started = 1;
  }
  pthread_sigmask(SIG_SETMASK, &previous, NULL);
  if (rc != 0) {
    return artemis_set_error(error, rc == EAGAIN ? ARTEMIS_E_NOMEM : ARTEMIS_E_IO,
                             "s3://%s/%s: cannot start %d upload threads: %s", s->bucket, s->key, s->slot_count,
                             strerror(rc));
  }
  s->threaded = 1;
  return ARTEMIS_OK;
}

int artemis_s3_sink_open(artemis_sink** out, const char* bucket, const char* key, const artemis_s3_options* options,
                         artemis_mem* mem, artemis_error* error) {
  if (!out || !mem) return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "artemis_s3_sink_open: NULL argument");
  *out = NULL;
  ARTEMIS_RETURN_NOT_OK(artemis_s3_check_location(bucket, key, error));
  ARTEMIS_RETURN_NOT_OK(check_options(options, error));
  artemis_s3_options defaults;
  artemis_s3_options_init(&defaults);
  if (!options) options = &defaults;
  s3_sink* s = artemis_mem_calloc(mem, 1, sizeof *s);
  if (!s) return artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory opening s3://%s/%s", bucket, key);
  s->base.vtable = &kS3SinkVtable;
  s->mem = mem;
  s->part_size = options->part_size ? options->part_size : ARTEMIS_S3_DEFAULT_PART_SIZE;
  s->verify_etag = options->verify_etag_md5 != 0;
  int slot_count = options->parts_in_flight > 0 ? options->parts_in_flight : 1;
  atomic_init(&s->cancel, 0);
  int rc = ARTEMIS_OK;
  if (pthread_mutex_init(&s->lock, NULL) != 0) {
    rc = artemis_set_error(error, ARTEMIS_E_NOMEM, "s3://%s/%s: cannot create a mutex", bucket, key);
    goto fail;
  }
  pthread_cond_init(&s->work, NULL);
  pthread_cond_init(&s->done, NULL);
  s->sync_ready = 1;
  rc = config_open(&s->cfg, options, error);
  if (rc != ARTEMIS_OK) goto fail;
  s->curl = curl_easy_init();
  s->bucket = artemis_mem_strdup(mem, bucket);
  s->key = artemis_mem_strdup(mem, key);
  size_t pl = strlen(bucket) + strlen(key) + 3;
  s->path = artemis_mem_alloc(mem, pl);
  s->slots = artemis_mem_calloc(mem, (size_t)slot_count, sizeof *s->slots);
  if (!s->curl || !s->bucket || !s->key || !s->path || !s->slots) {
    rc = artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory opening s3://%s/%s", bucket, key);
    goto fail;
  }
  s->slot_count = slot_count; /* from here on, the slots exist */
  for (int i = 0; i < s->slot_count; i++) s->slots[i].sink = s;
  snprintf(s->path, pl, "/%s/%s", bucket, key);
  char pq[2048];
  snprintf(pq, sizeof pq, "%s?uploads=", s->path);
  s3_response r;
  memset(&r, 0, sizeof r);
  s3_call call = {"POST", pq, NULL, 0, "application/octet-stream", NULL, &s->cancel, 0};
  int req = s3_request(&s->cfg, s->curl, &call, &r);
  char id[512];
  if (req != 0 || r.status != 200 || !r.body || strstr(r.body, "<Error>") ||
      !xml_text(r.body, "UploadId", id, sizeof id)) {
    char why[256];
    describe(&r, why, sizeof why);
    rc = artemis_set_error(error, ARTEMIS_E_IO, "s3://%s/%s: CreateMultipartUpload at %s failed: %s", bucket, key,
                           s->cfg.endpoint, why);
    response_reset(&r);
    goto fail;
  }
  response_reset(&r);
  snprintf(s->upload_id, sizeof s->upload_id, "%s", id);
  if (!upload_id_ok(id)) {
    /* Unusable for signing, but try the abort anyway. */
    rc = artemis_set_error(error, ARTEMIS_E_UNSUPPORTED,
                           "s3://%s/%s: upload id '%.100s' needs %%-escaping, which libcurl 7.88's SigV4 cannot sign",
                           bucket, key, id);
    goto fail;
  }
  if (s->slot_count > 1) {
    rc = start_uploaders(s, error);
    if (rc != ARTEMIS_OK) goto fail;
  }
  *out = &s->base;
  return ARTEMIS_OK;
fail:
  abandon(s);
  free_sink(s);
  return rc;
}

/* ---- public entry points ---- */

int artemis_s3_parse_url(const char* url, char* bucket, size_t bucket_size, char* key, size_t key_size,
                         artemis_error* error) {
  ARTEMIS_RETURN_NOT_OK(artemis_s3_split_url(url, bucket, bucket_size, key, key_size, error));
  return artemis_s3_check_location(bucket, key, error);
}

typedef struct s3_open_context {
  const char* bucket;
  const char* key;
  const artemis_s3_options* options;
} s3_open_context;

static int open_sink_for_writer(void* context, artemis_mem* mem, artemis_sink** out, artemis_error* error) {
  const s3_open_context* c = context;
  return artemis_s3_sink_open(out, c->bucket, c->key, c->options, mem, error);
}

int artemis_writer_open_s3(artemis_writer** out, const char* url, const struct ArrowSchema* schema,
                           const artemis_writer_options* options, const artemis_s3_options* s3_options,
                           artemis_error* error) {
  artemis_error_clear(error);
  if (!out || !url || !schema) return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "out, url and schema must not be NULL");
  *out = NULL;
  /* Larger than any valid name, so that check_location names what is wrong. */
  char bucket[256], key[2048];
  ARTEMIS_RETURN_NOT_OK(artemis_s3_parse_url(url, bucket, sizeof bucket, key, sizeof key, error));
  ARTEMIS_RETURN_NOT_OK(check_options(s3_options, error));
  s3_open_context context = {bucket, key, s3_options};
  return artemis_writer_open_with_sink_opener(out, url, open_sink_for_writer, &context, schema, options, error);
}

/* ---- garbage collection of pending uploads ---- */

static int query_value_ok(const char* v) {
  for (const char* p = v; *p; p++) {
    if (!(isalnum((unsigned char)*p) || *p == '.' || *p == '_' || *p == '/' || *p == '-' || *p == '~')) return 0;
  }
  return 1;
}

int artemis_s3_gc(const char* url, int64_t older_than_seconds, const artemis_s3_options* s3_options,
                  void (*visit)(void* ctx, const artemis_s3_upload* upload, artemis_s3_gc_action action), void* ctx,
                  int* listed, int* aborted, artemis_error* error) {
  artemis_error_clear(error);
  if (listed) *listed = 0;
  if (aborted) *aborted = 0;
  char bucket[256], prefix[2048];
  ARTEMIS_RETURN_NOT_OK(artemis_s3_parse_prefix_url(url, bucket, sizeof bucket, prefix, sizeof prefix, error));
  ARTEMIS_RETURN_NOT_OK(check_options(s3_options, error));
  s3_config c;
  int rc = config_open(&c, s3_options, error);
  if (rc != ARTEMIS_OK) return rc;
  CURL* h = curl_easy_init();
  if (!h) {
    rc = artemis_set_error(error, ARTEMIS_E_NOMEM, "s3: out of memory opening a connection to %s", c.endpoint);
    config_close(&c);
    return rc;
  }
  int64_t now = (int64_t)time(NULL);
  char key_marker[1100] = "", id_marker[512] = "";
  int failures = 0;
  char first_failure[400] = "";
  for (;;) {
    char pq[4096];
    /* Query parameters pre-sorted, unescaped (libcurl 7.88 SigV4). */
    int n = snprintf(pq, sizeof pq, "/%s?", bucket);
    if (key_marker[0]) n += snprintf(pq + n, sizeof pq - (size_t)n, "key-marker=%s&", key_marker);
    if (prefix[0]) n += snprintf(pq + n, sizeof pq - (size_t)n, "prefix=%s&", prefix);
    if (id_marker[0]) n += snprintf(pq + n, sizeof pq - (size_t)n, "upload-id-marker=%s&", id_marker);
    snprintf(pq + n, sizeof pq - (size_t)n, "uploads=");
    s3_response r;
    memset(&r, 0, sizeof r);
    s3_call call = {"GET", pq, NULL, 0, NULL, NULL, NULL, 0};
    int req = s3_request(&c, h, &call, &r);
    if (req != 0 || r.status != 200 || !r.body || strstr(r.body, "<Error>")) {
      char why[256];
      describe(&r, why, sizeof why);
      rc = artemis_set_error(error, ARTEMIS_E_IO, "s3://%s/%s: ListMultipartUploads failed: %s", bucket, prefix, why);
      response_reset(&r);
      break;
    }
    const char* at = r.body;
    for (;;) {
      const char* u = strstr(at, "<Upload>");
      if (!u) break;
      const char* end = strstr(u, "</Upload>");
      if (!end) break;
      size_t ulen = (size_t)(end - u);
      char* one = malloc(ulen + 1);
      if (!one) break;
      memcpy(one, u, ulen);
      one[ulen] = '\0';
      artemis_s3_upload up;
      memset(&up, 0, sizeof up);
      xml_text(one, "Key", up.key, sizeof up.key);
      xml_text(one, "UploadId", up.upload_id, sizeof up.upload_id);
      xml_text(one, "Initiated", up.initiated, sizeof up.initiated);
      free(one);
      up.initiated_unix = artemis_s3_parse_iso8601(up.initiated);
      if (listed) (*listed)++;
      artemis_s3_gc_action action = ARTEMIS_S3_GC_KEPT;
      if (artemis_s3_gc_should_abort(older_than_seconds, up.initiated_unix, now)) {
        artemis_error ignored;
        if (artemis_s3_check_location(bucket, up.key, &ignored) != ARTEMIS_OK || !upload_id_ok(up.upload_id) ||
            abort_upload(&c, h, bucket, up.key, up.upload_id) != 0) {
          action = ARTEMIS_S3_GC_ABORT_FAILED;
          if (failures++ == 0)
            snprintf(first_failure, sizeof first_failure, "AbortMultipartUpload of s3://%.63s/%.200s (upload %.40s)",
                     bucket, up.key, up.upload_id);
        } else {
          action = ARTEMIS_S3_GC_ABORTED;
          if (aborted) (*aborted)++;
        }
      }
      if (visit) visit(ctx, &up, action);
      at = end + 9;
    }
    char truncated[16] = "";
    xml_text(r.body, "IsTruncated", truncated, sizeof truncated);
    int more = strcmp(truncated, "true") == 0 && xml_text(r.body, "NextKeyMarker", key_marker, sizeof key_marker) &&
               xml_text(r.body, "NextUploadIdMarker", id_marker, sizeof id_marker) && query_value_ok(key_marker) &&
               query_value_ok(id_marker);
    response_reset(&r);
    if (!more) break;
  }
  curl_easy_cleanup(h);
  config_close(&c);
  if (rc == ARTEMIS_OK && failures > 0) {
    rc = artemis_set_error(error, ARTEMIS_E_IO, "s3://%s/%s: %d stale upload(s) could not be aborted; the first: %s",
                           bucket, prefix, failures, first_failure);
  }
  return rc;
}
