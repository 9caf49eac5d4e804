/* The canonical telemetry generator.
 *
 * Model: every payload is an independent, infinite sample stream with its own sampling
 * period, jitter, sequence counter, ADC random walks, calibration and PRNG. Because each
 * stream only depends on its own state, a payload's rows are identical whether the
 * streams are merged in global time order (a tournament tree keyed by the next
 * timestamp) or emitted payload after payload (each payload's row count fixed up front,
 * proportional to its sampling rate so both orders cover about the same time span).
 *
 * Memory: the generator holds O(payloads + missions + sensor kinds) state. Each batch
 * is allocated with worst-case string capacity before any row is generated, so a
 * generation pass cannot fail half-way and leave the streams advanced past rows that
 * were never handed out; the string buffers are shrunk to their used size afterwards
 * (untouched pages of the worst-case reservation are never made resident). */
#include "artemis/sample.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/errors.h"

enum {
  COLUMN_TIMESTAMP,
  COLUMN_MISSION,
  COLUMN_PAYLOAD,
  COLUMN_KIND,
  COLUMN_SEQUENCE,
  COLUMN_VOLTAGE,
  COLUMN_TEMPERATURE,
  COLUMN_PRESSURE,
  COLUMN_QUALITY,
  COLUMN_URI,
  COLUMN_PATH,
  COLUMN_NOTES,
  COLUMN_COUNT
};

#define NS_PER_SECOND INT64_C(1000000000)
#define NS_PER_DAY (INT64_C(86400) * NS_PER_SECOND)
/* 2026-04-01T00:00:00Z: the archive's first operational day. */
#define ARCHIVE_EPOCH_NS (INT64_C(1775001600) * NS_PER_SECOND)

#define DEFAULT_SEED UINT64_C(20260401)
#define DEFAULT_TOTAL_ROWS INT64_C(1000000)
#define DEFAULT_BATCH_ROWS INT64_C(65536)
#define DEFAULT_MISSIONS 8
#define DEFAULT_PAYLOADS 200
#define DEFAULT_SENSOR_KINDS 12

/* Upper bounds keep every generated name inside its fixed-size slot and payload ids
 * inside uint32; they are far above any realistic archive. */
#define MAX_PAYLOADS 1000000
#define MAX_SENSOR_KINDS 65536
#define NAME_CAPACITY 48
#define URI_CAPACITY 160
#define PATH_CAPACITY 128

/* Cached strings are copied in whole chunks (see builder_append_cached): their slots are
 * chunk multiples, so a string shorter than its slot never reads past it, and every
 * string data buffer gets one chunk of slack so the last copy never writes past it. */
#define COPY_CHUNK 16
_Static_assert(NAME_CAPACITY % COPY_CHUNK == 0 && URI_CAPACITY % COPY_CHUNK == 0 &&
                   PATH_CAPACITY % COPY_CHUNK == 0,
               "cached string slots must be whole copy chunks");
/* The path slots hold the longest mission name and a 10-digit payload id (see
 * compute_max_lengths for the fixed-width parts), so snprintf never truncates them. */
_Static_assert(URI_CAPACITY > 67 + NAME_CAPACITY + 10 && PATH_CAPACITY > 41 + NAME_CAPACITY + 10,
               "path slots too small for the longest names");

/* Probabilities are compared against 16 random bits. */
#define NOTE_THRESHOLD 1311u       /* 2.0% of rows carry an operator note */
#define LOSS_THRESHOLD 66u         /* 0.1% of frames are lost on the downlink */
#define QUALITY_MIN_THRESHOLD 328u /* 0.5% .. 2.0% of rows flagged, per payload */
#define QUALITY_THRESHOLD_SPREAD 984u

#define QUALITY_SATURATED 1u

/* ------------------------------------------------------------------------------------ */
/* Randomness: splitmix64, one independent stream per payload plus one for the setup. */

