#include "core/worker_pool.h"

#include <pthread.h>
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "core/errors.h"

typedef struct worker_slot {
  artemis_worker_pool* pool;
  size_t index;
  pthread_t thread;
} worker_slot;

struct artemis_worker_pool {
  artemis_mem* mem;
  size_t threads;
  worker_slot* slots; /* threads - 1 */
  size_t started;

  pthread_mutex_t lock;
  pthread_cond_t work_ready; /* a new generation of jobs, or stop */
  pthread_cond_t work_done;  /* the last job of a generation finished */
  unsigned long generation;
  int stopping;
  artemis_job_fn fn;
  void* context;
  size_t jobs;
  size_t next_job;
  size_t unfinished;
};

/* Takes jobs of the current generation until none is left. Called with the lock held;
 * returns with it held. */
static void drain(artemis_worker_pool* pool, size_t worker) {
  while (pool->next_job < pool->jobs) {
    size_t job = pool->next_job++;
    artemis_job_fn fn = pool->fn;
    void* context = pool->context;
    pthread_mutex_unlock(&pool->lock);
    fn(context, job, worker);
    pthread_mutex_lock(&pool->lock);
    if (--pool->unfinished == 0) pthread_cond_broadcast(&pool->work_done);
  }
}

static void* worker_main(void* arg) {
  worker_slot* slot = arg;
  artemis_worker_pool* pool = slot->pool;
  pthread_mutex_lock(&pool->lock);
  unsigned long seen = pool->generation;
  for (;;) {
    while (!pool->stopping && pool->generation == seen) pthread_cond_wait(&pool->work_ready, &pool->lock);
    if (pool->stopping) break;
    seen = pool->generation;
    drain(pool, slot->index);
  }
  pthread_mutex_unlock(&pool->lock);
  return NULL;
}

void artemis_worker_pool_stop(artemis_worker_pool* pool) {
  if (!pool) return;
  pthread_mutex_lock(&pool->lock);
  pool->stopping = 1;
  pthread_cond_broadcast(&pool->work_ready);
  pthread_mutex_unlock(&pool->lock);
  for (size_t i = 0; i < pool->started; i++) pthread_join(pool->slots[i].thread, NULL);
  pthread_cond_destroy(&pool->work_done);
  pthread_cond_destroy(&pool->work_ready);
  pthread_mutex_destroy(&pool->lock);
  artemis_mem_free(pool->mem, pool->slots);
  artemis_mem_free(pool->mem, pool);
}

int artemis_worker_pool_start(artemis_worker_pool** out, artemis_mem* mem, size_t threads, artemis_error* error) {
  *out = NULL;
  if (threads < 1) threads = 1;
  artemis_worker_pool* pool = artemis_mem_calloc(mem, 1, sizeof *pool);
  if (!pool) return artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory starting %zu worker threads", threads);
  pool->mem = mem;
  pool->threads = threads;
  if (pthread_mutex_init(&pool->lock, NULL) != 0) {
    artemis_mem_free(mem, pool);
    return artemis_set_error(error, ARTEMIS_E_NOMEM, "cannot create the worker pool's mutex");
  }
  pthread_cond_init(&pool->work_ready, NULL);
  pthread_cond_init(&pool->work_done, NULL);
  if (threads > 1) {
    pool->slots = artemis_mem_calloc(mem, threads - 1, sizeof *pool->slots);
    if (!pool->slots) {
      artemis_worker_pool_stop(pool);
      return artemis_set_error(error, ARTEMIS_E_NOMEM, "out of memory starting %zu worker threads", threads);
    }
    /* Workers block every signal: a SIGINT handler of the application must run on one of
     * its own threads, never in the middle of our encoding. */
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    int rc = 0;
    for (size_t i = 0; i + 1 < threads; i++) {
      pool->slots[i].pool = pool;
      pool->slots[i].index = i + 1;
      rc = pthread_create(&pool->slots[i].thread, NULL, worker_main, &pool->slots[i]);
      if (rc != 0) break;
      pool->started++;
    }
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (rc != 0) {
      artemis_worker_pool_stop(pool);
      return artemis_set_error(error, rc == EAGAIN ? ARTEMIS_E_NOMEM : ARTEMIS_E_IO,
                               "cannot start worker thread %zu of %zu: %s", pool->started + 1, threads - 1, strerror(rc));
    }
  }
  *out = pool;
  return ARTEMIS_OK;
}

void artemis_worker_pool_run(artemis_worker_pool* pool, size_t jobs, artemis_job_fn fn, void* context) {
  if (jobs == 0) return;
  if (pool->threads == 1 || jobs == 1) {
    for (size_t j = 0; j < jobs; j++) fn(context, j, 0);
    return;
  }
  pthread_mutex_lock(&pool->lock);
  pool->fn = fn;
  pool->context = context;
  pool->jobs = jobs;
  pool->next_job = 0;
  pool->unfinished = jobs;
  pool->generation++;
  pthread_cond_broadcast(&pool->work_ready);
  drain(pool, 0);
  while (pool->unfinished > 0) pthread_cond_wait(&pool->work_done, &pool->lock);
  pool->jobs = 0; /* a late-waking worker finds nothing to take */
  pthread_mutex_unlock(&pool->lock);
}

size_t artemis_worker_pool_threads(const artemis_worker_pool* pool) { return pool ? pool->threads : 1; }
