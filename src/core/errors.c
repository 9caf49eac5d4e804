#include "core/errors.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char* artemis_status_name(int status) {
  switch (status) {
    case ARTEMIS_OK: return "ARTEMIS_OK";
    case ARTEMIS_E_INVALID_ARGUMENT: return "ARTEMIS_E_INVALID_ARGUMENT";
    case ARTEMIS_E_INVALID_INPUT: return "ARTEMIS_E_INVALID_INPUT";
    case ARTEMIS_E_UNSUPPORTED: return "ARTEMIS_E_UNSUPPORTED";
    case ARTEMIS_E_IO: return "ARTEMIS_E_IO";
    case ARTEMIS_E_NOMEM: return "ARTEMIS_E_NOMEM";
    case ARTEMIS_E_LIMIT: return "ARTEMIS_E_LIMIT";
    case ARTEMIS_E_CONFLICT: return "ARTEMIS_E_CONFLICT";
    case ARTEMIS_E_NEED_MORE: return "ARTEMIS_E_NEED_MORE";
    case ARTEMIS_E_END_OF_STREAM: return "ARTEMIS_E_END_OF_STREAM";
    case ARTEMIS_E_STATE: return "ARTEMIS_E_STATE";
    case ARTEMIS_E_CONFIG: return "ARTEMIS_E_CONFIG";
    case ARTEMIS_E_INTERNAL: return "ARTEMIS_E_INTERNAL";
    case ARTEMIS_E_OUTCOME_UNKNOWN: return "ARTEMIS_E_OUTCOME_UNKNOWN";
    default: return "ARTEMIS_E_UNKNOWN";
  }
}

void artemis_error_clear(artemis_error* error) {
  if (!error) return;
  error->code = 0;
  error->sys_errno = 0;
  error->column = -1;
  error->row_group = -1;
  error->offset = -1;
  error->message[0] = '\0';
}

ARTEMIS_PRINTF(3, 0) static void vset(artemis_error* error, int code, const char* fmt, va_list ap) {
  artemis_error_clear(error);
  error->code = code;
  vsnprintf(error->message, sizeof error->message, fmt, ap);
}

int artemis_set_error(artemis_error* error, int code, const char* fmt, ...) {
  if (!error) return code;
  va_list ap;
  va_start(ap, fmt);
  vset(error, code, fmt, ap);
  va_end(ap);
  return code;
}

int artemis_set_error_at(artemis_error* error, int code, int64_t column, int64_t row_group,
                         int64_t offset, const char* fmt, ...) {
  if (!error) return code;
  va_list ap;
  va_start(ap, fmt);
  vset(error, code, fmt, ap);
  va_end(ap);
  error->column = column;
  error->row_group = row_group;
  error->offset = offset;
  return code;
}

int artemis_set_io_error(artemis_error* error, int sys_errno, const char* fmt, ...) {
  if (!error) return ARTEMIS_E_IO;
  va_list ap;
  va_start(ap, fmt);
  vset(error, ARTEMIS_E_IO, fmt, ap);
  va_end(ap);
  error->sys_errno = sys_errno;
  size_t used = strlen(error->message);
  snprintf(error->message + used, sizeof error->message - used, ": %s (errno %d)",
           strerror(sys_errno), sys_errno);
  return ARTEMIS_E_IO;
}
