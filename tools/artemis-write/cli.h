/* artemis-write: the command-line tool's pieces (one file per command, plus argument
 * parsing and JSON output). The library does the work; these files only wire it to a
 * terminal and map statuses to documented exit codes. */
#ifndef ARTEMIS_TOOLS_CLI_H
#define ARTEMIS_TOOLS_CLI_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "artemis/artemis.h"

/* Exit codes, documented in --help. */
enum {
  EXIT_USAGE = 1,    /* bad command line or configuration */
  EXIT_INPUT = 2,    /* invalid or unsupported input */
  EXIT_CONFLICT = 3, /* OUTPUT or OUTPUT.inprogress exists */
  EXIT_IO = 4,       /* I/O error, or another system failure (out of memory) */
  EXIT_INTERRUPTED = 130 /* SIGINT/SIGTERM: the output was discarded (S3: the upload aborted) */
};

#define MAX_ENCODING_OVERRIDES 256
#define CLI_DEFAULT_S3_PARTS_IN_FLIGHT 2

typedef enum cli_preset { PRESET_NONE = 0, PRESET_ARTEMIS = 1, PRESET_MEASURED = 2 } cli_preset;

typedef struct cli_options {
  const char* output;
  const char* input;       /* NULL or "-": stdin */
  int64_t sample_rows;     /* -1: read input */
  int64_t batch_rows;
  int sample_order;
  int sample_values;
  int64_t row_group_bytes;
  int compression;
  int zstd_level;
  cli_preset preset;
  int preset_given;        /* --preset was on the command line */
  int encoding_strategy;   /* artemis_encoding_strategy */
  int64_t adaptive_sample_rows;
  int threads;
  int prefetch;            /* read the next batch on a second thread */
  int statistics;
  int durable;
  int64_t replace_stale;   /* --replace-stale[=SECONDS]; -1: never */
  int64_t memory_limit;    /* --memory-limit SIZE; 0: none */
  int progress;            /* -1: auto (stderr is a TTY) */
  const char* log_json;
  const char* summary_json;
  const char* s3_endpoint; /* --s3-endpoint URL (S3-compatible stores); NULL: AWS */
  int64_t s3_part_size;    /* --s3-part-size SIZE; 0: the sink's default (16 MiB) */
  int s3_parts_in_flight;  /* --s3-parts-in-flight N */
  int s3_verify_etag;      /* 0 with --s3-no-etag-check (SSE-KMS / SSE-C buckets) */
  artemis_column_option overrides[MAX_ENCODING_OVERRIDES];
  size_t override_count;
} cli_options;

/* Parses the write command's arguments. Returns 0 (run), -1 (help/version printed: exit 0)
 * or an exit code after printing a one-line usage error. */
int cli_parse_write_args(int argc, char** argv, cli_options* options);

/* "128MiB", "64MB", "1048576", "1GiB", "512k" -> bytes. 1 on success. */
int cli_parse_size(const char* text, int64_t* out);

/* Maps a library status to the documented exit code. */
int cli_exit_code(int status);

/* Prints "artemis-write: <what>: <message>" and returns the exit code of `status`. */
int cli_fail(const char* what, int status, const artemis_error* error);

/* The write command (also the default command). */
int cli_write_command(const cli_options* options);

/* `artemis-write s3-gc s3://bucket/prefix --older-than DURATION [--s3-endpoint URL] [--dry-run]`. */
int cli_s3_gc_command(int argc, char** argv);

/* `artemis-write inspect FILE.parquet [--json]`. */
int cli_inspect_command(int argc, char** argv);

/* One batch of read-ahead on a second thread (batch_prefetch.c). `next` is called only on
 * that thread; `progress` (may be NULL) right after each batch, on that thread too, and
 * its last answer is what cli_prefetch_progress returns. */
typedef int (*cli_next_fn)(void* context, struct ArrowArray* out, artemis_error* error);
typedef int64_t (*cli_progress_fn)(void* context);
typedef struct cli_prefetch cli_prefetch;
/* 0, or an errno value (the thread could not start). */
int cli_prefetch_start(cli_prefetch** out, cli_next_fn next, cli_progress_fn progress, void* context);
/* Like `next`, one batch behind the thread. After a non-OK status, returns it again. */
int cli_prefetch_next(cli_prefetch* prefetch, struct ArrowArray* out, artemis_error* error);
int64_t cli_prefetch_progress(cli_prefetch* prefetch);
/* Stops the thread and frees everything (1), or, when the thread is still blocked reading
 * after `wait_ms`, leaves it running and returns 0: the source must then not be freed. */
int cli_prefetch_stop(cli_prefetch* prefetch, int wait_ms);

/* JSON output helpers. Strings that are not valid UTF-8 are written as "0x<hex>". */
int cli_utf8_valid(const uint8_t* bytes, size_t len);
void cli_json_string(FILE* f, const char* s);
void cli_json_bytes_as_string(FILE* f, const uint8_t* bytes, size_t len);
void cli_write_summary_json(FILE* f, const artemis_write_summary* summary, double seconds,
                            const artemis_ipc_reader_info* input);

#endif
