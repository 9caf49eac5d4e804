#!/usr/bin/env bash
# acceptance.interrupted_write: a writer that never closes leaves no file at the final path,
# and its .inprogress file exists and is rejected by every standard reader (arrow-rs, DuckDB,
# polars, hyparquet: verify.mjs --expect-reject).
#   1. killed: the CLI `artemis-write --sample 10000000` (128 MiB row groups) is SIGKILLed once
#      its .inprogress holds more than 1 MiB (a row group reached the file).
#   2. no close, _exit: a process writes 10 batches and calls _exit(0) (no close, no abort).
#   3. no close, exit: the same with exit(0) (atexit handlers and stdio flush run).
#   4. abort: a process writes 10 batches and calls artemis_writer_abort(): the .inprogress
#      must be gone, and nothing at the final path.
. "$(dirname "$0")/common.sh"
need_node
[ -n "${ACC_CLI:-}" ] && [ -x "$ACC_CLI" ] || fail "the artemis-write CLI is not built (ARTEMIS_BUILD_TOOLS=OFF?)"
out=$ACC_OUT/interrupted
rm -rf "$out"
mkdir -p "$out"

check_left_inprogress() { # PATH: nothing at PATH, PATH.inprogress present, starts with PAR1
  [ ! -e "$1" ] || fail "$1 exists"
  [ -f "$1.inprogress" ] || fail "$1.inprogress missing"
  [ "$(head -c 4 "$1.inprogress")" = PAR1 ] || fail "$1.inprogress does not start with PAR1"
  echo "  $1: absent; $(basename "$1").inprogress: $(file_size "$1.inprogress") bytes, starts with PAR1"
}

# 1. SIGKILL mid-write
killed=$out/killed.parquet
"$ACC_CLI" --sample 10000000 -o "$killed" &
pid=$!
deadline=$((SECONDS + 300))
while :; do
  size=$(stat -c %s "$killed.inprogress" 2>/dev/null || echo 0)
  [ "$size" -gt 1048576 ] && break
  kill -0 "$pid" 2>/dev/null || fail "artemis-write exited before it could be killed"
  [ "$SECONDS" -lt "$deadline" ] || { kill -KILL "$pid"; fail "no row group reached $killed.inprogress in 300 s"; }
  sleep 0.02
done
kill -KILL "$pid" || fail "artemis-write already gone (it must be killed mid-write)"
set +e; wait "$pid"; status=$?; set -e
[ "$status" -eq 137 ] || fail "artemis-write exit status $status, expected 137 (SIGKILL)"
echo "1. artemis-write killed with SIGKILL after its .inprogress reached $size bytes"
check_left_inprogress "$killed"

# 2./3. no close
for how in _exit exit; do
  f=$out/noclose-$how.parquet
  # exit(0) without close leaks the writer on purpose: no leak report for that child
  ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
    "$ACC_BIN/acceptance_write" -o "$f" --rows 2000000 --row-group-bytes 1048576 --stop-after 10 --stop "$how" \
    || fail "the no-close ($how) writer failed"
  echo "2/3. writer process ended with $how(0) after 10 batches, never closed"
  check_left_inprogress "$f"
done

# 4. abort
f=$out/aborted.parquet
"$ACC_BIN/acceptance_write" -o "$f" --rows 2000000 --row-group-bytes 1048576 --stop-after 10 --stop abort
[ ! -e "$f" ] && [ ! -e "$f.inprogress" ] || fail "abort left $f or $f.inprogress"
echo "4. artemis_writer_abort: neither $f nor its .inprogress exists"

# Every reader must reject every .inprogress
"$ACC_NODE" "$INTEROP_DIR/verify.mjs" --expect-reject "$killed.inprogress" \
  --expect-reject "$out/noclose-_exit.parquet.inprogress" --expect-reject "$out/noclose-exit.parquet.inprogress" \
  | tee "$out/reject.log"
grep -Eq '^12 passed, 0 failed$' "$out/reject.log" || fail "expected 3 files x 4 readers = 12 rejections"
echo "PASS interrupted_write"
