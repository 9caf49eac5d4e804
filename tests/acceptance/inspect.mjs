#!/usr/bin/env node
// Acceptance checks that read our Parquet files with readers we did not write (through the
// interop harness, tests/interop/readers.mjs: arrow-rs via parquet-wasm, DuckDB).
//
//   node inspect.mjs dump FILE OUT.jsonl         arrow-rs read -> one JSON object per row,
//                                                {column: canonical string} (harness format)
//   node inspect.mjs nulls FILE                  arrow-rs read -> {"rows", "null_counts"} JSON
//   node inspect.mjs footer FILE [--expect-fail COL[,COL...]]
//        DuckDB parquet_metadata(): every row group's column chunk must report the briefing's
//        encodings (below) and ZSTD. With --expect-fail, the check must FAIL, and exactly on
//        the named columns (to show that it can fail); exit 0 then.
//   node inspect.mjs row-groups FILE --rows N --min-row-groups K
//        DuckDB parquet_metadata(): at least K row groups holding N rows in total.
//
// Prints PASS/FAIL lines; exit 0 on success, 1 on failure, 2 on usage errors.
import fs from 'node:fs';
import { READERS, duckdb, sqlStr } from '../interop/readers.mjs';
import { parseType } from '../interop/canonical.mjs';

// The briefing's canonical schema table (tests/acceptance/acceptance_common.c has the same).
export const COLUMNS = [
  ['sample_timestamp_ns', 'timestamp_ns', false, 'DELTA_BINARY_PACKED'],
  ['mission_id', 'utf8', false, 'DICTIONARY'],
  ['payload_id', 'uint32', false, 'DICTIONARY'],
  ['sensor_kind', 'utf8', false, 'DICTIONARY'],
  ['sequence_number', 'uint64', false, 'DELTA_BINARY_PACKED'],
  ['panel_voltage', 'float64', false, 'BYTE_STREAM_SPLIT'],
  ['temperature_c', 'float64', false, 'BYTE_STREAM_SPLIT'],
  ['pressure_kpa', 'float64', false, 'BYTE_STREAM_SPLIT'],
  ['quality_flag', 'uint8', false, 'DICTIONARY'],
  ['archive_uri', 'utf8', false, 'DELTA_BYTE_ARRAY'],
  ['object_path', 'utf8', false, 'DELTA_BYTE_ARRAY'],
  ['notes', 'utf8', true, 'DICTIONARY'],
].map(([name, type, nullable, encoding]) => ({ name, type: parseType(type), nullable, encoding }));

const DICT = ['RLE_DICTIONARY', 'PLAIN_DICTIONARY'];

function usage(msg) {
  console.error(`${msg}\nusage: node inspect.mjs dump FILE OUT | nulls FILE | footer FILE [--expect-fail COLS] | row-groups FILE --rows N --min-row-groups K`);
  process.exit(2);
}

async function arrowRsRead(file) {
  const res = await READERS['arrow-rs'].read(file, COLUMNS);
  for (const c of COLUMNS) if (res.columns[c.name] instanceof Error) throw new Error(`arrow-rs: column ${c.name}: ${res.columns[c.name].message}`);
  return res;
}

async function dump(file, out) {
  const res = await arrowRsRead(file);
  const lines = [];
  for (let r = 0; r < res.rows; r++) {
    const row = {};
    for (const c of COLUMNS) row[c.name] = res.columns[c.name][r];
    lines.push(JSON.stringify(row));
  }
  fs.writeFileSync(out, lines.join('\n') + (lines.length ? '\n' : ''));
  console.log(`dumped ${res.rows} rows x ${COLUMNS.length} columns read by arrow-rs to ${out}`);
  return 0;
}

async function nulls(file) {
  const res = await arrowRsRead(file);
  const counts = {};
  for (const c of COLUMNS) counts[c.name] = res.columns[c.name].filter((v) => v === null).length;
  console.log(JSON.stringify({ reader: 'arrow-rs (parquet-wasm)', rows: res.rows, null_counts: counts }));
  return 0;
}

/** Problems of one column chunk's encodings against the briefing's map. */
function encodingProblems(col, encodings, codec) {
  const p = [];
  const dict = encodings.filter((e) => DICT.includes(e));
  if (col.encoding === 'DICTIONARY') {
    if (!dict.length) p.push(`no dictionary encoding (expected RLE_DICTIONARY or PLAIN_DICTIONARY)`);
  } else {
    if (!encodings.includes(col.encoding)) p.push(`lacks ${col.encoding}`);
    if (dict.length) p.push(`has ${dict.join('+')} beside ${col.encoding} (the override must bypass the dictionary)`);
    // Exactly the configured value encoding: besides it only RLE (levels) may appear.
    const other = encodings.filter((e) => e !== col.encoding && e !== 'RLE' && !DICT.includes(e));
    if (other.length) p.push(`also has ${other.join('+')}`);
  }
  if (codec !== 'ZSTD') p.push(`codec ${codec}, expected ZSTD`);
  return p;
}

