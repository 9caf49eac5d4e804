/* The "floor" row of bench/run.sh: what zstd level 3 alone costs on one core.
 *
 *   zstd-floor FILE [CHUNK_BYTES] [LEVEL]        (defaults: 1048576, 3)
 *
 * FILE is artemis-write's output for the same data with --compression none and the same
 * preset, i.e. the encoded (but uncompressed) page bytes the writer hands to zstd. The
 * file is read into memory first (untimed); then it is compressed chunk by chunk with
 * ZSTD_compressCCtx at LEVEL, one reused context, on this thread only, and the time of
 * that loop alone is reported. bench/run.sh passes the file's average data-page size as
 * CHUNK_BYTES, so each call compresses about one page, as the writer does (one call per
 * page; `zstd -3 --single-thread` over the whole file would instead compress one long
 * stream with a window spanning pages, which is neither the writer's work nor its ratio).
 * The footer and page headers are compressed too (a few KB: noise).
 *
 * Output, one JSON line: {"seconds":S,"input_bytes":N,"output_bytes":M,"chunks":K,...}
 * seconds = CPU-bound compression time (CLOCK_MONOTONIC around the loop). Peak RSS of the
 * process includes the whole input file.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zstd.h>

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
  if (argc < 2 || argc > 4) {
    fprintf(stderr, "usage: %s FILE [CHUNK_BYTES] [LEVEL]\n", argv[0]);
    return 1;
  }
  long long chunk = argc > 2 ? atoll(argv[2]) : 1048576;
  int level = argc > 3 ? atoi(argv[3]) : 3;
  if (chunk <= 0 || level < 1 || level > ZSTD_maxCLevel()) {
    fprintf(stderr, "zstd-floor: bad CHUNK_BYTES or LEVEL\n");
    return 1;
  }
  FILE* f = fopen(argv[1], "rb");
  if (!f) {
    fprintf(stderr, "zstd-floor: %s: %s\n", argv[1], strerror(errno));
    return 2;
  }
  if (fseek(f, 0, SEEK_END) != 0) return 2;
  long long size = ftell(f);
  if (size < 0 || fseek(f, 0, SEEK_SET) != 0) return 2;
  unsigned char* in = malloc(size > 0 ? (size_t)size : 1);
  size_t cap = ZSTD_compressBound((size_t)chunk);
  unsigned char* out = malloc(cap);
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  if (!in || !out || !cctx) {
    fprintf(stderr, "zstd-floor: out of memory\n");
    return 4;
  }
  if (fread(in, 1, (size_t)size, f) != (size_t)size) {
    fprintf(stderr, "zstd-floor: %s: short read\n", argv[1]);
    return 2;
  }
  fclose(f);

  unsigned long long total = 0, chunks = 0;
  double t0 = now_seconds();
  for (long long at = 0; at < size; at += chunk) {
    size_t n = (size_t)(size - at < chunk ? size - at : chunk);
    size_t r = ZSTD_compressCCtx(cctx, out, cap, in + at, n, level);
    if (ZSTD_isError(r)) {
      fprintf(stderr, "zstd-floor: %s\n", ZSTD_getErrorName(r));
      return 4;
    }
    total += r;
    chunks++;
  }
  double seconds = now_seconds() - t0;
  printf("{\"seconds\":%.6f,\"input_bytes\":%lld,\"output_bytes\":%llu,\"chunks\":%llu,\"chunk_bytes\":%lld,"
         "\"level\":%d,\"zstd\":\"%s\"}\n",
         seconds, size, total, chunks, chunk, level, ZSTD_versionString());
  ZSTD_freeCCtx(cctx);
  free(out);
  free(in);
  return 0;
}
