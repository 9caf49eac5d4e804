#!/usr/bin/env node
// Arrow integration JSON (the `.json.gz` of each IPC corpus case, see
// tests/data/ipc-corpus/README.md) -> the harness's expected form (see README.md "Case format"):
// one canonical string per value, for the Parquet type each Arrow type becomes in our writer.
//
//   node integration_json.mjs convert CASE.json[.gz] OUTDIR NAME   write OUTDIR/NAME.{expected.json,values.jsonl}
//   node integration_json.mjs --selfcheck [--corpus DIR]            the converter vs apache-arrow JS
//
// The mapping (docs/parquet-subset.md): int8/16/32, uint8/16/32 -> INT32 with their INTEGER
// annotation (read back as that integer type); int64/uint64 -> INT64; float16/32/64; utf8 and
// large_utf8 -> utf8; binary and large_binary -> binary; fixed_size_binary(w) -> fixed_binary:w;
// date32 -> date32; date64 -> DATE (days = ms / 86400000, only whole days: the writer rejects
// anything else); time32[s] and time32[ms] -> time_ms (seconds x 1000); time64[us/ns] ->
// time_us/time_ns; timestamp[s] -> timestamp_ms (x 1000), timestamp[ms/us/ns]; with any time
// zone -> the _utc variant; decimal32/64/128/256(p, s) -> decimal:p:s; dictionary<idx, T> -> T
// with the dictionary resolved (a valid index pointing at a null dictionary value is null);
// null -> the all-null type `null` (Parquet UNKNOWN). The arrow.uuid extension on
// fixed_size_binary(16) -> `uuid` (Parquet UUID); other extension types are their storage type.
// utf8_view -> utf8 and binary_view -> binary (values from the JSON's VIEWS: INLINED for up to 12
// bytes, else SIZE bytes at OFFSET of VARIADIC_DATA_BUFFERS[BUFFER_INDEX], whose first 4 bytes
// must be PREFIX_HEX). Anything else (nested, union, list view, run-end encoded, duration,
// interval) has no mapping: the column is reported as `unsupported` with the Arrow type's name.
//
// Quirks of the JSON handled here: 64-bit integers are strings; decimals are unscaled integer
// strings; binary is uppercase hex; floats are decimal numbers (a float32 is the nearest float32
// to the number; float16 likewise); dictionary values may be null. Dictionaries are looked up by
// their id *within the JSON* (consistent with the JSON's own schema); the binary files may number
// them differently, which does not matter here because only the JSON is read.
//
// The self-check reads every corpus case's .stream and .arrow_file with apache-arrow JS (an
// independent decoder of the binary files), maps its Arrow types and buffers to canonical strings
// with a second, separate implementation of the same mapping, and requires exactly the same
// columns, types, nullability and values as the JSON converter. It also requires that a
// deliberately corrupted conversion is caught.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import * as Arrow from 'apache-arrow';
import { decompressZstd } from 'hyparquet-compressors';
import {
  parseType, canonFromJson, hex, rescale, fromLeWords, u32Hex, f64BitsHex, f16BitsHex,
  numberToF64Hex, numberToF32Hex, numberToNearestF16Bits,
} from './canonical.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const CORPUS = path.resolve(here, '../data/ipc-corpus');
const MS_PER_DAY = 86400000n;
const UNIT = { SECOND: 's', MILLISECOND: 'ms', MICROSECOND: 'us', NANOSECOND: 'ns' };

