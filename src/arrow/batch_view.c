#include "arrow/batch_view.h"

#include <string.h>

#include "core/errors.h"
#include "thrift/parquet_metadata.h"

#define MS_PER_DAY 86400000LL
/* No buffer of a real process is larger (x86-64 5-level paging: 2^56 bytes of user space). */
#define MAX_IMPLIED_BYTES ((int64_t)1 << 56)

static inline int bit_is_set(const uint8_t* bitmap, int64_t i) { return (bitmap[i >> 3] >> (i & 7)) & 1; }

static inline int64_t offset_at(const artemis_array_view* a, int64_t i) {
  /* memcpy: the C Data Interface only recommends aligned buffers */
  const uint8_t* p = a->offsets;
  if (a->large_offsets) { int64_t v; memcpy(&v, p + 8 * i, 8); return v; }
  int32_t v;
  memcpy(&v, p + 4 * i, 4);
  return v;
}

static int is_view(artemis_arrow_kind kind) { return kind == AK_UTF8_VIEW || kind == AK_BINARY_VIEW; }

/* Length and bytes of element `i` of a view array (validated by view_array). */
static inline void view_at(const artemis_array_view* a, int64_t i, const uint8_t** p, uint32_t* len) {
  const uint8_t* v = a->views + 16 * i;
  int32_t n, buffer, offset;
  memcpy(&n, v, 4);
  *len = (uint32_t)n;
  if (n <= 12) {
    *p = v + 4; /* short values live in the view itself */
    return;
  }
  memcpy(&buffer, v + 8, 4);
  memcpy(&offset, v + 12, 4);
  *p = a->variadic[buffer] + offset;
}

/* Byte length of element `i` of a view or offsets array. */
static inline int64_t value_length(const artemis_array_view* a, int64_t i) {
  if (a->views) {
    int32_t n;
    memcpy(&n, a->views + 16 * i, 4);
    return n;
  }
  return offset_at(a, i + 1) - offset_at(a, i);
}

static int is_var_length(artemis_arrow_kind kind) {
  return kind == AK_UTF8 || kind == AK_LARGE_UTF8 || kind == AK_BINARY || kind == AK_LARGE_BINARY;
}

/* Arrow value width in bytes of fixed-width kinds (0 for bool, which is bit-packed). */
static int arrow_value_width(const artemis_arrow_type* t) {
  switch (t->kind) {
    case AK_BOOL: return 0;
    case AK_INT8: case AK_UINT8: return 1;
    case AK_INT16: case AK_UINT16: case AK_FLOAT16: return 2;
    case AK_INT32: case AK_UINT32: case AK_FLOAT32: case AK_DATE32: case AK_TIME32: return 4;
    case AK_INT64: case AK_UINT64: case AK_FLOAT64: case AK_DATE64: case AK_TIME64: case AK_TIMESTAMP: return 8;
    case AK_DECIMAL: return t->decimal_bytes;
    case AK_FIXED_BINARY: return t->byte_width;
    default: return 0;
  }
}

#define INVALID(...) artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, col, -1, -1, __VA_ARGS__)

/* Checks one array (the column itself, or its dictionary) of the VALUE type `t`, or of an
 * index type when `index_kind` != 0. */
