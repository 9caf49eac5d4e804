/* `artemis-write s3-gc s3://BUCKET/PREFIX --older-than DURATION`: lists the pending multipart
 * uploads under PREFIX and aborts those older than DURATION. A writer killed mid-upload (or
 * one whose abort failed) leaves such an upload: invisible as an object, but its parts are
 * stored and billed until aborted. The bucket's AbortIncompleteMultipartUpload lifecycle rule
 * is the backstop; this is the on-demand janitor. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* 1: *out set; 0: not a duration; -1: a duration too large for int64 seconds (*limit is the
 * largest count accepted with that unit). */
static int parse_duration(const char* text, int64_t* out, long long* limit) {
  if (!isdigit((unsigned char)text[0])) return 0; /* no sign, no leading space */
  char* end = NULL;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (end == text) return 0;
  int64_t unit = 1;
  if (!strcmp(end, "") || !strcmp(end, "s")) unit = 1;
  else if (!strcmp(end, "m")) unit = 60;
  else if (!strcmp(end, "h")) unit = 3600;
  else if (!strcmp(end, "d")) unit = 86400;
  else return 0;
  /* strtoll saturates at LLONG_MAX with ERANGE; v * unit must fit too. */
  *limit = (long long)(INT64_MAX / unit);
  if (errno == ERANGE || v > *limit) return -1;
  *out = (int64_t)v * unit;
  return 1;
}

static void print_upload(void* ctx, const artemis_s3_upload* u, artemis_s3_gc_action action) {
  (void)ctx;
  const char* what = action == ARTEMIS_S3_GC_ABORTED ? "aborted" : action == ARTEMIS_S3_GC_ABORT_FAILED ? "ABORT FAILED" : "kept";
  printf("%s\t%s\t%s\t%s\n", what, u->initiated, u->key, u->upload_id);
}

int cli_s3_gc_command(int argc, char** argv) {
  const char* url = NULL;
  const char* endpoint = NULL;
  int64_t older_than = -2;
  int dry_run = 0;
  for (int i = 1; i < argc; i++) {
    const char* a = argv[i];
    if (!strcmp(a, "--older-than") && i + 1 < argc) {
      long long limit = 0;
      int parsed = parse_duration(argv[++i], &older_than, &limit);
      if (parsed == 0) {
        fprintf(stderr, "artemis-write: s3-gc: --older-than needs a duration like 90s, 30m, 1h, 2d; got \"%s\"\n", argv[i]);
        return EXIT_USAGE;
      }
      if (parsed < 0) {
        const char* unit = argv[i] + strspn(argv[i], "0123456789");
        fprintf(stderr, "artemis-write: s3-gc: --older-than \"%s\" is too large: at most %lld%s\n", argv[i], limit, unit);
        return EXIT_USAGE;
      }
    } else if (!strcmp(a, "--s3-endpoint") && i + 1 < argc) {
      endpoint = argv[++i];
    } else if (!strcmp(a, "--dry-run")) {
      dry_run = 1;
    } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      puts("usage: artemis-write s3-gc s3://BUCKET/PREFIX --older-than DURATION [--s3-endpoint URL] [--dry-run]\n"
           "Aborts the pending multipart uploads under PREFIX initiated more than DURATION (90s, 30m,\n"
           "1h, 2d) ago. Prints one line per pending upload: aborted|kept|ABORT FAILED, initiated,\n"
           "key, upload id. Exit 0, or 4 when listing or an abort failed.");
      return 0;
    } else if (a[0] != '-' && !url) {
      url = a;
    } else {
      fprintf(stderr, "artemis-write: s3-gc: unexpected argument %s (see s3-gc --help)\n", a);
      return EXIT_USAGE;
    }
  }
  if (!url || older_than == -2) {
    fprintf(stderr, "artemis-write: s3-gc: needs s3://BUCKET/PREFIX and --older-than DURATION\n");
    return EXIT_USAGE;
  }
  artemis_error err;
  artemis_error_clear(&err);
  artemis_s3_options so;
  artemis_s3_options_init(&so);
  so.endpoint = endpoint;
  int listed = 0, aborted = 0;
  int status = artemis_s3_gc(url, dry_run ? -1 : older_than, &so, print_upload, NULL, &listed, &aborted, &err);
  /* A build without S3 is a configuration problem, not bad input. */
  if (status == ARTEMIS_E_UNSUPPORTED) {
    cli_fail("s3-gc", status, &err);
    return EXIT_USAGE;
  }
  fprintf(stderr, "artemis-write: s3-gc: %d pending upload(s) under %s, %d aborted\n", listed, url, aborted);
  if (status != ARTEMIS_OK) return cli_fail("s3-gc", status, &err);
  return 0;
}
