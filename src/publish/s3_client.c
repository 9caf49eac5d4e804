/* The signed S3 HTTP client (contracts in s3_client.h): process-wide flags, digests, the
 * connection config, one SigV4-signed request with retries, backoff and cancellation,
 * response helpers, AbortMultipartUpload.
 *
 * libcurl 7.88 (Debian 12) SigV4 pitfalls this code works around, each verified against moto
 * with signature checking on:
 *  - curl does not send x-amz-content-sha256; we compute SHA-256 of every body and send it;
 *  - a valueless query key must be written "uploads=", and query parameters must be
 *    pre-sorted and need no %-escaping (hence the restricted key alphabet);
 *  - every body gets an explicit Content-Type (otherwise curl sends form-urlencoded and moto
 *    stores an empty part with 200: the ETag = MD5 check is what catches that);
 *  - no header is removed with "Name:" (curl would still sign it).
 * curl signs every header we add, Content-MD5 included. */
#include "publish/s3_client.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/errors.h"
#include "publish/sink.h"

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
/* S3's part size limit and ours on parts in flight, checked by s3_check_options. */
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

void artemis_s3_to_hex(const unsigned char* bytes, size_t n, char* hex) {
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
  artemis_s3_to_hex(out, len, hex);
  return 0;
}

int artemis_s3_md5(const void* bytes, size_t n, unsigned char out[16]) {
  unsigned int len = 0;
  if (EVP_Digest(n ? bytes : (const void*)"", n, out, &len, EVP_md5(), NULL) != 1 || len != 16) return -1;
  return 0;
}

void artemis_s3_base64(const unsigned char* bytes, size_t n, char* out) {
  EVP_EncodeBlock((unsigned char*)out, bytes, (int)n);
}

/* ---- HTTP ---- */

static pthread_once_t g_curl_once = PTHREAD_ONCE_INIT;
static CURLcode g_curl_init_rc = CURLE_FAILED_INIT;
static void curl_init_once(void) { g_curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT); }