export function loadIntegrationJson(file) {
  const raw = fs.readFileSync(file);
  return JSON.parse((file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8'));
}

class Unsupported extends Error {}

/** The canonical arrow.uuid extension on fixed_size_binary(16) becomes Parquet's UUID logical type. */
const isUuid = (fixedWidth, extensionName) => fixedWidth === 16 && extensionName === 'arrow.uuid';

// ---- the JSON side ----------------------------------------------------------------------------

/** Harness type of a JSON field's value type (after dictionary resolution), or throw Unsupported. */
function jsonTypeName(type) {
  switch (type.name) {
    case 'null': return 'null';
    case 'bool': return 'bool';
    case 'int': return `${type.isSigned ? '' : 'u'}int${type.bitWidth}`;
    case 'floatingpoint': return { HALF: 'float16', SINGLE: 'float32', DOUBLE: 'float64' }[type.precision];
    case 'utf8': case 'largeutf8': case 'utf8view': return 'utf8';
    case 'binary': case 'largebinary': case 'binaryview': return 'binary';
    case 'fixedsizebinary': return `fixed_binary:${type.byteWidth}`;
    case 'date': return 'date32'; // date64 too: DATE in days
    case 'time': return `time_${{ SECOND: 'ms', MILLISECOND: 'ms', MICROSECOND: 'us', NANOSECOND: 'ns' }[type.unit]}`;
    case 'timestamp': return `timestamp_${type.unit === 'SECOND' ? 'ms' : UNIT[type.unit]}${type.timezone ? '_utc' : ''}`;
    case 'decimal': return `decimal:${type.precision}:${type.scale}`;
  }
  throw new Unsupported(`Arrow type "${type.name}" has no Parquet mapping in the writer`);
}

/** Canonical strings of one JSON column of value type `type` (no dictionary), `count` slots. */
function jsonValues(type, col, where) {
  const n = col.count, out = new Array(n);
  const valid = (i) => type.name !== 'null' && (col.VALIDITY ? col.VALIDITY[i] === 1 : true);
  const data = col.DATA, off = col.OFFSET;
  for (let i = 0; i < n; i++) {
    if (!valid(i)) { out[i] = null; continue; }
    const v = data?.[i], big = () => BigInt(String(v));
    let s;
    switch (type.name) {
      case 'bool': s = String(v === true); if (typeof v !== 'boolean') throw new Error(`${where}[${i}]: not a boolean`); break;
      case 'int': s = String(big()); break;
      case 'floatingpoint': {
        const x = typeof v === 'number' ? v : Number(v);
        s = type.precision === 'DOUBLE' ? numberToF64Hex(x) : type.precision === 'SINGLE' ? numberToF32Hex(Math.fround(x)) : f16BitsHex(numberToNearestF16Bits(x));
        break;
      }
      case 'utf8': case 'largeutf8': {
        const b = Buffer.from(v, 'utf8');
        if (off && BigInt(off[i + 1]) - BigInt(off[i]) !== BigInt(b.length)) throw new Error(`${where}[${i}]: OFFSET says ${off[i + 1] - off[i]} bytes, DATA has ${b.length}`);
        s = b.toString('hex');
        break;
      }
      case 'utf8view': case 'binaryview': {
        // VIEWS: {SIZE, INLINED} up to 12 bytes (utf8: the text, binary: hex), else
        // {SIZE, PREFIX_HEX, BUFFER_INDEX, OFFSET} into VARIADIC_DATA_BUFFERS (hex).
        const view = col.VIEWS?.[i];
        if (!view || !Number.isInteger(view.SIZE) || view.SIZE < 0) throw new Error(`${where}[${i}]: bad view ${JSON.stringify(view)}`);
        if (view.SIZE <= 12) {
          s = type.name === 'utf8view' ? Buffer.from(view.INLINED, 'utf8').toString('hex') : String(view.INLINED).toLowerCase();
        } else {
          const buf = col.VARIADIC_DATA_BUFFERS?.[view.BUFFER_INDEX];
          if (typeof buf !== 'string' || !/^(?:[0-9A-Fa-f]{2})*$/.test(buf)) throw new Error(`${where}[${i}]: no data buffer ${view.BUFFER_INDEX}`);
          s = buf.slice(2 * view.OFFSET, 2 * (view.OFFSET + view.SIZE)).toLowerCase();
          if (s.slice(0, 8) !== String(view.PREFIX_HEX).toLowerCase()) throw new Error(`${where}[${i}]: PREFIX_HEX disagrees with the data`);
        }
        if (s.length !== 2 * view.SIZE || !/^(?:[0-9a-f]{2})*$/.test(s)) throw new Error(`${where}[${i}]: view of ${view.SIZE} bytes holds ${s.length / 2}`);
        break;
      }
      case 'binary': case 'largebinary': case 'fixedsizebinary':
        if (!/^(?:[0-9A-Fa-f]{2})*$/.test(v)) throw new Error(`${where}[${i}]: not hex: ${v}`);
        s = v.toLowerCase();
        if (off && BigInt(off[i + 1]) - BigInt(off[i]) !== BigInt(s.length / 2)) throw new Error(`${where}[${i}]: OFFSET disagrees with DATA`);
        if (type.name === 'fixedsizebinary' && s.length !== 2 * type.byteWidth) throw new Error(`${where}[${i}]: not ${type.byteWidth} bytes`);
        break;
      case 'date':
        if (type.unit === 'DAY') s = String(big());
        else if (big() % MS_PER_DAY !== 0n) throw new Unsupported(`date64 value ${v} ms (row ${i} of its batch) is not a whole day: the writer rejects it`);
        else s = String(big() / MS_PER_DAY);
        break;
      case 'time': s = rescale(big(), UNIT[type.unit], type.unit === 'SECOND' ? 'ms' : UNIT[type.unit]); break;
      case 'timestamp': s = rescale(big(), UNIT[type.unit], type.unit === 'SECOND' ? 'ms' : UNIT[type.unit]); break;
      case 'decimal': s = String(big()); break;
      default: throw new Unsupported(`Arrow type "${type.name}" has no Parquet mapping in the writer`);
    }
    out[i] = s;
  }
  return out;
}

/**
 * Convert a parsed integration JSON document.
 * @returns {{rows: number, columns: Array<{name, type, nullable, values} | {name, unsupported}>}}
 */
export function convertJson(doc) {
  const fields = doc.schema.fields;
  const dictById = new Map((doc.dictionaries ?? []).map((d) => [d.id, d.data]));
  const rows = doc.batches.reduce((a, b) => a + b.count, 0);
  const columns = fields.map((f, j) => {
    try {
      const ext = (f.metadata ?? []).find((m) => m.key === 'ARROW:extension:name')?.value;
      const typeName = isUuid(f.type.name === 'fixedsizebinary' && f.type.byteWidth, ext) ? 'uuid' : jsonTypeName(f.type);
      if (f.children?.length) throw new Unsupported(`Arrow type "${f.type.name}" has children`);
      let dictValues = null;
      if (f.dictionary) {
        const d = dictById.get(f.dictionary.id);
        if (!d) throw new Error(`field "${f.name}": no dictionary with id ${f.dictionary.id}`);
        dictValues = jsonValues(f.type, d.columns[0], `dictionary ${f.dictionary.id}`);
      }
      const values = [];
      doc.batches.forEach((b, bi) => {
        const col = b.columns[j];
        if (!col || col.name !== f.name || col.count !== b.count) throw new Error(`batch ${bi}: column ${j} is not "${f.name}" with ${b.count} slots`);
        if (!dictValues) { values.push(...jsonValues(f.type, col, `batch ${bi} column "${f.name}"`)); return; }
        for (let i = 0; i < col.count; i++) {
          if (col.VALIDITY[i] !== 1) { values.push(null); continue; }
          const idx = Number(col.DATA[i]);
          if (!Number.isInteger(idx) || idx < 0 || idx >= dictValues.length) throw new Error(`batch ${bi} column "${f.name}"[${i}]: index ${col.DATA[i]} out of range`);
          values.push(dictValues[idx]);
        }
      });
      const type = parseType(typeName);
      const nullable = typeName === 'null' ? true : f.nullable;
      values.forEach((v) => canonFromJson(type, type.kind === 'bool' && v !== null ? v === 'true' : v)); // well-formed?
      return { name: f.name, type: typeName, nullable, values };
    } catch (e) {
      if (e instanceof Unsupported) return { name: f.name, unsupported: e.message };
      throw e;
    }
  });
  return { rows, columns };
}

/** Write `conv` (all columns supported) as a harness case OUTDIR/NAME.{expected.json,values.jsonl}. */
export function writeHarnessCase(conv, dir, name, metadata) {
  const bad = conv.columns.filter((c) => c.unsupported);
  if (bad.length) throw new Error(`cannot write case ${name}: ${bad.map((c) => `"${c.name}": ${c.unsupported}`).join('; ')}`);
  const spec = { rows: conv.rows, columns: conv.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })) };
  if (metadata) spec.metadata = metadata;
  fs.writeFileSync(path.join(dir, `${name}.expected.json`), JSON.stringify(spec, null, 1));
  const lines = [];
  for (let r = 0; r < conv.rows; r++) {
    lines.push(JSON.stringify(conv.columns.map((c) => (c.type === 'bool' && c.values[r] !== null ? c.values[r] === 'true' : c.values[r]))));
  }
  fs.writeFileSync(path.join(dir, `${name}.values.jsonl`), lines.map((l) => l + '\n').join(''));
}

