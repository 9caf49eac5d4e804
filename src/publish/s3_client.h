/* The signed S3 HTTP client shared by the multipart sink (s3_sink.c) and the gc of pending
 * uploads (s3_gc.c): connection config, one SigV4-signed request with retries, response
 * parsing. Internal; built only with ARTEMIS_WITH_S3 (libcurl + libcrypto).
 *
 * Threads: an s3_config is immutable once opened and may be shared read-only by any number
 * of threads. Each thread uses its own CURL easy handle and its own s3_response / s3_call.
 * With that, artemis_s3_request, artemis_s3_abort_upload and every pure helper below may be called from the
 * sink's slot threads. s3_config_open / s3_config_close run on the owner's thread while no
 * request uses the config. No function here allocates through an artemis_mem (responses
 * and URLs use malloc), so a writer's allocator never sees a slot thread. */
#ifndef ARTEMIS_PUBLISH_S3_CLIENT_H
#define ARTEMIS_PUBLISH_S3_CLIENT_H

#include <curl/curl.h>
#include <stdatomic.h>
#include <stddef.h>

#include "artemis/error.h"
#include "artemis/s3.h"

/* Where and as whom; immutable once opened, so slot threads share it without a lock.
 * Every string is owned (malloc'ed) by the config and freed by s3_config_close. */
typedef struct s3_config {
  char* endpoint; /* no trailing '/' */
  char* sigv4;    /* "aws:amz:<region>:s3" */
  char* access_key;
  char* secret_key;
  char* token_header; /* "x-amz-security-token: ..." or NULL */
  int max_attempts;
  long timeout_seconds;
} s3_config;

/* One response. Zero it (memset) before its first use; artemis_s3_request resets it per attempt;
 * the caller frees it with s3_response_reset. */
typedef struct s3_response {
  long status;
  char* body; /* NUL-terminated, malloc'ed */
  size_t len;
  int overflow;
  char etag[128]; /* the ETag header, quotes stripped, or "" */
  char curl_error[CURL_ERROR_SIZE];
  CURLcode curl_rc;
  /* Set by artemis_s3_request after its last attempt: some attempt may have been carried
   * out by the server without our getting a definitive answer (a network error after the
   * connection was made, a 5xx, or a 200 with an <Error> body). Kept across the attempts. */
  int maybe_applied;
} s3_response;

/* One request. Every pointer is borrowed for the duration of artemis_s3_request only. */
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
  /* CompleteMultipartUpload: sent on a fresh connection (see artemis_s3_request), a 200
   * with an <Error> body is retried, and artemis_s3_drop_complete_replies_for_testing
   * applies. */
  int complete;
} s3_call;

/* ---- options and config ---- */

/* Checks the options a caller gave (NULL: defaults) before anything is opened: version,
 * part size within S3's limits, parts_in_flight. Pure. */
int artemis_s3_check_options(const artemis_s3_options* o, artemis_error* error);
/* Resolves endpoint, region and credentials from `o` (NULL: defaults) and the AWS_*
 * environment variables into *c, and runs curl_global_init once per process. On failure
 * *c is zeroed and owns nothing. */
int artemis_s3_config_open(s3_config* c, const artemis_s3_options* o, artemis_error* error);
/* Frees what s3_config_open allocated (wiping the secret key) and zeroes *c. */
void artemis_s3_config_close(s3_config* c);

/* ---- requests ---- */

/* One signed request with retries (exponential backoff on 5xx, 429 and network errors), on
 * `h` (one easy handle per thread; reset here, its connection cache kept). Returns 0 when a
 * response arrived (any status; the caller judges it), -1 when the last attempt failed at
 * the network level or was cancelled (r->curl_rc, r->curl_error say why). *r is reset
 * first and holds the last attempt's response either way. */
int artemis_s3_request(const s3_config* c, CURL* h, s3_call* call, s3_response* r);
/* Frees r->body and zeroes *r. */
void artemis_s3_response_reset(s3_response* r);
/* Best-effort AbortMultipartUpload. 204 (and 404 NoSuchUpload: already gone) count as done:
 * 0; otherwise -1. *status (may be NULL) gets the HTTP status, 0 without a reply: a 404
 * after a Complete was sent may mean that Complete went through. Not cancellable: it is
 * what a cancellation ends with. */
int artemis_s3_abort_upload(const s3_config* c, CURL* h, const char* bucket, const char* key, const char* upload_id,
                            long* status);
/* 1 when an upload id can go into a signed query unescaped (libcurl 7.88 SigV4). Pure. */
int artemis_s3_upload_id_ok(const char* id);

/* ---- responses (pure) ---- */

/* "HTTP 403, SignatureDoesNotMatch" or the network error, for messages. */
void artemis_s3_describe(const s3_response* r, char* out, size_t size);
/* 1 when the body has <Code>code</Code>. */
int artemis_s3_has_code(const s3_response* r, const char* code);
/* Copies the text of the first <tag>...</tag> after `from` into out; returns a pointer past
 * the closing tag, or NULL when absent or longer than size - 1 (out is then ""). */
const char* artemis_s3_xml_text(const char* from, const char* tag, char* out, size_t size);

/* ---- digests (pure) ---- */

/* Lower-case hex of n bytes into hex (2n+1 bytes, NUL-terminated). */
void artemis_s3_to_hex(const unsigned char* bytes, size_t n, char* hex);
/* MD5 of n bytes (n may be 0) into out[16]; 0, or -1 when OpenSSL failed. */
int artemis_s3_md5(const void* bytes, size_t n, unsigned char out[16]);
/* Base64 of n bytes into out (4 * ((n + 2) / 3) + 1 bytes, NUL-terminated). */
void artemis_s3_base64(const unsigned char* bytes, size_t n, char* out);

#endif
