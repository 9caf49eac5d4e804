// Cross-check for docs/encoding-decisions.md: the same rows written by an independent writer
// (DuckDB, automatic per-column encodings, ZSTD) next to ours.
//
//   node tools/encoding-table/duckdb_rewrite.mjs IN.parquet [OUT_DIR]
//
// Rewrites IN (any Parquet file, e.g. `artemis-write --sample 1000000 -o IN.parquet`) with
// DuckDB's COPY ... (FORMAT parquet, COMPRESSION zstd) twice: PARQUET_VERSION V1 (DuckDB's
// default: dictionary or PLAIN) and V2 (adds DELTA_* and BYTE_STREAM_SPLIT). Prints the file
// sizes and, per column, DuckDB's chosen encodings and compressed bytes (from
// parquet_metadata(); DuckDB's total_compressed_size includes page headers, like ours).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const interop = path.join(here, '..', '..', 'tests', 'interop', 'package.json');
const { DuckDBInstance } = await import(pathToFileURL(createRequire(interop).resolve('@duckdb/node-api')).href);

const [input, outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duckdb-rewrite-'))] = process.argv.slice(2);
fs.mkdirSync(outDir, { recursive: true });
if (!input) {
  console.error('usage: node tools/encoding-table/duckdb_rewrite.mjs IN.parquet [OUT_DIR]');
  process.exit(2);
}
const q = (s) => `'${String(s).replaceAll("'", "''")}'`;
const con = await (await DuckDBInstance.create(':memory:')).connect();
const rows = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJson();

const perColumn = async (f) => rows(`SELECT path_in_schema col, string_agg(DISTINCT encodings, ',') enc,
    sum(total_compressed_size)::BIGINT bytes, count(DISTINCT row_group_id)::BIGINT rgs
  FROM parquet_metadata(${q(f)}) GROUP BY ALL ORDER BY min(column_id)`);

const files = [{ name: 'input (ours)', file: input }];
for (const v of ['V1', 'V2']) {
  const out = path.join(outDir, `duckdb-${v}.parquet`);
  fs.rmSync(out, { force: true });
  await con.run(`COPY (SELECT * FROM read_parquet(${q(input)})) TO ${q(out)} (FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION ${v})`);
  files.push({ name: `DuckDB ${v}`, file: out });
}
const cols = {};
for (const f of files) {
  f.bytes = fs.statSync(f.file).size;
  f.cols = await perColumn(f.file);
  for (const c of f.cols) (cols[c.col] ??= {})[f.name] = c;
}
const n = Number((await rows(`SELECT count(*)::BIGINT n FROM read_parquet(${q(input)})`))[0].n);
console.log(`${n.toLocaleString('en-US')} rows. Per column: compressed bytes (page headers included) and encodings.\n`);
console.log(`| column | ${files.map((f) => f.name).join(' | ')} |`);
console.log(`|---|${files.map(() => '---|').join('')}`);
for (const [c, byFile] of Object.entries(cols)) {
  console.log(`| ${c} | ${files.map((f) => { const x = byFile[f.name]; return x ? `${Number(x.bytes).toLocaleString('en-US')} (${x.enc})` : '–'; }).join(' | ')} |`);
}
console.log(`| **file bytes** | ${files.map((f) => `**${f.bytes.toLocaleString('en-US')}**`).join(' | ')} |`);
console.log(`| row groups | ${files.map((f) => f.cols[0]?.rgs ?? '?').join(' | ')} |`);
