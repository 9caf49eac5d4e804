/* In-memory sink: the whole output in one growing buffer, handed to the caller at publish.
 *
 * It exists so that a writer can run end to end without touching a file system (fuzzing,
 * tests, and later callers that upload the bytes themselves) and to exercise the
 * artemis_writer_open_with_sink() seam that an S3 sink will use. Publishing cannot fail:
 * nothing is durable or visible to anyone else, so "commit" only means the bytes move to
 * the caller's artemis_memory_output. */
#include "publish/sink.h"

#include <string.h>

#include "core/errors.h"

/* Small outputs (one footer, a few pages) fit the first block; doubling keeps the number of
 * reallocations, and so the copying, logarithmic in the output size. */
#define FIRST_CAPACITY ((size_t)64 * 1024)

typedef struct memory_sink {
  artemis_sink base; /* first, so an artemis_sink* is a memory_sink* */
  artemis_mem* mem;
  artemis_memory_output* output;
  size_t max_bytes; /* 0: no cap of our own (the allocator may still refuse) */
  uint8_t* data;
  size_t len;
  size_t capacity;
  /* Set when a write failed: the buffer is already freed (the memory goes back at once, as
   * the file sink gives back disk space), and the sink only waits for publish/discard. */
  int failed;
} memory_sink;

static void free_sink(memory_sink* sink) {
  artemis_mem* mem = sink->mem;
  artemis_mem_free(mem, sink->data);
  artemis_mem_free(mem, sink);
}

static int fail_write(memory_sink* sink, int rc) {
  artemis_mem_free(sink->mem, sink->data);
  sink->data = NULL;
  sink->len = sink->capacity = 0;
  sink->failed = 1;
  return rc;
}

static int memory_sink_write(artemis_sink* base, const void* bytes, size_t n, artemis_error* error) {
  memory_sink* sink = (memory_sink*)base;
  int64_t at = sink->base.offset;
  if (sink->failed) {
    return artemis_set_error_at(error, ARTEMIS_E_STATE, -1, -1, at, "memory sink: write at byte %lld after an earlier write failed",
                                (long long)at);
  }
  if (n == 0) return ARTEMIS_OK;
  if (!bytes) {
    return artemis_set_error_at(error, ARTEMIS_E_INVALID_ARGUMENT, -1, -1, at, "memory sink: write of %zu NULL bytes at byte %lld",
                                n, (long long)at);
  }
  size_t limit = sink->max_bytes ? sink->max_bytes : (size_t)INT64_MAX;
  if (n > limit - sink->len) {
    return fail_write(sink, artemis_set_error_at(error, ARTEMIS_E_LIMIT, -1, -1, at,
                                                 "memory sink: writing %zu bytes at byte %lld would exceed the %zu-byte cap",
                                                 n, (long long)at, limit));
  }
  size_t need = sink->len + n;
  if (need > sink->capacity) {
    size_t cap = sink->capacity ? sink->capacity : FIRST_CAPACITY;
    while (cap < need) cap = cap > limit / 2 ? limit : cap * 2;
    if (cap > limit) cap = limit;
    uint8_t* grown = artemis_mem_realloc(sink->mem, sink->data, cap);
    if (!grown) {
      return fail_write(sink, artemis_set_error_at(error, ARTEMIS_E_NOMEM, -1, -1, at,
                                                   "memory sink: out of memory growing the output to %zu bytes at byte %lld",
                                                   cap, (long long)at));
    }
    sink->data = grown;
    sink->capacity = cap;
  }
  memcpy(sink->data + sink->len, bytes, n);
  sink->len = need;
  sink->base.offset = (int64_t)need;
  return ARTEMIS_OK;
}

static int memory_sink_publish(artemis_sink* base, artemis_error* error) {
  memory_sink* sink = (memory_sink*)base;
  if (sink->failed) {
    int64_t at = sink->base.offset;
    free_sink(sink);
    return artemis_set_error_at(error, ARTEMIS_E_STATE, -1, -1, at, "memory sink: publish after a write at byte %lld failed",
                                (long long)at);
  }
  /* Up to half of the buffer is doubling slack; the caller keeps the output for as long
   * as it likes, so give the slack back (a refused shrink keeps the larger block). */
  if (sink->len > 0 && sink->len < sink->capacity) {
    uint8_t* exact = artemis_mem_realloc(sink->mem, sink->data, sink->len);
    if (exact) sink->data = exact;
  }
  sink->output->data = sink->data;
  sink->output->len = sink->len;
  sink->output->mem = sink->mem;
  sink->data = NULL; /* now the output's */
  free_sink(sink);
  return ARTEMIS_OK;
}

static void memory_sink_discard(artemis_sink* base) { free_sink((memory_sink*)base); }

static const artemis_sink_vtable kMemorySinkVtable = {memory_sink_write, memory_sink_publish, memory_sink_discard};

int artemis_memory_sink_open(artemis_sink** out, artemis_mem* mem, size_t max_bytes, artemis_memory_output* output,
                             artemis_error* error) {
  if (!out || !mem || !output) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "artemis_memory_sink_open: NULL argument");
  }
  *out = NULL;
  memset(output, 0, sizeof *output);
  memory_sink* sink = artemis_mem_calloc(mem, 1, sizeof *sink);
  if (!sink) return artemis_set_error(error, ARTEMIS_E_NOMEM, "memory sink: out of memory opening it");
  sink->base.vtable = &kMemorySinkVtable;
  sink->base.offset = 0;
  sink->mem = mem;
  sink->output = output;
  sink->max_bytes = max_bytes;
  *out = &sink->base;
  return ARTEMIS_OK;
}

void artemis_memory_output_free(artemis_memory_output* output) {
  if (!output) return;
  if (output->mem) artemis_mem_free(output->mem, output->data);
  memset(output, 0, sizeof *output);
}
