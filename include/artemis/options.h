/* Writer configuration: the per-column encoding map (with the canonical Artemis preset),
 * row-group target, codec and level, page and dictionary limits, statistics, events and
 * the allocator.
 *
 * Usage:
 *   artemis_writer_options opts;
 *   artemis_writer_options_init(&opts);            // defaults, no per-column map
 *   artemis_writer_options_use_artemis_preset(&opts); // the briefing's encoding map
 *
 * The options struct is versioned: always call artemis_writer_options_init() first so
 * fields added in later versions get their defaults. The writer copies everything it
 * needs at open; the struct and the strings it points to may be freed afterwards. */
#ifndef ARTEMIS_OPTIONS_H
#define ARTEMIS_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include "artemis/alloc.h"
#include "artemis/events.h"
#include "artemis/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the writer does with a column's values. */
typedef enum artemis_column_encoding {
  /* Dictionary (RLE_DICTIONARY) where the type allows it, else PLAIN; PLAIN after a
   * dictionary fallback. This is what columns not named in the map get. */
  ARTEMIS_ENCODING_DEFAULT = 0,
  ARTEMIS_ENCODING_PLAIN = 1,
  ARTEMIS_ENCODING_DICTIONARY = 2,          /* RLE_DICTIONARY, falls back to PLAIN */
  ARTEMIS_ENCODING_DELTA_BINARY_PACKED = 3, /* INT32/INT64 physical types */
  ARTEMIS_ENCODING_BYTE_STREAM_SPLIT = 4,   /* FLOAT/DOUBLE (the types every reader decodes it for) */
  ARTEMIS_ENCODING_DELTA_LENGTH_BYTE_ARRAY = 5, /* BYTE_ARRAY (strings, binary) */
  ARTEMIS_ENCODING_DELTA_BYTE_ARRAY = 6         /* BYTE_ARRAY (strings, binary) */
} artemis_column_encoding;

typedef enum artemis_compression {
  ARTEMIS_COMPRESSION_UNCOMPRESSED = 0,
  ARTEMIS_COMPRESSION_ZSTD = 6 /* = parquet CompressionCodec.ZSTD */
} artemis_compression;

/* Entry flag: apply only if the schema has this column (used by presets so one preset
 * serves any schema). Without it, naming a column the schema lacks is ARTEMIS_E_CONFIG. */
#define ARTEMIS_COLUMN_IF_PRESENT 1u

typedef struct artemis_column_option {
  const char* column;               /* top-level field name, exact match */
  artemis_column_encoding encoding;
  unsigned flags;                   /* ARTEMIS_COLUMN_* */
} artemis_column_option;

/* How columns the encoding map leaves at ARTEMIS_ENCODING_DEFAULT get their encoding. */
typedef enum artemis_encoding_strategy {
  /* The map decides; unnamed columns get a dictionary (PLAIN fallback). */
  ARTEMIS_ENCODING_STRATEGY_MAP = 0,
  /* Per column chunk, the first `adaptive_sample_rows` rows of the chunk are trial-encoded
   * (page headers, levels and ZSTD at the configured level included) with every encoding
   * valid for the type: PLAIN and DICTIONARY for all; DELTA_BINARY_PACKED for INT32/INT64;
   * BYTE_STREAM_SPLIT for FLOAT/DOUBLE; DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY for
   * BYTE_ARRAY. The smallest wins; the smallest non-dictionary one is the dictionary's
   * fallback. Each choice is reported as an ARTEMIS_EVENT_ENCODING_CHOSEN event with every
   * candidate's size. Columns the map names keep the map's encoding. */
  ARTEMIS_ENCODING_STRATEGY_ADAPTIVE = 1
} artemis_encoding_strategy;

#define ARTEMIS_WRITER_OPTIONS_VERSION 2

