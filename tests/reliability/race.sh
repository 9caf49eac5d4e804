#!/usr/bin/env bash
# Racing writers and stale .inprogress files, through the real binary (issue 6).
#
# usage: race.sh CLI NODE|"" INTEROP_DIR WORK_DIR      (RACE_ROUNDS=N: rounds per scenario, default 30)
#
# 1. --replace-stale: a stale file is refused by default (exit 3, the message names the file
#    and --replace-stale); with the option it is replaced only when old enough, not locked by a
#    live process (one holds it here with flock(1)), and not a symlink; a real SIGKILLed
#    writer's leftover is replaced; every replacement is said on stderr.
# 2. Races: 2, then 8, `artemis-write --sample 300000 -o SAME.parquet` released at the same
#    instant by a FIFO barrier, RACE_ROUNDS rounds each, also with --replace-stale=0 on every
#    writer. Every round: exactly one exit 0; every other exit is 3 with "exists" or
#    "inprogress" in its one-line message; no .inprogress left; the file is byte-identical to
#    an uncontended reference write (the output is deterministic).
# 3. Every published file is read by DuckDB in one node process at the end: 300000 rows and
#    the reference's sum(sequence_number). Without node, `artemis-write inspect --json` row
#    counts stand in (said in the output).
set -u
CLI=$1
NODE=${2:-}
INTEROP=$3
WORK=$4
ROUNDS=${RACE_ROUNDS:-30}
ROWS=300000

rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK" || exit 1
failures=0
checks=0
ok() { checks=$((checks + 1)); }
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
: >whole.list

# ---- DuckDB read-back, batched: lines "ref|whole PATH ROWS" or "reject PATH" (tab-separated) ----
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
# Runs the checks of a list file: DuckDB through node, or inspect --json row counts.
check_list() {
  if [ -n "$NODE" ] && [ -d "$INTEROP/node_modules/@duckdb/node-api" ]; then
    "$NODE" duck_check.mjs "$INTEROP" "$1" || fail "DuckDB read-back (see above)"
    return
  fi
  echo "note: node or @duckdb/node-api missing: row counts from artemis-write inspect --json instead of DuckDB"
  while IFS=$'\t' read -r kind path rows; do
    if [ "$kind" = reject ]; then
      "$CLI" inspect "$path" --json >/dev/null 2>&1 && fail "$path was accepted by inspect"
    elif ! "$CLI" inspect "$path" --json 2>/dev/null | grep -q "\"rows\":$rows,"; then
      fail "$path does not hold $rows rows"
    fi
  done <"$1"
}

# The uncontended reference: what every published file must be, byte for byte.
"$CLI" --sample $ROWS -o ref.parquet --no-progress 2>/dev/null || { echo "FAIL: reference write"; exit 1; }
printf 'ref\t%s\t%s\n' "$PWD/ref.parquet" $ROWS >>whole.list

# ---- 1. --replace-stale through the CLI -------------------------------------------------------
mkdir stale && cd stale || exit 1
# expect NAME RC PATTERN -- command...: exit code and an extended-regex on the one-line stderr.
expect() {
  local name=$1 want=$2 pattern=$3
  shift 4
  "$@" >/dev/null 2>"$name.err"
  local rc=$?
  if [ "$rc" != "$want" ]; then
    fail "$name: exit $rc, expected $want: $(cat "$name.err")"
  elif ! grep -Eq -- "$pattern" "$name.err"; then
    fail "$name: stderr does not match /$pattern/: $(cat "$name.err")"
  else
    ok
  fi
}
untouched() { # NAME PATH CONTENT: the file still holds CONTENT
  if [ "$(cat "$2" 2>/dev/null)" = "$3" ]; then ok; else fail "$1: $2 was touched"; fi
}
published() { # NAME PATH: PATH is the reference, no .inprogress is left
  if cmp -s "$2" ../ref.parquet && [ ! -e "$2.inprogress" ]; then
    ok
    printf 'whole\t%s\t%s\n' "$PWD/$2" $ROWS >>../whole.list
  else
    fail "$1: $2 is not the reference file, or $2.inprogress remains"
  fi
}
W=("$CLI" --sample $ROWS --no-progress)

echo "dead writer's bytes" >old.parquet.inprogress
touch -d '-300 seconds' old.parquet.inprogress
expect refuse-by-default 3 "old\.parquet\.inprogress'.*left by a crashed or concurrent writer.*--replace-stale" -- "${W[@]}" -o old.parquet
untouched refuse-by-default old.parquet.inprogress "dead writer's bytes"
[ ! -e old.parquet ] && ok || fail "refuse-by-default: old.parquet exists"
expect replace-old 0 "replaced stale old\.parquet\.inprogress \(modified 3[0-9][0-9] s ago, no writer held it\)" -- "${W[@]}" -o old.parquet --replace-stale
published replace-old old.parquet

echo "a starting writer's bytes" >young.parquet.inprogress
expect refuse-young 3 "young\.parquet\.inprogress'.*modified [0-9]+ s ago, younger than the replace-stale age of 60 s" -- "${W[@]}" -o young.parquet --replace-stale
untouched refuse-young young.parquet.inprogress "a starting writer's bytes"
expect replace-young-with-age-0 0 "replaced stale young\.parquet\.inprogress" -- "${W[@]}" -o young.parquet --replace-stale=0
published replace-young-with-age-0 young.parquet

