#!/usr/bin/env bash
# acceptance.baseline_jsonl: the gzip-JSONL baseline (acceptance_baseline_jsonl) is valid
# gzip (gzip -t), one JSON object per row, and holds the canonical rows exactly: checked by
# check_baseline.py (Python's gzip + json) against arrow-rs's read of the same rows written
# as Parquet. With `faults`, each deliberate fault of the baseline writer (long floats, a
# dropped row, a changed value) must make the check FAIL.
. "$(dirname "$0")/common.sh"
need_node
[ -n "${ACC_PYTHON3:-}" ] && [ -x "$ACC_PYTHON3" ] || fail "python3 not found"
out=$ACC_OUT/baseline_jsonl
mkdir -p "$out"
rows=100000
[ "${1:-}" = faults ] && rows=20000
"$ACC_BIN/acceptance_write" -o "$out/rows$rows.parquet" --rows "$rows"
"$ACC_NODE" "$ACC_DIR/inspect.mjs" dump "$out/rows$rows.parquet" "$out/rows$rows.expected.jsonl"
if [ "${1:-}" = faults ]; then
  for fault in long-floats drop-row value; do
    "$ACC_BIN/acceptance_baseline_jsonl" --rows "$rows" -o "$out/$fault.jsonl.gz" --fault "$fault"
    gzip -t "$out/$fault.jsonl.gz"
    if "$ACC_PYTHON3" "$ACC_DIR/check_baseline.py" "$out/$fault.jsonl.gz" "$out/rows$rows.expected.jsonl" "$rows" > "$out/$fault.log"; then
      cat "$out/$fault.log"; fail "check_baseline.py passed a baseline with fault $fault"
    fi
    echo "fault $fault: detected"; head -3 "$out/$fault.log"
  done
  echo "PASS baseline_jsonl faults: every fault detected"
  exit 0
fi
"$ACC_BIN/acceptance_baseline_jsonl" --rows "$rows" -o "$out/baseline.jsonl.gz"
gzip -t "$out/baseline.jsonl.gz" || fail "gzip -t rejects the baseline"
echo "gzip -t: OK"
exec "$ACC_PYTHON3" "$ACC_DIR/check_baseline.py" "$out/baseline.jsonl.gz" "$out/rows$rows.expected.jsonl" "$rows"