static int view_array(const struct ArrowArray* a, const artemis_arrow_type* t, artemis_arrow_kind index_kind,
                      int64_t logical_offset, int64_t length, int64_t col, const char* name, const char* role,
                      artemis_array_view* out, artemis_error* error) {
  memset(out, 0, sizeof *out);
  if (!a || a->release == NULL) return INVALID("column %lld \"%s\": %s array is NULL or released", (long long)col, name, role);
  if (a->length < 0 || a->offset < 0)
    return INVALID("column %lld \"%s\": %s array has negative length or offset", (long long)col, name, role);
  /* offset + length and the bytes they imply must be representable: every index below is
   * offset + i, every address base + index * width. */
  if (a->offset > MAX_IMPLIED_BYTES - a->length)
    return INVALID("column %lld \"%s\": %s array offset %lld + length %lld is out of range", (long long)col, name,
                   role, (long long)a->offset, (long long)a->length);
  if (logical_offset > a->length || length > a->length - logical_offset)
    return INVALID("column %lld \"%s\": %s array has %lld rows, the batch needs %lld more after row %lld", (long long)col,
                   name, role, (long long)a->length, (long long)length, (long long)logical_offset);
  if (!index_kind && t->kind == AK_NULL) {
    /* The null type has no buffers at all (C Data Interface); every element is null. */
    if (a->n_buffers != 0)
      return INVALID("column %lld \"%s\": null-type %s array has %lld buffers, the null type has none",
                     (long long)col, name, role, (long long)a->n_buffers);
    if (a->n_children != 0) return INVALID("column %lld \"%s\": null-type %s array has children", (long long)col, name, role);
    out->offset = a->offset + logical_offset;
    out->length = length;
    out->all_null = 1;
    return ARTEMIS_OK;
  }
  int var = !index_kind && is_var_length(t->kind);
  int views = !index_kind && is_view(t->kind);
  {
    int64_t end = a->offset + a->length;
    int64_t w = views ? 16 : var ? 8 : index_kind ? artemis_arrow_int_width(index_kind) : arrow_value_width(t);
    if (w > 1 && end > MAX_IMPLIED_BYTES / w)
      return INVALID("column %lld \"%s\": %s array of %lld elements implies a buffer beyond the address space",
                     (long long)col, name, role, (long long)end);
  }
  /* Views: validity, views, the variadic data buffers, and last an int64 array with the
   * size of each data buffer (the only bound the producer gives). */
  int64_t want_buffers = views || var ? 3 : 2;
  if (views ? a->n_buffers < want_buffers : a->n_buffers != want_buffers)
    return INVALID("column %lld \"%s\": %s array has %lld buffers, type %s needs %s%lld", (long long)col, name, role,
                   (long long)a->n_buffers, artemis_arrow_kind_name(index_kind ? index_kind : t->kind),
                   views ? "at least " : "", (long long)want_buffers);
  if (!a->buffers) return INVALID("column %lld \"%s\": %s array has a NULL buffers pointer", (long long)col, name, role);
  if (a->n_children != 0) return INVALID("column %lld \"%s\": %s array of a flat type has children", (long long)col, name, role);
  out->offset = a->offset + logical_offset;
  out->length = length;
  out->validity = a->buffers[0];
  if (out->validity == NULL && a->null_count != 0 && a->null_count != -1)
    return INVALID("column %lld \"%s\": %s array reports %lld nulls but has no validity bitmap", (long long)col, name,
                   role, (long long)a->null_count);
  if (a->null_count == 0) out->validity = NULL; /* producers may omit or keep an all-ones bitmap */
  if (views) {
    out->views = a->buffers[1];
    out->n_variadic = a->n_buffers - 3;
    out->variadic = (const uint8_t* const*)(a->buffers + 2);
  }
  if (length == 0) return ARTEMIS_OK;
  if (views) {
    const uint8_t* sizes = a->buffers[a->n_buffers - 1];
    if (!out->views) return INVALID("column %lld \"%s\": %s array has NULL views", (long long)col, name, role);
    if (out->n_variadic > 0 && !sizes)
      return INVALID("column %lld \"%s\": %s array has NULL variadic buffer sizes", (long long)col, name, role);
    for (int64_t i = 0; i < length; i++) {
      int64_t idx = out->offset + i;
      if (out->validity && !bit_is_set(out->validity, idx)) continue; /* a null slot's view is not read */
      const uint8_t* v = out->views + 16 * idx;
      int32_t n, buffer, offset;
      memcpy(&n, v, 4);
      if (n < 0)
        return INVALID("column %lld \"%s\": %s view at row %lld has negative length %d", (long long)col, name, role,
                       (long long)(logical_offset + i), (int)n);
      if (n <= 12) continue;
      memcpy(&buffer, v + 8, 4);
      memcpy(&offset, v + 12, 4);
      if (buffer < 0 || buffer >= out->n_variadic)
        return INVALID("column %lld \"%s\": %s view at row %lld points into data buffer %d of %lld", (long long)col,
                       name, role, (long long)(logical_offset + i), (int)buffer, (long long)out->n_variadic);
      int64_t size;
      memcpy(&size, sizes + 8 * buffer, 8);
      if (offset < 0 || (int64_t)offset + n > size || !out->variadic[buffer])
        return INVALID("column %lld \"%s\": %s view at row %lld (offset %d, length %d) is outside data buffer %d of "
                       "%lld bytes",
                       (long long)col, name, role, (long long)(logical_offset + i), (int)offset, (int)n, (int)buffer,
                       (long long)size);
      /* Valid, but too long for one Parquet page: checked after the bounds, so a view that
       * points outside its data is always reported as invalid input. */
      if (n > INT32_MAX - 64)
        return artemis_set_error_at(error, ARTEMIS_E_LIMIT, col, -1, logical_offset + i,
                                    "column %lld \"%s\": value at row %lld is %d bytes; Parquet pages hold at most 2 GiB",
                                    (long long)col, name, (long long)(logical_offset + i), (int)n);
    }
    return ARTEMIS_OK;
  }
  if (var) {
    out->large_offsets = t->kind == AK_LARGE_UTF8 || t->kind == AK_LARGE_BINARY;
    out->offsets = a->buffers[1];
    out->data = a->buffers[2];
    if (!out->offsets) return INVALID("column %lld \"%s\": %s array has NULL offsets", (long long)col, name, role);
    int64_t prev = offset_at(out, out->offset);
    if (prev < 0) return INVALID("column %lld \"%s\": %s offset at row %lld is negative", (long long)col, name, role, (long long)logical_offset);
    /* int32 offsets are never out of range, and a decrease or an over-long value both
     * show as an unsigned difference above the limit: one compare per offset. Only an
     * offending batch takes the loop below, which names the first failure. */
    int64_t first_bad = 1;
    if (!out->large_offsets) {
      const uint8_t* p = (const uint8_t*)out->offsets + 4 * (size_t)out->offset;
      int32_t before, after;
      memcpy(&before, p, 4);
      for (; first_bad <= length; first_bad++) {
        memcpy(&after, p + 4 * (size_t)first_bad, 4);
        if ((uint64_t)((int64_t)after - before) > (uint64_t)(INT32_MAX - 64)) break;
        before = after;
      }
      prev = before;
    }
    for (int64_t i = first_bad; i <= length; i++) {
      int64_t cur = offset_at(out, out->offset + i);
      if (cur > MAX_IMPLIED_BYTES)
        return INVALID("column %lld \"%s\": %s offset %lld at row %lld is out of range", (long long)col, name, role,
                       (long long)cur, (long long)(logical_offset + i));
      if (cur < prev)
        return INVALID("column %lld \"%s\": %s offsets decrease at row %lld (%lld < %lld)", (long long)col, name, role,
                       (long long)(logical_offset + i - 1), (long long)cur, (long long)prev);
      /* A Parquet BYTE_ARRAY value carries a u32 length and lives in one page (i32 sizes). */
      if (cur - prev > INT32_MAX - 64)
        return artemis_set_error_at(error, ARTEMIS_E_LIMIT, col, -1, logical_offset + i - 1,
                                    "column %lld \"%s\": value at row %lld is %lld bytes; Parquet pages hold at most 2 GiB",
                                    (long long)col, name, (long long)(logical_offset + i - 1), (long long)(cur - prev));
      prev = cur;
    }
    if (prev > offset_at(out, out->offset) && !out->data)
      return INVALID("column %lld \"%s\": %s array has NULL data with non-empty values", (long long)col, name, role);
  } else {
    out->values = a->buffers[1];
    if (!out->values) return INVALID("column %lld \"%s\": %s array has a NULL data buffer", (long long)col, name, role);
  }
  return ARTEMIS_OK;
}

