#!/usr/bin/env bash
# The main job: installs what the build needs, builds, and writes N rows (default
# 1,000,000) of the built-in canonical telemetry to out/telemetry.parquet with the
# Artemis encoding preset, printing the write summary as JSON.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
bash scripts/install-deps.sh
bash scripts/build.sh release
mkdir -p out
rm -f out/telemetry.parquet
./build/artemis-write --sample "$rows" -o out/telemetry.parquet --summary-json - --log-json out/telemetry.events.jsonl
echo "wrote out/telemetry.parquet; events in out/telemetry.events.jsonl" >&2
