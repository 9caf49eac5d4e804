#!/usr/bin/env python3
"""acceptance.baseline_jsonl: checks the gzip-JSONL baseline independently of its writer.

  python3 check_baseline.py BASELINE.jsonl.gz EXPECTED.jsonl ROWS

BASELINE.jsonl.gz is what acceptance_baseline_jsonl wrote. EXPECTED.jsonl holds the same rows
as read by arrow-rs from the Parquet file our writer made of them (inspect.mjs dump; one
object per row, values as the interop harness's canonical strings), which acceptance.roundtrip
checks against the generated arrays. Checks:
  - the file is gzip (magic 1f 8b, method 8 = deflate) and decompresses with a valid CRC/length
    (Python's gzip module verifies the trailer);
  - exactly ROWS lines, each one JSON object with the 12 columns, in schema order;
  - every line is exactly what Python's json.dumps(obj, ensure_ascii=False,
    separators=(",", ":")) writes for the parsed object: shortest round-trip floats ("12.0",
    "1e-05" spelling), integers as integers, JSON string escaping;
  - every value equals the Parquet value: integers (timestamps in ns) exactly, floats
    bit-exact (IEEE bits), strings byte-exact (UTF-8), null where the Parquet has null.
Exit 0 and "PASS" when all hold; otherwise the first problems and exit 1.
"""
import gzip
import json
import struct
import sys

COLUMNS = [
    ("sample_timestamp_ns", "int"), ("mission_id", "str"), ("payload_id", "int"), ("sensor_kind", "str"),
    ("sequence_number", "int"), ("panel_voltage", "float"), ("temperature_c", "float"),
    ("pressure_kpa", "float"), ("quality_flag", "int"), ("archive_uri", "str"), ("object_path", "str"),
    ("notes", "str"),
]
NAMES = [c for c, _ in COLUMNS]
MAX_SHOWN = 10


def canon(kind, v):
    """A parsed JSON value as the harness's canonical string (None stays None)."""
    if v is None:
        return None
    if kind == "int":
        if type(v) is not int:
            return f"not an integer: {v!r}"
        return str(v)
    if kind == "float":
        if type(v) is not float:
            return f"not a float: {v!r}"
        return "%016x" % struct.unpack("<Q", struct.pack("<d", v))[0]
    if type(v) is not str:
        return f"not a string: {v!r}"
    return v.encode("utf-8").hex()


def main(path, expected_path, rows):
    problems = []

    def problem(msg):
        problems.append(msg)
        return len(problems) > 1000

    with open(path, "rb") as f:
        head = f.read(3)
    if len(head) < 3 or head[0] != 0x1F or head[1] != 0x8B or head[2] != 8:
        print(f"FAIL baseline_jsonl: {path} is not a gzip/deflate file (header {head.hex()})")
        return 1
    n = 0
    floats = 0
    with gzip.open(path, "rt", encoding="utf-8", newline="\n") as gz, open(expected_path, encoding="utf-8") as ex:
        for n, line in enumerate(gz, 1):
            want_line = ex.readline()
            if not line.endswith("\n"):
                if problem(f"line {n}: no trailing newline"):
                    break
            text = line[:-1] if line.endswith("\n") else line
            try:
                obj = json.loads(text)
            except ValueError as e:
                if problem(f"line {n}: not JSON: {e}"):
                    break
                continue
            if not isinstance(obj, dict) or list(obj) != NAMES:
                if problem(f"line {n}: keys {list(obj) if isinstance(obj, dict) else type(obj).__name__}, expected {NAMES}"):
                    break
                continue
            again = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
            if again != text:
                at = next((i for i, (a, b) in enumerate(zip(again, text)) if a != b), min(len(again), len(text)))
                if problem(f"line {n}: not the JSON encoder's text at char {at}: wrote {text[max(0, at - 30):at + 30]!r}, "
                           f"json.dumps gives {again[max(0, at - 30):at + 30]!r}"):
                    break
            if not want_line:
                if problem(f"line {n}: the Parquet has only {n - 1} rows"):
                    break
                continue
            want = json.loads(want_line)
            for name, kind in COLUMNS:
                got = canon(kind, obj[name])
                floats += kind == "float" and got is not None
                if got != want[name]:
                    if problem(f"row {n - 1} column {name}: JSONL {obj[name]!r} = {got!r}, Parquet (arrow-rs) {want[name]!r}"):
                        break
        extra = sum(1 for _ in ex)
    if n != rows:
        problems.append(f"{n} lines, expected {rows}")
    if extra:
        problems.append(f"the Parquet has {extra} more rows than the JSONL")
    print(f"{path}: {n} JSON lines, {floats} floats checked bit-exact against arrow-rs's read of the Parquet")
    for p in problems[:MAX_SHOWN]:
        print(f"  problem: {p}")
    if len(problems) > MAX_SHOWN:
        print(f"  ... and {len(problems) - MAX_SHOWN} more")
    print(f"FAIL baseline_jsonl: {len(problems)} problem(s)" if problems else
          "PASS baseline_jsonl: valid gzip, one JSON object per row, encoder-exact text, values equal to the Parquet's")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
