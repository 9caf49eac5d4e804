// Writes a long Arrow IPC stream in constant memory, for the CLI's memory test: apache-arrow
// JS builds one record batch of telemetry-like columns (timestamps, strings, floats, a
// dictionary column, nulls), and its encapsulated RecordBatch message is written COPIES
// times between the Schema message and the end-of-stream marker.
//
//   node make_long_stream.mjs OUT.arrows|- ROWS_PER_BATCH COPIES     (- = stdout, for a pipe)
import fs from 'node:fs';
import * as Arrow from 'apache-arrow';

const [out, rowsArg, copiesArg] = process.argv.slice(2);
const rows = Number(rowsArg), copies = Number(copiesArg);
if (!out || !(rows > 0) || !(copies >= 0)) {
  console.error('usage: node make_long_stream.mjs OUT.arrows ROWS_PER_BATCH COPIES');
  process.exit(2);
}
let seed = 12345;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const ts = new BigInt64Array(rows), volts = new Float64Array(rows), seq = new BigUint64Array(rows);
const uri = [], note = [];
for (let i = 0; i < rows; i++) {
  ts[i] = 1775001600000000000n + BigInt(i) * 150000n + BigInt(Math.floor(rand() * 1000));
  volts[i] = 28 + rand();
  seq[i] = BigInt(i);
  uri.push(`s3://artemis-cold/mission-${i % 8}/payload-${i % 200}/2026/11/26/${(i * 7919) % 100000}.bin`);
  note.push(rand() < 0.9 ? null : `gain trim ${Math.floor(rand() * 1000)} counts`);
}
const table = Arrow.tableFromArrays({
  sample_timestamp_ns: Arrow.makeVector(Arrow.makeData({ type: new Arrow.TimestampNanosecond(), length: rows, data: ts })),
  mission_id: Arrow.vectorFromArray(Array.from({ length: rows }, (_, i) => `MISSION-${i % 8}`), new Arrow.Dictionary(new Arrow.Utf8(), new Arrow.Int8())),
  sequence_number: seq,
  panel_voltage: volts,
  archive_uri: uri,
  notes: note,
});
const bytes = Arrow.tableToIPC(table, 'stream');
// Split the stream into its messages: 0xFFFFFFFF, int32 metadata length, metadata, body.
const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const messages = [];
let at = 0;
while (at + 8 <= bytes.length) {
  if (view.getUint32(at, true) !== 0xffffffff) throw new Error(`no continuation marker at ${at}`);
  const metaLen = view.getInt32(at + 4, true);
  if (metaLen === 0) break; // end of stream
  // bodyLength is the Message table's third field; read it with apache-arrow's decoder.
  const msg = Arrow.Message.decode(bytes.subarray(at + 8, at + 8 + metaLen));
  const end = at + 8 + metaLen + Number(msg.bodyLength);
  messages.push({ type: msg.headerType, bytes: bytes.subarray(at, end) });
  at = end;
}
const schema = messages.filter((m) => m.type === Arrow.MessageHeader.Schema);
const dicts = messages.filter((m) => m.type === Arrow.MessageHeader.DictionaryBatch);
const batch = messages.filter((m) => m.type === Arrow.MessageHeader.RecordBatch);
if (schema.length !== 1 || batch.length !== 1) throw new Error(`unexpected message layout: ${messages.map((m) => m.type)}`);
const fd = out === '-' ? 1 : fs.openSync(out, 'w');
fs.writeSync(fd, schema[0].bytes);
for (const d of dicts) fs.writeSync(fd, d.bytes);
for (let i = 0; i < copies; i++) fs.writeSync(fd, batch[0].bytes);
fs.writeSync(fd, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]));
if (fd !== 1) fs.closeSync(fd);
console.error(`${out}: ${rows * copies} rows in ${copies} batches of ${rows}, ${(batch[0].bytes.length / 1e6).toFixed(1)} MB per batch message`);
