#!/usr/bin/env bash
# acceptance.roundtrip: generated canonical batches written with the briefing's preset, the
# measured preset and the adaptive strategy (2 worker threads), read back by arrow-rs (parquet-wasm: the Rust parquet crate's
# ParquetRecordBatchReader) and DuckDB. Every value is compared with the generated arrays
# (bit-exact primitives, byte-exact strings, nulls in the same places; tests/interop/README.md),
# plus each row group's statistics and codec through DuckDB's parquet_metadata().
# usage: roundtrip.sh [ROWS]
. "$(dirname "$0")/common.sh"
need_node
rows=${1:-300000}
out=$ACC_OUT/roundtrip
rm -rf "$out"
"$ACC_GEN" "$out" --acceptance-roundtrip "$rows"
set +e
"$ACC_NODE" "$INTEROP_DIR/verify.mjs" "$out" --readers arrow-rs,duckdb | tee "$out.log"
rc=${PIPESTATUS[0]}
set -e
[ "$rc" -eq 0 ] || fail "verify.mjs reported failures (exit $rc)"
# Every (case, check) must be there and PASS: nothing skipped, no limitation needed.
for c in roundtrip_artemis_preset roundtrip_measured_preset roundtrip_adaptive; do
  for check in arrow-rs duckdb duckdb:metadata; do
    grep -Eq "^PASS +$c +$check +" "$out.log" || fail "no PASS line for $c / $check"
  done
done
grep -Eq '^0 limitations$' "$out.log" || fail "a reader limitation was needed for the canonical schema"
grep -Eq '^9 passed, 0 failed$' "$out.log" || fail "expected exactly 9 passed checks"
rm -f "$out"/*.values.jsonl # ~90 MB each; kept when the test fails
echo "PASS roundtrip: $rows rows x 3 strategies (briefing map, measured map, adaptive on 2 threads), arrow-rs and DuckDB"
