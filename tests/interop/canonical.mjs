// The canonical value model shared by verify.mjs, readers.mjs and selftest.mjs.
//
// Every value is compared as a canonical string (see README.md): integers, dates, times,
// timestamps and unscaled decimals as decimal strings, floats as their IEEE bit pattern in
// hex, byte strings as lowercase hex, booleans as "true"/"false". Strings compare exactly,
// so no reader's value ever passes through a lossy conversion (JS Number, UTF-8 decode) on
// the way to a verdict.

export function parseType(name) {
  let m;
  if (name === 'bool') return { name, kind: 'bool' };
  // An all-null column (Arrow null type; Parquet INT32 with the UNKNOWN logical type).
  if (name === 'null') return { name, kind: 'null' };
  // FIXED_LEN_BYTE_ARRAY(16) with the UUID logical type (Arrow fixed_size_binary(16) + arrow.uuid).
  if (name === 'uuid') return { name, kind: 'uuid', width: 16 };
  if ((m = /^(u?)int(8|16|32|64)$/.exec(name))) return { name, kind: 'int', signed: !m[1], bits: +m[2] };
  if ((m = /^float(16|32|64)$/.exec(name))) return { name, kind: 'float', bits: +m[1] };
  if (name === 'utf8' || name === 'binary') return { name, kind: name };
  if ((m = /^fixed_binary:([1-9]\d*)$/.exec(name))) return { name, kind: 'fixed_binary', width: +m[1] };
  if (name === 'date32') return { name, kind: 'date32' };
  if ((m = /^time_(ms|us|ns)$/.exec(name))) return { name, kind: 'time', unit: m[1] };
  if ((m = /^timestamp_(ms|us|ns)(_utc)?$/.exec(name))) return { name, kind: 'timestamp', unit: m[1], utc: !!m[2] };
  if ((m = /^decimal:([1-9]\d*):(\d+)$/.exec(name)) && +m[2] <= +m[1]) {
    return { name, kind: 'decimal', precision: +m[1], scale: +m[2] };
  }
  throw new Error(`unknown column type "${name}"`);
}

export const isBytes = (t) => t.kind === 'utf8' || t.kind === 'binary' || t.kind === 'fixed_binary' || t.kind === 'uuid';
export const isFloat = (t) => t.kind === 'float';
/** Types whose canonical form is a decimal integer string (ordered as BigInt). */
export const isIntegral = (t) => ['int', 'date32', 'time', 'timestamp', 'decimal'].includes(t.kind);

export const hex = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

// ---- floats: bit patterns <-> numbers, without ever trusting a JS NaN's payload ----------

const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1), u64 = new BigUint64Array(f64.buffer);

export const u32Hex = (b) => (b >>> 0).toString(16).padStart(8, '0');
export const f64BitsHex = (b) => b.toString(16).padStart(16, '0');
export const f16BitsHex = (b) => b.toString(16).padStart(4, '0');

export function numberToF32Hex(x) {
  f32[0] = x;
  return Object.is(f32[0], x) || Number.isNaN(x) ? u32Hex(u32[0]) : `inexact-float32(${x})`;
}
export function numberToF64Hex(x) {
  f64[0] = x;
  return f64BitsHex(u64[0]);
}

/** float32 bits -> float16 bits, or null when the value is not exactly a float16 (incl. NaN payload). */
export function f32BitsToF16Bits(b) {
  const sign = (b >>> 16) & 0x8000, exp = (b >>> 23) & 0xff, frac = b & 0x7fffff;
  if (exp === 0xff) return frac & 0x1fff ? null : sign | 0x7c00 | (frac >>> 13); // inf/NaN
  if (exp === 0) return frac === 0 ? sign : null; // float32 subnormals are far below float16's range
  const e = exp - 127;
  if (e > 15) return null;
  if (e >= -14) return frac & 0x1fff ? null : sign | ((e + 15) << 10) | (frac >>> 13);
  const shift = -1 - e; // float16 subnormal: significand * 2^(e+1)
  if (shift > 24) return null;
  const sig = 0x800000 | frac;
  return sig & ((1 << shift) - 1) ? null : sign | (sig >>> shift);
}
export function f32HexToF16Hex(h) {
  const b = f32BitsToF16Bits(parseInt(h, 16));
  return b === null ? `not-a-float16(float32 ${h})` : f16BitsHex(b);
}
/** A JS number rounded to the nearest float16 (round half to even), as bits; NaN keeps only its sign. */
export function numberToNearestF16Bits(x) {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0, a = Math.abs(x);
  if (a === Infinity) return sign | 0x7c00;
  if (a >= 65520) return sign | 0x7c00; // rounds past the largest finite float16 (65504)
  if (a < 2 ** -14) { // subnormal (or zero): multiples of 2^-24
    const q = a / 2 ** -24, r = Math.floor(q), d = q - r;
    return sign | (d > 0.5 || (d === 0.5 && r % 2 === 1) ? r + 1 : r);
  }
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--; else if (2 ** (e + 1) <= a) e++;
  const q = a / 2 ** (e - 10), r = Math.floor(q), d = q - r; // 1024 <= q < 2048, exact in float64
  const m = d > 0.5 || (d === 0.5 && r % 2 === 1) ? r + 1 : r; // may carry into the next binade
  return sign | (((e + 15) << 10) + (m - 1024));
}