static inline uint64_t prng_next(uint64_t* state) {
  uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

/* Uniform in [0, bound) for bound < 2^32, by multiply-shift (bias below 2^-32). */
static inline uint32_t prng_below(uint64_t* state, uint32_t bound) {
  return (uint32_t)(((prng_next(state) >> 32) * (uint64_t)bound) >> 32);
}

static inline double prng_unit(uint64_t* state) {
  return (double)(prng_next(state) >> 11) * (1.0 / 9007199254740992.0);
}

/* ------------------------------------------------------------------------------------ */
/* Static vocabulary. */

static const char* const mission_names[] = {
    "ARTEMIS-I", "ARTEMIS-II",  "ARTEMIS-III",  "ARTEMIS-IV",
    "ARTEMIS-V", "GATEWAY-PPE", "GATEWAY-HALO", "CLPS-TO-2AB",
};
#define NAMED_MISSIONS ((int32_t)(sizeof mission_names / sizeof mission_names[0]))

/* Sampling periods a flight computer actually schedules: divisors of one second. */
static const int32_t sampling_periods_ms[] = {10, 20, 50, 100, 200, 250, 500, 1000};
#define PERIOD_CHOICES ((int32_t)(sizeof sampling_periods_ms / sizeof sampling_periods_ms[0]))

typedef struct sensor_kind_profile {
  const char* name;
  int32_t typical_period_index; /* into sampling_periods_ms */
} sensor_kind_profile;

static const sensor_kind_profile sensor_kind_profiles[] = {
    {"thermocouple", 6},  {"pressure_transducer", 3}, {"sun_sensor", 3},
    {"star_tracker", 3},  {"magnetometer", 2},        {"gyroscope", 0},
    {"accelerometer", 0}, {"radiation_dosimeter", 7}, {"photodiode", 1},
    {"strain_gauge", 2},  {"current_shunt", 4},       {"reaction_wheel_tachometer", 1},
};
#define NAMED_SENSOR_KINDS ((int32_t)(sizeof sensor_kind_profiles / sizeof sensor_kind_profiles[0]))

static const uint32_t part_row_choices[] = {512, 1024, 2048, 4096};
static const int32_t segment_second_choices[] = {60, 120, 300, 600, 900};
static const uint8_t random_quality_flags[] = {1, 2, 4, 8};

static const char* const note_openers[] = {
    "operator note ",
    "flight controller log ",
    "ground station remark ",
    "anomaly desk entry ",
};
#define NOTE_OPENERS (sizeof note_openers / sizeof note_openers[0])

typedef struct note_template {
  const char* before;
  const char* after;
  uint32_t value_range;
} note_template;

static const note_template note_templates[] = {
    {"recalibrated after thermal cycle ", "", 500},
    {"gain trim applied, offset moved by ", " counts", 40},
    {"reading looked stale, confirm on ground pass ", "", 9000},
    {"opened anomaly ticket ART-", ", values nominal after power cycle", 100000},
    {"heater duty cycle changed to ", " percent", 100},
    {"eclipse exit transient, ", " samples flagged for review", 600},
    {"link dropout of ", " frames during station handover", 300},
    {"switched to redundant channel ", " after bias drift", 4},
    {"bias drift of ", " microvolts since last calibration", 2000},
    {"firmware patch ", " uploaded, sensor restarted", 64},
    {"sun incidence of ", " degrees caused glint on the housing", 90},
    {"vibration during attitude slew, ", " g peak, no action needed", 12},
    {"checksum mismatch corrected in frame ", "", 1000000},
    {"manual override by flight director, shift ", "", 30},
};
#define NOTE_TEMPLATES (sizeof note_templates / sizeof note_templates[0])

/* ------------------------------------------------------------------------------------ */
/* Generator state. */

typedef struct name_slot {
  char text[NAME_CAPACITY];
  uint32_t length;
} name_slot;

/* One measured quantity of a payload: an ADC count random walk plus the unit's
 * calibration, or (FULL_MANTISSA) a continuous walk in engineering units. */
typedef struct sensor_channel {
  double gain;   /* engineering units per count */
  double offset; /* engineering value at count 0 */
  double walk_value;
  double walk_target;
  double walk_sigma;
  int32_t count;
  int32_t setpoint;
  int32_t max_count;
  uint32_t reversion_per_count; /* pull probability per count of deviation, in 2^-20 */
  int32_t pull_step;
  bool wide; /* 16-bit converter: noise spans more LSBs */
} sensor_channel;

typedef struct payload_stream {
  /* Hot per-row state first. */
  uint64_t rng;
  int64_t next_timestamp;
  int64_t sample_index; /* nominal sample slot of next_timestamp (lost frames skip slots) */
  int64_t phase_timestamp;
  int64_t period_ns;
  int64_t jitter_ns;
  uint64_t sequence_origin;
  int64_t segment_end_timestamp;
  int64_t day_end_timestamp;
  uint32_t rows_in_part;
  uint32_t part_rows;
  uint32_t part_number;
  uint32_t quality_threshold;
  uint32_t payload_id;
  uint64_t notes_written;
  int32_t segment_seconds;
  int32_t mission;
  int32_t sensor_kind;
  int32_t rate_hz;
  int32_t year, month, day;
  sensor_channel channels[3]; /* panel_voltage, temperature_c, pressure_kpa */
  uint32_t uri_length;
  uint32_t path_length;
  char uri[URI_CAPACITY];
  char path[PATH_CAPACITY];
} payload_stream;

typedef struct merge_node {
  int64_t timestamp;
  uint32_t payload;
} merge_node;

struct artemis_sample {
  artemis_sample_options options;
  int64_t rows_produced;
  payload_stream* payloads;
  merge_node* tournament;      /* TIME_ORDER only: [0] winner, [1..payloads) losers */
  int64_t* grouped_row_counts; /* PAYLOAD_GROUPED only */
  int32_t grouped_payload;
  int64_t grouped_rows_left;
  name_slot* missions;
  name_slot* sensor_kinds;
  uint32_t max_length[COLUMN_COUNT]; /* worst-case bytes per row of each utf8 column */
};

/* ------------------------------------------------------------------------------------ */
/* Small formatting helpers (rare paths use snprintf; the per-row path only memcpy's). */

static size_t format_unsigned(char* out, uint64_t value) {
  char reversed[20];
  size_t digits = 0;
  do {
    reversed[digits++] = (char)('0' + value % 10);
    value /= 10;
  } while (value != 0);
  for (size_t i = 0; i < digits; ++i) out[i] = reversed[digits - 1 - i];
  return digits;
}

static size_t append_text(char* out, const char* text) {
  size_t length = strlen(text);
  memcpy(out, text, length);
  return length;
}

static uint32_t decimal_digits(uint64_t value) {
  uint32_t digits = 1;
  while (value >= 10) {
    value /= 10;
    ++digits;
  }
  return digits;
}

static bool is_leap_year(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* Called once per payload per simulated day, so a plain year/month walk is fine. */
static void civil_date_from_days(int64_t days, int* year, int* month, int* day) {
  static const int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int y = 1970;
  for (;;) {
    int year_days = is_leap_year(y) ? 366 : 365;
    if (days < year_days) break;
    days -= year_days;
    ++y;
  }
  int m = 0;
  for (;;) {
    int length = month_days[m] + (m == 1 && is_leap_year(y) ? 1 : 0);
    if (days < length) break;
    days -= length;
    ++m;
  }
  *year = y;
  *month = m + 1;
  *day = (int)days + 1;
}

/* ------------------------------------------------------------------------------------ */
/* Path bookkeeping: archive_uri rolls to a new part file every part_rows samples of a
 * day; object_path names the hour and the fixed-length time segment of the sample. */

static void refresh_archive_uri(const artemis_sample* sample, payload_stream* payload) {
  const name_slot* mission = &sample->missions[payload->mission];
  int written =
      snprintf(payload->uri, sizeof payload->uri,
               "s3://artemis-cold-archive/%s/payload-%u/%04d/%02d/%02d/part-%06u.jsonl.gz",
               mission->text, (unsigned)payload->payload_id, payload->year, payload->month,
               payload->day, (unsigned)payload->part_number);
  payload->uri_length = written < 0 ? 0u
                        : (size_t)written >= sizeof payload->uri
                            ? (uint32_t)sizeof payload->uri - 1u
                            : (uint32_t)written;
}

static void refresh_object_path(const artemis_sample* sample, payload_stream* payload,
                                int64_t timestamp) {
  const name_slot* mission = &sample->missions[payload->mission];
  int64_t second_of_day = (timestamp % NS_PER_DAY) / NS_PER_SECOND;
  int hour = (int)(second_of_day / 3600);
  int segment = (int)((second_of_day % 3600) / payload->segment_seconds);
  int written = snprintf(payload->path, sizeof payload->path,
                         "%s/payload-%u/%04d-%02d-%02d/hour-%02d/seg-%04d.bin", mission->text,
                         (unsigned)payload->payload_id, payload->year, payload->month, payload->day,
                         hour, segment);
  payload->path_length = written < 0 ? 0u
                         : (size_t)written >= sizeof payload->path
                             ? (uint32_t)sizeof payload->path - 1u
                             : (uint32_t)written;
  int64_t segment_ns = (int64_t)payload->segment_seconds * NS_PER_SECOND;
  payload->segment_end_timestamp = (timestamp / segment_ns + 1) * segment_ns;
}

/* ------------------------------------------------------------------------------------ */
/* Batch construction. */

typedef struct string_builder {
  int32_t* offsets;
  char* data;
  int32_t used;
} string_builder;

typedef struct batch_cursor {
  int64_t* timestamps;
  uint32_t* payload_ids;
  uint64_t* sequences;
  double* voltages;
  double* temperatures;
  double* pressures;
  uint8_t* quality;
  uint8_t* notes_validity;
  int64_t notes_nulls;
  string_builder mission;
  string_builder kind;
  string_builder uri;
  string_builder path;
  string_builder notes;
} batch_cursor;

static inline void builder_append(string_builder* builder, int64_t row, const char* text,
                                  uint32_t length) {
  memcpy(builder->data + builder->used, text, length);
  builder->used += (int32_t)length;
  builder->offsets[row + 1] = builder->used;
}

/* For strings held in a COPY_CHUNK-multiple slot: fixed-size chunk copies inline to a
 * few vector moves, where a variable-length memcpy call per cell cost ~15% of the
 * generator's time. Bytes past `length` land in the buffer's slack or are overwritten
 * by the next cell. */
static inline void builder_append_cached(string_builder* builder, int64_t row, const char* slot,
                                         uint32_t length) {
  char* out = builder->data + builder->used;
  for (uint32_t copied = 0; copied < length; copied += COPY_CHUNK) {
    memcpy(out + copied, slot + copied, COPY_CHUNK);
  }
  builder->used += (int32_t)length;
  builder->offsets[row + 1] = builder->used;
}

/* Returns true when the walk hit a converter rail (the sample is saturated). */
static inline bool walk_adc(sensor_channel* channel, uint64_t bits) {
  static const int8_t narrow_steps[8] = {-2, -1, -1, 0, 0, 1, 1, 2};
  int32_t step = channel->wide ? (int32_t)(bits & 15u) - (int32_t)((bits >> 4) & 15u)
                               : narrow_steps[bits & 7u];
  /* Weak pull towards the unit's operating point keeps long runs off the rails. */
  int32_t deviation = channel->count - channel->setpoint;
  uint32_t magnitude = (uint32_t)(deviation < 0 ? -deviation : deviation);
  if ((uint32_t)((bits >> 8) & 0xFFFFFu) < magnitude * channel->reversion_per_count) {
    step = deviation > 0 ? -channel->pull_step : channel->pull_step;
  }
  int32_t count = channel->count + step;
  bool saturated = false;
  if (count <= 0) {
    count = 0;
    saturated = true;
  } else if (count >= channel->max_count) {
    count = channel->max_count;
    saturated = true;
  }
  channel->count = count;
  return saturated;
}

static inline double walk_full_mantissa(sensor_channel* channel, uint64_t bits) {
  /* Sum of four 16-bit uniforms: a cheap, bell-shaped step with unit variance. */
  double sum = (double)(bits & 0xFFFFu) + (double)((bits >> 16) & 0xFFFFu) +
               (double)((bits >> 32) & 0xFFFFu) + (double)(bits >> 48);
  double step = (sum - 131070.0) * (1.0 / 37837.23);
  channel->walk_value +=
      1e-4 * (channel->walk_target - channel->walk_value) + channel->walk_sigma * step;
  return channel->walk_value;
}

static void write_note(batch_cursor* cursor, int64_t row, payload_stream* payload) {
  char text[256];
  uint64_t choice = prng_next(&payload->rng);
  const note_template* chosen = &note_templates[(choice & 0xFFFFu) % NOTE_TEMPLATES];
  size_t length = append_text(text, note_openers[(choice >> 16) % NOTE_OPENERS]);
  length += format_unsigned(text + length, payload->payload_id);
  text[length++] = '-';
  length += format_unsigned(text + length, ++payload->notes_written);
  text[length++] = ':';
  text[length++] = ' ';
  length += append_text(text + length, chosen->before);
  length += format_unsigned(text + length, (choice >> 32) % chosen->value_range);
  length += append_text(text + length, chosen->after);
  builder_append(&cursor->notes, row, text, (uint32_t)length);
  cursor->notes_validity[row >> 3] |= (uint8_t)(1u << (row & 7));
}

static inline void emit_row(const artemis_sample* sample, payload_stream* payload,
                            batch_cursor* cursor, int64_t row) {
  const int64_t timestamp = payload->next_timestamp;
  const name_slot* mission = &sample->missions[payload->mission];
  const name_slot* kind = &sample->sensor_kinds[payload->sensor_kind];

  cursor->timestamps[row] = timestamp;
  builder_append_cached(&cursor->mission, row, mission->text, mission->length);
  cursor->payload_ids[row] = payload->payload_id;
  builder_append_cached(&cursor->kind, row, kind->text, kind->length);
  cursor->sequences[row] = payload->sequence_origin + (uint64_t)payload->sample_index;

  uint64_t events = prng_next(&payload->rng);
  bool saturated = false;
  if (sample->options.values == ARTEMIS_SAMPLE_FULL_MANTISSA) {
    cursor->voltages[row] = walk_full_mantissa(&payload->channels[0], prng_next(&payload->rng));
    cursor->temperatures[row] = walk_full_mantissa(&payload->channels[1], prng_next(&payload->rng));
    cursor->pressures[row] = walk_full_mantissa(&payload->channels[2], prng_next(&payload->rng));
  } else {
    /* walk_adc consumes 28 bits per channel. */
    uint64_t walk_bits = prng_next(&payload->rng);
    sensor_channel* channels = payload->channels;
    saturated |= walk_adc(&channels[0], walk_bits);
    saturated |= walk_adc(&channels[1], walk_bits >> 28);
    saturated |= walk_adc(&channels[2], prng_next(&payload->rng));
    cursor->voltages[row] = channels[0].offset + channels[0].gain * (double)channels[0].count;
    cursor->temperatures[row] = channels[1].offset + channels[1].gain * (double)channels[1].count;
    cursor->pressures[row] = channels[2].offset + channels[2].gain * (double)channels[2].count;
  }

  uint32_t quality_bits = (uint32_t)(events & 0xFFFFu);
  uint8_t quality = 0;
  if (saturated) {
    quality = QUALITY_SATURATED;
  } else if (quality_bits < payload->quality_threshold) {
    quality = random_quality_flags[quality_bits & 3u];
  }
  cursor->quality[row] = quality;

  if (timestamp >= payload->segment_end_timestamp) {
    bool new_day = timestamp >= payload->day_end_timestamp;
    if (new_day) {
      int64_t days = timestamp / NS_PER_DAY;
      civil_date_from_days(days, &payload->year, &payload->month, &payload->day);
      payload->day_end_timestamp = (days + 1) * NS_PER_DAY;
      payload->part_number = 0;
      payload->rows_in_part = 0;
      refresh_archive_uri(sample, payload);
    }
    refresh_object_path(sample, payload, timestamp);
  }
  if (payload->rows_in_part == payload->part_rows) {
    ++payload->part_number;
    payload->rows_in_part = 0;
    refresh_archive_uri(sample, payload);
  }
  ++payload->rows_in_part;
  builder_append_cached(&cursor->uri, row, payload->uri, payload->uri_length);
  builder_append_cached(&cursor->path, row, payload->path, payload->path_length);

  if ((uint32_t)((events >> 16) & 0xFFFFu) < NOTE_THRESHOLD) {
    write_note(cursor, row, payload);
  } else {
    cursor->notes.offsets[row + 1] = cursor->notes.used;
    ++cursor->notes_nulls;
  }

  /* Advance to the next sample; a lost downlink frame skips one slot of the counter
   * and of the clock. Jitter stays within 1% of the period, so per-payload timestamps
   * strictly increase. */
  int64_t slots = ((uint32_t)((events >> 32) & 0xFFFFu) < LOSS_THRESHOLD) ? 2 : 1;
  payload->sample_index += slots;
  int64_t jitter = (((int64_t)((events >> 48) & 0xFFFFu) - 32768) * payload->jitter_ns) / 32768;
  payload->next_timestamp =
      payload->phase_timestamp + payload->sample_index * payload->period_ns + jitter;
}

/* ------------------------------------------------------------------------------------ */
/* Time-order merge: a tournament (loser) tree over the payload streams, keyed by
 * (next timestamp, payload index); the index breaks ties so the merge order is fully
 * deterministic. Leaves sit at positions payloads..2*payloads-1, internal node p plays
 * the winners of 2p and 2p+1 and keeps the loser, node 0 keeps the overall winner.
 * Replacing the winner's key replays exactly one leaf-to-root path, written without
 * data-dependent branches: a binary heap's sift-down (child choice, early exit) and even
 * a branchy replay mispredicted often enough to dominate the per-row cost in profiles. */

static inline bool merge_before(merge_node a, merge_node b) {
  return a.timestamp < b.timestamp || (a.timestamp == b.timestamp && a.payload < b.payload);
}

static inline void tournament_replay(merge_node* nodes, uint32_t count, merge_node candidate) {
  uint64_t candidate_time = (uint64_t)candidate.timestamp;
  uint64_t candidate_payload = candidate.payload;
  for (uint32_t p = (count + candidate.payload) >> 1; p != 0; p >>= 1) {
    int64_t stored_time = nodes[p].timestamp;
    uint64_t stored_payload = nodes[p].payload;
    /* Bitwise, not short-circuit, so the compiler emits no branch; the swap is an
     * XOR under an all-ones/all-zero mask for the same reason. */
    int stored_wins =
        (stored_time < (int64_t)candidate_time) |
        ((stored_time == (int64_t)candidate_time) & (stored_payload < candidate_payload));
    uint64_t mask = (uint64_t)0 - (uint64_t)stored_wins;
    uint64_t time_flip = ((uint64_t)stored_time ^ candidate_time) & mask;
    uint64_t payload_flip = (stored_payload ^ candidate_payload) & mask;
    nodes[p].timestamp = (int64_t)((uint64_t)stored_time ^ time_flip);
    nodes[p].payload = (uint32_t)(stored_payload ^ payload_flip);
    candidate_time ^= time_flip;
    candidate_payload ^= payload_flip;
  }
  nodes[0].timestamp = (int64_t)candidate_time;
  nodes[0].payload = (uint32_t)candidate_payload;
}

/* `winners` is scratch space of `count` nodes. */
static void tournament_build(merge_node* nodes, merge_node* winners, const payload_stream* payloads,
                             uint32_t count) {
  for (uint32_t p = count; p-- > 1;) {
    merge_node sides[2];
    for (uint32_t side = 0; side < 2; ++side) {
      uint32_t child = 2 * p + side;
      if (child >= count) {
        uint32_t leaf = child - count;
        sides[side].timestamp = payloads[leaf].next_timestamp;
        sides[side].payload = leaf;
      } else {
        sides[side] = winners[child];
      }
    }
    bool left_wins = merge_before(sides[0], sides[1]);
    winners[p] = left_wins ? sides[0] : sides[1];
    nodes[p] = left_wins ? sides[1] : sides[0];
  }
  if (count == 1) {
    nodes[0].timestamp = payloads[0].next_timestamp;
    nodes[0].payload = 0;
  } else {
    nodes[0] = winners[1];
  }
}

/* ------------------------------------------------------------------------------------ */
/* ArrowArray ownership: every child owns its buffers through its own private block, so a
 * child moved out by the consumer outlives the parent; the parent block owns only the
 * child structs and the pointer arrays. */

typedef struct column_private {
  void* owned[3];
  const void* buffers[3];
} column_private;

typedef struct batch_private {
  struct ArrowArray children[COLUMN_COUNT];
  struct ArrowArray* child_pointers[COLUMN_COUNT];
  const void* buffers[1];
} batch_private;

static void release_column(struct ArrowArray* array) {
  column_private* owned = (column_private*)array->private_data;
  if (owned) {
    for (int i = 0; i < 3; ++i) free(owned->owned[i]);
    free(owned);
  }
  array->private_data = NULL;
  array->release = NULL;
}

static void release_batch(struct ArrowArray* array) {
  batch_private* owned = (batch_private*)array->private_data;
  if (owned) {
    for (int i = 0; i < COLUMN_COUNT; ++i) {
      struct ArrowArray* child = &owned->children[i];
      if (child->release) child->release(child);
    }
    free(owned);
  }
  array->private_data = NULL;
  array->release = NULL;
}

static bool column_is_string(int column) {
  return column == COLUMN_MISSION || column == COLUMN_KIND || column == COLUMN_URI ||
         column == COLUMN_PATH || column == COLUMN_NOTES;
}

static size_t fixed_width(int column) {
  switch (column) {
    case COLUMN_TIMESTAMP:
      return sizeof(int64_t);
    case COLUMN_PAYLOAD:
      return sizeof(uint32_t);
    case COLUMN_SEQUENCE:
      return sizeof(uint64_t);
    case COLUMN_VOLTAGE:
    case COLUMN_TEMPERATURE:
    case COLUMN_PRESSURE:
      return sizeof(double);
    case COLUMN_QUALITY:
      return sizeof(uint8_t);
    default:
      return 0;
  }
}

/* malloc never returns NULL for a successful empty request here: C Data consumers
 * expect non-NULL value buffers even when they hold zero bytes. */
static void* allocate_bytes(size_t size) {
  return malloc(size == 0 ? 1 : size);
}

/* Allocates the batch skeleton and every buffer at worst-case size. */
static int allocate_batch(const artemis_sample* sample, int64_t rows, struct ArrowArray* batch,
                          artemis_error* error) {
  memset(batch, 0, sizeof *batch);
  batch_private* owned = (batch_private*)calloc(1, sizeof *owned);
  if (!owned) goto out_of_memory;
  batch->length = rows;
  batch->n_buffers = 1;
  batch->n_children = COLUMN_COUNT;
  batch->buffers = owned->buffers;
  batch->children = owned->child_pointers;
  batch->release = release_batch;
  batch->private_data = owned;

  for (int column = 0; column < COLUMN_COUNT; ++column) {
    struct ArrowArray* child = &owned->children[column];
    owned->child_pointers[column] = child;
    column_private* buffers = (column_private*)calloc(1, sizeof *buffers);
    if (!buffers) goto out_of_memory;
    child->length = rows;
    child->buffers = buffers->buffers;
    child->release = release_column;
    child->private_data = buffers;
    size_t count = (size_t)rows;
    if (column_is_string(column)) {
      child->n_buffers = 3;
      buffers->owned[1] = allocate_bytes((count + 1) * sizeof(int32_t));
      buffers->owned[2] = allocate_bytes(count * sample->max_length[column] + COPY_CHUNK);
      if (!buffers->owned[1] || !buffers->owned[2]) goto out_of_memory;
      ((int32_t*)buffers->owned[1])[0] = 0;
      if (column == COLUMN_NOTES) {
        buffers->owned[0] = calloc((count + 7) / 8 == 0 ? 1 : (count + 7) / 8, 1);
        if (!buffers->owned[0]) goto out_of_memory;
      }
    } else {
      child->n_buffers = 2;
      buffers->owned[1] = allocate_bytes(count * fixed_width(column));
      if (!buffers->owned[1]) goto out_of_memory;
    }
    for (int i = 0; i < 3; ++i) buffers->buffers[i] = buffers->owned[i];
  }
  return ARTEMIS_OK;

out_of_memory:
  if (batch->release) batch->release(batch);
  return artemis_set_error(error, ARTEMIS_E_NOMEM,
                           "artemis_sample_next: cannot allocate a batch of %lld rows",
                           (long long)rows);
}

static void bind_builder(string_builder* builder, struct ArrowArray* child) {
  column_private* owned = (column_private*)child->private_data;
  builder->offsets = (int32_t*)owned->owned[1];
  builder->data = (char*)owned->owned[2];
  builder->used = 0;
}

static void* column_buffer(batch_private* owned, int column, int index) {
  return ((column_private*)owned->children[column].private_data)->owned[index];
}

static void bind_cursor(batch_cursor* cursor, struct ArrowArray* batch) {
  batch_private* owned = (batch_private*)batch->private_data;
  memset(cursor, 0, sizeof *cursor);
  cursor->timestamps = (int64_t*)column_buffer(owned, COLUMN_TIMESTAMP, 1);
  cursor->payload_ids = (uint32_t*)column_buffer(owned, COLUMN_PAYLOAD, 1);
  cursor->sequences = (uint64_t*)column_buffer(owned, COLUMN_SEQUENCE, 1);
  cursor->voltages = (double*)column_buffer(owned, COLUMN_VOLTAGE, 1);
  cursor->temperatures = (double*)column_buffer(owned, COLUMN_TEMPERATURE, 1);
  cursor->pressures = (double*)column_buffer(owned, COLUMN_PRESSURE, 1);
  cursor->quality = (uint8_t*)column_buffer(owned, COLUMN_QUALITY, 1);
  cursor->notes_validity = (uint8_t*)column_buffer(owned, COLUMN_NOTES, 0);
  bind_builder(&cursor->mission, &owned->children[COLUMN_MISSION]);
  bind_builder(&cursor->kind, &owned->children[COLUMN_KIND]);
  bind_builder(&cursor->uri, &owned->children[COLUMN_URI]);
  bind_builder(&cursor->path, &owned->children[COLUMN_PATH]);
  bind_builder(&cursor->notes, &owned->children[COLUMN_NOTES]);
}

/* Gives back the unused tail of a worst-case string reservation. */
static void shrink_string_data(struct ArrowArray* child, int32_t used) {
  column_private* owned = (column_private*)child->private_data;
  void* shrunk = realloc(owned->owned[2], used == 0 ? 1 : (size_t)used);
  if (shrunk) {
    owned->owned[2] = shrunk;
    owned->buffers[2] = shrunk;
  }
}

/* ------------------------------------------------------------------------------------ */
/* Public API. */

void artemis_sample_options_init(artemis_sample_options* options) {
  if (!options) return;
  memset(options, 0, sizeof *options);
  options->version = ARTEMIS_SAMPLE_OPTIONS_VERSION;
  options->seed = DEFAULT_SEED;
  options->total_rows = DEFAULT_TOTAL_ROWS;
  options->batch_rows = DEFAULT_BATCH_ROWS;
  options->missions = DEFAULT_MISSIONS;
  options->payloads = DEFAULT_PAYLOADS;
  options->sensor_kinds = DEFAULT_SENSOR_KINDS;
  options->order = ARTEMIS_SAMPLE_TIME_ORDER;
  options->values = ARTEMIS_SAMPLE_CALIBRATED_ADC;
}

static int validate_options(const artemis_sample_options* options, artemis_error* error) {
  if (options->version != ARTEMIS_SAMPLE_OPTIONS_VERSION) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                             "artemis_sample_open: options version %u is not %d (call "
                             "artemis_sample_options_init)",
                             (unsigned)options->version, ARTEMIS_SAMPLE_OPTIONS_VERSION);
  }
  if (options->total_rows < 0) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                             "artemis_sample_open: total_rows %lld is negative",
                             (long long)options->total_rows);
  }
  if (options->batch_rows <= 0) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                             "artemis_sample_open: batch_rows %lld must be positive",
                             (long long)options->batch_rows);
  }
  if (options->missions <= 0 || options->payloads <= 0 || options->sensor_kinds <= 0) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                             "artemis_sample_open: missions (%d), payloads (%d) and sensor_kinds "
                             "(%d) must be positive",
                             (int)options->missions, (int)options->payloads,
                             (int)options->sensor_kinds);
  }
  if (options->payloads < options->missions) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                             "artemis_sample_open: %d payloads cannot cover %d missions "
                             "(every mission needs at least one payload)",
                             (int)options->payloads, (int)options->missions);
  }
  if (options->payloads > MAX_PAYLOADS || options->sensor_kinds > MAX_SENSOR_KINDS) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                             "artemis_sample_open: at most %d payloads and %d sensor kinds "
                             "(got %d and %d)",
                             MAX_PAYLOADS, MAX_SENSOR_KINDS, (int)options->payloads,
                             (int)options->sensor_kinds);
  }
  if (options->order != ARTEMIS_SAMPLE_TIME_ORDER &&
      options->order != ARTEMIS_SAMPLE_PAYLOAD_GROUPED) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                             "artemis_sample_open: unknown order %d", (int)options->order);
  }
  if (options->values != ARTEMIS_SAMPLE_CALIBRATED_ADC &&
      options->values != ARTEMIS_SAMPLE_FULL_MANTISSA) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                             "artemis_sample_open: unknown values mode %d", (int)options->values);
  }
  return ARTEMIS_OK;
}

