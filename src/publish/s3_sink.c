/* S3 multipart sink: the commit protocol of RELIABILITY-PLAN.md section 3.
 *
 * S3 has no rename, so the commit point is CompleteMultipartUpload. The invariant every path
 * below keeps: when a call returns an error, nothing is at s3://bucket/key (Complete was not
 * acknowledged) and the upload this sink created has been aborted (best effort: an abort that
 * itself fails leaves a pending upload for `artemis-write s3-gc` and the bucket's
 * AbortIncompleteMultipartUpload lifecycle rule).
 *
 * libcurl 7.88 (Debian 12) SigV4 pitfalls this code works around, each verified against moto
 * with signature checking on:
 *  - curl does not send x-amz-content-sha256; we compute SHA-256 of every body and send it;
 *  - a valueless query key must be written "uploads=", and query parameters must be
 *    pre-sorted and need no %-escaping (hence the restricted key alphabet);
 *  - every body gets an explicit Content-Type (otherwise curl sends form-urlencoded and moto
 *    stores an empty part with 200: the ETag = MD5 check is what catches that);
 *  - no header is removed with "Name:" (curl would still sign it).
 * Memory: one part_size buffer per sink (parts are uploaded synchronously, one in flight),
 * plus small response buffers. */
#include "publish/sink.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/errors.h"

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define MAX_PARTS 10000
#define MAX_KEY_LEN 1024
#define MAX_RESPONSE_BYTES ((size_t)16 * 1024 * 1024)
#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS 5000

/* ---- names ---- */

int artemis_s3_check_location(const char* bucket, const char* key, artemis_error* error) {
  if (!bucket || !key) return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "s3: NULL bucket or key");
  size_t bl = strlen(bucket);
  if (bl < 3 || bl > 63) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "s3: bucket name '%s' must be 3 to 63 characters", bucket);
  }
  for (size_t i = 0; i < bl; i++) {
    char c = bucket[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) {
      return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                               "s3: bucket name '%s' may only contain a-z, 0-9, '.' and '-' (character %zu)", bucket, i + 1);
    }
  }
  size_t kl = strlen(key);
  if (kl == 0 || kl > MAX_KEY_LEN) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "s3: key of bucket '%s' must be 1 to %d bytes long (got %zu)",
                             bucket, MAX_KEY_LEN, kl);
  }
  for (size_t i = 0; i < kl; i++) {
    char c = key[i];
    if (!(isalnum((unsigned char)c) || c == '.' || c == '_' || c == '/' || c == '-')) {
      return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                               "s3: key '%.200s' has character 0x%02x at position %zu; keys are restricted to "
                               "[A-Za-z0-9._/-] (libcurl 7.88 signs only paths that need no %%-escaping)",
                               key, (unsigned)(unsigned char)c, i + 1);
    }
  }
  /* Segments: no empty one ("//", leading or trailing '/'), no "." or ".." (curl would
   * normalise those away and sign a different path). */
  const char* seg = key;
  for (;;) {
    const char* end = strchr(seg, '/');
    size_t len = end ? (size_t)(end - seg) : strlen(seg);
    if (len == 0 || (len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.')) {
      return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                               "s3: key '%.200s' has an empty, '.' or '..' path segment", key);
    }
    if (!end) break;
    seg = end + 1;
  }
  return ARTEMIS_OK;
}

int artemis_s3_parse_url(const char* url, char* bucket, size_t bucket_size, char* key, size_t key_size,
                         artemis_error* error) {
  if (!url || !bucket || !key || bucket_size == 0 || key_size == 0) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "artemis_s3_parse_url: NULL argument");
  }
  if (strncmp(url, "s3://", 5) != 0) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "s3: '%.200s' is not an s3://bucket/key URL", url);
  }
  const char* b = url + 5;
  const char* slash = strchr(b, '/');
  size_t bl = slash ? (size_t)(slash - b) : strlen(b);
  const char* k = slash ? slash + 1 : "";
  if (bl + 1 > bucket_size || strlen(k) + 1 > key_size) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "s3: URL '%.200s' is too long", url);
  }
  memcpy(bucket, b, bl);
  bucket[bl] = '\0';
  strcpy(key, k);
  return ARTEMIS_OK;
}

/* ---- digests (OpenSSL EVP) ---- */