# A live process holds the lock (the sleep inherits the locked descriptor through exec).
echo "a live writer's bytes" >held.parquet.inprogress
touch -d '-300 seconds' held.parquet.inprogress
(exec 9<held.parquet.inprogress && flock -n 9 && exec sleep 60) &
holder=$!
for _ in $(seq 1 100); do flock -n held.parquet.inprogress true || break; sleep 0.05; done
expect refuse-held 3 "held\.parquet\.inprogress'.*held by a running writer" -- "${W[@]}" -o held.parquet --replace-stale=0
untouched refuse-held held.parquet.inprogress "a live writer's bytes"
kill "$holder"
wait "$holder" 2>/dev/null
expect replace-after-holder-died 0 "replaced stale held\.parquet\.inprogress \(modified 3[0-9][0-9] s ago" -- "${W[@]}" -o held.parquet --replace-stale=0
published replace-after-holder-died held.parquet

echo "not a writer's file" >target.txt
ln -s target.txt link.parquet.inprogress
touch -h -d '-300 seconds' link.parquet.inprogress
expect refuse-symlink 3 "link\.parquet\.inprogress'.*symbolic link" -- "${W[@]}" -o link.parquet --replace-stale=0
untouched refuse-symlink target.txt "not a writer's file"
[ -L link.parquet.inprogress ] && ok || fail "refuse-symlink: the symlink was removed"

# A real crash: SIGKILL mid-write leaves an unlocked .inprogress, which is then replaced.
"$CLI" --sample 20000000 -o killed.parquet --no-progress 2>/dev/null &
victim=$!
for _ in $(seq 1 200); do [ -s killed.parquet.inprogress ] && break; sleep 0.02; done
sleep 0.3
kill -9 "$victim"
wait "$victim" 2>/dev/null
if [ -e killed.parquet.inprogress ] && [ ! -e killed.parquet ] && flock -n killed.parquet.inprogress true; then ok
else fail "kill-9: expected an unlocked killed.parquet.inprogress and no killed.parquet"; fi
expect replace-killed 0 "replaced stale killed\.parquet\.inprogress" -- "${W[@]}" -o killed.parquet --replace-stale=0
published replace-killed killed.parquet
cd .. || exit 1

# ---- 2. racing writers ------------------------------------------------------------------------
declare -A loser_kinds=()
replaced_in_races=0
# race ROUND_DIR WRITERS [extra options...]: all writers pass a FIFO barrier together.
race() {
  local dir=$1 n=$2
  shift 2
  mkdir -p "$dir"
  mkfifo "$dir/go"
  local pids=() k
  for k in $(seq 1 "$n"); do
    # Opening the FIFO for reading blocks until the parent opens it: then all go at once.
    (: <"$dir/go"; exec "$CLI" --sample $ROWS -o "$dir/out.parquet" --no-progress "$@" 2>"$dir/err.$k") &
    pids+=($!)
  done
  sleep 0.3
  exec 4<>"$dir/go" # read-write: never blocks, and releases every reader, also late ones
  local winners=0 rc
  for k in $(seq 1 "$n"); do
    wait "${pids[$((k - 1))]}"
    rc=$?
    if [ "$rc" = 0 ]; then
      winners=$((winners + 1))
      grep -q "replaced stale" "$dir/err.$k" && replaced_in_races=$((replaced_in_races + 1))
    elif [ "$rc" = 3 ] && [ "$(wc -l <"$dir/err.$k")" = 1 ] && grep -Eq "exists|inprogress" "$dir/err.$k"; then
      local kind
      kind=$(grep -Eo "held by a running writer|younger than|refusing to overwrite|left by a crashed or concurrent writer|taken over|created again|replaced by another writer|final path already exists" "$dir/err.$k" | head -1)
      loser_kinds[${kind:-other}]=$((${loser_kinds[${kind:-other}]:-0} + 1))
    else
      fail "$dir: writer $k exited $rc: $(cat "$dir/err.$k")"
    fi
  done
  exec 4>&-
  if [ "$winners" = 1 ]; then ok; else fail "$dir: $winners writers exited 0 (expected exactly 1)"; fi
  if [ -e "$dir/out.parquet.inprogress" ]; then fail "$dir: out.parquet.inprogress left behind"; else ok; fi
  if cmp -s "$dir/out.parquet" ref.parquet; then
    ok
    printf 'whole\t%s\t%s\n' "$PWD/$dir/out.parquet" $ROWS >>whole.list
  else
    fail "$dir: out.parquet missing or not the reference file"
  fi
}

start=$(date +%s)
for r in $(seq 1 "$ROUNDS"); do race "r2-$r" 2; done
for r in $(seq 1 "$ROUNDS"); do race "r8-$r" 8; done
for r in $(seq 1 "$ROUNDS"); do race "r2-replace0-$r" 2 --replace-stale=0; done
for r in $(seq 1 "$ROUNDS"); do race "r8-replace0-$r" 8 --replace-stale=0; done
echo "races: $((4 * ROUNDS)) rounds ($ROUNDS each of 2 writers, 8 writers, 2 and 8 with --replace-stale=0;" \
  "$((ROUNDS * 20)) writer processes) in $(($(date +%s) - start)) s"
for kind in "${!loser_kinds[@]}"; do echo "  losers refused with \"$kind\": ${loser_kinds[$kind]}"; done
echo "  winners that replaced another writer's unlocked brand-new file (--replace-stale=0 only): $replaced_in_races"

# ---- 3. read every published file back --------------------------------------------------------
check_list whole.list

echo "race.sh: $checks checks passed, $failures failed"
if [ "$failures" = 0 ]; then
  cd / && rm -rf "$WORK"
  exit 0
fi
exit 1
