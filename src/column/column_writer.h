/* One column chunk in the making: accumulates a data page of normalized values, encodes,
 * compresses and serializes it (header + body) into the chunk's in-memory page list when
 * it is full, keeps the dictionary (and falls back when it passes its limit), and tracks
 * statistics and page-index entries. The file writer copies the finished chunk to the sink.
 *
 * Why pages are kept in memory until the row group ends: a chunk's pages must be
 * contiguous in the file and the dictionary page must precede them, but the dictionary is
 * final only when the chunk ends. Only compressed pages are held (PARQUET-CHECKLIST §2). */
#ifndef ARTEMIS_COLUMN_COLUMN_WRITER_H
#define ARTEMIS_COLUMN_COLUMN_WRITER_H

#include <stdint.h>
#include "arrow/arrow_type.h"
#include "arrow/batch_view.h"
#include "compress/codec.h"
#include "core/buffer.h"
#include "encoding/dictionary.h"
#include "stats/statistics.h"
#include "thrift/parquet_metadata.h"

/* Working memory for encoding and compressing one page. A worker thread encodes one
 * column at a time, so each worker has one set (page-sized, not column-count-sized);
 * the file writer points `scratch` and `codec` at the worker's before each job. */
typedef struct artemis_page_scratch {
  artemis_buf body;       /* levels + encoded values of the page being closed */
  artemis_buf compressed;
  artemis_buf header;
  artemis_buf dba;        /* DELTA_BYTE_ARRAY prefix/suffix arrays */
  artemis_buf stat_min, stat_max;
} artemis_page_scratch;

void artemis_page_scratch_init(artemis_page_scratch* scratch, artemis_mem* mem);
void artemis_page_scratch_free(artemis_page_scratch* scratch);

typedef struct artemis_column_config {
  const char* name;
  int64_t index;
  const artemis_arrow_type* type;
  int value_encoding;       /* PQ_ENC_* used for data pages without (or after) a dictionary */
  int use_dictionary;       /* start each chunk with RLE_DICTIONARY (adaptive: a dictionary is a candidate) */
  int adaptive;             /* choose the encoding per chunk by trial (ARTEMIS_ENCODING_STRATEGY_ADAPTIVE) */
  int64_t adaptive_sample_rows;
  int64_t page_target_bytes;
  int64_t page_max_rows;
  int64_t dictionary_limit_bytes;
  int statistics;
  int page_index;
  int32_t truncate_bytes;
} artemis_column_config;

/* The adaptive strategy's decision for the current chunk, kept for the encoding_chosen
 * event (the file writer emits it on the caller's thread, then clears `pending`). */
#define ARTEMIS_MAX_CANDIDATES 4
typedef struct artemis_encoding_choice {
  int pending;
  int encoding;              /* PQ_ENC_* chosen (RLE_DICTIONARY for the dictionary) */
  int64_t sample_rows;
  size_t count;
  int candidates[ARTEMIS_MAX_CANDIDATES]; /* PQ_ENC_* */
  int64_t bytes[ARTEMIS_MAX_CANDIDATES];  /* compressed bytes of the sample, headers included */
  int64_t estimates[ARTEMIS_MAX_CANDIDATES]; /* what was compared (the dictionary projected to the chunk) */
} artemis_encoding_choice;

typedef struct artemis_column_writer {
  artemis_mem* mem;
  artemis_codec* codec;
  artemis_column_config cfg;
  int optional;

  /* The page being filled. */
  artemis_buf levels;       /* one byte per row (optional columns only) */
  artemis_buf values;       /* fixed values, or concatenated byte-array bytes */
  artemis_buf lengths;      /* byte-array lengths (u32) */
  artemis_buf indices;      /* dictionary indices (u32) */
  int64_t page_rows;
  int64_t page_non_null;
  artemis_stats page_stats;
  /* Byte-array dictionary columns take page min/max from the page's distinct entries:
   * page_seen[i] == page_serial when entry i already counted in this page. */
  artemis_buf page_seen;
  uint32_t page_serial;

  /* The chunk. */
  int value_encoding;       /* PQ_ENC_* of non-dictionary pages in this chunk */
  int deciding;             /* adaptive: the sample is being collected as plain values */
  int64_t expected_chunk_rows; /* adaptive: the file writer's estimate of this chunk's rows */
  artemis_encoding_choice choice;
  int dict_active;          /* values go to the dictionary */
  int dict_page_ready;      /* dict_page holds the final dictionary page */
  artemis_dict dict;
  artemis_buf dict_page;    /* serialized dictionary page (header + compressed body) */
  artemis_buf pages;        /* serialized data pages */
  int64_t chunk_rows;
  int64_t chunk_null_count;
  int64_t chunk_uncompressed;  /* headers + uncompressed bodies (dict page included) */
  int64_t chunk_compressed;    /* headers + compressed bodies (dict page included) */
  int32_t data_pages_by_encoding[10]; /* index = PQ_ENC_* */
  int64_t dict_pages_written;  /* data pages encoded RLE_DICTIONARY in this chunk */
  int fell_back;               /* this chunk's dictionary fell back */
  artemis_stats chunk_stats;
  artemis_buf page_locations;  /* artemis_pq_page_location, offsets relative to `pages` */
  artemis_buf column_index;    /* page-index pieces: per page null flag, null count, min, max */

  /* Scratch. */
  artemis_gather_scratch gather;
  artemis_page_scratch* scratch; /* shared by the writer's columns */
} artemis_column_writer;

int artemis_column_writer_init(artemis_column_writer* cw, artemis_mem* mem, artemis_codec* codec,
                               artemis_page_scratch* scratch, const artemis_column_config* cfg);
void artemis_column_writer_free(artemis_column_writer* cw);

/* Appends rows [row, row+n) of a validated column view. *fell_back is set to 1 if the
 * dictionary fell back during this call (for the event). */
int artemis_column_writer_write(artemis_column_writer* cw, const artemis_column_view* view, int64_t row,
                                int64_t n, int64_t row_group, int* fell_back, artemis_error* error);

/* Closes the last page and the dictionary page. Afterwards dict_page + pages are the
 * chunk's bytes, in that order. */
int artemis_column_writer_finish_chunk(artemis_column_writer* cw, int64_t row_group, artemis_error* error);

/* Encoded chunk statistics (valid until the next reset). ARTEMIS_OK or NOMEM. */
int artemis_column_writer_chunk_stats(artemis_column_writer* cw, artemis_stats_encoded* out);

/* Serializes this chunk's ColumnIndex into `out` (appends). *written is 0 when no index is
 * written (disabled, or a float page holding only NaN values). */
int artemis_column_writer_column_index(artemis_column_writer* cw, artemis_buf* out, int* written);
/* Serializes the OffsetIndex with page offsets made absolute by `pages_file_offset`. */
int artemis_column_writer_offset_index(artemis_column_writer* cw, int64_t pages_file_offset, artemis_buf* out);

uint32_t artemis_column_writer_encodings(const artemis_column_writer* cw);
/* Fills up to `cap` encoding-stats entries (dictionary page first); returns the count. */
size_t artemis_column_writer_encoding_stats(const artemis_column_writer* cw, artemis_pq_encoding_stats* out, size_t cap);

/* Forgets the chunk (after it was written) and starts a fresh one with a fresh dictionary. */
void artemis_column_writer_reset_chunk(artemis_column_writer* cw);

#endif
