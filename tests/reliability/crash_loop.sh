#!/usr/bin/env bash
# SIGKILL crash loop (issue 6): a process crash at any moment leaves, at the final path, either
# nothing or the complete file.
#
# usage: crash_loop.sh N CLI SAMPLE_IPC|"" NODE|"" INTEROP_DIR WORK_DIR
#
# Once: a ROWS-row (default 600,000) Arrow IPC stream (artemis-sample-ipc; without it, --sample), and an
# uncontended reference write of it, whose wall time T is the "typical full runtime".
# N times: artemis-write on that input to a fresh path (16 MiB row groups, 8 of them, so that row groups
# reach the file early; durable fsync on, the default), SIGKILL after a random delay in
# [0, T] (the last part of T is the fsync and the rename), then:
#   - never both the final file and the .inprogress; never a final file that differs by a
#     byte from the reference (the output is deterministic), so a completed file is whole;
#   - a leftover .inprogress is not locked (`flock -n`: a dead writer holds no lock, which is
#     what --replace-stale relies on); it is either partial, or (killed after the footer was
#     written, during the final fsync or before the rename) byte-identical to the reference;
#   - at the end, in one node process: every completed file read by DuckDB has ROWS
#     rows and the reference's sum(sequence_number); a sample of the partial leftovers (up to
#     12) is rejected by DuckDB.
# Completed files are checked and removed in batches of 20 to bound disk use (77 MB each).
set -u
N=$1
CLI=$2
GEN=${3:-}
NODE=${4:-}
INTEROP=$5
WORK=$6
# 600,000 rows (~0.6 s per write, 8 row groups) keep 200 kills near two minutes in CI;
# CRASH_LOOP_ROWS=2000000 gives longer writes (more kill points inside a row group).
ROWS=${CRASH_LOOP_ROWS:-600000}
BATCH=20
KEEP_STALE=12

rm -rf "$WORK"
mkdir -p "$WORK/out"
cd "$WORK" || exit 1
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

cat >duck_check.mjs <<'EOF'
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
const [interop, list] = process.argv.slice(2);
const { DuckDBInstance } = createRequire(interop + '/package.json')('@duckdb/node-api');
const c = await (await DuckDBInstance.create(':memory:')).connect();
const q = async (p) => {
  const r = await c.runAndReadAll(`SELECT count(*)::BIGINT AS n, sum(sequence_number)::HUGEINT AS s
                                   FROM read_parquet('${p.replace(/'/g, "''")}')`);
  const row = r.getRowObjectsJson()[0];
  return { n: String(row.n), s: String(row.s) };
};
let ref = null, bad = 0, whole = 0, rejected = 0;
for (const line of readFileSync(list, 'utf8').split('\n').filter(Boolean)) {
  const [kind, path, rows] = line.split('\t');
  try {
    if (kind === 'ref') {
      ref = await q(path);
      console.log(`duckdb: reference ${path}: ${ref.n} rows, sum(sequence_number) ${ref.s}`);
      if (ref.n !== rows) { bad++; console.log(`FAIL: reference has ${ref.n} rows, expected ${rows}`); }
    } else if (kind === 'whole') {
      const r = await q(path);
      if (r.n !== rows || r.s !== ref.s) { bad++; console.log(`FAIL: ${path}: ${r.n} rows, sum ${r.s}`); } else whole++;
    } else if (kind === 'reject') {
      const r = await q(path);
      bad++;
      console.log(`FAIL: ${path} (a killed writer's .inprogress) was accepted by DuckDB: ${r.n} rows`);
    }
  } catch (e) {
    if (kind === 'reject') rejected++;
    else { bad++; console.log(`FAIL: ${path}: ${e.message.split('\n')[0]}`); }
  }
}
console.log(`duckdb: ${whole} complete files read back whole, ${rejected} leftover .inprogress files rejected, ${bad} failures`);
process.exit(bad ? 1 : 0);
EOF
USE_DUCKDB=0
if [ -n "$NODE" ] && [ -d "$INTEROP/node_modules/@duckdb/node-api" ]; then USE_DUCKDB=1
else echo "note: node or @duckdb/node-api missing: row counts from artemis-write inspect --json instead of DuckDB"; fi
# check_list FILE: DuckDB (one node process) or inspect --json.
check_list() {
  if [ "$USE_DUCKDB" = 1 ]; then
    "$NODE" duck_check.mjs "$INTEROP" "$1" >duck.out 2>&1
    local rc=$?
    grep -v '^duckdb: reference' duck.out
    [ "$rc" = 0 ] || fail "DuckDB read-back (see above)"
    return
  fi
  while IFS=$'\t' read -r kind path rows; do
    if [ "$kind" = reject ]; then
      "$CLI" inspect "$path" --json >/dev/null 2>&1 && fail "$path was accepted by inspect"
    elif ! "$CLI" inspect "$path" --json 2>/dev/null | grep -q "\"rows\":$rows,"; then
      fail "$path does not hold $rows rows"
    fi
  done <"$1"
}

# ---- input and reference ----------------------------------------------------------------------
if [ -n "$GEN" ]; then
  "$GEN" --rows $ROWS -o input.arrows >/dev/null || { echo "FAIL: artemis-sample-ipc"; exit 1; }
  INPUT=(input.arrows)
else
  INPUT=(--sample $ROWS)
