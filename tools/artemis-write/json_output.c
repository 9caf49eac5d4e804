/* JSON output of the CLI: string escaping and the write summary. */
#include <inttypes.h>

#include "cli.h"

int cli_utf8_valid(const uint8_t* p, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = p[i];
    size_t extra;
    uint32_t cp, min;
    if (c < 0x80) { i++; continue; }
    if ((c & 0xE0) == 0xC0) { extra = 1; cp = c & 0x1Fu; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { extra = 2; cp = c & 0x0Fu; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { extra = 3; cp = c & 0x07u; min = 0x10000; }
    else return 0;
    if (n - i <= extra) return 0;
    for (size_t k = 1; k <= extra; k++) {
      if ((p[i + k] & 0xC0) != 0x80) return 0;
      cp = (cp << 6) | (p[i + k] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0; /* overlong, out of range, surrogate */
    i += extra + 1;
  }
  return 1;
}

void cli_json_bytes_as_string(FILE* f, const uint8_t* p, size_t len) {
  if (!cli_utf8_valid(p, len)) {
    /* JSON text must be UTF-8: other bytes are shown as hex, as inspect shows binary. */
    fputs("\"0x", f);
    for (size_t i = 0; i < len; i++) fprintf(f, "%02x", p[i]);
    fputc('"', f);
    return;
  }
  fputc('"', f);
  for (size_t i = 0; i < len; i++) {
    unsigned char c = p[i];
    if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
    else if (c < 0x20 || c == 0x7f) fprintf(f, "\\u%04x", c);
    else fputc(c, f);
  }
  fputc('"', f);
}

void cli_json_string(FILE* f, const char* s) {
  size_t n = 0;
  while (s[n]) n++;
  cli_json_bytes_as_string(f, (const uint8_t*)s, n);
}

static void encodings_array(FILE* f, uint32_t mask) {
  fputc('[', f);
  int first = 1;
  for (int e = 0; e < 32; e++) {
    if (!(mask & (1u << e))) continue;
    fprintf(f, "%s\"%s\"", first ? "" : ",", artemis_parquet_encoding_name(e));
    first = 0;
  }
  fputc(']', f);
}

void cli_write_summary_json(FILE* f, const artemis_write_summary* s, double seconds, const artemis_ipc_reader_info* in) {
  fprintf(f, "{\"path\":");
  cli_json_string(f, s->path);
  fprintf(f, ",\"rows\":%" PRId64 ",\"row_groups\":%" PRId64 ",\"compressed_bytes\":%" PRId64
             ",\"uncompressed_bytes\":%" PRId64 ",\"file_bytes\":%" PRId64 ",\"seconds\":%.3f"
             ",\"threads\":%d,\"writer_peak_bytes\":%" PRId64,
          s->rows, s->row_groups, s->compressed_bytes, s->uncompressed_bytes, s->file_bytes, seconds, s->threads,
          s->memory_peak_bytes);
  if (s->stale_inprogress_replaced) fprintf(f, ",\"stale_inprogress_replaced\":%d", s->stale_inprogress_replaced);
  if (in) {
    fprintf(f, ",\"input\":{\"format\":\"%s\",\"metadata_version\":%d,\"legacy_framing\":%s,\"big_endian\":%s,"
               "\"messages\":%" PRId64 ",\"batches\":%" PRId64 ",\"bytes\":%" PRId64 "}",
            in->format == ARTEMIS_IPC_FORMAT_FILE ? "file" : "stream", in->metadata_version,
            in->legacy_framing ? "true" : "false", in->big_endian ? "true" : "false", in->messages_read,
            in->batches_read, in->bytes_read);
  }
  fprintf(f, ",\"columns\":[");
  for (size_t c = 0; c < s->column_count; c++) {
    const artemis_column_summary* col = &s->columns[c];
    fprintf(f, "%s{\"name\":", c ? "," : "");
    cli_json_string(f, col->name);
    fprintf(f, ",\"encodings\":");
    encodings_array(f, col->encodings);
    fprintf(f, ",\"data_page_encodings\":");
    encodings_array(f, col->data_page_encodings);
    fprintf(f, ",\"dictionary_fallbacks\":%" PRId64 ",\"null_count\":%" PRId64 ",\"compressed_bytes\":%" PRId64
               ",\"uncompressed_bytes\":%" PRId64 ",\"data_pages\":%" PRId64 "}",
            col->dictionary_fallbacks, col->null_count, col->compressed_bytes, col->uncompressed_bytes, col->data_pages);
  }
  fprintf(f, "]}\n");
}
