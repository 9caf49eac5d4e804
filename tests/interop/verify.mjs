#!/usr/bin/env node
// Verify Parquet files written by artemis-archive-writer with readers we did not write.
//
//   node verify.mjs <cases-dir> [--readers arrow-rs,duckdb,polars,hyparquet] [--expect-reject FILE]...
//
// For each case <name>.{parquet,expected.json,values.jsonl} in <cases-dir>, every reader's
// values are normalized to canonical strings and compared row by row; the case's "metadata"
// expectations are checked against DuckDB's parquet_metadata(). Every <name>.inprogress file in
// the directory, and every --expect-reject FILE, must be rejected by every reader.
// Prints one PASS/FAIL line per (subject, check), LIMITATION lines for documented reader
// limitations, then "<k> limitations" and "N passed, M failed". Exit 0 iff M == 0 and N > 0.
import fs from 'node:fs';
import path from 'node:path';
import { parseType, canonFromJson, compareCanon, isBytes, isFloat, isNaNHex, floatValue } from './canonical.mjs';
import { READERS, VERSIONS, PACKAGES, findLimitation, duckdb, duckEach, duckDescribe, duckValue, duckTypeFor, sqlStr } from './readers.mjs';

const MAX_SHOWN = 5; // mismatches printed per failing check
const tally = { passed: 0, failed: 0, limitations: 0 };

function report(status, subject, check, detail, more = []) {
  if (status === 'PASS') tally.passed++;
  else if (status === 'FAIL') tally.failed++;
  else tally.limitations++;
  console.log(`${status.padEnd(10)} ${subject.padEnd(28)} ${check.padEnd(16)} ${detail}`);
  for (const line of more.slice(0, MAX_SHOWN)) console.log(`           ${line}`);
  if (more.length > MAX_SHOWN) console.log(`           ... and ${more.length - MAX_SHOWN} more`);
}

const errText = (e) => String(e?.message ?? e).split('\n')[0].slice(0, 300);
const show = (v) => JSON.stringify(v);
const readerLabel = (r) => `${PACKAGES[r]} ${VERSIONS[r]}`;

function reportLimitations(subject, check, used) {
  for (const { lim, col, count, error } of used.values()) {
    report('LIMITATION', subject, check, `${readerLabel(lim.reader)}: column "${col.name}" (${col.type.name}): ${lim.feature}` +
      (error ? ` [error: ${error}]` : ` [${count} value(s)]`));
  }
}
function noteLimitation(used, lim, col, error) {
  const key = `${lim.feature}\0${col.name}`;
  const u = used.get(key) ?? { lim, col, count: 0, error };
  u.count++;
  used.set(key, u);
}

// ---- cases -------------------------------------------------------------------------------

function loadCase(dir, name) {
  const base = path.join(dir, name);
  const spec = JSON.parse(fs.readFileSync(`${base}.expected.json`, 'utf8'));
  if (!Number.isInteger(spec.rows) || spec.rows < 0) throw new Error('"rows" must be a non-negative integer');
  if (!Array.isArray(spec.columns) || !spec.columns.length) throw new Error('"columns" must be a non-empty array');
  const columns = spec.columns.map((c) => {
    if (typeof c.name !== 'string' || typeof c.nullable !== 'boolean') throw new Error(`bad column entry ${show(c)}`);
    return { name: c.name, type: parseType(c.type), nullable: c.nullable };
  });
  if (new Set(columns.map((c) => c.name)).size !== columns.length) throw new Error('duplicate column names');
  const lines = fs.readFileSync(`${base}.values.jsonl`, 'utf8').split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== spec.rows) throw new Error(`values.jsonl has ${lines.length} rows, expected.json says ${spec.rows}`);
  const values = columns.map(() => new Array(spec.rows)); // column-major canonical strings
  lines.forEach((line, r) => {
    const row = JSON.parse(line);
    if (!Array.isArray(row) || row.length !== columns.length) throw new Error(`values.jsonl row ${r}: not an array of ${columns.length}`);
    row.forEach((v, j) => {
      try {
        values[j][r] = canonFromJson(columns[j].type, v);
      } catch (e) {
        throw new Error(`values.jsonl row ${r} column "${columns[j].name}": ${e.message}`);
      }
      if (v === null && !columns[j].nullable) throw new Error(`values.jsonl row ${r}: null in non-nullable column "${columns[j].name}"`);
    });
  });
  return { name, file: `${base}.parquet`, rows: spec.rows, columns, values, metadata: spec.metadata };
}

