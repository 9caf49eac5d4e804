/* Writes the interop cases checked by verify.mjs: for each case <name>.parquet (our
 * writer), <name>.values.jsonl (the expected values, straight from the Arrow arrays we
 * built) and <name>.expected.json (schema + metadata expectations).
 *
 * usage: interop_gen_cases OUTPUT_DIR [--canonical-only ROWS | --acceptance-roundtrip ROWS] */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "artemis/artemis.h"
#include "support/canonical_child.h"
#include "support/table_builder.h"
#include "support/test_random.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t next_u64(void) { return splitmix64(&rng_state); }
static int64_t rand_range(int64_t lo, int64_t hi) { return lo + (int64_t)(next_u64() % (uint64_t)(hi - lo + 1)); }

static const char* out_dir;
static int64_t canonical_rows = 300000;
static int failures;

static void die(const char* what, int rc, const artemis_error* err) {
  fprintf(stderr, "interop_gen_cases: %s: %s (%s)\n", what, err ? err->message : "", artemis_status_name(rc));
  exit(1);
}

typedef struct case_events {
  int fallbacks;
  int flushed;
} case_events;

static void count_events(const artemis_event* ev, void* payload) {
  case_events* c = payload;
  if (ev->kind == ARTEMIS_EVENT_DICTIONARY_FALLBACK) c->fallbacks++;
  if (ev->kind == ARTEMIS_EVENT_ROW_GROUP_FLUSHED) c->flushed++;
}

/* ---- a table of every supported type ---------------------------------------------- */

enum { NCOLS_ALL = 30 };

static const struct {
  const char* name;
  const char* format;
} kAllTypes[NCOLS_ALL] = {
    {"bool", "b"}, {"int8", "c"}, {"int16", "s"}, {"int32", "i"}, {"int64", "l"},
    {"uint8", "C"}, {"uint16", "S"}, {"uint32", "I"}, {"uint64", "L"}, {"float16", "e"},
    {"float32", "f"}, {"float64", "g"}, {"utf8", "u"}, {"large_utf8", "U"}, {"binary", "z"},
    {"large_binary", "Z"}, {"fixed16", "w:16"}, {"date32", "tdD"}, {"date64", "tdm"}, {"time32s", "tts"},
    {"time32ms", "ttm"}, {"time64us", "ttu"}, {"time64ns", "ttn"}, {"ts_s", "tss:"}, {"ts_ms_utc", "tsm:UTC"},
    {"ts_us", "tsu:"}, {"ts_ns_tz", "tsn:Europe/Paris"}, {"dec9", "d:9,2"}, {"dec18", "d:18,4"}, {"dec38", "d:38,10"},
};

static const char* kStrings[] = {"", "a", "alpha", "Zulu", "\xc3\xa9t\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
                                 "\xf0\x9f\x9a\x80 rocket", "tab\there", "quote\"and\\backslash", "zzzz"};