static void name_missions(artemis_sample* sample) {
  for (int32_t m = 0; m < sample->options.missions; ++m) {
    name_slot* slot = &sample->missions[m];
    if (m < NAMED_MISSIONS) {
      snprintf(slot->text, sizeof slot->text, "%s", mission_names[m]);
    } else {
      snprintf(slot->text, sizeof slot->text, "ARTEMIS-EXT-%03d", (int)(m - NAMED_MISSIONS + 1));
    }
    slot->length = (uint32_t)strlen(slot->text);
  }
  for (int32_t k = 0; k < sample->options.sensor_kinds; ++k) {
    name_slot* slot = &sample->sensor_kinds[k];
    if (k < NAMED_SENSOR_KINDS) {
      snprintf(slot->text, sizeof slot->text, "%s", sensor_kind_profiles[k].name);
    } else {
      snprintf(slot->text, sizeof slot->text, "auxiliary_sensor_%d", (int)(k + 1));
    }
    slot->length = (uint32_t)strlen(slot->text);
  }
}

static void calibrate_channel(sensor_channel* channel, uint64_t* rng, bool wide, double full_scale,
                              double range_low, double operating_low, double operating_high,
                              double walk_sigma) {
  channel->wide = wide;
  channel->max_count = wide ? 65535 : 4095;
  /* Unit-to-unit spread: +-1% gain, +-0.2% of full scale offset. */
  channel->gain = full_scale / channel->max_count * (1.0 + (prng_unit(rng) - 0.5) * 0.02);
  channel->offset = range_low + (prng_unit(rng) - 0.5) * 0.004 * full_scale;
  double operating = operating_low + prng_unit(rng) * (operating_high - operating_low);
  int32_t setpoint = (int32_t)((operating - channel->offset) / channel->gain + 0.5);
  if (setpoint < 1) setpoint = 1;
  if (setpoint > channel->max_count - 1) setpoint = channel->max_count - 1;
  channel->setpoint = setpoint;
  int32_t spread = wide ? 400 : 40;
  int32_t start = setpoint + (int32_t)prng_below(rng, (uint32_t)(2 * spread + 1)) - spread;
  channel->count = start < 0 ? 0 : start > channel->max_count ? channel->max_count : start;
  /* Reversion strength chosen so the stationary spread is ~150 counts (12-bit) or
   * ~1,200 counts (16-bit): a few percent of full scale. */
  channel->reversion_per_count = wide ? 2u : 32u;
  channel->pull_step = wide ? 8 : 1;
  channel->walk_target = operating;
  channel->walk_value = operating + (prng_unit(rng) - 0.5) * 20.0 * walk_sigma;
  channel->walk_sigma = walk_sigma;
}

