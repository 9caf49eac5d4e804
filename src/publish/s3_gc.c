/* artemis_s3_gc (include/artemis/s3.h, `artemis-write s3-gc`): lists the pending multipart
 * uploads under s3://bucket[/prefix] with ListMultipartUploads, following its pagination
 * (key and upload-id markers), and aborts those older than the caller's age
 * (artemis_s3_gc_should_abort) through the same AbortMultipartUpload the sink uses. Requests
 * go through s3_client.c; one connection, on the caller's thread. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/errors.h"
#include "publish/s3_client.h"
#include "publish/sink.h"

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
  ARTEMIS_RETURN_NOT_OK(artemis_s3_check_options(s3_options, error));
  s3_config c;
  int rc = artemis_s3_config_open(&c, s3_options, error);
  if (rc != ARTEMIS_OK) return rc;
  CURL* h = curl_easy_init();
  if (!h) {
    rc = artemis_set_error(error, ARTEMIS_E_NOMEM, "s3: out of memory opening a connection to %s", c.endpoint);
    artemis_s3_config_close(&c);
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
    int req = artemis_s3_request(&c, h, &call, &r);
    if (req != 0 || r.status != 200 || !r.body || strstr(r.body, "<Error>")) {
      char why[256];
      artemis_s3_describe(&r, why, sizeof why);
      rc = artemis_set_error(error, ARTEMIS_E_IO, "s3://%s/%s: ListMultipartUploads failed: %s", bucket, prefix, why);
      artemis_s3_response_reset(&r);
      break;
    }
    /* on_body drops what exceeds the client's cap (or what it had no memory for): the body
     * is a prefix of the listing, and parsing it would miss uploads, or the markers. */
    if (r.overflow) {
      rc = artemis_set_error(error, ARTEMIS_E_IO,
                             "s3://%s/%s: ListMultipartUploads reply cut after %zu bytes (the client's response cap, "
                             "or out of memory); a partial listing is not used (key marker \"%.200s\")",
                             bucket, prefix, r.len, key_marker);
      artemis_s3_response_reset(&r);
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
      if (!one) {
        rc = artemis_set_error(error, ARTEMIS_E_NOMEM, "s3://%s/%s: out of memory reading ListMultipartUploads",
                               bucket, prefix);
        break;
      }
      memcpy(one, u, ulen);
      one[ulen] = '\0';
      artemis_s3_upload up;
      memset(&up, 0, sizeof up);
      artemis_s3_xml_text(one, "Key", up.key, sizeof up.key);
      artemis_s3_xml_text(one, "UploadId", up.upload_id, sizeof up.upload_id);
      artemis_s3_xml_text(one, "Initiated", up.initiated, sizeof up.initiated);
      free(one);
      up.initiated_unix = artemis_s3_parse_iso8601(up.initiated);
      if (listed) (*listed)++;
      artemis_s3_gc_action action = ARTEMIS_S3_GC_KEPT;
      if (artemis_s3_gc_should_abort(older_than_seconds, up.initiated_unix, now)) {
        artemis_error ignored;
        if (artemis_s3_check_location(bucket, up.key, &ignored) != ARTEMIS_OK || !artemis_s3_upload_id_ok(up.upload_id) ||
            artemis_s3_abort_upload(&c, h, bucket, up.key, up.upload_id, NULL) != 0) {
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
    if (rc != ARTEMIS_OK) {
      artemis_s3_response_reset(&r);
      break;
    }
    char truncated[16] = "";
    artemis_s3_xml_text(r.body, "IsTruncated", truncated, sizeof truncated);
    int more = strcmp(truncated, "true") == 0;
    /* A listing that stops early must not look complete: the caller would believe every
     * stale upload was examined. */
    char next_key[sizeof key_marker] = "", next_id[sizeof id_marker] = "";
    if (more && !(artemis_s3_xml_text(r.body, "NextKeyMarker", next_key, sizeof next_key) &&
                  artemis_s3_xml_text(r.body, "NextUploadIdMarker", next_id, sizeof next_id) &&
                  query_value_ok(next_key) && query_value_ok(next_id))) {
      rc = artemis_set_error(error, ARTEMIS_E_IO,
                             "s3://%s/%s: ListMultipartUploads is truncated but its next-page markers are missing or "
                             "need %%-escaping (key marker \"%.200s\"); the uploads after it were not examined",
                             bucket, prefix, next_key);
      more = 0;
    } else if (more && !strcmp(next_key, key_marker) && !strcmp(next_id, id_marker)) {
      /* A server that hands back the markers it was given would be asked for the same page
       * forever. */
      rc = artemis_set_error(error, ARTEMIS_E_IO,
                             "s3://%s/%s: ListMultipartUploads listing does not advance: the truncated page after key "
                             "marker \"%.200s\" (upload id marker \"%.100s\") names the same markers as next; the "
                             "uploads after it were not examined",
                             bucket, prefix, key_marker, id_marker);
      more = 0;
    } else if (more) {
      memcpy(key_marker, next_key, sizeof key_marker);
      memcpy(id_marker, next_id, sizeof id_marker);
    }
    artemis_s3_response_reset(&r);
    if (!more) break;
  }
  curl_easy_cleanup(h);
  artemis_s3_config_close(&c);
  if (rc == ARTEMIS_OK && failures > 0) {
    rc = artemis_set_error(error, ARTEMIS_E_IO, "s3://%s/%s: %d stale upload(s) could not be aborted; the first: %s",
                           bucket, prefix, failures, first_failure);
  }
  return rc;
}