static void append_value(tb_col* c, const char* format, int64_t row, int allow_extremes) {
  int pick = (int)(next_u64() % 16);
  int extreme = allow_extremes && pick < 3;
  char buf[300];
  switch (format[0]) {
    case 'b': tb_bool(c, (int)(next_u64() & 1)); return;
    case 'c': tb_int(c, extreme ? (pick == 0 ? -128 : 127) : rand_range(-100, 100)); return;
    case 's': tb_int(c, extreme ? (pick == 0 ? -32768 : 32767) : rand_range(-3000, 3000)); return;
    case 'i': tb_int(c, extreme ? (pick == 0 ? INT32_MIN : INT32_MAX) : rand_range(-100000, 100000)); return;
    case 'l': tb_int(c, extreme ? (pick == 0 ? INT64_MIN : INT64_MAX) : rand_range(-5000000000ll, 5000000000ll)); return;
    case 'C': tb_uint(c, extreme ? (pick == 0 ? 0 : 255) : (uint64_t)rand_range(0, 255)); return;
    case 'S': tb_uint(c, extreme ? (pick == 0 ? 0 : 65535) : (uint64_t)rand_range(0, 65535)); return;
    case 'I': tb_uint(c, extreme ? (pick == 0 ? 0 : UINT32_MAX) : (uint64_t)rand_range(0, 4000000000ll)); return;
    case 'L': tb_uint(c, extreme ? (pick == 0 ? 0 : UINT64_MAX) : next_u64()); return;
    case 'e': {
      static const uint16_t specials[] = {0x7e00 /* NaN */, 0x8000 /* -0 */, 0x7c00 /* inf */, 0x3c00 /* 1 */};
      tb_f16_bits(c, extreme ? specials[pick] : (uint16_t)(0x3000 + rand_range(0, 0x0fff)));
      return;
    }
    case 'f': {
      float specials[] = {NAN, -0.0f, INFINITY};
      tb_f32(c, extreme ? specials[pick] : (float)rand_range(-100000, 100000) / 7.0f);
      return;
    }
    case 'g': {
      double specials[] = {NAN, -0.0, -INFINITY};
      tb_f64(c, extreme ? specials[pick] : (double)rand_range(-1000000, 1000000) / 3.0);
      return;
    }
    case 'u': case 'U': case 'z': case 'Z': {
      int binary = format[0] == 'z' || format[0] == 'Z';
      if (binary && extreme) {
        uint8_t raw[5] = {0x00, 0xff, 0x00, 0x80, 0xfe};
        tb_bytes(c, raw, (size_t)(pick + 2));
      } else if (extreme) {
        /* long strings: exercise statistics truncation (> 64 bytes) */
        size_t len = 70 + (size_t)(next_u64() % 150);
        for (size_t i = 0; i < len; i++) buf[i] = (char)('a' + (i + (size_t)row) % 26);
        if (pick == 1) memcpy(buf + 62, "\xc3\xa9\xc3\xa9", 4); /* a multibyte char at the cut */
        tb_bytes(c, buf, len);
      } else {
        const char* s = kStrings[next_u64() % (sizeof kStrings / sizeof kStrings[0])];
        snprintf(buf, sizeof buf, "%s-%lld", s, (long long)(next_u64() % 50));
        tb_str(c, buf);
      }
      return;
    }
    case 'v': /* utf8_view / binary_view: the same values as utf8 / binary */
      append_value(c, format[1] == 'u' ? "u" : "z", row, allow_extremes);
      return;
    case 'w': {
      uint8_t raw[16];
      for (int i = 0; i < 16; i++) raw[i] = (uint8_t)(extreme ? (pick == 0 ? 0x00 : 0xff) : next_u64());
      tb_bytes(c, raw, 16);
      return;
    }
    case 't': {
      if (!strcmp(format, "tdD")) tb_int(c, extreme ? (pick == 0 ? -719162 : 2932896) : rand_range(-20000, 30000));
      else if (!strcmp(format, "tdm")) tb_int(c, 86400000ll * (extreme ? (pick == 0 ? -719162 : 2932896) : rand_range(-20000, 30000)));
      else if (!strcmp(format, "tts")) tb_int(c, rand_range(0, 86399));
      else if (!strcmp(format, "ttm")) tb_int(c, rand_range(0, 86399999));
      else if (!strcmp(format, "ttu")) tb_int(c, rand_range(0, 86399999999ll));
      else if (!strcmp(format, "ttn")) tb_int(c, rand_range(0, 86399999999999ll));
      else if (format[2] == 's') tb_int(c, rand_range(-2000000000ll, 4000000000ll));
      else if (format[2] == 'm') tb_int(c, rand_range(-2000000000000ll, 4000000000000ll));
      else if (format[2] == 'u') tb_int(c, rand_range(-2000000000000000ll, 4000000000000000ll));
      else tb_int(c, rand_range(-2000000000000000000ll, 4000000000000000000ll));
      return;
    }
    case 'd': {
      if (!strcmp(format, "d:9,2")) {
        int64_t v = extreme ? (pick == 0 ? -999999999 : 999999999) : rand_range(-99999999, 99999999);
        tb_decimal(c, v < 0 ? -1 : 0, (uint64_t)v);
      } else if (!strcmp(format, "d:18,4")) {
        int64_t v = extreme ? (pick == 0 ? -999999999999999999ll : 999999999999999999ll) : rand_range(-1000000000000ll, 1000000000000ll);
        tb_decimal(c, v < 0 ? -1 : 0, (uint64_t)v);
      } else {
        /* 10^38 - 1 = 0x4B3B4CA85A86C47A098A223FFFFFFFFF */
        if (extreme && pick == 0) tb_decimal(c, (int64_t)0x4B3B4CA85A86C47Aull, 0x098A223FFFFFFFFFull);
        else if (extreme) tb_decimal(c, ~(int64_t)0x4B3B4CA85A86C47Aull, ~0x098A223FFFFFFFFFull + 1);
        else {
          int64_t hi = rand_range(-1000000, 1000000);
          tb_decimal(c, hi, next_u64());
        }
      }
      return;
    }
  }
  fprintf(stderr, "no generator for %s\n", format);
  exit(1);
}

static FILE* open_case_file(const char* name, const char* suffix) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s%s", out_dir, name, suffix);
  FILE* f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
    exit(1);
  }
  return f;
}

/* Also removes what an earlier (possibly crashed) run of this program left behind. */
static void parquet_path(const char* name, char* out, size_t cap) {
  snprintf(out, cap, "%s/%s.parquet", out_dir, name);
  remove(out);
  char stale[4200];
  snprintf(stale, sizeof stale, "%s.inprogress", out);
  remove(stale);
}

/* Writes a case from generated columns: `batches` batches of `rows_per_batch` rows with
 * `null_every` (0 = none) nulls in nullable columns; batch 1 is sliced (offset 3) when it
 * has rows. */
typedef struct case_spec {
  const char* name;
  int ncols;
  const char* const* names;
  const char* const* formats;
  const int* nullable;
  int batches;
  int rows_per_batch;
  int null_percent;       /* per nullable column */
  int all_null;
  const artemis_writer_options* options;
  const char* metadata_json;
  int expect_fallback;
} case_spec;

