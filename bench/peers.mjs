// The peers' side of bench/run.sh: DuckDB and polars (the npm packages pinned by
// tests/interop/package-lock.json; no other dependency), plus the read-back check of every
// output. Each subcommand is one process, timed from outside by run.sh (/usr/bin/time for
// peak RSS); the "-write" subcommands also time their write call inside and print one JSON
// line on stdout: {"seconds": S, "rows": N}.
//
//   node bench/peers.mjs prep --ipc IN.ipc --out PREP.parquet --rows N
//       polars reads the IPC stream (checks the row count) and writes the same rows as an
//       uncompressed Parquet file without statistics, 122,880-row row groups (DuckDB's own
//       row-group size, so DuckDB reads it in parallel): what DuckDB loads, because DuckDB
//       1.5.6 reads Arrow IPC only through the `arrow`/nanoarrow extension, which it would
//       download (no network here) - see probe-duckdb.
//   node bench/peers.mjs probe-duckdb
//       fails unless DuckDB still cannot read Arrow IPC without an extension download (if a
//       later DuckDB can, the harness should load the IPC stream directly: a reminder).
//   node bench/peers.mjs duckdb-write --source PREP.parquet --out OUT --copy "OPTIONS" [--set "SQL"]
//       loads the table into DuckDB memory (CREATE TABLE t AS SELECT * FROM read_parquet),
//       then times only COPY t TO OUT (FORMAT parquet, OPTIONS). --set runs SQL before.
//   node bench/peers.mjs duckdb-e2e --source PREP.parquet --out OUT --copy "OPTIONS" [--set "SQL"]
//       COPY (SELECT * FROM read_parquet(PREP)) TO OUT (...): read + write, timed inside too.
//   node bench/peers.mjs polars-write --ipc IN.ipc --out OUT
//       loads the IPC stream into a DataFrame, then times only df.writeParquet(OUT, {compression: 'zstd'}).
//   node bench/peers.mjs polars-e2e --ipc IN.ipc --out OUT
//       readIPCStream + writeParquet, timed inside too.
//   node bench/peers.mjs rg-rows FILE
//       rows of the file's first row group (DuckDB parquet_metadata).
//   node bench/peers.mjs verify --rows N --source PREP.parquet --json OUT.json NAME=FILE[:unordered]...
//       every FILE must read back in DuckDB with count(*) == N and every column equal to the
//       source's: per column sum(hash(value)) (order-insensitive) and sum(hash(value,
//       file_row_number)) (row order too; skipped for files marked :unordered). A column
//       whose DuckDB type differs from the source's is compared as VARCHAR. Exit 1 on any
//       mismatch or read error, after checking every file.
//
// polars: nodejs-polars 0.25.2's DataFrame.writeParquet takes only {compression} (no level;
// see node_modules/nodejs-polars/bin/types.d.ts WriteParquetOptions). Its "zstd" is
// ParquetCompression::Zstd(None), i.e. zstd's default level, 3 (checked on 1M canonical rows:
// writeParquet zstd 16,936,891 bytes; sinkParquet compressionLevel 3 16,937,823; level 1
// 19,594,394). readIPCStream treats a string as a path only when it ends in ".ipc" (else as
// the stream's bytes): run.sh passes a .ipc symlink to the .arrows file.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const here = path.dirname(fileURLToPath(import.meta.url));
const interopPkg = path.join(here, '..', 'tests', 'interop', 'package.json');
const req = createRequire(interopPkg);

const [cmd, ...rest] = process.argv.slice(2);
const opt = { positional: [] };
for (let i = 0; i < rest.length; i++) {
  const a = rest[i];
  if (a.startsWith('--')) {
    const key = a.slice(2);
    if (i + 1 >= rest.length) die(`${a} needs a value`);
    (opt[key] ??= []).push(rest[++i]);
  } else opt.positional.push(a);
}
const one = (k, required = true) => {
  const v = opt[k];
  if (!v) { if (required) die(`${cmd}: --${k} is required`); return undefined; }
  return v[v.length - 1];
};

function die(msg) {
  process.stderr.write(`bench/peers.mjs: ${msg}\n`);
  process.exit(2);
}
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const qi = (s) => `"${String(s).replace(/"/g, '""')}"`;
const secondsSince = (t0) => (performance.now() - t0) / 1000;
const emit = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

