/* The public writer: schema mapping and encoding-map resolution at open, batch slicing
 * into row groups, row-group flush (column chunks to the sink), page index and footer at
 * close, then the atomic publish. Layout (PARQUET-CHECKLIST §0):
 *   PAR1 | row group 0 chunks | ... | all ColumnIndex | all OffsetIndex | footer | len | PAR1 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zstd.h>

#include "artemis/writer.h"
#include "arrow/arrow_type.h"
#include "arrow/batch_view.h"
#include "column/column_writer.h"
#include "compress/codec.h"
#include "core/errors.h"
#include "core/memory.h"
#include "core/worker_pool.h"
#include "file/writer_internal.h"
#include "publish/sink.h"
#include "thrift/parquet_metadata.h"

#ifndef ARTEMIS_BUILD_ID
#define ARTEMIS_BUILD_ID "unknown"
#endif
#define CREATED_BY "artemis-archive-writer version " ARTEMIS_VERSION_STRING " (build " ARTEMIS_BUILD_ID ")"

#define MAX_ENCODING_STATS 4

typedef struct row_group_record {
  int64_t num_rows;
  int64_t total_byte_size;
  int64_t total_compressed_size;
  int64_t file_offset;
  artemis_pq_column_chunk* chunks;          /* ncols */
  artemis_pq_encoding_stats* encoding_stats; /* ncols * MAX_ENCODING_STATS */
  artemis_stats_encoded* stats;             /* ncols; min/max point to owned copies */
} row_group_record;

struct artemis_writer {
  const artemis_allocator* allocator;
  artemis_mem mem;
  artemis_writer_options options;
  char* path;
  size_t ncols;
  char** names;
  artemis_arrow_type* types;
  artemis_column_view* views;
  artemis_column_writer* columns;
  size_t columns_ready;
  /* One codec and one page scratch per worker (index 0 = the caller's thread). */
  size_t threads;
  artemis_codec* codecs;
  artemis_page_scratch* scratches;
  size_t workers_ready;
  artemis_worker_pool* pool;
  /* Per-column results of the last parallel step, read back in column order. */
  artemis_error* column_errors;
  int* column_status;
  int* column_fell_back;
  /* Scheduling with workers: the columns' last measured cost per step kind, and the order
   * jobs are handed out in (most expensive first, so that no worker is left alone with a
   * big column at the end of a step). The order never affects the bytes. */
  int64_t* column_cost_ns;
  size_t* column_order;
  artemis_sink* sink;
  int failed;

  int64_t rows;
  int64_t rg_rows;
  int64_t rg_arrow_bytes;
  row_group_record* row_groups;
  size_t row_group_count, row_group_cap;
  artemis_buf column_indexes; /* serialized ColumnIndex blobs, in (row group, column) order */
  artemis_buf offset_indexes; /* serialized OffsetIndex blobs */
  artemis_column_summary* summary; /* per column, accumulated over row groups */
  char* schema_metadata;      /* the schema's C Data Interface metadata, copied at open; written
                                 to the footer's key_value_metadata (custom metadata passes through) */
  size_t schema_metadata_len;
  struct timespec opened_at;
};

static double elapsed_ms(const struct timespec* since) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - since->tv_sec) * 1e3 + (double)(now.tv_nsec - since->tv_nsec) / 1e6;
}

static void emit(const artemis_writer* w, artemis_event* ev) {
  if (w->options.on_event) w->options.on_event(ev, w->options.event_payload);
}

static artemis_event blank_event(artemis_event_kind kind) {
  artemis_event ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = kind;
  ev.row_group = ev.rows = ev.compressed_bytes = ev.uncompressed_bytes = ev.file_bytes = ev.column_index = -1;
  ev.elapsed_ms = -1;
  return ev;
}

/* ---- open ---------------------------------------------------------------------------- */

static int validate_options(const artemis_writer_options* o, artemis_error* error) {
  if (o->version != ARTEMIS_WRITER_OPTIONS_VERSION)
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                             "options.version is %u, this library expects %d: call artemis_writer_options_init() first",
                             o->version, ARTEMIS_WRITER_OPTIONS_VERSION);
  if (o->row_group_target_bytes <= 0)
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "row_group_target_bytes must be > 0");
  if (o->data_page_target_bytes <= 0 || o->data_page_target_bytes > (1ll << 30))
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "data_page_target_bytes must be in 1..1 GiB");
  if (o->data_page_max_rows <= 0 || o->data_page_max_rows > (1ll << 30))
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "data_page_max_rows must be in 1..2^30");
  if (o->dictionary_limit_bytes <= 0 || o->dictionary_limit_bytes > (1ll << 30))
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "dictionary_limit_bytes must be in 1..1 GiB");
  if (o->compression != ARTEMIS_COMPRESSION_ZSTD && o->compression != ARTEMIS_COMPRESSION_UNCOMPRESSED)
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "unknown compression %d", (int)o->compression);
  if (o->compression == ARTEMIS_COMPRESSION_ZSTD &&
      (o->compression_level < ZSTD_minCLevel() || o->compression_level > ZSTD_maxCLevel()))
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "zstd level %d is outside %d..%d", o->compression_level,
                             ZSTD_minCLevel(), ZSTD_maxCLevel());
  if (o->statistics_truncate_bytes < 0)
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "statistics_truncate_bytes must be >= 0 (0 = never truncate)");
  if (o->encoding_strategy != ARTEMIS_ENCODING_STRATEGY_MAP && o->encoding_strategy != ARTEMIS_ENCODING_STRATEGY_ADAPTIVE)
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "unknown encoding strategy %d", (int)o->encoding_strategy);
  if (o->adaptive_sample_rows <= 0 || o->adaptive_sample_rows > (1ll << 30))
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "adaptive_sample_rows must be in 1..2^30");
  if (o->threads < 1 || o->threads > 256)
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "threads is %d; it must be in 1..256", o->threads);
  if (o->memory_limit_bytes < 0)
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "memory_limit_bytes must be >= 0 (0 = no limit)");
  if (o->column_count > 0 && !o->columns)
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "column_count is %zu but columns is NULL", o->column_count);
  return ARTEMIS_OK;
}

