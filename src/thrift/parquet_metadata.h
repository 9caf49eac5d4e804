/* Serializers for the Parquet metadata structures we write (parquet.thrift): page
 * headers, FileMetaData (schema, row groups, column chunks, column orders), ColumnIndex
 * and OffsetIndex. Plain C views in, thrift compact bytes appended to `out`.
 * Field ids and required fields: PARQUET-CHECKLIST.md section 1. Optional numeric fields
 * use -1 for "absent" unless stated otherwise. */
#ifndef ARTEMIS_THRIFT_PARQUET_METADATA_H
#define ARTEMIS_THRIFT_PARQUET_METADATA_H

#include <stddef.h>
#include <stdint.h>
#include "core/buffer.h"
#include "stats/statistics.h"
#include "thrift/compact_writer.h"

/* parquet Type */
enum { PQ_BOOLEAN = 0, PQ_INT32 = 1, PQ_INT64 = 2, PQ_INT96 = 3, PQ_FLOAT = 4, PQ_DOUBLE = 5,
       PQ_BYTE_ARRAY = 6, PQ_FIXED_LEN_BYTE_ARRAY = 7 };
/* parquet Encoding */
enum { PQ_ENC_PLAIN = 0, PQ_ENC_PLAIN_DICTIONARY = 2, PQ_ENC_RLE = 3, PQ_ENC_BIT_PACKED = 4,
       PQ_ENC_DELTA_BINARY_PACKED = 5, PQ_ENC_DELTA_LENGTH_BYTE_ARRAY = 6,
       PQ_ENC_DELTA_BYTE_ARRAY = 7, PQ_ENC_RLE_DICTIONARY = 8, PQ_ENC_BYTE_STREAM_SPLIT = 9 };
/* parquet ConvertedType */
enum { PQ_CT_UTF8 = 0, PQ_CT_DECIMAL = 5, PQ_CT_DATE = 6, PQ_CT_TIME_MILLIS = 7,
       PQ_CT_TIME_MICROS = 8, PQ_CT_TIMESTAMP_MILLIS = 9, PQ_CT_TIMESTAMP_MICROS = 10,
       PQ_CT_UINT_8 = 11, PQ_CT_UINT_16 = 12, PQ_CT_UINT_32 = 13, PQ_CT_UINT_64 = 14,
       PQ_CT_INT_8 = 15, PQ_CT_INT_16 = 16, PQ_CT_INT_32 = 17, PQ_CT_INT_64 = 18 };
/* LogicalType union member ids */
enum { PQ_LT_NONE = 0, PQ_LT_STRING = 1, PQ_LT_ENUM = 4, PQ_LT_DECIMAL = 5, PQ_LT_DATE = 6,
       PQ_LT_TIME = 7, PQ_LT_TIMESTAMP = 8, PQ_LT_INTEGER = 10, PQ_LT_UNKNOWN = 11, PQ_LT_UUID = 14,
       PQ_LT_FLOAT16 = 15 };
/* TimeUnit union member ids */
enum { PQ_UNIT_MILLIS = 1, PQ_UNIT_MICROS = 2, PQ_UNIT_NANOS = 3 };
/* PageType */
enum { PQ_PAGE_DATA = 0, PQ_PAGE_INDEX = 1, PQ_PAGE_DICTIONARY = 2, PQ_PAGE_DATA_V2 = 3 };
/* FieldRepetitionType */
enum { PQ_REQUIRED = 0, PQ_OPTIONAL = 1, PQ_REPEATED = 2 };
/* BoundaryOrder */
enum { PQ_UNORDERED = 0, PQ_ASCENDING = 1, PQ_DESCENDING = 2 };

typedef struct artemis_pq_logical_type {
  int kind;             /* PQ_LT_*; PQ_LT_NONE = field absent */
  int32_t scale, precision;     /* DECIMAL */
  int is_adjusted_to_utc;       /* TIME, TIMESTAMP */
  int unit;                     /* TIME, TIMESTAMP: PQ_UNIT_* */
  int8_t bit_width;             /* INTEGER: 8/16/32/64 */
  int is_signed;                /* INTEGER */
} artemis_pq_logical_type;

typedef struct artemis_pq_schema_element {
  const char* name;             /* required */
  int type;                     /* PQ_* physical type, -1 for the root (group) */
  int32_t type_length;          /* FLBA width, -1 absent */
  int repetition;               /* PQ_REQUIRED/OPTIONAL, -1 absent (root) */
  int32_t num_children;         /* root only, -1 absent */
  int converted_type;           /* PQ_CT_*, -1 absent */
  int32_t scale, precision;     /* -1 absent (set for DECIMAL) */
  artemis_pq_logical_type logical;
} artemis_pq_schema_element;