// ---- the apache-arrow JS side (independent: binary IPC -> Arrow JS buffers) -------------------

const T = Arrow.Type;
const AUNIT = { [Arrow.TimeUnit.SECOND]: 's', [Arrow.TimeUnit.MILLISECOND]: 'ms', [Arrow.TimeUnit.MICROSECOND]: 'us', [Arrow.TimeUnit.NANOSECOND]: 'ns' };

function arrowTypeName(at) {
  switch (at.typeId) {
    case T.Null: return 'null';
    case T.Bool: return 'bool';
    case T.Int: return `${at.isSigned ? '' : 'u'}int${at.bitWidth}`;
    case T.Float: return ['float16', 'float32', 'float64'][at.precision];
    case T.Utf8: case T.LargeUtf8: case T.Utf8View: return 'utf8';
    case T.Binary: case T.LargeBinary: case T.BinaryView: return 'binary';
    case T.FixedSizeBinary: return `fixed_binary:${at.byteWidth}`;
    case T.Date: return 'date32';
    case T.Time: return `time_${at.unit === Arrow.TimeUnit.SECOND ? 'ms' : AUNIT[at.unit]}`;
    case T.Timestamp: return `timestamp_${at.unit === Arrow.TimeUnit.SECOND ? 'ms' : AUNIT[at.unit]}${at.timezone ? '_utc' : ''}`;
    case T.Decimal: return `decimal:${at.precision}:${at.scale}`;
  }
  throw new Unsupported(`Arrow JS type ${at} has no Parquet mapping in the writer`);
}