static void write_case(const case_spec* spec) {
  tb_col* cols[64];
  for (int i = 0; i < spec->ncols; i++) cols[i] = tb_col_new(spec->names[i], spec->formats[i], spec->nullable[i]);
  struct ArrowSchema schema;
  tb_schema(cols, (size_t)spec->ncols, &schema);
  char path[4096];
  parquet_path(spec->name, path, sizeof path);
  artemis_writer_options options = *spec->options;
  case_events events = {0, 0};
  options.on_event = count_events;
  options.event_payload = &events;
  artemis_writer* w;
  artemis_error err;
  int rc = artemis_writer_open(&w, path, &schema, &options, &err);
  if (rc) die(spec->name, rc, &err);
  schema.release(&schema);
  FILE* values = open_case_file(spec->name, ".values.jsonl");
  int64_t total = 0;
  for (int b = 0; b < spec->batches; b++) {
    int rows = b == 2 ? 0 : spec->rows_per_batch; /* the third batch is empty */
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < spec->ncols; i++) {
        int is_null = spec->nullable[i] && (spec->all_null || (int)(next_u64() % 100) < spec->null_percent);
        if (is_null) tb_null(cols[i]);
        else append_value(cols[i], spec->formats[i], r, 1);
      }
    }
    int64_t skip = (b == 1 && rows > 3) ? 3 : 0;
    struct ArrowArray batch;
    tb_batch(cols, (size_t)spec->ncols, skip, &batch, values);
    total += rows - skip;
    rc = artemis_writer_write(w, &batch, &err);
    batch.release(&batch);
    if (rc) die(spec->name, rc, &err);
  }
  fclose(values);
  artemis_write_summary* summary;
  rc = artemis_writer_close(w, &summary, &err);
  if (rc) die(spec->name, rc, &err);
  FILE* expected = open_case_file(spec->name, ".expected.json");
  tb_write_expected_json(cols, (size_t)spec->ncols, total, spec->metadata_json, expected);
  fclose(expected);
  printf("%-22s rows=%-7lld row_groups=%lld bytes=%lld fallbacks=%d\n", spec->name, (long long)summary->rows,
         (long long)summary->row_groups, (long long)summary->file_bytes, events.fallbacks);
  if (summary->rows != total) {
    fprintf(stderr, "%s: summary rows %lld != %lld\n", spec->name, (long long)summary->rows, (long long)total);
    failures++;
  }
  if (spec->expect_fallback && events.fallbacks == 0) {
    fprintf(stderr, "%s: expected a dictionary_fallback event, got none\n", spec->name);
    failures++;
  }
  if (events.flushed != summary->row_groups) {
    fprintf(stderr, "%s: %d row_group_flushed events for %lld row groups\n", spec->name, events.flushed,
            (long long)summary->row_groups);
    failures++;
  }
  artemis_write_summary_free(summary);
  for (int i = 0; i < spec->ncols; i++) tb_col_free(cols[i]);
}

static void all_types_case(const char* name, int nullable_all, artemis_column_encoding encoding, int null_percent,
                           int all_null, int64_t row_group_bytes, const char* metadata) {
  const char* names[NCOLS_ALL];
  const char* formats[NCOLS_ALL];
  int nullable[NCOLS_ALL];
  artemis_column_option map[NCOLS_ALL];
  for (int i = 0; i < NCOLS_ALL; i++) {
    names[i] = kAllTypes[i].name;
    formats[i] = kAllTypes[i].format;
    nullable[i] = nullable_all || (i % 3 != 0);
    map[i] = (artemis_column_option){kAllTypes[i].name, encoding, 0};
    if (encoding == ARTEMIS_ENCODING_DICTIONARY && !strcmp(formats[i], "b")) map[i].encoding = ARTEMIS_ENCODING_PLAIN;
  }
  artemis_writer_options o;
  artemis_writer_options_init(&o);
  o.row_group_target_bytes = row_group_bytes;
  o.columns = map;
  o.column_count = NCOLS_ALL;
  case_spec spec = {name, NCOLS_ALL, names, formats, nullable, 4, 1500, null_percent, all_null, &o, metadata, 0};
  write_case(&spec);
}

/* Every type with the adaptive strategy on three worker threads: small samples and row
 * groups, so chunks choose differently and some dictionaries are trial-encoded with nulls. */
static void adaptive_types_case(void) {
  const char* names[NCOLS_ALL];
  const char* formats[NCOLS_ALL];
  int nullable[NCOLS_ALL];
  for (int i = 0; i < NCOLS_ALL; i++) {
    names[i] = kAllTypes[i].name;
    formats[i] = kAllTypes[i].format;
    nullable[i] = i % 3 != 0;
  }
  artemis_writer_options o;
  artemis_writer_options_init(&o);
  o.row_group_target_bytes = 64 * 1024;
  o.encoding_strategy = ARTEMIS_ENCODING_STRATEGY_ADAPTIVE;
  o.adaptive_sample_rows = 500;
  o.threads = 3;
  case_spec spec = {"types_adaptive_threads", NCOLS_ALL, names, formats, nullable, 4, 1500, 15, 0, &o,
                    "{\"columns\": {\"int64\": {\"stats\": true}, \"utf8\": {\"stats\": true}, "
                    "\"float64\": {\"stats\": true}, \"dec38\": {\"stats\": true}}}",
                    0};
  write_case(&spec);
}

/* DBP / BSS / DLBA / DBA on every type they apply to, with small pages (many page
 * boundaries: DELTA_BYTE_ARRAY must restart its prefix at each page). */
