/* Writing straight into an S3 bucket (or an S3-compatible store), with the same atomic
 * discipline as the local file: the commit point is CompleteMultipartUpload.
 *
 *   artemis_writer_open_s3()  -> CreateMultipartUpload; nothing is visible at the key
 *   artemis_writer_write()    -> bytes are buffered into parts of `part_size` bytes; each
 *                                full part is uploaded (UploadPart) with Content-MD5 and
 *                                its returned ETag checked against the part's MD5
 *   artemis_writer_close()    -> last part, then CompleteMultipartUpload with
 *                                If-None-Match: * (an existing object is never replaced);
 *                                the object appears, whole, only if this returns ARTEMIS_OK
 *   artemis_writer_abort()    -> AbortMultipartUpload; so does every failure
 *
 * A process that dies mid-write leaves a pending multipart upload (invisible to readers,
 * but billed): the bucket needs the lifecycle rule AbortIncompleteMultipartUpload, and
 * artemis_s3_gc() (`artemis-write s3-gc`) aborts such uploads on demand (docs/s3.md).
 *
 * Memory: the writer's own memory plus part_size x parts_in_flight bytes of part buffers,
 * allocated through the writer options' allocator and counted in memory_peak_bytes and
 * against memory_limit_bytes.
 *
 * Names: the bucket must match [a-z0-9.-]{3,63}; the key [A-Za-z0-9._/-], at most 1024
 * bytes, no empty, "." or ".." segment. Anything else is refused before any request
 * (ARTEMIS_E_INVALID_ARGUMENT): libcurl's SigV4 signer is only correct for paths that need
 * no %-escaping.
 *
 * Built only with the CMake option ARTEMIS_WITH_S3 (libcurl, OpenSSL's libcrypto). Without
 * it these functions exist and return ARTEMIS_E_UNSUPPORTED ("built without S3 support"). */
#ifndef ARTEMIS_S3_H
#define ARTEMIS_S3_H

#include <stddef.h>
#include <stdint.h>
#include "artemis/arrow_c.h"
#include "artemis/error.h"
#include "artemis/export.h"
#include "artemis/options.h"
#include "artemis/writer.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ARTEMIS_S3_OPTIONS_VERSION 1u
#define ARTEMIS_S3_MIN_PART_SIZE ((size_t)5 * 1024 * 1024)
#define ARTEMIS_S3_DEFAULT_PART_SIZE ((size_t)16 * 1024 * 1024)

/* Connection and upload settings. Versioned like artemis_writer_options: always call
 * artemis_s3_options_init() first. Every string is borrowed during the call only. A NULL
 * string takes the default named beside it. */
typedef struct artemis_s3_options {
  uint32_t version;              /* ARTEMIS_S3_OPTIONS_VERSION */
  const char* endpoint;          /* "http(s)://host[:port]"; NULL: https://s3.<region>.amazonaws.com
                                  * (path-style URLs: <endpoint>/<bucket>/<key>) */
  const char* region;            /* NULL: $AWS_REGION, else "us-east-1" */
  const char* access_key_id;     /* NULL: $AWS_ACCESS_KEY_ID (required from one or the other) */
  const char* secret_access_key; /* NULL: $AWS_SECRET_ACCESS_KEY (required likewise) */
  const char* session_token;     /* NULL: $AWS_SESSION_TOKEN (optional) */
  size_t part_size;              /* bytes per part except the last; 0: 16 MiB; else 5 MiB to
                                  * 5 GiB. At most 10,000 parts: a larger output is
                                  * ARTEMIS_E_LIMIT */
  int parts_in_flight;           /* part uploads running at once, 0..64; 0 and 1: one, on the
                                  * caller's thread (the writer waits for each part); N > 1:
                                  * N upload threads. Memory is parts_in_flight x part_size */
  int max_attempts;              /* per request, first try included; 0: 5. 5xx, 429 and network
                                  * errors are retried with exponential backoff (100 ms, x2,
                                  * at most 5 s) and the same body */
  long timeout_seconds;          /* a request with no progress for this long fails (and is
                                  * retried); 0: 60 */
  /* 1 (default): each part's returned ETag must equal its MD5. Set 0 for buckets with
   * SSE-KMS or SSE-C encryption, whose ETags are not MD5s; the server still verifies every
   * part against the Content-MD5 we send. */
  int verify_etag_md5;
} artemis_s3_options;

