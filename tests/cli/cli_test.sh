#!/usr/bin/env bash
# CLI tests in the zstd style: each case is a command, the exit code it must return and a
# pattern its stderr (or stdout) must match, plus what must (not) be on disk afterwards.
#
# usage: cli_test.sh PATH/TO/artemis-write PATH/TO/ipc-corpus
set -u
CLI=$(realpath "$1")
CORPUS=$(cd "$2" && pwd)
GOLDEN=$CORPUS/golden/cpp-21.0.0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/artemis-cli-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1

passed=0
failed=0
fail() {
  echo "FAIL: $*"
  failed=$((failed + 1))
}
ok() { passed=$((passed + 1)); }

# expect NAME EXIT STREAM PATTERN -- COMMAND...
#   STREAM: stderr|stdout; PATTERN: grep -E, or EMPTY for "nothing printed"
expect() {
  local name=$1 want=$2 stream=$3 pattern=$4
  shift 5
  "$@" >"$WORK/out.txt" 2>"$WORK/err.txt"
  local got=$?
  local text="$WORK/err.txt"
  [ "$stream" = stdout ] && text="$WORK/out.txt"
  if [ "$got" != "$want" ]; then
    fail "$name: exit $got, expected $want; stderr: $(head -c 400 "$WORK/err.txt")"
  elif [ "$pattern" = EMPTY ] && [ -s "$text" ]; then
    fail "$name: $stream should be empty: $(head -c 400 "$text")"
  elif [ "$pattern" != EMPTY ] && ! grep -Eq -- "$pattern" "$text"; then
    fail "$name: $stream does not match /$pattern/: $(head -c 400 "$text")"
  else
    ok
  fi
}

# no_output NAME PATH: nothing at PATH and no PATH.inprogress
no_output() {
  if [ -e "$2" ] || [ -e "$2.inprogress" ]; then fail "$1: left $(ls "$2"* 2>/dev/null | tr '\n' ' ')"; else ok; fi
}

one_line_stderr() {
  local n
  n=$(wc -l <"$WORK/err.txt")
  if [ "$n" -ne 1 ]; then fail "$1: stderr has $n lines, expected one: $(head -c 400 "$WORK/err.txt")"; else ok; fi
}

# ---- help, version, usage errors (exit 1) ------------------------------------------------
expect help 0 stdout 'exit codes' -- "$CLI" --help
expect help-documents-codes 0 stdout '3  output conflict' -- "$CLI" --help
expect version 0 stdout '^artemis-write [0-9]+\.[0-9]+\.[0-9]+' -- "$CLI" --version
expect no-output 1 stderr 'no output given' -- "$CLI" --sample 10
expect unknown-option 1 stderr 'unknown option --frobnicate' -- "$CLI" --frobnicate -o x.parquet
expect bad-size 1 stderr 'row-group-bytes needs a size' -- "$CLI" --sample 10 -o x.parquet --row-group-bytes lots
expect zero-size 1 stderr 'row-group-bytes needs a size' -- "$CLI" --sample 10 -o x.parquet --row-group-bytes 0
expect bad-compression 1 stderr 'compression must be zstd or none' -- "$CLI" --sample 10 -o x.parquet --compression lz4
expect bad-level 1 stderr 'zstd-level' -- "$CLI" --sample 10 -o x.parquet --zstd-level 99
expect bad-preset 1 stderr 'preset must be' -- "$CLI" --sample 10 -o x.parquet --preset fast
expect bad-encoding-name 1 stderr 'unknown encoding' -- "$CLI" --sample 10 -o x.parquet --encoding notes=ZIP
expect encoding-wrong-type 1 stderr 'panel_voltage' -- "$CLI" --sample 10 -o x.parquet --encoding panel_voltage=DELTA_BINARY_PACKED
expect encoding-unknown-column 1 stderr 'no_such_column' -- "$CLI" --sample 10 -o x.parquet --encoding no_such_column=PLAIN
expect two-inputs 1 stderr 'more than one input' -- "$CLI" a.arrows b.arrows -o x.parquet
expect sample-and-input 1 stderr 'exclude each other' -- "$CLI" a.arrows --sample 10 -o x.parquet
expect bad-threads-zero 1 stderr 'threads needs a count in 1..256' -- "$CLI" --sample 10 -o x.parquet --threads 0
expect bad-threads-text 1 stderr 'threads needs a count' -- "$CLI" --sample 10 -o x.parquet --threads many
expect bad-strategy 1 stderr 'encoding-strategy must be map or adaptive' -- "$CLI" --sample 10 -o x.parquet --encoding-strategy best
expect bad-sample-rows 1 stderr 'adaptive-sample-rows' -- "$CLI" --sample 10 -o x.parquet --adaptive-sample-rows 0
no_output usage-errors-leave-nothing x.parquet

