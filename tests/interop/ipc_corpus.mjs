#!/usr/bin/env node
// The Arrow IPC corpus (tests/data/ipc-corpus) through the artemis-write CLI.
//
//   node ipc_corpus.mjs --cli PATH [--part golden|malformed|all] [--corpus DIR] [--keep]
//   node ipc_corpus.mjs --cli PATH --selftest-corrupt [--keep]
//
// golden: every golden and compression case is converted by the CLI three ways: the .stream by
// path, the .arrow_file by path, and the .stream through a pipe on stdin (`-`). Whether the CLI
// must accept or reject each case is the explicit table EXPECT below (a change in either
// direction is a FAIL). Accepted cases become harness cases (expected values from the case's
// integration JSON, via integration_json.mjs, never from our output) and are verified by
// verify.mjs with all four readers; DuckDB and arrow-rs must PASS every case, polars and
// hyparquet must PASS or hit a documented LIMITATION. Rejected cases must exit 2 with a one-line
// stderr naming the unsupported column and its type, and leave nothing at the output path (no
// .inprogress either).
//
// malformed: every file under malformed/ by path and through stdin, 10 s timeout each: exit 2
// with a one-line diagnostic (or 0 only where MALFORMED_VALID says so, with the output verified
// against apache-arrow JS's reading of the input), never a signal or a timeout, no sanitizer
// report, nothing left in the output directory.
//
// --selftest-corrupt: proves this harness can fail: a corrupted expected value must make
// verify.mjs FAIL for every reader, and a flipped expectation (a rejected case declared
// supported, a supported one declared rejected) must be reported as FAIL by the table check.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  CORPUS, corpusCases, loadIntegrationJson, convertJson, writeHarnessCase, readArrowIpc, convertArrowIpc, registerArrowCodecs,
} from './integration_json.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const TIMEOUT_MS = 10000;

// ---- the expectation table -----------------------------------------------------------------
//
// key: "<folder>/<case>". `ok`: the CLI must convert it (exit 0). `reject`: exit 2, and stderr
// must name one of the listed [column, type pattern] pairs (column as a whole word).
const OK = { ok: true };
const rej = (...pairs) => ({ reject: pairs });
const C21 = 'golden/cpp-21.0.0';
export const EXPECT = {
  [`${C21}/primitive`]: OK,
  [`${C21}/primitive_no_batches`]: OK,
  [`${C21}/primitive_zerolength`]: OK,
  [`${C21}/binary`]: OK,
  [`${C21}/binary_no_batches`]: OK,
  [`${C21}/binary_zerolength`]: OK,
  [`${C21}/large_binary`]: OK,
  [`${C21}/datetime`]: OK,
  [`${C21}/decimal`]: OK,
  [`${C21}/decimal32`]: OK,
  [`${C21}/decimal64`]: OK,
  [`${C21}/decimal256`]: OK,
  [`${C21}/dictionary`]: OK,
  [`${C21}/dictionary_unsigned`]: OK,
  [`${C21}/extension`]: OK,
  [`${C21}/null`]: OK,
  [`${C21}/null_trivial`]: OK,
  [`${C21}/binary_view`]: OK,
  [`${C21}/list_view`]: rej(['lv', /list.?view/i], ['llv', /list.?view/i]),
  [`${C21}/run_end_encoded`]: rej(['ree16_int32', /run.?end/i], ['ree32_utf8', /run.?end/i], ['ree64_float32', /run.?end/i], ['ree16_bool', /run.?end/i]),
  [`${C21}/union`]: rej(['sparse_1', /union/i], ['dense_1', /union/i], ['sparse_2', /union/i], ['dense_2', /union/i]),
  [`${C21}/nested`]: rej(['list_nullable', /list/i], ['fixedsizelist_nullable', /fixed.?size.?list|list/i], ['struct_nullable', /struct/i]),
  [`${C21}/recursive_nested`]: rej(['lists_list', /list/i], ['structs_list', /list|struct/i]),
  [`${C21}/nested_large_offsets`]: rej(['large_list_nullable', /large.?list|list/i], ['large_list_nonnullable', /large.?list|list/i], ['large_list_nested', /large.?list|list/i]),
  [`${C21}/nested_dictionary`]: rej(['list_dict', /list/i], ['struct_dict', /struct/i]),
  [`${C21}/map`]: rej(['map_nullable', /map/i]),
  [`${C21}/map_non_canonical`]: rej(['map_other_names', /map/i]),
  [`${C21}/custom_metadata`]: rej(['list_with_odd_values', /list/i]),
  [`${C21}/duplicate_fieldnames`]: rej(['ints', /both named "ints"/], ['struct', /struct/i]), // either problem is a valid reason
  [`${C21}/interval`]: rej(['f5', /interval/i], ['f6', /interval/i]),
  [`${C21}/interval_mdn`]: rej(['f1', /interval/i]),
  [`${C21}/duration`]: rej(['f1', /duration/i], ['f2', /duration/i], ['f3', /duration/i], ['f4', /duration/i]),
  'golden/0.14.1/primitive': OK,
  'golden/0.14.1/primitive_no_batches': OK,
  'golden/0.14.1/dictionary': OK,
  'golden/4.0.0-shareddict/shared_dict': OK,
  'compression/lz4': OK,
  'compression/zstd': OK,
  'compression/uncompressible_lz4': OK,
  'compression/uncompressible_zstd': OK,
};
for (const e of ['littleendian', 'bigendian']) {
  Object.assign(EXPECT, {
    [`golden/1.0.0-${e}/primitive`]: OK,
    [`golden/1.0.0-${e}/primitive_large_offsets`]: OK,
    [`golden/1.0.0-${e}/dictionary`]: OK,
    // 10 of its 12 date64 values are not whole days: the writer refuses to truncate them.
    [`golden/1.0.0-${e}/datetime`]: rej(['f1', /date64/i]),
    [`golden/1.0.0-${e}/nested`]: rej(['list_nullable', /list/i], ['fixedsizelist_nullable', /fixed.?size.?list|list/i], ['struct_nullable', /struct/i]),
    [`golden/1.0.0-${e}/map`]: rej(['map_nullable', /map/i]),
  });
}

