#include "ipc/ipc_metadata.h"

#include <stdio.h>
#include <string.h>

#include "core/errors.h"
#include "ipc/flatbuffer_reader.h"

/* Field ids (declaration order; a union field takes two: its _type tag, then the value). */
enum { MESSAGE_VERSION = 0, MESSAGE_HEADER_TYPE = 1, MESSAGE_HEADER = 2, MESSAGE_BODY_LENGTH = 3 };
enum { SCHEMA_ENDIANNESS = 0, SCHEMA_FIELDS = 1, SCHEMA_METADATA = 2 };
enum { FIELD_NAME = 0, FIELD_NULLABLE = 1, FIELD_TYPE_TYPE = 2, FIELD_TYPE = 3, FIELD_DICTIONARY = 4,
       FIELD_CHILDREN = 5, FIELD_METADATA = 6 };
enum { KV_KEY = 0, KV_VALUE = 1 };
enum { DICT_ENC_ID = 0, DICT_ENC_INDEX_TYPE = 1, DICT_ENC_ORDERED = 2 };
enum { INT_BIT_WIDTH = 0, INT_SIGNED = 1 };
enum { BATCH_LENGTH = 0, BATCH_NODES = 1, BATCH_BUFFERS = 2, BATCH_COMPRESSION = 3, BATCH_VARIADIC = 4 };
enum { COMPRESSION_CODEC = 0, COMPRESSION_METHOD = 1 };
enum { DICT_BATCH_ID = 0, DICT_BATCH_DATA = 1, DICT_BATCH_DELTA = 2 };
enum { FOOTER_VERSION = 0, FOOTER_SCHEMA = 1, FOOTER_DICTIONARIES = 2, FOOTER_RECORD_BATCHES = 3 };

/* A hard ceiling on recursion whatever the options say: each level costs some C stack. */
#define HARD_MAX_NESTING 1000

typedef struct decode_ctx {
  artemis_mem* mem;
  artemis_fb* fb;
  const artemis_ipc_reader_options* options;
  int64_t fields_seen;
} decode_ctx;

static int nomem(decode_ctx* ctx) {
  return artemis_set_error_at(ctx->fb->error, ARTEMIS_E_NOMEM, -1, -1, ctx->fb->input_offset,
                              "%s: out of memory decoding the metadata", ctx->fb->label);
}

static char* copy_string(artemis_mem* mem, const char* data, uint32_t len) {
  char* s = artemis_mem_alloc(mem, (size_t)len + 1);
  if (!s) return NULL;
  if (len) memcpy(s, data, len);
  s[len] = '\0';
  return s;
}

static void free_kvs(artemis_mem* mem, artemis_ipc_kv* kvs, int64_t n) {
  if (!kvs) return;
  for (int64_t i = 0; i < n; i++) {
    artemis_mem_free(mem, kvs[i].key);
    artemis_mem_free(mem, kvs[i].value);
  }
  artemis_mem_free(mem, kvs);
}

static void free_field(artemis_mem* mem, artemis_ipc_field* f) {
  artemis_mem_free(mem, f->name);
  artemis_mem_free(mem, f->type.timezone);
  if (f->children) {
    for (int64_t i = 0; i < f->n_children; i++) free_field(mem, &f->children[i]);
    artemis_mem_free(mem, f->children);
  }
  free_kvs(mem, f->metadata, f->n_metadata);
}

void artemis_ipc_schema_free(artemis_mem* mem, artemis_ipc_schema* schema) {
  if (schema->fields) {
    for (int64_t i = 0; i < schema->n_fields; i++) free_field(mem, &schema->fields[i]);
    artemis_mem_free(mem, schema->fields);
  }
  free_kvs(mem, schema->metadata, schema->n_metadata);
  memset(schema, 0, sizeof *schema);
}