// ---- values, per reader ------------------------------------------------------------------

async function checkReader(c, readerName) {
  const reader = READERS[readerName];
  const problems = [], used = new Map(), perColumn = {};
  let rows = null;
  try {
    const res = await reader.read(c.file, c.columns);
    rows = res.rows;
    Object.assign(perColumn, res.columns);
  } catch (whole) {
    if (reader.projects === false) {
      report('FAIL', c.name, readerName, `cannot read the file: ${errText(whole)}`);
      return;
    }
    // Find out which columns this reader cannot read, then read the rest together, so one
    // unsupported column does not hide the verification of all the others.
    const readable = [];
    for (const col of c.columns) {
      try {
        await reader.read(c.file, [col]);
        readable.push(col);
      } catch (e) {
        perColumn[col.name] = e;
      }
    }
    if (!readable.length && c.columns.every((col) => !findLimitation(readerName, col.type, { error: errText(perColumn[col.name]) }))) {
      report('FAIL', c.name, readerName, `cannot read the file: ${errText(whole)}`);
      return;
    }
    if (readable.length) {
      try {
        const res = await reader.read(c.file, readable);
        rows = res.rows;
        Object.assign(perColumn, res.columns);
      } catch (e) {
        report('FAIL', c.name, readerName, `cannot read the file: ${errText(e)}`);
        return;
      }
    }
  }
  if (rows !== null && rows !== c.rows) problems.push(`row count: expected ${c.rows}, got ${rows}`);
  let compared = 0;
  c.columns.forEach((col, j) => {
    const got = perColumn[col.name];
    if (got instanceof Error || got === undefined) {
      const error = got ? errText(got) : 'not returned by the reader';
      const lim = findLimitation(readerName, col.type, { error });
      if (lim) noteLimitation(used, lim, col, error);
      else problems.push(`column "${col.name}" (${col.type.name}): ${error}`);
      return;
    }
    compared++;
    const want = c.values[j];
    if (got.length !== want.length) problems.push(`column "${col.name}": ${got.length} values, expected ${want.length}`);
    for (let r = 0; r < Math.min(got.length, want.length); r++) {
      if (got[r] === want[r]) continue;
      const lim = got[r] !== null && want[r] !== null && findLimitation(readerName, col.type, { expected: want[r], got: got[r] });
      if (lim) noteLimitation(used, lim, col);
      else problems.push(`row ${r}, column "${col.name}" (${col.type.name}): expected ${show(want[r])}, got ${show(got[r])}`);
    }
  });
  reportLimitations(c.name, readerName, used);
  if (problems.length) report('FAIL', c.name, readerName, `${problems.length} problem(s)`, problems);
  else if (compared) report('PASS', c.name, readerName, `${c.rows} rows x ${compared} columns`);
}

// ---- metadata, via DuckDB's parquet_metadata() ------------------------------------------------

/** min/max/null_count of one row group, computed from the expected values (NaN never counts). */
function expectedStats(t, vals) {
  let nulls = 0, min = null, max = null;
  for (const v of vals) {
    if (v === null) { nulls++; continue; }
    if (isFloat(t) && isNaNHex(t.bits, v)) continue;
    if (min === null || compareCanon(t, v, min) < 0) min = v;
    if (max === null || compareCanon(t, v, max) > 0) max = v;
  }
  return { nulls, min, max };
}