static void shuffle_missions(artemis_sample* sample, uint64_t* rng) {
  int32_t count = sample->options.payloads;
  for (int32_t i = count - 1; i > 0; --i) {
    int32_t j = (int32_t)prng_below(rng, (uint32_t)i + 1u);
    int32_t swapped = sample->payloads[i].mission;
    sample->payloads[i].mission = sample->payloads[j].mission;
    sample->payloads[j].mission = swapped;
  }
}

static void setup_payloads(artemis_sample* sample) {
  const artemis_sample_options* options = &sample->options;
  uint64_t rng = options->seed ^ UINT64_C(0x6172746D69732D31);
  uint32_t next_id = 1001u + prng_below(&rng, 4);

  for (int32_t p = 0; p < options->payloads; ++p) {
    payload_stream* payload = &sample->payloads[p];
    /* Payload ids are sparse: retired and reserved ids leave gaps. */
    payload->payload_id = next_id;
    next_id += 1u + prng_below(&rng, 7);
    /* The first `missions` payloads pin one payload to each mission; the rest lean
     * towards the earlier missions, which have flown (and accumulated) more. */
    if (p < options->missions) {
      payload->mission = p;
    } else {
      uint32_t a = prng_below(&rng, (uint32_t)options->missions);
      uint32_t b = prng_below(&rng, (uint32_t)options->missions);
      payload->mission = (int32_t)(a < b ? a : b);
    }
    payload->sensor_kind = (int32_t)prng_below(&rng, (uint32_t)options->sensor_kinds);
    int32_t period_index;
    if (payload->sensor_kind < NAMED_SENSOR_KINDS) {
      period_index = sensor_kind_profiles[payload->sensor_kind].typical_period_index +
                     (int32_t)prng_below(&rng, 3) - 1;
      if (period_index < 0) period_index = 0;
      if (period_index >= PERIOD_CHOICES) period_index = PERIOD_CHOICES - 1;
    } else {
      period_index = (int32_t)prng_below(&rng, PERIOD_CHOICES);
    }
    int32_t period_ms = sampling_periods_ms[period_index];
    payload->rate_hz = 1000 / period_ms;
    payload->period_ns = (int64_t)period_ms * 1000000;
    payload->jitter_ns = payload->period_ns / 100;
    payload->phase_timestamp =
        ARCHIVE_EPOCH_NS + (int64_t)prng_below(&rng, (uint32_t)payload->period_ns);
    payload->sample_index = 0;
    payload->next_timestamp = payload->phase_timestamp;
    payload->sequence_origin = prng_below(&rng, UINT32_C(0x80000000));
    payload->part_rows = part_row_choices[prng_below(&rng, 4)];
    payload->segment_seconds = segment_second_choices[prng_below(&rng, 5)];
    payload->quality_threshold = QUALITY_MIN_THRESHOLD + prng_below(&rng, QUALITY_THRESHOLD_SPREAD);
    payload->segment_end_timestamp = 0; /* forces the first row to name its paths */
    payload->day_end_timestamp = 0;
    payload->notes_written = 0;

    calibrate_channel(&payload->channels[0], &rng, false, 40.0, 0.0, 24.0, 32.0, 0.004);
    calibrate_channel(&payload->channels[1], &rng, false, 250.0, -120.0, -30.0, 45.0, 0.01);
    calibrate_channel(&payload->channels[2], &rng, true, 250.0, 0.0, 5.0, 220.0, 0.02);
    payload->rng = prng_next(&rng);
  }
  shuffle_missions(sample, &rng);
}