/* custom_metadata: [KeyValue] at field `id` of `t`. */
static int decode_kvs(decode_ctx* ctx, const artemis_fb_table* t, int id, artemis_ipc_kv** out, int64_t* n_out) {
  artemis_fb_vector v;
  bool present;
  ARTEMIS_RETURN_NOT_OK(artemis_fb_vector_field(t, id, 4, &v, &present));
  if (v.count == 0) return ARTEMIS_OK;
  artemis_ipc_kv* kvs = artemis_mem_calloc(ctx->mem, v.count, sizeof *kvs);
  if (!kvs) return nomem(ctx);
  *out = kvs;
  for (uint32_t i = 0; i < v.count; i++) {
    artemis_fb_table kv;
    artemis_fb_string key = {"", 0}, value = {"", 0};
    bool has;
    ARTEMIS_RETURN_NOT_OK(artemis_fb_vector_table(&v, i, &kv));
    ARTEMIS_RETURN_NOT_OK(artemis_fb_string_field(&kv, KV_KEY, &key, &has));
    ARTEMIS_RETURN_NOT_OK(artemis_fb_string_field(&kv, KV_VALUE, &value, &has));
    kvs[i].key = copy_string(ctx->mem, key.data, key.len);
    kvs[i].value = copy_string(ctx->mem, value.data, value.len);
    *n_out = (int64_t)i + 1;
    if (!kvs[i].key || !kvs[i].value) return nomem(ctx);
    kvs[i].key_len = key.len;
    kvs[i].value_len = value.len;
  }
  return ARTEMIS_OK;
}

static int decode_type(decode_ctx* ctx, const artemis_fb_table* field, artemis_ipc_type* type) {
  ARTEMIS_RETURN_NOT_OK(artemis_fb_u8(field, FIELD_TYPE_TYPE, 0, &type->id));
  type->bit_width = 0;
  type->decimal_precision = 0;
  type->decimal_scale = 0;
  type->precision = 0;
  type->unit = 0;
  type->byte_width = 0;
  type->list_size = 0;
  type->keys_sorted = false;
  type->is_signed = false;
  type->timezone = NULL;
  artemis_fb_table t;
  bool present;
  ARTEMIS_RETURN_NOT_OK(artemis_fb_table_field(field, FIELD_TYPE, &t, &present));
  /* Every type table's fields have defaults, so an absent table reads as all defaults;
   * an empty table stands in for it. */
  switch (type->id) {
    case ARTEMIS_IPC_TYPE_INT:
      if (!present) return ARTEMIS_OK;
      ARTEMIS_RETURN_NOT_OK(artemis_fb_i32(&t, INT_BIT_WIDTH, 0, &type->bit_width));
      return artemis_fb_bool(&t, INT_SIGNED, false, &type->is_signed);
    case ARTEMIS_IPC_TYPE_FLOAT:
      if (!present) return ARTEMIS_OK;
      return artemis_fb_i16(&t, 0, ARTEMIS_IPC_PRECISION_HALF, &type->precision);
    case ARTEMIS_IPC_TYPE_DECIMAL:
      type->bit_width = 128;
      if (!present) return ARTEMIS_OK;
      ARTEMIS_RETURN_NOT_OK(artemis_fb_i32(&t, 0, 0, &type->decimal_precision));
      ARTEMIS_RETURN_NOT_OK(artemis_fb_i32(&t, 1, 0, &type->decimal_scale));
      return artemis_fb_i32(&t, 2, 128, &type->bit_width);
    case ARTEMIS_IPC_TYPE_DATE:
      type->unit = ARTEMIS_IPC_DATE_MILLISECOND;
      if (!present) return ARTEMIS_OK;
      return artemis_fb_i16(&t, 0, ARTEMIS_IPC_DATE_MILLISECOND, &type->unit);
    case ARTEMIS_IPC_TYPE_TIME:
      type->unit = ARTEMIS_IPC_UNIT_MILLISECOND;
      type->bit_width = 32;
      if (!present) return ARTEMIS_OK;
      ARTEMIS_RETURN_NOT_OK(artemis_fb_i16(&t, 0, ARTEMIS_IPC_UNIT_MILLISECOND, &type->unit));
      return artemis_fb_i32(&t, 1, 32, &type->bit_width);
    case ARTEMIS_IPC_TYPE_TIMESTAMP: {
      if (!present) return ARTEMIS_OK;
      ARTEMIS_RETURN_NOT_OK(artemis_fb_i16(&t, 0, ARTEMIS_IPC_UNIT_SECOND, &type->unit));
      artemis_fb_string tz;
      bool has_tz;
      ARTEMIS_RETURN_NOT_OK(artemis_fb_string_field(&t, 1, &tz, &has_tz));
      if (has_tz) {
        type->timezone = copy_string(ctx->mem, tz.data, tz.len);
        if (!type->timezone) return nomem(ctx);
      }
      return ARTEMIS_OK;
    }
    case ARTEMIS_IPC_TYPE_INTERVAL:
      if (!present) return ARTEMIS_OK;
      return artemis_fb_i16(&t, 0, ARTEMIS_IPC_INTERVAL_YEAR_MONTH, &type->unit);
    case ARTEMIS_IPC_TYPE_DURATION:
      type->unit = ARTEMIS_IPC_UNIT_MILLISECOND;
      if (!present) return ARTEMIS_OK;
      return artemis_fb_i16(&t, 0, ARTEMIS_IPC_UNIT_MILLISECOND, &type->unit);
    case ARTEMIS_IPC_TYPE_FIXED_SIZE_BINARY:
      if (!present) return ARTEMIS_OK;
      return artemis_fb_i32(&t, 0, 0, &type->byte_width);
    case ARTEMIS_IPC_TYPE_FIXED_SIZE_LIST:
      if (!present) return ARTEMIS_OK;
      return artemis_fb_i32(&t, 0, 0, &type->list_size);
    case ARTEMIS_IPC_TYPE_MAP:
      if (!present) return ARTEMIS_OK;
      return artemis_fb_bool(&t, 0, false, &type->keys_sorted);
    default:
      /* Parameterless types, and types ipc_schema.c rejects by name. */
      return ARTEMIS_OK;
  }
}

