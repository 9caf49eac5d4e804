/* Status codes and the caller-owned error struct.
 *
 * Every fallible call returns an int status: ARTEMIS_OK (0) or one of the negative
 * ARTEMIS_E_* codes below. The numeric values are pinned: they never change once
 * published, new codes are only ever appended. Every fallible call also takes an
 * optional `artemis_error*` (NULL is always allowed) that it fills on failure with a
 * message naming the column, row group and byte offset where they are known. */
#ifndef ARTEMIS_ERROR_H
#define ARTEMIS_ERROR_H

#include <stdint.h>
#include "artemis/export.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
  ARTEMIS_OK = 0,
  ARTEMIS_E_INVALID_ARGUMENT = -1, /* API misuse: NULL handle, bad option value */
  ARTEMIS_E_INVALID_INPUT = -2,    /* malformed Arrow data (offsets, lengths, buffers) */
  ARTEMIS_E_UNSUPPORTED = -3,      /* valid input the writer cannot store (e.g. nested types) */
  ARTEMIS_E_IO = -4,               /* a system call failed; sys_errno says which errno */
  ARTEMIS_E_NOMEM = -5,            /* allocation failed or the allocator's cap was reached */
  ARTEMIS_E_LIMIT = -6,            /* a configured or format limit would be exceeded */
  ARTEMIS_E_CONFLICT = -7,         /* the final path or its .inprogress file already exists */
  ARTEMIS_E_NEED_MORE = -8,        /* (readers) more bytes are needed */
  ARTEMIS_E_END_OF_STREAM = -9,    /* (readers, generator) no more batches */
  ARTEMIS_E_STATE = -10,           /* the handle is in a state that forbids this call */
  ARTEMIS_E_CONFIG = -11,          /* the configuration does not fit the schema */
  ARTEMIS_E_INTERNAL = -12,        /* a bug in artemis; please report it */
  /* The output's commit was sent but neither it nor a check afterwards got an answer: the
   * output may or may not exist (S3: CompleteMultipartUpload, then HeadObject). Check it. */
  ARTEMIS_E_OUTCOME_UNKNOWN = -13
};

#define ARTEMIS_ERROR_MESSAGE_SIZE 1024

/* Filled by a failing call. All fields are reset by the call that fails; a field that
 * does not apply is -1 (numbers) or empty (strings). */
typedef struct artemis_error {
  int code;                 /* the ARTEMIS_E_* code the call returned */
  int sys_errno;            /* errno of the failing system call, or 0 */
  int64_t column;           /* column index in the schema, or -1 */
  int64_t row_group;        /* row-group index, or -1 */
  int64_t offset;           /* byte offset (output file or input stream) or row, see message */
  char message[ARTEMIS_ERROR_MESSAGE_SIZE]; /* NUL-terminated, human-readable, one line */
} artemis_error;

/* Static name of a status code, e.g. "ARTEMIS_E_IO". Never NULL. */
ARTEMIS_API const char* artemis_status_name(int status);

/* Resets `error` to "no error" (code 0, empty message, fields -1). NULL is a no-op. */
ARTEMIS_API void artemis_error_clear(artemis_error* error);

#ifdef __cplusplus
}
#endif

#endif /* ARTEMIS_ERROR_H */
