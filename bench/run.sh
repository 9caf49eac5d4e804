#!/usr/bin/env bash
# artemis-write against DuckDB and polars: wall time, peak RSS and output size, on the same
# Arrow IPC input; every output read back and compared with the input. See bench/README.md.
#
#   bench/run.sh [--rows N] [--rounds N] [--instr-rows N] [--datasets "canonical float"]
#                [--build-dir DIR] [--work DIR] [--results FILE] [--keep-outputs] [--regen]
#   bench/run.sh --smoke [--build-dir DIR]      (50,000 rows, 1 round, no callgrind: every
#                                                other path, in well under a minute)
#
#   --rows N         rows of each generated input (default 10,000,000)
#   --rounds N       timed rounds (default 3); each round runs every configuration once, in
#                    an order rotated by one each round; the table shows median (min-max)
#   --instr-rows N   rows of the (separate) input for the callgrind instruction count of
#                    artemis-write on one thread (default 1,000,000; 0 = skip)
#   --datasets LIST  canonical (adc values) and/or float (full-mantissa random walks)
#   --build-dir DIR  use DIR's artemis-write and tools/bench-data/artemis-sample-ipc as they
#                    are (no build); default: scripts/build.sh release, then build/
#   --work DIR       inputs, DuckDB's Parquet copy of them, outputs, raw results (default
#                    bench/data, gitignored; --smoke: BUILD/bench-smoke)
#   --results FILE   where the Markdown goes besides stdout (default bench/results/latest.md;
#                    --smoke: WORK/latest.md, so a smoke run never touches the committed one)
#   --keep-outputs   keep the written Parquet files (default: deleted after the read-back)
#   --regen          regenerate the inputs even if present
#
# Environment: ARTEMIS_SAMPLE_IPC=PATH replaces the input generator (only to test the harness
# itself; the results then say so).
#
# Exit status: 0 all ran and every output read back equal to the input; 1 a tool failed or an
# output did not read back (the message says which; raw logs in WORK/raw); 2 usage or setup.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
COMMAND="bench/run.sh$(printf ' %q' "$@")"

ROWS=10000000 ROUNDS=3 INSTR_ROWS=1000000 DATASETS="canonical float"
BUILD_DIR="" WORK="" RESULTS="" KEEP=0 REGEN=0 SMOKE=0
rows_set=0 rounds_set=0 instr_set=0

die() { echo "bench/run.sh: $*" >&2; exit 2; }
fail() { echo "bench/run.sh: FAILED: $*" >&2; exit 1; }
num() { [[ "$2" =~ ^[0-9]+$ ]] || die "$1 needs a number, got '$2'"; echo "$2"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS=$(num "$1" "${2-}"); rows_set=1; shift 2 ;;
    --rounds) ROUNDS=$(num "$1" "${2-}"); rounds_set=1; shift 2 ;;
    --instr-rows) INSTR_ROWS=$(num "$1" "${2-}"); instr_set=1; shift 2 ;;
    --datasets) DATASETS=${2-}; shift 2 ;;
    --build-dir) BUILD_DIR=${2-}; shift 2 ;;
    --work) WORK=${2-}; shift 2 ;;
    --results) RESULTS=${2-}; shift 2 ;;
    --keep-outputs) KEEP=1; shift ;;
    --regen) REGEN=1; shift ;;
    --smoke) SMOKE=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
if [ "$SMOKE" = 1 ]; then
  [ "$rows_set" = 1 ] || ROWS=50000
  [ "$rounds_set" = 1 ] || ROUNDS=1
  [ "$instr_set" = 1 ] || INSTR_ROWS=0
fi
{ [ "$ROWS" -gt 0 ] && [ "$ROUNDS" -gt 0 ]; } || die "--rows and --rounds must be > 0"
for d in $DATASETS; do
  case "$d" in canonical|float) ;; *) die "unknown dataset '$d' (canonical, float)" ;; esac
done