/* Worst-case bytes per row of each utf8 column, to size batches and to guarantee that a
 * batch's string data fits int32 offsets. */
static void compute_max_lengths(artemis_sample* sample) {
  uint32_t mission_max = 0, kind_max = 0;
  for (int32_t m = 0; m < sample->options.missions; ++m) {
    if (sample->missions[m].length > mission_max) mission_max = sample->missions[m].length;
  }
  for (int32_t k = 0; k < sample->options.sensor_kinds; ++k) {
    if (sample->sensor_kinds[k].length > kind_max) kind_max = sample->sensor_kinds[k].length;
  }
  uint32_t id_digits = 1;
  for (int32_t p = 0; p < sample->options.payloads; ++p) {
    uint32_t digits = decimal_digits(sample->payloads[p].payload_id);
    if (digits > id_digits) id_digits = digits;
  }
  uint32_t opener_max = 0, template_max = 0;
  for (size_t i = 0; i < NOTE_OPENERS; ++i) {
    if (strlen(note_openers[i]) > opener_max) opener_max = (uint32_t)strlen(note_openers[i]);
  }
  for (size_t i = 0; i < NOTE_TEMPLATES; ++i) {
    uint32_t length =
        (uint32_t)(strlen(note_templates[i].before) + strlen(note_templates[i].after)) +
        decimal_digits(note_templates[i].value_range);
    if (length > template_max) template_max = length;
  }
  sample->max_length[COLUMN_MISSION] = mission_max;
  sample->max_length[COLUMN_KIND] = kind_max;
  /* Every variable field of the paths has a fixed width: 4-digit year (timestamps end in
   * 2262), 6-digit part (at most 100 Hz / 512 rows per part = 16,875 parts a day),
   * 2-digit hour, 4-digit segment. Only the mission name and payload id vary. */
  sample->max_length[COLUMN_URI] =
      (uint32_t)strlen("s3://artemis-cold-archive//payload-/2026/04/01/part-000000.jsonl.gz") +
      mission_max + id_digits;
  sample->max_length[COLUMN_PATH] =
      (uint32_t)strlen("/payload-/2026-04-01/hour-00/seg-0000.bin") + mission_max + id_digits;
  /* opener + id + '-' + counter (uint64) + ": " + template text */
  sample->max_length[COLUMN_NOTES] = opener_max + id_digits + 1 + 20 + 2 + template_max;
}

