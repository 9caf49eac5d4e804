#include "thrift/parquet_metadata.h"

#include <string.h>

#include "artemis/error.h"

/* Field ids below follow parquet-format src/main/thrift/parquet.thrift (see
 * PARQUET-CHECKLIST.md section 1). Every struct is written in ascending id order. */

void artemis_pq_write_statistics_field(artemis_thrift_writer* w, int16_t field_id,
                                       const artemis_stats_encoded* stats) {
  if (stats == NULL) {
    artemis_tw_fail(w, ARTEMIS_E_INVALID_ARGUMENT);
    return;
  }
  artemis_tw_field_struct_begin(w, field_id);
  /* Legacy max/min carry signed-order semantics; the caller decides when that holds. */
  if (stats->has_min_max && stats->write_legacy_min_max) {
    artemis_tw_field_binary(w, 1, stats->max, stats->max_len);
    artemis_tw_field_binary(w, 2, stats->min, stats->min_len);
  }
  /* Readers must not assume 0 when null_count is absent, so it is always written. */
  artemis_tw_field_i64(w, 3, stats->null_count);
  if (stats->has_min_max) {
    artemis_tw_field_binary(w, 5, stats->max, stats->max_len);
    artemis_tw_field_binary(w, 6, stats->min, stats->min_len);
    artemis_tw_field_bool(w, 7, stats->max_exact);
    artemis_tw_field_bool(w, 8, stats->min_exact);
  }
  if (stats->has_nan_count) artemis_tw_field_i64(w, 9, stats->nan_count);
  artemis_tw_struct_end(w);
}

/* Serializes one root struct into `out`; on failure `out` is left as it was. */
static int finish_root(artemis_thrift_writer* w, size_t start_len) {
  artemis_tw_struct_end(w);
  int status = artemis_tw_status(w);
  if (status == ARTEMIS_OK && w->depth != 0) status = ARTEMIS_E_INTERNAL;
  if (status != ARTEMIS_OK) w->out->len = start_len;
  return status;
}

int artemis_pq_write_page_header(const artemis_pq_page_header* header, artemis_buf* out) {
  if (header == NULL || out == NULL) return ARTEMIS_E_INVALID_ARGUMENT;
  if (header->type != PQ_PAGE_DATA && header->type != PQ_PAGE_DICTIONARY)
    return ARTEMIS_E_INVALID_ARGUMENT;
  size_t start_len = out->len;
  artemis_thrift_writer w;
  artemis_tw_init(&w, out);
  artemis_tw_field_i32(&w, 1, header->type);
  artemis_tw_field_i32(&w, 2, header->uncompressed_page_size);
  artemis_tw_field_i32(&w, 3, header->compressed_page_size);
  if (header->type == PQ_PAGE_DATA) {
    artemis_tw_field_struct_begin(&w, 5);
    artemis_tw_field_i32(&w, 1, header->num_values);
    artemis_tw_field_i32(&w, 2, header->encoding);
    /* v1 levels are always the RLE/bit-packed hybrid (flat columns have no rep levels,
     * but the field is required). */
    artemis_tw_field_i32(&w, 3, PQ_ENC_RLE);
    artemis_tw_field_i32(&w, 4, PQ_ENC_RLE);
    if (header->statistics) artemis_pq_write_statistics_field(&w, 5, header->statistics);
    artemis_tw_struct_end(&w);
  } else {
    artemis_tw_field_struct_begin(&w, 7);
    artemis_tw_field_i32(&w, 1, header->dictionary_num_values);
    /* PLAIN is the current spelling; PLAIN_DICTIONARY is deprecated for dict pages. */
    artemis_tw_field_i32(&w, 2, PQ_ENC_PLAIN);
    artemis_tw_struct_end(&w);
  }
  return finish_root(&w, start_len);
}

static void write_time_unit(artemis_thrift_writer* w, int16_t id, int unit) {
  if (unit != PQ_UNIT_MILLIS && unit != PQ_UNIT_MICROS && unit != PQ_UNIT_NANOS) {
    artemis_tw_fail(w, ARTEMIS_E_INVALID_ARGUMENT);
    return;
  }
  artemis_tw_field_struct_begin(w, id);
  artemis_tw_field_empty_struct(w, (int16_t)unit);
  artemis_tw_struct_end(w);
}