static void delta_case(void) {
  static const char* names[] = {"i8_dbp", "i16_dbp", "i32_dbp", "i64_dbp", "u8_dbp", "u16_dbp", "u32_dbp", "u64_dbp",
                                "date_dbp", "ts_dbp", "time_dbp", "dec_dbp", "f32_bss", "f64_bss", "s_dlba",
                                "b_dlba", "s_dba", "ls_dba", "b_dba"};
  static const char* formats[] = {"c", "s", "i", "l", "C", "S", "I", "L", "tdD", "tsn:", "ttu", "d:18,4", "f", "g",
                                  "u", "z", "u", "U", "Z"};
  enum { N = sizeof names / sizeof names[0] };
  int nullable[N];
  artemis_column_option map[N];
  for (int i = 0; i < N; i++) {
    nullable[i] = i % 2;
    artemis_column_encoding e = ARTEMIS_ENCODING_DELTA_BINARY_PACKED;
    if (strstr(names[i], "bss")) e = ARTEMIS_ENCODING_BYTE_STREAM_SPLIT;
    if (strstr(names[i], "dlba")) e = ARTEMIS_ENCODING_DELTA_LENGTH_BYTE_ARRAY;
    if (strstr(names[i], "_dba")) e = ARTEMIS_ENCODING_DELTA_BYTE_ARRAY;
    map[i] = (artemis_column_option){names[i], e, 0};
  }
  artemis_writer_options o;
  artemis_writer_options_init(&o);
  o.row_group_target_bytes = 256 * 1024;
  o.data_page_target_bytes = 2048;
  o.data_page_max_rows = 700;
  o.columns = map;
  o.column_count = N;
  char meta[8192];
  int k = snprintf(meta, sizeof meta, "{\"columns\": {");
  for (int i = 0; i < N; i++) {
    const char* enc = artemis_column_encoding_name(map[i].encoding);
    k += snprintf(meta + k, sizeof meta - (size_t)k,
                  "%s\"%s\": {\"codec\": \"ZSTD\", \"encodings_include\": [\"%s\"], \"encodings_exclude\": "
                  "[\"RLE_DICTIONARY\", \"PLAIN_DICTIONARY\"], \"stats\": true}",
                  i ? ", " : "", names[i], enc);
  }
  snprintf(meta + k, sizeof meta - (size_t)k, "}}");
  case_spec spec = {"delta_encodings", N, names, formats, nullable, 4, 3000, 10, 0, &o, meta, 0};
  write_case(&spec);
}

/* utf8_view / binary_view input (the table builder makes views as producers do: short
 * values inline, long ones in two data buffers, garbage views in null slots), under the
 * default, PLAIN, DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY encodings. */
static void view_case(void) {
  static const char* names[] = {"s_view", "b_view", "s_view_plain", "s_view_dlba", "s_view_dba", "b_view_dba"};
  static const char* formats[] = {"vu", "vz", "vu", "vu", "vu", "vz"};
  static const artemis_column_encoding encodings[] = {
      ARTEMIS_ENCODING_DEFAULT, ARTEMIS_ENCODING_DEFAULT, ARTEMIS_ENCODING_PLAIN, ARTEMIS_ENCODING_DELTA_LENGTH_BYTE_ARRAY,
      ARTEMIS_ENCODING_DELTA_BYTE_ARRAY, ARTEMIS_ENCODING_DELTA_BYTE_ARRAY};
  enum { N = sizeof names / sizeof names[0] };
  int nullable[N];
  artemis_column_option map[N];
  for (int i = 0; i < N; i++) {
    nullable[i] = i != 2;
    map[i] = (artemis_column_option){names[i], encodings[i], 0};
  }
  artemis_writer_options o;
  artemis_writer_options_init(&o);
  o.row_group_target_bytes = 128 * 1024;
  o.data_page_target_bytes = 4096;
  o.columns = map;
  o.column_count = N;
  const char* meta =
      "{\"columns\": {\"s_view\": {\"codec\": \"ZSTD\", \"encodings_include\": [\"RLE_DICTIONARY\"], \"stats\": true}, "
      "\"b_view\": {\"stats\": true}, "
      "\"s_view_plain\": {\"encodings_exclude\": [\"RLE_DICTIONARY\"], \"stats\": true}, "
      "\"s_view_dlba\": {\"encodings_include\": [\"DELTA_LENGTH_BYTE_ARRAY\"], \"stats\": true}, "
      "\"s_view_dba\": {\"encodings_include\": [\"DELTA_BYTE_ARRAY\"], \"stats\": true}, "
      "\"b_view_dba\": {\"encodings_include\": [\"DELTA_BYTE_ARRAY\"], \"stats\": true}}}";
  case_spec spec = {"view_types", N, names, formats, nullable, 4, 2500, 12, 0, &o, meta, 0};
  write_case(&spec);
}

static void fallback_case(void) {
  static const char* names[] = {"id", "note", "big"};
  static const char* formats[] = {"l", "u", "l"};
  static const int nullable[] = {0, 1, 1};
  artemis_writer_options o;
  artemis_writer_options_init(&o);
  o.dictionary_limit_bytes = 4096;
  o.row_group_target_bytes = 200 * 1024;
  const char* meta =
      "{\"columns\": {\"note\": {\"encodings_include\": [\"RLE_DICTIONARY\", \"PLAIN\"], \"stats\": true},"
      " \"big\": {\"encodings_include\": [\"RLE_DICTIONARY\", \"PLAIN\"], \"stats\": true}}}";
  case_spec spec = {"dictionary_fallback", 3, names, formats, nullable, 4, 4000, 20, 0, &o, meta, 1};
  write_case(&spec);
}

/* Arrow dictionary-encoded input arrays (written as their values), with null indices and
 * null dictionary entries. */