static void split_rows_across_payloads(artemis_sample* sample) {
  /* Each payload gets rows in proportion to its sampling rate, so every payload covers
   * about the same stretch of time, as in the time-ordered stream. */
  const int32_t payloads = sample->options.payloads;
  const uint64_t total = (uint64_t)sample->options.total_rows;
  uint64_t rate_sum = 0;
  for (int32_t p = 0; p < payloads; ++p) rate_sum += (uint64_t)sample->payloads[p].rate_hz;
  uint64_t whole = total / rate_sum, remainder = total % rate_sum, assigned = 0;
  for (int32_t p = 0; p < payloads; ++p) {
    uint64_t rate = (uint64_t)sample->payloads[p].rate_hz;
    uint64_t rows = whole * rate + remainder * rate / rate_sum;
    sample->grouped_row_counts[p] = (int64_t)rows;
    assigned += rows;
  }
  for (int32_t p = 0; assigned < total; p = (p + 1) % payloads, ++assigned) {
    ++sample->grouped_row_counts[p];
  }
  sample->grouped_payload = 0;
  sample->grouped_rows_left = sample->grouped_row_counts[0];
}

void artemis_sample_close(artemis_sample* sample) {
  if (!sample) return;
  free(sample->payloads);
  free(sample->tournament);
  free(sample->grouped_row_counts);
  free(sample->missions);
  free(sample->sensor_kinds);
  free(sample);
}