# ---- the configurations ----------------------------------------------------------------------
# One entry per table row: "slug|kind|arguments|extra|label".
#   artemis       arguments = CLI flags added to `artemis-write IN -o OUT --no-fsync`; the row
#                 is skipped (and listed as such) when an --option is not in `--help`.
#   duckdb-write  arguments = COPY options after FORMAT parquet (@RG@ = rows of artemis-write's
#                 first row group on this input, so both write the same row groups); extra =
#                 a statement run first. Timed: the COPY of the in-memory table only.
#   duckdb-e2e    the same, COPY (SELECT * FROM read_parquet(source)); timed: the process.
#   polars-write  df.writeParquet(OUT, {compression: 'zstd'}) (zstd level 3, polars' default
#                 row groups); timed: that call only. polars-e2e: read + write; timed: the process.
#   floor         zstd level 3 on one core over artemis-write's --compression none output
#                 (bench/zstd_floor.c); timed: the compression loop only.
# The slugs polars-write, polars-e2e, duckdb-v1-write, duckdb-v1-e2e (time) and duckdb-v1-write,
# duckdb-v2-write (size) are the ratio references of the table.
DUCK_ZSTD="COMPRESSION zstd, COMPRESSION_LEVEL 3"
CONFIGS=(
  "artemis-default|artemis|||artemis-write (briefing preset)"
  "artemis-measured|artemis|--preset measured||artemis-write --preset measured"
  "artemis-adaptive|artemis|--encoding-strategy adaptive||artemis-write --encoding-strategy adaptive"
  "artemis-1thread|artemis|--threads 1||artemis-write --threads 1"
  "artemis-adaptive-1thread|artemis|--encoding-strategy adaptive --threads 1||artemis-write --encoding-strategy adaptive --threads 1"
  "artemis-readahead|artemis|--read-ahead||artemis-write --read-ahead"
  "duckdb-v1-write|duckdb-write|$DUCK_ZSTD, ROW_GROUP_SIZE @RG@||DuckDB COPY, V1 pages, write only"
  "duckdb-v2-write|duckdb-write|$DUCK_ZSTD, ROW_GROUP_SIZE @RG@, PARQUET_VERSION V2||DuckDB COPY, V2 pages, write only"
  "duckdb-v1-defaultrg-write|duckdb-write|$DUCK_ZSTD||DuckDB COPY, V1, its default 122,880-row row groups, write only"
  "duckdb-v1-128mb-write|duckdb-write|$DUCK_ZSTD, ROW_GROUP_SIZE_BYTES '128MB', ROW_GROUP_SIZE 1000000000|SET preserve_insertion_order = false|DuckDB COPY, V1, ROW_GROUP_SIZE_BYTES 128MB, rows reordered, write only"
  "duckdb-v1-e2e|duckdb-e2e|$DUCK_ZSTD, ROW_GROUP_SIZE @RG@||DuckDB read + COPY V1, end to end"
  "polars-write|polars-write|||polars writeParquet zstd, write only"
  "polars-e2e|polars-e2e|||polars readIPCStream + writeParquet, end to end"
  "zstd-floor|floor|||floor: zstd -3, 1 core, artemis' uncompressed pages"
)
# callgrind: this configuration's flags (single-threaded), else artemis-default's.
INSTR_CONFIG=artemis-1thread

# ---- setup -----------------------------------------------------------------------------------
TIME=/usr/bin/time
[ -x "$TIME" ] || die "$TIME not found (Debian package 'time')"
command -v node >/dev/null || die "node not found (Node.js >= 20)"
[ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] || die "Node.js >= 20 needed, found $(node --version)"
command -v cc >/dev/null || die "cc not found"
[ "$INSTR_ROWS" = 0 ] || command -v valgrind >/dev/null || die "valgrind not found (or pass --instr-rows 0)"

if [ -z "$BUILD_DIR" ]; then
  BUILD="$ROOT/build"
  echo "bench: scripts/build.sh release" >&2
  log=$(mktemp)
  if ! "$ROOT/scripts/build.sh" release >"$log" 2>&1; then
    tail -n 30 "$log" >&2; rm -f "$log"; die "scripts/build.sh release failed"
  fi
  rm -f "$log"
