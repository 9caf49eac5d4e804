/* Events as JSON lines. Hand-rolled instead of printf because "%f" follows LC_NUMERIC (a
 * German locale prints "1,234") and the lines are read by machines. */
#include "artemis/events.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

/* PIPE_BUF: a line that fits goes out in one write(2), which a pipe keeps whole even when
 * several processes share it. Longer lines (very long paths) are written in pieces rather
 * than allocated, because this callback has no access to the writer's allocator. */
#define LINE_CHUNK 4096

/* Receives the characters of one line: either into a caller buffer (truncating, snprintf
 * style) or, when fd >= 0, through a chunk buffer flushed to the descriptor. `total` always
 * counts the full line. */
typedef struct json_out {
  char* buf;
  size_t cap;
  size_t stored;
  size_t total;
  int fd;
  int failed;
} json_out;

static int write_fully(int fd, const char* bytes, size_t n) {
  while (n > 0) {
    ssize_t done = write(fd, bytes, n);
    if (done < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (done == 0) return -1; /* no progress; retrying would spin */
    bytes += done;
    n -= (size_t)done;
  }
  return 0;
}

static void flush_chunk(json_out* out) {
  /* After a failed piece the rest of the line would be garbage on the descriptor. */
  if (!out->failed && out->stored > 0 && write_fully(out->fd, out->buf, out->stored) != 0) out->failed = 1;
  out->stored = 0;
}

static void put_char(json_out* out, char c) {
  out->total++;
  if (out->fd >= 0) {
    if (out->stored == out->cap) flush_chunk(out);
    out->buf[out->stored++] = c;
  } else if (out->stored + 1 < out->cap) {
    out->buf[out->stored++] = c;
  }
}

static void put_raw(json_out* out, const char* s) {
  while (*s) put_char(out, *s++);
}

static void put_u64(json_out* out, uint64_t v) {
  char digits[20];
  size_t n = 0;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v > 0);
  while (n > 0) put_char(out, digits[--n]);
}

static void put_i64(json_out* out, int64_t v) {
  if (v < 0) {
    put_char(out, '-');
    /* Negating in unsigned arithmetic keeps INT64_MIN defined. */
    put_u64(out, 0 - (uint64_t)v);
  } else {
    put_u64(out, (uint64_t)v);
  }
}

/* Milliseconds with exactly three decimals, rounded half away from zero. JSON has no NaN or
 * infinity, and beyond 2^53 thousandths the double no longer holds them exactly: null. */
static void put_millis(json_out* out, double ms) {
  double thousandths = round(ms * 1000.0);
  if (!isfinite(thousandths) || fabs(thousandths) > 9007199254740992.0) {
    put_raw(out, "null");
    return;
  }
  int64_t t = (int64_t)thousandths;
  if (t < 0) {
    put_char(out, '-');
    t = -t;
  }
  put_u64(out, (uint64_t)(t / 1000));
  put_char(out, '.');
  int frac = (int)(t % 1000);
  put_char(out, (char)('0' + frac / 100));
  put_char(out, (char)('0' + frac / 10 % 10));
  put_char(out, (char)('0' + frac % 10));
}