int artemis_sample_open(artemis_sample** out, const artemis_sample_options* options,
                        artemis_error* error) {
  if (!out)
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT, "artemis_sample_open: out is NULL");
  *out = NULL;
  artemis_sample_options defaults;
  if (!options) {
    artemis_sample_options_init(&defaults);
    options = &defaults;
  }
  ARTEMIS_RETURN_NOT_OK(validate_options(options, error));

  artemis_sample* sample = (artemis_sample*)calloc(1, sizeof *sample);
  if (!sample) goto out_of_memory;
  sample->options = *options;
  const size_t payloads = (size_t)options->payloads;
  sample->payloads = (payload_stream*)calloc(payloads, sizeof *sample->payloads);
  sample->missions = (name_slot*)calloc((size_t)options->missions, sizeof *sample->missions);
  sample->sensor_kinds =
      (name_slot*)calloc((size_t)options->sensor_kinds, sizeof *sample->sensor_kinds);
  if (!sample->payloads || !sample->missions || !sample->sensor_kinds) goto out_of_memory;
  if (options->order == ARTEMIS_SAMPLE_TIME_ORDER) {
    sample->tournament = (merge_node*)calloc(payloads, sizeof *sample->tournament);
    if (!sample->tournament) goto out_of_memory;
  } else {
    sample->grouped_row_counts = (int64_t*)calloc(payloads, sizeof *sample->grouped_row_counts);
    if (!sample->grouped_row_counts) goto out_of_memory;
  }

  name_missions(sample);
  setup_payloads(sample);
  compute_max_lengths(sample);

  /* The stream must end before int64 nanoseconds run out (year 2262): the span is about
   * total_rows / (sum of sampling rates) seconds, plus frame losses and phase. */
  uint64_t rate_sum = 0;
  for (size_t p = 0; p < payloads; ++p) rate_sum += (uint64_t)sample->payloads[p].rate_hz;
  double span_seconds = (double)options->total_rows / (double)rate_sum * 1.01 + 4.0;
  double available_seconds = (double)(INT64_MAX - ARCHIVE_EPOCH_NS) / (double)NS_PER_SECOND;
  if (span_seconds >= available_seconds) {
    artemis_sample_close(sample);
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                             "artemis_sample_open: %lld rows would run the timestamps past the "
                             "int64 nanosecond range",
                             (long long)options->total_rows);
  }

  int64_t largest_batch =
      options->batch_rows < options->total_rows ? options->batch_rows : options->total_rows;
  for (int column = 0; column < COLUMN_COUNT; ++column) {
    uint32_t max_length = sample->max_length[column];
    if (max_length != 0 && largest_batch > INT32_MAX / (int64_t)max_length) {
      artemis_sample_close(sample);
      return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                               "artemis_sample_open: batch_rows %lld could overflow the int32 "
                               "utf8 offsets of column %d; use at most %lld rows per batch",
                               (long long)options->batch_rows, column,
                               (long long)(INT32_MAX / (int64_t)max_length));
    }
  }

  if (sample->tournament) {
    merge_node* winners = (merge_node*)calloc(payloads, sizeof *winners);
    if (!winners) goto out_of_memory;
    tournament_build(sample->tournament, winners, sample->payloads, (uint32_t)payloads);
    free(winners);
  } else {
    split_rows_across_payloads(sample);
  }
  *out = sample;
  return ARTEMIS_OK;