/* Which encodings can apply to which physical types (reader support: CHECKLIST §8). */
static int encoding_fits(artemis_column_encoding e, const artemis_arrow_type* t) {
  switch (e) {
    case ARTEMIS_ENCODING_DEFAULT:
    case ARTEMIS_ENCODING_PLAIN: return 1;
    case ARTEMIS_ENCODING_DICTIONARY: return t->physical_type != PQ_BOOLEAN;
    case ARTEMIS_ENCODING_DELTA_BINARY_PACKED: return t->physical_type == PQ_INT32 || t->physical_type == PQ_INT64;
    case ARTEMIS_ENCODING_BYTE_STREAM_SPLIT: return t->physical_type == PQ_FLOAT || t->physical_type == PQ_DOUBLE;
    case ARTEMIS_ENCODING_DELTA_LENGTH_BYTE_ARRAY:
    case ARTEMIS_ENCODING_DELTA_BYTE_ARRAY: return t->physical_type == PQ_BYTE_ARRAY;
  }
  return 0;
}

static const char* physical_name(int type) {
  static const char* const kNames[] = {"BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"};
  return type >= 0 && type <= 7 ? kNames[type] : "?";
}

static int resolve_encodings(artemis_writer* w, artemis_column_encoding* chosen, artemis_error* error) {
  for (size_t c = 0; c < w->ncols; c++) chosen[c] = ARTEMIS_ENCODING_DEFAULT;
  for (size_t i = 0; i < w->options.column_count; i++) {
    const artemis_column_option* opt = &w->options.columns[i];
    if (!opt->column)
      return artemis_set_error(error, ARTEMIS_E_CONFIG, "encoding map entry %zu has no column name", i);
    if ((unsigned)opt->encoding > ARTEMIS_ENCODING_DELTA_BYTE_ARRAY)
      return artemis_set_error(error, ARTEMIS_E_CONFIG, "encoding map entry for \"%s\" has unknown encoding %d",
                               opt->column, (int)opt->encoding);
    size_t c = 0;
    while (c < w->ncols && strcmp(w->names[c], opt->column) != 0) c++;
    if (c == w->ncols) {
      if (opt->flags & ARTEMIS_COLUMN_IF_PRESENT) continue;
      return artemis_set_error(error, ARTEMIS_E_CONFIG, "encoding map names column \"%s\", which is not in the schema",
                               opt->column);
    }
    if (!encoding_fits(opt->encoding, &w->types[c]))
      return artemis_set_error_at(error, ARTEMIS_E_CONFIG, (int64_t)c, -1, -1,
                                  "encoding %s cannot apply to column %zu \"%s\" of type %s (Parquet %s)",
                                  artemis_column_encoding_name(opt->encoding), c, w->names[c],
                                  artemis_arrow_kind_name(w->types[c].kind), physical_name(w->types[c].physical_type));
    chosen[c] = opt->encoding;
  }
  return ARTEMIS_OK;
}

static int value_encoding_of(artemis_column_encoding e) {
  switch (e) {
    case ARTEMIS_ENCODING_DELTA_BINARY_PACKED: return PQ_ENC_DELTA_BINARY_PACKED;
    case ARTEMIS_ENCODING_BYTE_STREAM_SPLIT: return PQ_ENC_BYTE_STREAM_SPLIT;
    case ARTEMIS_ENCODING_DELTA_LENGTH_BYTE_ARRAY: return PQ_ENC_DELTA_LENGTH_BYTE_ARRAY;
    case ARTEMIS_ENCODING_DELTA_BYTE_ARRAY: return PQ_ENC_DELTA_BYTE_ARRAY;
    default: return PQ_ENC_PLAIN; /* PLAIN, and the fallback of DEFAULT / DICTIONARY */
  }
}

static void free_row_groups(artemis_writer* w) {
  for (size_t i = 0; i < w->row_group_count; i++) {
    row_group_record* rg = &w->row_groups[i];
    for (size_t c = 0; rg->stats && c < w->ncols; c++) {
      artemis_mem_free(&w->mem, (void*)(uintptr_t)rg->stats[c].min); /* owned copies */
      artemis_mem_free(&w->mem, (void*)(uintptr_t)rg->stats[c].max);
    }
    artemis_mem_free(&w->mem, rg->chunks);
    artemis_mem_free(&w->mem, rg->encoding_stats);
    artemis_mem_free(&w->mem, rg->stats);
  }
  artemis_mem_free(&w->mem, w->row_groups);
  w->row_groups = NULL;
  w->row_group_count = w->row_group_cap = 0;
}

static void destroy(artemis_writer* w) {
  if (!w) return;
  if (w->sink) artemis_sink_discard(w->sink);
  artemis_worker_pool_stop(w->pool); /* first: no thread may touch what follows */
  for (size_t c = 0; c < w->columns_ready; c++) artemis_column_writer_free(&w->columns[c]);
  for (size_t k = 0; k < w->workers_ready; k++) {
    artemis_codec_free(&w->codecs[k]);
    artemis_page_scratch_free(&w->scratches[k]);
  }
  artemis_mem_free(&w->mem, w->codecs);
  artemis_mem_free(&w->mem, w->scratches);
  artemis_mem_free(&w->mem, w->column_errors);
  artemis_mem_free(&w->mem, w->column_status);
  artemis_mem_free(&w->mem, w->column_fell_back);
  artemis_mem_free(&w->mem, w->column_cost_ns);
  artemis_mem_free(&w->mem, w->column_order);
  free_row_groups(w);
  artemis_buf_free(&w->column_indexes);
  artemis_buf_free(&w->offset_indexes);
  for (size_t c = 0; w->names && c < w->ncols; c++) artemis_mem_free(&w->mem, w->names[c]);
  for (size_t c = 0; w->summary && c < w->ncols; c++) artemis_mem_free(&w->mem, w->summary[c].name);
  artemis_mem_free(&w->mem, w->summary);
  artemis_mem_free(&w->mem, w->names);
  artemis_mem_free(&w->mem, w->types);
  artemis_mem_free(&w->mem, w->views);
  artemis_mem_free(&w->mem, w->columns);
  artemis_mem_free(&w->mem, w->path);
  artemis_mem_free(&w->mem, w->schema_metadata);
  artemis_mem_destroy(&w->mem);
  const artemis_allocator* a = w->allocator;
  a->free(a->ctx, w);
}

