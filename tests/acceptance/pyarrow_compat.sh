#!/usr/bin/env bash
# acceptance.pyarrow_compat: pyarrow.parquet.ParquetFile reads our file (a small Python
# helper, pyarrow_compat.py) and reports the same row count and per-column null counts as
# the arrow-rs read (inspect.mjs nulls) and as the generated arrays.
# Exits 77 (CTest SKIP_RETURN_CODE) with "SKIPPED: <reason>" when pyarrow cannot be imported.
. "$(dirname "$0")/common.sh"
if [ -z "${ACC_PYTHON3:-}" ] || [ ! -x "$ACC_PYTHON3" ]; then
  echo "SKIPPED: python3 not found"
  exit 77
fi
"$ACC_PYTHON3" "$ACC_DIR/pyarrow_compat.py" --probe || exit $?
need_node
out=$ACC_OUT/pyarrow_compat
mkdir -p "$out"
# 200,000 rows in several row groups; `notes` (nullable) has nulls and values.
"$ACC_BIN/acceptance_write" -o "$out/compat.parquet" --rows 200000 --row-group-bytes 16777216 \
  --null-counts-json "$out/generated.json"
"$ACC_NODE" "$ACC_DIR/inspect.mjs" nulls "$out/compat.parquet" > "$out/arrow-rs.json"
"$ACC_PYTHON3" "$ACC_DIR/pyarrow_compat.py" "$out/compat.parquet" > "$out/pyarrow.json"
cat "$out/generated.json" "$out/arrow-rs.json" "$out/pyarrow.json"
exec "$ACC_PYTHON3" "$ACC_DIR/pyarrow_compat.py" --compare "$out/pyarrow.json" "$out/arrow-rs.json" "$out/generated.json"
