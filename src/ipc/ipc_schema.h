/* The decoded IPC schema, checked and exported as a C Data Interface ArrowSchema. */
#ifndef ARTEMIS_IPC_SCHEMA_H
#define ARTEMIS_IPC_SCHEMA_H

#include <stdbool.h>
#include <stdint.h>

#include "artemis/alloc.h"
#include "artemis/arrow_c.h"
#include "artemis/error.h"
#include "ipc/ipc_metadata.h"

/* Checks every field of `schema`: the types we read (others are ARTEMIS_E_UNSUPPORTED,
 * "<where>: unsupported type <name> in column <i> "<path>" (byte <b>)"), their
 * parameters and child counts, and dictionary index types (ARTEMIS_E_INVALID_INPUT).
 * `where` ("message 0", "footer") and `offset` say where the schema came from. */
int artemis_ipc_schema_check(const artemis_ipc_schema* schema, const char* where, int64_t offset,
                             artemis_error* error);

/* Exports `schema` as a "+s" ArrowSchema with one child per field, allocated through
 * `allocator` (which must outlive it); the caller releases it. */
int artemis_ipc_schema_export(const artemis_ipc_schema* schema, const artemis_allocator* allocator,
                              struct ArrowSchema* out, artemis_error* error);

/* Encodes key/value pairs in the C Data Interface metadata layout (int32 count, then
 * int32 length + bytes for each key and value, native byte order). Returns the size;
 * writes only when `out` is not NULL. */
size_t artemis_ipc_metadata_encode(const artemis_ipc_kv* kvs, int64_t n, uint8_t* out);

/* True when fields `a` and `b` have the same value type, children included (the check
 * for fields that share one dictionary id). */
bool artemis_ipc_same_value_type(const artemis_ipc_field* a, const artemis_ipc_field* b);

#endif
