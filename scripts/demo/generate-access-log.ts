// A realistic, reproducible Apache combined access log: traffic phases (baseline, spike, baseline)
// with a seeded random mix of clients (IPv4, IPv6, hostnames), sections, statuses and sizes.
//   node --import tsx scripts/demo/generate-access-log.ts --out access.log [--seed 7] [--start 2026-01-15T10:00:00Z]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { prng } from './generate-events';

export interface TrafficPhase {
  /** How many buckets the phase lasts. */
  buckets: number;
  /** Hits per bucket, drawn uniformly from [min, max]. */
  hits: [number, number];
}

export interface GeneratedLog {
  lines: string[];
  /** Hits per bucket, in order from `start`. */
  perBucket: number[];
  start: number;
  refresh: number;
}

export const demoPhases: TrafficPhase[] = [
  { buckets: 150, hits: [4, 6] },
  { buckets: 24, hits: [20, 30] },
  { buckets: 130, hits: [4, 6] },
];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const CLIENTS = [
  '192.0.2.10',
  '198.51.100.7',
  '203.0.113.42',
  '10.1.2.3',
  '2001:db8::1',
  '2001:db8:85a3::8a2e:370:7334',
  'crawler-7.search.example.net',
  'proxy.example.org',
];
const PATHS = [
  '/',
  '/index.html',
  '/api/user',
  '/api/user/42',
  '/api/orders?page=2',
  '/pages/create',
  '/pages/about',
  '/static/app.js',
  '/static/css/site.css',
  '/report/2026/01',
  '/favicon.ico',
];
const AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64)',
  'curl/8.5.0',
  'Googlebot/2.1 (+http://www.google.com/bot.html)',
];

function clfTime(epochSeconds: number, offsetMinutes: number): string {
  const d = new Date((epochSeconds + offsetMinutes * 60) * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ` +
    `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

export function generateAccessLog(options: {
  start: number;
  phases?: TrafficPhase[];
  seed?: number;
  refresh?: number;
}): GeneratedLog {
  const refresh = options.refresh ?? 10;
  const rand = prng(options.seed ?? 7);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  const lines: string[] = [];
  const perBucket: number[] = [];
  let bucketStart = Math.floor(options.start / refresh) * refresh;
  for (const phase of options.phases ?? demoPhases) {
    for (let b = 0; b < phase.buckets; b++) {
      const [min, max] = phase.hits;
      const hits = min + Math.floor(rand() * (max - min + 1));
      perBucket.push(hits);
      const times = Array.from({ length: hits }, () => bucketStart + Math.floor(rand() * refresh)).sort(
        (x, y) => x - y,
      );
      for (const time of times) {
        const status = pick([200, 200, 200, 200, 304, 404, 500]);
        const bytes = status === 304 ? '-' : String(200 + Math.floor(rand() * 20_000));
        const method = pick(['GET', 'GET', 'GET', 'POST']);
        // Different servers log in different zones; the monitor must normalise to UTC.
        const offset = pick([0, 60, -300]);
        const vhost = rand() < 0.1 ? 'www.example.org:443 ' : '';
        lines.push(
          `${vhost}${pick(CLIENTS)} - ${rand() < 0.2 ? 'alice' : '-'} [${clfTime(time, offset)}] "${method} ${pick(PATHS)} HTTP/1.1" ${status} ${bytes} "-" "${pick(AGENTS)}"`,
        );
      }
      bucketStart += refresh;
    }
  }
  return { lines, perBucket, start: Math.floor(options.start / refresh) * refresh, refresh };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      seed: { type: 'string', default: '7' },
      start: { type: 'string', default: '2026-01-15T10:00:00Z' },
    },
  });
  const start = Date.parse(values.start!) / 1000;
  if (!values.out || Number.isNaN(start)) {
    process.stderr.write('usage: generate-access-log.ts --out FILE [--seed N] [--start ISO-TIME]\n');
    process.exit(2);
  }
  const log = generateAccessLog({ start, seed: Number(values.seed) });
  writeFileSync(values.out, `${log.lines.join('\n')}\n`);
  process.stdout.write(`${values.out}: ${log.lines.length} lines over ${log.perBucket.length} buckets\n`);
}
