/* writer-memory-probe: writes the canonical telemetry like `artemis-write --sample N` and
 * reports the writer's own memory: every allocation of the writer goes through a counting
 * allocator (options.allocator), so the peak covers open, every write, every row-group
 * flush and close (footer, page index, publish). Also prints the process's VmHWM, which
 * additionally counts the generator's batches, the C library and allocator slack.
 *
 * Used by bench/row_group_sweep.sh for docs/row-group-decision.md.
 *
 * usage: writer-memory-probe --sample N --row-group-bytes BYTES -o OUT.parquet
 *                            [--sample-order time|payload] [--preset artemis|measured|none]
 * Prints one JSON object on stdout. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "artemis/artemis.h"

typedef struct counting {
  int64_t live, peak, calls;
} counting;

/* 16-byte header keeps the alignment malloc gives. */
#define HDR 16

static void* c_alloc(void* ctx, size_t n) {
  counting* c = ctx;
  unsigned char* p = malloc(n + HDR);
  if (!p) return NULL;
  memcpy(p, &n, sizeof n);
  c->live += (int64_t)n;
  c->calls++;
  if (c->live > c->peak) c->peak = c->live;
  return p + HDR;
}

static void c_free(void* ctx, void* ptr) {
  if (!ptr) return;
  counting* c = ctx;
  unsigned char* p = (unsigned char*)ptr - HDR;
  size_t n;
  memcpy(&n, p, sizeof n);
  c->live -= (int64_t)n;
  free(p);
}

static void* c_realloc(void* ctx, void* ptr, size_t n) {
  counting* c = ctx;
  if (!ptr) return c_alloc(ctx, n);
  unsigned char* p = (unsigned char*)ptr - HDR;
  size_t old;
  memcpy(&old, p, sizeof old);
  unsigned char* q = realloc(p, n + HDR);
  if (!q) return NULL;
  memcpy(q, &n, sizeof n);
  c->live += (int64_t)n - (int64_t)old;
  c->calls++;
  if (c->live > c->peak) c->peak = c->live;
  return q + HDR;
}

static long vm_hwm_kib(void) {
  FILE* f = fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  long v = -1;
  while (fgets(line, sizeof line, f))
    if (!strncmp(line, "VmHWM:", 6)) v = strtol(line + 6, NULL, 10);
  fclose(f);
  return v;
}

static int die(const char* what, const artemis_error* e) {
  fprintf(stderr, "writer-memory-probe: %s: %s\n", what, e->message);
  return 1;
}

int main(int argc, char** argv) {
  int64_t rows = -1, target = 128ll << 20;
  const char* out = NULL;
  int order = ARTEMIS_SAMPLE_TIME_ORDER;
  const char* preset = "artemis";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--sample")) rows = strtoll(argv[i + 1], NULL, 10);
    else if (!strcmp(argv[i], "--row-group-bytes")) target = strtoll(argv[i + 1], NULL, 10);
    else if (!strcmp(argv[i], "-o")) out = argv[i + 1];
    else if (!strcmp(argv[i], "--sample-order")) order = !strcmp(argv[i + 1], "payload") ? ARTEMIS_SAMPLE_PAYLOAD_GROUPED : ARTEMIS_SAMPLE_TIME_ORDER;
    else if (!strcmp(argv[i], "--preset")) preset = argv[i + 1];
    else {
      fprintf(stderr, "writer-memory-probe: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (rows < 0 || !out || target <= 0) {
    fprintf(stderr, "usage: writer-memory-probe --sample N --row-group-bytes BYTES -o OUT [--sample-order time|payload] [--preset artemis|measured|none]\n");
    return 2;
  }
  counting cnt = {0, 0, 0};
  artemis_allocator alloc = {c_alloc, c_realloc, c_free, &cnt};
  artemis_writer_options wo;
  artemis_writer_options_init(&wo);
  wo.row_group_target_bytes = target;
  wo.allocator = &alloc;
  if (!strcmp(preset, "artemis")) artemis_writer_options_use_artemis_preset(&wo);
  else if (!strcmp(preset, "measured")) artemis_writer_options_use_measured_preset(&wo);

  artemis_error err;
  artemis_sample_options so;
  artemis_sample_options_init(&so);
  so.total_rows = rows;
  so.order = order;
  artemis_sample* sample;
  struct ArrowSchema schema;
  if (artemis_sample_open(&sample, &so, &err) != ARTEMIS_OK) return die("sample", &err);
  if (artemis_sample_schema(&schema, &err) != ARTEMIS_OK) return die("schema", &err);
  artemis_writer* w;
  if (artemis_writer_open(&w, out, &schema, &wo, &err) != ARTEMIS_OK) return die(out, &err);
  schema.release(&schema);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int64_t arrow_batch_bytes_max = 0;
  for (;;) {
    struct ArrowArray b;
    int rc = artemis_sample_next(sample, &b, &err);
    if (rc == ARTEMIS_E_END_OF_STREAM) break;
    if (rc != ARTEMIS_OK) return die("sample", &err);
    (void)arrow_batch_bytes_max;
    rc = artemis_writer_write(w, &b, &err);
    b.release(&b);
    if (rc != ARTEMIS_OK) {
      artemis_writer_abort(w);
      return die(out, &err);
    }
  }
  artemis_sample_close(sample);
  artemis_write_summary* s;
  if (artemis_writer_close(w, &s, &err) != ARTEMIS_OK) return die(out, &err);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("{\"rows\":%" PRId64 ",\"row_group_target_bytes\":%" PRId64 ",\"row_groups\":%" PRId64
         ",\"file_bytes\":%" PRId64 ",\"writer_peak_bytes\":%" PRId64 ",\"writer_live_after_close\":%" PRId64
         ",\"vm_hwm_kib\":%ld,\"seconds\":%.3f}\n",
         s->rows, target, s->row_groups, s->file_bytes, cnt.peak, cnt.live, vm_hwm_kib(), secs);
  artemis_write_summary_free(s);
  return 0;
}