else
  BUILD=$(cd "$BUILD_DIR" && pwd) || die "--build-dir $BUILD_DIR: no such directory"
fi
CLI="$BUILD/artemis-write"
GEN=${ARTEMIS_SAMPLE_IPC:-$BUILD/tools/bench-data/artemis-sample-ipc}
[ -x "$CLI" ] || die "$CLI not found (build first)"
[ -x "$GEN" ] || die "$GEN not found (the tools/bench-data target: build first)"

if [ -z "$WORK" ]; then
  if [ "$SMOKE" = 1 ]; then WORK="$BUILD/bench-smoke"; else WORK="$ROOT/bench/data"; fi
fi
if [ -z "$RESULTS" ]; then
  if [ "$SMOKE" = 1 ]; then RESULTS="$WORK/latest.md"; else RESULTS="$ROOT/bench/results/latest.md"; fi
fi
mkdir -p "$WORK" "$WORK/raw" "$(dirname "$RESULTS")"
WORK=$(cd "$WORK" && pwd)
exec 9>"$WORK/.lock"
flock -n 9 || die "another bench/run.sh is using $WORK"

INTEROP="$ROOT/tests/interop"
if [ ! -d "$INTEROP/node_modules/@duckdb/node-api" ] || [ ! -d "$INTEROP/node_modules/nodejs-polars" ]; then
  echo "bench: npm ci in tests/interop" >&2
  (cd "$INTEROP" && npm ci --no-audit --no-fund >&2) || die "npm ci in tests/interop failed"
fi
PEERS=(node "$ROOT/bench/peers.mjs")

# The floor program: compiled next to the binaries it is measured against.
FLOOR="$BUILD/bench/zstd-floor"
if [ ! -x "$FLOOR" ] || [ "$ROOT/bench/zstd_floor.c" -nt "$FLOOR" ]; then
  mkdir -p "$BUILD/bench"
  cc -O2 -std=c11 -Wall -Wextra -o "$FLOOR.tmp.$$" "$ROOT/bench/zstd_floor.c" -lzstd || die "cannot compile bench/zstd_floor.c (libzstd-dev)"
  mv -f "$FLOOR.tmp.$$" "$FLOOR"
fi

RAW="$WORK/raw"
RUNS="$RAW/runs.jsonl"
: >"$RUNS"
jstr() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\t'/ }; printf '"%s"' "${s//$'\n'/ }"; }
record() { printf '%s\n' "$1" >>"$RUNS"; }

HELP=$("$CLI" --help 2>&1) || true
# An artemis configuration runs only when every --option it uses is in --help.
artemis_missing() {
  local tok
  for tok in $1; do
    case "$tok" in --*) grep -q -- "$tok\b" <<<"$HELP" || { echo "$tok"; return; } ;; esac
  done
}

active=()
for c in "${CONFIGS[@]}"; do
  [ "$(tr -cd '|' <<<"$c" | wc -c)" = 4 ] || die "CONFIGS entry needs 5 '|'-separated fields: $c"
  IFS='|' read -r slug kind args extra label <<<"$c"
  why=""
  if [ "$kind" = artemis ]; then
    miss=$(artemis_missing "$args")
    [ -z "$miss" ] || why="this artemis-write has no $miss"
  fi
  record "{\"type\":\"config\",\"slug\":$(jstr "$slug"),\"kind\":$(jstr "$kind"),\"args\":$(jstr "$args"),\"extra\":$(jstr "$extra"),\"label\":$(jstr "$label"),\"skipped\":$(jstr "$why")}"
  if [ -n "$why" ]; then echo "bench: skipping $slug: $why" >&2; else active+=("$c"); fi
done

"${PEERS[@]}" probe-duckdb >"$RAW/probe-duckdb.json" 2>"$RAW/probe-duckdb.err" \
  || { cat "$RAW/probe-duckdb.err" >&2; fail "DuckDB probe"; }

# ---- inputs ----------------------------------------------------------------------------------
GEN_SHA=$(sha256sum "$GEN" | cut -c1-16)
values_of() { case "$1" in canonical) echo adc ;; float) echo float ;; esac; }