/* A decimal of `bytes` (4, 8, 16 or 32) little-endian bytes, sign-extended to 256 bits. */
static void load_decimal(const uint8_t* p, int bytes, uint64_t limbs[4]) {
  uint8_t wide[32];
  memcpy(wide, p, (size_t)bytes);
  memset(wide + bytes, (p[bytes - 1] & 0x80) ? 0xFF : 0x00, (size_t)(32 - bytes));
  for (int k = 0; k < 4; k++) {
    uint64_t v = 0;
    for (int b = 7; b >= 0; b--) v = (v << 8) | wide[8 * k + b];
    limbs[k] = v;
  }
}

static uint8_t decimal_byte(const uint64_t limbs[4], size_t i) { return (uint8_t)(limbs[i / 8] >> (8 * (i % 8))); }

/* Whether the decimal fits its Parquet storage and has at most `precision` digits. */
static int decimal_fits(const artemis_arrow_type* t, const uint64_t limbs[4]) {
  size_t keep = t->conversion == CONV_DECIMAL_TO_I32 ? 4 : t->conversion == CONV_DECIMAL_TO_I64 ? 8 : (size_t)t->type_length;
  /* Bytes above the kept ones must be the sign extension of the kept ones. */
  uint8_t sign = (decimal_byte(limbs, keep - 1) & 0x80) ? 0xFF : 0x00;
  for (size_t i = keep; i < 32; i++)
    if (decimal_byte(limbs, i) != sign) return 0;
  /* |unscaled| < 10^precision, else readers would show a value the type cannot hold. */
  uint64_t mag[4];
  memcpy(mag, limbs, sizeof mag);
  if (limbs[3] >> 63) {
    unsigned carry = 1;
    for (int k = 0; k < 4; k++) {
      mag[k] = ~mag[k] + carry;
      carry = carry && mag[k] == 0;
    }
  }
  for (int k = 3; k >= 0; k--) {
    if (mag[k] != t->decimal_limit[k]) return mag[k] < t->decimal_limit[k];
  }
  return 0; /* equal to 10^precision */
}

