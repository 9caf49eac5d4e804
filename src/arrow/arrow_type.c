/* Format-string parsing (Arrow C Data Interface) and the Arrow -> Parquet type map
 * (PARQUET-CHECKLIST.md section 1: both converted_type and logicalType where one exists,
 * because DuckDB takes INT/UINT/DATE/DECIMAL/UTF8 only from converted_type). */
#include "arrow/arrow_type.h"

#include <stdlib.h>
#include <string.h>

#include "core/errors.h"
#include "thrift/parquet_metadata.h"

const char* artemis_arrow_kind_name(artemis_arrow_kind kind) {
  switch (kind) {
    case AK_BOOL: return "bool";
    case AK_INT8: return "int8";
    case AK_INT16: return "int16";
    case AK_INT32: return "int32";
    case AK_INT64: return "int64";
    case AK_UINT8: return "uint8";
    case AK_UINT16: return "uint16";
    case AK_UINT32: return "uint32";
    case AK_UINT64: return "uint64";
    case AK_FLOAT16: return "float16";
    case AK_FLOAT32: return "float32";
    case AK_FLOAT64: return "float64";
    case AK_UTF8: return "utf8";
    case AK_LARGE_UTF8: return "large_utf8";
    case AK_BINARY: return "binary";
    case AK_LARGE_BINARY: return "large_binary";
    case AK_FIXED_BINARY: return "fixed_size_binary";
    case AK_UTF8_VIEW: return "utf8_view";
    case AK_BINARY_VIEW: return "binary_view";
    case AK_DATE32: return "date32";
    case AK_DATE64: return "date64";
    case AK_TIME32: return "time32";
    case AK_TIME64: return "time64";
    case AK_TIMESTAMP: return "timestamp";
    case AK_DECIMAL: return "decimal";
    case AK_NULL: return "null";
  }
  return "unknown";
}

int artemis_arrow_int_width(artemis_arrow_kind kind) {
  switch (kind) {
    case AK_INT8: case AK_UINT8: return 1;
    case AK_INT16: case AK_UINT16: return 2;
    case AK_INT32: case AK_UINT32: return 4;
    case AK_INT64: case AK_UINT64: return 8;
    default: return 0;
  }
}

static int simple_kind(const char* f, artemis_arrow_kind* kind) {
  if (f[0] == '\0' || f[1] != '\0') return 0;
  switch (f[0]) {
    case 'b': *kind = AK_BOOL; return 1;
    case 'c': *kind = AK_INT8; return 1;
    case 'C': *kind = AK_UINT8; return 1;
    case 's': *kind = AK_INT16; return 1;
    case 'S': *kind = AK_UINT16; return 1;
    case 'i': *kind = AK_INT32; return 1;
    case 'I': *kind = AK_UINT32; return 1;
    case 'l': *kind = AK_INT64; return 1;
    case 'L': *kind = AK_UINT64; return 1;
    case 'e': *kind = AK_FLOAT16; return 1;
    case 'f': *kind = AK_FLOAT32; return 1;
    case 'g': *kind = AK_FLOAT64; return 1;
    case 'u': *kind = AK_UTF8; return 1;
    case 'U': *kind = AK_LARGE_UTF8; return 1;
    case 'z': *kind = AK_BINARY; return 1;
    case 'Z': *kind = AK_LARGE_BINARY; return 1;
    case 'n': *kind = AK_NULL; return 1;
    default: return 0;
  }
}

/* Parses a decimal integer of at most 9 digits at *p; advances *p. */
static int parse_small_int(const char** p, int32_t* out) {
  const char* s = *p;
  int32_t v = 0;
  int digits = 0;
  while (*s >= '0' && *s <= '9') {
    if (++digits > 9) return 0;
    v = v * 10 + (*s - '0');
    s++;
  }
  if (digits == 0) return 0;
  *p = s;
  *out = v;
  return 1;
}

static int unsupported(artemis_error* error, int64_t col, const char* name, const char* what,
                       const char* format) {
  const char* why = "the writer stores flat columns only";
  if (strcmp(what, "duration") == 0 || strcmp(what, "interval") == 0)
    why = "Parquet has no logical type that keeps its meaning (cast it to int64 or a timestamp)";
  else if (strcmp(what, "unknown") == 0)
    why = "the format string is not one the writer knows";
  return artemis_set_error_at(error, ARTEMIS_E_UNSUPPORTED, col, -1, -1,
                              "unsupported type %s (format \"%s\") in column %lld \"%s\": %s", what, format,
                              (long long)col, name, why);
}