static void dictionary_input_case(void) {
  const char* name = "dictionary_arrays";
  tb_col* d1 = tb_col_new("v", "u", 1);
  const char* words[] = {"mercury", "venus", "earth", "", "mars", "\xc3\xa9toile"};
  for (int i = 0; i < 6; i++) tb_str(d1, words[i]);
  tb_null(d1);
  tb_col* d2 = tb_col_new("v", "l", 1);
  for (int i = 0; i < 20; i++) tb_int(d2, i * 1000003ll - 7);
  tb_null(d2);
  tb_col* d3 = tb_col_new("v", "u", 0);
  for (int i = 0; i < 300; i++) {
    char b[32];
    snprintf(b, sizeof b, "key-%03d", i);
    tb_str(d3, b);
  }
  tb_col* d4 = tb_col_new("v", "vu", 1); /* dictionary<utf8_view> */
  const char* long_words[] = {"a moon of saturn, with methane lakes", "io", "europa's ocean under the ice", ""};
  for (int i = 0; i < 4; i++) tb_str(d4, long_words[i]);
  tb_null(d4);
  tb_col* cols[4] = {tb_col_new_dict("planet", "c", d1, 1), tb_col_new_dict("code", "s", d2, 1),
                     tb_col_new_dict("key", "I", d3, 0), tb_col_new_dict("moon", "i", d4, 1)};
  struct ArrowSchema schema;
  tb_schema(cols, 4, &schema);
  char path[4096];
  parquet_path(name, path, sizeof path);
  artemis_writer* w;
  artemis_error err;
  int rc = artemis_writer_open(&w, path, &schema, NULL, &err);
  if (rc) die(name, rc, &err);
  schema.release(&schema);
  FILE* values = open_case_file(name, ".values.jsonl");
  int64_t total = 0;
  for (int b = 0; b < 3; b++) {
    for (int r = 0; r < 500; r++) {
      if (next_u64() % 10 == 0) tb_null(cols[0]); else tb_int(cols[0], (int64_t)(next_u64() % 7));
      if (next_u64() % 10 == 0) tb_null(cols[1]); else tb_int(cols[1], (int64_t)(next_u64() % 21));
      tb_int(cols[2], (int64_t)(next_u64() % 300));
      if (next_u64() % 10 == 0) tb_null(cols[3]); else tb_int(cols[3], (int64_t)(next_u64() % 5));
    }
    struct ArrowArray batch;
    tb_batch(cols, 4, 0, &batch, values);
    total += 500;
    rc = artemis_writer_write(w, &batch, &err);
    batch.release(&batch);
    if (rc) die(name, rc, &err);
  }
  fclose(values);
  rc = artemis_writer_close(w, NULL, &err);
  if (rc) die(name, rc, &err);
  FILE* expected = open_case_file(name, ".expected.json");
  tb_write_expected_json(cols, 4, total, "{\"columns\": {\"planet\": {\"stats\": true}, \"code\": {\"stats\": true}, \"key\": {\"stats\": true}, \"moon\": {\"stats\": true}}}", expected);
  fclose(expected);
  printf("%-22s rows=%lld\n", name, (long long)total);
  for (int i = 0; i < 4; i++) tb_col_free(cols[i]);
}

/* Dictionary columns whose chunks start with all-null pages (an empty dictionary so far),
 * then get values; plus a column that stays null in its first row group only. */
static void nulls_first_case(void) {
  const char* name = "nulls_then_values";
  tb_col* cols[3] = {tb_col_new("s", "u", 1), tb_col_new("i", "l", 1), tb_col_new("h", "e", 1)};
  struct ArrowSchema schema;
  tb_schema(cols, 3, &schema);
  char path[4096];
  parquet_path(name, path, sizeof path);
  artemis_writer_options o;
  artemis_writer_options_init(&o);
  o.data_page_max_rows = 100;
  o.row_group_target_bytes = 8000;
  artemis_writer* w;
  artemis_error err;
  int rc = artemis_writer_open(&w, path, &schema, &o, &err);
  if (rc) die(name, rc, &err);
  schema.release(&schema);
  FILE* values = open_case_file(name, ".values.jsonl");
  int64_t total = 0;
  for (int b = 0; b < 4; b++) {
    for (int r = 0; r < 700; r++) {
      int leading_nulls = (r % 600) < 350; /* several all-null pages at the start of each chunk */
      if (leading_nulls || next_u64() % 5 == 0) tb_null(cols[0]); else append_value(cols[0], "u", r, 0);
      if (leading_nulls || next_u64() % 5 == 0) tb_null(cols[1]); else append_value(cols[1], "l", r, 1);
      /* float16 with NaNs: min/max are omitted where NaN is present (see column_writer.c) */
      if (next_u64() % 5 == 0) tb_null(cols[2]); else append_value(cols[2], "e", r, 1);
    }
    struct ArrowArray batch;
    tb_batch(cols, 3, 0, &batch, values);
    total += 700;
    rc = artemis_writer_write(w, &batch, &err);
    batch.release(&batch);
    if (rc) die(name, rc, &err);
  }
  fclose(values);
  artemis_write_summary* summary;
  rc = artemis_writer_close(w, &summary, &err);
  if (rc) die(name, rc, &err);
  FILE* expected = open_case_file(name, ".expected.json");
  tb_write_expected_json(cols, 3, total,
                         "{\"columns\": {\"s\": {\"encodings_include\": [\"RLE_DICTIONARY\"], \"stats\": true}, "
                         "\"i\": {\"encodings_include\": [\"RLE_DICTIONARY\"], \"stats\": true}}}",
                         expected);
  fclose(expected);
  printf("%-22s rows=%-7lld row_groups=%lld bytes=%lld\n", name, (long long)total, (long long)summary->row_groups,
         (long long)summary->file_bytes);
  /* Every data page of a dictionary chunk is RLE_DICTIONARY, leading all-null pages too. */
  if (summary->columns[0].data_page_encodings != (1u << 8) || summary->columns[1].data_page_encodings != (1u << 8)) {
    fprintf(stderr, "%s: dictionary columns used data page encodings %#x / %#x\n", name,
            summary->columns[0].data_page_encodings, summary->columns[1].data_page_encodings);
    failures++;
  }
  artemis_write_summary_free(summary);
  for (int i = 0; i < 3; i++) tb_col_free(cols[i]);
}

