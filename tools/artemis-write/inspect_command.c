/* `artemis-write inspect FILE.parquet [--json]`: what an operator asks first about a
 * Parquet file (ours or anyone's): row groups, per column chunk the codec, encodings,
 * sizes, page counts and statistics.
 *
 * The footer and page headers are decoded with the library's bounded Thrift reader, so a
 * damaged file is an error naming the byte offset, never a crash. Page counts come from
 * walking the page headers of each chunk, not from the page index (which may be absent). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core/buffer.h"
#include "core/memory.h"
#include "thrift/compact_reader.h"

/* parquet.thrift field ids used here. */
enum { FMD_SCHEMA = 2, FMD_NUM_ROWS = 3, FMD_ROW_GROUPS = 4, FMD_KEY_VALUE = 5, FMD_CREATED_BY = 6 };
enum { SE_TYPE = 1, SE_TYPE_LENGTH = 2, SE_REPETITION = 3, SE_NAME = 4, SE_NUM_CHILDREN = 5, SE_CONVERTED = 6,
       SE_SCALE = 7, SE_PRECISION = 8, SE_LOGICAL = 10 };
enum { RG_COLUMNS = 1, RG_TOTAL_BYTE_SIZE = 2, RG_NUM_ROWS = 3, RG_TOTAL_COMPRESSED = 6 };
enum { CC_META = 3 };
enum { CMD_TYPE = 1, CMD_ENCODINGS = 2, CMD_PATH = 3, CMD_CODEC = 4, CMD_NUM_VALUES = 5, CMD_UNCOMPRESSED = 6,
       CMD_COMPRESSED = 7, CMD_DATA_PAGE_OFFSET = 9, CMD_DICTIONARY_PAGE_OFFSET = 11, CMD_STATISTICS = 12 };
enum { ST_MAX = 1, ST_MIN = 2, ST_NULL_COUNT = 3, ST_MAX_VALUE = 5, ST_MIN_VALUE = 6 };
enum { PH_TYPE = 1, PH_COMPRESSED_SIZE = 3 };
enum { PAGE_DATA = 0, PAGE_INDEX = 1, PAGE_DICTIONARY = 2, PAGE_DATA_V2 = 3 };

static const char* physical_name(int64_t t) {
  static const char* const names[] = {"BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY",
                                      "FIXED_LEN_BYTE_ARRAY"};
  return t >= 0 && t < 8 ? names[t] : "UNKNOWN";
}

