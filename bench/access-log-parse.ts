// Throughput of the access-log parser + bucket aggregator (lines/s) on generated combined and csv
// lines, as the tailer runs them. Not a test: `node --import tsx bench/access-log-parse.ts`.
import { BucketAggregator } from '../domain/access-log/bucket-aggregator';
import { parserFor } from '../domain/access-log/parse-line';
import { newParsedLine } from '../domain/access-log/parsed-line';
import type { LogFormat } from '../domain/access-log/types';
import { generateAccessLog } from '../scripts/demo/generate-access-log';

const start = Date.parse('2026-01-15T10:00:00Z') / 1000;
const combined = generateAccessLog({ start, seed: 3, phases: [{ buckets: 10_000, hits: [15, 25] }] }).lines;
const MONTHS: Record<string, number> = Object.fromEntries(
  ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].map((m, i) => [m, i]),
);
// The same requests in the exercise's CSV export.
const csv = combined.map((line) => {
  const m =
    /^(?:\S+ )?(\S+) \S+ \S+ \[(\d+)\/(\w+)\/(\d+):(\d+):(\d+):(\d+) ([+-]\d{4})\] "([^"]*)" (\d+) (\S+)/.exec(
      line,
    )!;
  const offset =
    (m[8]!.startsWith('-') ? -1 : 1) * (Number(m[8]!.slice(1, 3)) * 3600 + Number(m[8]!.slice(3)) * 60);
  const epoch = Date.UTC(+m[4]!, MONTHS[m[3]!]!, +m[2]!, +m[5]!, +m[6]!, +m[7]!) / 1000 - offset;
  return `"${m[1]}","-","-",${epoch},"${m[9]}",${m[10]},${m[11] === '-' ? 0 : m[11]}`;
});

function measure(format: LogFormat, lines: string[], rounds: number) {
  const parse = parserFor(format);
  const out = newParsedLine();
  let errors = 0;
  const began = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    const aggregator = new BucketAggregator(10);
    for (const line of lines) {
      if (parse(line, out) === 'ok') aggregator.add(out);
      else errors++;
    }
    aggregator.drain();
  }
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  const total = lines.length * rounds;
  return {
    format,
    lines: total,
    parseErrors: errors,
    seconds: Number(seconds.toFixed(3)),
    linesPerSecond: Math.round(total / seconds),
  };
}

measure('combined', combined, 1); // warm-up
const results = [measure('combined', combined, 5), measure('csv', csv, 5)];
process.stdout.write(
  `${JSON.stringify({ benchmark: 'access-log-parse', node: process.version, results }, null, 2)}\n`,
);
