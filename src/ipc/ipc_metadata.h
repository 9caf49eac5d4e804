/* The IPC metadata (Schema.fbs, Message.fbs, File.fbs) decoded from verified FlatBuffers
 * into plain C structs, so nothing past this module reads FlatBuffers.
 *
 * Field ids and union tags follow apache/arrow format/Schema.fbs, Message.fbs and
 * File.fbs; a union field `x: U` takes two ids (x_type, then x). Structural problems are
 * ARTEMIS_E_INVALID_INPUT; a metadata version other than V4/V5 is ARTEMIS_E_UNSUPPORTED;
 * too many fields or too deep a nesting is ARTEMIS_E_LIMIT. Type-level meaning (which types we read, parameter
 * ranges) is checked later by ipc_schema.c, which can name the column. */
#ifndef ARTEMIS_IPC_METADATA_H
#define ARTEMIS_IPC_METADATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "artemis/error.h"
#include "artemis/ipc_reader.h"
#include "core/memory.h"

/* MetadataVersion enum values (V1 = 0). */
enum { ARTEMIS_IPC_V1 = 0, ARTEMIS_IPC_V4 = 3, ARTEMIS_IPC_V5 = 4 };

/* The Type union tags of Schema.fbs. */
typedef enum artemis_ipc_type_id {
  ARTEMIS_IPC_TYPE_NONE = 0,
  ARTEMIS_IPC_TYPE_NULL = 1,
  ARTEMIS_IPC_TYPE_INT = 2,
  ARTEMIS_IPC_TYPE_FLOAT = 3,
  ARTEMIS_IPC_TYPE_BINARY = 4,
  ARTEMIS_IPC_TYPE_UTF8 = 5,
  ARTEMIS_IPC_TYPE_BOOL = 6,
  ARTEMIS_IPC_TYPE_DECIMAL = 7,
  ARTEMIS_IPC_TYPE_DATE = 8,
  ARTEMIS_IPC_TYPE_TIME = 9,
  ARTEMIS_IPC_TYPE_TIMESTAMP = 10,
  ARTEMIS_IPC_TYPE_INTERVAL = 11,
  ARTEMIS_IPC_TYPE_LIST = 12,
  ARTEMIS_IPC_TYPE_STRUCT = 13,
  ARTEMIS_IPC_TYPE_UNION = 14,
  ARTEMIS_IPC_TYPE_FIXED_SIZE_BINARY = 15,
  ARTEMIS_IPC_TYPE_FIXED_SIZE_LIST = 16,
  ARTEMIS_IPC_TYPE_MAP = 17,
  ARTEMIS_IPC_TYPE_DURATION = 18,
  ARTEMIS_IPC_TYPE_LARGE_BINARY = 19,
  ARTEMIS_IPC_TYPE_LARGE_UTF8 = 20,
  ARTEMIS_IPC_TYPE_LARGE_LIST = 21,
  ARTEMIS_IPC_TYPE_RUN_END_ENCODED = 22,
  ARTEMIS_IPC_TYPE_BINARY_VIEW = 23,
  ARTEMIS_IPC_TYPE_UTF8_VIEW = 24,
  ARTEMIS_IPC_TYPE_LIST_VIEW = 25,
  ARTEMIS_IPC_TYPE_LARGE_LIST_VIEW = 26
} artemis_ipc_type_id;

/* The MessageHeader union tags of Message.fbs. */
typedef enum artemis_ipc_header {
  ARTEMIS_IPC_HEADER_NONE = 0,
  ARTEMIS_IPC_HEADER_SCHEMA = 1,
  ARTEMIS_IPC_HEADER_DICTIONARY_BATCH = 2,
  ARTEMIS_IPC_HEADER_RECORD_BATCH = 3,
  ARTEMIS_IPC_HEADER_TENSOR = 4,
  ARTEMIS_IPC_HEADER_SPARSE_TENSOR = 5
} artemis_ipc_header;

/* CompressionType of Message.fbs; NONE when the batch has no BodyCompression. */
enum { ARTEMIS_IPC_COMPRESSION_NONE = -1, ARTEMIS_IPC_COMPRESSION_LZ4_FRAME = 0, ARTEMIS_IPC_COMPRESSION_ZSTD = 1 };

/* Enum values of Schema.fbs used for type parameters. */
enum { ARTEMIS_IPC_PRECISION_HALF = 0, ARTEMIS_IPC_PRECISION_SINGLE = 1, ARTEMIS_IPC_PRECISION_DOUBLE = 2 };
enum { ARTEMIS_IPC_DATE_DAY = 0, ARTEMIS_IPC_DATE_MILLISECOND = 1 };
enum { ARTEMIS_IPC_UNIT_SECOND = 0, ARTEMIS_IPC_UNIT_MILLISECOND = 1, ARTEMIS_IPC_UNIT_MICROSECOND = 2,
       ARTEMIS_IPC_UNIT_NANOSECOND = 3 };
enum { ARTEMIS_IPC_INTERVAL_YEAR_MONTH = 0, ARTEMIS_IPC_INTERVAL_DAY_TIME = 1, ARTEMIS_IPC_INTERVAL_MONTH_DAY_NANO = 2 };

/* One custom_metadata pair; both are copies, NUL-terminated, lengths exclude the NUL. */
typedef struct artemis_ipc_kv {
  char* key;
  uint32_t key_len;
  char* value;
  uint32_t value_len;
} artemis_ipc_kv;

