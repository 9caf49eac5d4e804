/* acceptance.schema: the canonical Artemis schema of the briefing's table, as an ArrowSchema.
 *
 * Checks that
 *   1. the schema built in acceptance_common.c (from the briefing's table) is what the sample
 *      generator produces: same fields, order, Arrow formats and nullability, so every
 *      acceptance test can open its writer with it and feed it generated batches;
 *   2. the writer accepts it with the briefing's preset and writes generated batches, and the
 *      summary's per-column physical types and data-page encodings are the briefing's
 *      (the independent footer check is acceptance.footer_encodings, via DuckDB);
 *   3. the generator's batches fit the schema: the non-nullable columns have no nulls, and the
 *      nullable `notes` column has some nulls and some values (it is the fallback column).
 * usage: acceptance_schema_test OUTPUT_DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "acceptance.h"

static int failures;

#define CHECK(cond, ...)                \
  do {                                  \
    if (!(cond)) {                      \
      fprintf(stderr, "FAIL: ");        \
      fprintf(stderr, __VA_ARGS__);     \
      fputc('\n', stderr);              \
      failures++;                       \
    }                                   \
  } while (0)

/* Parquet physical type (parquet.thrift Type) each briefing Arrow type must map to. */
static int expected_physical(const char* arrow_format) {
  if (!strcmp(arrow_format, "tsn:") || !strcmp(arrow_format, "L")) return 2;  /* INT64 */
  if (!strcmp(arrow_format, "I") || !strcmp(arrow_format, "C")) return 1;     /* INT32 */
  if (!strcmp(arrow_format, "g")) return 5;                                   /* DOUBLE */
  if (!strcmp(arrow_format, "u")) return 6;                                   /* BYTE_ARRAY */
  return -1;
}

/* parquet.thrift Encoding of the data pages for a briefing encoding. */
static uint32_t expected_data_page_encoding(artemis_column_encoding e) {
  switch (e) {
    case ARTEMIS_ENCODING_DELTA_BINARY_PACKED: return 1u << 5;
    case ARTEMIS_ENCODING_DELTA_BYTE_ARRAY: return 1u << 7;
    case ARTEMIS_ENCODING_BYTE_STREAM_SPLIT: return 1u << 9;
    case ARTEMIS_ENCODING_DICTIONARY: return 1u << 8; /* RLE_DICTIONARY */
    default: return 0;
  }
}

static void check_against_generator(const struct ArrowSchema* mine) {
  struct ArrowSchema gen;
  artemis_error err;
  int rc = artemis_sample_schema(&gen, &err);
  if (rc) acc_die("artemis_sample_schema", rc, &err);
  CHECK(!strcmp(gen.format, "+s"), "generator schema format %s, expected +s", gen.format);
  CHECK(gen.n_children == ACC_NCOLS, "generator schema has %lld fields, the briefing's table %d",
        (long long)gen.n_children, ACC_NCOLS);
  for (int64_t i = 0; i < gen.n_children && i < ACC_NCOLS; i++) {
    const struct ArrowSchema* g = gen.children[i];
    const struct ArrowSchema* m = mine->children[i];
    CHECK(!strcmp(g->name, m->name), "field %lld: generator \"%s\", briefing \"%s\"", (long long)i, g->name, m->name);
    CHECK(!strcmp(g->format, m->format), "field %s: generator format \"%s\", briefing %s = \"%s\"", m->name, g->format,
          acc_columns[i].arrow_type, m->format);
    CHECK((g->flags & ARROW_FLAG_NULLABLE) == (m->flags & ARROW_FLAG_NULLABLE), "field %s: generator nullable=%d, briefing %d",
          m->name, !!(g->flags & ARROW_FLAG_NULLABLE), !!(m->flags & ARROW_FLAG_NULLABLE));
    CHECK(g->dictionary == NULL && g->n_children == 0, "field %s: generator gives a nested/dictionary type", m->name);
  }
  gen.release(&gen);
  printf("generator schema == briefing schema: %d fields checked\n", ACC_NCOLS);
}

