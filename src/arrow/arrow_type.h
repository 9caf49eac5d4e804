/* Arrow field types the writer understands, parsed from C Data Interface format
 * strings, and the Parquet representation each one maps to. */
#ifndef ARTEMIS_ARROW_ARROW_TYPE_H
#define ARTEMIS_ARROW_ARROW_TYPE_H

#include <stdint.h>
#include "artemis/arrow_c.h"
#include "artemis/error.h"
#include "stats/statistics.h"

typedef enum artemis_arrow_kind {
  AK_BOOL = 1, AK_INT8, AK_INT16, AK_INT32, AK_INT64, AK_UINT8, AK_UINT16, AK_UINT32, AK_UINT64,
  AK_FLOAT16, AK_FLOAT32, AK_FLOAT64,
  AK_UTF8, AK_LARGE_UTF8, AK_BINARY, AK_LARGE_BINARY, AK_FIXED_BINARY,
  AK_UTF8_VIEW, AK_BINARY_VIEW, /* 16-byte views: inline up to 12 bytes, else into variadic buffers */
  AK_DATE32, AK_DATE64, AK_TIME32, AK_TIME64, AK_TIMESTAMP, AK_DECIMAL,
  AK_NULL /* every value null: Parquet UNKNOWN */
} artemis_arrow_kind;

typedef enum artemis_time_unit { AU_SECOND = 0, AU_MILLI, AU_MICRO, AU_NANO } artemis_time_unit;

/* How Arrow values become Parquet physical values. */
typedef enum artemis_value_conversion {
  CONV_NONE = 0,         /* same bytes (possibly a different signedness reading) */
  CONV_WIDEN_I8,         /* int8 -> int32 */
  CONV_WIDEN_I16,        /* int16 -> int32 */
  CONV_WIDEN_U8,         /* uint8 -> int32 */
  CONV_WIDEN_U16,        /* uint16 -> int32 */
  CONV_BOOL_BITS,        /* validity-style bitmap -> one byte per value */
  CONV_DATE64_TO_DAYS,   /* int64 ms (whole days) -> int32 days */
  CONV_SECONDS_TO_MILLIS32, /* time32[s] -> int32 ms */
  CONV_SECONDS_TO_MILLIS64, /* timestamp[s] -> int64 ms */
  CONV_DECIMAL_TO_I32,   /* decimal (p <= 9) -> int32 */
  CONV_DECIMAL_TO_I64,   /* decimal (p <= 18) -> int64 */
  CONV_DECIMAL_TO_FLBA   /* decimal -> big-endian FLBA of type_length bytes */
} artemis_value_conversion;

typedef struct artemis_arrow_type {
  artemis_arrow_kind kind;      /* the VALUE type (for dictionary arrays: the dictionary's) */
  artemis_time_unit unit;
  int has_timezone;
  int32_t byte_width;           /* AK_FIXED_BINARY */
  int32_t precision, scale;     /* AK_DECIMAL */
  int32_t decimal_bytes;        /* AK_DECIMAL: Arrow width, 4, 8, 16 or 32 */
  uint64_t decimal_limit[4];    /* AK_DECIMAL: 10^precision, little-endian 64-bit limbs */
  int is_uuid;                  /* fixed_size_binary(16) with extension arrow.uuid */
  int is_dictionary;            /* dictionary-encoded array: indices + dictionary */
  artemis_arrow_kind index_kind;/* AK_INT8..AK_UINT64 when is_dictionary */
  int nullable;

  /* The Parquet side, filled by artemis_arrow_type_parse. */
  int physical_type;            /* PQ_* */
  int32_t type_length;          /* FLBA width, else -1 */
  size_t value_width;           /* bytes per normalized value; 0 for BYTE_ARRAY */
  artemis_sort_kind sort_kind;
  artemis_value_conversion conversion;
  int converted_type;           /* PQ_CT_* or -1 */
  int lt_kind, lt_unit, lt_bit_width, lt_signed, lt_utc; /* LogicalType (PQ_LT_*) */
} artemis_arrow_type;

/* Parses `field` (a child of the batch schema). Errors: ARTEMIS_E_UNSUPPORTED for types
 * without a flat Parquet mapping (nested, union, views, run-end, duration, interval),
 * ARTEMIS_E_INVALID_INPUT for malformed format strings. Messages name the column. */
int artemis_arrow_type_parse(const struct ArrowSchema* field, int64_t column_index,
                             artemis_arrow_type* out, artemis_error* error);

/* Human-readable Arrow type, e.g. "timestamp[ns]" or "dictionary<utf8, int8>". */
const char* artemis_arrow_kind_name(artemis_arrow_kind kind);

/* C Data Interface metadata: int32 pair count, then per pair an int32-length-prefixed key
 * and value (native endianness). The producer gives no total size, so its counts are only
 * sanity-checked: size in bytes (0 for NULL), or -1 for a negative count or length or more
 * than 64 MiB. */
int64_t artemis_arrow_metadata_size(const char* metadata);

/* Looks up `key` in metadata whose size artemis_arrow_metadata_size() accepts. Returns 1
 * and the value if found. */
int artemis_arrow_metadata_find(const char* metadata, const char* key, const char** value, int32_t* value_len);

/* Arrow byte width of one value of an integer kind (dictionary indices). */
int artemis_arrow_int_width(artemis_arrow_kind kind);

#endif