static int digest_hex(const EVP_MD* md, const void* bytes, size_t n, char* hex /* 2*EVP_MAX_MD_SIZE+1 */) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(n ? bytes : "", n, out, &len, md, NULL) != 1) return -1;
  static const char digits[] = "0123456789abcdef";
  for (unsigned i = 0; i < len; i++) {
    hex[2 * i] = digits[out[i] >> 4];
    hex[2 * i + 1] = digits[out[i] & 15];
  }
  hex[2 * len] = '\0';
  return 0;
}

/* ---- HTTP ---- */

static pthread_once_t g_curl_once = PTHREAD_ONCE_INIT;
static CURLcode g_curl_init_rc = CURLE_FAILED_INIT;
static void curl_init_once(void) { g_curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT); }

typedef struct s3_conn {
  CURL* curl;
  char* endpoint; /* no trailing '/' */
  char* sigv4;    /* "aws:amz:<region>:s3" */
  char* access_key;
  char* secret_key;
  char* token_header; /* "x-amz-security-token: ..." or NULL */
  int max_attempts;
  long timeout_seconds;
} s3_conn;

typedef struct s3_response {
  long status;
  char* body; /* NUL-terminated, malloc'ed */
  size_t len;
  int overflow;
  char etag[128]; /* the ETag header, quotes stripped, or "" */
  char curl_error[CURL_ERROR_SIZE];
  CURLcode curl_rc;
} s3_response;

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
        return 0;
      default:
        return 1;
    }
  }
  return r->status >= 500 || r->status == 429;
}

/* One signed request with retries. `method` "GET", "PUT", "POST" or "DELETE"; `path_query`
 * is "/bucket/key?query" (already in canonical form); `body` may be NULL for no body.
 * Returns 0 when a response arrived (any status; the caller judges it), -1 when the last
 * attempt failed at the network level (r->curl_rc, r->curl_error say why). */
static int s3_request(s3_conn* c, const char* method, const char* path_query, const void* body, size_t body_len,
                      const char* content_type, const char* const* extra_headers, s3_response* r) {
  char sha[2 * EVP_MAX_MD_SIZE + 1];
  if (body && body_len > 0) {
    if (digest_hex(EVP_sha256(), body, body_len, sha) != 0) {
      response_reset(r);
      r->curl_rc = CURLE_OUT_OF_MEMORY;
      snprintf(r->curl_error, sizeof r->curl_error, "OpenSSL SHA-256 failed");
      return -1;
    }
  } else {
    strcpy(sha, EMPTY_SHA256);
  }
  size_t url_len = strlen(c->endpoint) + strlen(path_query) + 1;
  char* url = malloc(url_len);
  if (!url) {
    response_reset(r);
    r->curl_rc = CURLE_OUT_OF_MEMORY;
    snprintf(r->curl_error, sizeof r->curl_error, "out of memory");
    return -1;
  }
  snprintf(url, url_len, "%s%s", c->endpoint, path_query);
  char sha_header[128];
  snprintf(sha_header, sizeof sha_header, "x-amz-content-sha256: %s", sha);
  char type_header[128];
  snprintf(type_header, sizeof type_header, "Content-Type: %s", content_type ? content_type : "application/octet-stream");

  long backoff = BACKOFF_FIRST_MS;
  int rc = -1;
  for (int attempt = 1; attempt <= c->max_attempts; attempt++) {
    response_reset(r);
    CURL* h = c->curl;
    curl_easy_reset(h); /* keeps the connection cache */
    struct curl_slist* headers = NULL;
    struct curl_slist* next;
#define ADD_HEADER(s)                              \
  do {                                             \
    next = curl_slist_append(headers, (s));        \
    if (!next) goto oom;                           \
    headers = next;                                \
  } while (0)
    ADD_HEADER(sha_header);
    if (body || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) ADD_HEADER(type_header);
    if (c->token_header) ADD_HEADER(c->token_header);
    for (const char* const* e = extra_headers; e && *e; e++) ADD_HEADER(*e);
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
    if (strcmp(method, "GET") != 0) {
      if (strcmp(method, "DELETE") == 0) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "DELETE");
      } else {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? (const char*)body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? body_len : 0));
        if (strcmp(method, "PUT") == 0) curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
      }
    }
    r->curl_rc = curl_easy_perform(h);
    curl_slist_free_all(headers);
    if (r->curl_rc == CURLE_OK) {
      curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
      rc = 0;
    } else {
      if (!r->curl_error[0]) snprintf(r->curl_error, sizeof r->curl_error, "%s", curl_easy_strerror(r->curl_rc));
      rc = -1;
    }
    if (!retryable(r) || attempt == c->max_attempts) break;
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