/* A NOMEM that options.memory_limit_bytes caused (not the allocator) says so, because the
 * remedy differs: a larger limit or a smaller row-group target, not more RAM. "out of
 * memory <context>" becomes "memory limit of N bytes reached <context>"; context fields
 * are kept. Call before destroy(): the flag lives in the writer's mem. */
static int limit_message(const artemis_writer* w, int rc, artemis_error* error) {
  if (rc != ARTEMIS_E_NOMEM || !w->mem.limit_hit || !error) return rc;
  char original[ARTEMIS_ERROR_MESSAGE_SIZE];
  memcpy(original, error->message, sizeof original);
  original[sizeof original - 1] = '\0';
  const char* rest = original;
  const char* separator = rest[0] ? ": " : "";
  if (strncmp(rest, "out of memory", 13) == 0) {
    rest += 13;
    separator = "";
  }
  /* Some column steps report a bare "out of memory" with only the context fields set. */
  char where[160] = "";
  if (error->column >= 0 && (size_t)error->column < w->ncols && !strstr(rest, "column"))
    snprintf(where, sizeof where, " in column %lld \"%.80s\" (row group %lld)", (long long)error->column,
             w->names[error->column], (long long)error->row_group);
  if (snprintf(error->message, sizeof error->message, "memory limit of %lld bytes reached%s%s%s",
               (long long)w->mem.limit_bytes, separator, rest, where) < 0)
    error->message[0] = '\0';
  return rc;
}

static int open_nomem(artemis_writer* w, artemis_error* error) {
  artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory while opening the writer");
  limit_message(w, ARTEMIS_E_NOMEM, error);
  destroy(w);
  return ARTEMIS_E_NOMEM;
}

/* The common open: with `adopt` set, *adopt is taken over (and set to NULL) as soon as the
 * writer exists; otherwise the sink is opened after everything else succeeded (so a
 * rejected schema creates no file and starts no upload): by `open_sink` if given, else the
 * atomic file sink at `path`. Without the file sink, `path` is only a label. */