export function numberToF16Hex(x) {
  const h = numberToF32Hex(x);
  return h.startsWith('inexact') ? `not-a-float16(${x})` : f32HexToF16Hex(h);
}

/** The numeric value of a canonical float (used for statistics, where -0 == +0). */
export function floatValue(bits, h) {
  if (bits === 64) { u64[0] = BigInt('0x' + h); return f64[0]; }
  if (bits === 32) { u32[0] = parseInt(h, 16); return f32[0]; }
  const b = parseInt(h, 16), sign = b & 0x8000 ? -1 : 1, exp = (b >>> 10) & 0x1f, frac = b & 0x3ff;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return exp === 0 ? sign * frac * 2 ** -24 : sign * (1024 + frac) * 2 ** (exp - 25);
}

export function isNaNHex(bits, h) {
  if (typeof h !== 'string' || !/^[0-9a-f]+$/.test(h)) return false;
  const b = BigInt('0x' + h);
  const [expMask, fracMask] = { 16: [0x7c00n, 0x3ffn], 32: [0x7f800000n, 0x7fffffn], 64: [0x7ff0000000000000n, 0xfffffffffffffn] }[bits];
  return (b & expMask) === expMask && (b & fracMask) !== 0n;
}

// ---- integers -------------------------------------------------------------------------------

const DIGITS = { s: 0, ms: 3, us: 6, ns: 9 };

/** Convert a count of `from` units to `to` units; a string that won't match when inexact. */
export function rescale(value, from, to) {
  const v = BigInt(value), d = DIGITS[to] - DIGITS[from];
  if (d >= 0) return String(v * 10n ** BigInt(d));
  const f = 10n ** BigInt(-d);
  return v % f === 0n ? String(v / f) : `${v}${from}(not a whole ${to})`;
}

/** Two's-complement integer from little-endian 32-bit words (Arrow decimals). */
export function fromLeWords(words, start, count) {
  let v = 0n;
  for (let i = count - 1; i >= 0; i--) v = (v << 32n) | BigInt(words[start + i] >>> 0);
  return BigInt.asIntN(count * 32, v);
}

/** Two's-complement integer from big-endian bytes (Parquet DECIMAL in (FIXED_LEN_)BYTE_ARRAY). */
export function fromBeBytes(bytes) {
  if (bytes.length === 0) return 0n;
  return BigInt.asIntN(bytes.length * 8, BigInt('0x' + hex(bytes)));
}

// ---- validation of the case files themselves -------------------------------------------------

/**
 * Turn one JSON value from a .values.jsonl line into the internal canonical string, or throw if
 * it is not canonical for the type (a bad case must fail loudly, not compare by accident).
 */
export function canonFromJson(t, v) {
  if (v === null) return null;
  if (t.kind === 'null') throw new Error(`a null-type column holds only null, got ${JSON.stringify(v)}`);
  if (t.kind === 'bool') {
    if (typeof v !== 'boolean') throw new Error(`expected true/false, got ${JSON.stringify(v)}`);
    return String(v);
  }
  if (typeof v !== 'string') throw new Error(`expected a string, got ${JSON.stringify(v)}`);
  if (t.kind === 'float') {
    if (!new RegExp(`^[0-9a-f]{${t.bits / 4}}$`).test(v)) throw new Error(`not a ${t.bits}-bit hex pattern: "${v}"`);
    return v;
  }
  if (isBytes(t)) {
    if (!/^(?:[0-9a-f]{2})*$/.test(v)) throw new Error(`not lowercase hex bytes: "${v}"`);
    if ((t.kind === 'fixed_binary' || t.kind === 'uuid') && v.length !== 2 * t.width) throw new Error(`not ${t.width} bytes: "${v}"`);
    return v;
  }
  if (!/^(0|-?[1-9]\d*)$/.test(v)) throw new Error(`not a canonical decimal integer: "${v}"`);
  const n = BigInt(v);
  if (t.kind === 'int') {
    const lo = t.signed ? -(1n << BigInt(t.bits - 1)) : 0n, hi = t.signed ? (1n << BigInt(t.bits - 1)) - 1n : (1n << BigInt(t.bits)) - 1n;
    if (n < lo || n > hi) throw new Error(`${v} out of range for ${t.name}`);
  } else if (t.kind === 'decimal') {
    if (v.replace('-', '').length > t.precision) throw new Error(`${v} has more than ${t.precision} digits`);
  } else if (t.kind === 'date32') {
    if (n < -(2n ** 31n) || n >= 2n ** 31n) throw new Error(`${v} out of int32 range`);
  } else if (n < -(2n ** 63n) || n >= 2n ** 63n) throw new Error(`${v} out of int64 range`);
  return v;
}

/** Ordering used for statistics: null never reaches here; NaN is filtered by the caller. */
export function compareCanon(t, a, b) {
  if (a === b) return 0;
  if (t.kind === 'bool') return a === 'false' ? -1 : 1;
  if (t.kind === 'float') return floatValue(t.bits, a) - floatValue(t.bits, b);
  if (isIntegral(t)) return BigInt(a) < BigInt(b) ? -1 : 1;
  return a < b ? -1 : 1; // lowercase hex: string order == unsigned byte order, shorter prefix first
}