/** Canonical strings of one apache-arrow Data chunk (no dictionary). */
function arrowDataValues(d) {
  const at = d.type, out = [];
  const bools = at.typeId === T.Bool ? Arrow.makeVector(d) : null;
  const view = (Ctor) => new Ctor(d.values.buffer, d.values.byteOffset, d.values.byteLength / Ctor.BYTES_PER_ELEMENT);
  const bits = at.typeId === T.Float ? view([Uint16Array, Uint32Array, BigUint64Array][at.precision]) : null;
  for (let i = 0; i < d.length; i++) {
    if (at.typeId === T.Null || !d.getValid(i)) { out.push(null); continue; }
    switch (at.typeId) {
      case T.Bool: out.push(String(bools.get(i))); break;
      case T.Int: out.push(String(d.values[i])); break;
      case T.Float: out.push([f16BitsHex, u32Hex, f64BitsHex][at.precision](bits[i])); break;
      case T.Date:
        if (at.unit === Arrow.DateUnit.DAY) out.push(String(d.values[i]));
        else {
          const ms = BigInt(d.values[i]);
          if (ms % MS_PER_DAY !== 0n) throw new Unsupported(`date64 value ${ms} ms is not a whole day: the writer rejects it`);
          out.push(String(ms / MS_PER_DAY));
        }
        break;
      case T.Utf8: case T.LargeUtf8: case T.Binary: case T.LargeBinary: {
        const o = d.valueOffsets;
        out.push(hex(d.values.subarray(Number(o[i]), Number(o[i + 1]))));
        break;
      }
      case T.Utf8View: case T.BinaryView: {
        // 16-byte views: int32 size, then 12 inline bytes or prefix, int32 buffer index, int32 offset.
        const views = new Uint8Array(d.values.buffer, d.values.byteOffset, d.values.byteLength);
        const dv = new DataView(views.buffer, views.byteOffset + 16 * i, 16);
        const size = dv.getInt32(0, true);
        if (size <= 12) out.push(hex(views.subarray(16 * i + 4, 16 * i + 4 + size)));
        else {
          const data = d.variadicBuffers[dv.getInt32(8, true)], off = dv.getInt32(12, true);
          out.push(hex(data.subarray(off, off + size)));
        }
        break;
      }
      case T.FixedSizeBinary: out.push(hex(d.values.subarray(i * at.byteWidth, (i + 1) * at.byteWidth))); break;
      case T.Time: case T.Timestamp: {
        const u = AUNIT[at.unit];
        out.push(rescale(d.values[i], u, u === 's' ? 'ms' : u));
        break;
      }
      case T.Decimal: out.push(String(fromLeWords(d.values, i * (at.bitWidth / 32), at.bitWidth / 32))); break;
      default: throw new Unsupported(`Arrow JS type ${at} has no Parquet mapping in the writer`);
    }
  }
  return out;
}