static const char* describe_unsupported(const char* f) {
  if (f[0] == '+') {
    switch (f[1]) {
      case 'l': return "list";
      case 'L': return "large_list";
      case 'w': return "fixed_size_list";
      case 's': return "struct";
      case 'm': return "map";
      case 'u': return "union";
      case 'r': return "run_end_encoded";
      case 'v': return "list_view";
      default: return "nested";
    }
  }
  if (f[0] == 't' && f[1] == 'D') return "duration";
  if (f[0] == 't' && f[1] == 'i') return "interval";
  return "unknown";
}

/* Minimal bytes of a big-endian two's complement integer holding any value of `precision`
 * decimal digits. */
static int32_t decimal_flba_length(int32_t precision) {
  /* 10^p - 1 < 2^(8n-1)  <=>  n >= (p*log2(10) + 1) / 8 */
  for (int32_t n = 1; n <= 32; n++) {
    double bits = 8.0 * n - 1;
    if (precision * 3.3219280948873623 < bits) return n;
  }
  return 32;
}

static void map_to_parquet(artemis_arrow_type* t) {
  t->type_length = -1;
  t->converted_type = -1;
  t->lt_kind = PQ_LT_NONE;
  t->conversion = CONV_NONE;
  switch (t->kind) {
    case AK_BOOL:
      t->physical_type = PQ_BOOLEAN; t->value_width = 1; t->sort_kind = ARTEMIS_SORT_BOOLEAN;
      t->conversion = CONV_BOOL_BITS;
      break;
    case AK_INT8: case AK_INT16: case AK_INT32:
    case AK_UINT8: case AK_UINT16: case AK_UINT32: {
      int is_signed = t->kind == AK_INT8 || t->kind == AK_INT16 || t->kind == AK_INT32;
      int bits = 8 * artemis_arrow_int_width(t->kind);
      t->physical_type = PQ_INT32; t->value_width = 4;
      t->sort_kind = is_signed ? ARTEMIS_SORT_INT32 : ARTEMIS_SORT_UINT32;
      t->lt_kind = PQ_LT_INTEGER; t->lt_bit_width = bits; t->lt_signed = is_signed;
      t->converted_type = is_signed ? (bits == 8 ? PQ_CT_INT_8 : bits == 16 ? PQ_CT_INT_16 : PQ_CT_INT_32)
                                    : (bits == 8 ? PQ_CT_UINT_8 : bits == 16 ? PQ_CT_UINT_16 : PQ_CT_UINT_32);
      if (t->kind == AK_INT8) t->conversion = CONV_WIDEN_I8;
      if (t->kind == AK_INT16) t->conversion = CONV_WIDEN_I16;
      if (t->kind == AK_UINT8) t->conversion = CONV_WIDEN_U8;
      if (t->kind == AK_UINT16) t->conversion = CONV_WIDEN_U16;
      break;
    }
    case AK_INT64: case AK_UINT64: {
      int is_signed = t->kind == AK_INT64;
      t->physical_type = PQ_INT64; t->value_width = 8;
      t->sort_kind = is_signed ? ARTEMIS_SORT_INT64 : ARTEMIS_SORT_UINT64;
      t->lt_kind = PQ_LT_INTEGER; t->lt_bit_width = 64; t->lt_signed = is_signed;
      t->converted_type = is_signed ? PQ_CT_INT_64 : PQ_CT_UINT_64;
      break;
    }
    case AK_FLOAT16:
      t->physical_type = PQ_FIXED_LEN_BYTE_ARRAY; t->type_length = 2; t->value_width = 2;
      t->sort_kind = ARTEMIS_SORT_FLOAT16; t->lt_kind = PQ_LT_FLOAT16;
      break;
    case AK_FLOAT32:
      t->physical_type = PQ_FLOAT; t->value_width = 4; t->sort_kind = ARTEMIS_SORT_FLOAT;
      break;
    case AK_FLOAT64:
      t->physical_type = PQ_DOUBLE; t->value_width = 8; t->sort_kind = ARTEMIS_SORT_DOUBLE;
      break;
    case AK_UTF8: case AK_LARGE_UTF8: case AK_UTF8_VIEW:
      t->physical_type = PQ_BYTE_ARRAY; t->value_width = 0; t->sort_kind = ARTEMIS_SORT_BYTES;
      t->converted_type = PQ_CT_UTF8; t->lt_kind = PQ_LT_STRING;
      break;
    case AK_BINARY: case AK_LARGE_BINARY: case AK_BINARY_VIEW:
      t->physical_type = PQ_BYTE_ARRAY; t->value_width = 0; t->sort_kind = ARTEMIS_SORT_BYTES;
      break;
    case AK_FIXED_BINARY:
      t->physical_type = PQ_FIXED_LEN_BYTE_ARRAY; t->type_length = t->byte_width;
      t->value_width = (size_t)t->byte_width; t->sort_kind = ARTEMIS_SORT_BYTES;
      break;
    case AK_DATE32: case AK_DATE64:
      t->physical_type = PQ_INT32; t->value_width = 4; t->sort_kind = ARTEMIS_SORT_INT32;
      t->converted_type = PQ_CT_DATE; t->lt_kind = PQ_LT_DATE;
      if (t->kind == AK_DATE64) t->conversion = CONV_DATE64_TO_DAYS;
      break;
    case AK_TIME32:
      /* time32[s] has no Parquet unit: stored as milliseconds. */
      t->physical_type = PQ_INT32; t->value_width = 4; t->sort_kind = ARTEMIS_SORT_INT32;
      t->converted_type = PQ_CT_TIME_MILLIS; t->lt_kind = PQ_LT_TIME; t->lt_unit = PQ_UNIT_MILLIS;
      /* Arrow times are wall-clock times of day with no zone: local, not UTC-normalized
       * (as arrow-rs writes them; DuckDB would read adjusted ones as TIME WITH TIME ZONE). */
      t->lt_utc = 0;
      if (t->unit == AU_SECOND) t->conversion = CONV_SECONDS_TO_MILLIS32;
      break;
    case AK_TIME64:
      t->physical_type = PQ_INT64; t->value_width = 8; t->sort_kind = ARTEMIS_SORT_INT64;
      t->lt_kind = PQ_LT_TIME; t->lt_utc = 0;
      t->lt_unit = t->unit == AU_MICRO ? PQ_UNIT_MICROS : PQ_UNIT_NANOS;
      if (t->unit == AU_MICRO) t->converted_type = PQ_CT_TIME_MICROS;
      break;
    case AK_TIMESTAMP:
      t->physical_type = PQ_INT64; t->value_width = 8; t->sort_kind = ARTEMIS_SORT_INT64;
      t->lt_kind = PQ_LT_TIMESTAMP; t->lt_utc = t->has_timezone;
      switch (t->unit) {
        case AU_SECOND: /* no Parquet unit: stored as milliseconds */
          t->conversion = CONV_SECONDS_TO_MILLIS64;
          /* fall through */
        case AU_MILLI: t->lt_unit = PQ_UNIT_MILLIS; t->converted_type = PQ_CT_TIMESTAMP_MILLIS; break;
        case AU_MICRO: t->lt_unit = PQ_UNIT_MICROS; t->converted_type = PQ_CT_TIMESTAMP_MICROS; break;
        case AU_NANO: t->lt_unit = PQ_UNIT_NANOS; break; /* no converted type exists for ns */
      }
      break;
    case AK_NULL:
      /* Always-null column: optional INT32 with the UNKNOWN logical type (no converted type). */
      t->physical_type = PQ_INT32; t->value_width = 4; t->sort_kind = ARTEMIS_SORT_INT32;
      t->lt_kind = PQ_LT_UNKNOWN; t->nullable = 1;
      break;
    case AK_DECIMAL:
      t->converted_type = PQ_CT_DECIMAL; t->lt_kind = PQ_LT_DECIMAL;
      if (t->precision <= 9) {
        t->physical_type = PQ_INT32; t->value_width = 4; t->sort_kind = ARTEMIS_SORT_INT32;
        t->conversion = CONV_DECIMAL_TO_I32;
      } else if (t->precision <= 18) {
        t->physical_type = PQ_INT64; t->value_width = 8; t->sort_kind = ARTEMIS_SORT_INT64;
        t->conversion = CONV_DECIMAL_TO_I64;
      } else {
        t->physical_type = PQ_FIXED_LEN_BYTE_ARRAY;
        t->type_length = decimal_flba_length(t->precision);
        t->value_width = (size_t)t->type_length; t->sort_kind = ARTEMIS_SORT_DECIMAL_BE;
        t->conversion = CONV_DECIMAL_TO_FLBA;
      }
      break;
  }
}

