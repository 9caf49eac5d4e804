/* The write command: batches from an Arrow IPC input (path, or stdin) or from the sample
 * generator, into one writer; each batch is released as soon as it is written, so memory
 * stays bounded by one input message plus the writer's row group. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "core/errors.h"
#include "publish/sink.h" /* artemis_s3_request_cancel: internal, see on_interrupt */

/* SIGINT/SIGTERM may arrive while the tool is blocked reading a pipe, inside the writer,
 * anywhere.
 * Local file: the handler does the whole job with async-signal-safe calls only. It removes
 * the .inprogress file if this process created it (so no stale file blocks the next run)
 * and exits 130. Around close() both signals are blocked: once close() starts, the outcome
 * is whatever close() returns (a published file is not taken back).
 * S3: aborting the upload takes HTTP requests, which a handler cannot make. The handler
 * only sets g_interrupted and asks the library to give up its transfers in progress
 * (artemis_s3_request_cancel: a part upload stops within about a second); the main loop
 * sees the flag after the current batch (or the write the cancellation failed) and aborts
 * the upload with artemis_writer_abort, then exits 130. A second signal exits at once,
 * leaving the pending upload to s3-gc and the bucket's lifecycle rule; during close() it
 * says the outcome is unknown, as Complete may be on the wire. Signals stay
 * deliverable during close(): the last part can be cancelled too, but not
 * CompleteMultipartUpload, so close() either publishes or reports why not. */
static volatile sig_atomic_t g_own_inprogress = 0;
static volatile sig_atomic_t g_output_is_s3 = 0;
static volatile sig_atomic_t g_interrupted = 0;
static volatile sig_atomic_t g_s3_closing = 0; /* close() may be sending CompleteMultipartUpload */
static char g_inprogress_path[4200];
static char g_s3_unknown_message[4400]; /* prebuilt: a handler cannot format */
static size_t g_s3_unknown_length;

static void say(const char* text, size_t len) {
  ssize_t ignored = write(STDERR_FILENO, text, len);
  (void)ignored;
}

static void on_interrupt(int signo) {
  (void)signo;
  if (g_output_is_s3) {
    if (!g_interrupted) {
      g_interrupted = 1;
      artemis_s3_request_cancel();
      static const char kAborting[] = "artemis-write: interrupted: aborting the upload (interrupt again to exit now)\n";
      say(kAborting, sizeof kAborting - 1);
      return;
    }
    if (g_s3_closing) {
      /* Complete may be on the wire: we cannot say what the store did with it. */
      say(g_s3_unknown_message, g_s3_unknown_length);
    } else {
      static const char kLeft[] =
          "artemis-write: interrupted again: exiting; the pending upload is left to s3-gc and the lifecycle rule\n";
      say(kLeft, sizeof kLeft - 1);
    }
    _exit(EXIT_INTERRUPTED);
  }
  if (g_own_inprogress) unlink(g_inprogress_path);
  static const char kMessage[] = "artemis-write: interrupted: output discarded, nothing written\n";
  say(kMessage, sizeof kMessage - 1);
  _exit(EXIT_INTERRUPTED);
}

static void block_interrupts(int block) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigprocmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

static int open_s3_writer(artemis_writer** writer, const cli_options* o, const struct ArrowSchema* schema,
                          const artemis_writer_options* wo, artemis_error* err) {
  artemis_s3_options so;
  artemis_s3_options_init(&so);
  so.endpoint = o->s3_endpoint;
  if (o->s3_part_size > 0) so.part_size = (size_t)o->s3_part_size;
  so.parts_in_flight = o->s3_parts_in_flight;
  so.verify_etag_md5 = o->s3_verify_etag;
  return artemis_writer_open_s3(writer, o->output, schema, wo, &so, err);
}

/* The S3 exit after an interrupt: the upload is aborted (by abort or by the failed call). */
static int s3_interrupted(artemis_writer* writer, const char* output) {
  artemis_writer_abort(writer);
  fprintf(stderr, "artemis-write: interrupted: upload aborted, nothing written to %s\n", output);
  return EXIT_INTERRUPTED;
}

