#!/usr/bin/env node
// Arrow IPC written by apache-arrow JS (an independent IPC writer) through the artemis-write CLI.
//
//   node arrowjs_roundtrip.mjs --cli PATH [--seed N] [--keep]
//
// Generates seeded random data for every flat type the writer maps (see integration_json.mjs),
// as canonical strings first (README "Case format"); builds apache-arrow Data from those values
// in several record batches (one of 0 rows), with nulls at varied densities, dictionary columns
// (int8 and int32 indices, a null dictionary entry) and non-nullable columns; writes it as an IPC
// stream and as an IPC file; runs the CLI on the stream by path, the file by path and the stream
// through stdin; and has verify.mjs read the three Parquet files with all four readers. The
// expected values are the generated ones, mapped to the writer's Parquet types (time32[s] and
// timestamp[s] x 1000, date64 / 86400000, dictionaries resolved), never read back from our output.
// Before the CLI runs, the IPC bytes are read back with apache-arrow JS and must give the same
// canonical values (a check of the generator, so a FAIL later points at the CLI).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as Arrow from 'apache-arrow';
import { DuckDBInstance } from '@duckdb/node-api';
import { isNaNHex } from './canonical.mjs';
import { readArrowIpc, convertArrowIpc, writeHarnessCase, diffConversions } from './integration_json.mjs';
import { runCli, leftovers, describeRun, oneLine, sanitizerReport, report, tally, runVerify, judgeVerify } from './ipc_corpus.mjs';

// ---- seeded generation ------------------------------------------------------------------------

