// herald's benchmark harness: `npm run bench [-- --only NAME[,NAME]] [--size quick|standard|full]
// [--seed N] [--json]`. Starts its own Temporal dev server and embedded PostgreSQL in a temporary
// HERALD_HOME (or uses TEMPORAL_ADDRESS / HERALD_DATABASE_URL), runs the named benchmarks and
// prints every figure next to the baseline measured in the same run, as a ratio. Not a test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

// Before anything reads the configuration: never pick up the dev stack's .herald/dev.env.
const envHome = mkdtempSync(path.join(tmpdir(), 'herald-bench-env-'));
process.env.HERALD_HOME = envHome;
process.on('exit', () => rmSync(envHome, { recursive: true, force: true }));
// As deployed (Dockerfile, docker-compose.yml), for the parts that run in this process and the
// CLI children (mail rendering: React's production build).
process.env.NODE_ENV ??= 'production';

const BENCHMARKS = ['ingest', 'reporting', 'orchestration', 'mail', 'access-log', 'monitor', 'ripe'] as const;
type Name = (typeof BENCHMARKS)[number];

export const SIZES = {
  quick: {
    events: [10_000],
    groups: 100,
    emptyGroups: 100,
    logLines: 100_000,
    monitorLines: 50_000,
    mails: 200,
    ripeObjects: 100_000,
  },
  standard: {
    events: [10_000, 100_000],
    groups: 100,
    emptyGroups: 1_000,
    logLines: 1_000_000,
    monitorLines: 200_000,
    mails: 1_000,
    ripeObjects: 1_000_000,
  },
  full: {
    events: [10_000, 100_000, 1_000_000],
    groups: 100,
    emptyGroups: 1_000,
    logLines: 1_000_000,
    monitorLines: 1_000_000,
    mails: 1_000,
    ripeObjects: 1_000_000,
  },
} as const;
export interface Sizes {
  events: readonly number[];
  groups: number;
  emptyGroups: number;
  logLines: number;
  monitorLines: number;
  mails: number;
  ripeObjects: number;
}

const usage = `usage: npm run bench -- [--only ${BENCHMARKS.join(',')}] [--size quick|standard|full] [--events N,N] [--groups N] [--empty-groups N] [--ripe-objects N] [--seed N] [--json]`;
let values: {
  only?: string;
  size: string;
  seed: string;
  events?: string;
  groups?: string;
  'empty-groups'?: string;
  'ripe-objects'?: string;
  json: boolean;
  help: boolean;
};
try {
  values = parseArgs({
    options: {
      only: { type: 'string' },
      size: { type: 'string', default: 'standard' },
      seed: { type: 'string', default: '11' },
      events: { type: 'string' },
      groups: { type: 'string' },
      'empty-groups': { type: 'string' },
      'ripe-objects': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  }).values as typeof values;
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${usage}\n`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
const only = values.only ? values.only.split(',').map((s) => s.trim()) : [...BENCHMARKS];
const unknown = only.filter((n) => !(BENCHMARKS as readonly string[]).includes(n));
if (unknown.length || !(values.size in SIZES) || !/^\d+$/.test(values.seed)) {
  process.stderr.write(
    `${unknown.length ? `unknown benchmark: ${unknown.join(', ')}\n` : ''}${values.size in SIZES ? '' : `--size: expected quick, standard or full, got ${values.size}\n`}${/^\d+$/.test(values.seed) ? '' : `--seed: expected an integer, got ${values.seed}\n`}${usage}\n`,
  );
  process.exit(2);
}

// --events / --groups / --empty-groups override the size's datasets and the orchestration cycle.
const counts = (flag: string, text: string) => {
  const list = text.split(',').map((s) => Number(s.trim()));
  if (list.some((n) => !Number.isInteger(n) || n <= 0)) {
    process.stderr.write(`${flag}: expected positive integers separated by commas, got ${text}\n${usage}\n`);
    process.exit(2);
  }
  return list;
};
const sizes: Sizes = {
  ...SIZES[values.size as keyof typeof SIZES],
  ...(values.events ? { events: counts('--events', values.events) } : {}),
  ...(values.groups ? { groups: counts('--groups', values.groups)[0]! } : {}),
  ...(values['empty-groups'] ? { emptyGroups: counts('--empty-groups', values['empty-groups'])[0]! } : {}),
  ...(values['ripe-objects'] ? { ripeObjects: counts('--ripe-objects', values['ripe-objects'])[0]! } : {}),
};
const { runBenchmarks } = await import('./lib/harness');
const report = await runBenchmarks({
  only: only as Name[],
  sizes,
  sizeName: values.size,
  seed: Number(values.seed),
  log: (line) => process.stderr.write(`bench: ${line}\n`),
});
if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
else {
  const { formatFigures } = await import('./lib/figures');
  process.stdout.write(`${report.machine}\n\n${formatFigures(report.figures, report.skipped)}`);
}
process.exit(report.errors.length ? 1 : 0);
