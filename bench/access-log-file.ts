// herald's access-log path over a whole file as one process, for the GoAccess comparison: the
// tailer's reading (1 MiB reads, LineSplitter), parser and bucket aggregator, drained when the
// tailer flushes (client/monitor/batch-limits.ts) — everything but the ingest Update.
//   node --import tsx bench/access-log-file.ts FILE [--format combined|csv]
import { open } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_BATCH_LINES, MAX_BATCH_BUCKETS, MAX_BATCH_KEY_CHARS } from '../client/monitor/batch-limits';
import { LineSplitter } from '../client/monitor/line-splitter';
import { BucketAggregator } from '../domain/access-log/bucket-aggregator';
import { parserFor } from '../domain/access-log/parse-line';
import { newParsedLine } from '../domain/access-log/parsed-line';
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
const parse = parserFor(values.format as LogFormat);
const parsed = newParsedLine();
const aggregator = new BucketAggregator(10);
const totals = { lines: 0, parsed: 0, errors: 0, skipped: 0, batches: 0, buckets: 0 };
const drain = () => {
  const batch = aggregator.drain();
  totals.batches++;
  totals.buckets += batch.buckets.length;
};
const onLine = (text: string | null, start: number) => {
  totals.lines++;
  if (text === null) {
    totals.errors++;
    return;
  }
  const outcome = parse(text, parsed);
  if (outcome === 'ok') {
    totals.parsed++;
    aggregator.add(parsed);
  } else if (outcome === 'skip') aggregator.skip();
  else {
    totals.errors++;
    aggregator.parseError(start, outcome, text);
  }
};
const handle = await open(file, 'r');
const buffer = Buffer.alloc(1024 * 1024);
const full = () =>
  aggregator.lineCount >= DEFAULT_BATCH_LINES ||
  aggregator.bucketCount >= MAX_BATCH_BUCKETS ||
  aggregator.keyCharCount >= MAX_BATCH_KEY_CHARS;
const splitter = new LineSplitter(0, 64 * 1024);
let position = 0;
for (;;) {
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
  if (bytesRead === 0) break;
  position += splitter.push(buffer.subarray(0, bytesRead), position, onLine, full);
  if (full()) drain();
}
splitter.finish(position, onLine);
drain();
await handle.close();
process.stdout.write(`${JSON.stringify(totals)}\n`);