/**
 * Read binary IPC (stream or file) with apache-arrow JS: the schema as the reader decoded it, and
 * each column's Data chunks. (Not via Table: apache-arrow 21.2.0 rebuilds each batch's schema by
 * field name, so duplicate names get the wrong type; the reader's schema and the batches' child
 * Data are right.)
 */
export function readArrowIpc(bytes) {
  const reader = Arrow.RecordBatchReader.from(bytes);
  reader.open();
  const schema = reader.schema, chunks = schema.fields.map(() => []);
  let rows = 0;
  for (const batch of reader) {
    rows += batch.numRows;
    batch.data.children.forEach((d, j) => chunks[j].push(d));
  }
  return { schema, chunks, rows };
}

/** The same shape as convertJson(), from readArrowIpc()'s result (the binary IPC). */
export function convertArrowIpc({ schema, chunks, rows }) {
  const columns = schema.fields.map((f, j) => {
    try {
      const dict = f.type.typeId === T.Dictionary;
      const valueType = dict ? f.type.dictionary : f.type;
      const ext = f.metadata?.get('ARROW:extension:name');
      const typeName = isUuid(valueType.typeId === T.FixedSizeBinary && valueType.byteWidth, ext) ? 'uuid' : arrowTypeName(valueType);
      const values = [];
      for (const d of chunks[j]) {
        if (String(d.type) !== String(f.type)) throw new Error(`column "${f.name}": batch has type ${d.type}, schema ${f.type}`);
        if (!dict) { values.push(...arrowDataValues(d)); continue; }
        const dv = d.dictionary.data.flatMap(arrowDataValues);
        for (let i = 0; i < d.length; i++) {
          const k = Number(d.values[i]);
          values.push(!d.getValid(i) ? null : k >= 0 && k < dv.length ? dv[k] : `index ${k} out of range`);
        }
      }
      return { name: f.name, type: typeName, nullable: typeName === 'null' ? true : f.nullable, values };
    } catch (e) {
      if (e instanceof Unsupported) return { name: f.name, unsupported: e.message };
      throw e;
    }
  });
  return { rows, columns };
}

