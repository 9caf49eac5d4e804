// acceptance.size_ratio, second half: the same rows written by independent writers, so the
// ratio our recommended strategy reaches is judged against what the peers reach on the same
// data, not against a number derived from our own output.
//
//   node size_ratio_peers.mjs OURS.parquet BASELINE.jsonl.gz
//
// Rewrites the rows of OURS (read back by DuckDB) with
//   DuckDB COPY, PARQUET_VERSION V1 and V2, COMPRESSION zstd, COMPRESSION_LEVEL 3 (its automatic
//   per-column encodings; V2 adds DELTA_* and BYTE_STREAM_SPLIT), and
//   arrow-rs (parquet-wasm) with its default properties and ZSTD (parquet-wasm cannot set the
//   level: arrow-rs's default, level 1),
// prints every size and its ratio to the gzip-JSONL baseline, and fails unless OURS is no
// larger than every peer's file. It also prints the briefing's 5x criterion and whether it is
// met (that criterion is the separate test acceptance.size_ratio_5x).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

// The readers are installed once, in the interop harness (tests/interop, npm ci).
const interop = createRequire(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'interop', 'package.json'));
const load = async (name) => import(pathToFileURL(interop.resolve(name)).href);
const parquetWasm = await load('parquet-wasm');
const { DuckDBInstance } = await load('@duckdb/node-api');

const [ours, baseline] = process.argv.slice(2);
if (!ours || !baseline) {
  console.error('usage: node size_ratio_peers.mjs OURS.parquet BASELINE.jsonl.gz');
  process.exit(2);
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'size-ratio-peers-'));
const q = (s) => `'${String(s).replaceAll("'", "''")}'`;
try {
  const con = await (await DuckDBInstance.create(':memory:')).connect();
  const count = async (f) => Number((await con.runAndReadAll(`SELECT count(*)::BIGINT n FROM read_parquet(${q(f)})`)).getRowObjectsJson()[0].n);
  const rows = await count(ours);
  const files = [{ name: 'ours: measured preset (docs/encoding-decisions.md)', file: ours, ours: true }];
  for (const v of ['V1', 'V2']) {
    const out = path.join(work, `duckdb-${v}.parquet`);
    await con.run(`COPY (SELECT * FROM read_parquet(${q(ours)})) TO ${q(out)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 3, PARQUET_VERSION ${v})`);
    files.push({ name: `DuckDB 1.5.6 COPY, automatic encodings, ${v} pages, zstd 3`, file: out });
  }
  {
    const out = path.join(work, 'arrow-rs.parquet');
    const table = parquetWasm.readParquet(fs.readFileSync(ours));
    const props = new parquetWasm.WriterPropertiesBuilder().setCompression(parquetWasm.Compression.ZSTD).build();
    fs.writeFileSync(out, parquetWasm.writeParquet(table, props));
    files.push({ name: 'arrow-rs (parquet-wasm 0.8.0) defaults, zstd (level 1)', file: out });
  }
  const gz = fs.statSync(baseline).size;
  let problems = 0;
  console.log(`${rows.toLocaleString('en-US')} canonical rows; gzip JSONL baseline ${gz.toLocaleString('en-US')} bytes`);
  for (const f of files) {
    f.bytes = fs.statSync(f.file).size;
    const n = await count(f.file);
    if (n !== rows) { console.log(`FAIL: ${f.name} holds ${n} rows, expected ${rows}`); problems++; }
    console.log(`  ${f.name.padEnd(62)} ${f.bytes.toLocaleString('en-US').padStart(14)}  ${(gz / f.bytes).toFixed(2)}x`);
  }
  const mine = files[0].bytes;
  for (const f of files.slice(1)) {
    if (mine > f.bytes) {
      console.log(`FAIL: ours (${mine} bytes) is larger than ${f.name} (${f.bytes} bytes)`);
      problems++;
    }
  }
  const ratio = gz / mine;
  console.log(`briefing criterion (>= 5x smaller than gzip JSONL): ${ratio >= 5 ? 'met' : 'NOT MET'} at ${ratio.toFixed(2)}x` +
    (ratio >= 5 ? '' : ' (see docs/encoding-decisions.md; acceptance.size_ratio_5x is disabled)'));
  console.log(problems ? `FAIL: ${problems} problem(s)` : 'PASS: the recommended strategy is no larger than any peer on the same rows');
  process.exitCode = problems ? 1 : 0;
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
