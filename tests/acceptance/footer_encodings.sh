#!/usr/bin/env bash
# acceptance.footer_encodings: the briefing's encoding map in every row group's column-chunk
# metadata, read with DuckDB's parquet_metadata() (inspect.mjs footer):
#   DELTA_BINARY_PACKED  sample_timestamp_ns, sequence_number
#   BYTE_STREAM_SPLIT    panel_voltage, temperature_c, pressure_kpa
#   DELTA_BYTE_ARRAY     archive_uri, object_path
#     (exactly that value encoding, RLE for levels, no dictionary beside it)
#   a dictionary encoding: mission_id, payload_id, sensor_kind, quality_flag, notes
#   ZSTD on every chunk.
# usage: footer_encodings.sh            the briefing's preset: must PASS
#        footer_encodings.sh negative   a file with three columns overridden
#                                       (panel_voltage=PLAIN, mission_id=PLAIN,
#                                       sample_timestamp_ns=DICTIONARY): the check must
#                                       FAIL on exactly those three columns
. "$(dirname "$0")/common.sh"
need_node
out=$ACC_OUT/footer
mkdir -p "$out"
if [ "${1:-}" = negative ]; then
  "$ACC_BIN/acceptance_write" -o "$out/wrong.parquet" --rows 300000 --row-group-bytes 16777216 --preset artemis \
    --encoding panel_voltage=PLAIN --encoding mission_id=PLAIN --encoding sample_timestamp_ns=DICTIONARY
  exec "$ACC_NODE" "$ACC_DIR/inspect.mjs" footer "$out/wrong.parquet" \
    --expect-fail panel_voltage,mission_id,sample_timestamp_ns
fi
# 1,000,000 rows with a 32 MiB target: 7 row groups, so "every row group" means something.
"$ACC_BIN/acceptance_write" -o "$out/preset.parquet" --rows 1000000 --row-group-bytes 33554432 --preset artemis
exec "$ACC_NODE" "$ACC_DIR/inspect.mjs" footer "$out/preset.parquet"
