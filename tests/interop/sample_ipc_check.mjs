#!/usr/bin/env node
// The Arrow IPC stream of artemis-sample-ipc read by apache-arrow JS (an IPC reader we did
// not write), compared with DuckDB reading the Parquet file artemis-write made of the same
// stream.
//
//   node sample_ipc_check.mjs --gen ARTEMIS_SAMPLE_IPC --cli ARTEMIS_WRITE --work DIR
//                             [--rows 20000] [--batch-rows 6000]
//
// For two generator configurations (adc/time order and float/payload order) it checks:
// stream framing (starts with a continuation marker, ends with the end-of-stream marker,
// 8-byte multiple); the schema apache-arrow sees equals the canonical schema of
// include/artemis/sample.h (names, order, types, nullability); the row count and every
// batch's length; the null count of `notes` from the FieldNodes equals the nulls in its
// validity bitmap (and is neither 0 nor every row, so both paths are exercised); and every
// value of every column equals DuckDB's, as canonical strings (timestamps and 64-bit ints
// as exact decimals, floats as IEEE bit patterns, strings as their bytes in hex; see
// canonical.mjs). arrow-js and our IPC reader decode the same bytes independently, and
// cli.sample_ipc_identical shows our reader's view equals the generator's data, so this
// ties apache-arrow's view to the generator. Finally the comparison is shown to catch a
// single changed value.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as Arrow from 'apache-arrow';
import { parseType, hex, f64BitsHex } from './canonical.mjs';
import { READERS } from './readers.mjs';

// include/artemis/sample.h, artemis_sample_schema: name, harness type, nullable.
const CANONICAL = [
  ['sample_timestamp_ns', 'timestamp_ns', false],
  ['mission_id', 'utf8', false],
  ['payload_id', 'uint32', false],
  ['sensor_kind', 'utf8', false],
  ['sequence_number', 'uint64', false],
  ['panel_voltage', 'float64', false],
  ['temperature_c', 'float64', false],
  ['pressure_kpa', 'float64', false],
  ['quality_flag', 'uint8', false],
  ['archive_uri', 'utf8', false],
  ['object_path', 'utf8', false],
  ['notes', 'utf8', true],
].map(([name, type, nullable]) => ({ name, type: parseType(type), nullable }));

const CONFIGS = [
  { values: 'adc', order: 'time' },
  { values: 'float', order: 'payload' },
];

function parseArgs(argv) {
  const o = { rows: 20000, batchRows: 6000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = argv[i + 1];
    if (a === '--gen') o.gen = v;
    else if (a === '--cli') o.cli = v;
    else if (a === '--work') o.work = v;
    else if (a === '--rows') o.rows = Number(v);
    else if (a === '--batch-rows') o.batchRows = Number(v);
    else throw new Error(`unknown argument ${a}`);
    i++;
  }
  if (!o.gen || !o.cli || !o.work) throw new Error('usage: sample_ipc_check.mjs --gen PATH --cli PATH --work DIR [--rows N] [--batch-rows N]');
  return o;
}

let failures = 0;
const fail = (msg) => { failures++; console.log(`FAIL: ${msg}`); };
const ok = (msg) => console.log(`ok:   ${msg}`);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.error) throw r.error;
  return r;
}

const T = Arrow.Type;
function arrowTypeIs(t, at) {
  switch (t.kind) {
    case 'timestamp': return at.typeId === T.Timestamp && at.unit === Arrow.TimeUnit.NANOSECOND && !at.timezone;
    case 'utf8': return at.typeId === T.Utf8; // not LargeUtf8: the tool writes "u" as Utf8
    case 'int': return at.typeId === T.Int && at.bitWidth === t.bits && at.isSigned === t.signed;
    case 'float': return at.typeId === T.Float && at.precision === Arrow.Precision.DOUBLE;
  }
  return false;
}

/** Canonical strings straight from apache-arrow's buffers (no JS Number, no UTF-8 decode). */
function arrowCanonical(vector, t) {
  const out = [];
  for (const d of vector.data) {
    const bits = t.kind === 'float' ? new BigUint64Array(d.values.buffer, d.values.byteOffset, d.length) : null;
    for (let i = 0; i < d.length; i++) {
      if (!d.getValid(i)) out.push(null);
      else if (t.kind === 'float') out.push(f64BitsHex(bits[i]));
      else if (t.kind === 'utf8') out.push(hex(d.values.subarray(d.valueOffsets[i], d.valueOffsets[i + 1])));
      else out.push(String(BigInt(d.values[i]))); // ints, timestamp nanoseconds
    }
  }
  return out;
}

function compare(name, got, want) {
  const bad = [];
  if (got.length !== want.length) return [`${got.length} values vs ${want.length}`];
  for (let i = 0; i < got.length && bad.length < 3; i++) {
    if (got[i] !== want[i]) bad.push(`row ${i}: arrow-js ${got[i]} vs DuckDB ${want[i]}`);
  }
  return bad;
}

