/* The public S3 API (include/artemis/s3.h) against a live S3-compatible server (moto, started
 * by tests/s3/s3_writer_test.sh, which sets S3_TEST_ENDPOINT, S3_TEST_BUCKET, S3_TEST_DIR and
 * the AWS_* credentials). Exit 77 (skipped) without S3_TEST_ENDPOINT.
 *
 * The objects are read back with libcurl's own SigV4 (not through the library under test),
 * and pending uploads are counted with artemis_s3_gc in list-only mode. Each case uses its
 * own key prefix, so their pending-upload counts do not mix.
 * Not covered here (moto cannot show them): a Complete retry answered 412/404 for our own
 * object (moto answers a repeated Complete with 200), Content-MD5 rejection (moto 5.2.1
 * ignores Content-MD5), 5xx retries (tests/s3/fault_proxy.py). */
#include <curl/curl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "artemis/artemis.h"
#include "publish/sink.h" /* artemis_s3_drop_complete_replies_for_testing */

#define PART ((size_t)5 * 1024 * 1024)

static const char* g_endpoint;
static const char* g_bucket;
static const char* g_dir;

/* ---- reading back, independently of the library ---- */

typedef struct bytes {
  unsigned char* data;
  size_t len;
} bytes;

static size_t collect(char* data, size_t size, size_t count, void* ctx) {
  bytes* b = ctx;
  size_t n = size * count;
  unsigned char* grown = realloc(b->data, b->len + n + 1);
  if (!grown) return 0;
  memcpy(grown + b->len, data, n);
  b->data = grown;
  b->len += n;
  return n;
}

static size_t etag_header(char* data, size_t size, size_t count, void* ctx) {
  size_t n = size * count;
  if (n > 5 && strncasecmp(data, "etag:", 5) == 0) snprintf(ctx, 128, "%.*s", (int)(n - 5), data + 5);
  return n;
}

/* GET (or HEAD with body NULL) of s3://bucket/key: the HTTP status. */
static long fetch(const char* key, bytes* body, char etag[128]) {
  char url[2048], user[512], sigv4[128];
  snprintf(url, sizeof url, "%s/%s/%s", g_endpoint, g_bucket, key);
  snprintf(user, sizeof user, "%s:%s", getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"));
  snprintf(sigv4, sizeof sigv4, "aws:amz:%s:s3", getenv("AWS_REGION") ? getenv("AWS_REGION") : "us-east-1");
  CURL* h = curl_easy_init();
  assert_non_null(h);
  struct curl_slist* headers = curl_slist_append(
      NULL, "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  bytes ignored = {NULL, 0};
  char tag[128] = "";
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4);
  curl_easy_setopt(h, CURLOPT_USERPWD, user);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, body ? body : &ignored);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, etag_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, tag);
  if (!body) curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  long status = 0;
  assert_int_equal(curl_easy_perform(h), CURLE_OK);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(h);
  free(ignored.data);
  if (etag) snprintf(etag, 128, "%s", tag);
  return status;
}

static int pending(const char* prefix) {
  char url[512];
  snprintf(url, sizeof url, "s3://%s/%s", g_bucket, prefix);
  artemis_s3_options so;
  artemis_s3_options_init(&so);
  so.endpoint = g_endpoint;
  artemis_error err;
  int listed = -1, aborted = -1;
  int rc = artemis_s3_gc(url, -1, &so, NULL, NULL, &listed, &aborted, &err);
  if (rc != ARTEMIS_OK) fail_msg("gc list %s: %s", url, err.message);
  assert_int_equal(aborted, 0);
  return listed;
}

static bytes read_file(const char* path) {
  bytes b = {NULL, 0};
  FILE* f = fopen(path, "rb");
  assert_non_null(f);
  unsigned char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) collect((char*)chunk, 1, n, &b);
  fclose(f);
  return b;
}

/* ---- writing ---- */

typedef struct progress {
  int64_t output_bytes;
  char published[512]; /* the file_published event's path */
} progress;

static void on_event(const artemis_event* event, void* payload) {
  progress* p = payload;
  if (event->kind == ARTEMIS_EVENT_ROW_GROUP_FLUSHED) p->output_bytes += event->compressed_bytes;
  if (event->kind == ARTEMIS_EVENT_FILE_PUBLISHED) snprintf(p->published, sizeof p->published, "%s", event->path);
}