static int parse_value_format(const char* f, int64_t col, const char* name, artemis_arrow_type* t,
                              artemis_error* error) {
  if (simple_kind(f, &t->kind)) return ARTEMIS_OK;
  if (strcmp(f, "vu") == 0) { t->kind = AK_UTF8_VIEW; return ARTEMIS_OK; }
  if (strcmp(f, "vz") == 0) { t->kind = AK_BINARY_VIEW; return ARTEMIS_OK; }
  if (strncmp(f, "w:", 2) == 0) {
    const char* p = f + 2;
    if (!parse_small_int(&p, &t->byte_width) || *p != '\0' || t->byte_width <= 0)
      return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, col, -1, -1,
                                  "malformed fixed_size_binary format \"%s\" in column %lld \"%s\"", f,
                                  (long long)col, name);
    t->kind = AK_FIXED_BINARY;
    return ARTEMIS_OK;
  }
  if (strncmp(f, "d:", 2) == 0) {
    const char* p = f + 2;
    int32_t bits = 128;
    if (!parse_small_int(&p, &t->precision) || *p != ',')
      return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, col, -1, -1,
                                  "malformed decimal format \"%s\" in column %lld \"%s\"", f, (long long)col, name);
    p++;
    int negative = 0;
    if (*p == '-') { negative = 1; p++; }
    if (!parse_small_int(&p, &t->scale))
      return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, col, -1, -1,
                                  "malformed decimal format \"%s\" in column %lld \"%s\"", f, (long long)col, name);
    if (negative) t->scale = -t->scale;
    if (*p == ',') {
      p++;
      if (!parse_small_int(&p, &bits))
        return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, col, -1, -1,
                                    "malformed decimal format \"%s\" in column %lld \"%s\"", f, (long long)col, name);
    }
    if (*p != '\0')
      return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, col, -1, -1,
                                  "malformed decimal format \"%s\" in column %lld \"%s\"", f, (long long)col, name);
    /* Most digits each Arrow width holds; Parquet allows the same in a FLBA of that size. */
    int32_t max_precision = bits == 32 ? 9 : bits == 64 ? 18 : bits == 128 ? 38 : bits == 256 ? 76 : 0;
    if (max_precision == 0)
      return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, col, -1, -1,
                                  "decimal format \"%s\" in column %lld \"%s\" has bit width %d (32, 64, 128 or 256)",
                                  f, (long long)col, name, (int)bits);
    if (t->precision < 1 || t->precision > max_precision || t->scale < 0 || t->scale > t->precision)
      return artemis_set_error_at(error, ARTEMIS_E_UNSUPPORTED, col, -1, -1,
                                  "unsupported type decimal%d(%d, %d) in column %lld \"%s\": a %d-bit decimal needs "
                                  "1 <= precision <= %d and 0 <= scale <= precision",
                                  (int)bits, (int)t->precision, (int)t->scale, (long long)col, name, (int)bits,
                                  (int)max_precision);
    t->kind = AK_DECIMAL;
    t->decimal_bytes = bits / 8;
    /* 10^precision as four 64-bit limbs: the bound every unscaled magnitude must stay under. */
    memset(t->decimal_limit, 0, sizeof t->decimal_limit);
    t->decimal_limit[0] = 1;
    for (int32_t i = 0; i < t->precision; i++) {
      unsigned __int128 carry = 0;
      for (int k = 0; k < 4; k++) {
        unsigned __int128 v = (unsigned __int128)t->decimal_limit[k] * 10u + carry;
        t->decimal_limit[k] = (uint64_t)v;
        carry = v >> 64;
      }
    }
    return ARTEMIS_OK;
  }
  if (f[0] == 't') {
    if (strcmp(f, "tdD") == 0) { t->kind = AK_DATE32; return ARTEMIS_OK; }
    if (strcmp(f, "tdm") == 0) { t->kind = AK_DATE64; t->unit = AU_MILLI; return ARTEMIS_OK; }
    if (strcmp(f, "tts") == 0) { t->kind = AK_TIME32; t->unit = AU_SECOND; return ARTEMIS_OK; }
    if (strcmp(f, "ttm") == 0) { t->kind = AK_TIME32; t->unit = AU_MILLI; return ARTEMIS_OK; }
    if (strcmp(f, "ttu") == 0) { t->kind = AK_TIME64; t->unit = AU_MICRO; return ARTEMIS_OK; }
    if (strcmp(f, "ttn") == 0) { t->kind = AK_TIME64; t->unit = AU_NANO; return ARTEMIS_OK; }
    if (f[1] == 's' && f[2] != '\0' && f[3] == ':') {
      switch (f[2]) {
        case 's': t->unit = AU_SECOND; break;
        case 'm': t->unit = AU_MILLI; break;
        case 'u': t->unit = AU_MICRO; break;
        case 'n': t->unit = AU_NANO; break;
        default:
          return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, col, -1, -1,
                                      "malformed timestamp format \"%s\" in column %lld \"%s\"", f,
                                      (long long)col, name);
      }
      t->kind = AK_TIMESTAMP;
      t->has_timezone = f[4] != '\0';
      return ARTEMIS_OK;
    }
  }
  return unsupported(error, col, name, describe_unsupported(f), f);
}