/* ---- canonical telemetry --------------------------------------------------------- */

static void dump_canonical_batch(const struct ArrowSchema* schema, const struct ArrowArray* batch, FILE* f) {
  for (int64_t r = 0; r < batch->length; r++) {
    fputc('[', f);
    for (int64_t c = 0; c < batch->n_children; c++) {
      const struct ArrowArray* a = batch->children[c];
      const char* fmt = schema->children[c]->format;
      int64_t i = a->offset + batch->offset + r;
      if (c) fputc(',', f);
      const uint8_t* validity = a->buffers[0];
      if (validity && !((validity[i >> 3] >> (i & 7)) & 1)) {
        fputs("null", f);
        continue;
      }
      const void* data = a->buffers[1];
      if (!strcmp(fmt, "tsn:")) fprintf(f, "\"%lld\"", (long long)((const int64_t*)data)[i]);
      else if (!strcmp(fmt, "I")) fprintf(f, "\"%u\"", ((const uint32_t*)data)[i]);
      else if (!strcmp(fmt, "L")) fprintf(f, "\"%llu\"", (unsigned long long)((const uint64_t*)data)[i]);
      else if (!strcmp(fmt, "C")) fprintf(f, "\"%u\"", ((const uint8_t*)data)[i]);
      else if (!strcmp(fmt, "g")) {
        uint64_t bits;
        memcpy(&bits, (const double*)data + i, 8);
        fprintf(f, "\"%016llx\"", (unsigned long long)bits);
      } else if (!strcmp(fmt, "u")) {
        const int32_t* off = data;
        const uint8_t* bytes = a->buffers[2];
        fputc('"', f);
        for (int32_t k = off[i]; k < off[i + 1]; k++) fprintf(f, "%02x", bytes[k]);
        fputc('"', f);
      } else {
        fprintf(stderr, "canonical dump: unexpected format %s\n", fmt);
        exit(1);
      }
    }
    fputs("]\n", f);
  }
}

/* The canonical telemetry (generator defaults but the row count and batch size) written
 * with `options`, every value dumped as the case's expectation. Returns the summary (free
 * with artemis_write_summary_free) and the schema (release it). */
static artemis_write_summary* write_canonical(const char* name, int64_t rows, int64_t batch_rows,
                                              const artemis_writer_options* options, struct ArrowSchema* schema) {
  artemis_sample_options so;
  artemis_sample_options_init(&so);
  so.total_rows = rows;
  if (batch_rows > 0) so.batch_rows = batch_rows;
  artemis_sample* sample;
  artemis_error err;
  int rc = artemis_sample_open(&sample, &so, &err);
  if (rc) die(name, rc, &err);
  rc = artemis_sample_schema(schema, &err);
  if (rc) die(name, rc, &err);
  char path[4096];
  parquet_path(name, path, sizeof path);
  artemis_writer* w;
  rc = artemis_writer_open(&w, path, schema, options, &err);
  if (rc) die(name, rc, &err);
  FILE* values = open_case_file(name, ".values.jsonl");
  struct ArrowArray batch;
  while ((rc = artemis_sample_next(sample, &batch, &err)) == ARTEMIS_OK) {
    dump_canonical_batch(schema, &batch, values);
    rc = artemis_writer_write(w, &batch, &err);
    batch.release(&batch);
    if (rc) die(name, rc, &err);
  }
  if (rc != ARTEMIS_E_END_OF_STREAM) die(name, rc, &err);
  fclose(values);
  artemis_sample_close(sample);
  artemis_write_summary* summary;
  rc = artemis_writer_close(w, &summary, &err);
  if (rc) die(name, rc, &err);
  return summary;
}

/* The briefing's canonical schema table, as harness types. */
static const char* const kCanonicalTypes[] = {"timestamp_ns", "utf8", "uint32", "utf8", "uint64", "float64",
                                              "float64", "float64", "uint8", "utf8", "utf8", "utf8"};

