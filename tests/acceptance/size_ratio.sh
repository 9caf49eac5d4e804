#!/usr/bin/env bash
# acceptance.size_ratio: every strategy's size against the gzip-JSONL baseline on 1,000,000
# canonical rows (acceptance_size_ratio prints them), then the recommended strategy against
# independent writers on the same rows (size_ratio_peers.mjs): it must be no larger than
# any of them. The briefing's literal 5x bar is acceptance.size_ratio_5x.
source "$(dirname "$0")/common.sh"
need_node
out="$ACC_OUT/size_ratio"
mkdir -p "$out"
"$ACC_BIN/acceptance_size_ratio" "$out" --rows "${1:-1000000}" --assert none
(cd "$INTEROP_DIR" && "$ACC_NODE" "$ACC_DIR/size_ratio_peers.mjs" "$out/ratio_measured.parquet" "$out/ratio_baseline.jsonl.gz")
rm -f "$out"/ratio_*.parquet "$out"/ratio_baseline.jsonl.gz