typedef struct artemis_writer_options {
  uint32_t version; /* ARTEMIS_WRITER_OPTIONS_VERSION */

  /* Flush a row group when the Arrow in-memory size of the buffered rows reaches this.
   * Batches are sliced so one large batch cannot overshoot. Default 128 MiB. */
  int64_t row_group_target_bytes;
  /* Close a data page when its encoded values reach this many bytes... (default 1 MiB) */
  int64_t data_page_target_bytes;
  /* ...or this many rows (default 20,000). */
  int64_t data_page_max_rows;
  /* A column's dictionary falls back when its PLAIN size reaches this (default 1 MiB). */
  int64_t dictionary_limit_bytes;

  artemis_compression compression; /* default ZSTD */
  int compression_level;           /* ZSTD level, default 3 */

  int statistics_enabled;     /* chunk + page statistics, default 1 */
  int page_index_enabled;     /* ColumnIndex + OffsetIndex, default 1 */
  int32_t statistics_truncate_bytes; /* byte-array min/max longer than this are truncated; default 64 */

  /* Per-column encoding map. Borrowed during open only. Later entries for the same
   * column override earlier ones. */
  const artemis_column_option* columns;
  size_t column_count;

  /* Events (row_group_flushed, dictionary_fallback, file_published). NULL = none. */
  artemis_event_fn on_event;
  void* event_payload;

  /* Allocator for everything the writer holds. NULL = malloc. Must outlive the writer. */
  const artemis_allocator* allocator;

  /* fsync the file and its directory when publishing. Default 1. Turning it off keeps
   * the atomic rename but loses durability across power loss: for benchmarks only. */
  int durable;

  /* Added in version 2. */
  artemis_encoding_strategy encoding_strategy; /* default ARTEMIS_ENCODING_STRATEGY_MAP */
  int64_t adaptive_sample_rows; /* rows trial-encoded per column chunk, default 16,384 (1..2^30) */
  /* Threads that encode and compress columns: 1 (default) works on the calling thread
   * only; N > 1 starts N-1 worker threads at open, which take whole columns of each
   * batch slice (and of each row-group flush) while the caller's thread takes its share.
   * The output bytes do not depend on the thread count. With N > 1 the allocator is still
   * called under the writer's lock (one call at a time), and events are still delivered
   * on the calling thread, in column order. Memory grows by one compression context and
   * one page of scratch per extra thread. 1..256. */
  int threads;
  /* Hard cap on the bytes the writer holds through its allocator at once (the tracked
   * bytes of artemis_writer_memory(), libzstd's contexts included). 0 (default) = none.
   * An allocation that would go above it fails like an allocator failure: the call returns
   * ARTEMIS_E_NOMEM with "memory limit of N bytes reached" in the message, and the writer
   * must be aborted (nothing is published). Must be >= 0. */
  int64_t memory_limit_bytes;
  /* A "<path>.inprogress" found at open, left by a crashed or concurrent writer: -1
   * (default) = never touch it, open fails with ARTEMIS_E_CONFLICT; N >= 0 = remove it and
   * create ours, but only if it is a regular file (not a symlink), no process holds its
   * flock (every live writer does) and its mtime is more than N seconds old; otherwise
   * ARTEMIS_E_CONFLICT naming the reason. The summary's stale_inprogress_replaced reports a
   * replacement. Keep N well above 0: a starting writer's file is unlocked for an instant
   * (that race is still safe: the starting writer then fails with a conflict). */
  int64_t replace_stale_after_seconds;
} artemis_writer_options;

/* Fills `options` with the defaults listed above and an empty column map. */
ARTEMIS_API void artemis_writer_options_init(artemis_writer_options* options);

/* The canonical Artemis encoding map of the briefing (entries flagged IF_PRESENT):
 *   DELTA_BINARY_PACKED  sample_timestamp_ns, sequence_number
 *   BYTE_STREAM_SPLIT    panel_voltage, temperature_c, pressure_kpa
 *   DELTA_BYTE_ARRAY     archive_uri, object_path
 *   DICTIONARY           mission_id, payload_id, sensor_kind, quality_flag, notes
 * Returns a static array; `*count` receives its length. */
ARTEMIS_API const artemis_column_option* artemis_artemis_preset(size_t* count);

/* Sets options->columns / column_count to artemis_artemis_preset(). */
ARTEMIS_API void artemis_writer_options_use_artemis_preset(artemis_writer_options* options);

/* The map docs/encoding-decisions.md recommends from measurements on the canonical
 * telemetry (regenerate them with the tool named there). Entries are flagged IF_PRESENT;
 * columns it does not name get ARTEMIS_ENCODING_DEFAULT. Returns a static array;
 * `*count` receives its length (may be 0). */
ARTEMIS_API const artemis_column_option* artemis_measured_preset(size_t* count);

/* Sets options->columns / column_count to artemis_measured_preset(). */
ARTEMIS_API void artemis_writer_options_use_measured_preset(artemis_writer_options* options);

/* "PLAIN", "DICTIONARY", "DELTA_BINARY_PACKED", ... ("DEFAULT" for 0). */
ARTEMIS_API const char* artemis_column_encoding_name(artemis_column_encoding encoding);

/* Parses a name as printed by artemis_column_encoding_name (case-insensitive; also
 * accepts "RLE_DICTIONARY", "BSS", "DBP", "DLBA", "DBA"). Returns ARTEMIS_OK or
 * ARTEMIS_E_INVALID_ARGUMENT. */
ARTEMIS_API int artemis_column_encoding_parse(const char* name, artemis_column_encoding* out);

/* Name of a Parquet format Encoding enum value (0 "PLAIN", 8 "RLE_DICTIONARY", ...). */
ARTEMIS_API const char* artemis_parquet_encoding_name(int parquet_encoding);

#ifdef __cplusplus
}
#endif

#endif /* ARTEMIS_OPTIONS_H */
