/* Thrift compact protocol decoder for untrusted bytes, into a small DOM.
 *
 * Used by the tests to check what the writer produced, by `artemis-write inspect` to
 * show footers and page headers of any Parquet file, and by fuzzing. It knows nothing
 * about Parquet: a struct is a list of (field id, value) in wire order.
 *
 * Safety: every length and count is checked against the bytes that remain (each
 * element occupies at least one byte, so a count larger than the remaining bytes is
 * rejected before anything is allocated) and against the limits below, with
 * overflow-safe arithmetic. Recursion depth is bounded by max_depth. Any input either
 * parses or returns an error; nothing is left allocated after an error.
 *
 * Status codes:
 *   ARTEMIS_E_NEED_MORE      the input ends inside the struct (truncated, or a length or
 *                            count that runs past the end of the bytes given);
 *   ARTEMIS_E_INVALID_INPUT  bytes that are not compact protocol (unknown type code,
 *                            overlong varint, integer out of range, bad bool byte...);
 *   ARTEMIS_E_LIMIT          max_depth, max_elements or max_binary_len exceeded;
 *   ARTEMIS_E_NOMEM          allocation failed;
 *   ARTEMIS_E_INVALID_ARGUMENT  NULL bytes (with n > 0), out_root or mem.
 * error->offset is the byte offset (from `bytes`) where the problem was found. */
#ifndef ARTEMIS_THRIFT_COMPACT_READER_H
#define ARTEMIS_THRIFT_COMPACT_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "artemis/error.h"
#include "core/buffer.h"
#include "core/memory.h"

/* Value kinds; numerically equal to the compact type codes (BOOL covers 1 and 2). */
typedef enum artemis_thrift_kind {
  ARTEMIS_THRIFT_BOOL = 1,
  ARTEMIS_THRIFT_I8 = 3,
  ARTEMIS_THRIFT_I16 = 4,
  ARTEMIS_THRIFT_I32 = 5,
  ARTEMIS_THRIFT_I64 = 6,
  ARTEMIS_THRIFT_DOUBLE = 7,
  ARTEMIS_THRIFT_BINARY = 8,
  ARTEMIS_THRIFT_LIST = 9,
  ARTEMIS_THRIFT_SET = 10,
  ARTEMIS_THRIFT_MAP = 11,
  ARTEMIS_THRIFT_STRUCT = 12
} artemis_thrift_kind;

typedef struct artemis_thrift_struct_field artemis_thrift_struct_field;

/* One decoded value. Everything reachable from a root is owned by the root and freed by
 * artemis_thrift_free; treat it as read-only. */
typedef struct artemis_thrift_value {
  artemis_thrift_kind kind;
  size_t offset; /* where the value's bytes start in the parsed input (field values:
                    right after the field header) */
  union {
    bool boolean;                          /* BOOL */
    int64_t integer;                       /* I8, I16, I32, I64; within the kind's range */
    double real;                           /* DOUBLE */
    struct {                               /* BINARY: a copy, followed by a NUL byte that */
      const uint8_t* data;                 /* is not counted in len (strings may contain */
      size_t len;                          /* NULs of their own) */
    } binary;
    struct {                               /* LIST, SET */
      artemis_thrift_kind elem_kind;
      size_t count;
      struct artemis_thrift_value* items;  /* count values, each of elem_kind */
    } list;
    struct {                               /* MAP; kinds are 0 when count is 0 */
      artemis_thrift_kind key_kind, value_kind;
      size_t count;
      struct artemis_thrift_value* keys;
      struct artemis_thrift_value* values;
    } map;
    struct {                               /* STRUCT: fields in wire order (duplicates kept) */
      size_t count;
      artemis_thrift_struct_field* fields;
    } strct;
  } as;
} artemis_thrift_value;

struct artemis_thrift_struct_field {
  int16_t id;
  artemis_thrift_value value;
};