static int decode_field(decode_ctx* ctx, const artemis_fb_table* t, int64_t depth, artemis_ipc_field* out);

static int decode_fields(decode_ctx* ctx, const artemis_fb_table* t, int id, int64_t depth,
                         artemis_ipc_field** out, int64_t* n_out) {
  artemis_fb_vector v;
  bool present;
  ARTEMIS_RETURN_NOT_OK(artemis_fb_vector_field(t, id, 4, &v, &present));
  if (v.count == 0) return ARTEMIS_OK;
  int64_t max_nesting = ctx->options->max_nesting_depth;
  if (max_nesting > HARD_MAX_NESTING) max_nesting = HARD_MAX_NESTING;
  if (depth > max_nesting)
    return artemis_set_error_at(ctx->fb->error, ARTEMIS_E_LIMIT, -1, -1, ctx->fb->input_offset + (int64_t)t->pos,
                                "%s: the schema nests deeper than max_nesting_depth (%lld) (byte %lld)",
                                ctx->fb->label, (long long)max_nesting,
                                (long long)(ctx->fb->input_offset + (int64_t)t->pos));
  /* Checked before allocating: the count alone can claim millions of fields. */
  if ((int64_t)v.count > ctx->options->max_fields - ctx->fields_seen)
    return artemis_set_error_at(ctx->fb->error, ARTEMIS_E_LIMIT, -1, -1, ctx->fb->input_offset + (int64_t)v.start,
                                "%s: the schema has more than max_fields (%lld) fields (byte %lld)", ctx->fb->label,
                                (long long)ctx->options->max_fields,
                                (long long)(ctx->fb->input_offset + (int64_t)v.start));
  ctx->fields_seen += v.count;
  artemis_ipc_field* fields = artemis_mem_calloc(ctx->mem, v.count, sizeof *fields);
  if (!fields) return nomem(ctx);
  *out = fields;
  *n_out = v.count;
  for (uint32_t i = 0; i < v.count; i++) {
    artemis_fb_table ft;
    ARTEMIS_RETURN_NOT_OK(artemis_fb_vector_table(&v, i, &ft));
    ARTEMIS_RETURN_NOT_OK(decode_field(ctx, &ft, depth, &fields[i]));
  }
  return ARTEMIS_OK;
}

