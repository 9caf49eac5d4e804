// The four independent readers, each normalized to canonical strings (see canonical.mjs),
// plus the table of their known limitations.
//
// Each reader exposes read(file, columns) -> { rows, columns: { name: string[] | Error } }.
// `columns` is the list of expected columns ({name, type, nullable}); a per-column Error means
// "this reader read the file but this column is not what was expected" (wrong type, wrong
// nullability), which verify.mjs reports as FAIL unless LIMITATIONS explains it. With
// columns === null the reader just decodes every column of the file (used to check that
// truncated files are rejected) and reports the row count.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as Arrow from 'apache-arrow';
import * as parquetWasm from 'parquet-wasm';
import { DuckDBInstance } from '@duckdb/node-api';
import pl from 'nodejs-polars';
import { parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import {
  hex, rescale, fromLeWords, fromBeBytes, u32Hex, f64BitsHex, f16BitsHex, f32HexToF16Hex,
  numberToF16Hex, numberToF32Hex, numberToF64Hex, isNaNHex, floatValue,
} from './canonical.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkgVersion = (name) => JSON.parse(fs.readFileSync(path.join(here, 'node_modules', name, 'package.json'), 'utf8')).version;

/** The npm package behind each reader name, and its installed version (limitations are per version). */
export const PACKAGES = { 'arrow-rs': 'parquet-wasm', duckdb: '@duckdb/node-api', polars: 'nodejs-polars', hyparquet: 'hyparquet' };
export const VERSIONS = Object.fromEntries(Object.entries(PACKAGES).map(([r, p]) => [r, pkgVersion(p)]));

// ---- known limitations ------------------------------------------------------------------------
//
// Only a reader/version/type listed here may deviate, and only in the documented way:
//  - `error`: the reader cannot read a column of this type at all; the column's read error (or
//    type mismatch) must match this pattern.
//  - `relax(expected, got, type)`: values (or DuckDB statistics) may differ exactly in this
//    documented way; verify.mjs only asks when they differ.
// An entry applies only to the exact version it was observed with: after an upgrade it stops
// applying, so the deviation shows up as FAIL until someone re-checks it.
// verify.mjs prints a LIMITATION line whenever an entry was actually needed.
const nanOnly = (bits) => (e, g) => isNaNHex(bits, e) && isNaNHex(bits, g);
export const LIMITATIONS = [
  {
    reader: 'duckdb', version: '1.5.6-r.1', type: /^timestamp_ns_utc$/,
    feature: 'nanosecond UTC timestamps: read as TIMESTAMP WITH TIME ZONE (microseconds), sub-microsecond digits truncated toward zero (values and statistics compared at microsecond precision)',
    relax: (e, g) => BigInt(g) === (BigInt(e) / 1000n) * 1000n,
  },
  {
    reader: 'duckdb', version: '1.5.6-r.1', type: /^decimal:(39|[4-7]\d):/,
    feature: 'decimal precision > 38: DuckDB DECIMAL stops at 38 digits, wider Parquet decimals are read as DOUBLE (lossy)',
    error: /read as DuckDB DOUBLE, expected DECIMAL/,
  },
  {
    reader: 'duckdb', version: '1.5.6-r.1', type: /^timestamp_ns/,
    feature: 'parquet_metadata() fails for the whole file when TIMESTAMP(NANOS) statistics lie before 1677-09-21 (near INT64_MIN), so no metadata can be checked',
    error: /Date out of range in timestamp_ns conversion/,
  },
  {
    reader: 'duckdb', version: '1.5.6-r.1', type: /^float(16|32|64)$/,
    feature: 'infinite float statistics: parquet_metadata() prints a min/max of +-infinity as NULL (accepted only where the expected bound is +-infinity)',
    relax: (e, g, t) => g === null && Math.abs(floatValue(t.bits, e)) === Infinity,
  },
  {
    reader: 'polars', version: '0.25.2', type: /^float16$/,
    feature: 'FLOAT16 logical type not decoded: a FIXED_LEN_BYTE_ARRAY(2) FLOAT16 column is read as Binary (polars only yields Float16 when the file embeds an ARROW:schema, as arrow-rs-written files do)',
    error: /read as Arrow (Large)?Binary, expected float16/,
  },
  {
    reader: 'polars', version: '0.25.2', type: /^decimal:(39|[4-7]\d):/,
    feature: 'decimal precision > 38 is not supported',
    error: /precision must be between 1 and 38/,
  },
  {
    reader: 'polars', version: '0.25.2', type: /^decimal:(39|[4-7]\d):/,
    feature: 'decimal precision > 38 is not supported: without an ARROW:schema, a FIXED_LEN_BYTE_ARRAY DECIMAL wider than 16 bytes is refused',
    error: /can't decode Decimal128 type from Fixed Size Byte Array of len (1[7-9]|2\d|3[0-2])\b/,
  },
  {
    reader: 'polars', version: '0.25.2', type: /^null$/,
    feature: 'UNKNOWN (always-null) logical type not decoded: without an ARROW:schema the INT32 column is read as Int32 (all null) instead of Null',
    error: /read as Arrow Int32, expected null/,
  },
  {
    reader: 'duckdb', version: '1.5.6-r.1', type: /^timestamp_ns_utc$/,
    feature: 'nanosecond UTC timestamp INT64_MAX: DuckDB takes it for its +infinity sentinel, which the microsecond TIMESTAMP WITH TIME ZONE holds as INT64_MAX microseconds',
    relax: (e, g) => e === '9223372036854775807' && g === '9223372036854775807000',
  },
  {
    reader: 'hyparquet', version: '1.31.5', type: /^float16$/,
    feature: 'float16 NaN payload: parseFloat16 returns the canonical JS NaN (NaN values compared by NaN-ness only)',
    relax: nanOnly(16),
  },
  {
    reader: 'hyparquet', version: '1.31.5', type: /^float32$/,
    feature: 'float32 NaN payload: values are returned as JS Numbers, and float32->float64->float32 quiets signalling NaNs (NaN values compared by NaN-ness only)',
    relax: nanOnly(32),
  },
  {
    reader: 'hyparquet', version: '1.31.5', type: /^float64$/,
    feature: 'float64 NaN payload: values are returned as JS Numbers and V8 does not keep NaN bit patterns (canonicalizes/quiets them) (NaN values compared by NaN-ness only)',
    relax: nanOnly(64),
  },
];

export function findLimitation(reader, type, { error, expected, got }) {
  const relaxed = (l) => { try { return !!l.relax?.(expected, got, type); } catch { return false; } }; // got may be null or a marker
  return LIMITATIONS.find((l) => l.reader === reader && l.version === VERSIONS[reader] && l.type.test(type.name) &&
    (error !== undefined ? !!l.error?.test(error) : relaxed(l)));
}

// ---- Arrow (shared by arrow-rs and polars, which both hand us Arrow IPC) -----------------------

const T = Arrow.Type;
const ARROW_UNIT = { [Arrow.TimeUnit.SECOND]: 's', [Arrow.TimeUnit.MILLISECOND]: 'ms', [Arrow.TimeUnit.MICROSECOND]: 'us', [Arrow.TimeUnit.NANOSECOND]: 'ns' };
const UTC_NAMES = /^(UTC|Etc\/UTC|\+00:00|Z)$/i;

function arrowTypeOk(t, at, reader) {
  switch (t.kind) {
    case 'null': return at.typeId === T.Null;
    case 'uuid': return (at.typeId === T.FixedSizeBinary && at.byteWidth === 16) ||
      (reader === 'polars' && (at.typeId === T.Binary || at.typeId === T.LargeBinary));
    case 'bool': return at.typeId === T.Bool;
    case 'int': return at.typeId === T.Int && at.bitWidth === t.bits && at.isSigned === t.signed;
    case 'float': return at.typeId === T.Float && at.precision === { 16: 0, 32: 1, 64: 2 }[t.bits];
    case 'utf8': return at.typeId === T.Utf8 || at.typeId === T.LargeUtf8;
    case 'binary': return at.typeId === T.Binary || at.typeId === T.LargeBinary;
    // polars has no fixed-size binary dtype: it reads FIXED_LEN_BYTE_ARRAY as Binary (the
    // byte-exact comparison still checks every value's width).
    case 'fixed_binary': return (at.typeId === T.FixedSizeBinary && at.byteWidth === t.width) ||
      (reader === 'polars' && (at.typeId === T.Binary || at.typeId === T.LargeBinary));
    case 'date32': return at.typeId === T.Date && at.unit === Arrow.DateUnit.DAY;
    case 'time': return at.typeId === T.Time; // unit rescaled exactly below
    case 'timestamp': return at.typeId === T.Timestamp && (t.utc ? UTC_NAMES.test(at.timezone ?? '') : !at.timezone);
    case 'decimal': return at.typeId === T.Decimal && at.precision === t.precision && at.scale === t.scale;
  }
  return false;
}

/** Canonical strings straight from the Arrow buffers: no JS Number, no UTF-8 decode. */
function arrowColumn(vector, t) {
  const out = [];
  for (const d of vector.data) {
    const at = d.type, bools = at.typeId === T.Bool ? Arrow.makeVector(d) : null;
    const view = (Ctor) => new Ctor(d.values.buffer, d.values.byteOffset, d.values.byteLength / Ctor.BYTES_PER_ELEMENT);
    const bits = at.typeId === T.Float ? view([Uint16Array, Uint32Array, BigUint64Array][at.precision]) : null;
    for (let i = 0; i < d.length; i++) {
      // apache-arrow's getValid() is true for the slots of a Null-type array, which has no bitmap.
      if (at.typeId === T.Null || !d.getValid(i)) { out.push(null); continue; }
      switch (at.typeId) {
        case T.Bool: out.push(String(bools.get(i))); break;
        case T.Int: case T.Date: out.push(String(d.values[i])); break;
        case T.Float: out.push([f16BitsHex, u32Hex, f64BitsHex][at.precision](bits[i])); break;
        case T.Utf8: case T.LargeUtf8: case T.Binary: case T.LargeBinary: {
          const o = d.valueOffsets;
          out.push(hex(d.values.subarray(Number(o[i]), Number(o[i + 1]))));
          break;
        }
        case T.FixedSizeBinary: out.push(hex(d.values.subarray(i * at.byteWidth, (i + 1) * at.byteWidth))); break;
        case T.Time: case T.Timestamp: out.push(rescale(d.values[i], ARROW_UNIT[at.unit], t.unit)); break;
        case T.Decimal: out.push(String(fromLeWords(d.values, i * (at.bitWidth / 32), at.bitWidth / 32))); break;
        default: throw new Error(`harness cannot normalize Arrow type ${at}`);
      }
    }
  }
  return out;
}

function fromArrowTable(table, columns, reader, checkNullable) {
  const result = { rows: table.numRows, columns: {} };
  for (const c of columns ?? []) {
    const field = table.schema.fields.find((f) => f.name === c.name);
    const vector = table.getChild(c.name);
    result.columns[c.name] =
      !field ? new Error('column missing') :
      !arrowTypeOk(c.type, field.type, reader) ? new Error(`read as Arrow ${field.type}${field.type.timezone ? ` tz=${field.type.timezone}` : ''}, expected ${c.type.name}`) :
      checkNullable && field.nullable !== c.nullable ? new Error(`nullable=${field.nullable}, expected ${c.nullable}`) :
      arrowColumn(vector, c.type);
  }
  return result;
}

// ---- arrow-rs (parquet-wasm): Parquet -> Arrow in WASM -> IPC stream -> apache-arrow ----------

const arrowRs = {
  // parquet-wasm 0.8.0's readParquet ignores its `columns` option and always decodes every
  // column (its async ParquetFile.read does project, but panics the WASM instance on a decode
  // error), so a read error cannot be narrowed down to one column for this reader.
  projects: false,
  async read(file, columns) {
    const opts = columns ? { columns: columns.map((c) => c.name) } : undefined;
    const table = Arrow.tableFromIPC(parquetWasm.readParquet(fs.readFileSync(file), opts).intoIPCStream());
    // arrow-rs maps REQUIRED/OPTIONAL to Arrow nullability, so it checks that too.
    return fromArrowTable(table, columns, 'arrow-rs', true);
  },
};

// ---- polars: its JS conversions are lossy or refuse (Datetime -> JS Date in ms, Decimal,
// Binary and Float16 not convertible), so the DataFrame is exported as Arrow IPC instead, which
// is a byte-exact dump of polars' own buffers.

const polars = {
  async read(file, columns) {
    const df = pl.readParquet(fs.readFileSync(file), columns ? { columns: columns.map((c) => c.name) } : {});
    const table = Arrow.tableFromIPC(df.writeIPCStream());
    if (table.numRows !== df.height) throw new Error(`IPC export has ${table.numRows} rows, DataFrame ${df.height}`);
    return fromArrowTable(table, columns, 'polars', false); // polars has no non-null column notion
  },
};

// ---- DuckDB ---------------------------------------------------------------------------------

let duckConn;
export async function duckdb() {
  if (!duckConn) {
    const db = await DuckDBInstance.create(':memory:', { threads: '2' });
    duckConn = await db.connect();
    // TIMESTAMP WITH TIME ZONE statistics are printed in the session zone; pin it.
    await duckConn.run("SET TimeZone = 'UTC'");
  }
  return duckConn;
}
export const sqlStr = (s) => `'${String(s).replace(/'/g, "''")}'`;
export const sqlId = (s) => `"${String(s).replace(/"/g, '""')}"`;

/** The DuckDB column type a correct file of this expected type is read as. */
export function duckTypeFor(t) {
  switch (t.kind) {
    case 'null': return 'INTEGER'; // DuckDB reads an INT32 UNKNOWN (always-null) column as INTEGER
    case 'uuid': return 'UUID';
    case 'bool': return 'BOOLEAN';
    case 'int': return (t.signed ? '' : 'U') + { 8: 'TINYINT', 16: 'SMALLINT', 32: 'INTEGER', 64: 'BIGINT' }[t.bits];
    case 'float': return t.bits === 64 ? 'DOUBLE' : 'FLOAT'; // DuckDB widens float16 to FLOAT
    case 'utf8': return 'VARCHAR';
    case 'binary': case 'fixed_binary': return 'BLOB';
    case 'date32': return 'DATE';
    case 'time': return t.unit === 'ns' ? 'TIME_NS' : 'TIME';
    case 'timestamp': return t.utc ? 'TIMESTAMP WITH TIME ZONE' : t.unit === 'ns' ? 'TIMESTAMP_NS' : 'TIMESTAMP';
    case 'decimal': return `DECIMAL(${t.precision},${t.scale})`;
  }
}

const DUCK_UNIT = {
  TIME: ['micros', 'us'], TIME_NS: ['nanos', 'ns'], TIMESTAMP: ['micros', 'us'], TIMESTAMP_MS: ['millis', 'ms'],
  TIMESTAMP_NS: ['nanos', 'ns'], TIMESTAMP_S: ['seconds', 's'], 'TIMESTAMP WITH TIME ZONE': ['micros', 'us'],
};

/**
 * One DuckDB vector item as a canonical string. Floats are read from the vector's raw
 * Float32Array/Float64Array memory (bit-exact); VARCHAR must already be encode()d to BLOB so
 * the bytes are never decoded.
 */
export function duckValue(vector, i, duckType, t) {
  const item = vector.getItem(i);
  if (item === null) return null;
  if (duckType === 'BOOLEAN') return String(item);
  if (duckType === 'FLOAT' || duckType === 'DOUBLE') {
    const it = vector.items;
    if (duckType === 'DOUBLE') return f64BitsHex(new BigUint64Array(it.buffer, it.byteOffset + i * 8, 1)[0]);
    const h = u32Hex(new Uint32Array(it.buffer, it.byteOffset + i * 4, 1)[0]);
    return t.bits === 16 ? f32HexToF16Hex(h) : h;
  }
  if (duckType === 'BLOB' || duckType === 'VARCHAR') return hex(item.bytes);
  if (duckType === 'UUID') return String(item).replace(/-/g, ''); // 8-4-4-4-12 hex of the 16 big-endian bytes
  if (duckType === 'DATE') return String(item.days);
  if (DUCK_UNIT[duckType]) return rescale(item[DUCK_UNIT[duckType][0]], DUCK_UNIT[duckType][1], t.unit);
  if (duckType.startsWith('DECIMAL')) return String(item.value);
  return String(item); // integers (number or bigint)
}

/** Run a query and hand every row's vectors to fn(chunk, rowIndex). */
export async function duckEach(sql, fn) {
  const conn = await duckdb();
  const res = await conn.run(sql);
  for (let chunk; (chunk = await res.fetchChunk()) && chunk.rowCount > 0;) {
    for (let i = 0; i < chunk.rowCount; i++) fn(chunk, i);
  }
}

export async function duckDescribe(file) {
  const conn = await duckdb();
  const r = await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlStr(file)})`);
  return new Map(r.getRows().map(([name, type]) => [name, type]));
}

const duck = {
  async read(file, columns) {
    const from = `FROM read_parquet(${sqlStr(file)})`;
    if (!columns) {
      let rows = 0;
      await duckEach(`SELECT * ${from}`, () => rows++); // materialize every column
      return { rows, columns: {} };
    }
    const types = await duckDescribe(file);
    const result = { rows: 0, columns: {} };
    const ok = columns.filter((c) => {
      const got = types.get(c.name), want = duckTypeFor(c.type);
      if (got !== want) result.columns[c.name] = new Error(got ? `read as DuckDB ${got}, expected ${want}` : 'column missing');
      return got === want;
    });
    ok.forEach((c) => (result.columns[c.name] = []));
    const select = ok.map((c) => (types.get(c.name) === 'VARCHAR' ? `encode(${sqlId(c.name)})` : sqlId(c.name)));
    await duckEach(`SELECT ${select.length ? select.join(', ') : 'count(*)'} ${from}`, (chunk, i) => {
      result.rows++;
      ok.forEach((c, j) => result.columns[c.name].push(duckValue(chunk.getColumnVector(j), i, types.get(c.name), c.type)));
    });
    if (!ok.length) result.rows = Number((await (await duckdb()).runAndReadAll(`SELECT count(*) ${from}`)).getRows()[0][0]);
    return result;
  },
};

// ---- hyparquet --------------------------------------------------------------------------------
//
// Raw paths: custom parsers keep timestamps as bigint (default: JS Date, ms precision), dates
// as day numbers and strings as bytes; utf8:false keeps plain BYTE_ARRAY as bytes. DECIMAL is
// always converted to a (lossy) JS Number, so hyparquet gets a copy of the footer metadata
// with the DECIMAL annotation removed: it then returns the physical INT32/INT64/byte values
// and we form the unscaled integer ourselves.

const RAW_PARSERS = {
  timestampFromMilliseconds: (v) => v, timestampFromMicroseconds: (v) => v, timestampFromNanoseconds: (v) => v,
  dateFromDays: (v) => v, stringFromBytes: (v) => v, uuidFromBytes: (v) => v,
};
const isDecimalElement = (el) => el.converted_type === 'DECIMAL' || el.logical_type?.type === 'DECIMAL';

/** Our type name for a Parquet schema element: an independent reading of the footer. */
export function parquetTypeName(el) {
  const lt = el.logical_type, ct = el.converted_type;
  const unit = (u) => ({ MILLIS: 'ms', MICROS: 'us', NANOS: 'ns' })[u];
  if (lt?.type === 'DECIMAL' || ct === 'DECIMAL') return `decimal:${lt?.precision ?? el.precision}:${lt?.scale ?? el.scale ?? 0}`;
  switch (el.type) {
    case 'BOOLEAN': return 'bool';
    case 'FLOAT': return 'float32';
    case 'DOUBLE': return 'float64';
    case 'BYTE_ARRAY': return lt?.type === 'STRING' || ct === 'UTF8' ? 'utf8' : lt || ct ? `BYTE_ARRAY(${lt?.type ?? ct})` : 'binary';
    case 'FIXED_LEN_BYTE_ARRAY':
      if (lt?.type === 'FLOAT16') return el.type_length === 2 ? 'float16' : `FLOAT16(len ${el.type_length})`;
      if (lt?.type === 'UUID') return el.type_length === 16 ? 'uuid' : `UUID(len ${el.type_length})`;
      return lt || ct ? `FIXED_LEN_BYTE_ARRAY(${lt?.type ?? ct})` : `fixed_binary:${el.type_length}`;
    case 'INT32': case 'INT64': {
      const phys = el.type === 'INT32' ? 32 : 64;
      if (lt?.type === 'INTEGER') return `${lt.isSigned ? '' : 'u'}int${lt.bitWidth}${lt.bitWidth > phys ? `(in ${el.type})` : ''}`;
      let m;
      if ((m = /^(U?)INT_(8|16|32|64)$/.exec(ct ?? ''))) return `${m[1] ? 'u' : ''}int${m[2]}`;
      if (lt?.type === 'NULL' || lt?.type === 'UNKNOWN') return phys === 32 ? 'null' : `${el.type}(${lt.type})`; // hyparquet calls UNKNOWN "NULL"
      if (lt?.type === 'DATE' || ct === 'DATE') return phys === 32 ? 'date32' : 'DATE(in INT64)';
      if (lt?.type === 'TIME') return `time_${unit(lt.unit)}${lt.isAdjustedToUTC ? '(adjusted to UTC)' : ''}`;
      if (lt?.type === 'TIMESTAMP') return `timestamp_${unit(lt.unit)}${lt.isAdjustedToUTC ? '_utc' : ''}`;
      if (ct === 'TIME_MILLIS') return 'time_ms';
      if (ct === 'TIME_MICROS') return 'time_us';
      if (ct === 'TIMESTAMP_MILLIS') return 'timestamp_ms_utc'; // legacy annotation means UTC-adjusted
      if (ct === 'TIMESTAMP_MICROS') return 'timestamp_us_utc';
      return lt || ct ? `${el.type}(${lt?.type ?? ct})` : `int${phys}`;
    }
  }
  return String(el.type);
}

function hyValue(v, t) {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case 'bool': return String(v);
    case 'float': return typeof v !== 'number' ? `not a number: ${v}` :
      t.bits === 16 ? numberToF16Hex(v) : t.bits === 32 ? numberToF32Hex(v) : numberToF64Hex(v);
    case 'utf8': case 'binary': case 'fixed_binary': case 'uuid': return v instanceof Uint8Array ? hex(v) : `not bytes: ${JSON.stringify(v)}`;
    case 'decimal': return String(v instanceof Uint8Array ? fromBeBytes(v) : BigInt(v));
    default: return String(v); // ints, date days, raw time and timestamp counts in the file's unit
  }
}

const hyparquet = {
  async read(file, columns) {
    const bytes = fs.readFileSync(file);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const metadata = await parquetMetadataAsync(buffer);
    const rawMeta = { ...metadata, schema: metadata.schema.map((el) => (isDecimalElement(el) ? { ...el, converted_type: undefined, logical_type: undefined } : el)) };
    const rows = await parquetReadObjects({
      file: buffer, metadata: rawMeta, compressors, utf8: false, parsers: RAW_PARSERS,
      columns: columns?.map((c) => c.name),
    });
    if (BigInt(rows.length) !== BigInt(metadata.num_rows)) throw new Error(`read ${rows.length} rows, footer says ${metadata.num_rows}`);
    const result = { rows: rows.length, columns: {} };
    for (const c of columns ?? []) {
      const el = metadata.schema.find((e, i) => i > 0 && e.name === c.name && !e.num_children);
      const fileType = el && parquetTypeName(el);
      result.columns[c.name] =
        !el ? new Error('column missing') :
        fileType !== c.type.name ? new Error(`footer declares ${fileType} (${el.type}), expected ${c.type.name}`) :
        (el.repetition_type === 'REQUIRED') === c.nullable ? new Error(`repetition ${el.repetition_type}, expected nullable=${c.nullable}`) :
        rows.map((r) => hyValue(r[c.name], c.type));
    }
    return result;
  },
};

export const READERS = { 'arrow-rs': arrowRs, duckdb: duck, polars, hyparquet };