/* Value checks for conversions that can fail; `idx` is the absolute element index. */
static int check_value(const artemis_array_view* v, const artemis_arrow_type* t, int64_t idx, int64_t row, int64_t col,
                       const char* name, artemis_error* error) {
  switch (t->conversion) {
    case CONV_DATE64_TO_DAYS: {
      int64_t ms;
      memcpy(&ms, v->values + idx * 8, 8);
      if (ms % MS_PER_DAY != 0)
        return INVALID("column %lld \"%s\": date64 value %lld at row %lld is not a whole day; Parquet DATE stores "
                       "days (cast to timestamp[ms] to keep the time of day)",
                       (long long)col, name, (long long)ms, (long long)row);
      int64_t days = ms / MS_PER_DAY;
      if (days < INT32_MIN || days > INT32_MAX)
        return INVALID("column %lld \"%s\": date64 value %lld at row %lld is outside the int32 day range",
                       (long long)col, name, (long long)ms, (long long)row);
      return ARTEMIS_OK;
    }
    case CONV_SECONDS_TO_MILLIS32: {
      int32_t s;
      memcpy(&s, v->values + idx * 4, 4);
      if (s < INT32_MIN / 1000 || s > INT32_MAX / 1000)
        return INVALID("column %lld \"%s\": time32[s] value %d at row %lld overflows milliseconds", (long long)col,
                       name, (int)s, (long long)row);
      return ARTEMIS_OK;
    }
    case CONV_SECONDS_TO_MILLIS64: {
      int64_t s;
      memcpy(&s, v->values + idx * 8, 8);
      if (s < INT64_MIN / 1000 || s > INT64_MAX / 1000)
        return INVALID("column %lld \"%s\": timestamp[s] value %lld at row %lld overflows milliseconds",
                       (long long)col, name, (long long)s, (long long)row);
      return ARTEMIS_OK;
    }
    case CONV_DECIMAL_TO_I32:
    case CONV_DECIMAL_TO_I64:
    case CONV_DECIMAL_TO_FLBA: {
      uint64_t limbs[4];
      load_decimal(v->values + idx * t->decimal_bytes, t->decimal_bytes, limbs);
      if (!decimal_fits(t, limbs))
        return INVALID("column %lld \"%s\": decimal(%d, %d) value at row %lld has more than %d digits",
                       (long long)col, name, (int)t->precision, (int)t->scale, (long long)row, (int)t->precision);
      return ARTEMIS_OK;
    }
    default:
      return ARTEMIS_OK;
  }
}

static int needs_value_check(const artemis_arrow_type* t) {
  return t->conversion == CONV_DATE64_TO_DAYS || t->conversion == CONV_SECONDS_TO_MILLIS32 ||
         t->conversion == CONV_SECONDS_TO_MILLIS64 || t->conversion == CONV_DECIMAL_TO_I32 ||
         t->conversion == CONV_DECIMAL_TO_I64 || t->conversion == CONV_DECIMAL_TO_FLBA;
}

static int64_t read_index(const artemis_array_view* a, artemis_arrow_kind kind, int64_t i) {
  const uint8_t* p = a->values;
  switch (kind) {
    case AK_INT8: return ((const int8_t*)p)[i];
    case AK_UINT8: return p[i];
    case AK_INT16: { int16_t v; memcpy(&v, p + 2 * i, 2); return v; }
    case AK_UINT16: { uint16_t v; memcpy(&v, p + 2 * i, 2); return v; }
    case AK_INT32: { int32_t v; memcpy(&v, p + 4 * i, 4); return v; }
    case AK_UINT32: { uint32_t v; memcpy(&v, p + 4 * i, 4); return v; }
    case AK_INT64: { int64_t v; memcpy(&v, p + 8 * i, 8); return v; }
    case AK_UINT64: { uint64_t v; memcpy(&v, p + 8 * i, 8); return v > (uint64_t)INT64_MAX ? -1 : (int64_t)v; }
    default: return -1;
  }
}

