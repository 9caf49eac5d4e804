/* The canonical 12-column telemetry schema as an Arrow C Data Interface struct schema.
 *
 * Ownership: the parent owns one heap block holding the child ArrowSchema structs and
 * the pointer array. Child format/name strings are string literals, so a child that a
 * consumer moves out stays valid on its own; its release only has to mark it released. */
#include "artemis/sample.h"

#include <stdlib.h>
#include <string.h>

#include "core/errors.h"

#define CANONICAL_FIELD_COUNT 12

typedef struct canonical_field {
  const char* name;
  const char* format;
  int64_t flags;
} canonical_field;

static const canonical_field canonical_fields[CANONICAL_FIELD_COUNT] = {
    {"sample_timestamp_ns", "tsn:", 0},
    {"mission_id", "u", 0},
    {"payload_id", "I", 0},
    {"sensor_kind", "u", 0},
    {"sequence_number", "L", 0},
    {"panel_voltage", "g", 0},
    {"temperature_c", "g", 0},
    {"pressure_kpa", "g", 0},
    {"quality_flag", "C", 0},
    {"archive_uri", "u", 0},
    {"object_path", "u", 0},
    {"notes", "u", ARROW_FLAG_NULLABLE},
};

typedef struct canonical_schema_private {
  struct ArrowSchema children[CANONICAL_FIELD_COUNT];
  struct ArrowSchema* child_pointers[CANONICAL_FIELD_COUNT];
} canonical_schema_private;

static void release_static_child(struct ArrowSchema* schema) {
  schema->release = NULL;
}

static void release_canonical_schema(struct ArrowSchema* schema) {
  canonical_schema_private* owned = (canonical_schema_private*)schema->private_data;
  for (int64_t i = 0; i < CANONICAL_FIELD_COUNT; ++i) {
    struct ArrowSchema* child = &owned->children[i];
    /* A child the consumer moved out has release == NULL here and is no longer ours. */
    if (child->release) child->release(child);
  }
  free(owned);
  schema->private_data = NULL;
  schema->release = NULL;
}

int artemis_sample_schema(struct ArrowSchema* out, artemis_error* error) {
  if (!out)
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                             "artemis_sample_schema: out is NULL");
  canonical_schema_private* owned = (canonical_schema_private*)calloc(1, sizeof *owned);
  if (!owned) {
    return artemis_set_error(error, ARTEMIS_E_NOMEM,
                             "artemis_sample_schema: cannot allocate %zu bytes", sizeof *owned);
  }
  for (int i = 0; i < CANONICAL_FIELD_COUNT; ++i) {
    struct ArrowSchema* child = &owned->children[i];
    child->format = canonical_fields[i].format;
    child->name = canonical_fields[i].name;
    child->metadata = NULL;
    child->flags = canonical_fields[i].flags;
    child->n_children = 0;
    child->children = NULL;
    child->dictionary = NULL;
    child->release = release_static_child;
    child->private_data = NULL;
    owned->child_pointers[i] = child;
  }
  memset(out, 0, sizeof *out);
  out->format = "+s";
  out->name = "";
  out->metadata = NULL;
  out->flags = 0;
  out->n_children = CANONICAL_FIELD_COUNT;
  out->children = owned->child_pointers;
  out->dictionary = NULL;
  out->release = release_canonical_schema;
  out->private_data = owned;
  return ARTEMIS_OK;
}
