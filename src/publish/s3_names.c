/* The parts of the S3 support that need neither libcurl nor OpenSSL: option defaults, the
 * name rules, the dates of ListMultipartUploads and the gc age rule. Built in every
 * configuration, so that their unit tests also run in an ARTEMIS_WITH_S3=OFF build. */
#include <ctype.h>
#include <string.h>

#include "core/errors.h"
#include "publish/sink.h"

#define MAX_KEY_LEN 1024

void artemis_s3_options_init(artemis_s3_options* options) {
  if (!options) return;
  memset(options, 0, sizeof *options);
  options->version = ARTEMIS_S3_OPTIONS_VERSION;
  options->part_size = ARTEMIS_S3_DEFAULT_PART_SIZE;
  options->parts_in_flight = 1;
  options->max_attempts = 5;
  options->timeout_seconds = 60;
  options->verify_etag_md5 = 1;
}

static int bucket_ok(const char* bucket, artemis_error* error) {
  size_t bl = strlen(bucket);
  if (bl < 3 || bl > 63) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "s3: bucket name '%.100s' must be 3 to 63 characters",
                             bucket);
  }
  for (size_t i = 0; i < bl; i++) {
    char c = bucket[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) {
      return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                               "s3: bucket name '%s' may only contain a-z, 0-9, '.' and '-' (character %zu)", bucket, i + 1);
    }
  }
  return ARTEMIS_OK;
}

static int key_char_ok(char c) { return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '/' || c == '-'; }

int artemis_s3_check_location(const char* bucket, const char* key, artemis_error* error) {
  if (!bucket || !key) return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "s3: NULL bucket or key");
  ARTEMIS_RETURN_NOT_OK(bucket_ok(bucket, error));
  size_t kl = strlen(key);
  if (kl == 0 || kl > MAX_KEY_LEN) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "s3: key of bucket '%s' must be 1 to %d bytes long (got %zu)",
                             bucket, MAX_KEY_LEN, kl);
  }
  for (size_t i = 0; i < kl; i++) {
    if (!key_char_ok(key[i])) {
      return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                               "s3: key '%.200s' has character 0x%02x at position %zu; keys are restricted to "
                               "[A-Za-z0-9._/-] (libcurl 7.88 signs only paths that need no %%-escaping)",
                               key, (unsigned)(unsigned char)key[i], i + 1);
    }
  }
  /* No empty segment ("//", leading or trailing '/'), no "." or "..": curl would normalise
   * those away and sign a different path. */
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

int artemis_s3_split_url(const char* url, char* bucket, size_t bucket_size, char* key, size_t key_size,
                         artemis_error* error) {
  if (!url || !bucket || !key || bucket_size == 0 || key_size == 0) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "s3: NULL URL or output buffer");
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
  memcpy(key, k, strlen(k) + 1);
  return ARTEMIS_OK;
}

int artemis_s3_parse_prefix_url(const char* url, char* bucket, size_t bucket_size, char* prefix, size_t prefix_size,
                                artemis_error* error) {
  ARTEMIS_RETURN_NOT_OK(artemis_s3_split_url(url, bucket, bucket_size, prefix, prefix_size, error));
  ARTEMIS_RETURN_NOT_OK(bucket_ok(bucket, error));
  for (size_t i = 0; prefix[i]; i++) {
    if (!key_char_ok(prefix[i])) {
      return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                               "s3: prefix '%.200s' has character 0x%02x at position %zu; prefixes are restricted to "
                               "[A-Za-z0-9._/-]",
                               prefix, (unsigned)(unsigned char)prefix[i], i + 1);
    }
  }
  if (strlen(prefix) > MAX_KEY_LEN) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "s3: prefix of %zu bytes is longer than a key can be",
                             strlen(prefix));
  }
  return ARTEMIS_OK;
}

/* Reads exactly `n` digits. */
static int digits(const char** p, int n, int* out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!isdigit((unsigned char)(*p)[i])) return 0;
    v = v * 10 + ((*p)[i] - '0');
  }
  *p += n;
  *out = v;
  return 1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil):
 * timegm() is not in C11 and would consult the environment. */
static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

int64_t artemis_s3_parse_iso8601(const char* text) {
  if (!text) return -1;
  const char* p = text;
  int y, mo, d, h, mi, s;
  if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' || !digits(&p, 2, &d)) return -1;
  if (*p != 'T' && *p != 't') return -1;
  p++;
  if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) || *p++ != ':' || !digits(&p, 2, &s)) return -1;
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60) return -1;
  if (*p == '.') {
    p++;
    if (!isdigit((unsigned char)*p)) return -1;
    while (isdigit((unsigned char)*p)) p++; /* the age rule works in whole seconds */
  }
  int64_t zone = 0;
  if (*p == 'Z' || *p == 'z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    int sign = *p++ == '-' ? -1 : 1;
    int zh, zm;
    if (!digits(&p, 2, &zh)) return -1;
    if (*p == ':') p++;
    if (!digits(&p, 2, &zm) || zh > 23 || zm > 59) return -1;
    zone = sign * (int64_t)(zh * 3600 + zm * 60);
  } else {
    return -1; /* no zone: local time of an unknown place */
  }
  if (*p) return -1;
  int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - zone;
  return t >= 0 ? t : -1;
}

int artemis_s3_gc_should_abort(int64_t older_than_seconds, int64_t initiated_unix, int64_t now) {
  if (older_than_seconds < 0 || initiated_unix < 0) return 0;
  return now - initiated_unix > older_than_seconds;
}