int artemis_batch_view(const struct ArrowArray* batch, const artemis_arrow_type* types, const char* const* names,
                       size_t ncols, artemis_column_view* views, int64_t* out_rows, artemis_error* error) {
  int64_t col = -1;
  if (!batch) return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "batch is NULL");
  if (batch->release == NULL) return INVALID("batch has been released (release callback is NULL)");
  if (batch->length < 0 || batch->offset < 0) return INVALID("batch has negative length or offset");
  if (batch->offset > MAX_IMPLIED_BYTES - batch->length) return INVALID("batch offset + length is out of range");
  if (batch->n_children != (int64_t)ncols || (ncols > 0 && !batch->children))
    return INVALID("batch has %lld columns, the schema has %zu", (long long)batch->n_children, ncols);
  if (batch->n_buffers != 1 || !batch->buffers)
    return INVALID("batch struct array has %lld buffers, a struct array has 1 (validity)", (long long)batch->n_buffers);
  if (batch->null_count != 0 && batch->null_count != -1 && !batch->buffers[0])
    return INVALID("batch struct array reports %lld nulls but has no validity bitmap", (long long)batch->null_count);
  if (batch->null_count != 0 && batch->buffers[0]) {
    for (int64_t i = 0; i < batch->length; i++) {
      if (!bit_is_set(batch->buffers[0], batch->offset + i))
        return INVALID("batch struct array has a null at row %lld; top-level rows cannot be null", (long long)i);
    }
  }
  for (size_t c = 0; c < ncols; c++) {
    col = (int64_t)c;
    const artemis_arrow_type* t = &types[c];
    const char* name = names[c];
    const struct ArrowArray* child = batch->children[c];
    artemis_column_view* v = &views[c];
    memset(v, 0, sizeof *v);
    ARTEMIS_RETURN_NOT_OK(view_array(child, t, t->is_dictionary ? t->index_kind : 0, batch->offset, batch->length, col,
                                     name, "column", &v->array, error));
    if (t->is_dictionary && batch->length > 0) {
      const struct ArrowArray* d = child->dictionary;
      if (!d) return INVALID("column %lld \"%s\" is dictionary-encoded but the array has no dictionary", (long long)col, name);
      if (d->length < 0 || d->offset < 0) return INVALID("column %lld \"%s\": dictionary has negative length or offset", (long long)col, name);
      ARTEMIS_RETURN_NOT_OK(view_array(d, t, 0, 0, d->length, col, name, "dictionary", &v->dict, error));
    }
    /* Per-row checks: nullability, dictionary indices, convertible values. */
    int check_values = needs_value_check(t);
    if ((!t->nullable && v->array.validity) || t->is_dictionary || check_values) {
      for (int64_t i = 0; i < batch->length; i++) {
        int64_t idx = v->array.offset + i;
        int present = !v->array.validity || bit_is_set(v->array.validity, idx);
        const artemis_array_view* values_view = &v->array;
        int64_t value_idx = idx;
        if (present && t->is_dictionary) {
          int64_t k = read_index(&v->array, t->index_kind, idx);
          if (k < 0 || k >= v->dict.length)
            return INVALID("column %lld \"%s\": dictionary index %lld at row %lld is outside the dictionary of %lld values",
                           (long long)col, name, (long long)k, (long long)i, (long long)v->dict.length);
          values_view = &v->dict;
          value_idx = v->dict.offset + k;
          present = !v->dict.validity || bit_is_set(v->dict.validity, value_idx);
        }
        if (!present) {
          if (!t->nullable)
            return INVALID("column %lld \"%s\" is not nullable but row %lld is null", (long long)col, name, (long long)i);
          continue;
        }
        if (check_values) ARTEMIS_RETURN_NOT_OK(check_value(values_view, t, value_idx, i, col, name, error));
      }
    }
  }
  *out_rows = batch->length;
  return ARTEMIS_OK;
}