async function duck() {
  const { DuckDBInstance } = await import(pathToFileURL(req.resolve('@duckdb/node-api')).href);
  const db = await DuckDBInstance.create(':memory:');
  return db.connect();
}
const polars = () => req('nodejs-polars');

async function scalar(con, sql) {
  const r = await con.runAndReadAll(sql);
  return r.getRows()[0][0];
}

function fresh(out) {
  fs.rmSync(out, { force: true });
  return out;
}

const commands = {
  async prep() {
    const ipc = one('ipc'), out = fresh(one('out')), rows = Number(one('rows'));
    const pl = polars();
    const df = pl.readIPCStream(ipc);
    if (df.height !== rows) die(`polars read ${df.height} rows from ${ipc}, expected ${rows}`);
    df.lazy().sinkParquet(out, { compression: 'uncompressed', statistics: false, rowGroupSize: 122880 }).collectSync();
    emit({ rows: df.height, columns: df.columns.length });
  },

  async 'probe-duckdb'() {
    const con = await duck();
    const tmp = path.join(fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'bench-probe-')), 'x.arrows');
    const pl = polars();
    fs.writeFileSync(tmp, pl.DataFrame({ a: [1, 2, 3] }).writeIPCStream());
    let readable = false;
    for (const sql of [`SELECT count(*) FROM read_arrow(${q(tmp)})`, `SELECT count(*) FROM ${q(tmp)}`]) {
      try { await con.run(sql); readable = true; } catch { /* expected */ }
    }
    fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
    const exts = (await (await con.runAndReadAll('SELECT extension_name FROM duckdb_extensions() WHERE loaded')).getRows()).map((r) => r[0]);
    if (readable) die('DuckDB can read Arrow IPC here: load the IPC stream directly instead of the Parquet copy (update run.sh)');
    emit({ duckdb_reads_arrow_ipc: false, loaded_extensions: exts });
  },

  async 'duckdb-write'() {
    const src = one('source'), out = fresh(one('out')), copy = one('copy');
    const con = await duck();
    for (const s of opt.set ?? []) await con.run(s);
    await con.run(`CREATE TABLE t AS SELECT * FROM read_parquet(${q(src)})`);
    const rows = await scalar(con, 'SELECT count(*) FROM t');
    const t0 = performance.now();
    const r = await con.runAndReadAll(`COPY t TO ${q(out)} (FORMAT parquet, ${copy})`);
    const seconds = secondsSince(t0);
    const copied = r.getRows()[0]?.[0];
    if (copied !== undefined && BigInt(copied) !== BigInt(rows)) die(`COPY wrote ${copied} rows, the table has ${rows}`);
    emit({ seconds, rows: Number(rows) });
  },

  async 'duckdb-e2e'() {
    const src = one('source'), out = fresh(one('out')), copy = one('copy');
    const t0 = performance.now();
    const con = await duck();
    for (const s of opt.set ?? []) await con.run(s);
    const r = await con.runAndReadAll(`COPY (SELECT * FROM read_parquet(${q(src)})) TO ${q(out)} (FORMAT parquet, ${copy})`);
    emit({ seconds: secondsSince(t0), rows: Number(r.getRows()[0]?.[0] ?? -1) });
  },

  async 'polars-write'() {
    const ipc = one('ipc'), out = fresh(one('out'));
    const df = polars().readIPCStream(ipc);
    const t0 = performance.now();
    df.writeParquet(out, { compression: 'zstd' });
    emit({ seconds: secondsSince(t0), rows: df.height });
  },

  async 'polars-e2e'() {
    const ipc = one('ipc'), out = fresh(one('out'));
    const t0 = performance.now();
    const df = polars().readIPCStream(ipc);
    df.writeParquet(out, { compression: 'zstd' });
    emit({ seconds: secondsSince(t0), rows: df.height });
  },

  async 'rg-rows'() {
    const file = opt.positional[0] ?? die('rg-rows FILE');
    const con = await duck();
    const n = await scalar(con, `SELECT max(row_group_num_rows) FROM parquet_metadata(${q(file)}) WHERE row_group_id = 0`);
    process.stdout.write(`${n}\n`);
  },

  async verify() {
    const rows = BigInt(one('rows')), src = one('source'), jsonOut = one('json', false);
    const con = await duck();
    const describe = async (file) => (await (await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${q(file)})`)).getRowObjects())
      .map((r) => ({ name: r.column_name, type: r.column_type }));
    // One scan per file: count(*), and per column the two hash sums.
    const sums = async (file, cols, asText, ordered) => {
      const exprs = ['count(*)'];
      for (const c of cols) {
        const v = asText.has(c.name) ? `CAST(${qi(c.name)} AS VARCHAR)` : qi(c.name);
        exprs.push(`sum(hash(${v}))`);
        if (ordered) exprs.push(`sum(hash(${v}, file_row_number))`);
      }
      const row = (await (await con.runAndReadAll(`SELECT ${exprs.join(', ')} FROM read_parquet(${q(file)}, file_row_number = true)`)).getRows())[0];
      const out = { count: BigInt(row[0]), cols: {} };
      let k = 1;
      for (const c of cols) out.cols[c.name] = { any: String(row[k++]), ordered: ordered ? String(row[k++]) : null };
      return out;
    };
    const srcCols = await describe(src);
    const srcPlain = await sums(src, srcCols, new Set(), true);
    const srcText = {}; // column -> sums as VARCHAR, computed when some file needs them
    if (srcPlain.count !== rows) die(`source ${src} has ${srcPlain.count} rows, expected ${rows}`);
    const results = [];
    let failed = false;
    for (const arg of opt.positional) {
      const m = /^([^=]+)=(.*?)(:unordered)?$/.exec(arg);
      if (!m) die(`verify: expected NAME=FILE[:unordered], got ${arg}`);
      const [, name, file, unordered] = m;
      const res = { name, file: path.basename(file), ok: false, rows: null, problems: [] };
      try {
        const cols = await describe(file);
        const names = cols.map((c) => c.name).join(',');
        if (names !== srcCols.map((c) => c.name).join(',')) throw new Error(`columns ${names}, expected ${srcCols.map((c) => c.name).join(',')}`);
        const asText = new Set(cols.filter((c, i) => c.type !== srcCols[i].type).map((c) => c.name));
        const got = await sums(file, cols, asText, !unordered);
        res.rows = Number(got.count);
        if (got.count !== rows) res.problems.push(`count(*) = ${got.count}, expected ${rows}`);
        for (const c of cols) {
          let want = srcPlain.cols[c.name];
          if (asText.has(c.name)) {
            srcText[c.name] ??= (await sums(src, [c], new Set([c.name]), true)).cols[c.name];
            want = srcText[c.name];
          }
          const g = got.cols[c.name];
          if (g.any !== want.any) res.problems.push(`${c.name}: values differ from the source`);
          else if (!unordered && g.ordered !== want.ordered) res.problems.push(`${c.name}: row order differs from the source`);
        }
        if (asText.size) res.compared_as_text = [...asText].map((n) => `${n} (${cols.find((c) => c.name === n).type} vs source ${srcCols.find((c) => c.name === n).type})`);
      } catch (e) {
        res.problems.push(`read error: ${String(e.message ?? e).split('\n')[0]}`);
      }
      res.ok = res.problems.length === 0;
      if (!res.ok) failed = true;
      res.checked = unordered ? 'count, values (order not compared)' : 'count, values, order';
      results.push(res);
      process.stderr.write(`verify ${res.ok ? 'ok  ' : 'FAIL'} ${name} ${file}${res.ok ? '' : `: ${res.problems.join('; ')}`}\n`);
    }
    if (jsonOut) fs.writeFileSync(jsonOut, `${JSON.stringify({ rows: Number(rows), source: path.basename(src), results }, null, 1)}\n`);
    if (failed) process.exit(1);
  },
};

if (!commands[cmd]) die(`unknown subcommand ${cmd ?? '(none)'}; one of ${Object.keys(commands).join(', ')}`);
try {
  await commands[cmd]();
} catch (e) {
  die(`${cmd}: ${String(e.message ?? e).split('\n')[0]}`);
}