/* Fills `options` with the defaults above. */
ARTEMIS_API void artemis_s3_options_init(artemis_s3_options* options);

/* Splits "s3://bucket/key" into bucket and key, copied NUL-terminated into the caller's
 * buffers, and checks both names (see above). ARTEMIS_E_INVALID_ARGUMENT names the bad
 * character and its position. */
ARTEMIS_API int artemis_s3_parse_url(const char* url, char* bucket, size_t bucket_size, char* key,
                                     size_t key_size, artemis_error* error);

/* Like artemis_writer_open(), writing to the S3 object `url` ("s3://bucket/key").
 * Starts the multipart upload before returning. The summary's `path` and the
 * file_published event name the URL.
 * @param s3_options   NULL for defaults (credentials and region from the environment).
 * @return as artemis_writer_open(), and: ARTEMIS_E_INVALID_ARGUMENT (bad URL, bucket or key
 *         name, no credentials, part_size below 5 MiB), ARTEMIS_E_IO (HTTP or network error;
 *         the message names the operation, the HTTP status and S3's error code, or curl's
 *         error), ARTEMIS_E_UNSUPPORTED (built without S3 support).
 * close: ARTEMIS_E_CONFLICT if the key already exists (it is not overwritten);
 * ARTEMIS_E_IO when a part or the Complete request fails after its retries. If the reply
 * to CompleteMultipartUpload may have been lost, the object is checked with HeadObject:
 * close returns ARTEMIS_OK only when its ETag is the multipart ETag of the parts we sent.
 * On every failure, and on abort, the upload is aborted and nothing of ours is at the key,
 * with one exception: ARTEMIS_E_OUTCOME_UNKNOWN when Complete may have been carried out
 * and neither it nor HeadObject gave a usable answer (or, with verify_etag_md5 = 0, when
 * HeadObject shows an object we cannot identify): the object may exist; check it. */
ARTEMIS_API int artemis_writer_open_s3(artemis_writer** out, const char* url, const struct ArrowSchema* schema,
                                       const artemis_writer_options* options,
                                       const artemis_s3_options* s3_options, artemis_error* error);

/* One pending multipart upload, as listed by ListMultipartUploads. */
typedef struct artemis_s3_upload {
  char key[1025];
  char upload_id[512];
  char initiated[64];     /* ISO 8601, as the server sent it */
  int64_t initiated_unix; /* seconds since the epoch; -1 if it did not parse */
} artemis_s3_upload;

/* What artemis_s3_gc did with one listed upload. */
typedef enum artemis_s3_gc_action {
  ARTEMIS_S3_GC_KEPT = 0,         /* younger than the limit, its date did not parse, or list only */
  ARTEMIS_S3_GC_ABORTED = 1,
  ARTEMIS_S3_GC_ABORT_FAILED = -1 /* the abort request failed; the upload is still pending */
} artemis_s3_gc_action;

/* Lists the pending multipart uploads of s3://bucket/prefix (`url`; the prefix may be
 * empty) and aborts those initiated more than `older_than_seconds` ago (-1: list only,
 * abort nothing). Follows ListMultipartUploads pagination. `visit`, if given, is called for
 * every listed upload. Counts go to *listed and *aborted (either may be NULL).
 * Returns ARTEMIS_OK when the listing succeeded and every abort it tried succeeded;
 * ARTEMIS_E_IO otherwise (the message names the first failure). */
ARTEMIS_API int artemis_s3_gc(const char* url, int64_t older_than_seconds, const artemis_s3_options* s3_options,
                              void (*visit)(void* ctx, const artemis_s3_upload* upload,
                                            artemis_s3_gc_action action),
                              void* ctx, int* listed, int* aborted, artemis_error* error);

#ifdef __cplusplus
}
#endif

#endif