let state = 0x853c49e6748fea9bn;
function seed(n) { state = (BigInt(n) * 0x9e3779b97f4a7c15n + 0x853c49e6748fea9bn) & 0xffffffffffffffffn || 1n; }
function rand64() { // xorshift64*
  state ^= state >> 12n; state ^= (state << 25n) & 0xffffffffffffffffn; state ^= state >> 27n;
  return (state * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn;
}
const randBelow = (n) => Number(rand64() % BigInt(n));
const randBig = (lo, hi) => lo + (rand64() * 2n ** 64n + rand64()) % (hi - lo + 1n);
const randHex = (bytes) => Array.from({ length: bytes }, () => randBelow(256).toString(16).padStart(2, '0')).join('');
const utf8Hex = (s) => Buffer.from(s, 'utf8').toString('hex');
function randFloatHex(bits, allow) {
  for (;;) {
    const h = (rand64() & ((1n << BigInt(bits)) - 1n)).toString(16).padStart(bits / 4, '0');
    if (allow === 'any' || !isNaNHex(bits, h)) return h;
  }
}
const WORDS = ['', 'a', 'héllo wörld', '中文字符', 'emoji 😀', 'tab\tnewline\n', 'nul \u0000 inside', '\u{10FFFF}', 'z'.repeat(200), 'Ω≈ç√∫'];
const DAY_MS = 86400000n;

/**
 * A column: Arrow type, harness type, nullable, null density, special values placed first, and a
 * generator of Arrow-level canonical values (`arrow`); `map` turns an Arrow-level value into the
 * expected Parquet-level one (identity unless the writer converts units).
 */
function col(name, arrowType, harnessType, { nullable = true, density = 0.1, specials = [], gen, map = (v) => v, ...rest }) {
  return { name, arrowType, harnessType, nullable, density, specials, gen, map, ...rest };
}
function intCol(name, Type, signed, bits, opts = {}) {
  const lo = signed ? -(2n ** BigInt(bits - 1)) : 0n, hi = signed ? 2n ** BigInt(bits - 1) - 1n : 2n ** BigInt(bits) - 1n;
  return col(name, new Type(), `${signed ? '' : 'u'}int${bits}`, {
    specials: [String(lo), String(hi), '0', signed ? '-1' : '1', String(hi - 1n)], gen: () => String(randBig(lo, hi)), ...opts,
  });
}
const unitMul = (k) => (v) => String(BigInt(v) * k);
const decCol = (name, p, s, opts = {}) => {
  const max = 10n ** BigInt(p) - 1n;
  return col(name, new Arrow.Decimal(s, p, 128), `decimal:${p}:${s}`, { specials: [String(max), String(-max), '0', '-1', '1'], gen: () => String(randBig(-max, max)), ...opts });
};
const TS_RANGE = { s: 200000000000n, ms: 8000000000000000n, us: 9000000000000000000n, ns: 9200000000000000000n };
const tsCol = (name, unit, tz, Type) => col(name, new Type(tz), `timestamp_${unit === 's' ? 'ms' : unit}${tz ? '_utc' : ''}`, {
  specials: ['0', '-1', '1', String(TS_RANGE[unit]), String(-TS_RANGE[unit])], gen: () => String(randBig(-TS_RANGE[unit], TS_RANGE[unit])),
  map: unit === 's' ? unitMul(1000n) : undefined,
});

// Dictionary columns: the dictionary (canonical hex of utf8, one entry null) shared by all batches.
const DICT_WORDS = [utf8Hex('alpha'), utf8Hex(''), null, utf8Hex('γάμμα'), utf8Hex('δ'.repeat(40)), utf8Hex('e')];
function dictCol(name, IndexType, indexBits, opts = {}) {
  return col(name, new Arrow.Dictionary(new Arrow.Utf8(), new IndexType()), 'utf8', {
    specials: ['2', '0', '1'], gen: () => String(randBelow(DICT_WORDS.length)), map: (v) => DICT_WORDS[Number(v)], ...opts, dict: true, indexBits,
  });
}

function columns() {
  return [
    intCol('i8', Arrow.Int8, true, 8), intCol('i16', Arrow.Int16, true, 16), intCol('i32', Arrow.Int32, true, 32), intCol('i64', Arrow.Int64, true, 64),
    intCol('u8', Arrow.Uint8, false, 8), intCol('u16', Arrow.Uint16, false, 16), intCol('u32', Arrow.Uint32, false, 32), intCol('u64', Arrow.Uint64, false, 64),
    intCol('i32_required', Arrow.Int32, true, 32, { nullable: false, density: 0 }),
    intCol('i64_half_null', Arrow.Int64, true, 64, { density: 0.5 }),
    intCol('u16_mostly_null', Arrow.Uint16, false, 16, { density: 0.97 }),
    // The writer omits FLOAT16 min/max in a chunk holding a NaN (docs/parquet-subset.md), so the
    // NaN column is not statistics-checked (NO_STATS); f16_no_nan is.
    col('f16_no_nan', new Arrow.Float16(), 'float16', { specials: ['0000', '8000', '7c00', '0001', 'fbff'], gen: () => randFloatHex(16, 'non-nan') }),
    col('f16', new Arrow.Float16(), 'float16', { specials: ['7e00', '0000', '8000', '7c00', 'fc00', '0001', '8001', '03ff', '7bff', '3c00'], gen: () => randFloatHex(16, 'non-nan') }),
    col('f32', new Arrow.Float32(), 'float32', {
      specials: ['7fc00000', '7fc00001', 'ffc00000', '7f800001', '80000000', '00000000', '7f800000', 'ff800000', '00000001', '80000001', '007fffff', '7f7fffff', 'ff7fffff'],
      gen: () => randFloatHex(32, randBelow(20) ? 'non-nan' : 'any'),
    }),
    col('f64', new Arrow.Float64(), 'float64', {
      specials: ['7ff8000000000000', '7ff8000000000001', '8000000000000000', '0000000000000000', '7ff0000000000000', 'fff0000000000000', '0000000000000001', '800fffffffffffff', '7fefffffffffffff'],
      gen: () => randFloatHex(64, randBelow(20) ? 'non-nan' : 'any'),
    }),
    col('f64_required', new Arrow.Float64(), 'float64', { nullable: false, density: 0, specials: ['8000000000000000', '0000000000000000'], gen: () => randFloatHex(64, 'non-nan') }),
    col('b', new Arrow.Bool(), 'bool', { specials: ['true', 'false'], gen: () => String(randBelow(2) === 1) }),
    col('b_sparse', new Arrow.Bool(), 'bool', { density: 0.8, gen: () => String(randBelow(2) === 1) }),
    col('s', new Arrow.Utf8(), 'utf8', { specials: WORDS.map(utf8Hex), gen: (r) => utf8Hex(WORDS[randBelow(WORDS.length)] + 'ü'.repeat(randBelow(3)) + r) }),
    col('s_required', new Arrow.Utf8(), 'utf8', { nullable: false, density: 0, specials: [''], gen: (r) => utf8Hex(`row ${r} ✓`) }),
    col('ls', new Arrow.LargeUtf8(), 'utf8', { specials: ['', utf8Hex('größer')], gen: () => utf8Hex(WORDS[randBelow(WORDS.length)]) }),
    col('bin', new Arrow.Binary(), 'binary', { specials: ['', '00', 'ff', '00ff00'], gen: () => randHex(randBelow(40)) }),
    col('lbin', new Arrow.LargeBinary(), 'binary', { density: 0.3, specials: ['', 'deadbeef'], gen: () => randHex(randBelow(20)) }),
    col('fsb5', new Arrow.FixedSizeBinary(5), 'fixed_binary:5', { specials: ['0000000000', 'ffffffffff'], gen: () => randHex(5) }),
    col('fsb16', new Arrow.FixedSizeBinary(16), 'fixed_binary:16', { density: 0.02, gen: () => randHex(16) }),
    col('d32', new Arrow.DateDay(), 'date32', { specials: ['0', '-1', '-719162', '2932896'], gen: () => String(randBig(-1000000n, 1000000n)) }),
    col('d64', new Arrow.DateMillisecond(), 'date32', {
      specials: ['0', String(-DAY_MS), String(2932896n * DAY_MS), String(-719162n * DAY_MS)],
      gen: () => String(randBig(-1000000n, 1000000n) * DAY_MS), map: (v) => String(BigInt(v) / DAY_MS),
    }),
    col('t32s', new Arrow.TimeSecond(), 'time_ms', { specials: ['0', '86399'], gen: () => String(randBig(0n, 86399n)), map: unitMul(1000n) }),
    col('t32ms', new Arrow.TimeMillisecond(), 'time_ms', { specials: ['0', '86399999'], gen: () => String(randBig(0n, 86399999n)) }),
    col('t64us', new Arrow.TimeMicrosecond(), 'time_us', { specials: ['0', '86399999999'], gen: () => String(randBig(0n, 86399999999n)) }),
    col('t64ns', new Arrow.TimeNanosecond(), 'time_ns', { specials: ['0', '86399999999999'], gen: () => String(randBig(0n, 86399999999999n)) }),
    tsCol('ts_s', 's', null, Arrow.TimestampSecond), tsCol('ts_ms', 'ms', null, Arrow.TimestampMillisecond),
    tsCol('ts_us', 'us', null, Arrow.TimestampMicrosecond), tsCol('ts_ns', 'ns', null, Arrow.TimestampNanosecond),
    tsCol('ts_s_utc', 's', 'UTC', Arrow.TimestampSecond), tsCol('ts_ms_paris', 'ms', 'Europe/Paris', Arrow.TimestampMillisecond),
    tsCol('ts_us_utc', 'us', 'UTC', Arrow.TimestampMicrosecond), tsCol('ts_ns_utc', 'ns', '+01:00', Arrow.TimestampNanosecond),
    decCol('dec_9_2', 9, 2), decCol('dec_18_4', 18, 4), decCol('dec_38_10', 38, 10), decCol('dec_38_0_required', 38, 0, { nullable: false, density: 0 }),
    dictCol('dict_i8', Arrow.Int8, 8), dictCol('dict_i32', Arrow.Int32, 32, { density: 0.4 }),
  ];
}

/** Arrow-level canonical values per column (null = null slot). */
function generate(cols, rows) {
  return cols.map((c) => Array.from({ length: rows }, (_, r) => {
    if (r < c.specials.length) return c.specials[r];
    if (c.nullable && randBelow(1000) < c.density * 1000) return null;
    return c.gen(r);
  }));
}

// ---- Arrow Data from canonical values ---------------------------------------------------------

function makeColumnData(c, values, dictionary) {
  const n = values.length, t = c.arrowType;
  const nullBitmap = new Uint8Array(Math.ceil(n / 8) || 1);
  let nullCount = 0;
  values.forEach((v, i) => (v === null ? nullCount++ : (nullBitmap[i >> 3] |= 1 << (i & 7))));
  const base = { type: t, length: n, nullCount, nullBitmap: c.nullable ? nullBitmap : undefined };
  const big = (A) => A.from(values, (v) => BigInt(v ?? 0));
  const num = (A) => A.from(values, (v) => Number(v ?? 0));
  const bytes = (v) => Buffer.from(v ?? '', 'hex');
  switch (t.typeId) {
    case Arrow.Type.Int: {
      const A = { 8: [Int8Array, Uint8Array], 16: [Int16Array, Uint16Array], 32: [Int32Array, Uint32Array], 64: [BigInt64Array, BigUint64Array] }[t.bitWidth][t.isSigned ? 0 : 1];
      return Arrow.makeData({ ...base, data: t.bitWidth === 64 ? big(A) : A.from(values, (v) => Number(BigInt(v ?? 0))) });
    }
    case Arrow.Type.Float: {
      const bits = [16, 32, 64][t.precision];
      const raw = bits === 64 ? BigUint64Array.from(values, (v) => BigInt('0x' + (v ?? '0'))) : (bits === 32 ? Uint32Array : Uint16Array).from(values, (v) => parseInt(v ?? '0', 16));
      return Arrow.makeData({ ...base, data: bits === 16 ? raw : new (bits === 32 ? Float32Array : Float64Array)(raw.buffer) });
    }
    case Arrow.Type.Bool: {
      const bits = new Uint8Array(Math.ceil(n / 8) || 1);
      values.forEach((v, i) => v === 'true' && (bits[i >> 3] |= 1 << (i & 7)));
      return Arrow.makeData({ ...base, data: bits });
    }
    case Arrow.Type.Utf8: case Arrow.Type.Binary: case Arrow.Type.LargeUtf8: case Arrow.Type.LargeBinary: {
      const parts = values.map(bytes), large = t.typeId === Arrow.Type.LargeUtf8 || t.typeId === Arrow.Type.LargeBinary;
      const offsets = large ? new BigInt64Array(n + 1) : new Int32Array(n + 1);
      parts.forEach((p, i) => (offsets[i + 1] = large ? offsets[i] + BigInt(p.length) : offsets[i] + p.length));
      return Arrow.makeData({ ...base, valueOffsets: offsets, data: Buffer.concat(parts) });
    }
    case Arrow.Type.FixedSizeBinary:
      return Arrow.makeData({ ...base, data: Buffer.concat(values.map((v) => (v === null ? Buffer.alloc(t.byteWidth) : bytes(v)))) });
    case Arrow.Type.Date: return Arrow.makeData({ ...base, data: t.unit === Arrow.DateUnit.DAY ? num(Int32Array) : big(BigInt64Array) });
    case Arrow.Type.Time: return Arrow.makeData({ ...base, data: t.bitWidth === 32 ? num(Int32Array) : big(BigInt64Array) });
    case Arrow.Type.Timestamp: return Arrow.makeData({ ...base, data: big(BigInt64Array) });
    case Arrow.Type.Decimal: {
      const data = new Uint32Array(n * 4);
      values.forEach((v, i) => {
        let x = BigInt.asUintN(128, BigInt(v ?? 0));
        for (let w = 0; w < 4; w++, x >>= 32n) data[i * 4 + w] = Number(x & 0xffffffffn);
      });
      return Arrow.makeData({ ...base, data });
    }
    case Arrow.Type.Dictionary: {
      const A = { 8: Int8Array, 32: Int32Array }[c.indexBits];
      return Arrow.makeData({ ...base, data: A.from(values, (v) => Number(v ?? 0)), dictionary });
    }
  }
  throw new Error(`no builder for ${t}`);
}

function dictionaryVector() {
  const n = DICT_WORDS.length, nullBitmap = new Uint8Array(1), offsets = new Int32Array(n + 1);
  const parts = DICT_WORDS.map((w) => Buffer.from(w ?? '', 'hex'));
  DICT_WORDS.forEach((w, i) => { if (w !== null) nullBitmap[0] |= 1 << i; offsets[i + 1] = offsets[i] + parts[i].length; });
  return Arrow.makeVector(Arrow.makeData({ type: new Arrow.Utf8(), length: n, nullCount: DICT_WORDS.filter((w) => w === null).length, nullBitmap, valueOffsets: offsets, data: Buffer.concat(parts) }));
}

const NO_STATS = ['f16'];

// ---- main -------------------------------------------------------------------------------------

function usage(msg) {
  console.error(`${msg}\nusage: node arrowjs_roundtrip.mjs --cli PATH [--seed N] [--keep]`);
  process.exit(2);
}

async function main(argv) {
  let cli = null, seedValue = 20240611, keep = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--cli') cli = argv[++i];
    else if (argv[i] === '--seed') seedValue = Number(argv[++i]);
    else if (argv[i] === '--keep') keep = true;
    else usage(`unknown argument ${argv[i]}`);
  }
  if (!cli || !fs.existsSync(cli)) usage('--cli PATH (an existing artemis-write) is required');
  seed(seedValue);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'artemis-arrowjs-'));
  console.log(`work dir ${work}, seed ${seedValue}`);
  try {
    const cols = columns();
    const batchSizes = [700, 0, 1, 1900, 333, 66];
    const rows = batchSizes.reduce((a, b) => a + b, 0);
    const values = generate(cols, rows);
    const dictionary = dictionaryVector();
    const fields = cols.map((c) => new Arrow.Field(c.name, c.arrowType, c.nullable));
    // Schema-level custom metadata must reach the Parquet footer's key_value_metadata unchanged.
    const schemaMetadata = new Map([['mission', 'artemis-ii'], ['ground_station', 'DSS-43 Canberra \u2713'], ['empty', '']]);
    const schema = new Arrow.Schema(fields, schemaMetadata);
    const batches = [];
    let start = 0;
    for (const size of batchSizes) {
      const children = cols.map((c, j) => makeColumnData(c, values[j].slice(start, start + size), dictionary));
      batches.push(new Arrow.RecordBatch(schema, Arrow.makeData({ type: new Arrow.Struct(fields), length: size, nullCount: 0, children })));
      start += size;
    }
    const table = new Arrow.Table(batches);
    // Expected, from the generated values (Parquet-level: units converted, dictionaries resolved).
    const expected = {
      rows,
      columns: cols.map((c, j) => ({ name: c.name, type: c.harnessType, nullable: c.nullable, values: values[j].map((v) => (v === null ? null : c.map(v))) })),
    };
    const inputs = {};
    for (const fmt of ['stream', 'file']) {
      const bytes = Arrow.tableToIPC(table, fmt);
      const file = path.join(work, `input.${fmt === 'stream' ? 'stream' : 'arrow_file'}`);
      fs.writeFileSync(file, bytes);
      inputs[fmt] = file;
      // The generator itself: apache-arrow reads back exactly the expected values, in batches of the planned sizes.
      const back = readArrowIpc(bytes);
      const diff = diffConversions(expected, convertArrowIpc(back));
      const sizes = back.chunks[0].map((d) => d.length).join(',');
      if (sizes !== batchSizes.join(',')) diff.push(`record batches of ${sizes} rows, planned ${batchSizes.join(',')}`);
      report(diff.length ? 'FAIL' : 'PASS', `generated IPC ${fmt}`, diff.length ? 'apache-arrow JS reads back other values than generated' :
        `${bytes.length} bytes, ${rows} rows x ${cols.length} columns in batches of ${sizes}`, diff);
    }
    const casesDir = path.join(work, 'cases');
    fs.mkdirSync(casesDir);
    const accepted = [];
    // Arrow JS files hold the schema only in the footer: through a pipe the reader spools
    // them to a temporary file and reads the footer (mode file-stdin).
    for (const [mode, input] of [['stream', inputs.stream], ['file', inputs.file], ['stdin', fs.readFileSync(inputs.stream)], ['file-stdin', fs.readFileSync(inputs.file)]]) {
      const runDir = path.join(work, `run.${mode}`);
      fs.mkdirSync(runDir);
      const out = path.join(runDir, 'out.parquet');
      const r = runCli(cli, input, out);
      const p = [];
      if (r.code !== 0) p.push(`expected exit 0, got ${describeRun(r)}: ${oneLine(r.stderr)}`);
      if (sanitizerReport(r.stderr)) p.push('sanitizer report on stderr');
      p.push(...leftovers(runDir, out, r.code === 0));
      if (p.length) { report('FAIL', `arrowjs [${mode}]`, 'CLI', p); continue; }
      const name = `arrowjs.${mode}`;
      fs.renameSync(out, path.join(casesDir, `${name}.parquet`));
      writeHarnessCase(expected, casesDir, name, { columns: Object.fromEntries(cols.filter((c) => !NO_STATS.includes(c.name)).map((c) => [c.name, { stats: true }])) });
      accepted.push(name);
      report('PASS', `arrowjs [${mode}]`, 'converted (exit 0)');
    }
    if (accepted.length) judgeVerify(accepted, runVerify(casesDir).out);
    {
      const con = await (await DuckDBInstance.create(':memory:')).connect();
      for (const name of accepted) {
        const file = path.join(casesDir, `${name}.parquet`).replaceAll("'", "''");
        const rows = (await con.runAndReadAll(`SELECT decode(key) k, decode(value) v FROM parquet_kv_metadata('${file}') ORDER BY k`)).getRowObjectsJson();
        const got = JSON.stringify(rows.map((r) => [r.k, r.v]));
        const want = JSON.stringify([...schemaMetadata].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
        report(got === want ? 'PASS' : 'FAIL', `${name} duckdb:kv_metadata`, got === want ? 'schema metadata passed through' : `got ${got}, expected ${want}`);
      }
    }
  } finally {
    if (!keep) fs.rmSync(work, { recursive: true, force: true });
  }
  console.log(`${tally.limitations} limitations`);
  console.log(`${tally.passed} passed, ${tally.failed} failed`);
  return tally.failed === 0 && tally.passed > 0 ? 0 : 1;
}

process.exit(await main(process.argv.slice(2)));
