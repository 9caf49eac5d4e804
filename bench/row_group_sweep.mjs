// The reference analyst query of docs/row-group-decision.md, run with DuckDB over files that
// differ only in their row-group target. Called by bench/row_group_sweep.sh; can be run alone:
//
//   node bench/row_group_sweep.mjs [--runs 7] [--mission ARTEMIS-III] [--offset 600]
//        [--windows 10,120,600] [--json OUT] [--describe] FILE.parquet...
// (--describe: only the table of files, rate and row-group spans; no queries)
//
// Query (per time window W seconds, starting --offset seconds after the file's first sample):
//   SELECT mission_id, avg(temperature_c), min(panel_voltage), max(pressure_kpa), count(*)
//   FROM read_parquet(FILE)
//   WHERE sample_timestamp_ns BETWEEN t0 + offset AND t0 + offset + W AND mission_id = MISSION
//   GROUP BY ALL
// plus the same query without the time predicate (mission only: a full scan).
//
// "row groups read" is computed from the footer: a row group is read when its
// sample_timestamp_ns [min, max] statistics overlap the window (the row-group pruning every
// statistics-aware reader does); mission_id never prunes because every row group holds every
// mission. DuckDB 1.5.6's profiler does not report pruned row groups, so the timing is the
// end-to-end evidence. Timing: one warm-up run per (file, query), then --runs runs, taken
// round-robin over the files so machine noise spreads evenly; the median is reported, with
// min and max. The OS page cache is warm (the files were just written or read).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const here = path.dirname(fileURLToPath(import.meta.url));
const interop = path.join(here, '..', 'tests', 'interop', 'package.json');
const { DuckDBInstance } = await import(pathToFileURL(createRequire(interop).resolve('@duckdb/node-api')).href);
const duckdbVersion = JSON.parse(fs.readFileSync(path.join(path.dirname(interop), 'node_modules', '@duckdb', 'node-api', 'package.json'), 'utf8')).version;

const args = process.argv.slice(2);
const opt = { runs: 7, mission: 'ARTEMIS-III', offset: 600, windows: [10, 120, 600], json: null, describe: false };
const files = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--runs') opt.runs = Number(args[++i]);
  else if (a === '--mission') opt.mission = args[++i];
  else if (a === '--offset') opt.offset = Number(args[++i]);
  else if (a === '--windows') opt.windows = args[++i].split(',').map(Number);
  else if (a === '--json') opt.json = args[++i];
  else if (a === '--describe') opt.describe = true;
  else files.push(a);
}
if (!files.length || !(opt.runs >= 1)) {
  console.error('usage: node bench/row_group_sweep.mjs [--runs N] [--mission M] [--offset S] [--windows S,S,..] [--json OUT] FILE...');
  process.exit(2);
}

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const rows = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJson();
const q = (s) => `'${String(s).replaceAll("'", "''")}'`;
const NS = 1_000_000_000n;

// Footer facts per file.
const info = {};
for (const f of files) {
  const rg = await rows(`SELECT row_group_id::BIGINT id, row_group_num_rows::BIGINT n,
      epoch_ns(stats_min_value::TIMESTAMP_NS)::VARCHAR lo, epoch_ns(stats_max_value::TIMESTAMP_NS)::VARCHAR hi
    FROM parquet_metadata(${q(f)}) WHERE path_in_schema = 'sample_timestamp_ns' ORDER BY id`);
  const groups = rg.map((r) => ({ id: Number(r.id), n: Number(r.n), lo: BigInt(r.lo), hi: BigInt(r.hi) }));
  const t0 = groups.reduce((m, g) => (g.lo < m ? g.lo : m), groups[0].lo);
  info[f] = { groups, t0, bytes: fs.statSync(f).size };
}

// What the files hold: telemetry rate and the time span of a row group.
{
  const span = await rows(`SELECT count(*)::BIGINT n, (epoch_ns(max(sample_timestamp_ns)) - epoch_ns(min(sample_timestamp_ns)))::DOUBLE / 1e9 AS s
    FROM read_parquet(${q(files[0])})`);
  const n = Number(span[0].n), s = Number(span[0].s);
  console.log(`${n.toLocaleString('en-US')} rows spanning ${s.toFixed(1)} s of telemetry: ${(n / s).toFixed(0)} rows per second (all payloads).\n`);
  console.log('| file | bytes | row groups | rows in row group 0 | seconds of telemetry per full row group |');
  console.log('|---|---:|---:|---:|---:|');
  for (const f of files) {
    const g = info[f].groups[0];
    console.log(`| ${path.basename(f)} | ${info[f].bytes.toLocaleString('en-US')} | ${info[f].groups.length} | ${g.n.toLocaleString('en-US')} | ${(Number(g.hi - g.lo) / 1e9).toFixed(1)} |`);
  }
  console.log('');
  if (opt.describe) process.exit(0);
}