void artemis_s3_response_reset(s3_response* r) {
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

/* The backoff between attempts, in 50 ms slices so that a cancel (SIGINT in the CLI) is
 * acted on within 50 ms here too, not after up to 5 s. */
static void backoff_sleep(const s3_call* call, long ms) {
  for (long left = ms; left > 0 && !call_cancelled(call); left -= 50) {
    long slice = left < 50 ? left : 50;
    struct timespec ts = {0, slice * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
  }
}

/* Could a request that failed with `rc` have reached the server? Only a failure to
 * resolve or connect proves it did not. */
static int sent_maybe(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_OUT_OF_MEMORY:
      return 0;
    default:
      return 1;
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
int artemis_s3_request(const s3_config* c, CURL* h, s3_call* call, s3_response* r) {
  char sha[2 * EVP_MAX_MD_SIZE + 1];
  if (call->body && call->body_len > 0) {
    if (digest_hex(EVP_sha256(), call->body, call->body_len, sha) != 0) {
      artemis_s3_response_reset(r);
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
    artemis_s3_response_reset(r);
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
  int maybe_applied = 0;
  for (int attempt = 1; attempt <= c->max_attempts; attempt++) {
    artemis_s3_response_reset(r);
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
    /* libcurl silently re-sends a request whose reused connection closed without a reply;
     * for Complete that would hide an attempt the server may have carried out (and the
     * re-send then meets our own object: 412). A fresh connection makes every loss visible
     * to us, so maybe_applied is exact. */
    if (call->complete) curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
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
    /* S3 may report a failed Complete inside a 200 (InternalError while it assembles the
     * parts); that is retried like a 5xx. */
    int error_in_200 = call->complete && rc == 0 && r->status == 200 && r->body && strstr(r->body, "<Error>");
    /* A failed attempt that put no byte of the request on the wire cannot have been
     * carried out. */
    long request_bytes = 0;
    if (rc != 0 && curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &request_bytes) != CURLE_OK) request_bytes = 1;
    if ((rc != 0 && request_bytes > 0 && sent_maybe(r->curl_rc)) || (rc == 0 && r->status >= 500) || error_in_200)
      maybe_applied = 1;
    r->maybe_applied = maybe_applied;
    if (!(retryable(r) || error_in_200) || attempt == c->max_attempts || call_cancelled(call)) break;
    backoff_sleep(call, backoff);
    if (call_cancelled(call)) break;
    backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
    continue;
  oom:
    curl_slist_free_all(headers);
    artemis_s3_response_reset(r);
    r->maybe_applied = maybe_applied;
    r->curl_rc = CURLE_OUT_OF_MEMORY;
    snprintf(r->curl_error, sizeof r->curl_error, "out of memory building headers");
    rc = -1;
    break;
  }
  free(url);
  return rc;
}

/* "HTTP 403, SignatureDoesNotMatch" or the network error, for messages. */
void artemis_s3_describe(const s3_response* r, char* out, size_t size) {
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

int artemis_s3_has_code(const s3_response* r, const char* code) {
  char tag[96];
  snprintf(tag, sizeof tag, "<Code>%s</Code>", code);
  return r->body && strstr(r->body, tag) != NULL;
}

/* Copies the text of the first <tag>...</tag> after `from` into out; returns a pointer past
 * the closing tag, or NULL when absent. */
const char* artemis_s3_xml_text(const char* from, const char* tag, char* out, size_t size) {
  char open[64], close[64];
  snprintf(open, sizeof open, "<%s>", tag);
  snprintf(close, sizeof close, "</%s>", tag);
  const char* a = from ? strstr(from, open) : NULL;
  if (!a) return NULL;
  a += strlen(open);
  const char* b = strstr(a, close);
  if (!b) return NULL;
  size_t len = (size_t)(b - a);
  if (len >= size) {
    /* A cut value (an upload id, a key) would name something else: not found. */
    if (size) out[0] = '\0';
    return NULL;
  }
  memcpy(out, a, len);
  out[len] = '\0';
  return b + strlen(close);
}

void artemis_s3_config_close(s3_config* c) {
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
int artemis_s3_check_options(const artemis_s3_options* o, artemis_error* error) {
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

int artemis_s3_config_open(s3_config* c, const artemis_s3_options* o, artemis_error* error) {
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
    artemis_s3_config_close(c);
    return artemis_set_error(error, ARTEMIS_E_NOMEM, "s3: out of memory opening a connection to %s", endpoint);
  }
  return ARTEMIS_OK;
}

int artemis_s3_upload_id_ok(const char* id) {
  if (!*id) return 0;
  for (const char* p = id; *p; p++) {
    if (!(isalnum((unsigned char)*p) || *p == '.' || *p == '_' || *p == '-' || *p == '~')) return 0;
  }
  return 1;
}

/* Best-effort AbortMultipartUpload. 204 (and 404 NoSuchUpload: already gone) count as done.
 * Not cancellable: it is what a cancellation ends with. */
int artemis_s3_abort_upload(const s3_config* c, CURL* h, const char* bucket, const char* key, const char* upload_id,
                            long* status) {
  if (status) *status = 0;
  char pq[2048];
  if ((size_t)snprintf(pq, sizeof pq, "/%s/%s?uploadId=%s", bucket, key, upload_id) >= sizeof pq) return -1;
  s3_response r;
  memset(&r, 0, sizeof r);
  s3_call call = {"DELETE", pq, NULL, 0, NULL, NULL, NULL, 0};
  int rc = artemis_s3_request(c, h, &call, &r);
  if (status && rc == 0) *status = r.status;
  int ok = rc == 0 && (r.status == 204 || r.status == 200 || r.status == 404);
  artemis_s3_response_reset(&r);
  return ok ? 0 : -1;
}