int artemis_arrow_type_parse(const struct ArrowSchema* field, int64_t col, artemis_arrow_type* out,
                             artemis_error* error) {
  memset(out, 0, sizeof *out);
  if (!field || !field->format || field->release == NULL)
    return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, col, -1, -1,
                                "schema child %lld is NULL, released or has no format", (long long)col);
  const char* name = field->name ? field->name : "";
  out->nullable = (field->flags & ARROW_FLAG_NULLABLE) != 0;
  if (field->dictionary) {
    artemis_arrow_kind index_kind;
    if (!simple_kind(field->format, &index_kind) || artemis_arrow_int_width(index_kind) == 0)
      return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, col, -1, -1,
                                  "dictionary column %lld \"%s\" has index format \"%s\"; an integer type is "
                                  "required",
                                  (long long)col, name, field->format);
    if (!field->dictionary->format || field->dictionary->release == NULL)
      return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, col, -1, -1,
                                  "dictionary of column %lld \"%s\" has no format or is released", (long long)col, name);
    if (field->dictionary->dictionary)
      return unsupported(error, col, name, "dictionary of dictionary", field->dictionary->format);
    out->is_dictionary = 1;
    out->index_kind = index_kind;
    ARTEMIS_RETURN_NOT_OK(parse_value_format(field->dictionary->format, col, name, out, error));
    if (out->kind == AK_NULL) return unsupported(error, col, name, "dictionary<null>", field->dictionary->format);
  } else {
    ARTEMIS_RETURN_NOT_OK(parse_value_format(field->format, col, name, out, error));
  }
  if (field->n_children != 0)
    return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, col, -1, -1,
                                "column %lld \"%s\" of flat type %s declares %lld children", (long long)col, name,
                                artemis_arrow_kind_name(out->kind), (long long)field->n_children);
  map_to_parquet(out);
  /* The canonical UUID extension has Parquet's UUID logical type (same 16 bytes, big-endian
   * RFC 4122 order in both). Other extensions are written as their storage type. */
  const char* ext;
  int32_t ext_len;
  if (out->kind == AK_FIXED_BINARY && out->byte_width == 16 &&
      artemis_arrow_metadata_find(field->metadata, "ARROW:extension:name", &ext, &ext_len) && ext_len == 10 &&
      memcmp(ext, "arrow.uuid", 10) == 0) {
    out->is_uuid = 1;
    out->lt_kind = PQ_LT_UUID;
  }
  return ARTEMIS_OK;
}

int64_t artemis_arrow_metadata_size(const char* m) {
  if (!m) return 0;
  int32_t n, len;
  memcpy(&n, m, 4);
  if (n < 0 || n > 1000000) return -1;
  int64_t at = 4;
  for (int32_t i = 0; i < 2 * n; i++) {
    memcpy(&len, m + at, 4);
    if (len < 0) return -1;
    at += 4 + (int64_t)len;
    if (at > (64ll << 20)) return -1;
  }
  return at;
}

int artemis_arrow_metadata_find(const char* metadata, const char* key, const char** value, int32_t* value_len) {
  if (artemis_arrow_metadata_size(metadata) <= 4) return 0;
  int32_t n, klen, vlen;
  memcpy(&n, metadata, 4);
  const char* p = metadata + 4;
  size_t key_len = strlen(key);
  for (int32_t i = 0; i < n; i++) {
    memcpy(&klen, p, 4);
    const char* k = p + 4;
    p = k + klen;
    memcpy(&vlen, p, 4);
    const char* v = p + 4;
    p = v + vlen;
    if ((size_t)klen == key_len && memcmp(k, key, key_len) == 0) {
      *value = v;
      *value_len = vlen;
      return 1;
    }
  }
  return 0;
}