int64_t artemis_column_arrow_bytes(const artemis_column_view* view, const artemis_arrow_type* t, int64_t row, int64_t n) {
  const artemis_array_view* a = &view->array;
  int64_t bytes = a->validity ? (n + 7) / 8 : 0;
  if (t->is_dictionary) {
    /* Indices only: the dictionary is shared by every row, like in Arrow memory. */
    return bytes + n * artemis_arrow_int_width(t->index_kind);
  }
  if (is_var_length(t->kind)) {
    if (n == 0) return bytes;
    int64_t w = a->large_offsets ? 8 : 4;
    return bytes + n * w + (offset_at(a, a->offset + row + n) - offset_at(a, a->offset + row));
  }
  if (t->kind == AK_BOOL || t->kind == AK_NULL) return bytes + (n + 7) / 8;
  if (is_view(t->kind)) {
    /* 16 bytes per view, plus the out-of-line bytes of the non-null values. */
    int64_t total = bytes + 16 * n;
    for (int64_t i = 0; i < n; i++) {
      int64_t idx = a->offset + row + i;
      if (a->validity && !bit_is_set(a->validity, idx)) continue;
      int64_t len = value_length(a, idx);
      if (len > 12) total += len;
    }
    return total;
  }
  return bytes + n * arrow_value_width(t);
}

int64_t artemis_gather_rows_within(const artemis_column_view* view, const artemis_arrow_type* t, int64_t row,
                                   int64_t max_rows, int64_t max_bytes) {
  if (t->physical_type != PQ_BYTE_ARRAY) {
    int64_t w = (int64_t)t->value_width;
    int64_t fit = max_bytes / (w > 0 ? w : 1);
    return fit < 1 ? 1 : fit < max_rows ? fit : max_rows;
  }
  const artemis_array_view* a = &view->array;
  int64_t base = a->offset + row;
  if (!t->is_dictionary && !a->views && offset_at(a, base + max_rows) - offset_at(a, base) <= max_bytes) return max_rows;
  int64_t total = 0;
  for (int64_t i = 0; i < max_rows; i++) {
    int64_t len;
    if (a->validity && !bit_is_set(a->validity, base + i)) continue;
    if (t->is_dictionary) {
      int64_t k = view->dict.offset + read_index(a, t->index_kind, base + i);
      /* A null dictionary entry contributes nothing (and its view may hold garbage). */
      if (view->dict.validity && !bit_is_set(view->dict.validity, k)) continue;
      len = value_length(&view->dict, k);
    } else {
      len = value_length(a, base + i);
    }
    total += len;
    if (total > max_bytes) return i > 0 ? i : 1;
  }
  return max_rows;
}

void artemis_gather_scratch_init(artemis_gather_scratch* s, artemis_mem* mem) {
  artemis_buf_init(&s->levels, mem);
  artemis_buf_init(&s->values, mem);
  artemis_buf_init(&s->lengths, mem);
  artemis_buf_init(&s->bytes, mem);
}

void artemis_gather_scratch_free(artemis_gather_scratch* s) {
  artemis_buf_free(&s->levels);
  artemis_buf_free(&s->values);
  artemis_buf_free(&s->lengths);
  artemis_buf_free(&s->bytes);
}

/* Writes one fixed-width value (absolute index `idx` of `a`) in Parquet physical form. */
static inline void convert_fixed(const artemis_array_view* a, const artemis_arrow_type* t, int64_t idx, uint8_t* out) {
  const uint8_t* p = a->values;
  switch (t->conversion) {
    case CONV_NONE: memcpy(out, p + (size_t)idx * t->value_width, t->value_width); return;
    case CONV_WIDEN_I8: { int32_t v = ((const int8_t*)p)[idx]; memcpy(out, &v, 4); return; }
    case CONV_WIDEN_U8: { int32_t v = p[idx]; memcpy(out, &v, 4); return; }
    case CONV_WIDEN_I16: { int16_t s; memcpy(&s, p + 2 * idx, 2); int32_t v = s; memcpy(out, &v, 4); return; }
    case CONV_WIDEN_U16: { uint16_t s; memcpy(&s, p + 2 * idx, 2); int32_t v = s; memcpy(out, &v, 4); return; }
    case CONV_BOOL_BITS: out[0] = (uint8_t)bit_is_set(p, idx); return;
    case CONV_DATE64_TO_DAYS: { int64_t ms; memcpy(&ms, p + 8 * idx, 8); int32_t d = (int32_t)(ms / MS_PER_DAY); memcpy(out, &d, 4); return; }
    case CONV_SECONDS_TO_MILLIS32: { int32_t s; memcpy(&s, p + 4 * idx, 4); s *= 1000; memcpy(out, &s, 4); return; }
    case CONV_SECONDS_TO_MILLIS64: { int64_t s; memcpy(&s, p + 8 * idx, 8); s *= 1000; memcpy(out, &s, 8); return; }
    case CONV_DECIMAL_TO_I32:
    case CONV_DECIMAL_TO_I64:
    case CONV_DECIMAL_TO_FLBA: {
      uint64_t limbs[4];
      load_decimal(p + (size_t)idx * (size_t)t->decimal_bytes, t->decimal_bytes, limbs);
      if (t->conversion == CONV_DECIMAL_TO_I32) {
        int32_t v = (int32_t)(uint32_t)limbs[0];
        memcpy(out, &v, 4);
      } else if (t->conversion == CONV_DECIMAL_TO_I64) {
        memcpy(out, &limbs[0], 8);
      } else {
        size_t n = (size_t)t->type_length;
        for (size_t i = 0; i < n; i++) out[i] = decimal_byte(limbs, n - 1 - i); /* big-endian */
      }
      return;
    }
  }
}