// Malformed inputs the CLI may convert (exit 0), each checked to be valid with apache-arrow JS
// (its reading of the input must equal what the readers find in our Parquet). key: path under
// malformed/, value: { modes: ['path', 'stdin'], why }.
export const MALFORMED_VALID = {};

// ---- running the CLI --------------------------------------------------------------------------

export const oneLine = (s) => s.replace(/\s+$/, '');
export const sanitizerReport = (s) => /AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:/.test(s);

/** Run the CLI on `input` (a path, or a Buffer fed through a pipe as stdin) writing to out. */
export function runCli(cli, input, out) {
  const args = Buffer.isBuffer(input) ? ['-', '-o', out] : [input, '-o', out];
  const r = spawnSync(cli, args, {
    input: Buffer.isBuffer(input) ? input : undefined,
    stdio: [Buffer.isBuffer(input) ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    timeout: TIMEOUT_MS, killSignal: 'SIGKILL', encoding: 'utf8', maxBuffer: 64 << 20,
  });
  // A CLI that rejects its input before reading all of stdin closes the pipe: EPIPE on our side
  // is expected then, not an error of the CLI.
  const timedOut = r.error?.code === 'ETIMEDOUT';
  if (r.error && !timedOut && r.error.code !== 'EPIPE') throw r.error;
  return { code: r.status, signal: r.signal, timedOut, stderr: r.stderr ?? '', stdout: r.stdout ?? '' };
}

/** Problems with what the CLI left in `dir` after writing `out` (`expectFile`: out must exist). */
export function leftovers(dir, out, expectFile) {
  const p = [];
  const files = fs.readdirSync(dir);
  const base = path.basename(out);
  if (expectFile && !files.includes(base)) p.push(`no output file ${base}`);
  if (!expectFile && files.includes(base)) p.push(`output file ${base} exists after a failure`);
  if (files.includes(`${base}.inprogress`)) p.push(`${base}.inprogress left behind`);
  const other = files.filter((f) => f !== base && f !== `${base}.inprogress`);
  if (other.length) p.push(`unexpected files: ${other.join(', ')}`);
  return p;
}

export function describeRun(r) {
  if (r.timedOut) return `timed out after ${TIMEOUT_MS / 1000} s (killed)`;
  if (r.signal) return `killed by ${r.signal}`;
  return `exit ${r.code}`;
}

// ---- reporting ------------------------------------------------------------------------------

export const tally = { passed: 0, failed: 0, limitations: 0 };
let sink = tally; // the self-test collects verdicts it wants to see failing in its own sink
export function report(status, subject, detail, more = []) {
  if (status === 'PASS') sink.passed++;
  else if (status === 'FAIL') sink.failed++;
  else sink.limitations++;
  sink.lines?.push({ status, subject, detail, more });
  console.log(`${sink === tally ? '' : '(selftest) '}${status.padEnd(10)} ${subject.padEnd(56)} ${detail}`);
  for (const l of more.slice(0, 8)) console.log(`           ${l}`);
  if (more.length > 8) console.log(`           ... and ${more.length - 8} more`);
}

// ---- golden ---------------------------------------------------------------------------------

const MODES = [
  { mode: 'stream', input: (c) => `${c.base}.stream` },
  { mode: 'file', input: (c) => `${c.base}.arrow_file` },
  { mode: 'stdin', input: (c) => fs.readFileSync(`${c.base}.stream`) },
];
const caseId = (c) => `${c.folder.replace(/^golden\//, '').replace(/\//g, '_')}__${c.name}`;
const wordRe = (w) => new RegExp(`(^|[^A-Za-z0-9_])${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9_])`);

/** Check one CLI run against the table entry; returns problems (empty = as expected). */
function checkRun(expect, r, dir, out) {
  const p = [];
  if (sanitizerReport(r.stderr)) p.push(`sanitizer report: ${r.stderr.split('\n').find((l) => /Sanitizer|runtime error/.test(l))}`);
  if (expect.ok) {
    if (r.code !== 0) p.push(`expected exit 0, got ${describeRun(r)}: ${oneLine(r.stderr)}`);
    p.push(...leftovers(dir, out, r.code === 0));
    return p;
  }
  if (r.code !== 2) p.push(`expected exit 2 (unsupported input), got ${describeRun(r)}${r.stderr ? `: ${oneLine(r.stderr)}` : ''}`);
  const msg = oneLine(r.stderr);
  if (!msg) p.push('no message on stderr');
  else if (msg.includes('\n')) p.push(`stderr has ${msg.split('\n').length} lines, expected one: ${JSON.stringify(msg)}`);
  else if (!expect.reject.some(([col, type]) => wordRe(col).test(msg) && type.test(msg))) {
    p.push(`stderr does not name an unsupported column with its type (one of ${expect.reject.map(([c, t]) => `${c} ${t}`).join(', ')}): ${JSON.stringify(msg)}`);
  }
  p.push(...leftovers(dir, out, false));
  return p;
}

/**
 * Run the golden part. `expectTable` is EXPECT (or a deliberately wrong copy in the self-test);
 * `corrupt(id)` may return an edit for the case's values (self-test).
 */
function runGolden(cli, root, work, expectTable, { only, corrupt } = {}) {
  const casesDir = path.join(work, 'cases');
  fs.mkdirSync(casesDir, { recursive: true });
  const accepted = [];
  for (const c of corpusCases(root)) {
    const key = `${c.folder}/${c.name}`, id = caseId(c);
    if (only && !only.includes(key)) continue;
    const expect = expectTable[key];
    if (!expect) { report('FAIL', key, 'not in the expectation table (add it: every corpus case needs an explicit expectation)'); continue; }
    let conv = null;
    if (expect.ok) {
      try {
        conv = convertJson(loadIntegrationJson(`${c.base}.json.gz`));
      } catch (e) {
        report('FAIL', key, `cannot convert the integration JSON: ${e.message}`);
        continue;
      }
    }
    for (const m of MODES) {
      const subject = `${key} [${m.mode}]`;
      const runDir = path.join(work, 'run', `${id}.${m.mode}`);
      fs.mkdirSync(runDir, { recursive: true });
      const out = path.join(runDir, 'out.parquet');
      const r = runCli(cli, m.input(c), out);
      const problems = checkRun(expect, r, runDir, out);
      if (problems.length) { report('FAIL', subject, `CLI: ${problems.length} problem(s)`, problems); continue; }
      if (!expect.ok) { report('PASS', subject, `rejected (exit 2): ${oneLine(r.stderr)}`); continue; }
      const name = `${id}.${m.mode}`;
      fs.renameSync(out, path.join(casesDir, `${name}.parquet`));
      // Statistics of every column are checked too (computed from the expected values), except
      // where the writer documents that it writes none: min/max of fixed_size_binary wider than
      // 64 bytes (docs/parquet-subset.md).
      const metadata = { columns: Object.fromEntries(conv.columns.filter((col) => !/^fixed_binary:(6[5-9]|[7-9]\d|\d{3,})$/.test(col.type)).map((col) => [col.name, { stats: true }])) };
      try {
        writeHarnessCase(conv, casesDir, name, metadata);
      } catch (e) {
        report('FAIL', subject, `CLI accepted it, but the harness has no expected form: ${e.message}`);
        continue;
      }
      if (corrupt) corrupt(name, casesDir);
      report('PASS', subject, `converted (exit 0); ${conv.rows} rows x ${conv.columns.length} columns to verify`);
      accepted.push(name);
    }
  }
  return { casesDir, accepted };
}

/** Run verify.mjs on the cases; return its output lines grouped by case. */
export function runVerify(casesDir) {
  const r = spawnSync(process.execPath, [path.join(here, 'verify.mjs'), casesDir], { encoding: 'utf8', maxBuffer: 256 << 20 });
  return { code: r.status, out: (r.stdout ?? '') + (r.stderr ?? '') };
}

const REQUIRED_READERS = ['duckdb', 'arrow-rs'];
const ALL_READERS = ['arrow-rs', 'duckdb', 'polars', 'hyparquet', 'duckdb:metadata'];

/** Apply the reader requirements to verify.mjs's output for the accepted cases. */
export function judgeVerify(accepted, out) {
  const lines = out.split('\n');
  for (const name of accepted) {
    const mine = lines.filter((l) => new RegExp(`^(PASS|FAIL|LIMITATION)\\s+${name.replace(/\./g, '\\.')}\\s`).test(l));
    for (const reader of ALL_READERS) {
      const rl = mine.filter((l) => l.split(/\s+/)[2] === reader);
      const pass = rl.some((l) => l.startsWith('PASS')), fail = rl.filter((l) => l.startsWith('FAIL'));
      const lim = rl.filter((l) => l.startsWith('LIMITATION'));
      const more = [];
      for (let i = lines.indexOf(fail[0]) + 1; fail.length && i < lines.length && lines[i].startsWith('           '); i++) more.push(lines[i].trim());
      // One LIMITATION line per (case, reader, documented limitation), naming its columns.
      const byFeature = new Map();
      for (const l of lim) {
        const m = /^LIMITATION\s+\S+\s+\S+\s+(.*?): column "(.*?)" \((.*?)\): (.*)$/.exec(l);
        const key = m ? `${m[1]}: ${m[4].replace(/ \[.*\]$/, '')}` : l;
        byFeature.set(key, [...(byFeature.get(key) ?? []), m ? `"${m[2]}"` : '']);
      }
      for (const [feature, cols] of byFeature) report('LIMITATION', `${name} ${reader}`, `column(s) ${cols.join(', ')}: ${feature}`);
      if (fail.length) report('FAIL', `${name} ${reader}`, fail[0].replace(/^FAIL\s+\S+\s+\S+\s+/, ''), more);
      else if (pass) report('PASS', `${name} ${reader}`, rl.find((l) => l.startsWith('PASS')).replace(/^PASS\s+\S+\s+\S+\s+/, ''));
      else if (REQUIRED_READERS.includes(reader)) report('FAIL', `${name} ${reader}`, `no PASS from a required reader${lim.length ? ' (only limitations)' : ''}`);
      else if (!lim.length) report('FAIL', `${name} ${reader}`, 'no verdict from verify.mjs');
    }
  }
}

// ---- malformed ------------------------------------------------------------------------------

function malformedFiles(root) {
  const base = path.join(root, 'malformed'), out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push({ rel: path.relative(base, p), file: p });
    }
  };
  walk(base);
  return out;
}