// The queries, identical for every file (all files hold the same rows).
const t0 = info[files[0]].t0;
const queries = opt.windows.map((w) => {
  const a = t0 + BigInt(opt.offset) * NS;
  const b = a + BigInt(w) * NS;
  return {
    name: `${w} s window + mission`, window: w, a, b,
    sql: (f) => `SELECT mission_id, avg(temperature_c) avg_temp, min(panel_voltage) min_v, max(pressure_kpa) max_p, count(*) n
      FROM read_parquet(${q(f)})
      WHERE sample_timestamp_ns BETWEEN make_timestamp_ns(${a}) AND make_timestamp_ns(${b}) AND mission_id = ${q(opt.mission)}
      GROUP BY ALL`,
  };
});
queries.push({
  name: 'mission only (full scan)', window: null,
  sql: (f) => `SELECT mission_id, avg(temperature_c) avg_temp, min(panel_voltage) min_v, max(pressure_kpa) max_p, count(*) n
    FROM read_parquet(${q(f)}) WHERE mission_id = ${q(opt.mission)} GROUP BY ALL`,
});

const results = {}; // file -> query -> { times: [], answer }
for (const f of files) {
  results[f] = {};
  for (const qu of queries) {
    const answer = await rows(qu.sql(f)); // warm-up, and the answer every file must agree on
    results[f][qu.name] = { times: [], answer: JSON.stringify(answer) };
  }
}
for (let r = 0; r < opt.runs; r++) {
  for (const f of files) {
    for (const qu of queries) {
      const t = performance.now();
      await con.runAndReadAll(qu.sql(f));
      results[f][qu.name].times.push(performance.now() - t);
    }
  }
}
// Same answer from every file (they differ only in row-group size): counts and min/max exact,
// the average to 1e-9 relative (DuckDB's parallel aggregation sums in varying order).
const same = (x, y) => {
  const a = JSON.parse(x), b = JSON.parse(y);
  if (a.length !== b.length) return false;
  return a.every((r, i) => Object.keys(r).every((k) => (k === 'avg_temp'
    ? Math.abs(r[k] - b[i][k]) <= 1e-9 * Math.abs(r[k])
    : r[k] === b[i][k])));
};
for (const qu of queries) {
  const first = results[files[0]][qu.name].answer;
  const bad = files.filter((f) => !same(first, results[f][qu.name].answer));
  if (bad.length) {
    console.error(`answers differ between files for "${qu.name}":`, first, bad.map((f) => results[f][qu.name].answer));
    process.exit(1);
  }
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const fmt = (ms) => ms.toFixed(ms < 10 ? 1 : 0);
const readOf = (f, qu) => {
  const g = info[f].groups;
  if (qu.window === null) return { read: g.length, rowsRead: g.reduce((s, x) => s + x.n, 0) };
  const hit = g.filter((x) => x.hi >= qu.a && x.lo <= qu.b);
  return { read: hit.length, rowsRead: hit.reduce((s, x) => s + x.n, 0) };
};

console.log(`DuckDB ${duckdbVersion} (@duckdb/node-api), ${os.cpus().length} CPUs (${os.cpus()[0].model}), ${opt.runs} timed runs per (file, query) after one warm-up, round-robin; times in ms: median (min–max).`);
console.log(`Mission filter: ${opt.mission}; windows start ${opt.offset} s after the first sample (${new Date(Number(t0 / 1_000_000n) + opt.offset * 1000).toISOString()}).`);
for (const qu of queries) {
  const ans = JSON.parse(results[files[0]][qu.name].answer)[0] || {};
  console.log(`\n#### ${qu.name}${qu.window !== null ? '' : ''}: answer n = ${ans.n ?? 0} rows of ${opt.mission}\n`);
  console.log('| file | row groups | row groups read (footer stats) | rows in row groups read | median ms | min–max ms |');
  console.log('|---|---:|---:|---:|---:|---|');
  for (const f of files) {
    const { read, rowsRead } = readOf(f, qu);
    const t = results[f][qu.name].times;
    const total = info[f].groups.length;
    console.log(`| ${path.basename(f)} | ${total} | ${read} read, ${total - read} skipped | ${rowsRead.toLocaleString('en-US')} | ${fmt(median(t))} | ${fmt(Math.min(...t))}–${fmt(Math.max(...t))} |`);
  }
}
if (opt.json) {
  const out = files.map((f) => ({
    file: f, bytes: info[f].bytes, row_groups: info[f].groups.length,
    queries: queries.map((qu) => ({ name: qu.name, ...readOf(f, qu), median_ms: median(results[f][qu.name].times), times_ms: results[f][qu.name].times })),
  }));
  fs.writeFileSync(opt.json, JSON.stringify(out, null, 1));
}