/* Converts rows [base, base + n) of a non-dictionary column without nulls, one loop per
 * conversion instead of a switch per value. Returns 0 for the conversions left to
 * convert_fixed (rare types), 1 when done. */
static int convert_fixed_run(const artemis_array_view* a, const artemis_arrow_type* t, int64_t base, size_t n,
                             uint8_t* out) {
  const uint8_t* p = a->values;
  switch (t->conversion) {
    case CONV_WIDEN_I8:
      for (size_t i = 0; i < n; i++) {
        int32_t v = (int8_t)p[(size_t)base + i];
        memcpy(out + 4 * i, &v, 4);
      }
      return 1;
    case CONV_WIDEN_U8:
      for (size_t i = 0; i < n; i++) {
        int32_t v = p[(size_t)base + i];
        memcpy(out + 4 * i, &v, 4);
      }
      return 1;
    case CONV_WIDEN_I16:
      for (size_t i = 0; i < n; i++) {
        int16_t h;
        memcpy(&h, p + 2 * ((size_t)base + i), 2);
        int32_t v = h;
        memcpy(out + 4 * i, &v, 4);
      }
      return 1;
    case CONV_WIDEN_U16:
      for (size_t i = 0; i < n; i++) {
        uint16_t h;
        memcpy(&h, p + 2 * ((size_t)base + i), 2);
        int32_t v = h;
        memcpy(out + 4 * i, &v, 4);
      }
      return 1;
    default:
      return 0;
  }
}

static inline void value_bytes(const artemis_array_view* a, int64_t idx, const uint8_t** p, uint32_t* len) {
  if (a->views) {
    view_at(a, idx, p, len);
    return;
  }
  int64_t start = offset_at(a, idx), end = offset_at(a, idx + 1);
  static const uint8_t kEmpty[1] = {0};
  *p = end > start ? a->data + start : kEmpty; /* data may be NULL when every value is empty */
  *len = (uint32_t)(end - start);
}

