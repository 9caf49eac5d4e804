#include "ipc/ipc_footer.h"

#include <stdlib.h>
#include <string.h>

#include "core/errors.h"
#include "ipc/flatbuffer_reader.h"
#include "ipc/ipc_array.h"
#include "ipc/ipc_schema.h"

static int invalid(artemis_error* error, int64_t at, const char* what) {
  return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, -1, -1, at, "footer: %s (byte %lld)", what,
                              (long long)at);
}

typedef struct block_span {
  int64_t start;
  int64_t end;
  int64_t index; /* dictionaries first, then record batches */
} block_span;

static int by_start(const void* a, const void* b) {
  const block_span* x = a;
  const block_span* y = b;
  return (x->start > y->start) - (x->start < y->start);
}

static int check_block(const artemis_ipc_block* b, int64_t index, const char* kind, int64_t footer_start,
                       block_span* span, artemis_error* error) {
  int64_t end = 0;
  bool ok = b->offset >= ARTEMIS_IPC_FILE_HEADER_SIZE && b->metadata_length > 0 && b->body_length >= 0 &&
            b->offset <= footer_start && b->metadata_length <= footer_start - b->offset;
  if (ok) {
    end = b->offset + b->metadata_length;
    ok = b->body_length <= footer_start - end;
  }
  if (!ok)
    return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, -1, -1, footer_start,
                                "footer: %s block %lld (offset %lld, metaDataLength %d, bodyLength %lld) does not lie "
                                "between the file header and the footer at byte %lld (byte %lld)",
                                kind, (long long)index, (long long)b->offset, (int)b->metadata_length,
                                (long long)b->body_length, (long long)footer_start, (long long)footer_start);
  span->start = b->offset;
  span->end = end + b->body_length;
  return ARTEMIS_OK;
}

static int check_blocks(const artemis_ipc_footer* footer, int64_t footer_start, artemis_mem* mem,
                        artemis_error* error) {
  int64_t n = footer->n_dictionaries + footer->n_record_batches;
  if (n == 0) return ARTEMIS_OK;
  block_span* spans = artemis_mem_calloc(mem, (size_t)n, sizeof *spans);
  if (!spans) return artemis_set_error(error, ARTEMIS_E_NOMEM, "footer: out of memory checking %lld blocks", (long long)n);
  int rc = ARTEMIS_OK;
  for (int64_t i = 0; i < n && rc == ARTEMIS_OK; i++) {
    bool dict = i < footer->n_dictionaries;
    const artemis_ipc_block* b = dict ? &footer->dictionaries[i] : &footer->record_batches[i - footer->n_dictionaries];
    rc = check_block(b, dict ? i : i - footer->n_dictionaries, dict ? "dictionary" : "record batch", footer_start,
                     &spans[i], error);
    spans[i].index = i;
  }
  if (rc == ARTEMIS_OK) {
    qsort(spans, (size_t)n, sizeof *spans, by_start);
    for (int64_t i = 1; i < n && rc == ARTEMIS_OK; i++)
      if (spans[i].start < spans[i - 1].end)
        rc = artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, -1, -1, footer_start,
                                  "footer: blocks at bytes %lld and %lld overlap (byte %lld)",
                                  (long long)spans[i - 1].start, (long long)spans[i].start, (long long)footer_start);
  }
  artemis_mem_free(mem, spans);
  return rc;
}

int artemis_ipc_footer_read(artemis_ipc_source* src, const artemis_ipc_reader_options* options, artemis_mem* mem,
                            artemis_ipc_footer* out, artemis_error* error) {
  memset(out, 0, sizeof *out);
  int64_t size = src->size;
  if (size < ARTEMIS_IPC_FILE_TRAILER_SIZE) return invalid(error, 0, "file too short to hold a footer");
  uint8_t trailer[ARTEMIS_IPC_FILE_TRAILER_SIZE];
  size_t got;
  int64_t trailer_at = size - ARTEMIS_IPC_FILE_TRAILER_SIZE;
  ARTEMIS_RETURN_NOT_OK(artemis_ipc_source_seek(src, trailer_at, error));
  ARTEMIS_RETURN_NOT_OK(artemis_ipc_source_read(src, trailer, sizeof trailer, &got, error));
  if (got != sizeof trailer) return invalid(error, trailer_at, "file shrank while reading its footer");
  if (memcmp(trailer + 4, "ARROW1", 6) != 0) return invalid(error, trailer_at + 4, "file does not end with ARROW1");
  int32_t footer_len = artemis_load_i32le(trailer);
  if (footer_len <= 0) return invalid(error, trailer_at, "footer length is not positive");
  if (footer_len > trailer_at - ARTEMIS_IPC_FILE_HEADER_SIZE)
    return artemis_set_error_at(error, ARTEMIS_E_INVALID_INPUT, -1, -1, trailer_at,
                                "footer: footer length %d exceeds the %lld-byte file (byte %lld)", (int)footer_len,
                                (long long)size, (long long)trailer_at);
  if (footer_len > options->max_metadata_bytes)
    return artemis_set_error_at(error, ARTEMIS_E_LIMIT, -1, -1, trailer_at,
                                "footer: footer of %d bytes is above max_metadata_bytes (%lld) (byte %lld)",
                                (int)footer_len, (long long)options->max_metadata_bytes, (long long)trailer_at);
  int64_t footer_start = trailer_at - footer_len;
  const uint8_t* bytes;
  void* block;
  ARTEMIS_RETURN_NOT_OK(artemis_ipc_source_seek(src, footer_start, error));
  ARTEMIS_RETURN_NOT_OK(artemis_ipc_source_take(src, footer_len, "footer", &bytes, &block, error));
  int rc = artemis_ipc_decode_footer(mem, bytes, (size_t)footer_len, footer_start, options, out, error);
  artemis_ipc_block_free(src->allocator, block);
  if (rc != ARTEMIS_OK) return rc;
  if (out->version < 0 || out->version > ARTEMIS_IPC_V5) {
    rc = artemis_set_error_at(error, ARTEMIS_E_UNSUPPORTED, -1, -1, footer_start,
                              "footer: unsupported metadata version V%d (V4 and V5 are read) (byte %lld)",
                              out->version + 1, (long long)footer_start);
  }
  if (rc == ARTEMIS_OK) rc = artemis_ipc_schema_check(&out->schema, "footer", footer_start, error);
  if (rc == ARTEMIS_OK) rc = check_blocks(out, footer_start, mem, error);
  if (rc != ARTEMIS_OK) artemis_ipc_footer_free(mem, out);
  else out->start = footer_start;
  return rc;
}

int artemis_ipc_read_footer(const void* data, size_t size, const artemis_ipc_reader_options* options,
                            artemis_mem* mem, artemis_ipc_footer* out, artemis_error* error) {
  artemis_ipc_reader_options defaults;
  if (!options) {
    artemis_ipc_reader_options_init(&defaults);
    options = &defaults;
  }
  artemis_ipc_source src;
  artemis_ipc_source_open_memory(&src, mem->allocator, data, size);
  return artemis_ipc_footer_read(&src, options, mem, out, error);
}