typedef struct artemis_thrift_limits {
  int max_depth;          /* nested struct/list/set/map levels, root struct = 1 (capped at 512) */
  size_t max_elements;    /* values in the whole tree, root included */
  size_t max_binary_len;  /* bytes in one binary value */
} artemis_thrift_limits;

#define ARTEMIS_THRIFT_DEFAULT_MAX_DEPTH 64
#define ARTEMIS_THRIFT_DEFAULT_MAX_ELEMENTS ((size_t)1 << 24)
#define ARTEMIS_THRIFT_DEFAULT_MAX_BINARY_LEN ((size_t)1 << 27)

/* Fills the defaults above. */
void artemis_thrift_limits_init(artemis_thrift_limits* limits);

/* Parses one struct from the start of bytes[0..n). On success *out_root is a STRUCT the
 * caller frees with artemis_thrift_free, and *consumed (if not NULL) is the struct's
 * length in bytes; bytes after it are not looked at. limits NULL = defaults. `mem` is
 * used for every allocation and must outlive the tree. On failure *out_root is NULL. */
int artemis_thrift_parse(const uint8_t* bytes, size_t n, artemis_mem* mem,
                         const artemis_thrift_limits* limits, artemis_thrift_value** out_root,
                         size_t* consumed, artemis_error* error);

/* Frees a tree returned by artemis_thrift_parse (only roots; NULL is a no-op). */
void artemis_thrift_free(artemis_thrift_value* root);

/* "bool", "i8", ... "struct"; "?" for anything else. */
const char* artemis_thrift_kind_name(int kind);

/* Lookups on a STRUCT value. All accept NULL or a non-struct `s` and then find nothing.
 * With duplicate ids the first occurrence wins. */
const artemis_thrift_value* artemis_thrift_field(const artemis_thrift_value* s, int16_t id);
/* The field if present with exactly `kind`, else NULL. */
const artemis_thrift_value* artemis_thrift_field_of_kind(const artemis_thrift_value* s, int16_t id,
                                                         artemis_thrift_kind kind);
/* Typed getters: true and *out set when the field exists with exactly that kind;
 * false (and *out untouched) otherwise. */
bool artemis_thrift_get_bool(const artemis_thrift_value* s, int16_t id, bool* out);
bool artemis_thrift_get_i8(const artemis_thrift_value* s, int16_t id, int8_t* out);
bool artemis_thrift_get_i16(const artemis_thrift_value* s, int16_t id, int16_t* out);
bool artemis_thrift_get_i32(const artemis_thrift_value* s, int16_t id, int32_t* out);
bool artemis_thrift_get_i64(const artemis_thrift_value* s, int16_t id, int64_t* out);
bool artemis_thrift_get_double(const artemis_thrift_value* s, int16_t id, double* out);
bool artemis_thrift_get_binary(const artemis_thrift_value* s, int16_t id, const uint8_t** data,
                               size_t* len);
/* A LIST field whose elements are `elem_kind` (0 = any), else NULL. */
const artemis_thrift_value* artemis_thrift_get_list(const artemis_thrift_value* s, int16_t id,
                                                    artemis_thrift_kind elem_kind);
/* Element i of a LIST or SET, NULL when out of range or not a list. */
const artemis_thrift_value* artemis_thrift_list_at(const artemis_thrift_value* list, size_t i);

/* Appends a one-line JSON rendering of `value` to `out`:
 *   struct  {"1": 5, "4": "name", "10": {"8": {...}}}   (keys are field ids, wire order)
 *   list/set [1, 2]      map [[key, value], ...]      bool true/false
 *   integers and doubles as numbers (non-finite doubles as "NaN", "Infinity", "-Infinity")
 *   binary  a JSON string when it is valid UTF-8 without control characters other than
 *           tab, LF and CR; otherwise {"hex": "00ff..."}.
 * ARTEMIS_OK, ARTEMIS_E_NOMEM (out may then hold a partial rendering), or
 * ARTEMIS_E_INVALID_ARGUMENT. */
int artemis_thrift_to_json(const artemis_thrift_value* value, artemis_buf* out);

#endif
