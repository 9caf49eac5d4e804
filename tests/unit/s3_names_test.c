/* The S3 pieces that need no server (src/publish/s3_names.c): ListMultipartUploads dates,
 * the gc age rule, bucket/key/prefix rules, option defaults; and, in a build without
 * ARTEMIS_WITH_S3, that the public S3 functions exist and refuse with UNSUPPORTED.
 * moto stamps every upload "2010-11-10T20:48:33.000Z", so the age rule cannot be tested
 * against it: it is tested here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "artemis/artemis.h"
#include "publish/sink.h"

static void test_iso8601_valid(void** state) {
  (void)state;
  assert_int_equal(artemis_s3_parse_iso8601("1970-01-01T00:00:00Z"), 0);
  assert_int_equal(artemis_s3_parse_iso8601("2010-11-10T20:48:33.000Z"), 1289422113);
  assert_int_equal(artemis_s3_parse_iso8601("2010-11-10T20:48:33Z"), 1289422113);
  assert_int_equal(artemis_s3_parse_iso8601("2010-11-10T20:48:33.123456789Z"), 1289422113);
  /* Zones: the same instant written three ways. */
  assert_int_equal(artemis_s3_parse_iso8601("2010-11-10T22:48:33+02:00"), 1289422113);
  assert_int_equal(artemis_s3_parse_iso8601("2010-11-10T15:18:33-0530"), 1289422113);
  /* Leap days and year ends. */
  assert_int_equal(artemis_s3_parse_iso8601("2024-02-29T12:00:00Z"), 1709208000);
  assert_int_equal(artemis_s3_parse_iso8601("2000-02-29T00:00:00Z"), 951782400);
  assert_int_equal(artemis_s3_parse_iso8601("2025-12-31T23:59:59Z"), 1767225599);
  assert_int_equal(artemis_s3_parse_iso8601("2038-01-19T03:14:08Z"), 2147483648LL); /* past 32 bits */
  assert_int_equal(artemis_s3_parse_iso8601("2026-01-01t00:00:00z"), 1767225600);
}

static void test_iso8601_invalid(void** state) {
  (void)state;
  static const char* const kBad[] = {
      NULL, "", "2010-11-10", "2010-11-10T20:48:33",       /* no zone: unknown local time */
      "2010-13-10T20:48:33Z",                               /* month */
      "2010-11-31T20:48:33Z",                               /* November has 30 days */
      "2023-02-29T00:00:00Z",                               /* not a leap year */
      "1900-02-29T00:00:00Z",                               /* not a leap year either */
      "2010-11-10T24:00:00Z", "2010-11-10T20:60:00Z", "2010-11-10 20:48:33Z", "2010-11-10T20:48:33.Z",
      "2010-11-10T20:48:33Zjunk", " 2010-11-10T20:48:33Z", "+010-11-10T20:48:33Z", "2010-1-10T20:48:33Z",
      "2010-11-10T20:48:33+2:00", "2010-11-10T20:48:33+24:00", "1969-12-31T23:59:59Z", /* before the epoch */
      "garbage"};
  for (size_t i = 0; i < sizeof kBad / sizeof kBad[0]; i++) {
    if (artemis_s3_parse_iso8601(kBad[i]) != -1) fail_msg("'%s' parsed", kBad[i] ? kBad[i] : "(null)");
  }
}

static void test_gc_age_rule(void** state) {
  (void)state;
  int64_t now = 1767225600; /* 2026-01-01 */
  int64_t hour_ago = now - 3600;
  /* "older than" is strict. */
  assert_int_equal(artemis_s3_gc_should_abort(3600, hour_ago, now), 0);
  assert_int_equal(artemis_s3_gc_should_abort(3599, hour_ago, now), 1);
  assert_int_equal(artemis_s3_gc_should_abort(0, hour_ago, now), 1);
  assert_int_equal(artemis_s3_gc_should_abort(0, now, now), 0);
  /* An upload from the future (clock skew) is young. */
  assert_int_equal(artemis_s3_gc_should_abort(0, now + 60, now), 0);
  /* List only, and unknown dates, never abort. */
  assert_int_equal(artemis_s3_gc_should_abort(-1, 0, now), 0);
  assert_int_equal(artemis_s3_gc_should_abort(0, -1, now), 0);
  /* moto's fixed date is old for any sensible limit: why --older-than 1h aborts there. */
  int64_t moto = artemis_s3_parse_iso8601("2010-11-10T20:48:33.000Z");
  assert_int_equal(artemis_s3_gc_should_abort(3600, moto, now), 1);
  assert_int_equal(artemis_s3_gc_should_abort(30LL * 365 * 86400, moto, now), 0);
}