/* Statistics struct (ids: 1 max, 2 min legacy; 3 null_count; 5 max_value; 6 min_value;
 * 7 is_max_value_exact; 8 is_min_value_exact; 9 nan_count). Written as field `field_id`
 * of the enclosing struct. */
void artemis_pq_write_statistics_field(artemis_thrift_writer* w, int16_t field_id,
                                       const artemis_stats_encoded* stats);

typedef struct artemis_pq_page_header {
  int type;                     /* PQ_PAGE_DATA or PQ_PAGE_DICTIONARY */
  int32_t uncompressed_page_size;
  int32_t compressed_page_size;
  /* DATA_PAGE: */
  int32_t num_values;           /* rows in the page, nulls included */
  int encoding;                 /* value encoding; levels are always RLE */
  const artemis_stats_encoded* statistics; /* NULL = none */
  /* DICTIONARY_PAGE: */
  int32_t dictionary_num_values;
} artemis_pq_page_header;

int artemis_pq_write_page_header(const artemis_pq_page_header* header, artemis_buf* out);

typedef struct artemis_pq_encoding_stats {
  int page_type;
  int encoding;
  int32_t count;
} artemis_pq_encoding_stats;

typedef struct artemis_pq_column_chunk {
  /* ColumnMetaData */
  int type;
  uint32_t encodings;           /* bit (1u << PQ_ENC_*) per encoding; written ascending */
  const char* path;             /* single path element (flat schema) */
  int codec;                    /* 0 UNCOMPRESSED, 6 ZSTD */
  int64_t num_values;
  int64_t total_uncompressed_size;
  int64_t total_compressed_size;
  int64_t data_page_offset;
  int64_t dictionary_page_offset; /* -1 = absent (no dictionary page) */
  const artemis_stats_encoded* statistics; /* NULL = none */
  const artemis_pq_encoding_stats* encoding_stats;
  size_t encoding_stats_count;
  /* ColumnChunk */
  int64_t offset_index_offset;  /* -1 = absent */
  int32_t offset_index_length;
  int64_t column_index_offset;  /* -1 = absent */
  int32_t column_index_length;
} artemis_pq_column_chunk;

typedef struct artemis_pq_row_group {
  const artemis_pq_column_chunk* columns;
  size_t column_count;
  int64_t total_byte_size;      /* sum of chunk total_uncompressed_size */
  int64_t num_rows;
  int64_t file_offset;          /* first page of first column */
  int64_t total_compressed_size;
  int16_t ordinal;
} artemis_pq_row_group;

typedef struct artemis_pq_key_value {
  const char* key;              /* bytes, not NUL-terminated (Arrow metadata may hold any bytes) */
  size_t key_len;
  const char* value;            /* NULL = absent */
  size_t value_len;
} artemis_pq_key_value;

typedef struct artemis_pq_file_metadata {
  const artemis_pq_schema_element* schema; /* root first, then the leaves */
  size_t schema_count;
  int64_t num_rows;
  const artemis_pq_row_group* row_groups;
  size_t row_group_count;
  const artemis_pq_key_value* key_values;
  size_t key_value_count;
  const char* created_by;
  size_t column_order_count;    /* number of leaves: that many TYPE_ORDER entries */
} artemis_pq_file_metadata;

/* version = 1 */
int artemis_pq_write_file_metadata(const artemis_pq_file_metadata* meta, artemis_buf* out);

typedef struct artemis_pq_page_location {
  int64_t offset;               /* absolute file offset of the data page header */
  int32_t compressed_page_size; /* header + compressed body */
  int64_t first_row_index;      /* within the row group */
} artemis_pq_page_location;

int artemis_pq_write_offset_index(const artemis_pq_page_location* pages, size_t n, artemis_buf* out);

typedef struct artemis_pq_column_index {
  size_t page_count;
  const uint8_t* null_pages;          /* 1 if the page has only nulls */
  const uint8_t* const* min_values;   /* empty (len 0) for null pages */
  const size_t* min_lens;
  const uint8_t* const* max_values;
  const size_t* max_lens;
  int boundary_order;                 /* PQ_UNORDERED / ASCENDING / DESCENDING */
  const int64_t* null_counts;         /* NULL = absent */
} artemis_pq_column_index;

int artemis_pq_write_column_index(const artemis_pq_column_index* index, artemis_buf* out);

#endif