# ensure_input DATASET ROWS -> path of the IPC stream, generated unless present with the
# same row count, values and generator binary (FILE.meta records them and the file size)
ensure_input() {
  local d=$1 n=$2 f="$WORK/$1-$2.arrows" want
  want="rows=$n values=$(values_of "$d") generator_sha256=$GEN_SHA"
  if [ "$REGEN" = 1 ] || [ ! -s "$f" ] || [ "$(cat "$f.meta" 2>/dev/null)" != "$want size=$(stat -c %s "$f" 2>/dev/null)" ]; then
    echo "bench: generating $f" >&2
    rm -f "$f" "$f.meta" "$f.tmp"
    "$GEN" --rows "$n" --values "$(values_of "$d")" -o "$f.tmp" >"$RAW/gen-$d-$n.log" 2>&1 \
      || { tail -n 20 "$RAW/gen-$d-$n.log" >&2; fail "generating $f"; }
    mv -f "$f.tmp" "$f"
    echo "$want size=$(stat -c %s "$f")" >"$f.meta"
  fi
  ln -sfn "$(basename "$f")" "$WORK/$d-$n.ipc" # nodejs-polars reads a path only if it ends in .ipc
  echo "$f"
}

# run_timed NAME -- CMD... : runs CMD under /usr/bin/time; sets WALL (s, process), RSS (KiB),
# and leaves stdout/stderr in $RAW/NAME.out/.err. Exits on failure with the tool's stderr.
run_timed() {
  local name=$1; shift; [ "$1" = -- ] && shift
  local t0 t1 rc=0
  t0=$(date +%s%N)
  "$TIME" -f '%e %M' -o "$RAW/$name.time" "$@" >"$RAW/$name.out" 2>"$RAW/$name.err" || rc=$?
  t1=$(date +%s%N)
  if [ "$rc" != 0 ]; then
    echo "--- $* (exit $rc); stderr:" >&2; tail -n 20 "$RAW/$name.err" >&2
    fail "$name exited with status $rc"
  fi
  WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", (b - a) / 1e9 }')
  RSS=$(tail -n 1 "$RAW/$name.time" | awk '{ print $2 }')
}
json_field() { sed -n "s/.*\"$2\":\([-0-9.e+]*\).*/\1/p" "$1" | head -n 1; }