/* Where batches come from. */
typedef struct batch_source {
  artemis_ipc_reader* reader; /* IPC input, or */
  artemis_sample* sample;     /* the generator */
  const char* name;           /* for messages */
} batch_source;

static int source_schema(batch_source* s, struct ArrowSchema* out, artemis_error* err) {
  return s->reader ? artemis_ipc_reader_schema(s->reader, out, err) : artemis_sample_schema(out, err);
}

static int source_next(batch_source* s, struct ArrowArray* out, artemis_error* err) {
  return s->reader ? artemis_ipc_reader_next(s->reader, out, err) : artemis_sample_next(s->sample, out, err);
}

static int source_next_fn(void* context, struct ArrowArray* out, artemis_error* err) {
  return source_next(context, out, err);
}

static int64_t source_bytes_read(void* context) {
  batch_source* s = context;
  if (!s->reader) return 0;
  artemis_ipc_reader_info info;
  artemis_ipc_reader_get_info(s->reader, &info);
  return info.bytes_read;
}

static void source_close(batch_source* s) {
  artemis_ipc_reader_free(s->reader);
  artemis_sample_close(s->sample);
}

/* The read-ahead thread is stopped before the source is freed; if it cannot be (blocked on
 * a silent producer), the source is left to the process exit. */
static void source_finish(batch_source* s, cli_prefetch** prefetch) {
  int stopped = cli_prefetch_stop(*prefetch, 200);
  *prefetch = NULL;
  if (stopped) source_close(s);
}

