#!/usr/bin/env bash
# Row-group target sweep behind docs/row-group-decision.md.
#
#   bench/row_group_sweep.sh [BUILD_DIR]          (default BUILD_DIR: build)
#
# For every preset P in $PRESETS and target T (MiB) in $TARGETS:
#   1. artemis-write --sample $ROWS --row-group-bytes ${T}MiB [--preset P] under
#      /usr/bin/time -v: max RSS, wall time, file size, row groups (--summary-json).
#   2. writer-memory-probe (tools/encoding-table): the same write with a counting allocator,
#      i.e. the peak of the bytes the writer itself holds (open..close), and its VmHWM.
# Then bench/row_group_sweep.mjs runs the reference analyst query with DuckDB over the files
# (median of $RUNS runs). Results: Markdown on stdout, raw data in $DATA.
#
# Environment: ROWS (10000000), TARGETS ("32 64 128 256 512"), PRESETS ("artemis measured"),
# RUNS (7), DATA (bench/data/row-group-sweep), KEEP=1 keeps the Parquet files,
# CLI / PROBE to point at other binaries.
# The files are big (about 0.4 GB each with the briefing map at 10M rows): $DATA is gitignored.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
ROWS=${ROWS:-10000000}
TARGETS=${TARGETS:-"32 64 128 256 512"}
PRESETS=${PRESETS:-"artemis measured"}
RUNS=${RUNS:-7}
DATA=${DATA:-$ROOT/bench/data/row-group-sweep}
CLI=${CLI:-$BUILD/artemis-write}
PROBE=${PROBE:-$BUILD/tools/encoding-table/writer-memory-probe}
TIME=/usr/bin/time

for f in "$CLI" "$PROBE" "$TIME"; do
  [ -x "$f" ] || { echo "row_group_sweep: $f not found or not executable (build first; see the header)" >&2; exit 2; }
done
mkdir -p "$DATA"

# The measured preset on the command line: --preset measured where the CLI has it, else the
# same map spelled out as overrides on top of the briefing preset.
preset_args() {
  case "$1" in
    artemis) echo "--preset artemis" ;;
    measured)
      if "$CLI" --help | grep -q "artemis|measured"; then
        echo "--preset measured"
      else
        echo "--preset artemis --encoding sequence_number=PLAIN --encoding panel_voltage=DICTIONARY" \
             "--encoding temperature_c=DICTIONARY --encoding pressure_kpa=DICTIONARY" \
             "--encoding archive_uri=DICTIONARY --encoding object_path=DICTIONARY"
      fi ;;
    *) echo "row_group_sweep: unknown preset $1" >&2; exit 2 ;;
  esac
}

echo "<!-- bench/row_group_sweep.sh, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))," \
     "$(awk '/MemTotal/ {printf "%.0f GiB RAM", $2/1048576}' /proc/meminfo), $(uname -sr), ROWS=$ROWS RUNS=$RUNS -->"
echo
echo "| preset | target MiB | row groups | avg rows / row group | file bytes | writer peak MiB (tracked) | tracked peak / target | max RSS MiB (artemis-write) | RSS / target | write s (artemis-write, fsync on) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
files=()
for P in $PRESETS; do
  for T in $TARGETS; do
    out="$DATA/$P-rg$(printf %03d "$T")MiB.parquet"
    rm -f "$out" "$out.inprogress"
    # shellcheck disable=SC2046
    $TIME -v "$CLI" --sample "$ROWS" --row-group-bytes "${T}MiB" $(preset_args "$P") -o "$out" \
      --summary-json "$out.summary.json" 2> "$out.time"
    rss_kib=$(awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2}' "$out.time")
    wall=$(python3 -c "import json;print(json.load(open('$out.summary.json'))['seconds'])")
    rgs=$(python3 -c "import json;print(json.load(open('$out.summary.json'))['row_groups'])")
    bytes=$(python3 -c "import json;print(json.load(open('$out.summary.json'))['file_bytes'])")
    probe_out="$DATA/probe.parquet"
    rm -f "$probe_out" "$probe_out.inprogress"
    "$PROBE" --sample "$ROWS" --row-group-bytes $((T * 1048576)) --preset "$P" -o "$probe_out" > "$out.probe.json"
    rm -f "$probe_out"
    python3 - "$P" "$T" "$rgs" "$bytes" "$rss_kib" "$wall" "$out.probe.json" "$ROWS" <<'EOF'
import json, sys
p, t, rgs, size, rss_kib, wall, probe, rows = sys.argv[1:]
t, rgs, size, rss_kib, wall, rows = int(t), int(rgs), int(size), int(rss_kib), float(wall), int(rows)
pr = json.load(open(probe))
peak = pr["writer_peak_bytes"] / 2**20
rss = rss_kib / 1024
print(f"| {p} | {t} | {rgs} | {rows // rgs:,} | {size:,} | {peak:.1f} | {peak / t:.2f} | {rss:.1f} | {rss / t:.2f} | {wall:.1f} |")
EOF
    files+=("$out")
  done
done
echo
node "$ROOT/bench/row_group_sweep.mjs" --runs "$RUNS" --json "$DATA/queries.json" "${files[@]}"
if [ "${KEEP:-0}" != 1 ]; then rm -f "${files[@]}"; fi