function runMalformed(cli, root, work) {
  registerArrowCodecs();
  const casesDir = path.join(work, 'malformed-valid');
  fs.mkdirSync(casesDir, { recursive: true });
  const accepted = [];
  const files = malformedFiles(root);
  if (!files.length) report('FAIL', 'malformed', 'no files found');
  for (const { rel, file } of files) {
    for (const mode of ['path', 'stdin']) {
      const subject = `malformed/${rel} [${mode}]`;
      const runDir = path.join(work, 'run-malformed', `${rel.replace(/\//g, '_')}.${mode}`);
      fs.mkdirSync(runDir, { recursive: true });
      const out = path.join(runDir, 'out.parquet');
      const r = runCli(cli, mode === 'path' ? file : fs.readFileSync(file), out);
      const valid = MALFORMED_VALID[rel]?.modes.includes(mode);
      const p = [];
      if (sanitizerReport(r.stderr)) p.push(`sanitizer report: ${r.stderr.split('\n').find((l) => /Sanitizer|runtime error/.test(l))}`);
      if (r.timedOut || r.signal) p.push(describeRun(r));
      else if (r.code === 0 && !valid) p.push('exit 0: accepted an input the table does not list as valid (check it with apache-arrow JS, then list it in MALFORMED_VALID with the reason)');
      else if (r.code !== 0 && r.code !== 2) p.push(`exit ${r.code}, expected 2: ${oneLine(r.stderr)}`);
      else if (r.code === 2 && valid) p.push(`exit 2, but MALFORMED_VALID lists it as valid: ${oneLine(r.stderr)}`);
      if (r.code === 2) {
        const msg = oneLine(r.stderr);
        if (!msg) p.push('no diagnostic on stderr');
        else if (msg.includes('\n')) p.push(`stderr has ${msg.split('\n').length} lines, expected one`);
      }
      p.push(...leftovers(runDir, out, r.code === 0));
      if (p.length) { report('FAIL', subject, describeRun(r), p); continue; }
      if (r.code === 2) { report('PASS', subject, `exit 2: ${oneLine(r.stderr).slice(0, 160)}`); continue; }
      // Accepted and listed as valid: what apache-arrow JS reads from the input is the expectation.
      try {
        const conv = convertArrowIpc(readArrowIpc(fs.readFileSync(file)));
        const name = `${rel.replace(/[/]/g, '_')}.${mode}`;
        fs.renameSync(out, path.join(casesDir, `${name}.parquet`));
        writeHarnessCase(conv, casesDir, name);
        accepted.push(name);
        report('PASS', subject, `exit 0 (listed valid: ${MALFORMED_VALID[rel].why}); output to verify`);
      } catch (e) {
        report('FAIL', subject, `exit 0, but apache-arrow JS cannot give its expected values: ${e.message}`);
      }
    }
  }
  return { casesDir, accepted };
}