static void write_logical_type(artemis_thrift_writer* w, int16_t id, const artemis_pq_logical_type* lt) {
  artemis_tw_field_struct_begin(w, id);
  switch (lt->kind) {
    case PQ_LT_STRING:
    case PQ_LT_ENUM:
    case PQ_LT_DATE:
    case PQ_LT_UNKNOWN:
    case PQ_LT_UUID:
    case PQ_LT_FLOAT16:
      artemis_tw_field_empty_struct(w, (int16_t)lt->kind);
      break;
    case PQ_LT_DECIMAL:
      artemis_tw_field_struct_begin(w, PQ_LT_DECIMAL);
      artemis_tw_field_i32(w, 1, lt->scale);
      artemis_tw_field_i32(w, 2, lt->precision);
      artemis_tw_struct_end(w);
      break;
    case PQ_LT_TIME:
    case PQ_LT_TIMESTAMP:
      artemis_tw_field_struct_begin(w, (int16_t)lt->kind);
      artemis_tw_field_bool(w, 1, lt->is_adjusted_to_utc);
      write_time_unit(w, 2, lt->unit);
      artemis_tw_struct_end(w);
      break;
    case PQ_LT_INTEGER:
      if (lt->bit_width != 8 && lt->bit_width != 16 && lt->bit_width != 32 && lt->bit_width != 64) {
        artemis_tw_fail(w, ARTEMIS_E_INVALID_ARGUMENT);
        return;
      }
      artemis_tw_field_struct_begin(w, PQ_LT_INTEGER);
      artemis_tw_field_i8(w, 1, lt->bit_width);
      artemis_tw_field_bool(w, 2, lt->is_signed);
      artemis_tw_struct_end(w);
      break;
    default:
      artemis_tw_fail(w, ARTEMIS_E_INVALID_ARGUMENT);
      return;
  }
  artemis_tw_struct_end(w);
}

static void write_schema_element(artemis_thrift_writer* w, const artemis_pq_schema_element* e, int is_root) {
  if (e->name == NULL) {
    artemis_tw_fail(w, ARTEMIS_E_INVALID_ARGUMENT);
    return;
  }
  artemis_tw_list_struct_begin(w);
  if (is_root) {
    /* The root is a group: no type, no repetition, only its name and child count. */
    if (e->num_children < 0) artemis_tw_fail(w, ARTEMIS_E_INVALID_ARGUMENT);
    artemis_tw_field_string(w, 4, e->name);
    artemis_tw_field_i32(w, 5, e->num_children);
  } else {
    if (e->type >= 0) artemis_tw_field_i32(w, 1, e->type);
    if (e->type_length >= 0) artemis_tw_field_i32(w, 2, e->type_length);
    if (e->repetition >= 0) artemis_tw_field_i32(w, 3, e->repetition);
    artemis_tw_field_string(w, 4, e->name);
    if (e->num_children >= 0) artemis_tw_field_i32(w, 5, e->num_children);
    if (e->converted_type >= 0) artemis_tw_field_i32(w, 6, e->converted_type);
    if (e->scale >= 0) artemis_tw_field_i32(w, 7, e->scale);
    if (e->precision >= 0) artemis_tw_field_i32(w, 8, e->precision);
    if (e->logical.kind != PQ_LT_NONE) write_logical_type(w, 10, &e->logical);
  }
  artemis_tw_struct_end(w);
}

static size_t count_bits(uint32_t v) {
  size_t n = 0;
  for (; v; v &= v - 1) n++;
  return n;
}

