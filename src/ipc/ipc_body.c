#include "ipc/ipc_body.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/errors.h"
#include "ipc/ipc_byteswap.h"
#include "ipc/ipc_types.h"

/* Empty buffers point here rather than at NULL: a consumer may read offsets[0] of an
 * empty binary array. */
static const uint64_t kZeros[4] = {0, 0, 0, 0};

ARTEMIS_PRINTF(4, 5)
static int fail(artemis_ipc_body_ctx* ctx, int code, int64_t at, const char* fmt, ...) {
  char what[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  if (ctx->column >= 0)
    return artemis_set_error_at(ctx->error, code, ctx->column, -1, at, "message %lld: column %lld \"%s\": %s (byte %lld)",
                                (long long)ctx->message_index, (long long)ctx->column, ctx->column_name, what,
                                (long long)at);
  return artemis_set_error_at(ctx->error, code, -1, -1, at, "message %lld: dictionary id %lld: %s (byte %lld)",
                              (long long)ctx->message_index, (long long)ctx->dictionary_id, what, (long long)at);
}

static int nomem(artemis_ipc_body_ctx* ctx) {
  return fail(ctx, ARTEMIS_E_NOMEM, ctx->body_offset, "out of memory decoding the record batch");
}

/* ---- counting ---- */

static void count_field(const artemis_ipc_field* f, bool as_value, int64_t* nodes, int64_t* buffers,
                        int64_t* view_fields) {
  *nodes += 1;
  if (f->dictionary_encoded && !as_value) {
    *buffers += 2;
    return;
  }
  artemis_ipc_layout layout = artemis_ipc_type_layout(&f->type);
  *buffers += layout.n_buffers;
  if (layout.kind == ARTEMIS_IPC_LAYOUT_VIEW) *view_fields += 1;
  for (int64_t i = 0; i < f->n_children; i++) count_field(&f->children[i], false, nodes, buffers, view_fields);
}

void artemis_ipc_expected_counts(const artemis_ipc_field* fields, int64_t n_fields, bool as_values, int64_t* nodes,
                                 int64_t* buffers, int64_t* view_fields) {
  *nodes = 0;
  *buffers = 0;
  *view_fields = 0;
  for (int64_t i = 0; i < n_fields; i++) count_field(&fields[i], as_values, nodes, buffers, view_fields);
}

/* ---- buffers ---- */

typedef struct body_buffer {
  const uint8_t* data;
  int64_t len;
  int64_t at; /* input offset, for messages */
} body_buffer;

/* Takes the next buffer. `need`: the bytes its role needs (-1 when not known), which
 * bounds the uncompressed length a compressed buffer may declare (ipc_codec.h). */
static int take_buffer(artemis_ipc_body_ctx* ctx, const char* role, int64_t need, body_buffer* out) {
  if (ctx->buffer_index >= ctx->batch->n_buffers)
    return fail(ctx, ARTEMIS_E_INVALID_INPUT, ctx->body_offset, "record batch has too few buffers");
  int64_t index = ctx->buffer_index++;
  int64_t offset, length;
  artemis_ipc_batch_buffer(ctx->batch, index, &offset, &length);
  if (offset < 0 || length < 0 || offset > ctx->body_size || length > ctx->body_size - offset)
    return fail(ctx, ARTEMIS_E_INVALID_INPUT, ctx->body_offset,
                "%s buffer %lld (offset %lld, length %lld) lies outside the %lld-byte body", role, (long long)index,
                (long long)offset, (long long)length, (long long)ctx->body_size);
  out->at = ctx->body_offset + offset;
  const uint8_t* src = ctx->body + offset;
  if (ctx->batch->compression == ARTEMIS_IPC_COMPRESSION_NONE) {
    out->data = length ? src : NULL;
    out->len = length;
  } else {
    char label[160];
    if (ctx->column >= 0)
      snprintf(label, sizeof label, "message %lld: column %lld \"%s\": %s buffer %lld", (long long)ctx->message_index,
               (long long)ctx->column, ctx->column_name, role, (long long)index);
    else
      snprintf(label, sizeof label, "message %lld: dictionary id %lld: %s buffer %lld", (long long)ctx->message_index,
               (long long)ctx->dictionary_id, role, (long long)index);
    ARTEMIS_RETURN_NOT_OK(artemis_ipc_codec_decode(ctx->codec, ctx->batch->compression, src, length, need,
                                                   ctx->max_decompressed - ctx->decompressed, ctx->holder, &out->data,
                                                   &out->len, label, out->at, ctx->error));
    /* Stored (-1) buffers count too: the message's uncompressed size is what is bounded. */
    ctx->decompressed += out->len;
  }
  ctx->bytes += out->len;
  return ARTEMIS_OK;
}

/* `needed` bytes of `buf` in native byte order: the bytes themselves, or a swapped copy. */
static int native(artemis_ipc_body_ctx* ctx, const body_buffer* buf, int64_t needed, artemis_ipc_swap swap,
                  const uint8_t** out) {
  if (needed == 0) {
    *out = (const uint8_t*)kZeros;
    return ARTEMIS_OK;
  }
  if (!ctx->swap || swap == ARTEMIS_IPC_SWAP_NONE) {
    *out = buf->data;
    return ARTEMIS_OK;
  }
  uint8_t* copy = artemis_ipc_holder_alloc(ctx->holder, (size_t)needed);
  if (!copy) return nomem(ctx);
  artemis_ipc_byteswap(copy, buf->data, (size_t)needed, swap);
  *out = copy;
  return ARTEMIS_OK;
}

static int need_bytes(artemis_ipc_body_ctx* ctx, const body_buffer* buf, const char* role, int64_t needed) {
  if (buf->len < needed)
    return fail(ctx, ARTEMIS_E_INVALID_INPUT, buf->at, "%s buffer has %lld bytes, %lld are needed", role,
                (long long)buf->len, (long long)needed);
  return ARTEMIS_OK;
}

/* count * width, or -1 when it does not fit in int64. */
static int64_t times(int64_t count, int64_t width) {
  if (width != 0 && count > INT64_MAX / width) return -1;
  return count * width;
}

static int64_t count_zero_bits(const uint8_t* bits, int64_t length) {
  int64_t ones = 0;
  int64_t whole = length / 8;
  for (int64_t i = 0; i < whole; i++) ones += __builtin_popcount(bits[i]);
  int rest = (int)(length % 8);
  if (rest) ones += __builtin_popcount(bits[whole] & ((1u << rest) - 1u));
  return length - ones;
}

static int64_t bitmap_bytes(int64_t length) { return length / 8 + (length % 8 != 0); }

static int validity(artemis_ipc_body_ctx* ctx, int64_t length, int64_t null_count, const void** out) {
  body_buffer buf;
  int64_t needed = bitmap_bytes(length);
  ARTEMIS_RETURN_NOT_OK(take_buffer(ctx, "validity", needed, &buf));
  *out = NULL;
  if (null_count == 0) return ARTEMIS_OK; /* a bitmap of all ones, or none: either way unused */
  ARTEMIS_RETURN_NOT_OK(need_bytes(ctx, &buf, "validity", needed));
  int64_t zeros = count_zero_bits(buf.data, length);
  if (zeros != null_count)
    return fail(ctx, ARTEMIS_E_INVALID_INPUT, buf.at, "validity bitmap has %lld nulls, the field node says %lld",
                (long long)zeros, (long long)null_count);
  *out = buf.data;
  return ARTEMIS_OK;
}

static int64_t load_offset(const uint8_t* p, int width, int64_t i) {
  if (width == 4) {
    int32_t v;
    memcpy(&v, p + i * 4, 4);
    return v;
  }
  int64_t v;
  memcpy(&v, p + i * 8, 8);
  return v;
}

/* Offsets of `length` slots (length + 1 values) that must stay within [0, limit]. */
static int offsets(artemis_ipc_body_ctx* ctx, int64_t length, int width, int64_t* last, const uint8_t** out,
                   body_buffer* raw) {
  /* length + 1 offsets: a node claiming INT64_MAX slots would overflow the count itself. */
  int64_t needed = length < INT64_MAX ? times(length + 1, width) : -1;
  ARTEMIS_RETURN_NOT_OK(take_buffer(ctx, "offsets", needed, raw));
  *last = 0;
  if (length == 0) {
    /* One offset is expected but producers write none for an empty array. */
    if (raw->len < width) {
      *out = (const uint8_t*)kZeros;
      return ARTEMIS_OK;
    }
  }
  if (needed < 0) return fail(ctx, ARTEMIS_E_INVALID_INPUT, raw->at, "offsets of %lld slots overflow", (long long)length);
  ARTEMIS_RETURN_NOT_OK(need_bytes(ctx, raw, "offsets", needed));
  ARTEMIS_RETURN_NOT_OK(native(ctx, raw, needed, width == 4 ? ARTEMIS_IPC_SWAP_4 : ARTEMIS_IPC_SWAP_8, out));
  int64_t prev = load_offset(*out, width, 0);
  if (prev < 0) return fail(ctx, ARTEMIS_E_INVALID_INPUT, raw->at, "first offset %lld is negative", (long long)prev);
  for (int64_t i = 1; i <= length; i++) {
    int64_t cur = load_offset(*out, width, i);
    if (cur < prev)
      return fail(ctx, ARTEMIS_E_INVALID_INPUT, raw->at, "offsets decrease at slot %lld (%lld after %lld)",
                  (long long)(i - 1), (long long)cur, (long long)prev);
    prev = cur;
  }
  *last = prev;
  return ARTEMIS_OK;
}

static int check_indices(artemis_ipc_body_ctx* ctx, const artemis_ipc_field* f, const uint8_t* data,
                         const uint8_t* valid, int64_t length, int64_t dictionary_length, int64_t at) {
  int width = f->index_bit_width / 8;
  for (int64_t i = 0; i < length; i++) {
    if (valid && !(valid[i / 8] & (1u << (i % 8)))) continue;
    const uint8_t* p = data + i * width;
    int64_t index;
    bool too_big = false;
    switch (width) {
      case 1: index = f->index_signed ? (int64_t)(int8_t)p[0] : (int64_t)p[0]; break;
      case 2: {
        uint16_t u;
        memcpy(&u, p, 2);
        index = f->index_signed ? (int64_t)(int16_t)u : (int64_t)u;
        break;
      }
      case 4: {
        uint32_t u;
        memcpy(&u, p, 4);
        index = f->index_signed ? (int64_t)(int32_t)u : (int64_t)u;
        break;
      }
      default: {
        uint64_t u;
        memcpy(&u, p, 8);
        too_big = !f->index_signed && u > (uint64_t)INT64_MAX;
        index = too_big ? INT64_MAX : (int64_t)u;
        break;
      }
    }
    if (too_big || index < 0 || index >= dictionary_length)
      return fail(ctx, ARTEMIS_E_INVALID_INPUT, at,
                  "dictionary index %lld at slot %lld is outside the dictionary of %lld values (id %lld)",
                  (long long)index, (long long)i, (long long)dictionary_length, (long long)f->dictionary_id);
  }
  return ARTEMIS_OK;
}

/* Views (binary_view, utf8_view): the 16-byte views, then `n_data` data buffers; the
 * exported array gets [validity, views, data..., int64 sizes of the data buffers], the
 * sizes in a block of the holder. Every non-null view is checked as the writer checks
 * it (src/arrow/batch_view.c): length >= 0; inline when <= 12 bytes; else its buffer
 * index within the data buffers and offset + length within that buffer. Null slots'
 * views are neither checked nor read. */
static int decode_views(artemis_ipc_body_ctx* ctx, int64_t length, int64_t n_data, const void** buffers) {
  body_buffer raw;
  int64_t needed = times(length, ARTEMIS_IPC_VIEW_SIZE);
  ARTEMIS_RETURN_NOT_OK(take_buffer(ctx, "views", needed, &raw));
  if (needed < 0)
    return fail(ctx, ARTEMIS_E_INVALID_INPUT, raw.at, "%lld views of 16 bytes overflow", (long long)length);
  ARTEMIS_RETURN_NOT_OK(need_bytes(ctx, &raw, "views", needed));
  const uint8_t* views = (const uint8_t*)kZeros;
  if (needed > 0 && ctx->swap) {
    uint8_t* copy = artemis_ipc_holder_alloc(ctx->holder, (size_t)needed);
    if (!copy) return nomem(ctx);
    artemis_ipc_byteswap_views(copy, raw.data, (size_t)length);
    views = copy;
  } else if (needed > 0) {
    views = raw.data;
  }
  const int64_t* sizes = (const int64_t*)(const void*)kZeros;
  int64_t* sizes_block = NULL;
  if (n_data > 0) {
    sizes_block = artemis_ipc_holder_alloc(ctx->holder, (size_t)n_data * sizeof(int64_t));
    if (!sizes_block) return nomem(ctx);
    sizes = sizes_block;
  }
  for (int64_t k = 0; k < n_data; k++) {
    body_buffer data;
    /* What a data buffer needs is not known (views may leave bytes unreferenced, and
     * Arrow C++ writes whole buffers of sliced arrays): bounded by the message's
     * decompression budget only. */
    ARTEMIS_RETURN_NOT_OK(take_buffer(ctx, "view data", -1, &data));
    buffers[2 + k] = data.len ? data.data : (const void*)kZeros;
    sizes_block[k] = data.len;
  }
  buffers[1] = views;
  buffers[2 + n_data] = sizes;
  const uint8_t* valid = buffers[0];
  for (int64_t i = 0; i < length; i++) {
    if (valid && !(valid[i / 8] & (1u << (i % 8)))) continue;
    const uint8_t* v = views + i * ARTEMIS_IPC_VIEW_SIZE;
    int32_t n, index, offset;
    memcpy(&n, v, 4);
    if (n < 0)
      return fail(ctx, ARTEMIS_E_INVALID_INPUT, raw.at, "view at slot %lld has negative length %d", (long long)i, (int)n);
    if (n <= ARTEMIS_IPC_VIEW_INLINE) continue;
    memcpy(&index, v + 8, 4);
    memcpy(&offset, v + 12, 4);
    if (index < 0 || index >= n_data)
      return fail(ctx, ARTEMIS_E_INVALID_INPUT, raw.at, "view at slot %lld points into data buffer %d of %lld",
                  (long long)i, (int)index, (long long)n_data);
    if (offset < 0 || (int64_t)offset + n > sizes[index])
      return fail(ctx, ARTEMIS_E_INVALID_INPUT, raw.at,
                  "view at slot %lld (offset %d, length %d) is outside data buffer %d of %lld bytes", (long long)i,
                  (int)offset, (int)n, (int)index, (long long)sizes[index]);
  }
  return ARTEMIS_OK;
}

/* ---- fields ---- */

static int decode_field(artemis_ipc_body_ctx* ctx, const artemis_ipc_field* f, bool as_value, struct ArrowArray* out);

static int decode_children(artemis_ipc_body_ctx* ctx, const artemis_ipc_field* f, struct ArrowArray* out,
                           int64_t min_length, const char* why) {
  for (int64_t i = 0; i < f->n_children; i++) {
    ARTEMIS_RETURN_NOT_OK(decode_field(ctx, &f->children[i], false, out->children[i]));
    if (out->children[i]->length < min_length)
      return fail(ctx, ARTEMIS_E_INVALID_INPUT, ctx->body_offset, "child \"%s\" has %lld values, %s needs %lld",
                  f->children[i].name, (long long)out->children[i]->length, why, (long long)min_length);
  }
  return ARTEMIS_OK;
}

static int decode_field(artemis_ipc_body_ctx* ctx, const artemis_ipc_field* f, bool as_value, struct ArrowArray* out) {
  if (ctx->node_index >= ctx->batch->n_nodes)
    return fail(ctx, ARTEMIS_E_INVALID_INPUT, ctx->body_offset, "record batch has too few field nodes");
  int64_t length, null_count;
  artemis_ipc_batch_node(ctx->batch, ctx->node_index++, &length, &null_count);
  if (length < 0 || null_count < 0 || null_count > length)
    return fail(ctx, ARTEMIS_E_INVALID_INPUT, ctx->body_offset, "field \"%s\" has length %lld and null count %lld",
                f->name, (long long)length, (long long)null_count);

  bool dictionary = f->dictionary_encoded && !as_value;
  const struct ArrowArray* values = NULL;
  artemis_ipc_layout layout;
  if (dictionary) {
    values = ctx->find_dictionary(ctx->dictionaries, f->dictionary_id);
    if (!values)
      return fail(ctx, ARTEMIS_E_INVALID_INPUT, ctx->body_offset,
                  "field \"%s\" uses dictionary id %lld before any dictionary batch defined it", f->name,
                  (long long)f->dictionary_id);
    layout = artemis_ipc_index_layout(f->index_bit_width);
  } else {
    layout = artemis_ipc_type_layout(&f->type);
  }
  int64_t n_children = dictionary ? 0 : f->n_children;
  int64_t n_array_buffers = layout.n_buffers;
  int64_t n_data = 0; /* VIEW: this field's variadicBufferCounts entry */
  if (layout.kind == ARTEMIS_IPC_LAYOUT_VIEW) {
    /* check_counts matched the entries to the view fields and bounded each by the
     * buffers the batch lists. */
    n_data = artemis_ipc_batch_variadic_count(ctx->batch, ctx->variadic_index++);
    n_array_buffers = 3 + n_data; /* validity, views, data..., sizes */
  }
  if (artemis_ipc_array_new(ctx->allocator, ctx->holder, n_array_buffers, n_children, dictionary, out) != ARTEMIS_OK)
    return nomem(ctx);
  out->length = length;
  out->null_count = null_count;
  const void** buffers = artemis_ipc_array_buffers(out);

  if (layout.kind == ARTEMIS_IPC_LAYOUT_NULL) {
    out->null_count = length; /* every slot of the null type is null */
    return ARTEMIS_OK;
  }
  ARTEMIS_RETURN_NOT_OK(validity(ctx, length, null_count, &buffers[0]));

  switch (layout.kind) {
    case ARTEMIS_IPC_LAYOUT_BITS: {
      body_buffer data;
      int64_t needed = bitmap_bytes(length);
      ARTEMIS_RETURN_NOT_OK(take_buffer(ctx, "data", needed, &data));
      ARTEMIS_RETURN_NOT_OK(need_bytes(ctx, &data, "data", needed));
      buffers[1] = needed ? data.data : (const void*)kZeros;
      return ARTEMIS_OK;
    }
    case ARTEMIS_IPC_LAYOUT_FIXED: {
      body_buffer data;
      int64_t needed = times(length, layout.value_width);
      ARTEMIS_RETURN_NOT_OK(take_buffer(ctx, dictionary ? "indices" : "data", needed, &data));
      if (needed < 0)
        return fail(ctx, ARTEMIS_E_INVALID_INPUT, data.at, "%lld values of %lld bytes overflow", (long long)length,
                    (long long)layout.value_width);
      ARTEMIS_RETURN_NOT_OK(need_bytes(ctx, &data, "data", needed));
      const uint8_t* values_bytes = NULL;
      ARTEMIS_RETURN_NOT_OK(native(ctx, &data, needed, layout.swap, &values_bytes));
      buffers[1] = values_bytes;
      if (dictionary) {
        ARTEMIS_RETURN_NOT_OK(check_indices(ctx, f, values_bytes, null_count ? buffers[0] : NULL, length,
                                            values->length, data.at));
        /* A nested value type can make the copy thousands of nodes for the 48 bytes a
         * column costs in a record batch: bounded per input byte (ipc_reader.c). */
        int64_t left = ctx->share_budget - *ctx->shared_nodes;
        int64_t nodes = artemis_ipc_array_count_nodes(values, left);
        if (nodes > left)
          return fail(ctx, ARTEMIS_E_LIMIT, data.at,
                      "giving every batch its own copy of dictionary id %lld (a tree of more than %lld arrays) "
                      "would make more arrays than the input bytes allow",
                      (long long)f->dictionary_id, (long long)(left < 0 ? 0 : left));
        *ctx->shared_nodes += nodes;
        if (artemis_ipc_array_share(values, ctx->allocator, out->dictionary) != ARTEMIS_OK) return nomem(ctx);
      }
      return ARTEMIS_OK;
    }
    case ARTEMIS_IPC_LAYOUT_VARBINARY: {
      body_buffer raw_offsets, data;
      const uint8_t* offs;
      int64_t last;
      ARTEMIS_RETURN_NOT_OK(offsets(ctx, length, layout.offset_width, &last, &offs, &raw_offsets));
      ARTEMIS_RETURN_NOT_OK(take_buffer(ctx, "data", last, &data));
      if (last > data.len)
        return fail(ctx, ARTEMIS_E_INVALID_INPUT, raw_offsets.at, "last offset %lld is beyond the %lld bytes of data",
                    (long long)last, (long long)data.len);
      buffers[1] = offs;
      buffers[2] = data.len ? data.data : (const uint8_t*)kZeros;
      return ARTEMIS_OK;
    }
    case ARTEMIS_IPC_LAYOUT_LIST: {
      body_buffer raw_offsets;
      const uint8_t* offs;
      int64_t last;
      ARTEMIS_RETURN_NOT_OK(offsets(ctx, length, layout.offset_width, &last, &offs, &raw_offsets));
      buffers[1] = offs;
      return decode_children(ctx, f, out, last, "the last list offset");
    }
    case ARTEMIS_IPC_LAYOUT_FIXED_LIST: {
      int64_t needed = times(length, f->type.list_size);
      if (needed < 0)
        return fail(ctx, ARTEMIS_E_INVALID_INPUT, ctx->body_offset, "%lld lists of %d values overflow",
                    (long long)length, (int)f->type.list_size);
      return decode_children(ctx, f, out, needed, "the fixed-size list");
    }
    case ARTEMIS_IPC_LAYOUT_STRUCT:
      return decode_children(ctx, f, out, length, "the struct");
    case ARTEMIS_IPC_LAYOUT_VIEW:
      return decode_views(ctx, length, n_data, buffers);
    default:
      return fail(ctx, ARTEMIS_E_INTERNAL, ctx->body_offset, "field \"%s\" of type %s has no layout", f->name,
                  artemis_ipc_type_name(&f->type));
  }
}

static int check_counts(artemis_ipc_body_ctx* ctx, const artemis_ipc_field* fields, int64_t n, bool as_values) {
  int64_t nodes, buffers, view_fields;
  artemis_ipc_expected_counts(fields, n, as_values, &nodes, &buffers, &view_fields);
  if (ctx->batch->n_nodes != nodes)
    return fail(ctx, ARTEMIS_E_INVALID_INPUT, ctx->body_offset, "record batch has %lld field nodes, the schema has %lld",
                (long long)ctx->batch->n_nodes, (long long)nodes);
  /* One variadicBufferCounts entry per view field (absent only when there is none). */
  if (ctx->batch->n_variadic_counts != view_fields)
    return fail(ctx, ARTEMIS_E_INVALID_INPUT, ctx->body_offset,
                "record batch has %lld variadicBufferCounts entries, the schema has %lld view fields",
                (long long)ctx->batch->n_variadic_counts, (long long)view_fields);
  int64_t fixed = buffers;
  if (ctx->batch->n_buffers < fixed)
    return fail(ctx, ARTEMIS_E_INVALID_INPUT, ctx->body_offset, "record batch has %lld buffers, the schema needs %lld",
                (long long)ctx->batch->n_buffers, (long long)fixed);
  for (int64_t i = 0; i < view_fields; i++) {
    int64_t count = artemis_ipc_batch_variadic_count(ctx->batch, i);
    if (count < 0 || count > ctx->batch->n_buffers - buffers)
      return fail(ctx, ARTEMIS_E_INVALID_INPUT, ctx->body_offset,
                  "variadicBufferCounts entry %lld (%lld data buffers) does not fit the %lld buffers of the record "
                  "batch",
                  (long long)i, (long long)count, (long long)ctx->batch->n_buffers);
    buffers += count;
  }
  if (ctx->batch->n_buffers != buffers) {
    if (view_fields)
      return fail(ctx, ARTEMIS_E_INVALID_INPUT, ctx->body_offset,
                  "record batch has %lld buffers, the schema needs %lld (%lld of them view data buffers)",
                  (long long)ctx->batch->n_buffers, (long long)buffers, (long long)(buffers - fixed));
    return fail(ctx, ARTEMIS_E_INVALID_INPUT, ctx->body_offset, "record batch has %lld buffers, the schema needs %lld",
                (long long)ctx->batch->n_buffers, (long long)buffers);
  }
  return ARTEMIS_OK;
}

int artemis_ipc_decode_record_batch(artemis_ipc_body_ctx* ctx, const artemis_ipc_schema* schema,
                                    struct ArrowArray* out) {
  ctx->node_index = 0;
  ctx->buffer_index = 0;
  ctx->variadic_index = 0;
  ctx->column = 0;
  ctx->column_name = schema->n_fields ? schema->fields[0].name : "";
  ARTEMIS_RETURN_NOT_OK(check_counts(ctx, schema->fields, schema->n_fields, false));
  if (artemis_ipc_array_new(ctx->allocator, ctx->holder, 1, schema->n_fields, false, out) != ARTEMIS_OK)
    return nomem(ctx);
  out->length = ctx->batch->length;
#ifdef ARTEMIS_FUZZ_CANARY
  /* Planted bug, compiled only into the fuzz.canary library (tests/integration/fuzz.cmake),
   * to prove the fuzzing finds one: in a 3-column batch whose first field node claims
   * more values than the batch has rows (which the length check below would reject), an
   * off-by-one over the children writes past the array block (ASan reports it). No
   * committed corpus file has such a batch; libFuzzer must make one. */
  if (schema->n_fields == 3) {
    int64_t first_length, first_nulls;
    artemis_ipc_batch_node(ctx->batch, 0, &first_length, &first_nulls);
    if (first_length > ctx->batch->length)
      for (int64_t i = 0; i <= schema->n_fields; i++) out->children[0][i].null_count = 0;
  }
#endif
  int rc = ARTEMIS_OK;
  for (int64_t i = 0; i < schema->n_fields && rc == ARTEMIS_OK; i++) {
    ctx->column = i;
    ctx->column_name = schema->fields[i].name;
    rc = decode_field(ctx, &schema->fields[i], false, out->children[i]);
    if (rc == ARTEMIS_OK && out->children[i]->length != ctx->batch->length)
      rc = fail(ctx, ARTEMIS_E_INVALID_INPUT, ctx->body_offset, "column has %lld values, the record batch has %lld rows",
                (long long)out->children[i]->length, (long long)ctx->batch->length);
  }
  if (rc != ARTEMIS_OK) out->release(out);
  return rc;
}

int artemis_ipc_decode_dictionary_values(artemis_ipc_body_ctx* ctx, const artemis_ipc_field* field,
                                         struct ArrowArray* out) {
  ctx->node_index = 0;
  ctx->buffer_index = 0;
  ctx->variadic_index = 0;
  ctx->column = -1;
  ctx->column_name = "";
  memset(out, 0, sizeof *out);
  ARTEMIS_RETURN_NOT_OK(check_counts(ctx, field, 1, true));
  int rc = decode_field(ctx, field, true, out);
  if (rc != ARTEMIS_OK && out->release) out->release(out);
  return rc;
}
