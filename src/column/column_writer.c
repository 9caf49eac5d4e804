#include "column/column_writer.h"

#include <math.h>
#include <string.h>

#include "core/errors.h"
#include "encoding/encoders.h"
#include "thrift/compact_writer.h"

/* Rows handed to the encoders at a time: small enough to stay in cache, large enough to
 * amortize per-call work. */
#define GATHER_ROWS 4096

static int nomem(artemis_error* error, const artemis_column_writer* cw, int64_t row_group) {
  return artemis_set_error_at(error, ARTEMIS_E_NOMEM, cw->cfg.index, row_group, -1,
                              "out of memory while encoding column %lld \"%s\" (row group %lld)",
                              (long long)cw->cfg.index, cw->cfg.name, (long long)row_group);
}

static int page_error(artemis_error* error, const artemis_column_writer* cw, int64_t row_group, int rc) {
  if (rc == ARTEMIS_E_LIMIT)
    return artemis_set_error_at(error, rc, cw->cfg.index, row_group, -1,
                                "column %lld \"%s\": a page exceeds Parquet's 2 GiB page limit",
                                (long long)cw->cfg.index, cw->cfg.name);
  return nomem(error, cw, row_group);
}

void artemis_page_scratch_init(artemis_page_scratch* s, artemis_mem* mem) {
  artemis_buf_init(&s->body, mem);
  artemis_buf_init(&s->compressed, mem);
  artemis_buf_init(&s->header, mem);
  artemis_buf_init(&s->dba, mem);
  artemis_buf_init(&s->stat_min, mem);
  artemis_buf_init(&s->stat_max, mem);
}

void artemis_page_scratch_free(artemis_page_scratch* s) {
  artemis_buf_free(&s->body);
  artemis_buf_free(&s->compressed);
  artemis_buf_free(&s->header);
  artemis_buf_free(&s->dba);
  artemis_buf_free(&s->stat_min);
  artemis_buf_free(&s->stat_max);
}

