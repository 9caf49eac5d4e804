#include "ipc/ipc_schema.h"

#include <stdio.h>
#include <string.h>

#include "core/errors.h"
#include "ipc/ipc_types.h"

/* ---- checking ------------------------------------------------------------------------ */

typedef struct check_ctx {
  const char* where;
  int64_t offset;
  int64_t column;
  char path[256];
  artemis_error* error;
} check_ctx;

static int check_fail(const check_ctx* ctx, int code, const char* what) {
  return artemis_set_error_at(ctx->error, code, ctx->column, -1, ctx->offset,
                              "%s: %s in column %lld \"%s\" (byte %lld)", ctx->where,
                              what, (long long)ctx->column, ctx->path, (long long)ctx->offset);
}

static bool is_unsupported(uint8_t id) {
  switch (id) {
    case ARTEMIS_IPC_TYPE_NULL: case ARTEMIS_IPC_TYPE_INT: case ARTEMIS_IPC_TYPE_FLOAT: case ARTEMIS_IPC_TYPE_BINARY:
    case ARTEMIS_IPC_TYPE_UTF8: case ARTEMIS_IPC_TYPE_BOOL: case ARTEMIS_IPC_TYPE_DECIMAL: case ARTEMIS_IPC_TYPE_DATE:
    case ARTEMIS_IPC_TYPE_TIME: case ARTEMIS_IPC_TYPE_TIMESTAMP: case ARTEMIS_IPC_TYPE_INTERVAL:
    case ARTEMIS_IPC_TYPE_LIST: case ARTEMIS_IPC_TYPE_STRUCT: case ARTEMIS_IPC_TYPE_FIXED_SIZE_BINARY:
    case ARTEMIS_IPC_TYPE_FIXED_SIZE_LIST: case ARTEMIS_IPC_TYPE_MAP: case ARTEMIS_IPC_TYPE_DURATION:
    case ARTEMIS_IPC_TYPE_LARGE_BINARY: case ARTEMIS_IPC_TYPE_LARGE_UTF8: case ARTEMIS_IPC_TYPE_LARGE_LIST:
    case ARTEMIS_IPC_TYPE_BINARY_VIEW: case ARTEMIS_IPC_TYPE_UTF8_VIEW:
      return false;
    default:
      return true;
  }
}

static int64_t children_required(uint8_t id) {
  switch (id) {
    case ARTEMIS_IPC_TYPE_LIST: case ARTEMIS_IPC_TYPE_LARGE_LIST: case ARTEMIS_IPC_TYPE_FIXED_SIZE_LIST:
    case ARTEMIS_IPC_TYPE_MAP:
      return 1;
    case ARTEMIS_IPC_TYPE_STRUCT:
      return -1; /* any number */
    default:
      return 0;
  }
}

static int check_field(check_ctx* ctx, const artemis_ipc_field* f) {
  size_t path_len = strlen(ctx->path);
  char what[160];
  if (is_unsupported(f->type.id)) {
    if (strcmp(artemis_ipc_type_name(&f->type), "unknown") == 0)
      snprintf(what, sizeof what, "unsupported type (unknown type id %d)", (int)f->type.id);
    else
      snprintf(what, sizeof what, "unsupported type %s", artemis_ipc_type_name(&f->type));
    return check_fail(ctx, ARTEMIS_E_UNSUPPORTED, what);
  }
  if (artemis_ipc_type_layout(&f->type).kind == ARTEMIS_IPC_LAYOUT_UNSUPPORTED) {
    snprintf(what, sizeof what, "invalid %s type parameters (bit width %d, unit %d, precision %d, size %d)",
             artemis_ipc_type_name(&f->type), (int)f->type.bit_width, (int)f->type.unit, (int)f->type.precision,
             (int)(f->type.id == ARTEMIS_IPC_TYPE_FIXED_SIZE_LIST ? f->type.list_size : f->type.byte_width));
    return check_fail(ctx, ARTEMIS_E_INVALID_INPUT, what);
  }
  if (f->type.id == ARTEMIS_IPC_TYPE_DECIMAL && f->type.decimal_precision < 1)
    return check_fail(ctx, ARTEMIS_E_INVALID_INPUT, "decimal precision below 1");
  int64_t want = children_required(f->type.id);
  if (want >= 0 && f->n_children != want) {
    snprintf(what, sizeof what, "type %s has %lld children, it needs %lld", artemis_ipc_type_name(&f->type),
             (long long)f->n_children, (long long)want);
    return check_fail(ctx, ARTEMIS_E_INVALID_INPUT, what);
  }
  if (f->type.id == ARTEMIS_IPC_TYPE_MAP) {
    const artemis_ipc_field* entries = &f->children[0];
    if (entries->type.id != ARTEMIS_IPC_TYPE_STRUCT || entries->n_children != 2 || entries->dictionary_encoded)
      return check_fail(ctx, ARTEMIS_E_INVALID_INPUT, "map entries are not a struct of key and value");
  }
  if (f->dictionary_encoded && artemis_ipc_index_layout(f->index_bit_width).kind == ARTEMIS_IPC_LAYOUT_UNSUPPORTED) {
    snprintf(what, sizeof what, "dictionary index bit width %d (8, 16, 32 or 64)", (int)f->index_bit_width);
    return check_fail(ctx, ARTEMIS_E_INVALID_INPUT, what);
  }
  for (int64_t i = 0; i < f->n_children; i++) {
    const artemis_ipc_field* child = &f->children[i];
    snprintf(ctx->path + path_len, sizeof ctx->path - path_len, ".%s", child->name);
    ARTEMIS_RETURN_NOT_OK(check_field(ctx, child));
    ctx->path[path_len] = '\0';
  }
  return ARTEMIS_OK;
}