fi
WRITE=("$CLI" "${INPUT[@]}" --row-group-bytes 16MiB --no-progress)
# Two uncontended runs: the reference, and a second one that must be byte-identical to it (the
# determinism every later comparison relies on). T is their mean wall time.
t0=$(date +%s%N)
"${WRITE[@]}" -o ref.parquet 2>/dev/null || { echo "FAIL: reference write"; exit 1; }
"${WRITE[@]}" -o ref2.parquet 2>/dev/null || { echo "FAIL: second reference write"; exit 1; }
T_MS=$((($(date +%s%N) - t0) / 2000000))
cmp -s ref.parquet ref2.parquet || { echo "FAIL: two uncontended writes differ: the output is not deterministic"; exit 1; }
rm -f ref2.parquet
printf 'ref\t%s\t%s\n' "$PWD/ref.parquet" $ROWS >ref.list
# Delays in [0, T]: the last part of T is the fsync of the file, the rename and the directory
# fsync; kills after the publish come from runs faster than T.
MAX_DELAY=$T_MS
echo "crash_loop: $N iterations; input ${INPUT[*]}; a full write takes $T_MS ms; kill delay uniform in [0, $MAX_DELAY] ms"

killed_before=0 killed_after=0 finished=0 stale=0 empty_stale=0 nothing=0 locked=0 completed_checked=0
both=0 differing=0 bad_exit=0 complete_unpublished=0
REF_SIZE=$(stat -c %s ref.parquet)
: >batch.list
: >stale.list
flush_batch() { # DuckDB-check the completed files collected so far, then remove them
  [ -s batch.list ] || return
  cat ref.list batch.list >check.list
  check_list check.list
  completed_checked=$((completed_checked + $(wc -l <batch.list)))
  cut -f2 batch.list | xargs rm -f
  : >batch.list
}

start=$(date +%s)
for i in $(seq 1 "$N"); do
  out=out/$i.parquet
  "${WRITE[@]}" -o "$out" 2>/dev/null &
  pid=$!
  delay=$(((RANDOM * 32768 + RANDOM) % (MAX_DELAY + 1)))
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  kill -9 "$pid" 2>/dev/null
  { wait "$pid"; } 2>/dev/null # no "Killed" line from bash
  rc=$?
  if [ -e "$out" ] && [ -e "$out.inprogress" ]; then
    both=$((both + 1))
    fail "iteration $i: both $out and $out.inprogress exist"
  fi
  if [ -e "$out" ]; then
    if [ "$rc" = 0 ]; then finished=$((finished + 1)); else killed_after=$((killed_after + 1)); fi
    if ! cmp -s "$out" ref.parquet; then
      differing=$((differing + 1))
      fail "iteration $i (exit $rc): $out differs from the reference"
    fi
    printf 'whole\t%s\t%s\n' "$PWD/$out" $ROWS >>batch.list
    [ "$(wc -l <batch.list)" -ge "$BATCH" ] && flush_batch
    continue
  fi
  if [ "$rc" != 137 ]; then
    bad_exit=$((bad_exit + 1))
    fail "iteration $i: exit $rc without a final file (expected death by SIGKILL)"
  fi
  killed_before=$((killed_before + 1))
  if [ -e "$out.inprogress" ]; then
    stale=$((stale + 1))
    if ! flock -n "$out.inprogress" true; then
      locked=$((locked + 1))
      fail "iteration $i: $out.inprogress is still locked after its writer died"
    fi
    size=$(stat -c %s "$out.inprogress")
    if [ "$size" = 0 ]; then empty_stale=$((empty_stale + 1)); fi
    if [ "$size" = "$REF_SIZE" ]; then
      # Killed after the footer was written, during the fsync or before the rename: the bytes
      # are complete, but unpublished. That is fine (no *.parquet name points at it) as long
      # as they are exactly the reference's.
      if cmp -s "$out.inprogress" ref.parquet; then
        complete_unpublished=$((complete_unpublished + 1))
      else
        fail "iteration $i: $out.inprogress has the reference's size but other bytes"
      fi
      rm -f "$out.inprogress"
    elif [ "$size" -gt 0 ] && [ "$(wc -l <stale.list)" -lt "$KEEP_STALE" ] && [ $((stale % 3)) = 1 ]; then
      # A spread sample of partial files for DuckDB, which must reject them.
      printf 'reject\t%s\n' "$PWD/$out.inprogress" >>stale.list
    else
      rm -f "$out.inprogress" # they can be tens of MB each
    fi
  else
    nothing=$((nothing + 1))
  fi
done
elapsed=$(($(date +%s) - start))
flush_batch
cat ref.list stale.list >check.list
check_list check.list

echo "crash_loop: $N iterations in $elapsed s"
echo "  killed before publish: $killed_before ($stale left a stale .inprogress: $empty_stale empty," \
  "$complete_unpublished complete (killed during the final fsync/rename) and byte-identical to the reference," \
  "the rest partial; $nothing left nothing: killed before the create)"
echo "  killed after publish (a file at the final path): $killed_after; finished before the kill: $finished"
echo "  files at the final path: $((killed_after + finished)), each compared byte for byte with the reference" \
  "and read back by DuckDB ($completed_checked read; any mismatch is listed above as FAIL)"
echo "  leftover .inprogress still locked after the kill: $locked of $stale; sampled for DuckDB rejection: $(wc -l <stale.list)"
echo "  final file differing from the reference: $differing; final file next to an .inprogress: $both;" \
  "no final file but not killed: $bad_exit"
if [ $((killed_after + finished)) = 0 ]; then echo "  note: no kill landed after publish in this run"; fi
if [ "$failures" = 0 ]; then
  echo "crash_loop: all checks passed"
  cd / && rm -rf "$WORK"
  exit 0
fi
echo "crash_loop: $failures failures (work files kept in $WORK)"
exit 1