static void write_column_metadata(artemis_thrift_writer* w, int16_t id, const artemis_pq_column_chunk* c) {
  if (c->path == NULL || (c->encoding_stats_count > 0 && c->encoding_stats == NULL)) {
    artemis_tw_fail(w, ARTEMIS_E_INVALID_ARGUMENT);
    return;
  }
  artemis_tw_field_struct_begin(w, id);
  artemis_tw_field_i32(w, 1, c->type);
  /* Ascending order makes the list deterministic (golden files compare bytes). */
  artemis_tw_field_list_begin(w, 2, ARTEMIS_TT_I32, count_bits(c->encodings));
  for (int32_t enc = 0; enc < 32; enc++) {
    if (c->encodings & (UINT32_C(1) << enc)) artemis_tw_list_i32(w, enc);
  }
  artemis_tw_field_list_begin(w, 3, ARTEMIS_TT_BINARY, 1);
  artemis_tw_list_binary(w, c->path, strlen(c->path));
  artemis_tw_field_i32(w, 4, c->codec);
  artemis_tw_field_i64(w, 5, c->num_values);
  artemis_tw_field_i64(w, 6, c->total_uncompressed_size);
  artemis_tw_field_i64(w, 7, c->total_compressed_size);
  artemis_tw_field_i64(w, 9, c->data_page_offset);
  /* Absent, never 0: arrow-rs takes any present value as the chunk start. */
  if (c->dictionary_page_offset >= 0) artemis_tw_field_i64(w, 11, c->dictionary_page_offset);
  if (c->statistics) artemis_pq_write_statistics_field(w, 12, c->statistics);
  if (c->encoding_stats_count > 0) {
    artemis_tw_field_list_begin(w, 13, ARTEMIS_TT_STRUCT, c->encoding_stats_count);
    for (size_t i = 0; i < c->encoding_stats_count; i++) {
      const artemis_pq_encoding_stats* es = &c->encoding_stats[i];
      artemis_tw_list_struct_begin(w);
      artemis_tw_field_i32(w, 1, es->page_type);
      artemis_tw_field_i32(w, 2, es->encoding);
      artemis_tw_field_i32(w, 3, es->count);
      artemis_tw_struct_end(w);
    }
  }
  artemis_tw_struct_end(w);
}

static void write_column_chunk(artemis_thrift_writer* w, const artemis_pq_column_chunk* c) {
  artemis_tw_list_struct_begin(w);
  /* Deprecated but required; 0 means "no ColumnMetaData written outside the footer". */
  artemis_tw_field_i64(w, 2, 0);
  write_column_metadata(w, 3, c);
  if (c->offset_index_offset >= 0) {
    artemis_tw_field_i64(w, 4, c->offset_index_offset);
    artemis_tw_field_i32(w, 5, c->offset_index_length);
  }
  if (c->column_index_offset >= 0) {
    artemis_tw_field_i64(w, 6, c->column_index_offset);
    artemis_tw_field_i32(w, 7, c->column_index_length);
  }
  artemis_tw_struct_end(w);
}

static void write_row_group(artemis_thrift_writer* w, const artemis_pq_row_group* rg) {
  if (rg->column_count > 0 && rg->columns == NULL) {
    artemis_tw_fail(w, ARTEMIS_E_INVALID_ARGUMENT);
    return;
  }
  artemis_tw_list_struct_begin(w);
  artemis_tw_field_list_begin(w, 1, ARTEMIS_TT_STRUCT, rg->column_count);
  for (size_t i = 0; i < rg->column_count; i++) write_column_chunk(w, &rg->columns[i]);
  artemis_tw_field_i64(w, 2, rg->total_byte_size);
  artemis_tw_field_i64(w, 3, rg->num_rows);
  if (rg->file_offset >= 0) artemis_tw_field_i64(w, 5, rg->file_offset);
  if (rg->total_compressed_size >= 0) artemis_tw_field_i64(w, 6, rg->total_compressed_size);
  if (rg->ordinal >= 0) artemis_tw_field_i16(w, 7, rg->ordinal);
  artemis_tw_struct_end(w);
}