# ---- threads and the adaptive strategy ---------------------------------------------------
# The bytes do not depend on the thread count (also with several row groups and fallbacks).
for t in 1 2 5; do
  expect "threads-$t" 0 stderr 'wrote' -- "$CLI" --sample 150000 --row-group-bytes 4MiB -o "threads-$t.parquet" --threads "$t" --no-progress
  expect "adaptive-threads-$t" 0 stderr 'wrote' -- "$CLI" --sample 150000 --row-group-bytes 4MiB -o "adaptive-$t.parquet" \
    --encoding-strategy adaptive --threads "$t" --log-json "adaptive-$t.log" --no-progress
done
for t in 2 5; do
  if cmp -s threads-1.parquet "threads-$t.parquet"; then ok; else fail "threads-$t: bytes differ from --threads 1"; fi
  if cmp -s adaptive-1.parquet "adaptive-$t.parquet"; then ok; else fail "adaptive-threads-$t: bytes differ from --threads 1"; fi
done
# One encoding_chosen per column and row group, each naming its candidates' sizes.
rgs=$(grep -c '"event":"row_group_flushed"' adaptive-1.log)
chosen=$(grep -c '"event":"encoding_chosen".*"candidate_bytes":{"RLE_DICTIONARY":[0-9]*,"PLAIN":[0-9]*' adaptive-1.log)
if [ "$rgs" -ge 2 ] && [ "$chosen" = $((rgs * 12)) ]; then ok; else fail "adaptive log: $chosen encoding_chosen lines for $rgs row groups"; fi
# With --preset given, the preset's columns keep their encodings: nothing left to choose
# on the canonical schema (the preset names all 12 columns).
expect adaptive-with-preset 0 stderr 'wrote' -- "$CLI" --sample 20000 -o adaptive-preset.parquet --encoding-strategy adaptive \
  --preset artemis --log-json adaptive-preset.log --no-progress
if ! grep -q encoding_chosen adaptive-preset.log; then ok; else fail "adaptive-with-preset: preset columns were re-chosen"; fi

# ---- sizes and options that work ---------------------------------------------------------
for size in 128MiB 64MB 1048576 512k; do
  expect "size-$size" 0 stderr 'wrote' -- "$CLI" --sample 1000 -o "s-$size.parquet" --row-group-bytes "$size" --no-progress
done
expect preset-measured 0 stderr 'wrote' -- "$CLI" --sample 1000 -o measured.parquet --preset measured --no-progress
expect preset-none-uncompressed 0 stderr 'wrote' -- "$CLI" --sample 1000 -o none.parquet --preset none --compression none --no-progress
expect summary-json 0 stderr EMPTY -- "$CLI" --sample 5000 -o summary.parquet --summary-json summary.json --no-progress
if grep -q '"rows":5000' summary.json && grep -q '"row_groups":1' summary.json; then ok; else fail "summary-json content: $(head -c 300 summary.json)"; fi
expect log-json-stdout 0 stdout '"event":"file_published"' -- "$CLI" --sample 5000 -o log.parquet --log-json - --no-progress
if grep -q '"event":"row_group_flushed"' "$WORK/out.txt"; then ok; else fail "log-json lacks row_group_flushed"; fi
expect progress-forced 0 stderr 'rows .* MB/s .* row groups' -- "$CLI" --sample 5000 -o progress.parquet --progress
expect small-row-groups 0 stdout '"row_groups":([3-9]|[1-9][0-9])' -- "$CLI" --sample 200000 -o rg.parquet --row-group-bytes 4MiB --summary-json - --no-progress

# ---- output conflicts (exit 3): nothing replaced ----------------------------------------
echo "precious" >exists.parquet
expect conflict-final 3 stderr 'exists' -- "$CLI" --sample 10 -o exists.parquet --no-progress
one_line_stderr conflict-final-one-line
if [ "$(cat exists.parquet)" = precious ]; then ok; else fail "conflict-final replaced the existing file"; fi
echo "live writer" >busy.parquet.inprogress
expect conflict-inprogress 3 stderr 'inprogress' -- "$CLI" --sample 10 -o busy.parquet --no-progress
if [ ! -e busy.parquet ] && [ "$(cat busy.parquet.inprogress)" = "live writer" ]; then ok; else fail "conflict-inprogress touched files"; fi

