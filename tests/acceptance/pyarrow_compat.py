#!/usr/bin/env python3
"""acceptance.pyarrow_compat: the Python side (the briefing's pyarrow reader test).

  python3 pyarrow_compat.py --probe
      exit 0 if `import pyarrow.parquet` works; else print "SKIPPED: <reason>" and exit 77
  python3 pyarrow_compat.py FILE
      opens FILE with pyarrow.parquet.ParquetFile, reads every row group, prints one JSON
      object: {"reader", "rows" (footer), "read_rows" (decoded), "null_counts": {column: n}}
  python3 pyarrow_compat.py --compare PY.json OTHER.json...
      PASS if every OTHER read (arrow-rs, the generated arrays) reports the same row count and
      the same per-column null counts as pyarrow; exit 1 otherwise
"""
import json
import sys

SKIP = 77


def probe():
    try:
        import pyarrow  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    except Exception as e:  # ImportError, or a broken install
        print(f"SKIPPED: pyarrow is not importable with {sys.executable} "
              f"(python {sys.version.split()[0]}): {type(e).__name__}: {e}")
        sys.exit(SKIP)
    print(f"pyarrow {pyarrow.__version__} available")


def read(path):
    import pyarrow
    import pyarrow.parquet as pq
    pf = pq.ParquetFile(path)
    table = pf.read()  # decodes every column of every row group
    out = {
        "reader": f"pyarrow {pyarrow.__version__}",
        "rows": pf.metadata.num_rows,
        "row_groups": pf.metadata.num_row_groups,
        "read_rows": table.num_rows,
        "null_counts": {name: table.column(name).null_count for name in table.schema.names},
    }
    print(json.dumps(out))


def compare(py_path, others):
    with open(py_path) as f:
        py = json.load(f)
    problems = []
    if py["rows"] != py["read_rows"]:
        problems.append(f"pyarrow: footer says {py['rows']} rows, decoded {py['read_rows']}")
    for path in others:
        with open(path) as f:
            other = json.load(f)
        who = other.get("reader", path)
        if other["rows"] != py["read_rows"]:
            problems.append(f"row count: pyarrow {py['read_rows']}, {who} {other['rows']}")
        if set(other["null_counts"]) != set(py["null_counts"]):
            problems.append(f"columns: pyarrow {sorted(py['null_counts'])}, {who} {sorted(other['null_counts'])}")
        for col, n in other["null_counts"].items():
            if py["null_counts"].get(col) != n:
                problems.append(f"column {col}: pyarrow {py['null_counts'].get(col)} nulls, {who} {n}")
    print(f"{py['reader']}: {py['read_rows']} rows, nulls {py['null_counts']}")
    for p in problems:
        print(f"  problem: {p}")
    print("FAIL pyarrow_compat" if problems else
          f"PASS pyarrow_compat: row count and per-column null counts agree with {len(others)} other read(s)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    args = sys.argv[1:]
    if args == ["--probe"]:
        probe()
    elif len(args) >= 3 and args[0] == "--compare":
        compare(args[1], args[2:])
    elif len(args) == 1:
        read(args[0])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
