/* libFuzzer target: Arrow IPC bytes -> IPC reader -> Parquet writer -> memory sink, end to
 * end, and then a reading of what was produced. Nothing touches the disk.
 *
 * Per input:
 *   1. artemis_ipc_reader_open_memory over the fuzz bytes (stream or file format), with
 *      the reader limits tightened as in ipc_reader_fuzz.c;
 *   2. the exported schema opens a writer on a memory sink (artemis_writer_open_with_sink,
 *      src/file/writer_internal.h); the writer options are picked from the input's hash
 *      (compression none/ZSTD, encoding map none/artemis preset, map/adaptive strategy,
 *      statistics on/off, page size and row-group target small enough that several pages
 *      and row groups appear), so one input always runs the same way;
 *   3. every batch goes to artemis_writer_write and is released right after, as
 *      artemis-write does; a rejected batch leaves the writer usable;
 *   4. close, then the produced bytes are read back with the library's bounded Thrift
 *      reader (src/thrift/compact_reader.h, as `artemis-write inspect` does).
 *
 * Oracles (each failure is abort()):
 *   - no crash, no sanitizer report;
 *   - no ARTEMIS_E_INTERNAL anywhere, and only the documented codes at each call (the
 *     allocator never fails here, so ARTEMIS_E_NOMEM is a failure too);
 *   - the output starts and ends with "PAR1", its footer length fits, the footer parses
 *     completely (FileMetaData consumes exactly the footer's bytes);
 *   - FileMetaData.num_rows == the rows of the batches the writer accepted ==
 *     summary.rows, the row groups' num_rows add up to it, there is at least one row
 *     group when there are rows (none when there are none), summary.row_groups and
 *     summary.file_bytes agree with the footer and the output;
 *   - the schema has one leaf per column; every column chunk lies inside the data region
 *     (after the leading PAR1, before the page index and footer), has num_values equal
 *     to its row group's rows, and its pages (each PageHeader parsed) add up exactly to
 *     its total_compressed_size;
 *   - the counting allocators of the reader and of writer + sink are empty at the end
 *     (no leak, the output buffer included).
 *
 * Build: tests/integration/fuzz.cmake. With clang and -DARTEMIS_SANITIZE=ON it builds the
 * libFuzzer target `ipc_to_parquet_fuzz`; every build has `ipc_to_parquet_replay`
 * (-DFUZZ_MAIN), a plain driver over the files (or directories) on its command line.
 * FUZZ_STATS=1 prints counters at exit. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "artemis/artemis.h"
#include "artemis/ipc_reader.h"
#include "artemis/writer.h"
#include "core/memory.h"
#include "file/writer_internal.h"
#include "publish/sink.h"
#include "thrift/compact_reader.h"

#define DIE(...)                             \
  do {                                       \
    fprintf(stderr, "ORACLE: " __VA_ARGS__); \
    fprintf(stderr, "\n");                   \
    abort();                                 \
  } while (0)

/* The same tight reader limits as ipc_reader_fuzz.c (-malloc_limit_mb sits above them). */
#define LIMIT_BODY ((int64_t)64 << 20)
#define LIMIT_DICTIONARY ((int64_t)64 << 20)
#define LIMIT_METADATA ((int64_t)1 << 20)
/* The output may not grow past this: a tiny input claiming billions of null rows must
 * end in ARTEMIS_E_LIMIT, not in an allocation libFuzzer counts as a leak or OOM. */
#define LIMIT_OUTPUT ((size_t)32 << 20)

/* parquet.thrift field ids. */
enum { FMD_SCHEMA = 2, FMD_NUM_ROWS = 3, FMD_ROW_GROUPS = 4 };
enum { SE_NUM_CHILDREN = 5 };
enum { RG_COLUMNS = 1, RG_NUM_ROWS = 3 };
enum { CC_META = 3 };
enum { CMD_NUM_VALUES = 5, CMD_COMPRESSED = 7, CMD_DATA_PAGE_OFFSET = 9, CMD_DICTIONARY_PAGE_OFFSET = 11 };
enum { PH_COMPRESSED_SIZE = 3 };

/* ---- counting allocator ------------------------------------------------------------ */
typedef struct actx {
  const char* who;
  long live;
} actx;
static void* a_alloc(void* c, size_t n) {
  actx* a = c;
  void* p = malloc(n ? n : 1);
  if (p) a->live++;
  return p;
}
static void* a_realloc(void* c, void* p, size_t n) {
  if (!p) return a_alloc(c, n);
  return realloc(p, n ? n : 1);
}
static void a_free(void* c, void* p) {
  actx* a = c;
  if (p) a->live--;
  free(p);
}

