#!/usr/bin/env bash
# acceptance.pyarrow_compat_selftest: pyarrow is not installable here, so this shows with a
# fake pyarrow module (fake_pyarrow/, answers from a JSON file, never reads Parquet) that
# pyarrow_compat.sh runs its Python side and that its comparison fails on a wrong count:
#   1. fake answers = the correct counts  -> pyarrow_compat.sh must exit 0
#   2. one null count off by one           -> must exit 1
#   3. one row missing                      -> must exit 1
. "$(dirname "$0")/common.sh"
[ -n "${ACC_PYTHON3:-}" ] && [ -x "$ACC_PYTHON3" ] || fail "python3 not found"
out=$ACC_OUT/pyarrow_selftest
mkdir -p "$out"
export PYTHONPATH="$ACC_DIR/fake_pyarrow" ACC_OUT="$out"
"$ACC_BIN/acceptance_write" -o "$out/answers.parquet" --rows 200000 --row-group-bytes 16777216 \
  --null-counts-json "$out/right.json"
"$ACC_PYTHON3" - "$out" <<'PY'
import json, sys
d = sys.argv[1]
a = json.load(open(f"{d}/right.json"))
b = json.loads(json.dumps(a)); b["null_counts"]["notes"] += 1
c = json.loads(json.dumps(a)); c["rows"] -= 1
json.dump(b, open(f"{d}/wrong_nulls.json", "w"))
json.dump(c, open(f"{d}/wrong_rows.json", "w"))
PY
run() { ACC_FAKE_PYARROW_ANSWERS="$out/$1.json" bash "$ACC_DIR/pyarrow_compat.sh" > "$out/$1.log" 2>&1; }
run right || { cat "$out/right.log"; fail "pyarrow_compat.sh failed with correct (fake) pyarrow answers"; }
grep -q "fake-for-selftest" "$out/right.log" || fail "the fake pyarrow was not used"
for wrong in wrong_nulls wrong_rows; do
  if run "$wrong"; then cat "$out/$wrong.log"; fail "pyarrow_compat.sh passed with $wrong"; fi
  grep -q "^FAIL pyarrow_compat" "$out/$wrong.log" || { cat "$out/$wrong.log"; fail "$wrong: no FAIL line"; }
  echo "$wrong: pyarrow_compat.sh reported FAIL, as expected:"; grep problem "$out/$wrong.log"
done
echo "PASS pyarrow_compat_selftest"