out_of_memory:
  artemis_sample_close(sample);
  return artemis_set_error(error, ARTEMIS_E_NOMEM,
                           "artemis_sample_open: cannot allocate state for %d payloads",
                           (int)options->payloads);
}

static void generate_time_ordered(artemis_sample* sample, batch_cursor* cursor, int64_t rows) {
  merge_node* nodes = sample->tournament;
  const uint32_t count = (uint32_t)sample->options.payloads;
  for (int64_t row = 0; row < rows; ++row) {
    merge_node winner = nodes[0];
    payload_stream* payload = &sample->payloads[winner.payload];
    emit_row(sample, payload, cursor, row);
    winner.timestamp = payload->next_timestamp;
    tournament_replay(nodes, count, winner);
  }
}

static void generate_grouped(artemis_sample* sample, batch_cursor* cursor, int64_t rows) {
  int64_t row = 0;
  while (row < rows) {
    /* Rows remain, so some later payload still has rows: the walk stays in bounds. */
    while (sample->grouped_rows_left == 0) {
      ++sample->grouped_payload;
      sample->grouped_rows_left = sample->grouped_row_counts[sample->grouped_payload];
    }
    payload_stream* payload = &sample->payloads[sample->grouped_payload];
    int64_t run = rows - row < sample->grouped_rows_left ? rows - row : sample->grouped_rows_left;
    for (int64_t i = 0; i < run; ++i) emit_row(sample, payload, cursor, row + i);
    row += run;
    sample->grouped_rows_left -= run;
  }
}

int artemis_sample_next(artemis_sample* sample, struct ArrowArray* out, artemis_error* error) {
  if (!sample || !out) {
    return artemis_set_error(error, ARTEMIS_E_INVALID_ARGUMENT,
                             "artemis_sample_next: sample and out must not be NULL");
  }
  int64_t remaining = sample->options.total_rows - sample->rows_produced;
  if (remaining <= 0) {
    return artemis_set_error(error, ARTEMIS_E_END_OF_STREAM,
                             "artemis_sample_next: all %lld rows have been generated",
                             (long long)sample->options.total_rows);
  }
  int64_t rows = remaining < sample->options.batch_rows ? remaining : sample->options.batch_rows;

  struct ArrowArray batch;
  ARTEMIS_RETURN_NOT_OK(allocate_batch(sample, rows, &batch, error));
  batch_cursor cursor;
  bind_cursor(&cursor, &batch);
  if (sample->options.order == ARTEMIS_SAMPLE_TIME_ORDER) {
    generate_time_ordered(sample, &cursor, rows);
  } else {
    generate_grouped(sample, &cursor, rows);
  }
  sample->rows_produced += rows;

  batch_private* owned = (batch_private*)batch.private_data;
  owned->children[COLUMN_NOTES].null_count = cursor.notes_nulls;
  shrink_string_data(&owned->children[COLUMN_MISSION], cursor.mission.used);
  shrink_string_data(&owned->children[COLUMN_KIND], cursor.kind.used);
  shrink_string_data(&owned->children[COLUMN_URI], cursor.uri.used);
  shrink_string_data(&owned->children[COLUMN_PATH], cursor.path.used);
  shrink_string_data(&owned->children[COLUMN_NOTES], cursor.notes.used);
  *out = batch;
  return ARTEMIS_OK;
}