static void writer_options(artemis_writer_options* wo, progress* p) {
  artemis_writer_options_init(wo);
  wo->threads = 2;
  wo->row_group_target_bytes = 8 << 20; /* several row groups: parts go out while writing */
  if (p) {
    wo->on_event = on_event;
    wo->event_payload = p;
  }
}

static artemis_s3_options s3_options(int parts_in_flight) {
  artemis_s3_options so;
  artemis_s3_options_init(&so);
  so.endpoint = g_endpoint;
  so.part_size = PART;
  so.parts_in_flight = parts_in_flight;
  return so;
}

static artemis_sample* sample(int64_t rows, uint64_t seed) {
  artemis_sample_options o;
  artemis_sample_options_init(&o);
  o.total_rows = rows;
  o.batch_rows = 32768;
  o.seed = seed;
  artemis_sample* s = NULL;
  artemis_error err;
  assert_int_equal(artemis_sample_open(&s, &o, &err), ARTEMIS_OK);
  return s;
}

/* Writes the rest of `s` (at most `max_batches`, -1: all); the first failing status. */
static int write_batches(artemis_writer* w, artemis_sample* s, int max_batches, artemis_error* err) {
  for (int i = 0; max_batches < 0 || i < max_batches; i++) {
    struct ArrowArray batch;
    int rc = artemis_sample_next(s, &batch, err);
    if (rc == ARTEMIS_E_END_OF_STREAM) return ARTEMIS_OK;
    assert_int_equal(rc, ARTEMIS_OK);
    rc = artemis_writer_write(w, &batch, err);
    batch.release(&batch);
    if (rc != ARTEMIS_OK) return rc;
  }
  return ARTEMIS_OK;
}

/* The same sample written to a local file: the reference bytes, and the writer's peak. */
static bytes local_reference(int64_t rows, uint64_t seed, int64_t* peak) {
  char path[1024];
  snprintf(path, sizeof path, "%s/ref-%lld-%llu.parquet", g_dir, (long long)rows, (unsigned long long)seed);
  remove(path);
  struct ArrowSchema schema;
  artemis_error err;
  assert_int_equal(artemis_sample_schema(&schema, &err), ARTEMIS_OK);
  artemis_writer_options wo;
  writer_options(&wo, NULL);
  wo.durable = 0;
  artemis_writer* w = NULL;
  assert_int_equal(artemis_writer_open(&w, path, &schema, &wo, &err), ARTEMIS_OK);
  schema.release(&schema);
  artemis_sample* s = sample(rows, seed);
  assert_int_equal(write_batches(w, s, -1, &err), ARTEMIS_OK);
  artemis_sample_close(s);
  artemis_write_summary* summary = NULL;
  assert_int_equal(artemis_writer_close(w, &summary, &err), ARTEMIS_OK);
  if (peak) *peak = summary->memory_peak_bytes;
  artemis_write_summary_free(summary);
  return read_file(path);
}

/* Writes `rows` of sample `seed` to s3://bucket/key; the close status. */
static int write_s3(const char* key, int64_t rows, uint64_t seed, const artemis_s3_options* so,
                    artemis_write_summary** summary, artemis_error* err) {
  char url[1024];
  snprintf(url, sizeof url, "s3://%s/%s", g_bucket, key);
  struct ArrowSchema schema;
  assert_int_equal(artemis_sample_schema(&schema, err), ARTEMIS_OK);
  artemis_writer_options wo;
  progress p;
  memset(&p, 0, sizeof p);
  writer_options(&wo, &p);
  artemis_writer* w = NULL;
  int rc = artemis_writer_open_s3(&w, url, &schema, &wo, so, err);
  schema.release(&schema);
  if (rc != ARTEMIS_OK) fail_msg("open %s: %s", url, err->message);
  artemis_sample* s = sample(rows, seed);
  rc = write_batches(w, s, -1, err);
  artemis_sample_close(s);
  if (rc != ARTEMIS_OK) fail_msg("write %s: %s", url, err->message);
  rc = artemis_writer_close(w, summary, err);
  if (rc == ARTEMIS_OK) assert_string_equal(p.published, url);
  return rc;
}

static void assert_object_is(const char* key, const bytes* expected) {
  bytes got = {NULL, 0};
  assert_int_equal(fetch(key, &got, NULL), 200);
  if (got.len != expected->len || memcmp(got.data, expected->data, got.len) != 0)
    fail_msg("s3://%s/%s: %zu bytes, not identical to the %zu-byte local output", g_bucket, key, got.len, expected->len);
  free(got.data);
}