static int open_writer(artemis_writer** out, const char* path, artemis_sink** adopt, artemis_sink_open_fn open_sink,
                       void* open_context, const struct ArrowSchema* schema, const artemis_writer_options* options,
                       artemis_error* error) {
  artemis_error_clear(error);
  if (!out || !path || !schema) return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "out, path and schema must not be NULL");
  *out = NULL;
  artemis_writer_options defaults;
  if (!options) {
    artemis_writer_options_init(&defaults);
    options = &defaults;
  }
  ARTEMIS_RETURN_NOT_OK(validate_options(options, error));
  if (!schema->format || schema->release == NULL)
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "schema is released or has no format");
  if (strcmp(schema->format, "+s") != 0)
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "schema must be a struct (\"+s\"), got \"%s\"", schema->format);
  if (schema->n_children <= 0 || !schema->children)
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "schema has no columns");
  if (schema->n_children > 32767)
    return artemis_set_error(error, ARTEMIS_E_LIMIT, "schema has %lld columns; at most 32767 are supported",
                             (long long)schema->n_children);

  const artemis_allocator* allocator = options->allocator ? options->allocator : artemis_default_allocator();
  artemis_writer* w = allocator->alloc(allocator->ctx, sizeof *w);
  if (!w) return artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory while opening the writer");
  memset(w, 0, sizeof *w);
  if (adopt) {
    w->sink = *adopt; /* destroy() discards it from here on */
    *adopt = NULL;
  }
  w->allocator = allocator;
  artemis_mem_init(&w->mem, allocator);
  artemis_mem_set_limit(&w->mem, options->memory_limit_bytes);
  w->options = *options;
  w->options.columns = NULL; /* borrowed during open only */
  w->options.column_count = 0;
  clock_gettime(CLOCK_MONOTONIC, &w->opened_at);
  artemis_buf_init(&w->column_indexes, &w->mem);
  artemis_buf_init(&w->offset_indexes, &w->mem);
  w->ncols = (size_t)schema->n_children;
  w->path = artemis_mem_strdup(&w->mem, path);
  w->names = artemis_mem_calloc(&w->mem, w->ncols, sizeof *w->names);
  w->types = artemis_mem_calloc(&w->mem, w->ncols, sizeof *w->types);
  w->views = artemis_mem_calloc(&w->mem, w->ncols, sizeof *w->views);
  w->columns = artemis_mem_calloc(&w->mem, w->ncols, sizeof *w->columns);
  w->summary = artemis_mem_calloc(&w->mem, w->ncols, sizeof *w->summary);
  w->column_errors = artemis_mem_calloc(&w->mem, w->ncols, sizeof *w->column_errors);
  w->column_status = artemis_mem_calloc(&w->mem, w->ncols, sizeof *w->column_status);
  w->column_fell_back = artemis_mem_calloc(&w->mem, w->ncols, sizeof *w->column_fell_back);
  w->column_cost_ns = artemis_mem_calloc(&w->mem, w->ncols * 2, sizeof *w->column_cost_ns);
  w->column_order = artemis_mem_calloc(&w->mem, w->ncols, sizeof *w->column_order);
  if (!w->column_cost_ns || !w->column_order ||!w->path || !w->names || !w->types || !w->views || !w->columns || !w->summary || !w->column_errors ||
      !w->column_status || !w->column_fell_back)
    return open_nomem(w, error);

  for (size_t c = 0; c < w->ncols; c++) {
    const struct ArrowSchema* field = schema->children[c];
    int rc = artemis_arrow_type_parse(field, (int64_t)c, &w->types[c], error);
    if (rc != ARTEMIS_OK) {
      destroy(w);
      return rc;
    }
    if (!field->name || !field->name[0]) {
      destroy(w);
      return artemis_set_error_at(error, ARTEMIS_E_UNSUPPORTED, (int64_t)c, -1, -1,
                                  "column %zu has an empty name; Parquet column paths need a name", c);
    }
    for (size_t k = 0; k < c; k++) {
      if (strcmp(w->names[k], field->name) == 0) {
        destroy(w);
        return artemis_set_error_at(error, ARTEMIS_E_UNSUPPORTED, (int64_t)c, -1, -1,
                                    "columns %zu and %zu are both named \"%s\"; Parquet column paths must be unique", k, c,
                                    field->name);
      }
    }
    w->names[c] = artemis_mem_strdup(&w->mem, field->name);
    w->summary[c].name = artemis_mem_strdup(&w->mem, field->name);
    if (!w->names[c] || !w->summary[c].name) return open_nomem(w, error);
    w->summary[c].physical_type = w->types[c].physical_type;
  }

  int64_t metadata_bytes = artemis_arrow_metadata_size(schema->metadata);
  if (metadata_bytes < 0) {
    destroy(w);
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                             "schema metadata is malformed (a negative count or length, or more than 64 MiB)");
  }
  if (metadata_bytes > 4) {
    w->schema_metadata = artemis_mem_alloc(&w->mem, (size_t)metadata_bytes);
    if (!w->schema_metadata) return open_nomem(w, error);
    memcpy(w->schema_metadata, schema->metadata, (size_t)metadata_bytes);
    w->schema_metadata_len = (size_t)metadata_bytes;
  }

  /* Resolve the encoding map against the types (a temporary copy of the entries). */
  w->options.columns = options->columns;
  w->options.column_count = options->column_count;
  artemis_column_encoding* chosen = artemis_mem_calloc(&w->mem, w->ncols, sizeof *chosen);
  if (!chosen) return open_nomem(w, error);
  int rc = resolve_encodings(w, chosen, error);
  w->options.columns = NULL;
  w->options.column_count = 0;
  if (rc != ARTEMIS_OK) {
    artemis_mem_free(&w->mem, chosen);
    destroy(w);
    return rc;
  }

  /* More workers than columns would only idle. */
  w->threads = (size_t)options->threads < w->ncols ? (size_t)options->threads : w->ncols;
  w->codecs = artemis_mem_calloc(&w->mem, w->threads, sizeof *w->codecs);
  w->scratches = artemis_mem_calloc(&w->mem, w->threads, sizeof *w->scratches);
  if (!w->codecs || !w->scratches) {
    artemis_mem_free(&w->mem, chosen);
    return open_nomem(w, error);
  }
  for (size_t k = 0; k < w->threads; k++) {
    artemis_page_scratch_init(&w->scratches[k], &w->mem);
    if (artemis_codec_init(&w->codecs[k], &w->mem, options->compression, options->compression_level) != ARTEMIS_OK) {
      artemis_page_scratch_free(&w->scratches[k]);
      artemis_mem_free(&w->mem, chosen);
      return open_nomem(w, error);
    }
    w->workers_ready = k + 1;
  }
  for (size_t c = 0; c < w->ncols; c++) {
    artemis_column_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.name = w->names[c];
    cfg.index = (int64_t)c;
    cfg.type = &w->types[c];
    /* Booleans and always-null columns gain nothing from a dictionary. */
    cfg.use_dictionary = (chosen[c] == ARTEMIS_ENCODING_DEFAULT && w->types[c].physical_type != PQ_BOOLEAN &&
                          w->types[c].kind != AK_NULL) ||
                         chosen[c] == ARTEMIS_ENCODING_DICTIONARY;
    /* Adaptive: for the columns the map leaves open; use_dictionary then means "the
     * dictionary is a candidate". Null-type columns have nothing to choose. */
    cfg.adaptive = options->encoding_strategy == ARTEMIS_ENCODING_STRATEGY_ADAPTIVE &&
                   chosen[c] == ARTEMIS_ENCODING_DEFAULT && w->types[c].kind != AK_NULL;
    cfg.adaptive_sample_rows = options->adaptive_sample_rows;
    cfg.value_encoding = value_encoding_of(chosen[c]);
    cfg.page_target_bytes = options->data_page_target_bytes;
    cfg.page_max_rows = options->data_page_max_rows;
    cfg.dictionary_limit_bytes = options->dictionary_limit_bytes;
    cfg.statistics = options->statistics_enabled != 0;
    cfg.page_index = options->page_index_enabled != 0;
    cfg.truncate_bytes = options->statistics_truncate_bytes;
    if (artemis_column_writer_init(&w->columns[c], &w->mem, &w->codecs[0], &w->scratches[0], &cfg) != ARTEMIS_OK) {
      artemis_column_writer_free(&w->columns[c]);
      artemis_mem_free(&w->mem, chosen);
      return open_nomem(w, error);
    }
    w->columns_ready = c + 1;
  }
  artemis_mem_free(&w->mem, chosen);

  if (w->threads > 1) {
    if (artemis_mem_enable_locking(&w->mem) != ARTEMIS_OK) return open_nomem(w, error);
    rc = artemis_worker_pool_start(&w->pool, &w->mem, w->threads, error);
    if (rc != ARTEMIS_OK) {
      w->pool = NULL;
      limit_message(w, rc, error);
      destroy(w);
      return rc;
    }
  }

  if (w->sink)
    rc = ARTEMIS_OK;
  else if (open_sink)
    rc = open_sink(open_context, &w->mem, &w->sink, error);
  else
    rc = artemis_file_sink_open(&w->sink, path, &w->mem, options->durable, options->replace_stale_after_seconds, error);
  if (rc != ARTEMIS_OK) {
    w->sink = NULL;
    limit_message(w, rc, error);
    destroy(w);
    return rc;
  }
  /* The first write may allocate the sink's buffer (S3: one part), so a limit too small
   * for it is reported here, as a limit. */
  rc = artemis_sink_write(w->sink, "PAR1", 4, error);
  if (rc != ARTEMIS_OK) {
    limit_message(w, rc, error);
    destroy(w);
    return rc;
  }
  *out = w;
  return ARTEMIS_OK;
}

int artemis_writer_open(artemis_writer** out, const char* path, const struct ArrowSchema* schema,
                        const artemis_writer_options* options, artemis_error* error) {
  return open_writer(out, path, NULL, NULL, NULL, schema, options, error);
}