static int decode_field(decode_ctx* ctx, const artemis_fb_table* t, int64_t depth, artemis_ipc_field* out) {
  artemis_fb_string name = {"", 0};
  bool present;
  ARTEMIS_RETURN_NOT_OK(artemis_fb_string_field(t, FIELD_NAME, &name, &present));
  out->name = copy_string(ctx->mem, name.data, name.len);
  if (!out->name) return nomem(ctx);
  ARTEMIS_RETURN_NOT_OK(artemis_fb_bool(t, FIELD_NULLABLE, false, &out->nullable));
  ARTEMIS_RETURN_NOT_OK(decode_type(ctx, t, &out->type));

  artemis_fb_table dict;
  ARTEMIS_RETURN_NOT_OK(artemis_fb_table_field(t, FIELD_DICTIONARY, &dict, &present));
  if (present) {
    out->dictionary_encoded = true;
    ARTEMIS_RETURN_NOT_OK(artemis_fb_i64(&dict, DICT_ENC_ID, 0, &out->dictionary_id));
    ARTEMIS_RETURN_NOT_OK(artemis_fb_bool(&dict, DICT_ENC_ORDERED, false, &out->dictionary_ordered));
    artemis_fb_table index_type;
    ARTEMIS_RETURN_NOT_OK(artemis_fb_table_field(&dict, DICT_ENC_INDEX_TYPE, &index_type, &present));
    /* No indexType means signed int32 (Schema.fbs). */
    out->index_bit_width = 32;
    out->index_signed = true;
    if (present) {
      ARTEMIS_RETURN_NOT_OK(artemis_fb_i32(&index_type, INT_BIT_WIDTH, 0, &out->index_bit_width));
      ARTEMIS_RETURN_NOT_OK(artemis_fb_bool(&index_type, INT_SIGNED, false, &out->index_signed));
    }
  }
  ARTEMIS_RETURN_NOT_OK(decode_fields(ctx, t, FIELD_CHILDREN, depth + 1, &out->children, &out->n_children));
  return decode_kvs(ctx, t, FIELD_METADATA, &out->metadata, &out->n_metadata);
}

static int decode_schema(decode_ctx* ctx, const artemis_fb_table* t, artemis_ipc_schema* out) {
  int16_t endianness;
  ARTEMIS_RETURN_NOT_OK(artemis_fb_i16(t, SCHEMA_ENDIANNESS, 0, &endianness));
  if (endianness != 0 && endianness != 1) return artemis_fb_fail(ctx->fb, t->pos, "schema endianness is neither Little nor Big");
  out->big_endian = endianness == 1;
  ARTEMIS_RETURN_NOT_OK(decode_fields(ctx, t, SCHEMA_FIELDS, 1, &out->fields, &out->n_fields));
  out->total_fields = ctx->fields_seen;
  return decode_kvs(ctx, t, SCHEMA_METADATA, &out->metadata, &out->n_metadata);
}

static int decode_record_batch(decode_ctx* ctx, const artemis_fb_table* t, artemis_ipc_record_batch* out) {
  ARTEMIS_RETURN_NOT_OK(artemis_fb_i64(t, BATCH_LENGTH, 0, &out->length));
  if (out->length < 0) return artemis_fb_fail(ctx->fb, t->pos, "record batch length is negative");
  artemis_fb_vector v;
  bool present;
  ARTEMIS_RETURN_NOT_OK(artemis_fb_vector_field(t, BATCH_NODES, ARTEMIS_IPC_FIELD_NODE_SIZE, &v, &present));
  out->nodes = ctx->fb->data + v.start;
  out->n_nodes = v.count;
  ARTEMIS_RETURN_NOT_OK(artemis_fb_vector_field(t, BATCH_BUFFERS, ARTEMIS_IPC_BUFFER_SIZE, &v, &present));
  out->buffers = ctx->fb->data + v.start;
  out->n_buffers = v.count;
  ARTEMIS_RETURN_NOT_OK(artemis_fb_vector_field(t, BATCH_VARIADIC, 8, &v, &present));
  out->variadic_counts = ctx->fb->data + v.start;
  out->n_variadic_counts = v.count;
  out->compression = ARTEMIS_IPC_COMPRESSION_NONE;
  artemis_fb_table c;
  ARTEMIS_RETURN_NOT_OK(artemis_fb_table_field(t, BATCH_COMPRESSION, &c, &present));
  if (present) {
    uint8_t codec, method;
    ARTEMIS_RETURN_NOT_OK(artemis_fb_u8(&c, COMPRESSION_CODEC, 0, &codec));
    ARTEMIS_RETURN_NOT_OK(artemis_fb_u8(&c, COMPRESSION_METHOD, 0, &method));
    if (codec != ARTEMIS_IPC_COMPRESSION_LZ4_FRAME && codec != ARTEMIS_IPC_COMPRESSION_ZSTD)
      return artemis_set_error_at(ctx->fb->error, ARTEMIS_E_UNSUPPORTED, -1, -1,
                                  ctx->fb->input_offset + (int64_t)c.pos,
                                  "%s: unsupported body compression codec %d (byte %lld)", ctx->fb->label, (int)codec,
                                  (long long)(ctx->fb->input_offset + (int64_t)c.pos));
    if (method != 0)
      return artemis_set_error_at(ctx->fb->error, ARTEMIS_E_UNSUPPORTED, -1, -1,
                                  ctx->fb->input_offset + (int64_t)c.pos,
                                  "%s: unsupported body compression method %d (byte %lld)", ctx->fb->label,
                                  (int)method, (long long)(ctx->fb->input_offset + (int64_t)c.pos));
    out->compression = codec;
  }
  return ARTEMIS_OK;
}