/* ---- cases ---- */

/* 1.2M rows ~ 45 MB ~ 9 parts: byte-identical to the local file whatever the number of
 * parts in flight; the summary names the URL and counts the part buffers. */
static void test_roundtrip_parts_in_flight(void** state) {
  (void)state;
  int64_t local_peak = 0;
  bytes expected = local_reference(1200000, 7, &local_peak);
  assert_true(expected.len > 5 * PART);
  static const int kInFlight[] = {1, 2, 4};
  for (size_t i = 0; i < 3; i++) {
    char key[128], url[256];
    snprintf(key, sizeof key, "rt/pif%d.parquet", kInFlight[i]);
    snprintf(url, sizeof url, "s3://%s/%s", g_bucket, key);
    artemis_s3_options so = s3_options(kInFlight[i]);
    artemis_write_summary* summary = NULL;
    artemis_error err;
    int rc = write_s3(key, 1200000, 7, &so, &summary, &err);
    if (rc != ARTEMIS_OK) fail_msg("close %s: %s", url, err.message);
    assert_string_equal(summary->path, url);
    assert_int_equal(summary->file_bytes, (int64_t)expected.len);
    /* At least one part buffer on top of what the same write to a file holds, less the
     * file sink's own write buffer (WRITE_BUFFER_SIZE in src/publish/file_sink.c). */
    if (summary->memory_peak_bytes < local_peak - (1 << 20) + (int64_t)PART)
      fail_msg("parts_in_flight %d: peak %lld < local peak %lld + part %zu", kInFlight[i],
               (long long)summary->memory_peak_bytes, (long long)local_peak, PART);
    /* ... and at most parts_in_flight of them (plus slack for the part list). */
    assert_true(summary->memory_peak_bytes <= local_peak + (int64_t)(kInFlight[i] * PART) + (1 << 20));
    artemis_write_summary_free(summary);
    assert_object_is(key, &expected);
  }
  assert_int_equal(pending("rt/"), 0);
  free(expected.data);
}

/* abort after two uploaded parts: no object, no pending upload. */
static void test_abort_after_two_parts(void** state) {
  (void)state;
  progress p = {0};
  struct ArrowSchema schema;
  artemis_error err;
  assert_int_equal(artemis_sample_schema(&schema, &err), ARTEMIS_OK);
  artemis_writer_options wo;
  writer_options(&wo, &p);
  artemis_s3_options so = s3_options(1);
  artemis_writer* w = NULL;
  char url[256];
  snprintf(url, sizeof url, "s3://%s/abort/a.parquet", g_bucket);
  assert_int_equal(artemis_writer_open_s3(&w, url, &schema, &wo, &so, &err), ARTEMIS_OK);
  schema.release(&schema);
  artemis_sample* s = sample(3000000, 11);
  /* With one part in flight, parts are uploaded inside write: 2 parts are out once the
   * flushed row groups pass 2 part sizes. */
  while (p.output_bytes < (int64_t)(2 * PART)) assert_int_equal(write_batches(w, s, 1, &err), ARTEMIS_OK);
  artemis_sample_close(s);
  assert_int_equal(pending("abort/"), 1);
  assert_int_equal(fetch("abort/a.parquet", NULL, NULL), 404);
  artemis_writer_abort(w);
  assert_int_equal(fetch("abort/a.parquet", NULL, NULL), 404);
  assert_int_equal(pending("abort/"), 0);
}

/* A memory limit too small for one part: NOMEM at open (the first bytes need the part
 * buffer), the message says the limit, and the upload is gone. */
static void test_limit_below_one_part(void** state) {
  (void)state;
  struct ArrowSchema schema;
  artemis_error err;
  assert_int_equal(artemis_sample_schema(&schema, &err), ARTEMIS_OK);
  artemis_writer_options wo;
  writer_options(&wo, NULL);
  wo.memory_limit_bytes = (int64_t)PART; /* the part, but not the writer's own memory too */
  artemis_s3_options so = s3_options(1);
  artemis_writer* w = NULL;
  char url[256];
  snprintf(url, sizeof url, "s3://%s/tiny/t.parquet", g_bucket);
  int rc = artemis_writer_open_s3(&w, url, &schema, &wo, &so, &err);
  schema.release(&schema);
  assert_int_equal(rc, ARTEMIS_E_NOMEM);
  assert_null(w);
  print_message("      %s\n", err.message);
  assert_non_null(strstr(err.message, "memory limit of 5242880 bytes reached"));
  assert_non_null(strstr(err.message, "part 1"));
  assert_int_equal(fetch("tiny/t.parquet", NULL, NULL), 404);
  assert_int_equal(pending("tiny/"), 0);
}