// ---- body compression for apache-arrow JS (its registry starts empty) ------------------------

/** LZ4 frame format (the Arrow IPC LZ4_FRAME codec): linked or independent blocks, no dictionary. */
export function lz4FrameDecode(src) {
  const u32 = (p) => (src[p] | (src[p + 1] << 8) | (src[p + 2] << 16) | (src[p + 3] << 24)) >>> 0;
  let out = new Uint8Array(1 << 16), len = 0, p = 0;
  const ensure = (n) => {
    if (len + n <= out.length) return;
    const bigger = new Uint8Array(Math.max(out.length * 2, len + n));
    bigger.set(out.subarray(0, len));
    out = bigger;
  };
  while (p < src.length) {
    const magic = u32(p);
    if ((magic & 0xfffffff0) === 0x184d2a50) { p += 8 + u32(p + 4); continue; } // skippable frame
    if (magic !== 0x184d2204) throw new Error(`LZ4 frame: bad magic ${magic.toString(16)}`);
    const flg = src[p + 4];
    if ((flg >> 6) !== 1) throw new Error('LZ4 frame: unknown version');
    p += 6 + (flg & 0x08 ? 8 : 0) + (flg & 0x01 ? 4 : 0) + 1; // FLG BD [size] [dictID] HC
    for (;;) {
      const word = u32(p); p += 4;
      if (word === 0) break;
      const size = word & 0x7fffffff;
      const block = src.subarray(p, p + size); p += size + (flg & 0x10 ? 4 : 0);
      if (word & 0x80000000) { ensure(size); out.set(block, len); len += size; continue; }
      for (let i = 0; i < block.length;) { // one LZ4 block; matches may reach into earlier blocks
        const token = block[i++];
        let lit = token >> 4;
        if (lit === 15) for (let b = 255; b === 255;) lit += b = block[i++];
        ensure(lit); out.set(block.subarray(i, i + lit), len); len += lit; i += lit;
        if (i >= block.length) break;
        const offset = block[i] | (block[i + 1] << 8); i += 2;
        let ml = token & 15;
        if (ml === 15) for (let b = 255; b === 255;) ml += b = block[i++];
        ml += 4;
        if (!offset || offset > len) throw new Error('LZ4 frame: bad match offset');
        ensure(ml);
        for (let k = 0; k < ml; k++, len++) out[len] = out[len - offset];
      }
    }
    if (flg & 0x04) p += 4; // content checksum
  }
  return out.subarray(0, len); // byteOffset 0: apache-arrow needs aligned buffers
}
let codecsRegistered = false;
export function registerArrowCodecs() {
  if (codecsRegistered) return;
  Arrow.compressionRegistry.set(Arrow.CompressionType.LZ4_FRAME, { decode: (b) => lz4FrameDecode(b) });
  Arrow.compressionRegistry.set(Arrow.CompressionType.ZSTD, { decode: (b) => new Uint8Array(decompressZstd(b)) }); // a copy: apache-arrow needs 8-aligned buffers
  codecsRegistered = true;
}

// ---- corpus enumeration -------------------------------------------------------------------------

/** Every golden and compression case: {folder, name, base} (base = path without extension). */
export function corpusCases(root = CORPUS) {
  const out = [];
  const dirs = fs.readdirSync(path.join(root, 'golden')).sort().map((d) => [`golden/${d}`, path.join(root, 'golden', d)]);
  dirs.push(['compression', path.join(root, 'compression')]);
  for (const [folder, dir] of dirs) {
    for (const f of fs.readdirSync(dir).sort()) {
      const m = /^generated_(.+)\.json\.gz$/.exec(f);
      if (m) out.push({ folder, name: m[1], base: path.join(dir, `generated_${m[1]}`) });
    }
  }
  return out;
}