async function checkConfig(o, cfg) {
  const label = `--values ${cfg.values} --order ${cfg.order}`;
  const base = path.join(o.work, `${cfg.values}-${cfg.order}`);
  const arrows = `${base}.arrows`, parquet = `${base}.parquet`;
  const g = run(o.gen, ['--rows', String(o.rows), '--batch-rows', String(o.batchRows), '--values', cfg.values,
    '--order', cfg.order, '-o', arrows]);
  if (g.status !== 0) return fail(`${label}: artemis-sample-ipc exit ${g.status}: ${g.stderr}`);

  const bytes = fs.readFileSync(arrows);
  const head = bytes.readUInt32LE(0), eos = [bytes.readUInt32LE(bytes.length - 8), bytes.readUInt32LE(bytes.length - 4)];
  if (head !== 0xffffffff || eos[0] !== 0xffffffff || eos[1] !== 0 || bytes.length % 8 !== 0) {
    fail(`${label}: framing: first word ${head.toString(16)}, last words ${eos.map((w) => w.toString(16))}, length ${bytes.length}`);
  } else ok(`${label}: continuation marker first, end-of-stream marker last, ${bytes.length} bytes`);

  let table;
  try {
    table = Arrow.tableFromIPC(bytes);
  } catch (e) {
    return fail(`${label}: apache-arrow cannot read the stream: ${e.message}`);
  }

  // Schema.
  const fields = table.schema.fields;
  const schemaBad = [];
  if (fields.length !== CANONICAL.length) schemaBad.push(`${fields.length} fields, expected ${CANONICAL.length}`);
  CANONICAL.forEach((c, i) => {
    const f = fields[i];
    if (!f) return;
    if (f.name !== c.name) schemaBad.push(`field ${i} is "${f.name}", expected "${c.name}"`);
    if (!arrowTypeIs(c.type, f.type)) schemaBad.push(`${c.name}: type ${f.type}${f.type.timezone ? ` tz=${f.type.timezone}` : ''}, expected ${c.type.name}`);
    if (f.nullable !== c.nullable) schemaBad.push(`${c.name}: nullable=${f.nullable}, expected ${c.nullable}`);
  });
  if (schemaBad.length) fail(`${label}: schema: ${schemaBad.join('; ')}`);
  else ok(`${label}: schema is the canonical one (names, types, nullability)`);

  // Rows and batches.
  const wantBatches = [];
  for (let left = o.rows; left > 0; left -= o.batchRows) wantBatches.push(Math.min(left, o.batchRows));
  const gotBatches = table.batches.map((b) => b.numRows);
  if (table.numRows !== o.rows || gotBatches.join() !== wantBatches.join()) {
    fail(`${label}: ${table.numRows} rows in batches [${gotBatches}], expected ${o.rows} in [${wantBatches}]`);
  } else ok(`${label}: ${o.rows} rows in ${gotBatches.length} batches [${gotBatches}]`);

  // Values, against DuckDB on the Parquet our reader + writer made of the same stream.
  const w = run(o.cli, [arrows, '-o', parquet, '--no-fsync']);
  if (w.status !== 0) return fail(`${label}: artemis-write exit ${w.status}: ${w.stderr}`);
  const duck = await READERS.duckdb.read(parquet, CANONICAL);
  if (duck.rows !== o.rows) fail(`${label}: DuckDB reads ${duck.rows} rows, expected ${o.rows}`);
  const arrowCols = {};
  for (const c of CANONICAL) {
    const vector = table.getChild(c.name);
    if (!vector) continue; // reported by the schema check
    arrowCols[c.name] = arrowCanonical(vector, c.type);
    const want = duck.columns[c.name];
    if (want instanceof Error) { fail(`${label}: DuckDB ${c.name}: ${want.message}`); continue; }
    const bad = compare(c.name, arrowCols[c.name], want);
    if (bad.length) fail(`${label}: ${c.name}: arrow-js and DuckDB differ: ${bad.join('; ')}`);
    else ok(`${label}: ${c.name}: ${want.length} values equal`);
  }

  // Null count of notes: FieldNode null_count (what apache-arrow reports) vs the bitmap.
  const notes = table.getChild('notes');
  if (notes && arrowCols.notes && arrowCols.pressure_kpa && Array.isArray(duck.columns.pressure_kpa)) {
    const nodeNulls = notes.data.reduce((s, d) => s + d.nullCount, 0);
    const bitmapNulls = arrowCols.notes.filter((v) => v === null).length;
    if (nodeNulls !== bitmapNulls) fail(`${label}: notes: FieldNode null_count total ${nodeNulls}, bitmap ${bitmapNulls}`);
    else if (nodeNulls === 0 || nodeNulls === o.rows) fail(`${label}: notes has ${nodeNulls} nulls: one of the null paths is not exercised`);
    else ok(`${label}: notes: ${nodeNulls} nulls (FieldNodes == bitmap == DuckDB)`);
    // The comparison catches one changed value (the last float of the last row).
    const mutated = [...arrowCols.pressure_kpa];
    const last = mutated.length - 1;
    mutated[last] = mutated[last].slice(0, -1) + (mutated[last].endsWith('0') ? '1' : '0');
    if (!compare('pressure_kpa', mutated, duck.columns.pressure_kpa).length) fail(`${label}: a changed value was not detected`);
    else ok(`${label}: the comparison detects one changed value`);
  }
}

const o = parseArgs(process.argv.slice(2));
fs.rmSync(o.work, { recursive: true, force: true });
fs.mkdirSync(o.work, { recursive: true });
for (const cfg of CONFIGS) await checkConfig(o, cfg);
if (failures) {
  console.log(`${failures} check(s) failed`);
  process.exit(1);
}
console.log('all checks passed');
process.exit(0);
