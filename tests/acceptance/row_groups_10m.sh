#!/usr/bin/env bash
# acceptance.row_groups_10m: 10,000,000 canonical rows written with a 128 MiB row-group
# target (set explicitly) give at least 3 row groups, counted by DuckDB in the footer
# (parquet_metadata()), holding all 10,000,000 rows (count(*)). The footer check of
# acceptance.footer_encodings runs on this production-sized file too.
. "$(dirname "$0")/common.sh"
need_node
out=$ACC_OUT/row_groups_10m
mkdir -p "$out"
f=$out/rows10m.parquet
start=$(date +%s%N)
"$ACC_BIN/acceptance_write" -o "$f" --rows 10000000 --row-group-bytes 134217728
echo "write: $(( ($(date +%s%N) - start) / 1000000 )) ms, $(file_size "$f") bytes"
"$ACC_NODE" "$ACC_DIR/inspect.mjs" row-groups "$f" --rows 10000000 --min-row-groups 3
"$ACC_NODE" "$ACC_DIR/inspect.mjs" footer "$f"
rm -f "$f" # 380 MB