static const char* codec_name(int64_t c) {
  static const char* const names[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"};
  return c >= 0 && c < 8 ? names[c] : "UNKNOWN";
}

static const char* repetition_name(int64_t r) {
  return r == 0 ? "REQUIRED" : r == 1 ? "OPTIONAL" : r == 2 ? "REPEATED" : "?";
}

static const char* logical_name(const artemis_thrift_value* logical) {
  static const char* const names[] = {NULL, "STRING", "MAP", "LIST", "ENUM", "DECIMAL", "DATE", "TIME", "TIMESTAMP",
                                      NULL, "INTEGER", "UNKNOWN", "JSON", "BSON", "UUID", "FLOAT16", "VARIANT",
                                      "GEOMETRY", "GEOGRAPHY"};
  if (!logical || logical->kind != ARTEMIS_THRIFT_STRUCT || logical->as.strct.count == 0) return NULL;
  int16_t id = logical->as.strct.fields[0].id;
  return id > 0 && id < (int16_t)(sizeof names / sizeof names[0]) ? names[id] : NULL;
}

typedef struct inspect_file {
  int fd;
  const char* path;
  int64_t size;
  artemis_mem mem;
} inspect_file;

static int read_at(inspect_file* f, int64_t offset, void* out, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = pread(f->fd, (uint8_t*)out + done, n - done, (off_t)(offset + (int64_t)done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    done += (size_t)r;
  }
  return 0;
}

/* Counts the pages of one column chunk by walking its page headers. -1 on damage. */
static int count_pages(inspect_file* f, int64_t start, int64_t total, int64_t* dictionary_pages, int64_t* data_pages,
                       int64_t* bad_offset) {
  *dictionary_pages = *data_pages = 0;
  if (start < 4 || total < 0 || start > f->size || total > f->size - start) {
    *bad_offset = start;
    return -1;
  }
  int64_t at = start, end = start + total;
  artemis_buf window;
  artemis_buf_init(&window, &f->mem);
  int rc = 0;
  while (at < end) {
    size_t want = 256;
    artemis_thrift_value* header = NULL;
    for (;;) {
      if ((int64_t)want > end - at) want = (size_t)(end - at);
      artemis_buf_clear(&window);
      if (artemis_buf_reserve(&window, want) != ARTEMIS_OK || read_at(f, at, window.data, want) != 0) {
        rc = -1;
        break;
      }
      size_t consumed = 0;
      int status = artemis_thrift_parse(window.data, want, &f->mem, NULL, &header, &consumed, NULL);
      if (status == ARTEMIS_OK) {
        int32_t type = -1, compressed = -1;
        artemis_thrift_get_i32(header, PH_TYPE, &type);
        artemis_thrift_get_i32(header, PH_COMPRESSED_SIZE, &compressed);
        artemis_thrift_free(header);
        if (compressed < 0) {
          rc = -1;
          break;
        }
        if (type == PAGE_DICTIONARY) (*dictionary_pages)++;
        else if (type == PAGE_DATA || type == PAGE_DATA_V2) (*data_pages)++;
        at += (int64_t)consumed + compressed;
        break;
      }
      if (status != ARTEMIS_E_NEED_MORE || (int64_t)want >= end - at || want >= ((size_t)64 << 20)) {
        rc = -1;
        break;
      }
      want *= 4;
    }
    if (rc != 0) break;
  }
  if (rc == 0 && at != end) rc = -1;
  if (rc != 0) *bad_offset = at;
  artemis_buf_free(&window);
  return rc;
}

/* A statistics value in the column's physical type, rendered for people (and JSON). */
static void print_stat_value(FILE* out, int json, int64_t physical, int64_t converted, const uint8_t* p, size_t n) {
  int is_unsigned = converted >= 11 && converted <= 14; /* UINT_8 .. UINT_64 */
  char text[64];
  text[0] = '\0';
  if (physical == 0 && n == 1) {
    snprintf(text, sizeof text, "%s", p[0] ? "true" : "false");
  } else if (physical == 1 && n == 4) {
    int32_t v;
    memcpy(&v, p, 4);
    if (is_unsigned) snprintf(text, sizeof text, "%" PRIu32, (uint32_t)v);
    else snprintf(text, sizeof text, "%" PRId32, v);
  } else if (physical == 2 && n == 8) {
    int64_t v;
    memcpy(&v, p, 8);
    if (is_unsigned) snprintf(text, sizeof text, "%" PRIu64, (uint64_t)v);
    else snprintf(text, sizeof text, "%" PRId64, v);
  } else if (physical == 4 && n == 4) {
    float v;
    memcpy(&v, p, 4);
    snprintf(text, sizeof text, "%.9g", (double)v);
  } else if (physical == 5 && n == 8) {
    double v;
    memcpy(&v, p, 8);
    snprintf(text, sizeof text, "%.17g", v);
  }
  if (text[0]) {
    int numeric = physical != 0 && strspn(text, "0123456789-+.e") == strlen(text);
    if (json && !numeric) fprintf(out, "\"%s\"", text);
    else fputs(text, out);
    return;
  }
  int printable = physical == 6 && cli_utf8_valid(p, n);
  for (size_t i = 0; i < n && printable; i++) printable = p[i] >= 0x20 && p[i] != 0x7f;
  if (printable) {
    if (json) cli_json_bytes_as_string(out, p, n);
    else fprintf(out, "\"%.*s\"", (int)(n > 40 ? 40 : n), (const char*)p);
    if (!json && n > 40) fputs("...", out);
    return;
  }
  fputs(json ? "\"0x" : "0x", out);
  for (size_t i = 0; i < n && (json || i < 32); i++) fprintf(out, "%02x", p[i]);
  if (!json && n > 32) fputs("...", out);
  if (json) fputc('"', out);
}

static void print_encodings(FILE* out, const artemis_thrift_value* list, int json) {
  if (json) fputc('[', out);
  for (size_t i = 0; list && i < list->as.list.count; i++) {
    const artemis_thrift_value* e = artemis_thrift_list_at(list, i);
    const char* name = artemis_parquet_encoding_name((int)e->as.integer);
    if (json) fprintf(out, "%s\"%s\"", i ? "," : "", name);
    else fprintf(out, "%s%s", i ? "," : "", name);
  }
  if (json) fputc(']', out);
}

static int inspect(inspect_file* f, int json, FILE* out) {
  uint8_t tail[8];
  if (f->size < 12 || read_at(f, f->size - 8, tail, 8) != 0 || memcmp(tail + 4, "PAR1", 4) != 0) {
    fprintf(stderr, "artemis-write: inspect: %s is not a Parquet file (no PAR1 footer magic at byte %" PRId64
                    "; an interrupted write leaves a file without a footer)\n",
            f->path, f->size >= 4 ? f->size - 4 : 0);
    return EXIT_INPUT;
  }
  uint32_t footer_len;
  memcpy(&footer_len, tail, 4);
  if ((int64_t)footer_len > f->size - 12) {
    fprintf(stderr, "artemis-write: inspect: %s: footer length %" PRIu32 " exceeds the file (%" PRId64 " bytes)\n",
            f->path, footer_len, f->size);
    return EXIT_INPUT;
  }
  int64_t footer_at = f->size - 8 - footer_len;
  artemis_buf footer;
  artemis_buf_init(&footer, &f->mem);
  if (artemis_buf_reserve(&footer, footer_len ? footer_len : 1) != ARTEMIS_OK || read_at(f, footer_at, footer.data, footer_len) != 0) {
    artemis_buf_free(&footer);
    fprintf(stderr, "artemis-write: inspect: %s: cannot read the %" PRIu32 "-byte footer\n", f->path, footer_len);
    return EXIT_IO;
  }
  artemis_thrift_value* meta = NULL;
  artemis_error err;
  int status = artemis_thrift_parse(footer.data, footer_len, &f->mem, NULL, &meta, NULL, &err);
  artemis_buf_free(&footer);
  if (status != ARTEMIS_OK) {
    fprintf(stderr, "artemis-write: inspect: %s: footer is not valid Thrift at byte %" PRId64 ": %s\n", f->path,
            footer_at + (err.offset > 0 ? err.offset : 0), err.message);
    return EXIT_INPUT;
  }
  int64_t num_rows = 0;
  artemis_thrift_get_i64(meta, FMD_NUM_ROWS, &num_rows);
  const uint8_t* created_by = NULL;
  size_t created_by_len = 0;
  artemis_thrift_get_binary(meta, FMD_CREATED_BY, &created_by, &created_by_len);
  const artemis_thrift_value* schema = artemis_thrift_get_list(meta, FMD_SCHEMA, ARTEMIS_THRIFT_STRUCT);
  const artemis_thrift_value* groups = artemis_thrift_get_list(meta, FMD_ROW_GROUPS, ARTEMIS_THRIFT_STRUCT);
  const artemis_thrift_value* kvs = artemis_thrift_get_list(meta, FMD_KEY_VALUE, ARTEMIS_THRIFT_STRUCT);
  size_t ngroups = groups ? groups->as.list.count : 0;
  size_t nschema = schema ? schema->as.list.count : 0;
  if (!schema || nschema == 0) {
    artemis_thrift_free(meta);
    fprintf(stderr, "artemis-write: inspect: %s: footer has no schema\n", f->path);
    return EXIT_INPUT;
  }

  /* Leaf schema elements, in column order (flat schemas: every element after the root). */
  int exit_code = 0;
  if (json) {
    fprintf(out, "{\"file\":");
    cli_json_string(out, f->path);
    fprintf(out, ",\"file_bytes\":%" PRId64 ",\"footer_bytes\":%" PRIu32 ",\"created_by\":", f->size, footer_len);
    if (created_by) cli_json_bytes_as_string(out, created_by, created_by_len);
    else fputs("null", out);
    fprintf(out, ",\"rows\":%" PRId64 ",\"schema\":[", num_rows);
  } else {
    fprintf(out, "file         %s\nsize         %" PRId64 " bytes (footer %" PRIu32 ")\ncreated_by   %.*s\n"
                 "rows         %" PRId64 "\nrow groups   %zu\n",
            f->path, f->size, footer_len, (int)created_by_len, created_by ? (const char*)created_by : "",
            num_rows, ngroups);
    fprintf(out, "\nschema (%zu leaves)\n", nschema - 1);
  }
  for (size_t i = 1; i < nschema; i++) {
    const artemis_thrift_value* e = artemis_thrift_list_at(schema, i);
    int32_t type = -1, repetition = -1, converted = -1, type_length = -1, scale = -1, precision = -1, children = 0;
    const uint8_t* name = NULL;
    size_t name_len = 0;
    artemis_thrift_get_i32(e, SE_TYPE, &type);
    artemis_thrift_get_i32(e, SE_REPETITION, &repetition);
    artemis_thrift_get_i32(e, SE_CONVERTED, &converted);
    artemis_thrift_get_i32(e, SE_TYPE_LENGTH, &type_length);
    artemis_thrift_get_i32(e, SE_SCALE, &scale);
    artemis_thrift_get_i32(e, SE_PRECISION, &precision);
    artemis_thrift_get_i32(e, SE_NUM_CHILDREN, &children);
    artemis_thrift_get_binary(e, SE_NAME, &name, &name_len);
    const char* logical = logical_name(artemis_thrift_field(e, SE_LOGICAL));
    if (json) {
      fprintf(out, "%s{\"name\":", i > 1 ? "," : "");
      if (name) cli_json_bytes_as_string(out, name, name_len);
      else fputs("null", out);
      fprintf(out, ",\"physical_type\":\"%s\",\"repetition\":\"%s\",\"logical_type\":%s%s%s", physical_name(type),
              repetition_name(repetition), logical ? "\"" : "", logical ? logical : "null", logical ? "\"" : "");
      if (type_length >= 0) fprintf(out, ",\"type_length\":%d", (int)type_length);
      if (precision >= 0) fprintf(out, ",\"precision\":%d,\"scale\":%d", (int)precision, (int)scale);
      fputc('}', out);
    } else {
      fprintf(out, "  %-28.*s %-22s %-9s %s", (int)name_len, name ? (const char*)name : "", physical_name(type),
              repetition_name(repetition), logical ? logical : "");
      if (precision >= 0) fprintf(out, "(%d, %d)", (int)precision, (int)scale);
      if (type_length >= 0) fprintf(out, " [%d bytes]", (int)type_length);
      if (children > 0) fprintf(out, " group of %d", (int)children);
      fputc('\n', out);
    }
  }
  if (json) fprintf(out, "],\"key_value_metadata\":[");
  else if (kvs && kvs->as.list.count) fprintf(out, "\nkey/value metadata (%zu)\n", kvs->as.list.count);
  for (size_t i = 0; kvs && i < kvs->as.list.count; i++) {
    const artemis_thrift_value* kv = artemis_thrift_list_at(kvs, i);
    const uint8_t *k = NULL, *v = NULL;
    size_t kl = 0, vl = 0;
    artemis_thrift_get_binary(kv, 1, &k, &kl);
    int has_value = artemis_thrift_get_binary(kv, 2, &v, &vl);
    if (json) {
      fprintf(out, "%s{\"key\":", i ? "," : "");
      cli_json_bytes_as_string(out, k ? k : (const uint8_t*)"", kl);
      fprintf(out, ",\"value\":");
      if (has_value) cli_json_bytes_as_string(out, v, vl);
      else fputs("null", out);
      fputc('}', out);
    } else {
      fprintf(out, "  %.*s = %.*s%s\n", (int)kl, k ? (const char*)k : "", (int)(vl > 60 ? 60 : vl),
              has_value ? (const char*)v : "", vl > 60 ? "..." : "");
    }
  }
  if (json) fprintf(out, "],\"row_groups\":[");

  /* Column chunks follow the leaves of the schema tree (elements without children). */
  size_t* leaves = artemis_mem_calloc(&f->mem, nschema, sizeof *leaves);
  size_t nleaves = 0;
  for (size_t i = 1; leaves && i < nschema; i++) {
    int32_t children = 0;
    artemis_thrift_get_i32(artemis_thrift_list_at(schema, i), SE_NUM_CHILDREN, &children);
    if (children <= 0) leaves[nleaves++] = i;
  }

  for (size_t g = 0; g < ngroups; g++) {
    const artemis_thrift_value* rg = artemis_thrift_list_at(groups, g);
    int64_t rows = 0, total_bytes = 0, total_compressed = -1;
    artemis_thrift_get_i64(rg, RG_NUM_ROWS, &rows);
    artemis_thrift_get_i64(rg, RG_TOTAL_BYTE_SIZE, &total_bytes);
    artemis_thrift_get_i64(rg, RG_TOTAL_COMPRESSED, &total_compressed);
    const artemis_thrift_value* chunks = artemis_thrift_get_list(rg, RG_COLUMNS, ARTEMIS_THRIFT_STRUCT);
    size_t nchunks = chunks ? chunks->as.list.count : 0;
    if (json) {
      fprintf(out, "%s{\"index\":%zu,\"rows\":%" PRId64 ",\"total_byte_size\":%" PRId64 ",\"total_compressed_size\":%" PRId64
                   ",\"columns\":[",
              g ? "," : "", g, rows, total_bytes, total_compressed);
    } else {
      fprintf(out, "\nrow group %zu: %" PRId64 " rows, %" PRId64 " bytes uncompressed", g, rows, total_bytes);
      if (total_compressed >= 0) fprintf(out, ", %" PRId64 " compressed", total_compressed);
      fprintf(out, "\n  %-24s %-6s %-44s %5s %5s %12s %12s %8s  %s\n", "column", "codec", "encodings", "dict", "data",
              "compressed", "uncompressed", "nulls", "min .. max");
    }
    for (size_t c = 0; c < nchunks; c++) {
      const artemis_thrift_value* md = artemis_thrift_field_of_kind(artemis_thrift_list_at(chunks, c), CC_META,
                                                                    ARTEMIS_THRIFT_STRUCT);
      int32_t type = -1, codec = -1;
      int64_t num_values = 0, uncompressed = 0, compressed = 0, data_offset = -1, dict_offset = -1;
      artemis_thrift_get_i32(md, CMD_TYPE, &type);
      artemis_thrift_get_i32(md, CMD_CODEC, &codec);
      artemis_thrift_get_i64(md, CMD_NUM_VALUES, &num_values);
      artemis_thrift_get_i64(md, CMD_UNCOMPRESSED, &uncompressed);
      artemis_thrift_get_i64(md, CMD_COMPRESSED, &compressed);
      artemis_thrift_get_i64(md, CMD_DATA_PAGE_OFFSET, &data_offset);
      artemis_thrift_get_i64(md, CMD_DICTIONARY_PAGE_OFFSET, &dict_offset);
      const artemis_thrift_value* path = artemis_thrift_get_list(md, CMD_PATH, ARTEMIS_THRIFT_BINARY);
      const artemis_thrift_value* encodings = artemis_thrift_get_list(md, CMD_ENCODINGS, ARTEMIS_THRIFT_I32);
      const artemis_thrift_value* stats = artemis_thrift_field_of_kind(md, CMD_STATISTICS, ARTEMIS_THRIFT_STRUCT);
      int32_t converted = -1;
      if (c < nleaves) artemis_thrift_get_i32(artemis_thrift_list_at(schema, leaves[c]), SE_CONVERTED, &converted);
      int64_t start = dict_offset > 0 && dict_offset < data_offset ? dict_offset : data_offset;
      int64_t dict_pages = 0, data_pages = 0, bad_at = -1;
      int pages_ok = md && count_pages(f, start, compressed, &dict_pages, &data_pages, &bad_at) == 0;
      if (!pages_ok && exit_code == 0) {
        fprintf(stderr, "artemis-write: inspect: %s: row group %zu column %zu: page headers are damaged at byte %" PRId64 "\n",
                f->path, g, c, bad_at);
        exit_code = EXIT_INPUT;
      }
      int64_t null_count = -1;
      const uint8_t *min = NULL, *max = NULL;
      size_t min_len = 0, max_len = 0;
      if (stats) {
        artemis_thrift_get_i64(stats, ST_NULL_COUNT, &null_count);
        if (!artemis_thrift_get_binary(stats, ST_MIN_VALUE, &min, &min_len)) min = NULL;
        if (!artemis_thrift_get_binary(stats, ST_MAX_VALUE, &max, &max_len)) max = NULL;
      }
      const artemis_thrift_value* first = path ? artemis_thrift_list_at(path, 0) : NULL;
      if (json) {
        fprintf(out, "%s{\"path\":", c ? "," : "");
        if (first) cli_json_bytes_as_string(out, first->as.binary.data, first->as.binary.len);
        else fputs("null", out);
        fprintf(out, ",\"physical_type\":\"%s\",\"codec\":\"%s\",\"encodings\":", physical_name(type), codec_name(codec));
        print_encodings(out, encodings, 1);
        fprintf(out, ",\"num_values\":%" PRId64 ",\"compressed_bytes\":%" PRId64 ",\"uncompressed_bytes\":%" PRId64,
                num_values, compressed, uncompressed);
        if (pages_ok) fprintf(out, ",\"dictionary_pages\":%" PRId64 ",\"data_pages\":%" PRId64, dict_pages, data_pages);
        else fputs(",\"dictionary_pages\":null,\"data_pages\":null", out);
        fputs(",\"statistics\":", out);
        if (!stats) {
          fputs("null", out);
        } else {
          fputc('{', out);
          if (null_count >= 0) fprintf(out, "\"null_count\":%" PRId64, null_count);
          else fputs("\"null_count\":null", out);
          fputs(",\"min\":", out);
          if (min) print_stat_value(out, 1, type, converted, min, min_len);
          else fputs("null", out);
          fputs(",\"max\":", out);
          if (max) print_stat_value(out, 1, type, converted, max, max_len);
          else fputs("null", out);
          fputc('}', out);
        }
        fputc('}', out);
      } else {
        fprintf(out, "  %-24.*s %-6s ", first ? (int)first->as.binary.len : 1, first ? (const char*)first->as.binary.data : "?",
                codec_name(codec));
        char enc_text[256];
        FILE* mem = fmemopen(enc_text, sizeof enc_text, "w");
        if (mem) {
          print_encodings(mem, encodings, 0);
          fclose(mem);
          enc_text[sizeof enc_text - 1] = '\0';
        } else {
          enc_text[0] = '\0';
        }
        fprintf(out, "%-44s ", enc_text);
        if (pages_ok) fprintf(out, "%5" PRId64 " %5" PRId64 " ", dict_pages, data_pages);
        else fprintf(out, "%5s %5s ", "?", "?");
        fprintf(out, "%12" PRId64 " %12" PRId64 " ", compressed, uncompressed);
        if (null_count >= 0) fprintf(out, "%8" PRId64 "  ", null_count);
        else fprintf(out, "%8s  ", "-");
        if (min && max) {
          print_stat_value(out, 0, type, converted, min, min_len);
          fputs(" .. ", out);
          print_stat_value(out, 0, type, converted, max, max_len);
        } else {
          fputs("-", out);
        }
        fputc('\n', out);
      }
    }
    if (json) fputs("]}", out);
  }
  if (json) fputs("]}\n", out);
  artemis_mem_free(&f->mem, leaves);
  artemis_thrift_free(meta);
  return exit_code;
}

int cli_inspect_command(int argc, char** argv) {
  const char* path = NULL;
  int json = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--json")) json = 1;
    else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      printf("usage: artemis-write inspect FILE.parquet [--json]\n"
             "Prints the row groups and, per column chunk, codec, encodings, page counts, sizes and statistics.\n");
      return 0;
    } else if (argv[i][0] == '-') {
      fprintf(stderr, "artemis-write: inspect: unknown option %s (see artemis-write inspect --help)\n", argv[i]);
      return EXIT_USAGE;
    } else if (path) {
      fprintf(stderr, "artemis-write: inspect: more than one file given (%s and %s)\n", path, argv[i]);
      return EXIT_USAGE;
    } else {
      path = argv[i];
    }
  }
  if (!path) {
    fprintf(stderr, "artemis-write: inspect: no file given (usage: artemis-write inspect FILE.parquet [--json])\n");
    return EXIT_USAGE;
  }
  inspect_file f;
  memset(&f, 0, sizeof f);
  f.path = path;
  f.fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (f.fd < 0 || fstat(f.fd, &st) != 0) {
    fprintf(stderr, "artemis-write: inspect: cannot open %s: %s\n", path, strerror(errno));
    if (f.fd >= 0) close(f.fd);
    return EXIT_IO;
  }
  if (!S_ISREG(st.st_mode)) {
    fprintf(stderr, "artemis-write: inspect: %s is not a regular file\n", path);
    close(f.fd);
    return EXIT_INPUT;
  }
  f.size = (int64_t)st.st_size;
  artemis_mem_init(&f.mem, NULL);
  int rc = inspect(&f, json, stdout);
  close(f.fd);
  if (fflush(stdout) != 0 && rc == 0) rc = EXIT_IO;
  return rc;
}
