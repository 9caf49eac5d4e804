/* Helpers to fill an artemis_error (NULL-tolerant). */
#ifndef ARTEMIS_CORE_ERRORS_H
#define ARTEMIS_CORE_ERRORS_H

#include <stdint.h>
#include "artemis/error.h"

#if defined(__GNUC__)
#define ARTEMIS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define ARTEMIS_PRINTF(a, b)
#endif

/* Sets code and message (printf-style), clears the context fields; returns `code`. */
int artemis_set_error(artemis_error* error, int code, const char* fmt, ...) ARTEMIS_PRINTF(3, 4);
/* Same, with context fields. Pass -1 for the ones that do not apply. */
int artemis_set_error_at(artemis_error* error, int code, int64_t column, int64_t row_group,
                         int64_t offset, const char* fmt, ...) ARTEMIS_PRINTF(6, 7);
/* ARTEMIS_E_IO with sys_errno and ": <strerror> (errno N)" appended. */
int artemis_set_io_error(artemis_error* error, int sys_errno, const char* fmt, ...) ARTEMIS_PRINTF(3, 4);

#define ARTEMIS_RETURN_NOT_OK(expr) \
  do {                               \
    int artemis_rc_ = (expr);        \
    if (artemis_rc_ != 0) return artemis_rc_; \
  } while (0)

#endif