int artemis_gather(const artemis_column_view* view, const artemis_arrow_type* t, int64_t row, size_t n,
                   artemis_gather_scratch* s, artemis_gathered* out) {
  const artemis_array_view* a = &view->array;
  memset(out, 0, sizeof *out);
  out->rows = n;
  int64_t base = a->offset + row;

  /* Definition levels: from the column validity and, for dictionaries, the dictionary's. */
  int has_nulls = a->all_null || a->validity != NULL || (t->is_dictionary && view->dict.validity != NULL);
  size_t non_null = n;
  uint8_t* levels = NULL;
  if (has_nulls) {
    artemis_buf_clear(&s->levels);
    if (artemis_buf_reserve(&s->levels, n) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
    levels = s->levels.data;
    non_null = 0;
    if (!a->all_null && a->validity && !(t->is_dictionary && view->dict.validity)) {
      /* The common case, a nullable column: the bitmap alone decides. */
      for (size_t i = 0; i < n; i++) {
        levels[i] = (uint8_t)bit_is_set(a->validity, base + (int64_t)i);
        non_null += levels[i];
      }
    } else {
      for (size_t i = 0; i < n; i++) {
        int present = !a->all_null && (!a->validity || bit_is_set(a->validity, base + (int64_t)i));
        if (present && t->is_dictionary && view->dict.validity) {
          int64_t k = read_index(a, t->index_kind, base + (int64_t)i);
          present = bit_is_set(view->dict.validity, view->dict.offset + k);
        }
        levels[i] = (uint8_t)present;
        non_null += (size_t)present;
      }
    }
    if (non_null == n) levels = NULL;
    out->def_levels = levels;
  }
  out->non_null = non_null;

  if (t->physical_type != PQ_BYTE_ARRAY) {
    size_t w = t->value_width;
    if (!t->is_dictionary && !levels && t->conversion == CONV_NONE) {
      out->fixed = a->values + (size_t)base * w; /* zero-copy: already Parquet's layout */
      return ARTEMIS_OK;
    }
    artemis_buf_clear(&s->values);
    if (non_null && artemis_buf_reserve(&s->values, non_null * w) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
    uint8_t* dst = s->values.data;
    if (!t->is_dictionary && !levels && convert_fixed_run(a, t, base, n, dst)) {
      out->fixed = s->values.data;
      return ARTEMIS_OK;
    }
    for (size_t i = 0; i < n; i++) {
      if (levels && !levels[i]) continue;
      int64_t idx = base + (int64_t)i;
      if (t->is_dictionary) {
        convert_fixed(&view->dict, t, view->dict.offset + read_index(a, t->index_kind, idx), dst);
      } else {
        convert_fixed(a, t, idx, dst);
      }
      dst += w;
    }
    out->fixed = s->values.data;
    return ARTEMIS_OK;
  }

  /* Byte arrays. */
  artemis_buf_clear(&s->lengths);
  if (non_null && artemis_buf_reserve(&s->lengths, non_null * sizeof(uint32_t)) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
  uint32_t* lengths = (uint32_t*)(void*)s->lengths.data;
  out->lengths = lengths;
  if (!t->is_dictionary && a->views) {
    /* Views point anywhere: the values are copied together. */
    artemis_buf_clear(&s->bytes);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
      if (levels && !levels[i]) continue;
      const uint8_t* p;
      uint32_t len;
      view_at(a, base + (int64_t)i, &p, &len);
      if (artemis_buf_append(&s->bytes, p, len) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
      lengths[k++] = len;
    }
    out->bytes = s->bytes.data;
    out->bytes_len = s->bytes.len;
    return ARTEMIS_OK;
  }
  if (!t->is_dictionary) {
    if (n == 0) return ARTEMIS_OK;
    int64_t first = offset_at(a, base), last = offset_at(a, base + (int64_t)n);
    size_t total = 0, k = 0;
    if (!levels && !a->large_offsets) {
      /* No nulls: every length is a difference of neighbouring offsets. */
      const uint8_t* offsets = (const uint8_t*)a->offsets + 4 * (size_t)base;
      int32_t before, after;
      memcpy(&before, offsets, 4);
      for (size_t i = 0; i < n; i++) {
        memcpy(&after, offsets + 4 * (i + 1), 4);
        lengths[i] = (uint32_t)((int64_t)after - before);
        before = after;
      }
      total = (size_t)(last - first);
      k = n;
    } else {
      for (size_t i = 0; i < n; i++) {
        if (levels && !levels[i]) continue;
        int64_t idx = base + (int64_t)i;
        uint32_t len = (uint32_t)(offset_at(a, idx + 1) - offset_at(a, idx));
        lengths[k++] = len;
        total += len;
      }
    }
    out->bytes_len = total;
    if ((int64_t)total == last - first) {
      out->bytes = a->data ? a->data + first : NULL; /* null slots are empty: bytes contiguous */
      return ARTEMIS_OK;
    }
    artemis_buf_clear(&s->bytes);
    if (artemis_buf_reserve(&s->bytes, total) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
    for (size_t i = 0; i < n; i++) {
      if (levels && !levels[i]) continue;
      const uint8_t* p;
      uint32_t len;
      value_bytes(a, base + (int64_t)i, &p, &len);
      artemis_buf_put_unchecked(&s->bytes, p, len);
    }
    out->bytes = s->bytes.data;
    return ARTEMIS_OK;
  }
  artemis_buf_clear(&s->bytes);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (levels && !levels[i]) continue;
    int64_t idx = view->dict.offset + read_index(a, t->index_kind, base + (int64_t)i);
    const uint8_t* p;
    uint32_t len;
    value_bytes(&view->dict, idx, &p, &len);
    if (artemis_buf_append(&s->bytes, p, len) != ARTEMIS_OK) return ARTEMIS_E_NOMEM;
    lengths[k++] = len;
  }
  out->bytes = s->bytes.data;
  out->bytes_len = s->bytes.len;
  return ARTEMIS_OK;
}