static void canonical_case(void) {
  const char* name = "canonical_preset";
  artemis_writer_options o;
  artemis_writer_options_init(&o);
  artemis_writer_options_use_artemis_preset(&o);
  o.row_group_target_bytes = 16ll << 20; /* several row groups */
  struct ArrowSchema schema;
  artemis_write_summary* summary = write_canonical(name, canonical_rows, 50000, &o, &schema);
  FILE* expected = open_case_file(name, ".expected.json");
  fprintf(expected, "{\"rows\": %lld, \"columns\": [", (long long)summary->rows);
  for (int64_t c = 0; c < schema.n_children; c++)
    fprintf(expected, "%s{\"name\": \"%s\", \"type\": \"%s\", \"nullable\": %s}", c ? ", " : "", schema.children[c]->name,
            kCanonicalTypes[c], (schema.children[c]->flags & ARROW_FLAG_NULLABLE) ? "true" : "false");
  fprintf(expected,
          "], \"metadata\": {\"row_groups\": %lld, \"columns\": {"
          "\"sample_timestamp_ns\": {\"codec\": \"ZSTD\", \"encodings_include\": [\"DELTA_BINARY_PACKED\"], "
          "\"encodings_exclude\": [\"RLE_DICTIONARY\", \"PLAIN_DICTIONARY\"], \"stats\": true},"
          "\"sequence_number\": {\"encodings_include\": [\"DELTA_BINARY_PACKED\"], \"encodings_exclude\": "
          "[\"RLE_DICTIONARY\", \"PLAIN_DICTIONARY\"], \"stats\": true},"
          "\"panel_voltage\": {\"encodings_include\": [\"BYTE_STREAM_SPLIT\"], \"encodings_exclude\": "
          "[\"RLE_DICTIONARY\", \"PLAIN_DICTIONARY\"], \"stats\": true},"
          "\"temperature_c\": {\"encodings_include\": [\"BYTE_STREAM_SPLIT\"], \"stats\": true},"
          "\"pressure_kpa\": {\"encodings_include\": [\"BYTE_STREAM_SPLIT\"], \"stats\": true},"
          "\"archive_uri\": {\"encodings_include\": [\"DELTA_BYTE_ARRAY\"], \"encodings_exclude\": "
          "[\"RLE_DICTIONARY\", \"PLAIN_DICTIONARY\"], \"stats\": true},"
          "\"object_path\": {\"encodings_include\": [\"DELTA_BYTE_ARRAY\"], \"stats\": true},"
          "\"mission_id\": {\"encodings_include\": [\"RLE_DICTIONARY\"], \"stats\": true},"
          "\"payload_id\": {\"encodings_include\": [\"RLE_DICTIONARY\"], \"stats\": true},"
          "\"sensor_kind\": {\"encodings_include\": [\"RLE_DICTIONARY\"], \"stats\": true},"
          "\"quality_flag\": {\"encodings_include\": [\"RLE_DICTIONARY\"], \"stats\": true},"
          "\"notes\": {\"stats\": true}}}}\n",
          (long long)summary->row_groups);
  fclose(expected);
  printf("%-22s rows=%-7lld row_groups=%lld bytes=%lld\n", name, (long long)summary->rows,
         (long long)summary->row_groups, (long long)summary->file_bytes);
  if (summary->row_groups < 2) {
    fprintf(stderr, "%s: expected several row groups, got %lld\n", name, (long long)summary->row_groups);
    failures++;
  }
  artemis_write_summary_free(summary);
  schema.release(&schema);
}

/* A writer killed mid-write (SIGKILL after several row groups reached the file): leaves
 * interrupted.parquet.inprogress, which every reader must reject (verify.mjs --expect-reject). */
static void interrupted_case(void) {
  char path[4096];
  parquet_path("interrupted", path, sizeof path);
  char inprogress[4200];
  snprintf(inprogress, sizeof inprogress, "%s.inprogress", path);
  remove(inprogress);
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    exit(1);
  }
  if (pid == 0) canonical_child_write_then_die(path, 2000000, 15, SIGKILL);
  int status;
  waitpid(pid, &status, 0);
  struct stat st;
  if (!WIFSIGNALED(status) || stat(inprogress, &st) != 0 || stat(path, &st) == 0) {
    fprintf(stderr, "interrupted: expected a killed child, an .inprogress file and no final file\n");
    failures++;
    return;
  }
  printf("%-22s killed mid-write, left %s\n", "interrupted", inprogress);
}

/* ---- acceptance.roundtrip (tests/acceptance): canonical telemetry with the generator's
 * default batches and a chosen encoding strategy; expected values straight from the
 * generated arrays, statistics of every column checked, and no expectation taken from our
 * own summary (no row-group count). */