/* "HTTP 403 (<Code>SignatureDoesNotMatch</Code>)" or the network error, for messages. */
static void describe(const s3_response* r, char* out, size_t size) {
  if (r->curl_rc != CURLE_OK) {
    snprintf(out, size, "network error: %.200s", r->curl_error);
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

static int conn_open(s3_conn* c, const artemis_s3_options* o, artemis_error* error) {
  memset(c, 0, sizeof *c);
  artemis_s3_options defaults = {0};
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
    return artemis_set_error(error, ARTEMIS_E_CONFIG,
                             "s3: no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  }
  for (const char* p = region; *p; p++) {
    if (!(isalnum((unsigned char)*p) || *p == '-')) {
      return artemis_set_error(error, ARTEMIS_E_CONFIG, "s3: region '%.64s' is not a region name", region);
    }
  }
  char endpoint[512];
  if (o->endpoint && *o->endpoint) {
    if (strncmp(o->endpoint, "http://", 7) != 0 && strncmp(o->endpoint, "https://", 8) != 0) {
      return artemis_set_error(error, ARTEMIS_E_CONFIG, "s3: endpoint '%.200s' must start with http:// or https://",
                               o->endpoint);
    }
    if (strlen(o->endpoint) >= sizeof endpoint) {
      return artemis_set_error(error, ARTEMIS_E_CONFIG, "s3: endpoint '%.200s...' is too long", o->endpoint);
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
  c->curl = curl_easy_init();
  if (!c->endpoint || !c->sigv4 || !c->access_key || !c->secret_key || (token && *token && !c->token_header) ||
      !c->curl) {
    return artemis_set_error(error, ARTEMIS_E_NOMEM, "s3: out of memory opening a connection to %s", endpoint);
  }
  return ARTEMIS_OK;
}

static void conn_close(s3_conn* c) {
  if (c->curl) curl_easy_cleanup(c->curl);
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

static int upload_id_ok(const char* id) {
  if (!*id) return 0;
  for (const char* p = id; *p; p++) {
    if (!(isalnum((unsigned char)*p) || *p == '.' || *p == '_' || *p == '-' || *p == '~')) return 0;
  }
  return 1;
}

/* Best-effort AbortMultipartUpload. 204 (and 404 NoSuchUpload: already gone) count as done. */
static int abort_upload(s3_conn* c, const char* bucket, const char* key, const char* upload_id) {
  size_t n = strlen(bucket) + strlen(key) + strlen(upload_id) + 32;
  char* pq = malloc(n);
  if (!pq) return -1;
  snprintf(pq, n, "/%s/%s?uploadId=%s", bucket, key, upload_id);
  s3_response r = {0};
  int rc = s3_request(c, "DELETE", pq, NULL, 0, NULL, NULL, &r);
  int ok = rc == 0 && (r.status == 204 || r.status == 200 || r.status == 404);
  response_reset(&r);
  free(pq);
  return ok ? 0 : -1;
}

/* ---- the sink ---- */

typedef struct s3_sink {
  artemis_sink base; /* first, so an artemis_sink* is an s3_sink* */
  artemis_mem* mem;
  s3_conn conn;
  char* bucket;
  char* key;
  char* path; /* "/bucket/key" */
  char upload_id[512];
  size_t part_size;
  uint8_t* buffer; /* part_size bytes */
  size_t buffered;
  int parts; /* uploaded */
  char (*etags)[40]; /* MAX_PARTS entries, hex MD5, allocated on demand */
  int etag_capacity;
  int failed; /* a write failed: the upload is already aborted */
} s3_sink;

static void free_sink(s3_sink* s) {
  artemis_mem* mem = s->mem;
  conn_close(&s->conn);
  free(s->bucket);
  free(s->key);
  free(s->path);
  artemis_mem_free(mem, s->buffer);
  artemis_mem_free(mem, s->etags);
  artemis_mem_free(mem, s);
}

static void abandon(s3_sink* s) {
  if (s->upload_id[0]) (void)abort_upload(&s->conn, s->bucket, s->key, s->upload_id);
  s->upload_id[0] = '\0';
  artemis_mem_free(s->mem, s->buffer);
  s->buffer = NULL;
  s->buffered = 0;
}

static int upload_part(s3_sink* s, artemis_error* error) {
  int number = s->parts + 1;
  int64_t at = s->base.offset - (int64_t)s->buffered;
  if (number > MAX_PARTS) {
    return artemis_set_error_at(error, ARTEMIS_E_LIMIT, -1, -1, at,
                                "s3://%s/%s: part %d would exceed S3's %d parts; raise the part size (now %zu bytes)",
                                s->bucket, s->key, number, MAX_PARTS, s->part_size);
  }
  if (number > s->etag_capacity) {
    int cap = s->etag_capacity ? s->etag_capacity * 2 : 64;
    if (cap > MAX_PARTS) cap = MAX_PARTS;
    char(*grown)[40] = artemis_mem_realloc(s->mem, s->etags, (size_t)cap * sizeof *s->etags);
    if (!grown) {
      return artemis_set_error_at(error, ARTEMIS_E_NOMEM, -1, -1, at, "s3://%s/%s: out of memory for part %d's ETag",
                                  s->bucket, s->key, number);
    }
    s->etags = grown;
    s->etag_capacity = cap;
  }
  char md5[2 * EVP_MAX_MD_SIZE + 1];
  if (digest_hex(EVP_md5(), s->buffer, s->buffered, md5) != 0) {
    return artemis_set_error_at(error, ARTEMIS_E_INTERNAL, -1, -1, at, "s3://%s/%s: OpenSSL MD5 of part %d failed",
                                s->bucket, s->key, number);
  }
  size_t n = strlen(s->path) + strlen(s->upload_id) + 48;
  char pq[2048];
  if (n > sizeof pq) return artemis_set_error(error, ARTEMIS_E_INTERNAL, "s3: path too long");
  snprintf(pq, sizeof pq, "%s?partNumber=%d&uploadId=%s", s->path, number, s->upload_id);
  s3_response r = {0};
  int rc = s3_request(&s->conn, "PUT", pq, s->buffered ? s->buffer : NULL, s->buffered, "application/octet-stream",
                      NULL, &r);
  int status = ARTEMIS_OK;
  if (rc != 0 || r.status != 200 || (r.body && strstr(r.body, "<Error>"))) {
    char why[256];
    describe(&r, why, sizeof why);
    status = artemis_set_error_at(error, ARTEMIS_E_IO, -1, -1, at,
                                  "s3://%s/%s: UploadPart %d (%zu bytes at offset %lld) failed after up to %d attempts: %s",
                                  s->bucket, s->key, number, s->buffered, (long long)at, s->conn.max_attempts, why);
  } else if (strcasecmp(r.etag, md5) != 0) {
    status = artemis_set_error_at(error, ARTEMIS_E_IO, -1, -1, at,
                                  "s3://%s/%s: UploadPart %d (%zu bytes): the server's ETag '%s' is not the part's MD5 %s "
                                  "(the part was stored wrongly)",
                                  s->bucket, s->key, number, s->buffered, r.etag, md5);
  } else {
    memcpy(s->etags[number - 1], md5, 33);
    s->parts = number;
    s->buffered = 0;
  }
  response_reset(&r);
  return status;
}

static int s3_sink_write(artemis_sink* base, const void* bytes, size_t n, artemis_error* error) {
  s3_sink* s = (s3_sink*)base;
  if (s->failed) {
    return artemis_set_error(error, ARTEMIS_E_STATE, "s3://%s/%s: write after an earlier write failed", s->bucket, s->key);
  }
  if (n && !bytes) return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "s3 sink: write of %zu NULL bytes", n);
  const uint8_t* p = bytes;
  while (n > 0) {
    size_t take = s->part_size - s->buffered;
    if (take > n) take = n;
    memcpy(s->buffer + s->buffered, p, take);
    s->buffered += take;
    s->base.offset += (int64_t)take;
    p += take;
    n -= take;
    if (s->buffered == s->part_size) {
      int rc = upload_part(s, error);
      if (rc != ARTEMIS_OK) {
        abandon(s);
        s->failed = 1;
        return rc;
      }
    }
  }
  return ARTEMIS_OK;
}

static int s3_sink_publish(artemis_sink* base, artemis_error* error) {
  s3_sink* s = (s3_sink*)base;
  int rc = ARTEMIS_OK;
  char* xml = NULL;
  s3_response r = {0};
  if (s->failed) {
    rc = artemis_set_error(error, ARTEMIS_E_STATE, "s3://%s/%s: publish after a write failed (the upload was aborted)",
                           s->bucket, s->key);
    goto done;
  }
  /* The last part may be short; an empty output still needs one (empty) part. */
  if (s->buffered > 0 || s->parts == 0) {
    rc = upload_part(s, error);
    if (rc != ARTEMIS_OK) goto fail;
  }
  size_t cap = 64 + (size_t)s->parts * 96;
  xml = malloc(cap);
  if (!xml) {
    rc = artemis_set_error(error, ARTEMIS_E_NOMEM, "s3://%s/%s: out of memory for the Complete request", s->bucket, s->key);
    goto fail;
  }
  size_t len = (size_t)snprintf(xml, cap, "<CompleteMultipartUpload>");
  for (int i = 0; i < s->parts; i++) {
    len += (size_t)snprintf(xml + len, cap - len, "<Part><PartNumber>%d</PartNumber><ETag>\"%s\"</ETag></Part>", i + 1,
                            s->etags[i]);
  }
  len += (size_t)snprintf(xml + len, cap - len, "</CompleteMultipartUpload>");
  char pq[2048];
  snprintf(pq, sizeof pq, "%s?uploadId=%s", s->path, s->upload_id);
  static const char* const extra[] = {"If-None-Match: *", NULL};
  int req = s3_request(&s->conn, "POST", pq, xml, len, "application/xml", extra, &r);
  if (req == 0 && r.status == 200 && r.body && !strstr(r.body, "<Error>") && strstr(r.body, "<ETag>")) {
    s->upload_id[0] = '\0'; /* committed: nothing to abort */
    goto done;
  }
  char why[256];
  describe(&r, why, sizeof why);
  if (req == 0 && (r.status == 412 || (r.body && strstr(r.body, "<Code>PreconditionFailed</Code>")))) {
    rc = artemis_set_error(error, ARTEMIS_E_CONFLICT,
                           "s3://%s/%s already exists; not overwritten (CompleteMultipartUpload with If-None-Match: * "
                           "got %s); the upload was aborted",
                           s->bucket, s->key, why);
  } else {
    rc = artemis_set_error(error, ARTEMIS_E_IO,
                           "s3://%s/%s: CompleteMultipartUpload of %d parts (%lld bytes) failed: %s; the upload was aborted",
                           s->bucket, s->key, s->parts, (long long)s->base.offset, why);
  }
fail:
  abandon(s);
done:
  response_reset(&r);
  free(xml);
  free_sink(s);
  return rc;
}

static void s3_sink_discard(artemis_sink* base) {
  s3_sink* s = (s3_sink*)base;
  abandon(s);
  free_sink(s);
}

static const artemis_sink_vtable kS3SinkVtable = {s3_sink_write, s3_sink_publish, s3_sink_discard};

int artemis_s3_sink_open(artemis_sink** out, const char* bucket, const char* key, const artemis_s3_options* options,
                         artemis_mem* mem, artemis_error* error) {
  if (!out || !mem) return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "artemis_s3_sink_open: NULL argument");
  *out = NULL;
  ARTEMIS_RETURN_NOT_OK(artemis_s3_check_location(bucket, key, error));
  size_t part_size = options && options->part_size ? options->part_size : ARTEMIS_S3_DEFAULT_PART_SIZE;
  if (part_size < ARTEMIS_S3_MIN_PART_SIZE) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                             "s3: part size %zu is below S3's minimum of %zu bytes (5 MiB)", part_size,
                             ARTEMIS_S3_MIN_PART_SIZE);
  }
  s3_sink* s = artemis_mem_calloc(mem, 1, sizeof *s);
  if (!s) return artemis_set_error(error, ARTEMIS_E_NOMEM, "s3: out of memory opening s3://%s/%s", bucket, key);
  s->base.vtable = &kS3SinkVtable;
  s->mem = mem;
  s->part_size = part_size;
  int rc = conn_open(&s->conn, options, error);
  if (rc != ARTEMIS_OK) goto fail;
  s->bucket = strdup(bucket);
  s->key = strdup(key);
  size_t pl = strlen(bucket) + strlen(key) + 3;
  s->path = malloc(pl);
  s->buffer = artemis_mem_alloc(mem, part_size);
  if (!s->bucket || !s->key || !s->path || !s->buffer) {
    rc = artemis_set_error(error, ARTEMIS_E_NOMEM, "s3: out of memory for s3://%s/%s (part buffer of %zu bytes)", bucket,
                           key, part_size);
    goto fail;
  }
  snprintf(s->path, pl, "/%s/%s", bucket, key);
  char pq[2048];
  snprintf(pq, sizeof pq, "%s?uploads=", s->path);
  s3_response r = {0};
  int req = s3_request(&s->conn, "POST", pq, NULL, 0, "application/octet-stream", NULL, &r);
  char id[512];
  if (req != 0 || r.status != 200 || !r.body || strstr(r.body, "<Error>") ||
      !xml_text(r.body, "UploadId", id, sizeof id)) {
    char why[256];
    describe(&r, why, sizeof why);
    rc = artemis_set_error(error, ARTEMIS_E_IO, "s3://%s/%s: CreateMultipartUpload at %s failed: %s", bucket, key,
                           s->conn.endpoint, why);
    response_reset(&r);
    goto fail;
  }
  response_reset(&r);
  if (!upload_id_ok(id)) {
    snprintf(s->upload_id, sizeof s->upload_id, "%s", id); /* unusable for signing, try the abort anyway */
    rc = artemis_set_error(error, ARTEMIS_E_UNSUPPORTED,
                           "s3://%s/%s: upload id '%.100s' needs %%-escaping, which libcurl 7.88's SigV4 cannot sign",
                           bucket, key, id);
    goto fail;
  }
  snprintf(s->upload_id, sizeof s->upload_id, "%s", id);
  *out = &s->base;
  return ARTEMIS_OK;
fail:
  abandon(s);
  free_sink(s);
  return rc;
}

/* ---- garbage collection of pending uploads ---- */

static int64_t parse_iso8601(const char* s) {
  struct tm tm = {0};
  int y, mo, d, h, mi, sec;
  if (sscanf(s, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &sec) != 6) return -1;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  return (int64_t)timegm(&tm);
}

static int query_value_ok(const char* v) {
  for (const char* p = v; *p; p++) {
    if (!(isalnum((unsigned char)*p) || *p == '.' || *p == '_' || *p == '/' || *p == '-' || *p == '~')) return 0;
  }
  return 1;
}

int artemis_s3_gc(const char* bucket, const char* prefix, int64_t older_than_seconds, const artemis_s3_options* options,
                  void (*visit)(void* ctx, const artemis_s3_upload* upload, int aborted), void* ctx, int* listed,
                  int* aborted, artemis_error* error) {
  if (listed) *listed = 0;
  if (aborted) *aborted = 0;
  if (!prefix) prefix = "";
  ARTEMIS_RETURN_NOT_OK(artemis_s3_check_location(bucket, "x", error));
  if (!query_value_ok(prefix)) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "s3: prefix '%.200s' is restricted to [A-Za-z0-9._/-]",
                             prefix);
  }
  s3_conn c;
  int rc = conn_open(&c, options, error);
  if (rc != ARTEMIS_OK) {
    conn_close(&c);
    return rc;
  }
  int64_t now = (int64_t)time(NULL);
  char key_marker[1100] = "", id_marker[512] = "";
  int failures = 0;
  for (;;) {
    char pq[4096];
    /* Query parameters pre-sorted, unescaped (libcurl 7.88 SigV4). */
    int n = snprintf(pq, sizeof pq, "/%s?", bucket);
    if (key_marker[0]) n += snprintf(pq + n, sizeof pq - (size_t)n, "key-marker=%s&", key_marker);
    if (prefix[0]) n += snprintf(pq + n, sizeof pq - (size_t)n, "prefix=%s&", prefix);
    if (id_marker[0]) n += snprintf(pq + n, sizeof pq - (size_t)n, "upload-id-marker=%s&", id_marker);
    snprintf(pq + n, sizeof pq - (size_t)n, "uploads=");
    s3_response r = {0};
    int req = s3_request(&c, "GET", pq, NULL, 0, NULL, NULL, &r);
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
      up.initiated_unix = parse_iso8601(up.initiated);
      if (listed) (*listed)++;
      int result = 0;
      if (older_than_seconds >= 0 && up.initiated_unix >= 0 && now - up.initiated_unix > older_than_seconds) {
        artemis_error ignored;
        if (artemis_s3_check_location(bucket, up.key, &ignored) != ARTEMIS_OK || !upload_id_ok(up.upload_id) ||
            abort_upload(&c, bucket, up.key, up.upload_id) != 0) {
          result = -1;
          failures++;
        } else {
          result = 1;
          if (aborted) (*aborted)++;
        }
      }
      if (visit) visit(ctx, &up, result);
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
  conn_close(&c);
  if (rc == ARTEMIS_OK && failures > 0) {
    rc = artemis_set_error(error, ARTEMIS_E_IO, "s3://%s/%s: %d stale upload(s) could not be aborted", bucket, prefix,
                           failures);
  }
  return rc;
}