int artemis_pq_write_file_metadata(const artemis_pq_file_metadata* meta, artemis_buf* out) {
  if (meta == NULL || out == NULL) return ARTEMIS_E_INVALID_ARGUMENT;
  if (meta->schema_count == 0 || meta->schema == NULL) return ARTEMIS_E_INVALID_ARGUMENT;
  if (meta->row_group_count > 0 && meta->row_groups == NULL) return ARTEMIS_E_INVALID_ARGUMENT;
  if (meta->key_value_count > 0 && meta->key_values == NULL) return ARTEMIS_E_INVALID_ARGUMENT;
  size_t start_len = out->len;
  artemis_thrift_writer w;
  artemis_tw_init(&w, out);
  artemis_tw_field_i32(&w, 1, 1);
  artemis_tw_field_list_begin(&w, 2, ARTEMIS_TT_STRUCT, meta->schema_count);
  for (size_t i = 0; i < meta->schema_count; i++) write_schema_element(&w, &meta->schema[i], i == 0);
  artemis_tw_field_i64(&w, 3, meta->num_rows);
  artemis_tw_field_list_begin(&w, 4, ARTEMIS_TT_STRUCT, meta->row_group_count);
  for (size_t i = 0; i < meta->row_group_count; i++) write_row_group(&w, &meta->row_groups[i]);
  if (meta->key_value_count > 0) {
    artemis_tw_field_list_begin(&w, 5, ARTEMIS_TT_STRUCT, meta->key_value_count);
    for (size_t i = 0; i < meta->key_value_count; i++) {
      const artemis_pq_key_value* kv = &meta->key_values[i];
      artemis_tw_list_struct_begin(&w);
      artemis_tw_field_binary(&w, 1, kv->key, kv->key_len);
      if (kv->value) artemis_tw_field_binary(&w, 2, kv->value, kv->value_len);
      artemis_tw_struct_end(&w);
    }
  }
  if (meta->created_by) artemis_tw_field_string(&w, 6, meta->created_by);
  /* One TYPE_ORDER per leaf: without column_orders Arrow C++ >= 25 ignores min_value/max_value,
   * and a count mismatch makes it reject the schema. */
  artemis_tw_field_list_begin(&w, 7, ARTEMIS_TT_STRUCT, meta->column_order_count);
  for (size_t i = 0; i < meta->column_order_count; i++) {
    artemis_tw_list_struct_begin(&w);
    artemis_tw_field_empty_struct(&w, 1);
    artemis_tw_struct_end(&w);
  }
  return finish_root(&w, start_len);
}

int artemis_pq_write_offset_index(const artemis_pq_page_location* pages, size_t n, artemis_buf* out) {
  if (out == NULL || (n > 0 && pages == NULL)) return ARTEMIS_E_INVALID_ARGUMENT;
  size_t start_len = out->len;
  artemis_thrift_writer w;
  artemis_tw_init(&w, out);
  artemis_tw_field_list_begin(&w, 1, ARTEMIS_TT_STRUCT, n);
  for (size_t i = 0; i < n; i++) {
    artemis_tw_list_struct_begin(&w);
    artemis_tw_field_i64(&w, 1, pages[i].offset);
    artemis_tw_field_i32(&w, 2, pages[i].compressed_page_size);
    artemis_tw_field_i64(&w, 3, pages[i].first_row_index);
    artemis_tw_struct_end(&w);
  }
  return finish_root(&w, start_len);
}

int artemis_pq_write_column_index(const artemis_pq_column_index* index, artemis_buf* out) {
  if (index == NULL || out == NULL) return ARTEMIS_E_INVALID_ARGUMENT;
  size_t n = index->page_count;
  if (n > 0 && (index->null_pages == NULL || index->min_values == NULL || index->min_lens == NULL ||
                index->max_values == NULL || index->max_lens == NULL))
    return ARTEMIS_E_INVALID_ARGUMENT;
  size_t start_len = out->len;
  artemis_thrift_writer w;
  artemis_tw_init(&w, out);
  artemis_tw_field_list_begin(&w, 1, ARTEMIS_TT_BOOL_TRUE, n);
  for (size_t i = 0; i < n; i++) artemis_tw_list_bool(&w, index->null_pages[i] != 0);
  /* The spec requires byte[0] bounds for null pages whatever the caller left there. */
  artemis_tw_field_list_begin(&w, 2, ARTEMIS_TT_BINARY, n);
  for (size_t i = 0; i < n; i++) {
    if (index->null_pages[i]) artemis_tw_list_binary(&w, NULL, 0);
    else artemis_tw_list_binary(&w, index->min_values[i], index->min_lens[i]);
  }
  artemis_tw_field_list_begin(&w, 3, ARTEMIS_TT_BINARY, n);
  for (size_t i = 0; i < n; i++) {
    if (index->null_pages[i]) artemis_tw_list_binary(&w, NULL, 0);
    else artemis_tw_list_binary(&w, index->max_values[i], index->max_lens[i]);
  }
  artemis_tw_field_i32(&w, 4, index->boundary_order);
  if (index->null_counts) {
    artemis_tw_field_list_begin(&w, 5, ARTEMIS_TT_I64, n);
    for (size_t i = 0; i < n; i++) artemis_tw_list_i64(&w, index->null_counts[i]);
  }
  return finish_root(&w, start_len);
}