# ---- I/O errors (exit 4) -----------------------------------------------------------------
expect missing-dir 4 stderr 'no_such_dir' -- "$CLI" --sample 10 -o no_such_dir/x.parquet --no-progress
expect missing-input 4 stderr 'missing.arrows' -- "$CLI" missing.arrows -o x.parquet --no-progress
no_output missing-input-leaves-nothing x.parquet
# A file-size limit is a clean error, not SIGXFSZ: nothing at the final path, no .inprogress.
expect efbig 4 stderr 'File too large|too large' -- bash -c "ulimit -f 256; exec \"$CLI\" --sample 300000 -o big.parquet --no-progress"
no_output efbig-leaves-nothing big.parquet

# ---- invalid input (exit 2) --------------------------------------------------------------
: >empty.arrows
expect empty-input 2 stderr 'empty.arrows' -- "$CLI" empty.arrows -o x.parquet --no-progress
one_line_stderr empty-input-one-line
expect empty-stdin 2 stderr 'stdin' -- bash -c "exec \"$CLI\" -o x.parquet --no-progress </dev/null"
head -c 1000 /dev/urandom >garbage.arrows
expect garbage-input 2 stderr 'garbage.arrows' -- "$CLI" garbage.arrows -o x.parquet --no-progress
no_output invalid-input-leaves-nothing x.parquet

# ---- Arrow IPC input ---------------------------------------------------------------------
expect stream-by-path 0 stderr 'wrote .* 37 rows' -- "$CLI" "$GOLDEN/generated_primitive.stream" -o p1.parquet --no-progress
expect file-by-path 0 stderr 'wrote .* 37 rows' -- "$CLI" "$GOLDEN/generated_primitive.arrow_file" -o p2.parquet --no-progress
expect stream-from-stdin 0 stderr 'wrote .* 37 rows' -- bash -c "exec \"$CLI\" -o p3.parquet --no-progress <\"$GOLDEN/generated_primitive.stream\""
expect file-from-pipe 0 stderr 'wrote .* 37 rows' -- bash -c "cat \"$GOLDEN/generated_primitive.arrow_file\" | \"$CLI\" - -o p4.parquet --no-progress"
if cmp -s p1.parquet p2.parquet && cmp -s p1.parquet p3.parquet && cmp -s p1.parquet p4.parquet; then ok; else fail "stream, file, stdin and pipe inputs gave different Parquet bytes"; fi
expect unsupported-union 2 stderr 'unsupported type .*union' -- "$CLI" "$GOLDEN/generated_union.stream" -o u.parquet --no-progress
one_line_stderr unsupported-union-one-line
no_output unsupported-leaves-nothing u.parquet
head -c 3000 "$GOLDEN/generated_primitive.stream" >truncated.arrows
expect truncated-stream 2 stderr 'truncated.arrows' -- "$CLI" truncated.arrows -o t.parquet --no-progress
no_output truncated-leaves-nothing t.parquet
expect truncated-stdin 2 stderr 'stdin' -- bash -c "exec \"$CLI\" -o t.parquet --no-progress <truncated.arrows"
no_output truncated-stdin-leaves-nothing t.parquet

# ---- interrupt: SIGINT discards the output -----------------------------------------------
"$CLI" --sample 50000000 -o interrupted.parquet --no-progress --no-fsync 2>int.err &
pid=$!
for _ in $(seq 1 100); do [ -e interrupted.parquet.inprogress ] && break; sleep 0.05; done
sleep 0.3
kill -INT "$pid"
wait "$pid"
rc=$?
if [ "$rc" = 130 ] && grep -q interrupted int.err; then ok; else fail "sigint: exit $rc, stderr $(cat int.err)"; fi
no_output sigint-leaves-nothing interrupted.parquet