function statProblem(col, which, chunk, want, used) {
  const t = col.type;
  const got = chunk[which], raw = chunk[`raw_${which}`], exact = chunk[`${which}_exact`];
  if (raw === null) {
    const lim = findLimitation('duckdb', t, { expected: want, got: null });
    if (lim) { noteLimitation(used, lim, col); return null; }
    return `no ${which}_value statistic (expected ${show(want)})`;
  }
  if (got === null) return `DuckDB's ${which} ${show(raw)} does not parse back as the column type`;
  if (got === want) return null;
  // Floats compare numerically, so -0.0 == +0.0 (the spec even asks for -0.0 as min, +0.0 as max).
  if (isFloat(t) && /^[0-9a-f]+$/.test(got) && floatValue(t.bits, got) === floatValue(t.bits, want)) return null;
  // Byte strings may be truncated unless the writer claims the bound is exact: a truncated min
  // must be a prefix of the true min, a truncated max must still be >= the true max.
  if (isBytes(t) && exact !== true && (which === 'min' ? want.startsWith(got) : got > want)) return null;
  const lim = findLimitation('duckdb', t, { expected: want, got });
  if (lim) { noteLimitation(used, lim, col); return null; }
  return `${which}: expected ${show(want)}, DuckDB reports ${show(got)} (printed as ${show(raw)}, exact=${exact})`;
}

async function checkMetadata(c) {
  const m = c.metadata, f = sqlStr(c.file), problems = [], used = new Map();
  const conn = await duckdb();
  const groups = (await conn.runAndReadAll(
    `SELECT row_group_id, any_value(row_group_num_rows) FROM parquet_metadata(${f}) GROUP BY 1 ORDER BY 1`)).getRows().map((r) => Number(r[1]));
  if (m.row_groups !== undefined && groups.length !== m.row_groups) problems.push(`row groups: expected ${m.row_groups}, file has ${groups.length}`);
  const total = groups.reduce((a, b) => a + b, 0);
  if (total !== c.rows) problems.push(`row groups hold ${total} rows, expected ${c.rows}`);
  const starts = groups.map((_, i) => groups.slice(0, i).reduce((a, b) => a + b, 0));
  const types = await duckDescribe(c.file);
  for (const [name, want] of Object.entries(m.columns ?? {})) {
    const j = c.columns.findIndex((col) => col.name === name), col = c.columns[j];
    if (!col) { problems.push(`metadata names unknown column "${name}"`); continue; }
    const dt = types.get(name);
    if (dt !== duckTypeFor(col.type)) {
      const error = `read as DuckDB ${dt}, expected ${duckTypeFor(col.type)}`, lim = findLimitation('duckdb', col.type, { error });
      if (lim) noteLimitation(used, lim, col, error);
      else problems.push(`column "${name}": ${error}`);
      continue;
    }
    // Let DuckDB parse back the strings it printed, so each stats value goes through exactly the
    // same normalization as the column's data (VARCHAR is taken as raw bytes via encode()).
    const conv = (x) => (dt === 'VARCHAR' ? `encode(${x})` : `TRY_CAST(${x} AS ${dt})`);
    const chunks = [];
    await duckEach(`SELECT row_group_id, compression, encodings, stats_null_count, ${conv('stats_min_value')}, ${conv('stats_max_value')},
        stats_min_value, stats_max_value, min_is_exact, max_is_exact
      FROM parquet_metadata(${f}) WHERE path_in_schema = ${sqlStr(name)} ORDER BY row_group_id`, (ch, i) => {
      const item = (k) => ch.getColumnVector(k).getItem(i);
      chunks.push({
        rg: Number(item(0)), codec: item(1), encodings: String(item(2)).split(', ').filter(Boolean), nulls: item(3),
        min: duckValue(ch.getColumnVector(4), i, dt, col.type), max: duckValue(ch.getColumnVector(5), i, dt, col.type),
        raw_min: item(6), raw_max: item(7), min_exact: item(8), max_exact: item(9),
      });
    });
    if (chunks.length !== groups.length) problems.push(`column "${name}": ${chunks.length} column chunks for ${groups.length} row groups`);
    for (const ch of chunks) {
      const where = `column "${name}" row group ${ch.rg}`;
      if (want.codec && ch.codec !== want.codec) problems.push(`${where}: codec ${ch.codec}, expected ${want.codec}`);
      for (const e of want.encodings_include ?? []) if (!ch.encodings.includes(e)) problems.push(`${where}: encodings [${ch.encodings}] lack ${e}`);
      for (const e of want.encodings_exclude ?? []) if (ch.encodings.includes(e)) problems.push(`${where}: encodings [${ch.encodings}] include ${e}`);
      if (!want.stats) continue;
      const s = expectedStats(col.type, c.values[j].slice(starts[ch.rg], starts[ch.rg] + groups[ch.rg]));
      if (ch.nulls === null || Number(ch.nulls) !== s.nulls) problems.push(`${where}: null_count ${ch.nulls}, expected ${s.nulls}`);
      if (s.min === null) {
        if (ch.raw_min !== null || ch.raw_max !== null) problems.push(`${where}: min/max ${show(ch.raw_min)}/${show(ch.raw_max)} present, but there is no non-null non-NaN value`);
        continue;
      }
      for (const which of ['min', 'max']) {
        const p = statProblem(col, which, ch, s[which], used);
        if (p) problems.push(`${where}: ${p}`);
      }
    }
  }
  reportLimitations(c.name, 'duckdb:metadata', used);
  if (problems.length) report('FAIL', c.name, 'duckdb:metadata', `${problems.length} problem(s)`, problems);
  else report('PASS', c.name, 'duckdb:metadata', `${groups.length} row group(s), ${Object.keys(m.columns ?? {}).length} column(s) checked`);
}