// ---- self-check -------------------------------------------------------------------------------

// Cases apache-arrow JS 21.2.0 cannot serve as the independent decoder for, and why. Every other
// case must agree column by column (columns without a Parquet mapping must be unsupported on both
// sides).
const ARROWJS_SKIP = [
  { folder: /^golden\/1\.0\.0-bigendian$/, name: /./, why: 'apache-arrow JS does not byte-swap big-endian bodies; the JSON must equal the little-endian twin instead' },
  { folder: /^golden\/cpp-21\.0\.0$/, name: /^(list_view|run_end_encoded)$/, why: 'apache-arrow JS 21.2.0 cannot decode ListView / RunEndEncoded ("Unrecognized type")' },
];

const show = (v) => JSON.stringify(v);

/** Differences between two conversions (a: JSON converter, b: Arrow JS), as strings. */
export function diffConversions(a, b) {
  const d = [];
  if (a.rows !== b.rows) d.push(`rows: json ${a.rows}, arrow-js ${b.rows}`);
  if (a.columns.length !== b.columns.length) d.push(`columns: json ${a.columns.length}, arrow-js ${b.columns.length}`);
  a.columns.forEach((ca, j) => {
    const cb = b.columns[j];
    if (!cb) return;
    if (ca.name !== cb.name) d.push(`column ${j}: name json ${show(ca.name)}, arrow-js ${show(cb.name)}`);
    if (!!ca.unsupported !== !!cb.unsupported) { d.push(`column "${ca.name}": json ${ca.unsupported ?? ca.type}, arrow-js ${cb.unsupported ?? cb.type}`); return; }
    if (ca.unsupported) return;
    if (ca.type !== cb.type) d.push(`column "${ca.name}": type json ${ca.type}, arrow-js ${cb.type}`);
    if (ca.nullable !== cb.nullable) d.push(`column "${ca.name}": nullable json ${ca.nullable}, arrow-js ${cb.nullable}`);
    for (let r = 0; r < Math.max(ca.values.length, cb.values.length); r++) {
      if (ca.values[r] !== cb.values[r]) d.push(`row ${r}, column "${ca.name}": json ${show(ca.values[r])}, arrow-js ${show(cb.values[r])}`);
    }
  });
  return d;
}