/* A write that fails later (the limit leaves room for the part but not for a row group)
 * leaves no object and no pending upload. */
static void test_failing_write_aborts(void** state) {
  (void)state;
  struct ArrowSchema schema;
  artemis_error err;
  assert_int_equal(artemis_sample_schema(&schema, &err), ARTEMIS_OK);
  artemis_writer_options wo;
  writer_options(&wo, NULL);
  wo.row_group_target_bytes = 256 << 20;
  wo.memory_limit_bytes = (int64_t)PART + (12 << 20);
  artemis_s3_options so = s3_options(2);
  artemis_writer* w = NULL;
  char url[256];
  snprintf(url, sizeof url, "s3://%s/fail/f.parquet", g_bucket);
  assert_int_equal(artemis_writer_open_s3(&w, url, &schema, &wo, &so, &err), ARTEMIS_OK);
  schema.release(&schema);
  assert_int_equal(pending("fail/"), 1);
  artemis_sample* s = sample(3000000, 13);
  int rc = write_batches(w, s, -1, &err);
  artemis_sample_close(s);
  assert_int_equal(rc, ARTEMIS_E_NOMEM);
  assert_non_null(strstr(err.message, "memory limit of"));
  /* Later calls are refused, and close publishes nothing. */
  assert_int_equal(artemis_writer_close(w, NULL, &err), ARTEMIS_E_STATE);
  assert_int_equal(fetch("fail/f.parquet", NULL, NULL), 404);
  assert_int_equal(pending("fail/"), 0);
}

/* An existing key is never replaced: CONFLICT, the object unchanged, nothing pending. */
static void test_existing_key(void** state) {
  (void)state;
  artemis_s3_options so = s3_options(2);
  artemis_error err;
  /* The first write runs with verify_etag_md5 = 0 (the SSE-KMS setting): it must still
   * publish. moto's ETags are MD5s, so this does not show the check being skipped; case n
   * of tests/s3/s3_test.sh does, with a proxy that falsifies an ETag. */
  so.verify_etag_md5 = 0;
  assert_int_equal(write_s3("exists/e.parquet", 1000, 1, &so, NULL, &err), ARTEMIS_OK);
  so.verify_etag_md5 = 1;
  bytes before = {NULL, 0};
  char etag_before[128], etag_after[128];
  assert_int_equal(fetch("exists/e.parquet", &before, etag_before), 200);
  assert_int_equal(write_s3("exists/e.parquet", 2000, 2, &so, NULL, &err), ARTEMIS_E_CONFLICT);
  assert_non_null(strstr(err.message, "already exists"));
  assert_non_null(strstr(err.message, "412"));
  bytes after = {NULL, 0};
  assert_int_equal(fetch("exists/e.parquet", &after, etag_after), 200);
  assert_string_equal(etag_before, etag_after);
  assert_int_equal(before.len, after.len);
  assert_memory_equal(before.data, after.data, before.len);
  assert_int_equal(pending("exists/"), 0);
  free(before.data);
  free(after.data);
}

/* The reply to CompleteMultipartUpload is lost (test hook: the server completed, the client
 * saw a dropped connection): the retry meets 412 or 404, HeadObject shows our multipart
 * ETag, and close succeeds with the object whole. */
static void test_lost_complete_reply(void** state) {
  (void)state;
  bytes expected = local_reference(400000, 17, NULL);
  artemis_s3_options so = s3_options(2);
  artemis_error err;
  artemis_s3_drop_complete_replies_for_testing(1);
  int rc = write_s3("lost/l.parquet", 400000, 17, &so, NULL, &err);
  artemis_s3_drop_complete_replies_for_testing(0);
  if (rc != ARTEMIS_OK) fail_msg("close after a lost Complete reply: %s", err.message);
  assert_object_is("lost/l.parquet", &expected);
  assert_int_equal(pending("lost/"), 0);
  free(expected.data);

  /* Every reply lost: the retries all see a network error; HeadObject still decides. */
  expected = local_reference(1000, 19, NULL);
  artemis_s3_drop_complete_replies_for_testing(100);
  rc = write_s3("lost/all.parquet", 1000, 19, &so, NULL, &err);
  artemis_s3_drop_complete_replies_for_testing(0);
  if (rc != ARTEMIS_OK) fail_msg("close after all Complete replies lost: %s", err.message);
  assert_object_is("lost/all.parquet", &expected);
  assert_int_equal(pending("lost/"), 0);
  free(expected.data);
}

