#include "support/test_allocators.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* ---- always failing ---- */

static void* failing_alloc(void* ctx, size_t size) {
  (void)ctx;
  (void)size;
  return NULL;
}
static void* failing_realloc(void* ctx, void* ptr, size_t size) {
  (void)ctx;
  (void)ptr;
  (void)size;
  return NULL;
}
static void failing_free(void* ctx, void* ptr) {
  (void)ctx;
  (void)ptr;
}

const artemis_allocator test_failing_allocator = {failing_alloc, failing_realloc, failing_free, NULL};

/* ---- budget ---- */

static int budget_refuses(test_alloc_budget* budget, size_t size) {
  if (size > budget->largest) budget->largest = size;
  if (budget->left < 0) return 0;
  if (budget->left == 0) return 1;
  budget->left--;
  return 0;
}

static void* budget_alloc(void* ctx, size_t size) { return budget_refuses(ctx, size) ? NULL : malloc(size); }
static void* budget_realloc(void* ctx, void* ptr, size_t size) {
  return budget_refuses(ctx, size) ? NULL : realloc(ptr, size);
}
static void budget_free(void* ctx, void* ptr) {
  (void)ctx;
  free(ptr);
}

artemis_allocator test_budget_allocator(test_alloc_budget* budget) {
  artemis_allocator a = {budget_alloc, budget_realloc, budget_free, budget};
  return a;
}

static void* tracked_alloc(void* ctx, size_t size) { return budget_refuses(ctx, size) ? NULL : test_malloc(size); }
static void* tracked_realloc(void* ctx, void* ptr, size_t size) {
  return budget_refuses(ctx, size) ? NULL : test_realloc(ptr, size);
}
static void tracked_free(void* ctx, void* ptr) {
  (void)ctx;
  test_free(ptr);
}

artemis_allocator test_tracked_budget_allocator(test_alloc_budget* budget) {
  artemis_allocator a = {tracked_alloc, tracked_realloc, tracked_free, budget};
  return a;
}

void tracked_mem_init(tracked_mem* env, long allowed) {
  memset(env, 0, sizeof *env);
  env->budget.left = allowed;
  env->allocator = test_tracked_budget_allocator(&env->budget);
  artemis_mem_init(&env->mem, &env->allocator);
}

/* ---- the nth call fails ---- */

static void* nth_alloc(void* ctx, size_t n) {
  test_nth_failure* a = ctx;
  if (++a->calls == a->fail_at) return NULL;
  void* p = malloc(n);
  if (p) a->live++;
  return p;
}
static void* nth_realloc(void* ctx, void* p, size_t n) {
  test_nth_failure* a = ctx;
  if (++a->calls == a->fail_at) return NULL;
  void* q = realloc(p, n);
  if (q && !p) a->live++;
  return q;
}
static void nth_free(void* ctx, void* p) {
  test_nth_failure* a = ctx;
  if (p) a->live--;
  free(p);
}

artemis_allocator test_nth_failure_allocator(test_nth_failure* state) {
  artemis_allocator a = {nth_alloc, nth_realloc, nth_free, state};
  return a;
}