static double seconds_since(const struct timespec* t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Events go to the JSON log (if any) and feed the progress line's row-group count. */
typedef struct event_relay {
  artemis_json_sink* json;
  int64_t row_groups;
  int64_t output_bytes;
} event_relay;

static void relay_event(const artemis_event* event, void* payload) {
  event_relay* relay = payload;
  if (event->kind == ARTEMIS_EVENT_ROW_GROUP_FLUSHED) {
    relay->row_groups++;
    relay->output_bytes += event->compressed_bytes;
  }
  if (relay->json) artemis_json_event_sink(event, relay->json);
}

typedef struct progress_line {
  int enabled;
  struct timespec started;
  double last_shown;
  int shown;
} progress_line;

static void progress_show(progress_line* p, const batch_source* src, cli_prefetch* prefetch, int64_t rows,
                          const event_relay* relay, int final) {
  if (!p->enabled) return;
  double t = seconds_since(&p->started);
  if (!final && t - p->last_shown < 0.5) return;
  p->last_shown = t;
  double mb;
  const char* what;
  if (src->reader) {
    /* The reader belongs to the read-ahead thread while it runs. */
    mb = (double)(prefetch ? cli_prefetch_progress(prefetch) : source_bytes_read((void*)(uintptr_t)src)) / 1e6;
    what = "in";
  } else {
    mb = (double)relay->output_bytes / 1e6;
    what = "out";
  }
  fprintf(stderr, "\r%" PRId64 " rows  %.1f MB/s %s  %" PRId64 " row groups  %.1f s   ", rows, t > 0 ? mb / t : 0.0,
          what, relay->row_groups, t);
  if (final) fputc('\n', stderr);
  fflush(stderr);
  p->shown = 1;
}

/* Errors about the data name the input; errors about the file name the output. */
static const char* blame(int status, const batch_source* src, const char* output) {
  return status == ARTEMIS_E_INVALID_INPUT || status == ARTEMIS_E_UNSUPPORTED || status == ARTEMIS_E_LIMIT ? src->name
                                                                                                            : output;
}

static int open_output_fd(const char* spec) {
  if (!strcmp(spec, "-")) return STDOUT_FILENO;
  return open(spec, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
}

static int open_source(const cli_options* o, batch_source* src, artemis_error* err) {
  memset(src, 0, sizeof *src);
  if (o->sample_rows >= 0) {
    artemis_sample_options so;
    artemis_sample_options_init(&so);
    so.total_rows = o->sample_rows;
    so.batch_rows = o->batch_rows;
    so.order = o->sample_order;
    so.values = o->sample_values;
    src->name = "sample generator";
    return artemis_sample_open(&src->sample, &so, err);
  }
  if (!o->input || !strcmp(o->input, "-")) {
    src->name = "stdin";
    return artemis_ipc_reader_open_fd(&src->reader, STDIN_FILENO, NULL, err);
  }
  src->name = o->input;
  return artemis_ipc_reader_open_path(&src->reader, o->input, NULL, err);
}

static size_t build_encoding_map(const cli_options* o, artemis_column_option* map, size_t cap) {
  size_t n = 0, preset_count = 0;
  const artemis_column_option* preset = NULL;
  if (o->preset == PRESET_ARTEMIS) preset = artemis_artemis_preset(&preset_count);
  if (o->preset == PRESET_MEASURED) preset = artemis_measured_preset(&preset_count);
  /* The preset first, the command-line overrides after it (later entries win). */
  for (size_t i = 0; i < preset_count && n < cap; i++) map[n++] = preset[i];
  for (size_t i = 0; i < o->override_count && n < cap; i++) map[n++] = o->overrides[i];
  return n;
}

int cli_write_command(const cli_options* o) {
  int is_s3 = strncmp(o->output, "s3://", 5) == 0;
  if (is_s3) {
    /* Names first, before any input is read: a bad key, or a build without S3, is a usage
     * error (exit 1). */
    char bucket[256], key[2048];
    artemis_error url_err;
    artemis_error_clear(&url_err);
    int url_status = artemis_s3_parse_url(o->output, bucket, sizeof bucket, key, sizeof key, &url_err);
    if (url_status != ARTEMIS_OK) {
      cli_fail(o->output, url_status, &url_err);
      return EXIT_USAGE;
    }
    g_output_is_s3 = 1;
  }
  if (snprintf(g_inprogress_path, sizeof g_inprogress_path, "%s.inprogress", o->output) >= (int)sizeof g_inprogress_path) {
    fprintf(stderr, "artemis-write: the output path is too long\n");
    return EXIT_USAGE;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGINT);
  sigaddset(&sa.sa_mask, SIGTERM);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  artemis_json_sink log_sink = {-1, 0};
  event_relay relay = {NULL, 0, 0};
  if (o->log_json) {
    log_sink.fd = open_output_fd(o->log_json);
    if (log_sink.fd < 0) {
      fprintf(stderr, "artemis-write: cannot open --log-json %s: %s\n", o->log_json, strerror(errno));
      return EXIT_IO;
    }
    relay.json = &log_sink;
  }
  int exit_code = 0;
  artemis_column_option map[512 + MAX_ENCODING_OVERRIDES];
  artemis_writer_options wo;
  artemis_writer_options_init(&wo);
  wo.row_group_target_bytes = o->row_group_bytes;
  wo.compression = o->compression;
  wo.compression_level = o->zstd_level;
  wo.statistics_enabled = o->statistics;
  wo.page_index_enabled = o->statistics;
  wo.columns = map;
  wo.column_count = build_encoding_map(o, map, sizeof map / sizeof map[0]);
  wo.durable = o->durable;
  wo.replace_stale_after_seconds = o->replace_stale;
  wo.encoding_strategy = (artemis_encoding_strategy)o->encoding_strategy;
  wo.adaptive_sample_rows = o->adaptive_sample_rows;
  wo.threads = o->threads;
  wo.memory_limit_bytes = o->memory_limit;
  wo.on_event = relay_event;
  wo.event_payload = &relay;

  progress_line progress = {o->progress < 0 ? isatty(STDERR_FILENO) : o->progress, {0, 0}, 0, 0};
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  progress.started = t0;

  artemis_error err;
  artemis_error_clear(&err);
  batch_source src;
  int status = open_source(o, &src, &err);
  if (status != ARTEMIS_OK) {
    exit_code = cli_fail(src.name, status, &err);
    source_close(&src);
    goto out;
  }
  struct ArrowSchema schema;
  status = source_schema(&src, &schema, &err);
  if (status != ARTEMIS_OK) {
    exit_code = cli_fail(src.name, status, &err);
    source_close(&src);
    goto out;
  }
  artemis_writer* writer = NULL;
  /* Only for the message if open replaces it: the library decides (lock + age) on its own. */
  struct stat stale_seen;
  char stale_path[4096];
  snprintf(stale_path, sizeof stale_path, "%s.inprogress", o->output);
  long long stale_age = -1;
  if (o->replace_stale >= 0 && lstat(stale_path, &stale_seen) == 0) stale_age = (long long)(time(NULL) - stale_seen.st_mtime);
  if (is_s3) {
    /* Interruptible: a hanging CreateMultipartUpload is cancelled (open fails, its upload
     * is aborted); one that succeeds is aborted by the loop below. */
    status = open_s3_writer(&writer, o, &schema, &wo, &err);
  } else {
    block_interrupts(1); /* the .inprogress is ours exactly when open succeeds */
    status = artemis_writer_open(&writer, o->output, &schema, &wo, &err);
    if (status == ARTEMIS_OK) g_own_inprogress = 1;
    block_interrupts(0);
  }
  schema.release(&schema);
  if (status != ARTEMIS_OK && g_interrupted) {
    fprintf(stderr, "artemis-write: interrupted: nothing written to %s\n", o->output);
    exit_code = EXIT_INTERRUPTED;
    source_close(&src);
    goto out;
  }
  if (status != ARTEMIS_OK) {
    exit_code = cli_fail(blame(status, &src, o->output), status, &err);
    source_close(&src);
    goto out;
  }
  int64_t rows = 0, batches = 0;
  cli_prefetch* prefetch = NULL;
  if (o->prefetch && cli_prefetch_start(&prefetch, source_next_fn, source_bytes_read, &src) != 0) prefetch = NULL;
  for (;;) {
    if (g_interrupted) {
      if (progress.shown) fputc('\n', stderr);
      exit_code = s3_interrupted(writer, o->output);
      source_finish(&src, &prefetch);
      goto out;
    }
    struct ArrowArray batch;
    status = prefetch ? cli_prefetch_next(prefetch, &batch, &err) : source_next(&src, &batch, &err);
    if (status == ARTEMIS_E_END_OF_STREAM) break;
    if (status != ARTEMIS_OK) {
      block_interrupts(1);
      artemis_writer_abort(writer);
      g_own_inprogress = 0;
      if (progress.shown) fputc('\n', stderr);
      exit_code = cli_fail(src.name, status, &err);
      source_finish(&src, &prefetch);
      goto out;
    }
    status = artemis_writer_write(writer, &batch, &err);
    rows += batch.length;
    batch.release(&batch);
    if (status != ARTEMIS_OK && g_interrupted) {
      /* The cancellation failed this write; the upload is already being aborted. */
      if (progress.shown) fputc('\n', stderr);
      exit_code = s3_interrupted(writer, o->output);
      source_finish(&src, &prefetch);
      goto out;
    }
    if (status != ARTEMIS_OK) {
      block_interrupts(1);
      artemis_writer_abort(writer);
      g_own_inprogress = 0;
      if (progress.shown) fputc('\n', stderr);
      char where[4096];
      if (status == ARTEMIS_E_INVALID_INPUT || status == ARTEMIS_E_LIMIT)
        snprintf(where, sizeof where, "%s: record batch %lld", src.name, (long long)batches);
      else
        snprintf(where, sizeof where, "%s", blame(status, &src, o->output));
      exit_code = cli_fail(where, status, &err);
      source_finish(&src, &prefetch);
      goto out;
    }
    batches++;
    progress_show(&progress, &src, prefetch, rows, &relay, 0);
  }
  /* It has returned the end of the stream, so it stops at once. */
  int source_ours = cli_prefetch_stop(prefetch, 5000);
  prefetch = NULL;
  artemis_ipc_reader_info input_info;
  int have_input_info = src.reader != NULL && source_ours;
  if (have_input_info) artemis_ipc_reader_get_info(src.reader, &input_info);
  artemis_write_summary* summary = NULL;
  if (!is_s3) block_interrupts(1);
  if (g_interrupted) {
    exit_code = s3_interrupted(writer, o->output);
    if (source_ours) source_close(&src);
    goto out;
  }
  if (is_s3) {
    snprintf(g_s3_unknown_message, sizeof g_s3_unknown_message,
             "artemis-write: interrupted again during close: exiting; whether %s was published is unknown: check "
             "it (a pending upload, if any, is left to s3-gc and the lifecycle rule)\n",
             o->output);
    g_s3_unknown_length = strlen(g_s3_unknown_message);
    /* The message must be complete before the handler can see the flag. */
    atomic_signal_fence(memory_order_seq_cst);
    g_s3_closing = 1;
  }
  status = artemis_writer_close(writer, &summary, &err);
  g_s3_closing = 0;
  g_own_inprogress = 0;
  if (status != ARTEMIS_OK && g_interrupted) {
    if (progress.shown) fputc('\n', stderr);
    if (status == ARTEMIS_E_OUTCOME_UNKNOWN)
      fprintf(stderr, "artemis-write: interrupted: %s\n", err.message);
    else
      fprintf(stderr, "artemis-write: interrupted: upload aborted, nothing written to %s\n", o->output);
    exit_code = EXIT_INTERRUPTED;
    if (source_ours) source_close(&src);
    goto out;
  }
  if (status != ARTEMIS_OK) {
    if (progress.shown) fputc('\n', stderr);
    exit_code = cli_fail(o->output, status, &err);
    if (source_ours) source_close(&src);
    goto out;
  }
  progress_show(&progress, &src, NULL, rows, &relay, 1);
  if (summary->stale_inprogress_replaced) {
    /* Never silent: a file someone might look for is gone. */
    if (stale_age >= 0)
      fprintf(stderr, "artemis-write: replaced stale %s (modified %lld s ago, no writer held it)\n", stale_path,
              stale_age);
    else
      fprintf(stderr, "artemis-write: replaced stale %s (modified more than %lld s ago, no writer held it)\n",
              stale_path, (long long)o->replace_stale);
  }
  if (source_ours) source_close(&src);
  double seconds = seconds_since(&t0);
  if (o->summary_json) {
    FILE* f = !strcmp(o->summary_json, "-") ? stdout : fopen(o->summary_json, "w");
    if (!f) {
      fprintf(stderr, "artemis-write: cannot open --summary-json %s: %s (the Parquet file was written)\n",
              o->summary_json, strerror(errno));
      exit_code = EXIT_IO;
    } else {
      cli_write_summary_json(f, summary, seconds, have_input_info ? &input_info : NULL);
      if (f != stdout && fclose(f) != 0) {
        fprintf(stderr, "artemis-write: writing --summary-json %s failed (the Parquet file was written)\n",
                o->summary_json);
        exit_code = EXIT_IO;
      }
    }
  } else if (!progress.enabled) {
    fprintf(stderr, "artemis-write: wrote %s: %" PRId64 " rows, %" PRId64 " row groups, %" PRId64 " bytes in %.2f s\n",
            summary->path, summary->rows, summary->row_groups, summary->file_bytes, seconds);
  }
  artemis_write_summary_free(summary);
out:
  if (o->log_json && strcmp(o->log_json, "-") != 0) close(log_sink.fd);
  if (exit_code == 0 && log_sink.write_errors) {
    fprintf(stderr, "artemis-write: %d event lines could not be written to %s (the Parquet file was written)\n",
            log_sink.write_errors, o->log_json);
    exit_code = EXIT_IO;
  }
  return exit_code;
}