// ---- self-test: the harness must be able to fail --------------------------------------------

function selftestCorrupt(cli, root, work) {
  const checks = [];
  const expectThat = (ok, what) => checks.push([ok, what]);
  const captured = () => ({ passed: 0, failed: 0, limitations: 0, lines: [] });
  const failedSubjects = (cap, detail = /./) => new Set(cap.lines.filter((l) => l.status === 'FAIL' && [l.detail, ...l.more].some((x) => detail.test(x))).map((l) => l.subject));

  // 1. A corrupted expected value (in the .stream outputs' cases): every reader must FAIL that
  //    case, and every reader must still PASS the same data from the other two modes.
  const only = [`${C21}/primitive`, 'compression/zstd'];
  const corrupted = new Set();
  const corrupt = (name, dir) => {
    if (!name.endsWith('.stream')) return;
    const f = path.join(dir, `${name}.values.jsonl`);
    const lines = fs.readFileSync(f, 'utf8').split('\n');
    const row = JSON.parse(lines[3]);
    const j = row.findIndex((v) => typeof v === 'string' && /^-?\d+$/.test(v));
    const v = BigInt(row[j]);
    row[j] = String(v > 0n ? v - 1n : v < 0n ? v + 1n : 1n); // toward zero: stays in the type's range
    lines[3] = JSON.stringify(row);
    fs.writeFileSync(f, lines.join('\n'));
    corrupted.add(name);
  };
  sink = captured();
  const { casesDir, accepted } = runGolden(cli, root, work, EXPECT, { only, corrupt });
  const v = runVerify(casesDir);
  judgeVerify(accepted, v.out);
  const cap1 = sink;
  sink = tally;
  expectThat(accepted.length === 6 && corrupted.size === 2, `6 outputs written, 2 of them with a corrupted expectation (got ${accepted.length}, ${corrupted.size})`);
  expectThat(v.code === 1, `verify.mjs exits 1 on the corrupted cases (got ${v.code})`);
  const failed1 = failedSubjects(cap1, /^row 3, column /); // the value mismatch itself, not an invalid case
  const failedAny = failedSubjects(cap1);
  for (const name of accepted) {
    for (const reader of ['arrow-rs', 'duckdb', 'polars', 'hyparquet']) {
      const f = corrupted.has(name) ? failed1.has(`${name} ${reader}`) : !failedAny.has(`${name} ${reader}`);
      expectThat(f, `${name} / ${reader}: ${corrupted.has(name) ? 'FAIL on the corrupted value' : 'no FAIL (not corrupted)'}`);
    }
  }
  // 2. Flipped expectations: the table check must FAIL in both directions, for every mode.
  const flipped = { ...EXPECT, [`${C21}/union`]: OK, [`${C21}/primitive`]: rej(['bool_nullable', /bool/]) };
  sink = captured();
  runGolden(cli, root, path.join(work, 'flipped'), flipped, { only: [`${C21}/union`, `${C21}/primitive`] });
  const failed2 = failedSubjects(sink);
  sink = tally;
  for (const key of [`${C21}/union`, `${C21}/primitive`]) {
    for (const m of MODES) expectThat(failed2.has(`${key} [${m.mode}]`), `flipped expectation for ${key} [${m.mode}] is reported as FAIL`);
  }
  for (const [ok, what] of checks) report(ok ? 'PASS' : 'FAIL', 'selftest-corrupt', what);
}

