// The Markdown of bench/run.sh from its raw records (WORK/raw/runs.jsonl: one JSON object a
// line, "type" config | dataset | run | verify | instr | meta). Deterministic apart from the
// measured numbers, the date and the machine lines.
//
//   node bench/report.mjs WORK/raw/runs.jsonl > report.md
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const file = process.argv[2];
if (!file) { console.error('usage: node bench/report.mjs runs.jsonl'); process.exit(2); }
const recs = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l, i) => {
  try { return JSON.parse(l); } catch (e) { throw new Error(`${file}:${i + 1}: ${e.message}`); }
});
const of = (t) => recs.filter((r) => r.type === t);
const meta = of('meta').at(-1) ?? {};
const configs = of('config');
const datasets = of('dataset');
const runs = of('run');
const instr = of('instr');
const verify = Object.fromEntries(of('verify').map((v) => [v.dataset, JSON.parse(fs.readFileSync(v.file, 'utf8'))]));

const sh = (cmd, args) => { try { return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { return 'unknown'; } };
const pkg = (name) => { try { return JSON.parse(fs.readFileSync(path.join(here, '..', 'tests', 'interop', 'node_modules', name, 'package.json'), 'utf8')).version; } catch { return 'unknown'; } };
const cpuModel = (() => { try { return /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))[1].trim(); } catch { return 'unknown'; } })();
const zstdVersion = (() => {
  for (const r of runs) {
    if (configs.find((c) => c.slug === r.slug)?.kind !== 'floor') continue;
    try { return JSON.parse(fs.readFileSync(path.join(path.dirname(file), `${r.dataset}-${r.slug}-r${r.round}.out`), 'utf8')).zstd; } catch { /* next */ }
  }
  return 'unknown';
})();

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const fmtS = (x) => (x >= 100 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
const ratio = (a, b) => (a == null || b == null || !(b > 0) ? '–' : `${(a / b).toFixed(2)}×`);

// What the wall column times, per kind.
const TIMED = {
  artemis: ['wall', 'process'],
  'duckdb-write': ['inner', 'COPY only'],
  'duckdb-e2e': ['wall', 'process'],
  'polars-write': ['inner', 'writeParquet only'],
  'polars-e2e': ['wall', 'process'],
  floor: ['inner', 'compression only'],
};

const out = [];
const p = (s = '') => out.push(s);
p('# artemis-write vs DuckDB and polars');
p();
p(`${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, \`${meta.command ?? '?'}\``);
p();
p(`- machine: ${sh('nproc', [])} CPUs (${cpuModel}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${sh('uname', ['-sr'])}`);
p(`- artemis-write: ${sh(meta.cli ?? 'false', ['--version'])}, ${sh('gcc', ['--version']).split('\n')[0]}, zstd ${zstdVersion}`);
p(`- peers: DuckDB ${pkg('@duckdb/node-api')} (@duckdb/node-api), polars ${pkg('nodejs-polars')} (nodejs-polars), Node.js ${process.versions.node}`);
p(`- ${meta.rows?.toLocaleString('en-US')} rows per dataset, ${meta.rounds} round(s): each round runs every configuration once, the order rotated by one per round; wall = median (min–max) over the rounds`);
if (meta.generator_note) p(`- **${meta.generator_note}**`);
if (meta.smoke) p('- **smoke run**: too small for the numbers to mean anything; it checks that every path works');
p();

for (const ds of datasets) {
  const d = ds.dataset;
  const rows = new Map();
  for (const c of configs.filter((c) => !c.skipped)) {
    const rs = runs.filter((r) => r.dataset === d && r.slug === c.slug);
    if (!rs.length) continue;
    const [field, timed] = TIMED[c.kind];
    const t = rs.map((r) => r[field]);
    const sizes = rs.map((r) => r.bytes);
    rows.set(c.slug, { c, timed, med: median(t), min: Math.min(...t), max: Math.max(...t), rss: Math.max(...rs.map((r) => r.rss_kib)) / 1024, bytes: sizes.at(-1), sizeMin: Math.min(...sizes), sizeMax: Math.max(...sizes), n: rs.length });
  }
  const ref = (slug) => rows.get(slug);
  const v = verify[d];
  const back = (slug) => {
    const r = v?.results.find((x) => x.name === slug);
    if (!r) return slug === 'zstd-floor' ? 'n/a (no file)' : 'not checked';
    return r.ok ? (r.checked.includes('order not') ? 'ok (values; order not compared)' : 'ok') : `**FAIL**: ${r.problems.join('; ')}`;
  };
  p(`## ${d}${d === 'canonical' ? ' (calibrated ADC values)' : d === 'float' ? ' (full-mantissa random walks)' : ''}`);
  p();
  p(`Input: \`${ds.input}\`, Arrow IPC stream, ${fmtInt(ds.input_bytes)} bytes, ${fmtInt(ds.rows)} rows. DuckDB loads \`${ds.source}\` (${fmtInt(ds.source_bytes)} bytes: polars' uncompressed Parquet copy of the stream; DuckDB 1.5.6 reads Arrow IPC only through a downloaded extension). DuckDB ROW_GROUP_SIZE ${fmtInt(ds.rg_rows)} rows = artemis-write's first row group here. Floor: ${fmtInt(ds.uncompressed_bytes)} bytes of artemis-write \`--compression none\` output, in ${fmtInt(ds.floor_chunk_bytes)}-byte chunks (its average data page).`);
  p();
  p('| tool / configuration | timed | wall s, median (min–max) | peak RSS MiB | output bytes | × polars write | × polars e2e | × DuckDB write | × DuckDB e2e | size × DuckDB V2 | size × DuckDB V1 | read back |');
  p('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const [slug, r] of rows) {
    const size = r.sizeMin === r.sizeMax ? fmtInt(r.bytes) : `${fmtInt(r.sizeMin)}–${fmtInt(r.sizeMax)} (varies)`;
    const isFloor = r.c.kind === 'floor';
    p(`| ${r.c.label} | ${r.timed} | ${fmtS(r.med)} (${fmtS(r.min)}–${fmtS(r.max)}) | ${r.rss.toFixed(0)} | ${size} | ` +
      `${ratio(r.med, ref('polars-write')?.med)} | ${ratio(r.med, ref('polars-e2e')?.med)} | ${ratio(r.med, ref('duckdb-v1-write')?.med)} | ${ratio(r.med, ref('duckdb-v1-e2e')?.med)} | ` +
      `${isFloor ? '–' : ratio(r.bytes, ref('duckdb-v2-write')?.bytes)} | ${isFloor ? '–' : ratio(r.bytes, ref('duckdb-v1-write')?.bytes)} | ${back(slug)} |`);
  }
  const unc = v?.results.find((x) => x.name === 'artemis-uncompressed');
  if (unc) p(`\nThe floor's input (artemis-write \`--compression none\`) read back: ${unc.ok ? 'ok' : `**FAIL**: ${unc.problems.join('; ')}`}.`);
  p();
}

const skipped = configs.filter((c) => c.skipped);
if (skipped.length) {
  p('Not run: ' + skipped.map((c) => `${c.label} (${c.skipped})`).join('; ') + '.');
  p();
}

if (instr.length) {
  p('## Instructions (callgrind), artemis-write single-threaded');
  p();
  p('| dataset | rows | configuration | instructions | per row |');
  p('|---|---:|---|---:|---:|');
  for (const i of instr) p(`| ${i.dataset} | ${fmtInt(i.rows)} | \`artemis-write IN -o OUT --no-fsync${i.args ? ` ${i.args}` : ''}\` | ${fmtInt(i.instructions)} | ${fmtInt(i.instructions / i.rows)} |`);
  p();
}

p('## How to read this');
p();
p('- **timed**: *process* = wall time of the whole process (start, read the input, write, exit; for the Node.js peers it includes starting Node.js and loading the native module); *COPY only* / *writeParquet only* = the write call alone, timed inside the process after the table was loaded into memory; *compression only* = the zstd loop of bench/zstd_floor.c after reading its input.');
p('- **peak RSS**: maximum resident set of the process (`/usr/bin/time %M`), the largest over the rounds. For the write-only rows it includes the table loaded in memory (and Node.js); for the floor, its whole input file.');
p('- **× columns**: this row\'s median wall time divided by the reference row\'s (below 1 = faster than the reference). **size ×**: output bytes divided by DuckDB\'s (V2 pages: DuckDB\'s smallest; V1: its default).');
p('- **read back**: DuckDB reads the file: count(*) must equal the rows, and every column must equal the input (per column, a sum of value hashes and of (value, row position) hashes against polars\' copy of the input). "order not compared": the configuration lets DuckDB reorder rows.');
p('- artemis-write runs with `--no-fsync` (no peer fsyncs). Every run writes a new file on the same disk; the OS page cache is warm (inputs were read before the first round).');
p('- 2-core VMs shared with other work are noisy: compare medians, look at the min–max spread, and re-run before trusting differences under ~10%.');
process.stdout.write(`${out.join('\n')}\n`);