/* A lost reply on an existing key: the object there is not ours (its ETag differs), so
 * the answer stays CONFLICT and the object is untouched. */
static void test_lost_reply_existing_key(void** state) {
  (void)state;
  artemis_s3_options so = s3_options(1);
  artemis_error err;
  assert_int_equal(write_s3("lostx/x.parquet", 1000, 3, &so, NULL, &err), ARTEMIS_OK);
  char etag_before[128], etag_after[128];
  assert_int_equal(fetch("lostx/x.parquet", NULL, etag_before), 200);
  artemis_s3_drop_complete_replies_for_testing(1);
  int rc = write_s3("lostx/x.parquet", 1000, 4, &so, NULL, &err);
  artemis_s3_drop_complete_replies_for_testing(0);
  assert_int_equal(rc, ARTEMIS_E_CONFLICT);
  print_message("      %s\n", err.message);
  assert_non_null(strstr(err.message, "HeadObject"));
  assert_int_equal(fetch("lostx/x.parquet", NULL, etag_after), 200);
  assert_string_equal(etag_before, etag_after);
  assert_int_equal(pending("lostx/"), 0);
}

static void visit_upload(void* ctx, const artemis_s3_upload* u, artemis_s3_gc_action action) {
  artemis_s3_upload* seen = ctx;
  assert_int_equal(action, ARTEMIS_S3_GC_KEPT);
  *seen = *u;
}

/* gc in list-only mode sees an open writer's upload, with moto's fixed date parsed. */
static void test_gc_lists(void** state) {
  (void)state;
  struct ArrowSchema schema;
  artemis_error err;
  assert_int_equal(artemis_sample_schema(&schema, &err), ARTEMIS_OK);
  artemis_s3_options so = s3_options(1);
  artemis_writer* w = NULL;
  char url[256];
  snprintf(url, sizeof url, "s3://%s/gc/g.parquet", g_bucket);
  assert_int_equal(artemis_writer_open_s3(&w, url, &schema, NULL, &so, &err), ARTEMIS_OK);
  schema.release(&schema);
  char prefix_url[256];
  snprintf(prefix_url, sizeof prefix_url, "s3://%s/gc/", g_bucket);
  artemis_s3_upload seen;
  memset(&seen, 0, sizeof seen);
  int listed = 0, aborted = 0;
  assert_int_equal(artemis_s3_gc(prefix_url, -1, &so, visit_upload, &seen, &listed, &aborted, &err), ARTEMIS_OK);
  assert_int_equal(listed, 1);
  assert_int_equal(aborted, 0);
  assert_string_equal(seen.key, "gc/g.parquet");
  assert_true(seen.upload_id[0] != '\0');
  assert_int_equal(seen.initiated_unix, artemis_s3_parse_iso8601(seen.initiated));
  assert_true(seen.initiated_unix > 0);
  artemis_writer_abort(w);
  assert_int_equal(pending("gc/"), 0);
}

int main(void) {
  g_endpoint = getenv("S3_TEST_ENDPOINT");
  g_bucket = getenv("S3_TEST_BUCKET");
  g_dir = getenv("S3_TEST_DIR");
  if (!g_endpoint || !g_bucket || !g_dir) {
    fprintf(stderr, "SKIP: S3_TEST_ENDPOINT, S3_TEST_BUCKET and S3_TEST_DIR are not set (run s3_writer_test.sh)\n");
    return 77;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_roundtrip_parts_in_flight),
      cmocka_unit_test(test_abort_after_two_parts),
      cmocka_unit_test(test_limit_below_one_part),
      cmocka_unit_test(test_failing_write_aborts),
      cmocka_unit_test(test_existing_key),
      cmocka_unit_test(test_lost_complete_reply),
      cmocka_unit_test(test_lost_reply_existing_key),
      cmocka_unit_test(test_gc_lists),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  curl_global_cleanup();
  return failed;
}