int artemis_ipc_schema_check(const artemis_ipc_schema* schema, const char* where, int64_t offset,
                             artemis_error* error) {
  check_ctx ctx;
  ctx.where = where;
  ctx.offset = offset;
  ctx.error = error;
  for (int64_t i = 0; i < schema->n_fields; i++) {
    ctx.column = i;
    snprintf(ctx.path, sizeof ctx.path, "%s", schema->fields[i].name);
    ARTEMIS_RETURN_NOT_OK(check_field(&ctx, &schema->fields[i]));
  }
  return ARTEMIS_OK;
}

static bool same_type(const artemis_ipc_type* a, const artemis_ipc_type* b) {
  char fa[128], fb[128];
  size_t na = artemis_ipc_type_format(a, fa, sizeof fa);
  size_t nb = artemis_ipc_type_format(b, fb, sizeof fb);
  return na == nb && strcmp(fa, fb) == 0;
}

bool artemis_ipc_same_value_type(const artemis_ipc_field* a, const artemis_ipc_field* b) {
  if (!same_type(&a->type, &b->type) || a->n_children != b->n_children) return false;
  for (int64_t i = 0; i < a->n_children; i++) {
    const artemis_ipc_field* ca = &a->children[i];
    const artemis_ipc_field* cb = &b->children[i];
    if (ca->dictionary_encoded != cb->dictionary_encoded) return false;
    if (ca->dictionary_encoded && (ca->dictionary_id != cb->dictionary_id || ca->index_bit_width != cb->index_bit_width ||
                                   ca->index_signed != cb->index_signed))
      return false;
    if (!artemis_ipc_same_value_type(ca, cb)) return false;
  }
  return true;
}

/* ---- export -------------------------------------------------------------------------- */

size_t artemis_ipc_metadata_encode(const artemis_ipc_kv* kvs, int64_t n, uint8_t* out) {
  size_t size = 4;
  int32_t count = (int32_t)n;
  if (out) memcpy(out, &count, 4);
  for (int64_t i = 0; i < n; i++) {
    int32_t lens[2] = {(int32_t)kvs[i].key_len, (int32_t)kvs[i].value_len};
    const char* bytes[2] = {kvs[i].key, kvs[i].value};
    for (int k = 0; k < 2; k++) {
      if (out) {
        memcpy(out + size, &lens[k], 4);
        if (lens[k]) memcpy(out + size + 4, bytes[k], (size_t)lens[k]);
      }
      size += 4 + (size_t)lens[k];
    }
  }
  return size;
}

/* Everything one exported node owns, in one block: this header, the child pointers, the
 * child structs, the dictionary struct, then the format, name and metadata bytes. */
typedef struct schema_node {
  const artemis_allocator* allocator;
} schema_node;

#define ALIGN8(n) (((n) + 7) & ~(size_t)7)

static void release_schema(struct ArrowSchema* s) {
  if (!s || !s->release) return;
  for (int64_t i = 0; i < s->n_children; i++)
    if (s->children[i]->release) s->children[i]->release(s->children[i]);
  if (s->dictionary && s->dictionary->release) s->dictionary->release(s->dictionary);
  schema_node* node = s->private_data;
  node->allocator->free(node->allocator->ctx, node);
  s->release = NULL;
}

typedef struct node_spec {
  const char* format;
  size_t format_len;
  const char* name;
  const artemis_ipc_kv* metadata;
  int64_t n_metadata;
  int64_t flags;
  int64_t n_children;
  bool has_dictionary;
} node_spec;

