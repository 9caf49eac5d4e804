/* The canonical Artemis telemetry: the 12-column schema of the briefing and a
 * deterministic, realistic generator that streams it in constant memory. Used by the CLI
 * (--sample N), the tests and the benchmarks. */
#ifndef ARTEMIS_SAMPLE_H
#define ARTEMIS_SAMPLE_H

#include <stdint.h>
#include "artemis/arrow_c.h"
#include "artemis/error.h"
#include "artemis/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Builds the canonical schema (struct of 12 fields, in this order):
 *   sample_timestamp_ns  timestamp[ns] (no tz)  non-null
 *   mission_id           utf8                   non-null
 *   payload_id           uint32                 non-null
 *   sensor_kind          utf8                   non-null
 *   sequence_number      uint64                 non-null
 *   panel_voltage        float64                non-null
 *   temperature_c        float64                non-null
 *   pressure_kpa         float64                non-null
 *   quality_flag         uint8                  non-null
 *   archive_uri          utf8                   non-null
 *   object_path          utf8                   non-null
 *   notes                utf8                   nullable
 * @param[out] out  caller owns it and must call out->release(out).
 * @return ARTEMIS_OK or ARTEMIS_E_NOMEM. */
ARTEMIS_API int artemis_sample_schema(struct ArrowSchema* out, artemis_error* error);

typedef enum artemis_sample_order {
  ARTEMIS_SAMPLE_TIME_ORDER = 0,      /* global time order, payloads interleaved (default) */
  ARTEMIS_SAMPLE_PAYLOAD_GROUPED = 1  /* each payload's rows together, in time order */
} artemis_sample_order;

typedef enum artemis_sample_values {
  ARTEMIS_SAMPLE_CALIBRATED_ADC = 0, /* integer ADC counts x per-payload calibration (default) */
  ARTEMIS_SAMPLE_FULL_MANTISSA = 1   /* float-heavy variant: full-mantissa random walks */
} artemis_sample_values;

#define ARTEMIS_SAMPLE_OPTIONS_VERSION 1

typedef struct artemis_sample_options {
  uint32_t version;      /* ARTEMIS_SAMPLE_OPTIONS_VERSION */
  uint64_t seed;         /* default 20260401 */
  int64_t total_rows;    /* rows to generate, default 1,000,000 */
  int64_t batch_rows;    /* rows per batch, default 65,536 (last batch may be shorter) */
  int32_t missions;      /* default 8 */
  int32_t payloads;      /* default 200 */
  int32_t sensor_kinds;  /* default 12 */
  artemis_sample_order order;
  artemis_sample_values values;
} artemis_sample_options;

ARTEMIS_API void artemis_sample_options_init(artemis_sample_options* options);

typedef struct artemis_sample artemis_sample;

/* Opens a generator. Same options (seed included) => byte-identical batches.
 * Memory is O(payloads + batch_rows), independent of total_rows. */
ARTEMIS_API int artemis_sample_open(artemis_sample** out, const artemis_sample_options* options,
                                    artemis_error* error);

/* Produces the next batch (struct array of the canonical schema) into `out`; the caller
 * owns it and must call out->release(out). Returns ARTEMIS_E_END_OF_STREAM (and leaves
 * `out` untouched) once total_rows have been produced. */
ARTEMIS_API int artemis_sample_next(artemis_sample* sample, struct ArrowArray* out,
                                    artemis_error* error);

/* Frees the generator. Batches already handed out stay valid. NULL is a no-op. */
ARTEMIS_API void artemis_sample_close(artemis_sample* sample);

#ifdef __cplusplus
}
#endif

#endif /* ARTEMIS_SAMPLE_H */