// ---- main -------------------------------------------------------------------------------------

function usage(msg) {
  console.error(`${msg}\nusage: node ipc_corpus.mjs --cli PATH [--part golden|malformed|all] [--corpus DIR] [--keep] [--selftest-corrupt]`);
  process.exit(2);
}

function main(argv) {
  let cli = null, part = 'all', root = CORPUS, keep = false, selftest = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--cli') cli = argv[++i];
    else if (a === '--part') part = argv[++i];
    else if (a === '--corpus') root = argv[++i];
    else if (a === '--keep') keep = true;
    else if (a === '--selftest-corrupt') selftest = true;
    else usage(`unknown argument ${a}`);
  }
  if (!cli) usage('--cli PATH is required');
  if (!fs.existsSync(cli)) usage(`no such CLI: ${cli}`);
  if (!['golden', 'malformed', 'all'].includes(part)) usage(`bad --part ${part}`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'artemis-ipc-corpus-'));
  console.log(`work dir ${work}`);
  try {
    if (selftest) selftestCorrupt(cli, root, work);
    else {
      if (part !== 'malformed') {
        const { casesDir, accepted } = runGolden(cli, root, work, EXPECT);
        if (accepted.length) {
          const v = runVerify(casesDir);
          judgeVerify(accepted, v.out);
          if (v.code !== 0 && v.code !== 1) report('FAIL', 'verify.mjs', `exit ${v.code}: ${v.out.split('\n').slice(-5).join(' | ')}`);
        }
        const keys = new Set(corpusCases(root).map((c) => `${c.folder}/${c.name}`));
        for (const k of Object.keys(EXPECT)) if (!keys.has(k)) report('FAIL', k, 'in the expectation table but not in the corpus');
      }
      if (part !== 'golden') {
        const { casesDir, accepted } = runMalformed(cli, root, work);
        if (accepted.length) judgeVerify(accepted, runVerify(casesDir).out);
        for (const k of Object.keys(MALFORMED_VALID)) if (!fs.existsSync(path.join(root, 'malformed', k))) report('FAIL', k, 'in MALFORMED_VALID but not in the corpus');
      }
    }
  } finally {
    if (!keep) fs.rmSync(work, { recursive: true, force: true });
  }
  console.log(`${tally.limitations} limitations`);
  console.log(`${tally.passed} passed, ${tally.failed} failed`);
  return tally.failed === 0 && tally.passed > 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exit(main(process.argv.slice(2)));