declare -A INPUT PREP RG UNCOMP CHUNK
for d in $DATASETS; do
  in=$(ensure_input "$d" "$ROWS")
  INPUT[$d]=$in
  ipc="$WORK/$d-$ROWS.ipc"
  # What DuckDB loads (it cannot read Arrow IPC here): polars' uncompressed Parquet copy. This
  # also checks that polars reads the stream with the expected row count.
  PREP[$d]="$WORK/$d-$ROWS.duckdb-source.parquet"
  if [ ! -s "${PREP[$d]}" ] || [ "$in" -nt "${PREP[$d]}" ]; then
    echo "bench: $d: polars -> ${PREP[$d]}" >&2
    "${PEERS[@]}" prep --ipc "$ipc" --out "${PREP[$d]}" --rows "$ROWS" >"$RAW/prep-$d.json" 2>"$RAW/prep-$d.err" \
      || { cat "$RAW/prep-$d.err" >&2; rm -f "${PREP[$d]}"; fail "polars could not prepare $d"; }
  fi
  # Untimed: artemis-write once (warms the page cache; its first row group's row count is the
  # DuckDB ROW_GROUP_SIZE) and once uncompressed (the floor's input, average page size).
  mkdir -p "$WORK/out/$d"
  warm="$WORK/out/$d/warmup.parquet"
  rm -f "$warm" "$warm.inprogress"
  "$CLI" "$in" -o "$warm" --no-fsync >"$RAW/warmup-$d.log" 2>&1 || { cat "$RAW/warmup-$d.log" >&2; fail "artemis-write on $in"; }
  RG[$d]=$("${PEERS[@]}" rg-rows "$warm") || fail "reading $warm"
  rm -f "$warm"
  UNCOMP[$d]="$WORK/out/$d/artemis-uncompressed.parquet"
  rm -f "${UNCOMP[$d]}" "${UNCOMP[$d]}.inprogress"
  "$CLI" "$in" -o "${UNCOMP[$d]}" --no-fsync --compression none --summary-json "$RAW/uncompressed-$d.json" >"$RAW/uncompressed-$d.log" 2>&1 \
    || { cat "$RAW/uncompressed-$d.log" >&2; fail "artemis-write --compression none on $in"; }
  CHUNK[$d]=$(node -e '
    const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const pages = s.columns.reduce((a, c) => a + c.data_pages, 0);
    console.log(pages > 0 ? Math.max(1, Math.round(s.uncompressed_bytes / pages)) : 1048576);' "$RAW/uncompressed-$d.json")
  record "{\"type\":\"dataset\",\"dataset\":$(jstr "$d"),\"rows\":$ROWS,\"input\":$(jstr "$(basename "$in")"),\"input_bytes\":$(stat -c %s "$in"),\"source\":$(jstr "$(basename "${PREP[$d]}")"),\"source_bytes\":$(stat -c %s "${PREP[$d]}"),\"rg_rows\":${RG[$d]},\"floor_chunk_bytes\":${CHUNK[$d]},\"uncompressed_bytes\":$(stat -c %s "${UNCOMP[$d]}")}"
done

# ---- timed rounds ----------------------------------------------------------------------------
out_of() { echo "$WORK/out/$1/$2.parquet"; }
n_active=${#active[@]}
for ((r = 1; r <= ROUNDS; r++)); do
  for d in $DATASETS; do
    for ((k = 0; k < n_active; k++)); do
      c=${active[$(((k + r - 1) % n_active))]}
      IFS='|' read -r slug kind args extra label <<<"$c"
      out=$(out_of "$d" "$slug")
      rm -f "$out" "$out.inprogress"
      args=${args//@RG@/${RG[$d]}}
      name="$d-$slug-r$r"
      ipc="$WORK/$d-$ROWS.ipc"
      set_args=()
      [ -z "$extra" ] || set_args=(--set "$extra")
      # shellcheck disable=SC2086 # $args: the configuration's flags, split on purpose
      case "$kind" in
        artemis) run_timed "$name" -- "$CLI" "${INPUT[$d]}" -o "$out" --no-fsync $args ;;
        duckdb-write|duckdb-e2e) run_timed "$name" -- "${PEERS[@]}" "$kind" --source "${PREP[$d]}" --out "$out" --copy "$args" "${set_args[@]}" ;;
        polars-write|polars-e2e) run_timed "$name" -- "${PEERS[@]}" "$kind" --ipc "$ipc" --out "$out" ;;
        floor) run_timed "$name" -- "$FLOOR" "${UNCOMP[$d]}" "${CHUNK[$d]}" 3 ;;
        *) die "unknown kind $kind" ;;
      esac
      inner=null
      case "$kind" in
        artemis) bytes=$(stat -c %s "$out") ;;
        floor) bytes=$(json_field "$RAW/$name.out" output_bytes); inner=$(json_field "$RAW/$name.out" seconds) ;;
        *) bytes=$(stat -c %s "$out"); inner=$(json_field "$RAW/$name.out" seconds)
           got=$(json_field "$RAW/$name.out" rows)
           [ "$got" = "$ROWS" ] || fail "$name: the tool reports $got rows, expected $ROWS" ;;
      esac
      { [ -n "$inner" ] && [ -n "$bytes" ]; } || fail "$name: no result in $RAW/$name.out"
      record "{\"type\":\"run\",\"dataset\":$(jstr "$d"),\"slug\":$(jstr "$slug"),\"round\":$r,\"wall\":$WALL,\"inner\":$inner,\"rss_kib\":$RSS,\"bytes\":$bytes}"
      case "$kind" in artemis|*-e2e) shown=$WALL ;; *) shown=$inner ;; esac # what the table reports
      printf 'bench: round %d/%d %-9s %-22s %8.3f s %8.1f MiB %12s bytes\n' "$r" "$ROUNDS" "$d" "$slug" \
        "$shown" "$(awk -v k="$RSS" 'BEGIN { print k / 1024 }')" "$bytes" >&2
    done
  done
