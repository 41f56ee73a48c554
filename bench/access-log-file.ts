// herald's access-log path over a whole file as one process, for the GoAccess comparison: the
// tailer's reading (1 MiB reads, LineSplitter), parser (client/monitor/line-parser.ts) and bucket
// aggregator, drained when the tailer flushes (client/monitor/batch-limits.ts) — everything but the
// ingest Update.
//   node --import tsx bench/access-log-file.ts FILE [--format combined|csv]
import { open } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_BATCH_LINES, MAX_BATCH_BUCKETS, MAX_BATCH_KEY_CHARS } from '../client/monitor/batch-limits';
import { LineParser } from '../client/monitor/line-parser';
import { type ByteLineSink, LineSplitter } from '../client/monitor/line-splitter';
import { BucketAggregator } from '../domain/access-log/bucket-aggregator';
import type { LogFormat } from '../domain/access-log/types';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { format: { type: 'string', default: 'combined' } },
});
const file = positionals[0];
if (!file) {
  process.stderr.write('usage: access-log-file.ts FILE [--format combined|csv]\n');
  process.exit(2);
}
const MAX_LINE_BYTES = 64 * 1024;
const aggregator = new BucketAggregator(10);
const parser = new LineParser(values.format as LogFormat, aggregator, MAX_LINE_BYTES);
const totals = { lines: 0, parsed: 0, errors: 0, batches: 0, buckets: 0 };
const drain = () => {
  const batch = aggregator.drain();
  totals.batches++;
  totals.buckets += batch.buckets.hits.length;
  totals.lines += batch.lines;
  totals.errors += batch.parseErrors;
};
const onLine: ByteLineSink = (bytes, from, to, start, _end, excerpt) => {
  parser.line(bytes, from, to, start, excerpt);
};
const handle = await open(file, 'r');
const buffer = Buffer.alloc(1024 * 1024);
const full = () =>
  aggregator.lineCount >= DEFAULT_BATCH_LINES ||
  aggregator.bucketCount >= MAX_BATCH_BUCKETS ||
  aggregator.keyCharCount >= MAX_BATCH_KEY_CHARS;
const splitter = new LineSplitter(0, MAX_LINE_BYTES);
let position = 0;
for (;;) {
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
  if (bytesRead === 0) break;
  position += splitter.pushBytes(buffer.subarray(0, bytesRead), position, onLine, full);
  if (full()) drain();
}
splitter.finishBytes(position, onLine);
drain();
totals.parsed = totals.lines - totals.errors;
await handle.close();
process.stdout.write(`${JSON.stringify(totals)}\n`);
