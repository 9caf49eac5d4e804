#!/usr/bin/env bash
# The CLI's peak memory on a long Arrow IPC stream through a pipe does not grow with the
# input: each batch is released once written, the writer holds one row group of compressed
# pages. The same 50,000-row batch message is streamed 20 times and 400 times (about 34 MB
# and 690 MB of IPC, 1M and 20M rows) into `artemis-write -` with a 16 MiB row-group target;
# the peak RSS (GNU time) of the long run must stay within 15% + 4 MiB of the short one, and
# under 64 MiB. Then the long file's row count is checked by DuckDB.
#
# usage: ipc_memory_test.sh PATH/TO/artemis-write NODE INTEROP_DIR [--sanitizer-build]
set -euo pipefail
CLI=$(realpath "$1")
NODE=$2
INTEROP=$(cd "$3" && pwd)
if [ "${4:-}" = --sanitizer-build ]; then
  echo "SKIPPED: peak RSS under ASan measures the sanitizer's quarantine and shadow memory, not the writer (runs in the release build)"
  exit 77
fi
[ -x /usr/bin/time ] || { echo "FAIL: GNU time (/usr/bin/time) is missing"; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/artemis-ipc-memory.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

peak_kib() { # COPIES -> prints peak RSS in KiB of the CLI
  local copies=$1 out="$WORK/out-$1.parquet"
  (cd "$INTEROP" && "$NODE" make_long_stream.mjs - 50000 "$copies" 2>/dev/null) |
    /usr/bin/time -f '%M' -o "$WORK/time-$copies" "$CLI" - -o "$out" --row-group-bytes 16MiB --no-progress --no-fsync \
      --summary-json "$WORK/summary-$copies.json"
  grep -q "\"rows\":$((copies * 50000))," "$WORK/summary-$copies.json" || {
    echo "FAIL: $copies copies: the summary does not report $((copies * 50000)) rows: $(head -c 200 "$WORK/summary-$copies.json")"
    exit 1
  }
  tail -1 "$WORK/time-$copies"
}
short=$(peak_kib 20)
long=$(peak_kib 400)
echo "peak RSS: 1,000,000 rows ${short} KiB; 20,000,000 rows ${long} KiB"
limit=$((short * 115 / 100 + 4096))
if [ "$long" -gt "$limit" ]; then
  echo "FAIL: peak RSS grew with the input: ${long} KiB > ${limit} KiB (115% of the short run + 4 MiB)"
  exit 1
fi
if [ "$long" -gt $((64 * 1024)) ]; then
  echo "FAIL: peak RSS ${long} KiB exceeds 64 MiB at a 16 MiB row-group target"
  exit 1
fi
rows=$(cd "$INTEROP" && "$NODE" --input-type=module -e "
import { DuckDBInstance } from '@duckdb/node-api';
const con = await (await DuckDBInstance.create(':memory:')).connect();
const r = await con.runAndReadAll(\"SELECT count(*)::BIGINT n, count(DISTINCT sequence_number)::BIGINT d FROM read_parquet('$WORK/out-400.parquet')\");
const [row] = r.getRowObjectsJson(); console.log(row.n + ' ' + row.d);")
if [ "$rows" != "20000000 50000" ]; then
  echo "FAIL: DuckDB reads '$rows' (rows, distinct sequence numbers), expected '20000000 50000'"
  exit 1
fi
echo "PASS"