done

# ---- read back: every output of the last round, against the polars copy of the input ----------
verify_failed=0
for d in $DATASETS; do
  files=("artemis-uncompressed=${UNCOMP[$d]}")
  for c in "${active[@]}"; do
    IFS='|' read -r slug kind args extra label <<<"$c"
    [ "$kind" = floor ] && continue
    f="$slug=$(out_of "$d" "$slug")"
    [[ "$extra" == *preserve_insertion_order* ]] && f+=":unordered"
    files+=("$f")
  done
  echo "bench: $d: reading back ${#files[@]} files with DuckDB" >&2
  "${PEERS[@]}" verify --rows "$ROWS" --source "${PREP[$d]}" --json "$RAW/verify-$d.json" "${files[@]}" 2>"$RAW/verify-$d.err" \
    || verify_failed=1
  cat "$RAW/verify-$d.err" >&2
  [ -s "$RAW/verify-$d.json" ] || fail "verify of $d produced no result"
  record "{\"type\":\"verify\",\"dataset\":$(jstr "$d"),\"file\":$(jstr "$RAW/verify-$d.json")}"
done

# ---- instructions (callgrind), single-threaded -----------------------------------------------
if [ "$INSTR_ROWS" -gt 0 ]; then
  iargs="" islug=artemis-default
  for c in "${active[@]}"; do
    IFS='|' read -r slug kind args extra label <<<"$c"
    [ "$slug" = "$INSTR_CONFIG" ] && { iargs=$args; islug=$slug; }
  done
  for d in $DATASETS; do
    if [ "$INSTR_ROWS" = "$ROWS" ]; then in=${INPUT[$d]}; else in=$(ensure_input "$d" "$INSTR_ROWS"); fi
    out="$WORK/out/$d/callgrind.parquet"
    rm -f "$out" "$out.inprogress"
    echo "bench: $d: callgrind, $INSTR_ROWS rows" >&2
    # shellcheck disable=SC2086
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$CLI" "$in" -o "$out" --no-fsync $iargs \
      >"$RAW/callgrind-$d.log" 2>&1 || { tail -n 20 "$RAW/callgrind-$d.log" >&2; fail "callgrind run of artemis-write on $in"; }
    ir=$(sed -n 's/^==[0-9]*== Collected : \([0-9]*\).*/\1/p' "$RAW/callgrind-$d.log" | tail -n 1)
    [ -n "$ir" ] || fail "no 'Collected' line in $RAW/callgrind-$d.log"
    rm -f "$out"
    record "{\"type\":\"instr\",\"dataset\":$(jstr "$d"),\"rows\":$INSTR_ROWS,\"slug\":$(jstr "$islug"),\"args\":$(jstr "$iargs"),\"instructions\":$ir}"
  done
fi

# ---- report ----------------------------------------------------------------------------------
gen_note=""
[ "$GEN" = "$BUILD/tools/bench-data/artemis-sample-ipc" ] || gen_note="inputs from ARTEMIS_SAMPLE_IPC=$GEN (harness test, not the benchmark generator)"
record "{\"type\":\"meta\",\"command\":$(jstr "$COMMAND"),\"rows\":$ROWS,\"rounds\":$ROUNDS,\"instr_rows\":$INSTR_ROWS,\"smoke\":$SMOKE,\"cli\":$(jstr "$CLI"),\"generator_note\":$(jstr "$gen_note")}"
node "$ROOT/bench/report.mjs" "$RUNS" >"$RAW/report.md" || fail "bench/report.mjs"
cp "$RAW/report.md" "$RESULTS"
cat "$RAW/report.md"
echo "bench: results in $RESULTS, raw data in $RAW" >&2

if [ "$KEEP" = 0 ]; then
  for d in $DATASETS; do rm -f "$WORK/out/$d"/*.parquet; done
fi
[ "$verify_failed" = 0 ] || fail "an output did not read back equal to the input (see the table and $RAW/verify-*.err)"