/* A Type union value with the parameters of its table; parameters that do not apply to
 * `id` keep their defaults. */
typedef struct artemis_ipc_type {
  uint8_t id;                /* artemis_ipc_type_id, or an unknown tag */
  int32_t bit_width;         /* Int, Decimal (default 128), Time (default 32) */
  bool is_signed;            /* Int */
  int16_t precision;         /* FloatingPoint */
  int32_t decimal_precision; /* Decimal */
  int32_t decimal_scale;     /* Decimal */
  int16_t unit;              /* Date, Time, Timestamp, Interval, Duration */
  char* timezone;            /* Timestamp; NULL when absent */
  int32_t byte_width;        /* FixedSizeBinary */
  int32_t list_size;         /* FixedSizeList */
  bool keys_sorted;          /* Map */
} artemis_ipc_type;

typedef struct artemis_ipc_field {
  char* name; /* "" when absent */
  bool nullable;
  artemis_ipc_type type; /* the value type when dictionary-encoded */
  bool dictionary_encoded;
  int64_t dictionary_id;
  int32_t index_bit_width; /* default int32 when the indexType is absent */
  bool index_signed;
  bool dictionary_ordered;
  struct artemis_ipc_field* children;
  int64_t n_children;
  artemis_ipc_kv* metadata;
  int64_t n_metadata;
} artemis_ipc_field;

typedef struct artemis_ipc_schema {
  bool big_endian;
  artemis_ipc_field* fields;
  int64_t n_fields;
  artemis_ipc_kv* metadata;
  int64_t n_metadata;
  int64_t total_fields; /* every field of the tree, children included */
} artemis_ipc_schema;

/* A RecordBatch header. `nodes` and `buffers` point into the message metadata bytes,
 * which must stay alive while they are used. */
typedef struct artemis_ipc_record_batch {
  int64_t length;
  const uint8_t* nodes; /* FieldNode structs: int64 length, int64 null_count (16 bytes) */
  int64_t n_nodes;
  const uint8_t* buffers; /* Buffer structs: int64 offset, int64 length (16 bytes) */
  int64_t n_buffers;
  int compression; /* ARTEMIS_IPC_COMPRESSION_* */
  const uint8_t* variadic_counts; /* variadicBufferCounts: int64 each, one per view-typed
                                     field in pre-order (may be absent: 0 of them) */
  int64_t n_variadic_counts;
} artemis_ipc_record_batch;

#define ARTEMIS_IPC_FIELD_NODE_SIZE 16
#define ARTEMIS_IPC_BUFFER_SIZE 16
#define ARTEMIS_IPC_BLOCK_SIZE 24

typedef struct artemis_ipc_message {
  int version;      /* MetadataVersion value (V4 = 3, V5 = 4) */
  uint8_t header;   /* artemis_ipc_header, or an unknown tag */
  int64_t body_length;
  artemis_ipc_schema schema;      /* SCHEMA */
  artemis_ipc_record_batch batch; /* RECORD_BATCH, and the data of a DICTIONARY_BATCH */
  int64_t dictionary_id;          /* DICTIONARY_BATCH */
  bool is_delta;                  /* DICTIONARY_BATCH */
} artemis_ipc_message;

typedef struct artemis_ipc_block {
  int64_t offset;
  int32_t metadata_length;
  int64_t body_length;
} artemis_ipc_block;

typedef struct artemis_ipc_footer {
  int version;
  int64_t start; /* where the footer flatbuffer starts in the file (set by ipc_footer.c) */
  artemis_ipc_schema schema;
  artemis_ipc_block* dictionaries;
  int64_t n_dictionaries;
  artemis_ipc_block* record_batches;
  int64_t n_record_batches;
} artemis_ipc_footer;

/* Decodes one Message flatbuffer of `size` bytes. `input_offset` is where the bytes sit in
 * the input and `message_index` counts messages from 0: both go into error messages.
 * The message's version must be V4 or V5. A Schema header is decoded into out->schema
 * (owned; free with artemis_ipc_message_free); Tensor headers are left undecoded. */
int artemis_ipc_decode_message(artemis_mem* mem, const uint8_t* data, size_t size, int64_t input_offset,
                               int64_t message_index, const artemis_ipc_reader_options* options,
                               artemis_ipc_message* out, artemis_error* error);
void artemis_ipc_message_free(artemis_mem* mem, artemis_ipc_message* message);

/* Decodes a Footer flatbuffer (the bytes between the messages and the footer length). */
int artemis_ipc_decode_footer(artemis_mem* mem, const uint8_t* data, size_t size, int64_t input_offset,
                              const artemis_ipc_reader_options* options, artemis_ipc_footer* out,
                              artemis_error* error);
void artemis_ipc_footer_free(artemis_mem* mem, artemis_ipc_footer* footer);

void artemis_ipc_schema_free(artemis_mem* mem, artemis_ipc_schema* schema);

/* A FieldNode / Buffer of a record batch (index < n_nodes / n_buffers). */
void artemis_ipc_batch_node(const artemis_ipc_record_batch* batch, int64_t index, int64_t* length,
                            int64_t* null_count);
void artemis_ipc_batch_buffer(const artemis_ipc_record_batch* batch, int64_t index, int64_t* offset,
                              int64_t* length);
/* Entry `index` (< n_variadic_counts) of variadicBufferCounts, as written (may be negative). */
int64_t artemis_ipc_batch_variadic_count(const artemis_ipc_record_batch* batch, int64_t index);

#endif
