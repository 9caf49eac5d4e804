/* acceptance.memory_10m: the writer's memory stays bounded by the row-group target during a
 * 10,000,000-row streaming write: at most 1.5 x 128 MiB = 192 MiB, measured two ways:
 *   - jemalloc's mallctl("stats.resident") (the briefing's jemalloc-ctl stats::resident),
 *     sampled before and after every artemis_writer_write() call (with "epoch" refreshed).
 *     stats.resident counts dirty pages jemalloc keeps for reuse, so malloc_conf sets
 *     dirty_decay_ms:0,muzzy_decay_ms:0 (freed pages are returned at once) and stats.active
 *     (pages in live allocations) and stats.allocated are reported beside it;
 *   - the process's peak RSS, VmHWM from /proc/self/status, at the end (it includes the
 *     program, the libraries, the generator and the batch in flight).
 * The batches come from the generator one at a time (65,536 rows each) and each is released
 * right after its write call: nothing is retained.
 * Sanity checks that the measurement is real: malloc_conf took effect (opt.dirty_decay_ms
 * = 0), and at every boundary jemalloc's allocated bytes cover the writer's own count of the
 * bytes it holds (artemis_writer_memory), i.e. the writer's allocations go through jemalloc.
 *
 * Built without jemalloc (the ASan build: ASan owns malloc), it reports SKIPPED with the
 * reason and exits 77 (CTest SKIP_RETURN_CODE).
 * usage: acceptance_memory_10m OUTPUT_DIR [ROWS] [--retain]
 *   --retain keeps every batch alive until the end (a caller that materializes its input):
 *            a manual negative control, the test must then FAIL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "acceptance.h"

#ifndef ACC_HAVE_JEMALLOC

int main(void) {
#ifdef ACC_SANITIZER_BUILD
  printf("SKIPPED: sanitizer build: AddressSanitizer owns malloc, so jemalloc cannot be the allocator and "
         "stats.resident cannot be measured; the release build runs this test\n");
  return 77;
#else
  printf("FAIL: built without jemalloc (install libjemalloc-dev: scripts/install-deps.sh)\n");
  return 1;
#endif
}

#else

#include <jemalloc/jemalloc.h>

/* Read by jemalloc at startup: give freed pages back immediately, so stats.resident tracks
 * what is in use rather than what jemalloc keeps cached. */
const char* malloc_conf = "dirty_decay_ms:0,muzzy_decay_ms:0";

typedef struct je_stats {
  size_t resident, active, allocated, mapped;
} je_stats;

static size_t je_size(const char* name) {
  size_t v = 0, sz = sizeof v;
  if (mallctl(name, &v, &sz, NULL, 0) != 0) acc_fail("mallctl(\"%s\") failed: is jemalloc the allocator?", name);
  return v;
}

static je_stats read_je(void) {
  uint64_t epoch = 1;
  size_t sz = sizeof epoch;
  if (mallctl("epoch", &epoch, &sz, &epoch, sz) != 0) acc_fail("mallctl(\"epoch\") failed");
  je_stats s = {je_size("stats.resident"), je_size("stats.active"), je_size("stats.allocated"), je_size("stats.mapped")};
  return s;
}

static int64_t proc_status_kib(const char* key) {
  FILE* f = fopen("/proc/self/status", "r");
  if (!f) acc_fail("cannot read /proc/self/status");
  char line[256];
  int64_t v = -1;
  size_t n = strlen(key);
  while (fgets(line, sizeof line, f))
    if (!strncmp(line, key, n) && line[n] == ':') v = atoll(line + n + 1);
  fclose(f);
  if (v < 0) acc_fail("no %s in /proc/self/status", key);
  return v;
}

#define MiB(x) ((double)(x) / 1048576.0)

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s OUTPUT_DIR [ROWS]\n", argv[0]);
    return 2;
  }
  int64_t rows = argc > 2 ? atoll(argv[2]) : 10000000;
  int retain = argc > 3 && !strcmp(argv[3], "--retain");
  struct ArrowArray* retained = retain ? calloc((size_t)(rows / 65536 + 2), sizeof *retained) : NULL;
  const int64_t target = 128ll << 20;
  const double limit = 1.5 * (double)target;
  mkdir(argv[1], 0777);
  char path[4096];
  snprintf(path, sizeof path, "%s/memory10m.parquet", argv[1]);
  acc_remove_outputs(path);

  const char* version = NULL;
  size_t vsz = sizeof version;
  if (mallctl("version", &version, &vsz, NULL, 0) != 0) acc_fail("mallctl(\"version\") failed: jemalloc is not the allocator");
  ssize_t decay = -1;
  size_t dsz = sizeof decay;
  if (mallctl("opt.dirty_decay_ms", &decay, &dsz, NULL, 0) != 0 || decay != 0)
    acc_fail("malloc_conf not applied: opt.dirty_decay_ms = %zd", decay);
  printf("jemalloc %s, opt.dirty_decay_ms=%zd\n", version, decay);

  struct ArrowSchema schema;
  acc_canonical_schema(&schema);
  artemis_sample* sample = acc_open_sample(rows);
  artemis_error err;
  int rc;
  je_stats before = read_je();
  int64_t rss_before = proc_status_kib("VmRSS");

  artemis_writer_options o;
  artemis_writer_options_init(&o);
  artemis_writer_options_use_artemis_preset(&o);
  o.row_group_target_bytes = target;
  int flushes = 0;
  artemis_writer* w;
  rc = artemis_writer_open(&w, path, &schema, &o, &err);
  if (rc) acc_die(path, rc, &err);

  je_stats peak = {0, 0, 0, 0};
  int64_t peak_writer_live = 0, peak_rss = 0, boundaries = 0, batches = 0, generated = 0;
  double t0 = acc_now();