// ---- truncated / footer-less files ----------------------------------------------------------

async function checkRejected(file, readerName) {
  const subject = path.basename(file);
  try {
    const res = await READERS[readerName].read(file, null);
    report('FAIL', subject, readerName, `expected a read error, but it read ${res.rows} rows`);
  } catch (e) {
    report('PASS', subject, readerName, `rejected: ${errText(e)}`);
  }
}

// ---- main -------------------------------------------------------------------------------------

function usage(msg) {
  console.error(`${msg}\nusage: node verify.mjs [<cases-dir>] [--readers ${Object.keys(READERS).join(',')}] [--expect-reject FILE]...`);
  process.exit(2);
}

async function main(argv) {
  let dir = null, readers = Object.keys(READERS);
  const rejects = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--readers') readers = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--expect-reject') rejects.push(argv[++i] ?? usage('--expect-reject needs a file'));
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else if (dir === null) dir = a;
    else usage(`unexpected argument ${a}`);
  }
  if (dir === null && !rejects.length) usage('nothing to verify');
  for (const r of readers) if (!READERS[r]) usage(`unknown reader "${r}"`);
  if (!readers.length) usage('no readers selected');
  for (const r of rejects) if (!fs.existsSync(r)) usage(`no such file ${r}`);

  if (dir !== null) {
    if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) usage(`not a directory: ${dir}`);
    const files = fs.readdirSync(dir).sort();
    const names = files.filter((f) => f.endsWith('.expected.json')).map((f) => f.slice(0, -'.expected.json'.length));
    // A .parquet nobody describes is reported, never silently ignored.
    for (const f of files.filter((f) => f.endsWith('.parquet') && !names.includes(f.slice(0, -'.parquet'.length)))) {
      report('FAIL', f, 'case', `no ${f.slice(0, -'.parquet'.length)}.expected.json`);
    }
    for (const name of names) {
      let c;
      try {
        for (const ext of ['.parquet', '.values.jsonl']) if (!fs.existsSync(path.join(dir, name + ext))) throw new Error(`missing ${name}${ext}`);
        c = loadCase(dir, name);
      } catch (e) {
        report('FAIL', name, 'case', `invalid case: ${errText(e)}`);
        continue;
      }
      for (const r of readers) await checkReader(c, r);
      if (c.metadata && readers.includes('duckdb')) {
        try {
          await checkMetadata(c);
        } catch (e) {
          const error = errText(e), col = c.columns.find((col) => findLimitation('duckdb', col.type, { error }));
          if (col) reportLimitations(c.name, 'duckdb:metadata', new Map([[0, { lim: findLimitation('duckdb', col.type, { error }), col, error }]]));
          else report('FAIL', c.name, 'duckdb:metadata', `cannot check: ${error}`);
        }
      }
    }
    for (const f of files.filter((f) => f.endsWith('.inprogress'))) rejects.push(path.join(dir, f));
  }
  for (const file of rejects) for (const r of readers) await checkRejected(file, r);

  console.log(`${tally.limitations} limitations`);
  console.log(`${tally.passed} passed, ${tally.failed} failed`);
  return tally.failed === 0 && tally.passed > 0 ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
  console.error(e?.stack ?? e);
  console.log(`${tally.limitations} limitations`);
  console.log(`${tally.passed} passed, ${tally.failed + 1} failed`);
  process.exit(1);
});
