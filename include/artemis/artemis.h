/* artemis-archive-writer: Arrow record batches to Apache Parquet files.
 * Umbrella header; see writer.h for the lifecycle and its memory/atomicity contract. */
#ifndef ARTEMIS_ARTEMIS_H
#define ARTEMIS_ARTEMIS_H

#include "artemis/alloc.h"
#include "artemis/arrow_c.h"
#include "artemis/error.h"
#include "artemis/events.h"
#include "artemis/export.h"
#include "artemis/ipc_reader.h"
#include "artemis/options.h"
#include "artemis/s3.h"
#include "artemis/sample.h"
#include "artemis/writer.h"

#define ARTEMIS_VERSION_MAJOR 0
#define ARTEMIS_VERSION_MINOR 1
#define ARTEMIS_VERSION_PATCH 0
#define ARTEMIS_VERSION_NUMBER \
  (ARTEMIS_VERSION_MAJOR * 10000 + ARTEMIS_VERSION_MINOR * 100 + ARTEMIS_VERSION_PATCH)

#ifdef __cplusplus
extern "C" {
#endif

/* Runtime version of the linked library (compare with ARTEMIS_VERSION_NUMBER). */
ARTEMIS_API int artemis_version_number(void);
ARTEMIS_API const char* artemis_version_string(void);

#ifdef __cplusplus
}
#endif

#endif /* ARTEMIS_ARTEMIS_H */
