/* `--read-ahead`: reads the next input batch on a second thread while the writer encodes
 * the current one. Reading an IPC body is a copy of ~15 MB from the page cache plus
 * validation: on 10M canonical rows, 0.4 s during which the encoding threads wait. One
 * batch ahead, never more: the memory cost is one input message (+14 MB RSS). Off by
 * default: on the 2-core machines here the two encoding threads already use both cores,
 * and reading ahead made no measurable difference (bench/RESULTS.md). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "cli.h"

struct cli_prefetch {
  cli_next_fn next;
  cli_progress_fn progress;
  void* context;
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t changed;
  int full;          /* `batch`/`status`/`error` hold the next result */
  int stopping;      /* the consumer wants no more */
  int finished;      /* the thread returned */
  struct ArrowArray batch;
  int status;
  artemis_error error;
  int64_t progress_bytes;
};

static void* prefetch_main(void* arg) {
  cli_prefetch* p = arg;
  for (;;) {
    pthread_mutex_lock(&p->lock);
    while (p->full && !p->stopping) pthread_cond_wait(&p->changed, &p->lock);
    int stop = p->stopping;
    pthread_mutex_unlock(&p->lock);
    if (stop) break;
    struct ArrowArray batch;
    artemis_error error;
    artemis_error_clear(&error);
    int status = p->next(p->context, &batch, &error);
    int64_t bytes = p->progress ? p->progress(p->context) : 0;
    pthread_mutex_lock(&p->lock);
    p->batch = batch;
    p->status = status;
    p->error = error;
    p->full = 1;
    p->progress_bytes = bytes;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    if (status != ARTEMIS_OK) break; /* end of stream or an error: nothing more to read */
  }
  pthread_mutex_lock(&p->lock);
  p->finished = 1;
  pthread_cond_broadcast(&p->changed);
  pthread_mutex_unlock(&p->lock);
  return NULL;
}

int cli_prefetch_start(cli_prefetch** out, cli_next_fn next, cli_progress_fn progress, void* context) {
  static cli_prefetch zero;
  cli_prefetch* p = malloc(sizeof *p);
  if (!p) return ENOMEM;
  *p = zero;
  p->next = next;
  p->progress = progress;
  p->context = context;
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->changed, NULL);
  /* Signals are for the main thread (its handler and its blocking around close()). */
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  int rc = pthread_create(&p->thread, NULL, prefetch_main, p);
  pthread_sigmask(SIG_SETMASK, &previous, NULL);
  if (rc != 0) {
    pthread_cond_destroy(&p->changed);
    pthread_mutex_destroy(&p->lock);
    free(p);
    return rc;
  }
  *out = p;
  return 0;
}

int cli_prefetch_next(cli_prefetch* p, struct ArrowArray* out, artemis_error* error) {
  pthread_mutex_lock(&p->lock);
  while (!p->full) pthread_cond_wait(&p->changed, &p->lock);
  int status = p->status;
  if (status == ARTEMIS_OK) *out = p->batch;
  else if (error) *error = p->error;
  /* After the end or an error the thread has stopped; keep answering the same. */
  if (status == ARTEMIS_OK) p->full = 0;
  pthread_cond_broadcast(&p->changed);
  pthread_mutex_unlock(&p->lock);
  return status;
}

int64_t cli_prefetch_progress(cli_prefetch* p) {
  pthread_mutex_lock(&p->lock);
  int64_t bytes = p->progress_bytes;
  pthread_mutex_unlock(&p->lock);
  return bytes;
}

int cli_prefetch_stop(cli_prefetch* p, int wait_ms) {
  if (!p) return 1;
  pthread_mutex_lock(&p->lock);
  p->stopping = 1;
  pthread_cond_broadcast(&p->changed);
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += wait_ms / 1000;
  deadline.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
  if (deadline.tv_nsec >= 1000000000L) {
    deadline.tv_sec++;
    deadline.tv_nsec -= 1000000000L;
  }
  int rc = 0;
  while (!p->finished && rc != ETIMEDOUT) rc = pthread_cond_timedwait(&p->changed, &p->lock, &deadline);
  int finished = p->finished;
  pthread_mutex_unlock(&p->lock);
  /* Still blocked reading (a producer that neither writes nor closes): leave it to the
   * process exit rather than hang. The caller must then not free the source. */
  if (!finished) return 0;
  pthread_join(p->thread, NULL);
  if (p->full && p->status == ARTEMIS_OK) p->batch.release(&p->batch);
  pthread_cond_destroy(&p->changed);
  pthread_mutex_destroy(&p->lock);
  free(p);
  return 1;
}
