/* Test helper: the body of a forked child that writes canonical sample rows (artemis
 * preset, 1 MiB row groups so several reach the file) to `path` and then dies without
 * closing the writer, leaving only <path>.inprogress behind. */
#ifndef ARTEMIS_TEST_CANONICAL_CHILD_H
#define ARTEMIS_TEST_CANONICAL_CHILD_H

#include <stdint.h>

/* Opens a sample of `total_rows` rows in batches of 20000 and writes `batches` of them.
 * Then raises `kill_signal` (e.g. SIGKILL), or with 0 exits with status 0. Never returns;
 * exit status 3, 4 or 5 when opening, reading a batch or writing it failed. */
_Noreturn void canonical_child_write_then_die(const char* path, int64_t total_rows, int batches, int kill_signal);

#endif
