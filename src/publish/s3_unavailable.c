/* The S3 entry points of a build without ARTEMIS_WITH_S3 (no libcurl, no libcrypto): they
 * exist, so that programs link against either build, and refuse with
 * ARTEMIS_E_UNSUPPORTED. CMakeLists.txt compiles this file instead of s3_client.c,
 * s3_sink.c and s3_gc.c. */
#include "core/errors.h"
#include "publish/sink.h"

#define UNAVAILABLE "built without S3 support (CMake option ARTEMIS_WITH_S3=OFF)"

int artemis_s3_parse_url(const char* url, char* bucket, size_t bucket_size, char* key, size_t key_size,
                         artemis_error* error) {
  (void)url, (void)bucket, (void)bucket_size, (void)key, (void)key_size;
  return artemis_set_error(error, ARTEMIS_E_UNSUPPORTED, UNAVAILABLE);
}

int artemis_writer_open_s3(artemis_writer** out, const char* url, const struct ArrowSchema* schema,
                           const artemis_writer_options* options, const artemis_s3_options* s3_options,
                           artemis_error* error) {
  (void)url, (void)schema, (void)options, (void)s3_options;
  artemis_error_clear(error);
  if (out) *out = NULL;
  return artemis_set_error(error, ARTEMIS_E_UNSUPPORTED, "%s: " UNAVAILABLE, url ? url : "s3");
}

int artemis_s3_gc(const char* url, int64_t older_than_seconds, const artemis_s3_options* s3_options,
                  void (*visit)(void* ctx, const artemis_s3_upload* upload, artemis_s3_gc_action action), void* ctx,
                  int* listed, int* aborted, artemis_error* error) {
  (void)older_than_seconds, (void)s3_options, (void)visit, (void)ctx;
  artemis_error_clear(error);
  if (listed) *listed = 0;
  if (aborted) *aborted = 0;
  return artemis_set_error(error, ARTEMIS_E_UNSUPPORTED, "%s: " UNAVAILABLE, url ? url : "s3");
}

int artemis_s3_sink_open(artemis_sink** out, const char* bucket, const char* key, const artemis_s3_options* options,
                         artemis_mem* mem, artemis_error* error) {
  (void)bucket, (void)key, (void)options, (void)mem;
  if (out) *out = NULL;
  return artemis_set_error(error, ARTEMIS_E_UNSUPPORTED, UNAVAILABLE);
}

void artemis_s3_request_cancel(void) {}

void artemis_s3_drop_complete_replies_for_testing(int count) { (void)count; }