/* Length of the well-formed UTF-8 sequence at `s` (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF), or 0 if it is not one. */
static size_t utf8_sequence_length(const unsigned char* s) {
  unsigned char c = s[0];
  if (c < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (s[1] < lo || s[1] > hi) return 0;
  for (size_t i = 2; i < len; i++) {
    if (s[i] < 0x80 || s[i] > 0xBF) return 0; /* also stops at the terminating NUL */
  }
  return len;
}

static void put_string(json_out* out, const char* s) {
  static const char hex[] = "0123456789abcdef";
  if (!s) {
    put_raw(out, "null");
    return;
  }
  const unsigned char* p = (const unsigned char*)s;
  put_char(out, '"');
  while (*p) {
    unsigned char c = *p;
    if (c == '"' || c == '\\') {
      put_char(out, '\\');
      put_char(out, (char)c);
      p++;
    } else if (c < 0x20 || c == 0x7F) {
      /* DEL is legal JSON but escaping it keeps terminals showing the log safe. */
      put_raw(out, "\\u00");
      put_char(out, hex[c >> 4]);
      put_char(out, hex[c & 0xF]);
      p++;
    } else {
      size_t len = utf8_sequence_length(p);
      if (len == 0) {
        /* The output must be valid UTF-8 whatever the names contain. */
        put_raw(out, "\\ufffd");
        p++;
      } else {
        for (size_t i = 0; i < len; i++) put_char(out, (char)p[i]);
        p += len;
      }
    }
  }
  put_char(out, '"');
}

static void put_key(json_out* out, const char* key) {
  put_raw(out, ",\"");
  put_raw(out, key);
  put_raw(out, "\":");
}

/* An object keyed by encoding, in trial order: {"RLE_DICTIONARY":123,"PLAIN":456}; the
 * trial bytes, or (`compared`) the figures the choice compared. */
static void put_candidates(json_out* out, const artemis_event* event, int compared) {
  put_char(out, '{');
  for (size_t i = 0; event->candidates && i < event->candidate_count; i++) {
    if (i) put_char(out, ',');
    put_string(out, event->candidates[i].encoding);
    put_char(out, ':');
    put_i64(out, compared ? event->candidates[i].compared_bytes : event->candidates[i].bytes);
  }
  put_char(out, '}');
}

static void format_event(const artemis_event* event, json_out* out) {
  switch (event->kind) {
    case ARTEMIS_EVENT_ROW_GROUP_FLUSHED:
      put_raw(out, "{\"event\":\"row_group_flushed\"");
      put_key(out, "rg_idx");
      put_i64(out, event->row_group);
      put_key(out, "rows");
      put_i64(out, event->rows);
      put_key(out, "compressed_bytes");
      put_i64(out, event->compressed_bytes);
      put_key(out, "uncompressed_bytes");
      put_i64(out, event->uncompressed_bytes);
      put_key(out, "elapsed_ms");
      put_millis(out, event->elapsed_ms);
      break;
    case ARTEMIS_EVENT_DICTIONARY_FALLBACK:
      put_raw(out, "{\"event\":\"dictionary_fallback\"");
      put_key(out, "column");
      put_string(out, event->column);
      put_key(out, "column_index");
      put_i64(out, event->column_index);
      put_key(out, "row_group");
      put_i64(out, event->row_group);
      break;
    case ARTEMIS_EVENT_FILE_PUBLISHED:
      put_raw(out, "{\"event\":\"file_published\"");
      put_key(out, "path");
      put_string(out, event->path);
      put_key(out, "rows");
      put_i64(out, event->rows);
      put_key(out, "row_groups");
      put_i64(out, event->row_group);
      put_key(out, "file_bytes");
      put_i64(out, event->file_bytes);
      put_key(out, "elapsed_ms");
      put_millis(out, event->elapsed_ms);
      break;
    case ARTEMIS_EVENT_ENCODING_CHOSEN:
      put_raw(out, "{\"event\":\"encoding_chosen\"");
      put_key(out, "column");
      put_string(out, event->column);
      put_key(out, "column_index");
      put_i64(out, event->column_index);
      put_key(out, "row_group");
      put_i64(out, event->row_group);
      put_key(out, "sample_rows");
      put_i64(out, event->rows);
      put_key(out, "encoding");
      put_string(out, event->encoding);
      put_key(out, "fallback_encoding");
      put_string(out, event->fallback_encoding);
      put_key(out, "candidate_bytes");
      put_candidates(out, event, 0);
      /* What was compared: differs from candidate_bytes only for the dictionary. */
      put_key(out, "compared_bytes");
      put_candidates(out, event, 1);
      break;
    default:
      /* A newer writer may emit kinds this formatter predates; say so rather than drop it. */
      put_raw(out, "{\"event\":\"unknown\"");
      put_key(out, "kind");
      put_i64(out, (int64_t)event->kind);
      break;
  }
  put_raw(out, "}\n");
}

size_t artemis_event_format_json(const artemis_event* event, char* out, size_t cap) {
  json_out sink_out = {out, out ? cap : 0, 0, 0, -1, 0};
  if (event) format_event(event, &sink_out);
  if (sink_out.cap > 0) out[sink_out.stored] = '\0';
  return sink_out.total;
}

void artemis_json_event_sink(const artemis_event* event, void* payload) {
  artemis_json_sink* sink = payload;
  if (!sink || !event) return;
  if (sink->fd < 0) {
    sink->write_errors++;
    return;
  }
  /* The writer may be in the middle of reporting a system error of its own. */
  int saved_errno = errno;
  char chunk[LINE_CHUNK];
  json_out line = {chunk, sizeof chunk, 0, 0, sink->fd, 0};
  format_event(event, &line);
  flush_chunk(&line);
  if (line.failed) sink->write_errors++;
  errno = saved_errno;
}