int artemis_writer_open_with_sink_opener(artemis_writer** out, const char* label, artemis_sink_open_fn open_sink,
                                         void* context, const struct ArrowSchema* schema,
                                         const artemis_writer_options* options, artemis_error* error) {
  artemis_error_clear(error);
  if (!open_sink) return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "open_sink must not be NULL");
  return open_writer(out, label, NULL, open_sink, context, schema, options, error);
}

int artemis_writer_open_with_sink(artemis_writer** out, artemis_sink* sink, const struct ArrowSchema* schema,
                                  const artemis_writer_options* options, artemis_error* error) {
  artemis_error_clear(error);
  if (!sink) return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "sink must not be NULL");
  if (sink->offset != 0) {
    /* The layout's offsets start at PAR1 = byte 0. */
    int64_t at = sink->offset;
    artemis_sink_discard(sink);
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "sink already holds %lld bytes; it must be fresh", (long long)at);
  }
  int rc = open_writer(out, "(sink)", &sink, NULL, NULL, schema, options, error);
  if (sink) artemis_sink_discard(sink); /* refused before the writer existed: still ours to free */
  return rc;
}

/* ---- row groups ---------------------------------------------------------------------- */

static int copy_stats(artemis_writer* w, const artemis_stats_encoded* src, artemis_stats_encoded* dst) {
  *dst = *src;
  dst->min = dst->max = NULL;
  if (!src->has_min_max) return ARTEMIS_OK;
  uint8_t* min = src->min_len ? artemis_mem_alloc(&w->mem, src->min_len) : NULL;
  uint8_t* max = src->max_len ? artemis_mem_alloc(&w->mem, src->max_len) : NULL;
  if ((src->min_len && !min) || (src->max_len && !max)) {
    artemis_mem_free(&w->mem, min);
    artemis_mem_free(&w->mem, max);
    return ARTEMIS_E_NOMEM;
  }
  if (min) memcpy(min, src->min, src->min_len);
  if (max) memcpy(max, src->max, src->max_len);
  dst->min = min;
  dst->max = max;
  return ARTEMIS_OK;
}

static int fail(artemis_writer* w, int rc) {
  w->failed = 1;
  return rc;
}

/* ---- per-column steps (on the worker pool when threads > 1) --------------------------- */

typedef enum { STEP_WRITE, STEP_FINISH_CHUNK } step_kind;

typedef struct column_step {
  artemis_writer* w;
  step_kind kind;
  int64_t row, rows, row_group;
} column_step;

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void run_column_step(void* context, size_t job, size_t worker) {
  const column_step* step = context;
  artemis_writer* w = step->w;
  size_t c = w->pool ? w->column_order[job] : job;
  int64_t started = w->pool ? now_ns() : 0;
  artemis_column_writer* cw = &w->columns[c];
  cw->codec = &w->codecs[worker];
  cw->scratch = &w->scratches[worker];
  artemis_error* error = &w->column_errors[c];
  w->column_fell_back[c] = 0;
  if (step->kind == STEP_WRITE)
    w->column_status[c] = artemis_column_writer_write(cw, &w->views[c], step->row, step->rows, step->row_group,
                                                      &w->column_fell_back[c], error);
  else
    w->column_status[c] = artemis_column_writer_finish_chunk(cw, step->row_group, error);
  if (w->pool) w->column_cost_ns[c * 2 + (step->kind == STEP_WRITE)] = now_ns() - started;
}

/* Longest (last time) first; ties by column index. An insertion sort: a few dozen columns. */
static void order_by_cost(artemis_writer* w, step_kind kind) {
  const int64_t* cost = w->column_cost_ns;
  int k = kind == STEP_WRITE;
  for (size_t i = 0; i < w->ncols; i++) {
    size_t c = i, j = i;
    while (j > 0 && cost[w->column_order[j - 1] * 2 + k] < cost[c * 2 + k]) {
      w->column_order[j] = w->column_order[j - 1];
      j--;
    }
    w->column_order[j] = c;
  }
}

static void emit_column_events(artemis_writer* w, size_t c, int64_t row_group) {
  artemis_column_writer* cw = &w->columns[c];
  if (cw->choice.pending) {
    cw->choice.pending = 0;
    artemis_encoding_candidate candidates[ARTEMIS_MAX_CANDIDATES];
    for (size_t i = 0; i < cw->choice.count; i++) {
      candidates[i].encoding = artemis_parquet_encoding_name(cw->choice.candidates[i]);
      candidates[i].bytes = cw->choice.bytes[i];
      candidates[i].compared_bytes = cw->choice.estimates[i];
    }
    artemis_event ev = blank_event(ARTEMIS_EVENT_ENCODING_CHOSEN);
    ev.column = w->names[c];
    ev.column_index = (int64_t)c;
    ev.row_group = row_group;
    ev.rows = cw->choice.sample_rows;
    ev.encoding = artemis_parquet_encoding_name(cw->choice.encoding);
    ev.fallback_encoding = cw->choice.encoding == PQ_ENC_RLE_DICTIONARY ? artemis_parquet_encoding_name(cw->value_encoding) : NULL;
    ev.candidates = candidates;
    ev.candidate_count = cw->choice.count;
    emit(w, &ev);
  }
  if (w->column_fell_back[c]) {
    artemis_event ev = blank_event(ARTEMIS_EVENT_DICTIONARY_FALLBACK);
    ev.column = w->names[c];
    ev.column_index = (int64_t)c;
    ev.row_group = row_group;
    emit(w, &ev);
  }
}

/* Runs one step on every column, then (on this thread, in column order, whatever the
 * thread count) emits the columns' events and reports the first column's error. */
static int run_columns(artemis_writer* w, step_kind kind, int64_t row, int64_t rows, int64_t row_group,
                       artemis_error* error) {
  column_step step = {w, kind, row, rows, row_group};
  if (w->pool) {
    order_by_cost(w, kind);
    artemis_worker_pool_run(w->pool, w->ncols, run_column_step, &step);
  } else {
    for (size_t c = 0; c < w->ncols; c++) {
      run_column_step(&step, c, 0);
      if (w->column_status[c] != ARTEMIS_OK) break;
    }
  }
  for (size_t c = 0; c < w->ncols; c++) {
    if (w->column_status[c] != ARTEMIS_OK) {
      if (error) *error = w->column_errors[c];
      return fail(w, w->column_status[c]);
    }
    emit_column_events(w, c, row_group);
  }
  return ARTEMIS_OK;
}