static int new_node(const artemis_allocator* allocator, const node_spec* spec, struct ArrowSchema* out,
                    artemis_error* error) {
  size_t name_len = strlen(spec->name);
  size_t meta_len = spec->n_metadata > 0 ? artemis_ipc_metadata_encode(spec->metadata, spec->n_metadata, NULL) : 0;
  size_t n_children = (size_t)spec->n_children;
  size_t size = ALIGN8(sizeof(schema_node));
  size_t ptrs_at = size;
  size += ALIGN8(n_children * sizeof(struct ArrowSchema*));
  size_t children_at = size;
  size += n_children * sizeof(struct ArrowSchema);
  size_t dict_at = size;
  if (spec->has_dictionary) size += sizeof(struct ArrowSchema);
  size_t format_at = size;
  size += spec->format_len + 1;
  size_t name_at = size;
  size += name_len + 1;
  size_t meta_at = size;
  size += meta_len;
  uint8_t* block = allocator->alloc(allocator->ctx, size);
  if (!block) return artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory exporting the schema");
  memset(block, 0, size);
  ((schema_node*)block)->allocator = allocator;
  memcpy(block + format_at, spec->format, spec->format_len);
  memcpy(block + name_at, spec->name, name_len);
  if (meta_len) artemis_ipc_metadata_encode(spec->metadata, spec->n_metadata, block + meta_at);
  struct ArrowSchema** ptrs = (struct ArrowSchema**)(void*)(block + ptrs_at);
  struct ArrowSchema* children = (struct ArrowSchema*)(void*)(block + children_at);
  for (size_t i = 0; i < n_children; i++) ptrs[i] = &children[i];
  memset(out, 0, sizeof *out);
  out->format = (const char*)(block + format_at);
  out->name = (const char*)(block + name_at);
  out->metadata = meta_len ? (const char*)(block + meta_at) : NULL;
  out->flags = spec->flags;
  out->n_children = spec->n_children;
  out->children = n_children ? ptrs : NULL;
  out->dictionary = spec->has_dictionary ? (struct ArrowSchema*)(void*)(block + dict_at) : NULL;
  out->release = release_schema;
  out->private_data = block;
  return ARTEMIS_OK;
}

static int export_children(const artemis_ipc_field* f, const artemis_allocator* allocator, struct ArrowSchema* out,
                           artemis_error* error);

/* The value-type node: the field itself, or the dictionary of a dictionary-encoded field. */
static int export_value(const artemis_ipc_field* f, const artemis_allocator* allocator, const char* name,
                        const artemis_ipc_kv* metadata, int64_t n_metadata, int64_t flags, struct ArrowSchema* out,
                        artemis_error* error) {
  size_t len = artemis_ipc_type_format(&f->type, NULL, 0);
  char small[64];
  char* format = small;
  if (len >= sizeof small) {
    format = allocator->alloc(allocator->ctx, len + 1);
    if (!format) return artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory exporting the schema");
  }
  artemis_ipc_type_format(&f->type, format, len + 1);
  if (f->type.id == ARTEMIS_IPC_TYPE_MAP && f->type.keys_sorted) flags |= ARROW_FLAG_MAP_KEYS_SORTED;
  node_spec spec = {format, len, name, metadata, n_metadata, flags, f->n_children, false};
  int rc = new_node(allocator, &spec, out, error);
  if (format != small) allocator->free(allocator->ctx, format);
  if (rc == ARTEMIS_OK) rc = export_children(f, allocator, out, error);
  return rc;
}

static int export_field(const artemis_ipc_field* f, const artemis_allocator* allocator, struct ArrowSchema* out,
                        artemis_error* error) {
  int64_t flags = f->nullable ? ARROW_FLAG_NULLABLE : 0;
  if (!f->dictionary_encoded) return export_value(f, allocator, f->name, f->metadata, f->n_metadata, flags, out, error);
  if (f->dictionary_ordered) flags |= ARROW_FLAG_DICTIONARY_ORDERED;
  const char* index_format = artemis_ipc_index_format(f->index_bit_width, f->index_signed);
  node_spec spec = {index_format, strlen(index_format), f->name, f->metadata, f->n_metadata, flags, 0, true};
  ARTEMIS_RETURN_NOT_OK(new_node(allocator, &spec, out, error));
  /* Dictionary values may be null whatever the field says (the corpus has such). */
  return export_value(f, allocator, "", NULL, 0, ARROW_FLAG_NULLABLE, out->dictionary, error);
}

static int export_children(const artemis_ipc_field* f, const artemis_allocator* allocator, struct ArrowSchema* out,
                           artemis_error* error) {
  for (int64_t i = 0; i < f->n_children; i++)
    ARTEMIS_RETURN_NOT_OK(export_field(&f->children[i], allocator, out->children[i], error));
  return ARTEMIS_OK;
}

int artemis_ipc_schema_export(const artemis_ipc_schema* schema, const artemis_allocator* allocator,
                              struct ArrowSchema* out, artemis_error* error) {
  node_spec spec = {"+s", 2, "", schema->metadata, schema->n_metadata, 0, schema->n_fields, false};
  ARTEMIS_RETURN_NOT_OK(new_node(allocator, &spec, out, error));
  for (int64_t i = 0; i < schema->n_fields; i++) {
    int rc = export_field(&schema->fields[i], allocator, out->children[i], error);
    if (rc != ARTEMIS_OK) {
      out->release(out);
      return rc;
    }
  }
  return ARTEMIS_OK;
}