/* V1 = 0 in the enum; people say "V4", so messages use the 1-based name. */
static int check_version(artemis_fb* fb, int version, size_t pos) {
  if (version == ARTEMIS_IPC_V4 || version == ARTEMIS_IPC_V5) return ARTEMIS_OK;
  int64_t at = fb->input_offset + (int64_t)pos;
  return artemis_set_error_at(fb->error, ARTEMIS_E_UNSUPPORTED, -1, -1, at,
                              "%s: unsupported metadata version V%d (V4 and V5 are read) (byte %lld)", fb->label,
                              version + 1, (long long)at);
}

static int fb_depth_for(const artemis_ipc_reader_options* options) {
  /* Message -> Schema -> Field... -> DictionaryEncoding -> Int: a few levels above the
   * field nesting, which decode_fields bounds with its own clearer message. */
  int64_t nesting = options->max_nesting_depth;
  if (nesting > HARD_MAX_NESTING) nesting = HARD_MAX_NESTING;
  if (nesting < 1) nesting = 1;
  return (int)nesting + 8;
}

int artemis_ipc_decode_message(artemis_mem* mem, const uint8_t* data, size_t size, int64_t input_offset,
                               int64_t message_index, const artemis_ipc_reader_options* options,
                               artemis_ipc_message* out, artemis_error* error) {
  memset(out, 0, sizeof *out);
  char label[48];
  snprintf(label, sizeof label, "message %lld", (long long)message_index);
  artemis_fb fb;
  artemis_fb_init(&fb, data, size, input_offset, label, fb_depth_for(options), error);
  decode_ctx ctx = {mem, &fb, options, 0};
  artemis_fb_table root, header;
  bool present;
  int16_t version;
  ARTEMIS_RETURN_NOT_OK(artemis_fb_root(&fb, &root));
  ARTEMIS_RETURN_NOT_OK(artemis_fb_i16(&root, MESSAGE_VERSION, ARTEMIS_IPC_V1, &version));
  out->version = version;
  ARTEMIS_RETURN_NOT_OK(check_version(&fb, version, root.pos));
  ARTEMIS_RETURN_NOT_OK(artemis_fb_u8(&root, MESSAGE_HEADER_TYPE, 0, &out->header));
  ARTEMIS_RETURN_NOT_OK(artemis_fb_i64(&root, MESSAGE_BODY_LENGTH, 0, &out->body_length));
  if (out->body_length < 0) return artemis_fb_fail(&fb, root.pos, "message body length is negative");
  ARTEMIS_RETURN_NOT_OK(artemis_fb_table_field(&root, MESSAGE_HEADER, &header, &present));
  switch (out->header) {
    case ARTEMIS_IPC_HEADER_SCHEMA:
    case ARTEMIS_IPC_HEADER_RECORD_BATCH:
    case ARTEMIS_IPC_HEADER_DICTIONARY_BATCH:
      if (!present) return artemis_fb_fail(&fb, root.pos, "message has no header");
      break;
    default:
      return ARTEMIS_OK; /* the reader says what it thinks of other headers */
  }
  int rc;
  if (out->header == ARTEMIS_IPC_HEADER_SCHEMA) {
    rc = decode_schema(&ctx, &header, &out->schema);
    if (rc != ARTEMIS_OK) artemis_ipc_schema_free(mem, &out->schema);
    return rc;
  }
  if (out->header == ARTEMIS_IPC_HEADER_RECORD_BATCH) return decode_record_batch(&ctx, &header, &out->batch);
  ARTEMIS_RETURN_NOT_OK(artemis_fb_i64(&header, DICT_BATCH_ID, 0, &out->dictionary_id));
  ARTEMIS_RETURN_NOT_OK(artemis_fb_bool(&header, DICT_BATCH_DELTA, false, &out->is_delta));
  artemis_fb_table data_table;
  ARTEMIS_RETURN_NOT_OK(artemis_fb_table_field(&header, DICT_BATCH_DATA, &data_table, &present));
  if (!present) return artemis_fb_fail(&fb, header.pos, "dictionary batch has no data");
  return decode_record_batch(&ctx, &data_table, &out->batch);
}