enum { ROUNDTRIP_BRIEFING, ROUNDTRIP_MEASURED, ROUNDTRIP_ADAPTIVE };
static void acceptance_roundtrip_case(const char* name, int64_t rows, int strategy) {
  artemis_writer_options o;
  artemis_writer_options_init(&o);
  if (strategy == ROUNDTRIP_MEASURED) artemis_writer_options_use_measured_preset(&o);
  if (strategy == ROUNDTRIP_BRIEFING) artemis_writer_options_use_artemis_preset(&o);
  if (strategy == ROUNDTRIP_ADAPTIVE) {
    /* Adaptive, on two worker threads: what `artemis-write --encoding-strategy adaptive` does. */
    o.encoding_strategy = ARTEMIS_ENCODING_STRATEGY_ADAPTIVE;
    o.threads = 2;
  }
  o.row_group_target_bytes = 16ll << 20; /* a few row groups at a few 100k rows */
  struct ArrowSchema schema;
  artemis_write_summary* summary = write_canonical(name, rows, 0, &o, &schema);
  int64_t total = summary->rows;
  FILE* expected = open_case_file(name, ".expected.json");
  fprintf(expected, "{\"rows\": %lld, \"columns\": [", (long long)total);
  for (int64_t c = 0; c < schema.n_children; c++)
    fprintf(expected, "%s{\"name\": \"%s\", \"type\": \"%s\", \"nullable\": %s}", c ? ", " : "", schema.children[c]->name,
            kCanonicalTypes[c], (schema.children[c]->flags & ARROW_FLAG_NULLABLE) ? "true" : "false");
  fprintf(expected, "], \"metadata\": {\"columns\": {");
  for (int64_t c = 0; c < schema.n_children; c++)
    fprintf(expected, "%s\"%s\": {\"codec\": \"ZSTD\", \"stats\": true}", c ? ", " : "", schema.children[c]->name);
  fprintf(expected, "}}}\n");
  fclose(expected);
  printf("%-26s rows=%-7lld row_groups=%lld bytes=%lld\n", name, (long long)total, (long long)summary->row_groups,
         (long long)summary->file_bytes);
  artemis_write_summary_free(summary);
  schema.release(&schema);
}

int main(int argc, char** argv) {
  if (argc == 4 && !strcmp(argv[2], "--acceptance-roundtrip")) {
    /* acceptance.roundtrip: the briefing's preset and the measured preset, ROWS rows each. */
    out_dir = argv[1];
    mkdir(out_dir, 0777);
    int64_t rows = atoll(argv[3]);
    acceptance_roundtrip_case("roundtrip_artemis_preset", rows, ROUNDTRIP_BRIEFING);
    acceptance_roundtrip_case("roundtrip_measured_preset", rows, ROUNDTRIP_MEASURED);
    acceptance_roundtrip_case("roundtrip_adaptive", rows, ROUNDTRIP_ADAPTIVE);
    return failures ? 1 : 0;
  }
  if (argc == 4 && !strcmp(argv[2], "--canonical-only")) {
    /* A larger canonical case on its own, for manual runs (e.g. 1,000,000 rows). */
    out_dir = argv[1];
    mkdir(out_dir, 0777);
    canonical_rows = atoll(argv[3]);
    canonical_case();
    return failures ? 1 : 0;
  }
  if (argc != 2) {
    fprintf(stderr, "usage: %s OUTPUT_DIR [--canonical-only ROWS | --acceptance-roundtrip ROWS]\n", argv[0]);
    return 2;
  }
  out_dir = argv[1];
  mkdir(out_dir, 0777);
  all_types_case("types_default", 0, ARTEMIS_ENCODING_DEFAULT, 15, 0, 96 * 1024,
                 "{\"columns\": {\"int64\": {\"encodings_include\": [\"RLE_DICTIONARY\"], \"stats\": true}, "
                 "\"uint64\": {\"stats\": true}, \"uint32\": {\"stats\": true}, \"utf8\": {\"stats\": true}, "
                 "\"float64\": {\"stats\": true}, \"date32\": {\"stats\": true}, \"dec38\": {\"stats\": true}}}");
  all_types_case("types_plain", 1, ARTEMIS_ENCODING_PLAIN, 15, 0, 64ll << 20,
                 "{\"row_groups\": 1, \"columns\": {\"int64\": {\"encodings_include\": [\"PLAIN\"], \"encodings_exclude\": "
                 "[\"RLE_DICTIONARY\"], \"stats\": true}, \"utf8\": {\"encodings_exclude\": [\"RLE_DICTIONARY\"], \"stats\": "
                 "true}, \"uint8\": {\"stats\": true}, \"int8\": {\"stats\": true}, \"float32\": {\"stats\": true}}}");
  all_types_case("types_dictionary", 1, ARTEMIS_ENCODING_DICTIONARY, 5, 0, 1ll << 20, NULL);
  all_types_case("all_null", 1, ARTEMIS_ENCODING_DEFAULT, 0, 1, 64ll << 20,
                 "{\"columns\": {\"int64\": {\"stats\": true}, \"utf8\": {\"stats\": true}}}");
  {
    static const char* names[] = {"a", "b", "c"};
    static const char* formats[] = {"l", "u", "g"};
    static const int nullable[] = {1, 1, 0};
    artemis_writer_options o;
    artemis_writer_options_init(&o);
    case_spec empty = {"empty", 3, names, formats, nullable, 1, 0, 0, 0, &o, "{\"row_groups\": 0}", 0};
    write_case(&empty);
    artemis_writer_options_init(&o);
    o.compression = ARTEMIS_COMPRESSION_UNCOMPRESSED;
    case_spec raw = {"uncompressed", 3, names, formats, nullable, 3, 2000, 10, 0, &o,
                     "{\"columns\": {\"a\": {\"codec\": \"UNCOMPRESSED\", \"stats\": true}, \"b\": {\"codec\": "
                     "\"UNCOMPRESSED\"}, \"c\": {\"codec\": \"UNCOMPRESSED\", \"stats\": true}}}",
                     0};
    write_case(&raw);
  }
  delta_case();
  adaptive_types_case();
  fallback_case();
  dictionary_input_case();
  view_case();
  nulls_first_case();
  canonical_case();
  interrupted_case();
  if (failures) {
    fprintf(stderr, "interop_gen_cases: %d check(s) failed\n", failures);
    return 1;
  }
  return 0;
}