static void test_names(void** state) {
  (void)state;
  artemis_error err;
  assert_int_equal(artemis_s3_check_location("archive", "data/2026/f.parquet", &err), ARTEMIS_OK);
  assert_int_equal(artemis_s3_check_location("ab", "k", &err), ARTEMIS_E_INVALID_ARGUMENT);
  assert_int_equal(artemis_s3_check_location("Archive", "k", &err), ARTEMIS_E_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "character 1"));
  assert_int_equal(artemis_s3_check_location("archive", "a b", &err), ARTEMIS_E_INVALID_ARGUMENT);
  assert_non_null(strstr(err.message, "0x20 at position 2"));
  assert_int_equal(artemis_s3_check_location("archive", "a//b", &err), ARTEMIS_E_INVALID_ARGUMENT);
  assert_int_equal(artemis_s3_check_location("archive", "a/../b", &err), ARTEMIS_E_INVALID_ARGUMENT);
  assert_int_equal(artemis_s3_check_location("archive", "dir/", &err), ARTEMIS_E_INVALID_ARGUMENT);

  char bucket[64], prefix[128];
  assert_int_equal(artemis_s3_parse_prefix_url("s3://archive/data/", bucket, sizeof bucket, prefix, sizeof prefix, &err),
                   ARTEMIS_OK);
  assert_string_equal(bucket, "archive");
  assert_string_equal(prefix, "data/");
  assert_int_equal(artemis_s3_parse_prefix_url("s3://archive", bucket, sizeof bucket, prefix, sizeof prefix, &err),
                   ARTEMIS_OK);
  assert_string_equal(prefix, "");
  assert_int_equal(artemis_s3_parse_prefix_url("s3://archive/a b", bucket, sizeof bucket, prefix, sizeof prefix, &err),
                   ARTEMIS_E_INVALID_ARGUMENT);
  assert_int_equal(artemis_s3_parse_prefix_url("http://archive/", bucket, sizeof bucket, prefix, sizeof prefix, &err),
                   ARTEMIS_E_INVALID_ARGUMENT);
  assert_int_equal(artemis_s3_split_url("s3://archive/k", bucket, 4, prefix, sizeof prefix, &err),
                   ARTEMIS_E_INVALID_ARGUMENT);
}

static void test_options_init(void** state) {
  (void)state;
  artemis_s3_options o;
  memset(&o, 0x5a, sizeof o);
  artemis_s3_options_init(&o);
  assert_int_equal(o.version, ARTEMIS_S3_OPTIONS_VERSION);
  assert_null(o.endpoint);
  assert_null(o.access_key_id);
  assert_int_equal(o.part_size, ARTEMIS_S3_DEFAULT_PART_SIZE);
  assert_int_equal(o.parts_in_flight, 1);
  assert_int_equal(o.verify_etag_md5, 1);
  artemis_s3_options_init(NULL);
}

/* Either build: parse_url works with S3 support, and says why not without it. */
static void test_public_entry_points(void** state) {
  (void)state;
  artemis_error err;
  char bucket[64], key[128];
  int rc = artemis_s3_parse_url("s3://archive/data/f.parquet", bucket, sizeof bucket, key, sizeof key, &err);
  struct ArrowSchema schema;
  assert_int_equal(artemis_sample_schema(&schema, &err), ARTEMIS_OK);
  artemis_writer* w = (artemis_writer*)&w; /* must be reset to NULL on failure */
  if (rc == ARTEMIS_E_UNSUPPORTED) {
    assert_non_null(strstr(err.message, "built without S3 support"));
    assert_int_equal(artemis_writer_open_s3(&w, "s3://archive/f", &schema, NULL, NULL, &err), ARTEMIS_E_UNSUPPORTED);
    assert_null(w);
    assert_non_null(strstr(err.message, "built without S3 support"));
    int listed = 7;
    assert_int_equal(artemis_s3_gc("s3://archive/", 0, NULL, NULL, NULL, &listed, NULL, &err), ARTEMIS_E_UNSUPPORTED);
    assert_int_equal(listed, 0);
  } else {
    assert_int_equal(rc, ARTEMIS_OK);
    assert_string_equal(bucket, "archive");
    assert_string_equal(key, "data/f.parquet");
    /* Refused before any request, so no server is needed. */
    assert_int_equal(artemis_writer_open_s3(&w, "s3://archive/a b", &schema, NULL, NULL, &err),
                     ARTEMIS_E_INVALID_ARGUMENT);
    assert_null(w);
    artemis_s3_options so;
    artemis_s3_options_init(&so);
    so.part_size = 1 << 20;
    assert_int_equal(artemis_writer_open_s3(&w, "s3://archive/k", &schema, NULL, &so, &err), ARTEMIS_E_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "part size"));
    artemis_s3_options_init(&so);
    so.version = 0;
    assert_int_equal(artemis_writer_open_s3(&w, "s3://archive/k", &schema, NULL, &so, &err), ARTEMIS_E_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "artemis_s3_options_init"));
    artemis_s3_options_init(&so);
    so.parts_in_flight = -1;
    assert_int_equal(artemis_writer_open_s3(&w, "s3://archive/k", &schema, NULL, &so, &err), ARTEMIS_E_INVALID_ARGUMENT);
    artemis_s3_options_init(&so);
    so.access_key_id = "";
    so.secret_access_key = "";
    assert_int_equal(artemis_writer_open_s3(&w, "s3://archive/k", &schema, NULL, &so, &err), ARTEMIS_E_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "no credentials"));
    assert_null(w);
  }
  schema.release(&schema);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_iso8601_valid),        cmocka_unit_test(test_iso8601_invalid),
      cmocka_unit_test(test_gc_age_rule),          cmocka_unit_test(test_names),
      cmocka_unit_test(test_options_init),         cmocka_unit_test(test_public_entry_points),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