void artemis_ipc_message_free(artemis_mem* mem, artemis_ipc_message* message) {
  artemis_ipc_schema_free(mem, &message->schema);
}

static int decode_blocks(decode_ctx* ctx, const artemis_fb_table* t, int id, artemis_ipc_block** out,
                         int64_t* n_out) {
  artemis_fb_vector v;
  bool present;
  ARTEMIS_RETURN_NOT_OK(artemis_fb_vector_field(t, id, ARTEMIS_IPC_BLOCK_SIZE, &v, &present));
  if (v.count == 0) return ARTEMIS_OK;
  artemis_ipc_block* blocks = artemis_mem_calloc(ctx->mem, v.count, sizeof *blocks);
  if (!blocks) return nomem(ctx);
  *out = blocks;
  *n_out = v.count;
  for (uint32_t i = 0; i < v.count; i++) {
    const uint8_t* p;
    ARTEMIS_RETURN_NOT_OK(artemis_fb_vector_element(&v, i, &p));
    blocks[i].offset = artemis_load_i64le(p);
    blocks[i].metadata_length = artemis_load_i32le(p + 8);
    blocks[i].body_length = artemis_load_i64le(p + 16);
  }
  return ARTEMIS_OK;
}

int artemis_ipc_decode_footer(artemis_mem* mem, const uint8_t* data, size_t size, int64_t input_offset,
                              const artemis_ipc_reader_options* options, artemis_ipc_footer* out,
                              artemis_error* error) {
  memset(out, 0, sizeof *out);
  artemis_fb fb;
  artemis_fb_init(&fb, data, size, input_offset, "footer", fb_depth_for(options), error);
  decode_ctx ctx = {mem, &fb, options, 0};
  artemis_fb_table root, schema;
  bool present;
  int16_t version;
  int rc = artemis_fb_root(&fb, &root);
  if (rc == ARTEMIS_OK) rc = artemis_fb_i16(&root, FOOTER_VERSION, ARTEMIS_IPC_V1, &version);
  if (rc == ARTEMIS_OK) {
    out->version = version;
    rc = artemis_fb_table_field(&root, FOOTER_SCHEMA, &schema, &present);
  }
  if (rc == ARTEMIS_OK && !present) rc = artemis_fb_fail(&fb, root.pos, "footer has no schema");
  if (rc == ARTEMIS_OK) rc = decode_schema(&ctx, &schema, &out->schema);
  if (rc == ARTEMIS_OK) rc = decode_blocks(&ctx, &root, FOOTER_DICTIONARIES, &out->dictionaries, &out->n_dictionaries);
  if (rc == ARTEMIS_OK)
    rc = decode_blocks(&ctx, &root, FOOTER_RECORD_BATCHES, &out->record_batches, &out->n_record_batches);
  if (rc != ARTEMIS_OK) artemis_ipc_footer_free(mem, out);
  return rc;
}

void artemis_ipc_footer_free(artemis_mem* mem, artemis_ipc_footer* footer) {
  artemis_ipc_schema_free(mem, &footer->schema);
  artemis_mem_free(mem, footer->dictionaries);
  artemis_mem_free(mem, footer->record_batches);
  memset(footer, 0, sizeof *footer);
}

void artemis_ipc_batch_node(const artemis_ipc_record_batch* batch, int64_t index, int64_t* length,
                            int64_t* null_count) {
  const uint8_t* p = batch->nodes + index * ARTEMIS_IPC_FIELD_NODE_SIZE;
  *length = artemis_load_i64le(p);
  *null_count = artemis_load_i64le(p + 8);
}

void artemis_ipc_batch_buffer(const artemis_ipc_record_batch* batch, int64_t index, int64_t* offset,
                              int64_t* length) {
  const uint8_t* p = batch->buffers + index * ARTEMIS_IPC_BUFFER_SIZE;
  *offset = artemis_load_i64le(p);
  *length = artemis_load_i64le(p + 8);
}

int64_t artemis_ipc_batch_variadic_count(const artemis_ipc_record_batch* batch, int64_t index) {
  return artemis_load_i64le(batch->variadic_counts + index * 8);
}