static int flush_row_group(artemis_writer* w, artemis_error* error) {
  if (w->rg_rows == 0) return ARTEMIS_OK;
  struct timespec started;
  clock_gettime(CLOCK_MONOTONIC, &started);
  int64_t rg_index = (int64_t)w->row_group_count;
  if (w->row_group_count == w->row_group_cap) {
    size_t cap = w->row_group_cap ? w->row_group_cap * 2 : 16;
    row_group_record* grown = artemis_mem_realloc(&w->mem, w->row_groups, cap * sizeof *grown);
    if (!grown) return fail(w, artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory flushing row group %lld", (long long)rg_index));
    w->row_groups = grown;
    w->row_group_cap = cap;
  }
  row_group_record* rg = &w->row_groups[w->row_group_count];
  memset(rg, 0, sizeof *rg);
  w->row_group_count++; /* counted now so that free_row_groups releases partial state */
  rg->chunks = artemis_mem_calloc(&w->mem, w->ncols, sizeof *rg->chunks);
  rg->encoding_stats = artemis_mem_calloc(&w->mem, w->ncols * MAX_ENCODING_STATS, sizeof *rg->encoding_stats);
  rg->stats = artemis_mem_calloc(&w->mem, w->ncols, sizeof *rg->stats);
  if (!rg->chunks || !rg->encoding_stats || !rg->stats)
    return fail(w, artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory flushing row group %lld", (long long)rg_index));
  rg->num_rows = w->rg_rows;
  rg->file_offset = w->sink->offset;

  ARTEMIS_RETURN_NOT_OK(run_columns(w, STEP_FINISH_CHUNK, 0, 0, rg_index, error));
  for (size_t c = 0; c < w->ncols; c++) {
    artemis_column_writer* cw = &w->columns[c];
    int rc;
    artemis_pq_column_chunk* chunk = &rg->chunks[c];
    int64_t chunk_start = w->sink->offset;
    chunk->type = w->types[c].physical_type;
    chunk->path = w->names[c];
    chunk->codec = w->options.compression == ARTEMIS_COMPRESSION_ZSTD ? 6 : 0;
    chunk->num_values = cw->chunk_rows;
    chunk->total_uncompressed_size = cw->chunk_uncompressed;
    chunk->total_compressed_size = cw->chunk_compressed;
    chunk->dictionary_page_offset = cw->dict_page.len ? chunk_start : -1;
    chunk->data_page_offset = chunk_start + (int64_t)cw->dict_page.len;
    chunk->encodings = artemis_column_writer_encodings(cw);
    chunk->encoding_stats = &rg->encoding_stats[c * MAX_ENCODING_STATS];
    chunk->encoding_stats_count =
        artemis_column_writer_encoding_stats(cw, &rg->encoding_stats[c * MAX_ENCODING_STATS], MAX_ENCODING_STATS);
    chunk->offset_index_offset = chunk->column_index_offset = -1;
    if (w->options.statistics_enabled) {
      artemis_stats_encoded st;
      if (artemis_column_writer_chunk_stats(cw, &st) != ARTEMIS_OK || copy_stats(w, &st, &rg->stats[c]) != ARTEMIS_OK)
        return fail(w, artemis_set_error_at(error, ARTEMIS_E_NOMEM, (int64_t)c, rg_index, -1, "out of memory"));
      chunk->statistics = &rg->stats[c];
    }
    if (cw->dict_page.len) {
      rc = artemis_sink_write(w->sink, cw->dict_page.data, cw->dict_page.len, error);
      if (rc != ARTEMIS_OK) return fail(w, rc);
    }
    rc = artemis_sink_write(w->sink, cw->pages.data, cw->pages.len, error);
    if (rc != ARTEMIS_OK) return fail(w, rc);
    if ((int64_t)(cw->dict_page.len + cw->pages.len) != cw->chunk_compressed)
      return fail(w, artemis_set_error_at(error, ARTEMIS_E_INTERNAL, (int64_t)c, rg_index, chunk_start,
                                          "internal: chunk size accounting mismatch"));
    /* Page index blobs; their offsets are relative to the blob buffers until close. */
    if (w->options.page_index_enabled) {
      size_t before = w->column_indexes.len;
      int written = 0;
      if (artemis_column_writer_column_index(cw, &w->column_indexes, &written) != ARTEMIS_OK)
        return fail(w, artemis_set_error_at(error, ARTEMIS_E_NOMEM, (int64_t)c, rg_index, -1, "out of memory"));
      if (written) {
        chunk->column_index_offset = (int64_t)before;
        chunk->column_index_length = (int32_t)(w->column_indexes.len - before);
      }
      before = w->offset_indexes.len;
      if (artemis_column_writer_offset_index(cw, chunk->data_page_offset, &w->offset_indexes) != ARTEMIS_OK)
        return fail(w, artemis_set_error_at(error, ARTEMIS_E_NOMEM, (int64_t)c, rg_index, -1, "out of memory"));
      chunk->offset_index_offset = (int64_t)before;
      chunk->offset_index_length = (int32_t)(w->offset_indexes.len - before);
    }
    rg->total_byte_size += chunk->total_uncompressed_size;
    rg->total_compressed_size += chunk->total_compressed_size;

    artemis_column_summary* s = &w->summary[c];
    s->encodings |= chunk->encodings;
    for (int e = 0; e < 10; e++) {
      if (cw->data_pages_by_encoding[e]) s->data_page_encodings |= 1u << e;
      s->data_pages += cw->data_pages_by_encoding[e];
    }
    s->dictionary_fallbacks += cw->fell_back;
    s->null_count += cw->chunk_null_count;
    s->compressed_bytes += chunk->total_compressed_size;
    s->uncompressed_bytes += chunk->total_uncompressed_size;
    artemis_column_writer_reset_chunk(cw);
  }

  artemis_event ev = blank_event(ARTEMIS_EVENT_ROW_GROUP_FLUSHED);
  ev.row_group = rg_index;
  ev.rows = rg->num_rows;
  ev.compressed_bytes = rg->total_compressed_size;
  ev.uncompressed_bytes = rg->total_byte_size;
  ev.elapsed_ms = elapsed_ms(&started);
  emit(w, &ev);
  w->rg_rows = 0;
  w->rg_arrow_bytes = 0;
  return ARTEMIS_OK;
}

/* ---- write --------------------------------------------------------------------------- */

static int write_batch(artemis_writer* w, const struct ArrowArray* batch, artemis_error* error);

int artemis_writer_write(artemis_writer* w, const struct ArrowArray* batch, artemis_error* error) {
  if (w) w->mem.limit_hit = 0; /* only a refusal during this call explains its NOMEM */
  int rc = write_batch(w, batch, error);
  return w ? limit_message(w, rc, error) : rc;
}

static int write_batch(artemis_writer* w, const struct ArrowArray* batch, artemis_error* error) {
  artemis_error_clear(error);
  if (!w) return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "writer is NULL");
  if (w->failed)
    return artemis_set_error(error, ARTEMIS_E_STATE, "the writer failed earlier; abort it (nothing will be published)");
  int64_t rows = 0;
  ARTEMIS_RETURN_NOT_OK(artemis_batch_view(batch, w->types, (const char* const*)w->names, w->ncols, w->views, &rows, error));
  if (rows == 0) return ARTEMIS_OK;

  /* Slice so that a row group closes as soon as its Arrow size reaches the target, even
   * inside one large batch: the memory bound must not depend on the caller's batch size. */
  int64_t batch_bytes = 0;
  for (size_t c = 0; c < w->ncols; c++) {
    int64_t b = artemis_column_arrow_bytes(&w->views[c], &w->types[c], 0, rows);
    batch_bytes = b > INT64_MAX - batch_bytes ? INT64_MAX : batch_bytes + b;
  }
  int64_t bytes_per_row = batch_bytes / rows > 0 ? batch_bytes / rows : 1;
  /* For the adaptive strategy's dictionary projection: rows a full row group will hold. */
  int64_t rows_per_row_group = w->options.row_group_target_bytes / bytes_per_row;
  for (size_t c = 0; c < w->ncols; c++) w->columns[c].expected_chunk_rows = rows_per_row_group > 0 ? rows_per_row_group : 1;
  int64_t row = 0;
  while (row < rows) {
    int64_t budget = w->options.row_group_target_bytes - w->rg_arrow_bytes;
    int64_t take = budget <= 0 ? 1 : budget / bytes_per_row + (budget % bytes_per_row != 0); /* no overflow near INT64_MAX */
    if (take > rows - row) take = rows - row;
    int64_t rg_index = (int64_t)w->row_group_count;
    ARTEMIS_RETURN_NOT_OK(run_columns(w, STEP_WRITE, row, take, rg_index, error));
    for (size_t c = 0; c < w->ncols; c++) {
      int64_t b = artemis_column_arrow_bytes(&w->views[c], &w->types[c], row, take);
      w->rg_arrow_bytes = b > INT64_MAX - w->rg_arrow_bytes ? INT64_MAX : w->rg_arrow_bytes + b;
    }
    w->rg_rows += take;
    w->rows += take;
    row += take;
    if (w->rg_arrow_bytes >= w->options.row_group_target_bytes) ARTEMIS_RETURN_NOT_OK(flush_row_group(w, error));
  }
  return ARTEMIS_OK;
}

/* ---- close --------------------------------------------------------------------------- */

static artemis_pq_schema_element leaf_element(const artemis_writer* w, size_t c) {
  const artemis_arrow_type* t = &w->types[c];
  artemis_pq_schema_element e;
  memset(&e, 0, sizeof e);
  e.name = w->names[c];
  e.type = t->physical_type;
  e.type_length = t->type_length;
  e.repetition = t->nullable ? PQ_OPTIONAL : PQ_REQUIRED;
  e.num_children = -1;
  e.converted_type = t->converted_type;
  e.scale = e.precision = -1;
  if (t->kind == AK_DECIMAL) {
    e.scale = t->scale;
    e.precision = t->precision;
  }
  e.logical.kind = t->lt_kind;
  e.logical.scale = t->scale;
  e.logical.precision = t->precision;
  e.logical.is_adjusted_to_utc = t->lt_utc;
  e.logical.unit = t->lt_unit;
  e.logical.bit_width = (int8_t)t->lt_bit_width;
  e.logical.is_signed = t->lt_signed;
  return e;
}

static int write_footer(artemis_writer* w, artemis_error* error) {
  /* Page indexes: all ColumnIndex blobs, then all OffsetIndex blobs. */
  int64_t ci_base = w->sink->offset;
  ARTEMIS_RETURN_NOT_OK(artemis_sink_write(w->sink, w->column_indexes.data, w->column_indexes.len, error));
  int64_t oi_base = w->sink->offset;
  ARTEMIS_RETURN_NOT_OK(artemis_sink_write(w->sink, w->offset_indexes.data, w->offset_indexes.len, error));

  artemis_pq_schema_element* schema = artemis_mem_calloc(&w->mem, w->ncols + 1, sizeof *schema);
  artemis_pq_row_group* groups = w->row_group_count ? artemis_mem_calloc(&w->mem, w->row_group_count, sizeof *groups) : NULL;
  artemis_pq_key_value* kvs = NULL;
  artemis_buf footer;
  artemis_buf_init(&footer, &w->mem);
  int rc = ARTEMIS_OK;
  if (!schema || (w->row_group_count && !groups)) {
    rc = artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory writing the footer");
    goto done;
  }
  schema[0].name = "schema";
  schema[0].type = -1;
  schema[0].type_length = -1;
  schema[0].repetition = -1;
  schema[0].num_children = (int32_t)w->ncols;
  schema[0].converted_type = -1;
  schema[0].scale = schema[0].precision = -1;
  for (size_t c = 0; c < w->ncols; c++) schema[c + 1] = leaf_element(w, c);
  for (size_t i = 0; i < w->row_group_count; i++) {
    row_group_record* rg = &w->row_groups[i];
    for (size_t c = 0; c < w->ncols; c++) {
      artemis_pq_column_chunk* chunk = &rg->chunks[c];
      if (chunk->column_index_offset >= 0) chunk->column_index_offset += ci_base;
      if (chunk->offset_index_offset >= 0) chunk->offset_index_offset += oi_base;
    }
    /* RowGroup.ordinal is an optional i16: left out past 32767 row groups. */
    int16_t ordinal = i <= INT16_MAX ? (int16_t)i : -1;
    groups[i] = (artemis_pq_row_group){rg->chunks, w->ncols, rg->total_byte_size, rg->num_rows,
                                       rg->file_offset, rg->total_compressed_size, ordinal};
  }
  size_t kv_count = 0;
  if (w->schema_metadata) {
    int32_t n;
    memcpy(&n, w->schema_metadata, 4);
    kv_count = (size_t)n;
    if (kv_count) {
      kvs = artemis_mem_calloc(&w->mem, kv_count, sizeof *kvs);
      if (!kvs) {
        rc = artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory writing the footer");
        goto done;
      }
      const char* p = w->schema_metadata + 4; /* sizes were checked at open */
      for (size_t i = 0; i < kv_count; i++) {
        int32_t len;
        memcpy(&len, p, 4);
        kvs[i].key = p + 4;
        kvs[i].key_len = (size_t)len;
        p += 4 + len;
        memcpy(&len, p, 4);
        kvs[i].value = p + 4;
        kvs[i].value_len = (size_t)len;
        p += 4 + len;
      }
    }
  }
  artemis_pq_file_metadata meta = {schema, w->ncols + 1, w->rows, groups, w->row_group_count, kvs, kv_count, CREATED_BY, w->ncols};
  if (artemis_pq_write_file_metadata(&meta, &footer) != ARTEMIS_OK || artemis_buf_append_u32le(&footer, (uint32_t)footer.len) != ARTEMIS_OK ||
      artemis_buf_append(&footer, "PAR1", 4) != ARTEMIS_OK) {
    rc = artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory writing the footer");
    goto done;
  }
  if (footer.len - 8 > UINT32_MAX) {
    rc = artemis_set_error(error, ARTEMIS_E_LIMIT, "footer exceeds 4 GiB");
    goto done;
  }
  rc = artemis_sink_write(w->sink, footer.data, footer.len, error);
done:
  artemis_buf_free(&footer);
  artemis_mem_free(&w->mem, schema);
  artemis_mem_free(&w->mem, groups);
  artemis_mem_free(&w->mem, kvs);
  return rc;
}

static int build_summary(artemis_writer* w, int64_t file_bytes, artemis_write_summary** out) {
  /* The summary outlives the writer (and possibly its allocator): it is plain malloc memory,
   * freed by artemis_write_summary_free. */
  artemis_write_summary* s = calloc(1, sizeof *s);
  if (!s) return ARTEMIS_E_NOMEM;
  s->columns = calloc(w->ncols, sizeof *s->columns);
  s->path = strdup(w->path);
  if (!s->columns || !s->path) {
    artemis_write_summary_free(s);
    return ARTEMIS_E_NOMEM;
  }
  s->column_count = w->ncols;
  s->rows = w->rows;
  s->row_groups = (int64_t)w->row_group_count;
  s->file_bytes = file_bytes;
  s->memory_peak_bytes = w->mem.peak_bytes;
  s->threads = (int)w->threads;
  s->stale_inprogress_replaced = w->sink->stale_replaced;
  for (size_t c = 0; c < w->ncols; c++) {
    s->columns[c] = w->summary[c];
    s->columns[c].name = strdup(w->summary[c].name);
    if (!s->columns[c].name) {
      artemis_write_summary_free(s);
      return ARTEMIS_E_NOMEM;
    }
    s->compressed_bytes += w->summary[c].compressed_bytes;
    s->uncompressed_bytes += w->summary[c].uncompressed_bytes;
  }
  *out = s;
  return ARTEMIS_OK;
}

int artemis_writer_close(artemis_writer* w, artemis_write_summary** out_summary, artemis_error* error) {
  artemis_error_clear(error);
  if (out_summary) *out_summary = NULL;
  if (!w) return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "writer is NULL");
  if (w->failed) {
    destroy(w);
    return artemis_set_error(error, ARTEMIS_E_STATE, "the writer failed earlier; the output was discarded");
  }
  w->mem.limit_hit = 0;
  int rc = flush_row_group(w, error);
  if (rc == ARTEMIS_OK) rc = write_footer(w, error);
  if (rc != ARTEMIS_OK) {
    limit_message(w, rc, error);
    destroy(w);
    return rc;
  }
  int64_t file_bytes = w->sink->offset;
  /* Built before publishing: once the file is visible, close must not fail any more. */
  artemis_write_summary* summary = NULL;
  if (out_summary && build_summary(w, file_bytes, &summary) != ARTEMIS_OK) {
    destroy(w);
    return artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory building the summary; nothing was published");
  }
  artemis_sink* sink = w->sink;
  w->sink = NULL; /* publish frees the sink whatever happens */
  rc = artemis_sink_publish(sink, error);
  if (rc != ARTEMIS_OK) {
    artemis_write_summary_free(summary);
    limit_message(w, rc, error);
    destroy(w);
    return rc;
  }
  artemis_event ev = blank_event(ARTEMIS_EVENT_FILE_PUBLISHED);
  ev.path = w->path;
  ev.rows = w->rows;
  ev.row_group = (int64_t)w->row_group_count;
  ev.file_bytes = file_bytes;
  ev.elapsed_ms = elapsed_ms(&w->opened_at);
  emit(w, &ev);
  if (out_summary) *out_summary = summary;
  destroy(w);
  return ARTEMIS_OK;
}

void artemis_writer_abort(artemis_writer* w) { destroy(w); }

void artemis_write_summary_free(artemis_write_summary* s) {
  if (!s) return;
  for (size_t c = 0; s->columns && c < s->column_count; c++) free(s->columns[c].name);
  free(s->columns);
  free(s->path);
  free(s);
}

int64_t artemis_writer_rows(const artemis_writer* w) { return w ? w->rows : 0; }

void artemis_writer_memory(const artemis_writer* w, int64_t* live, int64_t* peak) {
  if (live) *live = w ? w->mem.live_bytes : 0;
  if (peak) *peak = w ? w->mem.peak_bytes : 0;
}