/* ---- statistics --------------------------------------------------------------------- */
static long st_inputs, st_reader_open, st_writer_open, st_batches, st_batches_written, st_batches_rejected;
static long st_closed, st_close_failed, st_writer_failed, st_pages;
static uint64_t st_rows;
static void print_stats(void) {
  if (!getenv("FUZZ_STATS")) return;
  fprintf(stderr,
          "stats: inputs %ld, reader opened %ld, writer opened %ld, batches %ld (written %ld, rejected %ld), "
          "writer failed %ld, closed %ld (failed %ld), rows %llu, pages checked %ld\n",
          st_inputs, st_reader_open, st_writer_open, st_batches, st_batches_written, st_batches_rejected,
          st_writer_failed, st_closed, st_close_failed, (unsigned long long)st_rows, st_pages);
}

/* ---- reading the output back ---------------------------------------------------------- */
static uint32_t le32(const uint8_t* p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

/* The pages of one chunk, [start, start + size): each PageHeader parses, and headers plus
 * compressed page bodies cover the chunk exactly. */
static void check_pages(const uint8_t* data, int64_t start, int64_t size, artemis_mem* mem, size_t g, size_t c) {
  int64_t at = start, end = start + size;
  while (at < end) {
    artemis_thrift_value* header = NULL;
    size_t used = 0;
    artemis_error err;
    int rc = artemis_thrift_parse(data + at, (size_t)(end - at), mem, NULL, &header, &used, &err);
    if (rc != ARTEMIS_OK)
      DIE("row group %zu column %zu: page header at byte %lld does not parse: %s", g, c, (long long)at, err.message);
    int32_t compressed = -1;
    artemis_thrift_get_i32(header, PH_COMPRESSED_SIZE, &compressed);
    artemis_thrift_free(header);
    if (compressed < 0 || (int64_t)used + compressed > end - at)
      DIE("row group %zu column %zu: page at byte %lld (%zu-byte header, %d bytes) overruns its chunk ending at %lld", g,
          c, (long long)at, used, (int)compressed, (long long)end);
    at += (int64_t)used + compressed;
    st_pages++;
  }
}

static void check_output(const artemis_memory_output* out, int64_t rows, int64_t columns,
                         const artemis_write_summary* summary) {
  const uint8_t* d = out->data;
  size_t n = out->len;
  if (summary->file_bytes != (int64_t)n) DIE("summary says %lld bytes, the sink holds %zu", (long long)summary->file_bytes, n);
  if (n < 12 || !d) DIE("output of %zu bytes is too short for a Parquet file", n);
  if (memcmp(d, "PAR1", 4) != 0) DIE("output does not start with PAR1");
  if (memcmp(d + n - 4, "PAR1", 4) != 0) DIE("output does not end with PAR1");
  uint32_t footer_len = le32(d + n - 8);
  if ((size_t)footer_len > n - 12) DIE("footer length %u does not fit the %zu-byte output", footer_len, n);
  size_t footer_at = n - 8 - footer_len;

  actx ac = {"thrift", 0};
  artemis_allocator alloc = {a_alloc, a_realloc, a_free, &ac};
  artemis_mem mem;
  artemis_mem_init(&mem, &alloc);
  artemis_thrift_value* meta = NULL;
  size_t used = 0;
  artemis_error err;
  int rc = artemis_thrift_parse(d + footer_at, footer_len, &mem, NULL, &meta, &used, &err);
  if (rc != ARTEMIS_OK) DIE("footer does not parse at byte %lld: %s", (long long)(footer_at + (size_t)err.offset), err.message);
  if (used != footer_len) DIE("FileMetaData is %zu bytes, the footer length says %u", used, footer_len);

  int64_t num_rows = -1;
  if (!artemis_thrift_get_i64(meta, FMD_NUM_ROWS, &num_rows)) DIE("FileMetaData has no num_rows");
  if (num_rows != rows) DIE("num_rows %lld, rows written %lld", (long long)num_rows, (long long)rows);
  if (summary->rows != rows) DIE("summary.rows %lld, rows written %lld", (long long)summary->rows, (long long)rows);

  const artemis_thrift_value* schema = artemis_thrift_get_list(meta, FMD_SCHEMA, ARTEMIS_THRIFT_STRUCT);
  if (!schema || schema->as.list.count != (size_t)columns + 1)
    DIE("footer schema has %zu elements for %lld columns", schema ? schema->as.list.count : 0, (long long)columns);
  int32_t root_children = -1;
  artemis_thrift_get_i32(artemis_thrift_list_at(schema, 0), SE_NUM_CHILDREN, &root_children);
  if (root_children != (int32_t)columns) DIE("schema root has %d children for %lld columns", (int)root_children, (long long)columns);

  const artemis_thrift_value* groups = artemis_thrift_get_list(meta, FMD_ROW_GROUPS, ARTEMIS_THRIFT_STRUCT);
  size_t ngroups = groups ? groups->as.list.count : 0;
  if (rows > 0 && ngroups == 0) DIE("%lld rows but no row group", (long long)rows);
  if (rows == 0 && ngroups != 0) DIE("no rows but %zu row groups", ngroups);
  if (summary->row_groups != (int64_t)ngroups)
    DIE("summary says %lld row groups, the footer %zu", (long long)summary->row_groups, ngroups);

  int64_t sum = 0;
  for (size_t g = 0; g < ngroups; g++) {
    const artemis_thrift_value* rg = artemis_thrift_list_at(groups, g);
    int64_t rg_rows = -1;
    artemis_thrift_get_i64(rg, RG_NUM_ROWS, &rg_rows);
    if (rg_rows <= 0) DIE("row group %zu has %lld rows", g, (long long)rg_rows);
    sum += rg_rows;
    const artemis_thrift_value* chunks = artemis_thrift_get_list(rg, RG_COLUMNS, ARTEMIS_THRIFT_STRUCT);
    if (!chunks || chunks->as.list.count != (size_t)columns)
      DIE("row group %zu has %zu column chunks for %lld columns", g, chunks ? chunks->as.list.count : 0, (long long)columns);
    for (size_t c = 0; c < (size_t)columns; c++) {
      const artemis_thrift_value* md =
          artemis_thrift_field_of_kind(artemis_thrift_list_at(chunks, c), CC_META, ARTEMIS_THRIFT_STRUCT);
      int64_t values = -1, compressed = -1, data_at = -1, dict_at = -1;
      if (!md || !artemis_thrift_get_i64(md, CMD_NUM_VALUES, &values) ||
          !artemis_thrift_get_i64(md, CMD_COMPRESSED, &compressed) ||
          !artemis_thrift_get_i64(md, CMD_DATA_PAGE_OFFSET, &data_at))
        DIE("row group %zu column %zu: ColumnMetaData incomplete", g, c);
      artemis_thrift_get_i64(md, CMD_DICTIONARY_PAGE_OFFSET, &dict_at);
      if (values != rg_rows) DIE("row group %zu column %zu: %lld values in %lld rows", g, c, (long long)values, (long long)rg_rows);
      int64_t start = dict_at >= 0 ? dict_at : data_at;
      if (start < 4 || data_at < start || compressed <= 0 || compressed > (int64_t)footer_at - start)
        DIE("row group %zu column %zu: chunk at byte %lld (%lld bytes, data at %lld) outside the data region [4, %zu)", g,
            c, (long long)start, (long long)compressed, (long long)data_at, footer_at);
      check_pages(d, start, compressed, &mem, g, c);
    }
  }
  if (sum != rows) DIE("row groups hold %lld rows, the file %lld", (long long)sum, (long long)rows);
  artemis_thrift_free(meta);
  if (ac.live) DIE("the Thrift reader leaked %ld allocations", ac.live);
}

/* ---- one input -------------------------------------------------------------------------- */
/* The documented ways to refuse input: the reader's (invalid, unsupported, over a limit),
 * plus, with `writer` set, a schema the writer cannot map (CONFIG: a preset entry whose
 * column has another type; INVALID_ARGUMENT: e.g. a schema without columns). */
static void expect_rejection(int rc, const artemis_error* err, const char* where, int writer) {
  switch (rc) {
    case ARTEMIS_E_INVALID_INPUT: case ARTEMIS_E_UNSUPPORTED: case ARTEMIS_E_LIMIT: break;
    case ARTEMIS_E_CONFIG: case ARTEMIS_E_INVALID_ARGUMENT: if (writer) break; /* fall through */
    default: DIE("%s: unexpected %s \"%s\"", where, artemis_status_name(rc), err->message);
  }
  if (err->code != rc) DIE("%s: error.code %d, returned %d", where, err->code, rc);
}

static uint64_t fnv(const uint8_t* data, size_t size) {
  uint64_t h = 14695981039346656037ull;
  for (size_t i = 0; i < size; i++) h = (h ^ data[i]) * 1099511628211ull;
  return h;
}

static void writer_options(uint64_t h, artemis_writer_options* o) {
  artemis_writer_options_init(o);
  o->durable = 0;
  o->compression = (h & 1) ? ARTEMIS_COMPRESSION_ZSTD : ARTEMIS_COMPRESSION_UNCOMPRESSED;
  o->compression_level = 1;
  if (h & 2) artemis_writer_options_use_artemis_preset(o);
  /* Adaptive trial-encodes every candidate: only on a quarter of the inputs. */
  if ((h & 12) == 12) {
    o->encoding_strategy = ARTEMIS_ENCODING_STRATEGY_ADAPTIVE;
    o->adaptive_sample_rows = 256;
  }
  o->statistics_enabled = (h & 16) == 0;
  o->data_page_max_rows = (h & 32) ? 20000 : 64;
  /* Several row groups from a small input, but not dozens: every chunk costs a footer
   * entry, page-index blobs and (adaptive) a trial of every encoding. */
  o->row_group_target_bytes = (h & 64) ? ((int64_t)1 << 20) : ((int64_t)16 << 10);
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  st_inputs++;
  actx reader_ac = {"reader", 0};
  artemis_allocator reader_alloc = {a_alloc, a_realloc, a_free, &reader_ac};
  artemis_ipc_reader_options ro;
  artemis_ipc_reader_options_init(&ro);
  ro.max_body_bytes = LIMIT_BODY;
  ro.max_dictionary_bytes = LIMIT_DICTIONARY;
  ro.max_metadata_bytes = LIMIT_METADATA;
  ro.allocator = &reader_alloc;
  artemis_ipc_reader* r = NULL;
  artemis_error err;
  int rc = artemis_ipc_reader_open_memory(&r, data, size, &ro, &err);
  if (rc != ARTEMIS_OK) {
    if (r) DIE("reader open failed but set *out");
    expect_rejection(rc, &err, "reader open", 0);
    if (reader_ac.live) DIE("failed reader open leaked %ld allocations", reader_ac.live);
    return 0;
  }
  st_reader_open++;
  struct ArrowSchema schema;
  rc = artemis_ipc_reader_schema(r, &schema, &err);
  if (rc != ARTEMIS_OK) DIE("schema export: %s %s", artemis_status_name(rc), err.message);

  /* Writer and sink share one counting allocator: the output is counted with the rest. */
  actx writer_ac = {"writer", 0};
  artemis_allocator writer_alloc = {a_alloc, a_realloc, a_free, &writer_ac};
  artemis_mem sink_mem;
  artemis_mem_init(&sink_mem, &writer_alloc);
  artemis_memory_output out;
  artemis_sink* sink = NULL;
  rc = artemis_memory_sink_open(&sink, &sink_mem, LIMIT_OUTPUT, &out, &err);
  if (rc != ARTEMIS_OK) DIE("memory sink open: %s", err.message);
  artemis_writer_options o;
  writer_options(fnv(data, size), &o);
  o.allocator = &writer_alloc;
  artemis_writer* w = NULL;
  rc = artemis_writer_open_with_sink(&w, sink, &schema, &o, &err);
  if (rc != ARTEMIS_OK) {
    if (w) DIE("writer open failed but set *out");
    expect_rejection(rc, &err, "writer open", 1);
  } else {
    st_writer_open++;
  }

  int64_t rows = 0;
  int writer_failed = 0;
  for (;;) {
    struct ArrowArray batch;
    memset(&batch, 0, sizeof batch);
    rc = artemis_ipc_reader_next(r, &batch, &err);
    if (rc != ARTEMIS_OK) break;
    st_batches++;
    if (w && !writer_failed) {
      artemis_error werr;
      int wrc = artemis_writer_write(w, &batch, &werr);
      if (wrc == ARTEMIS_OK) {
        rows += batch.length;
        st_batches_written++;
      } else if (wrc == ARTEMIS_E_LIMIT && strstr(werr.message, "memory sink")) {
        writer_failed = 1; /* the output cap: the writer is poisoned, as documented */
        st_writer_failed++;
      } else {
        expect_rejection(wrc, &werr, "writer write", 1);
        st_batches_rejected++;
      }
    }
    batch.release(&batch);
  }
  if (rc != ARTEMIS_E_END_OF_STREAM) expect_rejection(rc, &err, "reader next", 0);
  artemis_ipc_reader_free(r);
  schema.release(&schema);
  if (reader_ac.live) DIE("reader leaked %ld allocations", reader_ac.live);

  if (w && writer_failed) {
    artemis_writer_abort(w);
  } else if (w) {
    artemis_write_summary* summary = NULL;
    rc = artemis_writer_close(w, &summary, &err);
    if (rc == ARTEMIS_OK) {
      st_closed++;
      st_rows += (uint64_t)rows;
      check_output(&out, rows, (int64_t)summary->column_count, summary);
      artemis_write_summary_free(summary);
    } else {
      /* Only the output cap may stop a close (the footer is the last write). */
      if (rc != ARTEMIS_E_LIMIT) DIE("writer close: unexpected %s \"%s\"", artemis_status_name(rc), err.message);
      if (out.data) DIE("a failed close published bytes");
      st_close_failed++;
    }
  }
  artemis_memory_output_free(&out);
  if (sink_mem.live_bytes != 0) DIE("the sink's mem still holds %lld bytes", (long long)sink_mem.live_bytes);
  if (writer_ac.live) DIE("writer and sink leaked %ld allocations", writer_ac.live);
  return 0;
}

__attribute__((constructor)) static void init_stats(void) { atexit(print_stats); }

/* FUZZ_MAIN builds link fuzz/replay_main.c, the shared replay driver. */
