/* A small fixed pool of worker threads for the writer's per-column work. The caller's
 * thread is worker 0 and takes jobs too, so `threads` = 1 starts no thread at all.
 *
 * Why a pool and not a thread per batch: a batch slice is a few milliseconds of work per
 * column; creating threads that often would cost more than it saves. Why jobs are whole
 * columns: each column writer owns all of its state, so columns need no locks between
 * them, and a column's bytes do not depend on which thread encoded it. */
#ifndef ARTEMIS_CORE_WORKER_POOL_H
#define ARTEMIS_CORE_WORKER_POOL_H

#include <stddef.h>
#include "artemis/error.h"
#include "core/memory.h"

typedef struct artemis_worker_pool artemis_worker_pool;

/* Runs job `job` on worker `worker` (0 = the caller of run, 1..threads-1 = pool threads). */
typedef void (*artemis_job_fn)(void* context, size_t job, size_t worker);

/* Starts threads-1 threads (they block every signal, so signals reach the caller's
 * threads). ARTEMIS_OK, or ARTEMIS_E_NOMEM / ARTEMIS_E_IO with `error` filled (nothing is
 * left running). The pool is allocated from `mem`, which must outlive it. */
int artemis_worker_pool_start(artemis_worker_pool** out, artemis_mem* mem, size_t threads, artemis_error* error);

/* Runs jobs 0..jobs-1 across all workers and returns when every job has finished. Jobs
 * are handed out in index order to whichever worker is free. Not reentrant. */
void artemis_worker_pool_run(artemis_worker_pool* pool, size_t jobs, artemis_job_fn fn, void* context);

size_t artemis_worker_pool_threads(const artemis_worker_pool* pool);

/* Stops and joins the threads, frees the pool. NULL is a no-op. */
void artemis_worker_pool_stop(artemis_worker_pool* pool);

#endif