static void check_written(const char* dir) {
  struct ArrowSchema schema;
  acc_canonical_schema(&schema);
  char path[4096];
  snprintf(path, sizeof path, "%s/schema.parquet", dir);
  acc_remove_outputs(path);

  artemis_writer_options o;
  artemis_writer_options_init(&o);
  artemis_writer_options_use_artemis_preset(&o);
  o.row_group_target_bytes = 8ll << 20; /* several row groups */
  o.durable = 0;
  artemis_writer* w;
  artemis_error err;
  int rc = artemis_writer_open(&w, path, &schema, &o, &err);
  if (rc) acc_die("open with the canonical schema", rc, &err);

  artemis_sample* sample = acc_open_sample(200000);
  int64_t nulls[ACC_NCOLS] = {0}, rows = 0;
  struct ArrowArray batch;
  while ((rc = artemis_sample_next(sample, &batch, &err)) == ARTEMIS_OK) {
    CHECK(batch.n_children == ACC_NCOLS, "batch has %lld children", (long long)batch.n_children);
    for (int c = 0; c < ACC_NCOLS && c < batch.n_children; c++) {
      const struct ArrowArray* a = batch.children[c];
      const uint8_t* valid = a->n_buffers > 0 ? a->buffers[0] : NULL;
      for (int64_t r = 0; r < batch.length; r++) {
        int64_t i = a->offset + batch.offset + r;
        if (valid && !((valid[i >> 3] >> (i & 7)) & 1)) nulls[c]++;
      }
    }
    rows += batch.length;
    rc = artemis_writer_write(w, &batch, &err);
    batch.release(&batch);
    if (rc) acc_die("write a generated batch", rc, &err);
  }
  if (rc != ARTEMIS_E_END_OF_STREAM) acc_die("artemis_sample_next", rc, &err);
  artemis_sample_close(sample);
  artemis_write_summary* s;
  rc = artemis_writer_close(w, &s, &err);
  if (rc) acc_die("close", rc, &err);

  CHECK(s->rows == rows && rows == 200000, "summary rows %lld, generated %lld", (long long)s->rows, (long long)rows);
  CHECK(s->column_count == ACC_NCOLS, "summary has %zu columns", s->column_count);
  CHECK(s->row_groups >= 2, "expected several row groups, got %lld", (long long)s->row_groups);
  for (size_t c = 0; c < s->column_count && c < ACC_NCOLS; c++) {
    const artemis_column_summary* cs = &s->columns[c];
    const acc_column* want = &acc_columns[c];
    CHECK(!strcmp(cs->name, want->name), "column %zu: %s, expected %s", c, cs->name, want->name);
    CHECK(cs->physical_type == expected_physical(want->arrow_format), "column %s: physical type %d, expected %d", want->name,
          cs->physical_type, expected_physical(want->arrow_format));
    uint32_t enc = expected_data_page_encoding(want->briefing_encoding);
    /* A dictionary column may add PLAIN data pages after a fallback (briefing: notes "falls
     * back to plain"); every other column must use exactly its encoding. */
    uint32_t allowed = enc | (want->briefing_encoding == ARTEMIS_ENCODING_DICTIONARY ? 1u : 0u);
    CHECK((cs->data_page_encodings & enc) && !(cs->data_page_encodings & ~allowed),
          "column %s: data page encodings %#x, expected %s (%#x)", want->name, cs->data_page_encodings,
          artemis_column_encoding_name(want->briefing_encoding), enc);
    CHECK(cs->null_count == nulls[c], "column %s: summary null_count %lld, generated %lld", want->name,
          (long long)cs->null_count, (long long)nulls[c]);
    if (!want->nullable) CHECK(nulls[c] == 0, "non-nullable column %s: generator produced %lld nulls", want->name, (long long)nulls[c]);
    else CHECK(nulls[c] > 0 && nulls[c] < rows, "nullable column %s: %lld nulls in %lld rows (want some of both)",
               want->name, (long long)nulls[c], (long long)rows);
    printf("  %-20s %-28s nullable=%d physical=%d data_page_encodings=%#05x nulls=%lld\n", want->name, want->arrow_type,
           want->nullable, cs->physical_type, cs->data_page_encodings, (long long)nulls[c]);
  }
  printf("wrote %s: %lld rows, %lld row groups, %lld bytes\n", path, (long long)s->rows, (long long)s->row_groups,
         (long long)s->file_bytes);
  artemis_write_summary_free(s);
  schema.release(&schema);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  mkdir(argv[1], 0777);
  struct ArrowSchema mine;
  acc_canonical_schema(&mine);
  CHECK(mine.n_children == ACC_NCOLS, "canonical schema has %lld fields", (long long)mine.n_children);
  check_against_generator(&mine);
  mine.release(&mine);
  check_written(argv[1]);
  if (failures) {
    fprintf(stderr, "acceptance.schema: %d check(s) failed\n", failures);
    return 1;
  }
  printf("acceptance.schema: PASS\n");
  return 0;
}