# SIGINT while blocked on an empty pipe (no schema yet): exits at once, nothing on disk.
(sleep 20 | "$CLI" -o blocked.parquet --no-progress 2>blocked.err) &
sleep 0.5
pkill -INT -f -- "-o blocked.parquet" || true
wait $! 2>/dev/null
if grep -q interrupted blocked.err; then ok; else fail "sigint-blocked-read: $(cat blocked.err)"; fi
no_output sigint-blocked-read-leaves-nothing blocked.parquet
# SIGTERM after the schema, while waiting for batches: the .inprogress it created is removed.
( head -c 2000 "$GOLDEN/generated_primitive.stream"; sleep 20 ) | "$CLI" - -o stalled.parquet --no-progress 2>stalled.err &
for _ in $(seq 1 100); do [ -e stalled.parquet.inprogress ] && break; sleep 0.05; done
[ -e stalled.parquet.inprogress ] && ok || fail "sigterm-stalled: no .inprogress while waiting for batches"
pkill -TERM -f -- "-o stalled.parquet" || true
for _ in $(seq 1 100); do grep -q interrupted stalled.err && break; sleep 0.05; done
if grep -q interrupted stalled.err; then ok; else fail "sigterm-stalled: $(cat stalled.err)"; fi
no_output sigterm-stalled-leaves-nothing stalled.parquet
# --read-ahead: same bytes; a bad input mid-stream is exit 2 with nothing left; SIGTERM
# while the read-ahead thread waits on a stalled pipe still removes the .inprogress.
expect read-ahead-path 0 stderr 'wrote' -- "$CLI" "$GOLDEN/generated_primitive.stream" -o ra1.parquet --read-ahead --no-progress
if cmp -s p1.parquet ra1.parquet; then ok; else fail "read-ahead: bytes differ from the plain read"; fi
expect read-ahead-sample 0 stderr 'wrote' -- "$CLI" --sample 150000 --row-group-bytes 4MiB -o ra2.parquet --read-ahead --threads 1 --no-progress
if cmp -s threads-1.parquet ra2.parquet; then ok; else fail "read-ahead --sample: bytes differ"; fi
expect read-ahead-truncated 2 stderr 'truncated.arrows' -- "$CLI" truncated.arrows -o rt.parquet --read-ahead --no-progress
no_output read-ahead-truncated-leaves-nothing rt.parquet
( head -c 2000 "$GOLDEN/generated_primitive.stream"; sleep 20 ) | "$CLI" - -o rastall.parquet --read-ahead --no-progress 2>rastall.err &
for _ in $(seq 1 100); do [ -e rastall.parquet.inprogress ] && break; sleep 0.05; done
[ -e rastall.parquet.inprogress ] && ok || fail "read-ahead-stalled: no .inprogress while waiting for batches"
pkill -TERM -f -- "-o rastall.parquet" || true
for _ in $(seq 1 100); do grep -q interrupted rastall.err && break; sleep 0.05; done
if grep -q interrupted rastall.err; then ok; else fail "read-ahead-stalled: $(cat rastall.err)"; fi
no_output read-ahead-stalled-leaves-nothing rastall.parquet

# A closed stdout (--log-json - | head) is a write error (exit 4), never a SIGPIPE death.
set +o pipefail
"$CLI" --sample 300000 --row-group-bytes 1MiB -o piped.parquet --log-json - --no-progress 2>piped.err | head -c 10 >/dev/null
rc=${PIPESTATUS[0]}
if [ "$rc" = 4 ] && grep -q "could not be written" piped.err && [ -e piped.parquet ] && [ ! -e piped.parquet.inprogress ]; then ok
else fail "sigpipe: exit $rc, $(cat piped.err)"; fi

# ---- memory limit: a hard cap on the writer's memory (exit 4), nothing left --------------
# 100k canonical rows are one 21 MB row group at the default target: the writer holds far more
# than 1 MiB of pages for it, and far less than 256 MiB.
expect memory-limit-reached 4 stderr 'memory limit of 1048576 bytes reached' -- "$CLI" --sample 100000 -o capped-small.parquet --memory-limit 1MiB --no-progress
one_line_stderr memory-limit-one-line
no_output memory-limit-leaves-nothing capped-small.parquet
expect memory-limit-roomy 0 stderr 'wrote capped.parquet: 100000 rows' -- "$CLI" --sample 100000 -o capped.parquet --memory-limit 256MiB --no-progress
expect memory-limit-none 0 stderr 'wrote uncapped.parquet' -- "$CLI" --sample 100000 -o uncapped.parquet --no-progress
if cmp -s capped.parquet uncapped.parquet; then ok; else fail "memory-limit-same-bytes: a cap that is not reached changed the output"; fi
expect memory-limit-bad-size 1 stderr 'memory-limit needs a size' -- "$CLI" --sample 10 -o x.parquet --memory-limit lots

# ---- inspect -----------------------------------------------------------------------------
expect inspect-text 0 stdout 'row group 0: 5000 rows' -- "$CLI" inspect summary.parquet
expect inspect-encodings 0 stdout 'sample_timestamp_ns +ZSTD +[A-Z_,]*DELTA_BINARY_PACKED' -- "$CLI" inspect summary.parquet
expect inspect-json 0 stdout '"rows":5000' -- "$CLI" inspect summary.parquet --json
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["row_groups"][0]["columns"][0]["data_pages"]>=1' "$WORK/out.txt"; then ok; else fail "inspect --json is not valid JSON with page counts"; fi
head -c 4096 summary.parquet >cut.parquet
expect inspect-no-footer 2 stderr 'not a Parquet file' -- "$CLI" inspect cut.parquet
expect inspect-missing 4 stderr 'cannot open' -- "$CLI" inspect nothing.parquet
expect inspect-usage 1 stderr 'no file given' -- "$CLI" inspect

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