#define SAMPLE()                                                                                        \
  do {                                                                                                  \
    je_stats s_ = read_je();                                                                            \
    int64_t live_, wpeak_;                                                                              \
    artemis_writer_memory(w, &live_, &wpeak_);                                                          \
    if ((int64_t)s_.allocated < live_)                                                                  \
      acc_fail("jemalloc stats.allocated %zu < the writer's live %lld bytes: the writer's memory is not " \
               "allocated through jemalloc", s_.allocated, (long long)live_);                           \
    if (s_.resident > peak.resident) peak.resident = s_.resident;                                       \
    if (s_.active > peak.active) peak.active = s_.active;                                               \
    if (s_.allocated > peak.allocated) peak.allocated = s_.allocated;                                   \
    if (s_.mapped > peak.mapped) peak.mapped = s_.mapped;                                               \
    if (live_ > peak_writer_live) peak_writer_live = live_;                                             \
    int64_t rss_ = proc_status_kib("VmRSS") * 1024;                                                     \
    if (rss_ > peak_rss) peak_rss = rss_;                                                               \
    boundaries++;                                                                                       \
  } while (0)

  struct ArrowArray batch;
  while ((rc = artemis_sample_next(sample, &batch, &err)) == ARTEMIS_OK) {
    generated += batch.length;
    SAMPLE();
    rc = artemis_writer_write(w, &batch, &err);
    if (rc) acc_die(path, rc, &err);
    SAMPLE();
    if (retain) retained[batches] = batch;
    else batch.release(&batch); /* dropped: nothing retained */
    batches++;
    if (batches % 16 == 0) {
      je_stats s = read_je();
      printf("  after %9lld rows: resident %7.1f MiB  active %7.1f MiB  allocated %7.1f MiB\n", (long long)generated,
             MiB(s.resident), MiB(s.active), MiB(s.allocated));
    }
  }
  if (rc != ARTEMIS_E_END_OF_STREAM) acc_die("artemis_sample_next", rc, &err);
  int64_t wlive, wpeak;
  artemis_writer_memory(w, &wlive, &wpeak);
  artemis_write_summary* s;
  rc = artemis_writer_close(w, &s, &err);
  if (rc) acc_die(path, rc, &err);
  flushes = (int)s->row_groups;
  int64_t hwm = proc_status_kib("VmHWM") * 1024;
  double secs = acc_now() - t0;

  printf("\n%lld rows in %lld batches (%lld write-call boundaries sampled), %d row groups, %lld bytes, %.1f s\n",
         (long long)generated, (long long)batches, (long long)boundaries, flushes, (long long)s->file_bytes, secs);
  printf("row-group target %.0f MiB, limit 1.5x = %.0f MiB\n", MiB(target), MiB(limit));
  printf("before open:        resident %7.1f MiB  active %7.1f MiB  allocated %7.1f MiB  VmRSS %7.1f MiB\n",
         MiB(before.resident), MiB(before.active), MiB(before.allocated), MiB(rss_before * 1024));
  printf("peak at boundaries: resident %7.1f MiB  active %7.1f MiB  allocated %7.1f MiB  mapped %7.1f MiB  VmRSS %7.1f MiB\n",
         MiB(peak.resident), MiB(peak.active), MiB(peak.allocated), MiB(peak.mapped), MiB(peak_rss));
  printf("writer's own count: peak live at boundaries %7.1f MiB, peak anywhere (inside flushes) %7.1f MiB\n",
         MiB(peak_writer_live), MiB(wpeak));
  printf("process VmHWM (peak RSS, whole run): %7.1f MiB\n", MiB(hwm));
  artemis_write_summary_free(s);
  for (int64_t b = 0; retain && b < batches; b++) retained[b].release(&retained[b]);
  free(retained);
  artemis_sample_close(sample);
  schema.release(&schema);
  remove(path);

  int failed = 0;
  if (generated != rows) {
    printf("FAIL: generated %lld rows, expected %lld\n", (long long)generated, (long long)rows);
    failed = 1;
  }
  if ((double)peak.resident > limit) {
    printf("FAIL: jemalloc stats.resident peak %.1f MiB > %.0f MiB\n", MiB(peak.resident), MiB(limit));
    failed = 1;
  }
  if ((double)hwm > limit) {
    printf("FAIL: VmHWM %.1f MiB > %.0f MiB\n", MiB(hwm), MiB(limit));
    failed = 1;
  }
  if (!failed)
    printf("PASS: resident peak %.1f MiB and VmHWM %.1f MiB <= %.0f MiB (1.5 x the 128 MiB target)\n", MiB(peak.resident),
           MiB(hwm), MiB(limit));
  return failed;
}

#endif
