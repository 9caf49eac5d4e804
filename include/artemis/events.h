/* Structured events. The library never prints: it reports what it does through an
 * optional callback set in the writer options. A ready-made sink turns each event into
 * one JSON object per line on a file descriptor. */
#ifndef ARTEMIS_EVENTS_H
#define ARTEMIS_EVENTS_H

#include <stddef.h>
#include <stdint.h>
#include "artemis/export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum artemis_event_kind {
  ARTEMIS_EVENT_ROW_GROUP_FLUSHED = 1, /* row_group, rows, compressed/uncompressed_bytes, elapsed_ms */
  ARTEMIS_EVENT_DICTIONARY_FALLBACK = 2, /* column, column_index, row_group */
  ARTEMIS_EVENT_FILE_PUBLISHED = 3,      /* path, rows, row_group (= count), file_bytes, elapsed_ms */
  /* Adaptive strategy: column, column_index, row_group, rows (= sample rows), encoding,
   * fallback_encoding (when the dictionary won), candidates. */
  ARTEMIS_EVENT_ENCODING_CHOSEN = 4
} artemis_event_kind;

/* One trial of the adaptive strategy: the compressed bytes (page headers included) the
 * sample took in this encoding ("RLE_DICTIONARY" counts its whole dictionary page), and
 * the figure that was compared: the same bytes, except that the dictionary is charged
 * only for the growth of its page over the sample's second half (a dictionary that stops
 * growing is paid once per chunk, not once per sample). */
typedef struct artemis_encoding_candidate {
  const char* encoding;
  int64_t bytes;
  int64_t compared_bytes;
} artemis_encoding_candidate;

/* One event. Pointers inside are borrowed and valid only during the callback. Fields
 * that do not apply to the kind are -1 / NULL. */
typedef struct artemis_event {
  artemis_event_kind kind;
  int64_t row_group;          /* flushed: index; published: row-group count */
  int64_t rows;
  int64_t compressed_bytes;   /* flushed: bytes of the row group's column chunks */
  int64_t uncompressed_bytes;
  int64_t file_bytes;         /* published: final file size */
  double elapsed_ms;          /* flushed: time spent flushing; published: since open */
  int64_t column_index;
  const char* column;
  const char* path;
  const char* encoding;          /* encoding_chosen: Parquet name of the winner */
  const char* fallback_encoding; /* encoding_chosen: after a dictionary overflow, or NULL */
  const artemis_encoding_candidate* candidates; /* encoding_chosen, in trial order */
  size_t candidate_count;
} artemis_event;

/* Callback type. Called on the thread that called the writer (also with worker threads),
 * in column order, synchronously (a slow
 * callback slows write() and close(): file_published is emitted inside close()); must not
 * call back into the same writer. */
typedef void (*artemis_event_fn)(const artemis_event* event, void* payload);

/* Formats `event` as one JSON object followed by '\n' into `out` (capacity `cap`).
 * Returns the number of bytes the full line needs (excluding the NUL); the output is
 * complete only if that is < cap. Keys: "event" plus the fields of the kind. */
ARTEMIS_API size_t artemis_event_format_json(const artemis_event* event, char* out, size_t cap);

/* Payload of artemis_json_event_sink: the file descriptor the lines go to (borrowed). */
typedef struct artemis_json_sink {
  int fd;
  int write_errors; /* incremented when a write fails; the sink never reports otherwise */
} artemis_json_sink;

/* Ready-made callback: writes artemis_event_format_json(event) to ((artemis_json_sink*)
 * payload)->fd with one write(2) per line (retrying EINTR and short writes). */
ARTEMIS_API void artemis_json_event_sink(const artemis_event* event, void* payload);

#ifdef __cplusplus
}
#endif

#endif /* ARTEMIS_EVENTS_H */