async function selfcheck(root) {
  registerArrowCodecs();
  const tally = { passed: 0, failed: 0, skipped: 0 };
  const report = (status, subject, detail, more = []) => {
    tally[{ PASS: 'passed', FAIL: 'failed', SKIP: 'skipped' }[status]]++;
    console.log(`${status.padEnd(5)} ${subject.padEnd(48)} ${detail}`);
    for (const l of more.slice(0, 8)) console.log(`      ${l}`);
    if (more.length > 8) console.log(`      ... and ${more.length - 8} more`);
  };
  let valuesCompared = 0, primitive = null;
  for (const c of corpusCases(root)) {
    const subject = `${c.folder}/${c.name}`;
    let conv;
    try {
      conv = convertJson(loadIntegrationJson(`${c.base}.json.gz`));
    } catch (e) {
      report('FAIL', subject, `JSON conversion failed: ${e.message}`);
      continue;
    }
    const mapped = conv.columns.filter((x) => !x.unsupported);
    const unmapped = conv.columns.filter((x) => x.unsupported).map((x) => `"${x.name}" (${x.unsupported})`);
    const skip = ARROWJS_SKIP.find((s) => s.folder.test(c.folder) && s.name.test(c.name));
    if (c.folder === 'golden/1.0.0-bigendian') {
      const le = `${c.base.replace('1.0.0-bigendian', '1.0.0-littleendian')}.json.gz`;
      const same = show(loadIntegrationJson(`${c.base}.json.gz`)) === show(loadIntegrationJson(le));
      report(same ? 'PASS' : 'FAIL', `${subject} json`, same ? 'identical to the little-endian twin' : 'differs from the little-endian twin');
    }
    if (skip) {
      report('SKIP', subject, `${skip.why}; JSON converted: ${mapped.length} column(s) mapped, ${unmapped.length} unmapped`);
      continue;
    }
    for (const ext of ['stream', 'arrow_file']) {
      let got;
      try {
        got = convertArrowIpc(readArrowIpc(fs.readFileSync(`${c.base}.${ext}`)));
      } catch (e) {
        report('FAIL', `${subject}.${ext}`, `apache-arrow JS: ${e.message}`);
        continue;
      }
      const diff = diffConversions(conv, got);
      const n = mapped.reduce((a, x) => a + x.values.length, 0);
      if (diff.length) report('FAIL', `${subject}.${ext}`, `${diff.length} difference(s)`, diff);
      else {
        valuesCompared += n;
        report('PASS', `${subject}.${ext}`, `${conv.rows} rows, ${mapped.length} column(s) / ${n} values agree` +
          (unmapped.length ? `; no Parquet mapping on both sides: ${unmapped.join(', ')}` : ''));
      }
      if (c.folder === 'golden/cpp-21.0.0' && c.name === 'primitive' && ext === 'stream') primitive = { conv, got };
    }
  }
  // The comparison must be able to fail: one corrupted value, one wrong type, one flipped null.
  if (!primitive) report('FAIL', 'corruption check', 'cpp-21.0.0/primitive was not compared');
  else {
    const mutate = (fn) => { const x = structuredClone(primitive.conv); fn(x); return diffConversions(x, primitive.got).length > 0; };
    const col = (x, name) => x.columns.find((k) => k.name === name);
    const checks = {
      'a corrupted int64 value': (x) => { const v = col(x, 'int64_nonnullable').values; v[3] = String(BigInt(v[3]) + 1n); },
      'a float32 one ulp off': (x) => { const v = col(x, 'float32_nonnullable').values; v[5] = (parseInt(v[5], 16) ^ 1).toString(16).padStart(8, '0'); },
      'a null turned into a value': (x) => { const v = col(x, 'int32_nullable').values; v[v.indexOf(null)] = '0'; },
      'uint64 declared as int64': (x) => { col(x, 'uint64_nullable').type = 'int64'; },
    };
    for (const [what, fn] of Object.entries(checks)) {
      const caught = mutate(fn);
      report(caught ? 'PASS' : 'FAIL', 'corruption check', `${what} ${caught ? 'is' : 'is NOT'} reported as a difference`);
    }
  }
  if (valuesCompared === 0) report('FAIL', 'self-check', 'no values compared');
  console.log(`${tally.skipped} skipped`);
  console.log(`${tally.passed} passed, ${tally.failed} failed`);
  return tally.failed === 0 && tally.passed > 0 ? 0 : 1;
}

// ---- main -------------------------------------------------------------------------------------

function usage(msg) {
  console.error(`${msg}\nusage: node integration_json.mjs convert CASE.json[.gz] OUTDIR NAME\n       node integration_json.mjs --selfcheck [--corpus DIR]`);
  process.exit(2);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  if (argv[0] === '--selfcheck') {
    let root = CORPUS;
    for (let i = 1; i < argv.length; i++) {
      if (argv[i] === '--corpus') root = argv[++i] ?? usage('--corpus needs a directory');
      else usage(`unknown argument ${argv[i]}`);
    }
    selfcheck(root).then((code) => process.exit(code), (e) => { console.error(e?.stack ?? e); console.log('0 passed, 1 failed'); process.exit(1); });
  } else if (argv[0] === 'convert') {
    if (argv.length !== 4) usage('convert needs CASE OUTDIR NAME');
    writeHarnessCase(convertJson(loadIntegrationJson(argv[1])), argv[2], argv[3]);
  } else usage('nothing to do');
}