int artemis_column_writer_init(artemis_column_writer* cw, artemis_mem* mem, artemis_codec* codec,
                               artemis_page_scratch* scratch, const artemis_column_config* cfg) {
  memset(cw, 0, sizeof *cw);
  cw->mem = mem;
  cw->codec = codec;
  cw->scratch = scratch;
  cw->cfg = *cfg;
  cw->optional = cfg->type->nullable;
  artemis_buf_init(&cw->levels, mem);
  artemis_buf_init(&cw->values, mem);
  artemis_buf_init(&cw->lengths, mem);
  artemis_buf_init(&cw->indices, mem);
  artemis_buf_init(&cw->page_seen, mem);
  cw->page_serial = 1;
  artemis_buf_init(&cw->dict_page, mem);
  artemis_buf_init(&cw->pages, mem);
  artemis_buf_init(&cw->page_locations, mem);
  artemis_buf_init(&cw->column_index, mem);
  artemis_gather_scratch_init(&cw->gather, mem);
  size_t width = cfg->type->physical_type == PQ_BYTE_ARRAY ? 0 : cfg->type->value_width;
  artemis_stats_init(&cw->page_stats, mem, cfg->type->sort_kind, width);
  artemis_stats_init(&cw->chunk_stats, mem, cfg->type->sort_kind, width);
  cw->value_encoding = cfg->value_encoding;
  if (cfg->use_dictionary) {
    if (artemis_dict_init(&cw->dict, mem, width) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
    cw->dict_active = !cfg->adaptive;
  }
  cw->deciding = cfg->adaptive;
  return ARTEMIS_OK;
}

void artemis_column_writer_free(artemis_column_writer* cw) {
  artemis_buf_free(&cw->levels);
  artemis_buf_free(&cw->values);
  artemis_buf_free(&cw->lengths);
  artemis_buf_free(&cw->indices);
  artemis_buf_free(&cw->page_seen);
  artemis_buf_free(&cw->dict_page);
  artemis_buf_free(&cw->pages);
  artemis_buf_free(&cw->page_locations);
  artemis_buf_free(&cw->column_index);
  artemis_gather_scratch_free(&cw->gather);
  artemis_stats_free(&cw->page_stats);
  artemis_stats_free(&cw->chunk_stats);
  if (cw->cfg.use_dictionary) artemis_dict_free(&cw->dict);
}

static int is_byte_array(const artemis_column_writer* cw) { return cw->cfg.type->physical_type == PQ_BYTE_ARRAY; }

/* Serializes header + body into `dst` and accounts sizes. */
static int emit_page(artemis_column_writer* cw, artemis_buf* dst, const artemis_pq_page_header* header,
                     const uint8_t* body, size_t body_len) {
  artemis_buf_clear(&cw->scratch->header);
  if (artemis_pq_write_page_header(header, &cw->scratch->header) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
  /* OffsetIndex stores header + body as an i32. */
  if (body_len > (size_t)INT32_MAX - cw->scratch->header.len) return ARTEMIS_E_LIMIT;
  if (artemis_buf_reserve(dst, cw->scratch->header.len + body_len) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
  artemis_buf_put_unchecked(dst, cw->scratch->header.data, cw->scratch->header.len);
  artemis_buf_put_unchecked(dst, body, body_len);
  cw->chunk_uncompressed += (int64_t)cw->scratch->header.len + header->uncompressed_page_size;
  cw->chunk_compressed += (int64_t)cw->scratch->header.len + header->compressed_page_size;
  return ARTEMIS_OK;
}

static int compress_body(artemis_column_writer* cw, int64_t row_group, const uint8_t** out, size_t* out_len,
                         artemis_error* error) {
  if (cw->scratch->body.len > INT32_MAX)
    return artemis_set_error_at(error, ARTEMIS_E_LIMIT, cw->cfg.index, row_group, -1,
                                "column %lld \"%s\": a page of %zu bytes exceeds Parquet's 2 GiB page limit",
                                (long long)cw->cfg.index, cw->cfg.name, cw->scratch->body.len);
  int rc = artemis_codec_compress(cw->codec, cw->scratch->body.data, cw->scratch->body.len, &cw->scratch->compressed, out, out_len);
  if (rc == ARTEMIS_E_NOMEM) return nomem(error, cw, row_group);
  if (rc != ARTEMIS_OK)
    return artemis_set_error_at(error, rc, cw->cfg.index, row_group, -1, "column %lld \"%s\": compression failed",
                                (long long)cw->cfg.index, cw->cfg.name);
  if (*out_len > INT32_MAX)
    return artemis_set_error_at(error, ARTEMIS_E_LIMIT, cw->cfg.index, row_group, -1,
                                "column %lld \"%s\": compressed page exceeds 2 GiB", (long long)cw->cfg.index, cw->cfg.name);
  return ARTEMIS_OK;
}

/* FLOAT16 min/max are left out when NaNs are present: DuckDB 1.5 widens float bounds for
 * possible NaNs only for FLOAT/DOUBLE and would skip the NaN rows of FLOAT16 columns
 * (duckdb#25521). No min/max is always a correct statistic. */
static int encode_stats(artemis_column_writer* cw, const artemis_stats* stats, artemis_stats_encoded* out) {
  int rc = artemis_stats_encode(stats, cw->cfg.truncate_bytes, &cw->scratch->stat_min, &cw->scratch->stat_max, out);
  const artemis_arrow_type* t = cw->cfg.type;
  if (rc == ARTEMIS_OK && t->sort_kind == ARTEMIS_SORT_FLOAT16 && out->nan_count > 0) out->has_min_max = 0;
  /* FIXED_LEN_BYTE_ARRAY bounds cannot be truncated (they keep the type's width): wide
   * values would copy kilobytes into every page header, so their min/max are left out. */
  if (rc == ARTEMIS_OK && t->sort_kind == ARTEMIS_SORT_BYTES && t->physical_type == PQ_FIXED_LEN_BYTE_ARRAY &&
      cw->cfg.truncate_bytes > 0 && t->value_width > (size_t)cw->cfg.truncate_bytes)
    out->has_min_max = 0;
  return rc;
}

static int build_dictionary_page(artemis_column_writer* cw, int64_t row_group, artemis_error* error) {
  artemis_buf_clear(&cw->scratch->body);
  if (artemis_buf_append(&cw->scratch->body, cw->dict.plain.data, cw->dict.plain.len) != ARTEMIS_OK) return nomem(error, cw, row_group);
  const uint8_t* payload;
  size_t payload_len;
  ARTEMIS_RETURN_NOT_OK(compress_body(cw, row_group, &payload, &payload_len, error));
  artemis_pq_page_header h = {0};
  h.type = PQ_PAGE_DICTIONARY;
  h.uncompressed_page_size = (int32_t)cw->scratch->body.len;
  h.compressed_page_size = (int32_t)payload_len;
  h.dictionary_num_values = (int32_t)cw->dict.count;
  artemis_buf_clear(&cw->dict_page);
  int rc = emit_page(cw, &cw->dict_page, &h, payload, payload_len);
  if (rc != ARTEMIS_OK) return page_error(error, cw, row_group, rc);
  cw->dict_page_ready = 1;
  return ARTEMIS_OK;
}

static int encode_values(artemis_column_writer* cw, int encoding, size_t n) {
  const artemis_arrow_type* t = cw->cfg.type;
  artemis_buf* out = &cw->scratch->body;
  const uint32_t* lengths = (const uint32_t*)(const void*)cw->lengths.data;
  switch (encoding) {
    case PQ_ENC_PLAIN:
      if (t->physical_type == PQ_BOOLEAN) return artemis_plain_encode_bool(cw->values.data, n, out);
      if (is_byte_array(cw)) return artemis_plain_encode_byte_array(lengths, cw->values.data, n, out);
      return artemis_plain_encode_fixed(cw->values.data, n, t->value_width, out);
    case PQ_ENC_DELTA_BINARY_PACKED:
      if (t->physical_type == PQ_INT32) return artemis_dbp_encode_int32((const int32_t*)(const void*)cw->values.data, n, out);
      return artemis_dbp_encode_int64((const int64_t*)(const void*)cw->values.data, n, out);
    case PQ_ENC_BYTE_STREAM_SPLIT:
      return artemis_bss_encode(cw->values.data, n, t->value_width, out);
    case PQ_ENC_DELTA_LENGTH_BYTE_ARRAY:
      return artemis_dlba_encode(lengths, cw->values.data, n, out);
    case PQ_ENC_DELTA_BYTE_ARRAY:
      return artemis_dba_encode(lengths, cw->values.data, n, &cw->scratch->dba, out);
    default:
      return ARTEMIS_E_INTERNAL;
  }
}

/* Records the page's page-index entry: [u8 null_page][i64 null_count][u32 len][min][u32 len][max]. */
static int record_page_index(artemis_column_writer* cw, int64_t page_offset, size_t page_size, int64_t first_row,
                             int64_t nulls, const artemis_stats_encoded* st) {
  artemis_pq_page_location loc = {page_offset, (int32_t)page_size, first_row};
  if (artemis_buf_append(&cw->page_locations, &loc, sizeof loc) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
  if (!cw->cfg.page_index || !cw->cfg.statistics) return ARTEMIS_OK;
  uint8_t null_page = cw->page_non_null == 0;
  /* A page with values but no min/max holds only NaN: the spec then forbids a ColumnIndex
   * for the chunk; mark it with 2 so the serializer skips it. */
  if (!null_page && !st->has_min_max) null_page = 2;
  uint32_t min_len = st->has_min_max ? (uint32_t)st->min_len : 0;
  uint32_t max_len = st->has_min_max ? (uint32_t)st->max_len : 0;
  if (artemis_buf_reserve(&cw->column_index, 1 + 8 + 8 + min_len + max_len) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
  artemis_buf_put_unchecked(&cw->column_index, &null_page, 1);
  artemis_buf_put_unchecked(&cw->column_index, &nulls, 8);
  artemis_buf_put_unchecked(&cw->column_index, &min_len, 4);
  if (min_len) artemis_buf_put_unchecked(&cw->column_index, st->min, min_len);
  artemis_buf_put_unchecked(&cw->column_index, &max_len, 4);
  if (max_len) artemis_buf_put_unchecked(&cw->column_index, st->max, max_len);
  return ARTEMIS_OK;
}

/* Entries counted in the page statistics are forgotten: a new page (or a new dictionary,
 * whose indices mean other values). */
static void next_page_serial(artemis_column_writer* cw) {
  if (++cw->page_serial == 0) {
    if (cw->page_seen.len) memset(cw->page_seen.data, 0, cw->page_seen.len);
    cw->page_serial = 1;
  }
}

static int close_page(artemis_column_writer* cw, int64_t row_group, artemis_error* error) {
  if (cw->page_rows == 0) return ARTEMIS_OK;
  size_t n = (size_t)cw->page_non_null;
  artemis_buf_clear(&cw->scratch->body);
  if (cw->optional) {
    /* v1 definition levels: u32 LE byte length, then the RLE/bit-packed hybrid, width 1. */
    if (artemis_buf_append_u32le(&cw->scratch->body, 0) != ARTEMIS_OK) return nomem(error, cw, row_group);
    size_t start = cw->scratch->body.len;
    if (artemis_rle_hybrid_encode_u8(cw->levels.data, (size_t)cw->page_rows, 1, &cw->scratch->body) != ARTEMIS_OK)
      return nomem(error, cw, row_group);
    uint32_t levels_len = (uint32_t)(cw->scratch->body.len - start);
    memcpy(cw->scratch->body.data + start - 4, &levels_len, 4);
  }
  int encoding;
  if (cw->dict_active) {
    /* Also for pages before the first value (an empty dictionary so far): bit width 0 and
     * no runs, so every data page of a dictionary chunk is RLE_DICTIONARY, like Arrow C++
     * writes it (an all-null chunk gets a dictionary page with 0 entries). */
    encoding = PQ_ENC_RLE_DICTIONARY;
    int bw = cw->dict.count ? artemis_bit_width(cw->dict.count - 1) : 0;
    if (artemis_buf_append_u8(&cw->scratch->body, (uint8_t)bw) != ARTEMIS_OK ||
        artemis_rle_hybrid_encode((const uint32_t*)(const void*)cw->indices.data, n, bw, &cw->scratch->body) != ARTEMIS_OK)
      return nomem(error, cw, row_group);
  } else {
    encoding = cw->value_encoding;
    int rc = encode_values(cw, encoding, n);
    if (rc == ARTEMIS_E_NOMEM) return nomem(error, cw, row_group);
    if (rc != ARTEMIS_OK) return artemis_set_error_at(error, rc, cw->cfg.index, row_group, -1, "column %lld \"%s\": encoder failed", (long long)cw->cfg.index, cw->cfg.name);
  }
  const uint8_t* payload;
  size_t payload_len;
  ARTEMIS_RETURN_NOT_OK(compress_body(cw, row_group, &payload, &payload_len, error));

  artemis_stats_encoded st = {0};
  int have_stats = 0;
  if (cw->cfg.statistics) {
    if (encode_stats(cw, &cw->page_stats, &st) != ARTEMIS_OK) return nomem(error, cw, row_group);
    have_stats = 1;
  }
  artemis_pq_page_header h = {0};
  h.type = PQ_PAGE_DATA;
  h.uncompressed_page_size = (int32_t)cw->scratch->body.len;
  h.compressed_page_size = (int32_t)payload_len;
  h.num_values = (int32_t)cw->page_rows;
  h.encoding = encoding;
  h.statistics = have_stats ? &st : NULL;
  int64_t page_offset = (int64_t)cw->pages.len;
  int emitted = emit_page(cw, &cw->pages, &h, payload, payload_len);
  if (emitted != ARTEMIS_OK) return page_error(error, cw, row_group, emitted);
  int64_t nulls = cw->page_rows - cw->page_non_null;
  if (record_page_index(cw, page_offset, cw->pages.len - (size_t)page_offset, cw->chunk_rows, nulls, &st) != ARTEMIS_OK)
    return nomem(error, cw, row_group);

  cw->data_pages_by_encoding[encoding]++;
  if (encoding == PQ_ENC_RLE_DICTIONARY) cw->dict_pages_written++;
  cw->chunk_rows += cw->page_rows;
  cw->chunk_null_count += nulls;
  if (cw->cfg.statistics && artemis_stats_merge(&cw->chunk_stats, &cw->page_stats) != ARTEMIS_OK)
    return nomem(error, cw, row_group);
  artemis_stats_reset(&cw->page_stats);
  next_page_serial(cw);
  artemis_buf_clear(&cw->levels);
  artemis_buf_clear(&cw->values);
  artemis_buf_clear(&cw->lengths);
  artemis_buf_clear(&cw->indices);
  cw->page_rows = 0;
  cw->page_non_null = 0;
  return ARTEMIS_OK;
}

/* The dictionary passed its limit: finish the dictionary-encoded page, freeze the
 * dictionary into its page, continue with the column's value encoding. */
static int fall_back(artemis_column_writer* cw, int64_t row_group, artemis_error* error) {
  ARTEMIS_RETURN_NOT_OK(close_page(cw, row_group, error));
  ARTEMIS_RETURN_NOT_OK(build_dictionary_page(cw, row_group, error));
  cw->dict_active = 0;
  cw->fell_back = 1;
  artemis_dict_reset(&cw->dict);
  next_page_serial(cw);
  return ARTEMIS_OK;
}

static int64_t page_estimate(const artemis_column_writer* cw) {
  int64_t levels = cw->optional ? cw->page_rows / 8 : 0;
  if (cw->dict_active) {
    int bw = cw->dict.count ? artemis_bit_width(cw->dict.count - 1) : 0;
    return levels + (cw->page_non_null * bw + 7) / 8;
  }
  return levels + (int64_t)cw->values.len + (int64_t)cw->lengths.len;
}

static int decide_encoding(artemis_column_writer* cw, int64_t row_group, artemis_error* error);

/* Page min/max of a byte-array dictionary column from the entries the page uses: each
 * entry is compared the first time the page uses it; the value count still counts every
 * value. Same statistics as comparing every value (min/max of a set does not depend on
 * repetitions), a fraction of the work: 8 missions or 900 URIs per 20,000-row page. */
static int stats_from_dictionary_entries(artemis_column_writer* cw, const uint32_t* indices, size_t n) {
  size_t need = (size_t)cw->dict.count * sizeof(uint32_t);
  if (cw->page_seen.len < need) {
    if (artemis_buf_reserve(&cw->page_seen, need - cw->page_seen.len) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
    memset(cw->page_seen.data + cw->page_seen.len, 0, need - cw->page_seen.len);
    cw->page_seen.len = need;
  }
  uint32_t* seen = (uint32_t*)(void*)cw->page_seen.data;
  size_t fresh = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t index = indices[i];
    if (seen[index] == cw->page_serial) continue;
    seen[index] = cw->page_serial;
    uint32_t length;
    const uint8_t* bytes = artemis_dict_byte_array_entry(&cw->dict, index, &length);
    if (artemis_stats_update_byte_arrays(&cw->page_stats, &length, bytes, 1) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
    fresh++;
  }
  artemis_stats_add_values(&cw->page_stats, (int64_t)(n - fresh));
  return ARTEMIS_OK;
}

static int append_gathered(artemis_column_writer* cw, const artemis_gathered* g, int64_t row_group, int* fell_back,
                           artemis_error* error) {
  size_t nn = g->non_null;
  if (cw->optional) {
    if (artemis_buf_reserve(&cw->levels, g->rows) != ARTEMIS_OK) return nomem(error, cw, row_group);
    if (g->def_levels) {
      artemis_buf_put_unchecked(&cw->levels, g->def_levels, g->rows);
    } else {
      memset(cw->levels.data + cw->levels.len, 1, g->rows);
      cw->levels.len += g->rows;
    }
  }
  /* Strings repeat: a dictionary column compares each distinct entry once per page. */
  int stats_from_entries = cw->cfg.statistics && cw->dict_active && is_byte_array(cw);
  if (cw->cfg.statistics) {
    if (!stats_from_entries) {
      int rc = is_byte_array(cw) ? artemis_stats_update_byte_arrays(&cw->page_stats, g->lengths, g->bytes, nn)
                                 : artemis_stats_update_fixed(&cw->page_stats, g->fixed, nn);
      if (rc != ARTEMIS_OK) return nomem(error, cw, row_group);
    }
    artemis_stats_add_nulls(&cw->page_stats, (int64_t)(g->rows - nn));
  }
  if (cw->dict_active) {
    if (artemis_buf_reserve(&cw->indices, nn * sizeof(uint32_t) + sizeof(uint32_t)) != ARTEMIS_OK)
      return nomem(error, cw, row_group); /* +1 entry: never a NULL data pointer, even for nn == 0 */
    uint32_t* out = (uint32_t*)(void*)(cw->indices.data + cw->indices.len);
    int rc = is_byte_array(cw) ? artemis_dict_insert_byte_arrays(&cw->dict, g->lengths, g->bytes, nn, out)
                               : artemis_dict_insert_fixed(&cw->dict, g->fixed, nn, out);
    if (rc != ARTEMIS_OK) return nomem(error, cw, row_group);
    if (stats_from_entries && stats_from_dictionary_entries(cw, out, nn) != ARTEMIS_OK) return nomem(error, cw, row_group);
    cw->indices.len += nn * sizeof(uint32_t);
  } else if (is_byte_array(cw)) {
    if (artemis_buf_append(&cw->lengths, g->lengths, nn * sizeof(uint32_t)) != ARTEMIS_OK ||
        artemis_buf_append(&cw->values, g->bytes, g->bytes_len) != ARTEMIS_OK)
      return nomem(error, cw, row_group);
  } else {
    if (artemis_buf_append(&cw->values, g->fixed, nn * cw->cfg.type->value_width) != ARTEMIS_OK)
      return nomem(error, cw, row_group);
  }
  cw->page_rows += (int64_t)g->rows;
  cw->page_non_null += (int64_t)nn;

  if (cw->deciding && (cw->page_rows >= cw->cfg.adaptive_sample_rows || page_estimate(cw) >= cw->cfg.page_target_bytes ||
                       cw->page_rows >= cw->cfg.page_max_rows))
    ARTEMIS_RETURN_NOT_OK(decide_encoding(cw, row_group, error));
  if (cw->dict_active && (int64_t)artemis_dict_plain_size(&cw->dict) >= cw->cfg.dictionary_limit_bytes) {
    ARTEMIS_RETURN_NOT_OK(fall_back(cw, row_group, error));
    *fell_back = 1;
    return ARTEMIS_OK;
  }
  if (page_estimate(cw) >= cw->cfg.page_target_bytes || cw->page_rows >= cw->cfg.page_max_rows)
    return close_page(cw, row_group, error);
  return ARTEMIS_OK;
}

/* ---- adaptive encoding ------------------------------------------------------------------ */

/* The encodings a type can take (dictionary first, so that it wins ties: it is also the
 * cheapest to filter on), or 0 candidates when there is nothing to choose. */
static size_t candidates_of(const artemis_column_writer* cw, int* out) {
  size_t n = 0;
  if (cw->cfg.use_dictionary) out[n++] = PQ_ENC_RLE_DICTIONARY;
  out[n++] = PQ_ENC_PLAIN;
  switch (cw->cfg.type->physical_type) {
    case PQ_INT32:
    case PQ_INT64: out[n++] = PQ_ENC_DELTA_BINARY_PACKED; break;
    case PQ_FLOAT:
    case PQ_DOUBLE: out[n++] = PQ_ENC_BYTE_STREAM_SPLIT; break;
    case PQ_BYTE_ARRAY:
      out[n++] = PQ_ENC_DELTA_LENGTH_BYTE_ARRAY;
      out[n++] = PQ_ENC_DELTA_BYTE_ARRAY;
      break;
    default: break;
  }
  return n;
}

/* Rows [0, rows) of a gathered sample as a sample of their own, and the rest as `tail`. */
static void split_sample(const artemis_gathered* g, size_t width, size_t rows, artemis_gathered* head, artemis_gathered* tail) {
  size_t present = rows;
  if (g->def_levels) {
    present = 0;
    for (size_t i = 0; i < rows; i++) present += g->def_levels[i];
  }
  size_t bytes = 0;
  if (g->lengths)
    for (size_t i = 0; i < present; i++) bytes += g->lengths[i];
  *head = *g;
  head->rows = rows;
  head->non_null = present;
  head->bytes_len = bytes;
  *tail = *g;
  tail->rows = g->rows - rows;
  tail->non_null = g->non_null - present;
  if (g->def_levels) tail->def_levels = g->def_levels + rows;
  if (g->fixed) tail->fixed = g->fixed + present * width;
  if (g->lengths) tail->lengths = g->lengths + present;
  if (g->bytes) tail->bytes = g->bytes + bytes;
  tail->bytes_len = g->bytes_len - bytes;
}

/* What a dictionary trial measured, for the projection to the whole chunk. */
typedef struct dictionary_trial {
  int valid;            /* 0: no projection (the dictionary fell back inside the sample) */
  double total;         /* compressed bytes: dictionary page + index pages */
  double page;          /* compressed dictionary page, header included */
  double plain_half;    /* PLAIN size of the dictionary after the first half of the sample */
  double plain_full;    /* ... and after all of it */
} dictionary_trial;

/* Encodes the sample with one candidate as a chunk of its own (a throwaway column writer
 * sharing this worker's codec and scratch): *bytes is exactly what the candidate writes
 * for these rows, dictionary page and headers included. For the dictionary, `dict`
 * receives what the projection needs (the dictionary's size after each half). */
static int trial_encode(artemis_column_writer* cw, int encoding, const artemis_gathered* sample, int64_t row_group,
                        int64_t* bytes, dictionary_trial* dict, artemis_error* error) {
  artemis_column_config cfg = cw->cfg;
  cfg.adaptive = 0;
  cfg.statistics = 0;
  cfg.page_index = 0;
  cfg.use_dictionary = encoding == PQ_ENC_RLE_DICTIONARY;
  cfg.value_encoding = cfg.use_dictionary ? cw->value_encoding : encoding;
  artemis_column_writer trial;
  if (artemis_column_writer_init(&trial, cw->mem, cw->codec, cw->scratch, &cfg) != ARTEMIS_OK) {
    artemis_column_writer_free(&trial);
    return nomem(error, cw, row_group);
  }
  int fell_back = 0;
  size_t width = is_byte_array(cw) ? 0 : cw->cfg.type->value_width;
  artemis_gathered head, tail;
  split_sample(sample, width, sample->rows / 2, &head, &tail);
  int rc = append_gathered(&trial, &head, row_group, &fell_back, error);
  double plain_half = cfg.use_dictionary ? (double)artemis_dict_plain_size(&trial.dict) : 0;
  if (rc == ARTEMIS_OK) rc = append_gathered(&trial, &tail, row_group, &fell_back, error);
  double plain_full = cfg.use_dictionary && !trial.fell_back ? (double)artemis_dict_plain_size(&trial.dict) : 0;
  if (rc == ARTEMIS_OK) rc = artemis_column_writer_finish_chunk(&trial, row_group, error);
  *bytes = trial.chunk_compressed;
  if (dict) {
    dict->valid = cfg.use_dictionary && !trial.fell_back && plain_full > 0 && plain_half > 0;
    dict->total = (double)trial.chunk_compressed;
    dict->page = (double)trial.dict_page.len;
    dict->plain_half = plain_half;
    dict->plain_full = plain_full;
  }
  artemis_column_writer_free(&trial);
  return rc;
}

/* Distinct values after `rows`, relative to the sample's count, when values are drawn
 * from a vocabulary of `vocabulary` rows' worth (infinite: every value new). */
static double distinct_ratio(double rows, double sample_rows, double vocabulary) {
  if (isinf(vocabulary)) return rows / sample_rows;
  return (1.0 - exp(-rows / vocabulary)) / (1.0 - exp(-sample_rows / vocabulary));
}

/* The dictionary's cost over the whole chunk, in bytes per sample-sized slice of it (so it
 * compares with the other candidates' sample sizes). A dictionary is written once per
 * chunk: its page is paid once, however many rows use it, so the question is how big it
 * gets. The sample's two halves say how fast new values still come: fitting a vocabulary
 * of V equally likely values, D(n) = V(1 - e^(-n/V)), to the distinct counts after n/2
 * and n rows gives V = n / (-2 ln(r - 1)) with r = D(n)/D(n/2): r = 1 (nothing new in the
 * second half) is a saturated vocabulary, r = 2 (all new) an unbounded one. Projected to
 * the expected chunk rows: the indices scale with the rows, the page with D; if D passes
 * the dictionary limit, the dictionary falls back where it reaches it and the rest of the
 * chunk costs what the best non-dictionary encoding costs (`fallback_per_sample`). */
static int64_t project_dictionary(const dictionary_trial* d, double sample_rows, double chunk_rows, double limit,
                                  double fallback_per_sample) {
  if (!d->valid) return (int64_t)d->total;
  if (chunk_rows < sample_rows) chunk_rows = sample_rows;
  double r = d->plain_full / d->plain_half;
  double vocabulary = r >= 2.0 ? INFINITY : r <= 1.0 ? 0.0 : sample_rows / (-2.0 * log(r - 1.0));
  double indices = d->total - d->page;
  double cost;
  if (vocabulary == 0.0) {
    cost = indices * chunk_rows / sample_rows + d->page; /* saturated: the page is final */
  } else {
    double active_rows = chunk_rows; /* rows the dictionary serves before it would fall back */
    double growth = distinct_ratio(chunk_rows, sample_rows, vocabulary);
    if (d->plain_full * growth > limit) {
      double room = limit / d->plain_full; /* growth the limit allows */
      if (isinf(vocabulary)) {
        active_rows = sample_rows * room;
      } else {
        double q = room * (1.0 - exp(-sample_rows / vocabulary));
        active_rows = q < 1.0 ? -vocabulary * log(1.0 - q) : chunk_rows;
      }
      if (active_rows < sample_rows) active_rows = sample_rows;
      if (active_rows > chunk_rows) active_rows = chunk_rows;
      growth = room;
    }
    cost = indices * active_rows / sample_rows + d->page * growth +
           fallback_per_sample * (chunk_rows - active_rows) / sample_rows;
  }
  return (int64_t)(cost * sample_rows / chunk_rows);
}

/* The sample (the chunk's first rows, buffered as plain values in the page being
 * filled) is complete: trial-encode it with every candidate, keep the smallest, and
 * re-express the buffered rows in the chosen encoding. Ties keep the earlier candidate. */
static int decide_encoding(artemis_column_writer* cw, int64_t row_group, artemis_error* error) {
  cw->deciding = 0;
  artemis_encoding_choice* choice = &cw->choice;
  memset(choice, 0, sizeof *choice);
  choice->count = candidates_of(cw, choice->candidates);
  if (choice->count < 2) return ARTEMIS_OK; /* nothing to choose: PLAIN stays */
  artemis_gathered sample = {0};
  sample.rows = (size_t)cw->page_rows;
  sample.non_null = (size_t)cw->page_non_null;
  sample.def_levels = cw->optional ? cw->levels.data : NULL;
  sample.fixed = cw->values.data;
  sample.lengths = (const uint32_t*)(const void*)cw->lengths.data;
  sample.bytes = cw->values.data;
  sample.bytes_len = cw->values.len;
  dictionary_trial dict = {0};
  size_t dict_index = SIZE_MAX, best_plain = SIZE_MAX;
  for (size_t i = 0; i < choice->count; i++) {
    int is_dict = choice->candidates[i] == PQ_ENC_RLE_DICTIONARY;
    ARTEMIS_RETURN_NOT_OK(
        trial_encode(cw, choice->candidates[i], &sample, row_group, &choice->bytes[i], is_dict ? &dict : NULL, error));
    choice->estimates[i] = choice->bytes[i];
    if (is_dict) dict_index = i;
    else if (best_plain == SIZE_MAX || choice->bytes[i] < choice->bytes[best_plain]) best_plain = i;
  }
  if (dict_index != SIZE_MAX) {
    double chunk_rows = cw->expected_chunk_rows > 0 ? (double)cw->expected_chunk_rows : (double)sample.rows;
    choice->estimates[dict_index] = project_dictionary(&dict, (double)sample.rows, chunk_rows,
                                                       (double)cw->cfg.dictionary_limit_bytes,
                                                       (double)choice->bytes[best_plain]);
  }
  size_t best = 0;
  for (size_t i = 1; i < choice->count; i++)
    if (choice->estimates[i] < choice->estimates[best]) best = i;
  choice->pending = 1;
  choice->encoding = choice->candidates[best];
  choice->sample_rows = cw->page_rows;
  cw->value_encoding = choice->candidates[best_plain]; /* also the dictionary's fallback */
  if (choice->encoding != PQ_ENC_RLE_DICTIONARY) return ARTEMIS_OK;

  /* Move the buffered values into the dictionary. */
  size_t nn = sample.non_null;
  if (artemis_buf_reserve(&cw->indices, nn * sizeof(uint32_t) + sizeof(uint32_t)) != ARTEMIS_OK)
    return nomem(error, cw, row_group);
  uint32_t* out = (uint32_t*)(void*)(cw->indices.data + cw->indices.len);
  int rc = is_byte_array(cw) ? artemis_dict_insert_byte_arrays(&cw->dict, sample.lengths, sample.bytes, nn, out)
                             : artemis_dict_insert_fixed(&cw->dict, sample.fixed, nn, out);
  if (rc != ARTEMIS_OK) return nomem(error, cw, row_group);
  cw->indices.len += nn * sizeof(uint32_t);
  artemis_buf_clear(&cw->values);
  artemis_buf_clear(&cw->lengths);
  cw->dict_active = 1;
  return ARTEMIS_OK;
}

int artemis_column_writer_write(artemis_column_writer* cw, const artemis_column_view* view, int64_t row, int64_t n,
                                int64_t row_group, int* fell_back, artemis_error* error) {
  while (n > 0) {
    int64_t take = n < GATHER_ROWS ? n : GATHER_ROWS;
    int64_t room = cw->cfg.page_max_rows - cw->page_rows; /* pages never exceed the row cap */
    if (take > room) take = room;
    /* ...and one step adds at most a page target of values, whatever their length. */
    take = artemis_gather_rows_within(view, cw->cfg.type, row, take, cw->cfg.page_target_bytes);
    artemis_gathered g;
    if (artemis_gather(view, cw->cfg.type, row, (size_t)take, &cw->gather, &g) != ARTEMIS_OK)
      return nomem(error, cw, row_group);
    ARTEMIS_RETURN_NOT_OK(append_gathered(cw, &g, row_group, fell_back, error));
    row += take;
    n -= take;
  }
  return ARTEMIS_OK;
}

int artemis_column_writer_finish_chunk(artemis_column_writer* cw, int64_t row_group, artemis_error* error) {
  if (cw->deciding && cw->page_rows > 0) ARTEMIS_RETURN_NOT_OK(decide_encoding(cw, row_group, error));
  ARTEMIS_RETURN_NOT_OK(close_page(cw, row_group, error));
  if (cw->dict_active && cw->dict_pages_written > 0 && !cw->dict_page_ready)
    ARTEMIS_RETURN_NOT_OK(build_dictionary_page(cw, row_group, error));
  return ARTEMIS_OK;
}

int artemis_column_writer_chunk_stats(artemis_column_writer* cw, artemis_stats_encoded* out) {
  return encode_stats(cw, &cw->chunk_stats, out);
}

uint32_t artemis_column_writer_encodings(const artemis_column_writer* cw) {
  uint32_t mask = 1u << PQ_ENC_RLE; /* levels; reference writers always list it */
  if (cw->dict_page_ready) mask |= 1u << PQ_ENC_PLAIN;
  for (int e = 0; e < 10; e++)
    if (cw->data_pages_by_encoding[e]) mask |= 1u << e;
  return mask;
}

size_t artemis_column_writer_encoding_stats(const artemis_column_writer* cw, artemis_pq_encoding_stats* out, size_t cap) {
  size_t k = 0;
  if (cw->dict_page_ready && k < cap) out[k++] = (artemis_pq_encoding_stats){PQ_PAGE_DICTIONARY, PQ_ENC_PLAIN, 1};
  /* Page order: dictionary-encoded pages come first, then the fallback encoding. */
  if (cw->data_pages_by_encoding[PQ_ENC_RLE_DICTIONARY] && k < cap)
    out[k++] = (artemis_pq_encoding_stats){PQ_PAGE_DATA, PQ_ENC_RLE_DICTIONARY, cw->data_pages_by_encoding[PQ_ENC_RLE_DICTIONARY]};
  for (int e = 0; e < 10; e++) {
    if (e == PQ_ENC_RLE_DICTIONARY || !cw->data_pages_by_encoding[e] || k >= cap) continue;
    out[k++] = (artemis_pq_encoding_stats){PQ_PAGE_DATA, e, cw->data_pages_by_encoding[e]};
  }
  return k;
}

int artemis_column_writer_offset_index(artemis_column_writer* cw, int64_t pages_file_offset, artemis_buf* out) {
  size_t n = cw->page_locations.len / sizeof(artemis_pq_page_location);
  artemis_pq_page_location* locs = (artemis_pq_page_location*)(void*)cw->page_locations.data;
  for (size_t i = 0; i < n; i++) locs[i].offset += pages_file_offset;
  int rc = artemis_pq_write_offset_index(locs, n, out);
  for (size_t i = 0; i < n; i++) locs[i].offset -= pages_file_offset;
  return rc;
}

int artemis_column_writer_column_index(artemis_column_writer* cw, artemis_buf* out, int* written) {
  *written = 0;
  if (!cw->cfg.page_index || !cw->cfg.statistics) return ARTEMIS_OK;
  size_t pages = cw->page_locations.len / sizeof(artemis_pq_page_location);
  if (pages == 0) return ARTEMIS_OK;
  artemis_mem* mem = cw->mem;
  uint8_t* null_pages = artemis_mem_alloc(mem, pages);
  const uint8_t** mins = artemis_mem_alloc(mem, pages * sizeof *mins);
  const uint8_t** maxs = artemis_mem_alloc(mem, pages * sizeof *maxs);
  size_t* min_lens = artemis_mem_alloc(mem, pages * sizeof *min_lens);
  size_t* max_lens = artemis_mem_alloc(mem, pages * sizeof *max_lens);
  int64_t* null_counts = artemis_mem_alloc(mem, pages * sizeof *null_counts);
  int rc = ARTEMIS_OK;
  if (!null_pages || !mins || !maxs || !min_lens || !max_lens || !null_counts) {
    rc = ARTEMIS_E_NOMEM;
    goto done;
  }
  const uint8_t* p = cw->column_index.data;
  int skip = 0;
  for (size_t i = 0; i < pages; i++) {
    uint32_t len;
    null_pages[i] = p[0];
    if (p[0] == 2) skip = 1;
    memcpy(&null_counts[i], p + 1, 8);
    p += 9;
    memcpy(&len, p, 4);
    mins[i] = p + 4;
    min_lens[i] = len;
    p += 4 + len;
    memcpy(&len, p, 4);
    maxs[i] = p + 4;
    max_lens[i] = len;
    p += 4 + len;
  }
  if (skip) goto done;
  /* boundary_order: ascending if mins and maxes never decrease over non-null pages. */
  int ascending = 1, descending = 1;
  const artemis_arrow_type* t = cw->cfg.type;
  size_t width = t->physical_type == PQ_BYTE_ARRAY ? 0 : t->value_width;
  ptrdiff_t prev = -1;
  for (size_t i = 0; i < pages; i++) {
    if (null_pages[i]) continue;
    if (prev >= 0) {
      int cmin = artemis_stats_compare(t->sort_kind, width, mins[prev], min_lens[prev], mins[i], min_lens[i]);
      int cmax = artemis_stats_compare(t->sort_kind, width, maxs[prev], max_lens[prev], maxs[i], max_lens[i]);
      if (cmin > 0 || cmax > 0) ascending = 0;
      if (cmin < 0 || cmax < 0) descending = 0;
    }
    prev = (ptrdiff_t)i;
  }
  artemis_pq_column_index ci = {pages, null_pages, mins, min_lens, maxs, max_lens,
                                ascending ? PQ_ASCENDING : descending ? PQ_DESCENDING : PQ_UNORDERED, null_counts};
  rc = artemis_pq_write_column_index(&ci, out);
  if (rc == ARTEMIS_OK) *written = 1;
done:
  artemis_mem_free(mem, null_pages);
  artemis_mem_free(mem, (void*)mins);
  artemis_mem_free(mem, (void*)maxs);
  artemis_mem_free(mem, min_lens);
  artemis_mem_free(mem, max_lens);
  artemis_mem_free(mem, null_counts);
  return rc;
}

void artemis_column_writer_reset_chunk(artemis_column_writer* cw) {
  /* The next chunk is usually about as large as this one (row groups are cut by Arrow
   * size): keeping the capacity saves regrowing (copies, fresh pages) every row group.
   * A big row group must not pin its peak buffer sizes for the rest of the file, so
   * anything beyond 1.5x of this chunk is released. */
  size_t used = cw->pages.len;
  artemis_buf_clear(&cw->dict_page);
  artemis_buf_clear(&cw->pages);
  artemis_buf_clear(&cw->page_locations);
  artemis_buf_clear(&cw->column_index);
  artemis_buf_shrink(&cw->pages, used + used / 2);
  cw->chunk_rows = 0;
  cw->chunk_null_count = 0;
  cw->chunk_uncompressed = 0;
  cw->chunk_compressed = 0;
  memset(cw->data_pages_by_encoding, 0, sizeof cw->data_pages_by_encoding);
  cw->dict_pages_written = 0;
  cw->fell_back = 0;
  cw->dict_page_ready = 0;
  artemis_stats_reset(&cw->chunk_stats);
  if (cw->cfg.use_dictionary) {
    artemis_dict_reset(&cw->dict);
    cw->dict_active = !cw->cfg.adaptive;
  }
  next_page_serial(cw);
  cw->value_encoding = cw->cfg.value_encoding;
  cw->deciding = cw->cfg.adaptive;
}
