#!/usr/bin/env bash
# artemis-sample-ipc against the generator itself, through our own IPC reader:
#
#   artemis-sample-ipc --rows N --values V -o X.arrows;  artemis-write X.arrows -o A.parquet
#   artemis-write --sample N --sample-values V -o B.parquet
#
# must give byte-identical Parquet (same rows in the same batches, so the same pages and
# statistics): the IPC stream carries exactly the generator's values, nulls and batch
# boundaries. The comparison is shown to be able to fail (adc vs float must differ), and
# the tool's exit codes are checked (usage 1, write error 2 with nothing left behind).
#
# usage: sample_ipc_test.sh ARTEMIS_SAMPLE_IPC ARTEMIS_WRITE WORKDIR
set -u
GEN=$1
CLI=$2
WORK=$3
ROWS=200000
BATCH=65536

rm -rf "$WORK"
mkdir -p "$WORK"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok:   $*"; }

for values in adc float; do
  gen_log="$WORK/gen-$values.log"
  if ! "$GEN" --rows $ROWS --batch-rows $BATCH --values $values -o "$WORK/$values.arrows" 2>"$gen_log"; then
    fail "artemis-sample-ipc --values $values: $(cat "$gen_log")"
    continue
  fi
  "$CLI" "$WORK/$values.arrows" -o "$WORK/$values-ipc.parquet" --no-fsync 2>"$WORK/a-$values.log" ||
    { fail "artemis-write $values.arrows: $(cat "$WORK/a-$values.log")"; continue; }
  "$CLI" --sample $ROWS --batch-rows $BATCH --sample-values $values -o "$WORK/$values-direct.parquet" --no-fsync \
    2>"$WORK/b-$values.log" || { fail "artemis-write --sample: $(cat "$WORK/b-$values.log")"; continue; }
  if cmp "$WORK/$values-ipc.parquet" "$WORK/$values-direct.parquet"; then
    pass "--values $values: $ROWS rows via IPC == --sample ($(stat -c %s "$WORK/$values-ipc.parquet") bytes of Parquet)"
  else
    fail "--values $values: Parquet from the IPC stream differs from artemis-write --sample"
  fi
  grep -q "$ROWS rows in 4 batches" "$gen_log" || fail "--values $values: expected 4 batches: $(cat "$gen_log")"
done

# The comparison can fail: the two value models must give different files.
if [ -f "$WORK/adc-ipc.parquet" ] && [ -f "$WORK/float-ipc.parquet" ]; then
  if cmp -s "$WORK/adc-ipc.parquet" "$WORK/float-ipc.parquet"; then
    fail "adc and float Parquet files are identical: --values is ignored, the comparison proves nothing"
  else
    pass "adc and float files differ (the comparison can fail)"
  fi
fi

# stdout, through a pipe into the CLI's stdin, with another batch size and row order.
"$GEN" --rows 5000 --batch-rows 777 --order payload -o - 2>"$WORK/pipe-gen.log" |
  "$CLI" - -o "$WORK/pipe.parquet" --no-fsync 2>"$WORK/pipe.log"
pipe_rc=("${PIPESTATUS[@]}")
"$CLI" --sample 5000 --batch-rows 777 --sample-order payload -o "$WORK/pipe-direct.parquet" --no-fsync 2>/dev/null
if [ "${pipe_rc[0]}" -ne 0 ] || [ "${pipe_rc[1]}" -ne 0 ]; then
  fail "-o - through a pipe: exit ${pipe_rc[*]}: $(cat "$WORK/pipe-gen.log" "$WORK/pipe.log")"
elif ! cmp "$WORK/pipe.parquet" "$WORK/pipe-direct.parquet"; then
  fail "-o - through a pipe (--order payload, --batch-rows 777): Parquet differs from artemis-write --sample"
else
  pass "-o - through a pipe, --order payload, --batch-rows 777"
fi

# expect CODE PATTERN DESCRIPTION -- ARGS...: exit code, one stderr line matching PATTERN.
expect() {
  local code=$1 pattern=$2 what=$3
  shift 4
  "$GEN" "$@" >/dev/null 2>"$WORK/err.log" </dev/null
  local rc=$?
  if [ $rc -ne "$code" ]; then
    fail "$what: exit $rc, expected $code ($(head -c 300 "$WORK/err.log"))"
  elif ! grep -Eq "$pattern" "$WORK/err.log"; then
    fail "$what: stderr does not match /$pattern/: $(head -c 300 "$WORK/err.log")"
  else
    pass "$what: exit $code"
  fi
}
expect 1 'rows N is required' "no --rows" -- -o "$WORK/u.arrows"
expect 1 'is required' "no -o" -- --rows 10
expect 1 'unknown argument "--bogus"' "unknown option" -- --rows 10 --bogus -o "$WORK/u.arrows"
expect 1 'non-negative integer, got "-5"' "negative --rows" -- --rows -5 -o "$WORK/u.arrows"
expect 1 'positive integer, got "0"' "--batch-rows 0" -- --rows 10 --batch-rows 0 -o "$WORK/u.arrows"
expect 1 'adc or float, got "int"' "bad --values" -- --rows 10 --values int -o "$WORK/u.arrows"
expect 1 'time or payload' "bad --order" -- --rows 10 --order random -o "$WORK/u.arrows"
expect 1 'unsigned integer' "bad --seed" -- --rows 10 --seed x -o "$WORK/u.arrows"
expect 1 'missing value after "-o"' "-o without a value" -- --rows 10 -o
[ -e "$WORK/u.arrows" ] && fail "a usage error left $WORK/u.arrows behind"
if [ -w /dev/full ]; then
  expect 2 'No space left on device' "write to /dev/full" -- --rows 20000 -o /dev/full
fi
expect 2 'cannot open .*No such file or directory' "missing directory" -- --rows 10 -o "$WORK/no/such/dir/x.arrows"
# A write error on a regular file (a file-size limit) leaves no partial stream behind.
(ulimit -f 64; trap '' XFSZ; "$GEN" --rows 20000 -o "$WORK/efbig.arrows" 2>"$WORK/efbig.log")
rc=$?
if [ $rc -ne 2 ] || ! grep -q 'File too large' "$WORK/efbig.log"; then
  fail "ulimit -f: exit $rc, expected 2 with 'File too large': $(cat "$WORK/efbig.log")"
elif [ -e "$WORK/efbig.arrows" ]; then
  fail "ulimit -f: the partial $WORK/efbig.arrows was left behind"
else
  pass "ulimit -f: exit 2, partial file removed"
fi
# Same seed => same bytes; another seed => other bytes.
"$GEN" --rows 3000 --seed 7 -o "$WORK/s7a.arrows" 2>/dev/null
"$GEN" --rows 3000 --seed 7 -o "$WORK/s7b.arrows" 2>/dev/null
"$GEN" --rows 3000 --seed 8 -o "$WORK/s8.arrows" 2>/dev/null
if cmp -s "$WORK/s7a.arrows" "$WORK/s7b.arrows" && ! cmp -s "$WORK/s7a.arrows" "$WORK/s8.arrows"; then
  pass "--seed: deterministic, and honoured"
else
  fail "--seed: same seed must give the same bytes and another seed other bytes"
fi

if [ $failures -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
