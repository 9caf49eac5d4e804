/* Test helper: artemis_allocator variants that fail on purpose, so tests can check that
 * every allocation failure is reported as ARTEMIS_E_NOMEM and leaves things clean. */
#ifndef ARTEMIS_TEST_ALLOCATORS_H
#define ARTEMIS_TEST_ALLOCATORS_H

#include <stddef.h>
#include <stdint.h>

#include "artemis/alloc.h"
#include "core/memory.h"

/* Every alloc and realloc returns NULL; free does nothing. */
extern const artemis_allocator test_failing_allocator;

/* A budget of allocations: `left` more alloc/realloc calls succeed, then every further
 * one fails (left < 0: no limit). Setting `left` mid-test restores or cuts the supply.
 * `largest` records the largest size ever requested, failed requests included. */
typedef struct test_alloc_budget {
  long left;
  size_t largest;
} test_alloc_budget;

/* Budgeted malloc/realloc/free. */
artemis_allocator test_budget_allocator(test_alloc_budget* budget);
/* Budgeted cmocka test_malloc/test_realloc/test_free: cmocka also reports leaks and
 * overruns of every test. */
artemis_allocator test_tracked_budget_allocator(test_alloc_budget* budget);

/* An artemis_mem over test_tracked_budget_allocator, allocator and budget included. */
typedef struct tracked_mem {
  test_alloc_budget budget;
  artemis_allocator allocator;
  artemis_mem mem;
} tracked_mem;

/* `allowed`: how many allocations succeed before every further one fails; -1: all. */
void tracked_mem_init(tracked_mem* env, long allowed);

/* Fails exactly one call: the `fail_at`-th alloc/realloc (counting from 1 in `calls`;
 * -1: none). malloc/realloc/free underneath; `live` counts the blocks not yet freed. */
typedef struct test_nth_failure {
  int64_t calls;
  int64_t fail_at;
  int64_t live;
} test_nth_failure;

artemis_allocator test_nth_failure_allocator(test_nth_failure* state);

#endif