async function footer(file, expectFail) {
  const conn = await duckdb();
  const rows = (await conn.runAndReadAll(
    `SELECT row_group_id, path_in_schema, encodings, compression FROM parquet_metadata(${sqlStr(file)}) ORDER BY row_group_id, column_id`)).getRows();
  const groups = new Set(rows.map((r) => Number(r[0])));
  const problems = [], badColumns = new Set();
  for (const col of COLUMNS) {
    const chunks = rows.filter((r) => r[1] === col.name);
    if (chunks.length !== groups.size) { problems.push(`${col.name}: ${chunks.length} chunks in ${groups.size} row groups`); badColumns.add(col.name); }
    const seen = new Set();
    for (const [rg, , enc, codec] of chunks) {
      const encodings = String(enc).split(', ').filter(Boolean);
      seen.add(encodings.join('+'));
      for (const p of encodingProblems(col, encodings, codec)) { problems.push(`${col.name} row group ${rg}: ${p} [${encodings.join(', ')}]`); badColumns.add(col.name); }
    }
    console.log(`  ${col.name.padEnd(20)} expected ${col.encoding.padEnd(20)} DuckDB: ${[...seen].join(' | ')} in ${chunks.length} chunk(s)`);
  }
  if (groups.size === 0) problems.push('no row groups');
  console.log(`${groups.size} row groups, ${rows.length} column chunks checked with DuckDB parquet_metadata()`);
  for (const p of problems.slice(0, 20)) console.log(`  problem: ${p}`);
  if (problems.length > 20) console.log(`  ... and ${problems.length - 20} more`);
  if (!expectFail) {
    console.log(problems.length ? `FAIL footer_encodings: ${problems.length} problem(s)` : 'PASS footer_encodings');
    return problems.length ? 1 : 0;
  }
  // Negative run: the check must fail, and exactly on the columns that were overridden.
  const want = [...expectFail].sort().join(','), got = [...badColumns].sort().join(',');
  if (!problems.length) { console.log(`FAIL expected the footer check to fail on ${want}, but it passed`); return 1; }
  if (want !== got) { console.log(`FAIL expected the footer check to fail on exactly ${want}, it failed on ${got}`); return 1; }
  console.log(`PASS the footer check reported FAIL on ${got}, as expected`);
  return 0;
}

async function rowGroups(file, wantRows, minGroups) {
  const conn = await duckdb();
  const groups = (await conn.runAndReadAll(
    `SELECT row_group_id, any_value(row_group_num_rows), any_value(row_group_bytes) FROM parquet_metadata(${sqlStr(file)}) GROUP BY 1 ORDER BY 1`)).getRows();
  const total = groups.reduce((a, g) => a + Number(g[1]), 0);
  const counted = Number((await conn.runAndReadAll(`SELECT count(*) FROM read_parquet(${sqlStr(file)})`)).getRows()[0][0]);
  for (const [id, n, bytes] of groups) console.log(`  row group ${String(id).padStart(3)}: ${String(n).padStart(9)} rows, ${bytes} bytes (uncompressed, DuckDB)`);
  console.log(`DuckDB: ${groups.length} row groups, ${total} rows in the footer, count(*) = ${counted}`);
  const problems = [];
  if (groups.length < minGroups) problems.push(`${groups.length} row groups, expected at least ${minGroups}`);
  if (total !== wantRows) problems.push(`row groups hold ${total} rows, expected ${wantRows}`);
  if (counted !== wantRows) problems.push(`count(*) = ${counted}, expected ${wantRows}`);
  for (const p of problems) console.log(`  problem: ${p}`);
  console.log(problems.length ? 'FAIL row_groups' : 'PASS row_groups');
  return problems.length ? 1 : 0;
}

async function main(argv) {
  const [cmd, file, ...rest] = argv;
  if (!cmd || !file) usage('missing arguments');
  if (!fs.existsSync(file)) usage(`no such file ${file}`);
  if (cmd === 'dump') return dump(file, rest[0] ?? usage('dump needs OUT'));
  if (cmd === 'nulls') return nulls(file);
  if (cmd === 'footer') {
    if (rest.length && (rest[0] !== '--expect-fail' || !rest[1])) usage('footer FILE [--expect-fail COL,...]');
    return footer(file, rest.length ? new Set(rest[1].split(',')) : null);
  }
  if (cmd === 'row-groups') {
    const opt = (k) => { const i = rest.indexOf(k); return i >= 0 && rest[i + 1] !== undefined ? Number(rest[i + 1]) : usage(`row-groups needs ${k}`); };
    return rowGroups(file, opt('--rows'), opt('--min-row-groups'));
  }
  usage(`unknown command ${cmd}`);
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
  console.log(`FAIL ${e?.stack ?? e}`);
  process.exit(1);
});
