// Ingest throughput and memory: N generated IDEA events (default 1,000,000) streamed from an
// NDJSON file through `events ingest`'s code path (progress bar on stderr) into a scratch
// database on HERALD_DATABASE_URL's server. Prints JSON: events/s, peak RSS and the ratio to COPY of
// the same converted rows into an identically indexed empty table (bench/lib/copy-baseline.ts).
//   node --import tsx bench/ingest.ts [--count 1000000] [--file events.ndjson] [--keep-db]
// Not a test; results are recorded in bench/ingest.md.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { readCatalogDocument } from '../client/commands/catalog';
import { ingestFile } from '../client/commands/events';
import { config } from '../config/env';
import { repoRoot } from '../config/paths';
import { importCatalog } from '../db/catalog/upsert';
import { migrateUp } from '../db/migrate';
import { closeSharedPool, sharedPool } from '../db/pool';
import { parseCatalog } from '../domain/catalog/schema';
import { copyBaseline } from './lib/copy-baseline';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000000' },
    file: { type: 'string' },
    'keep-db': { type: 'boolean', default: false },
  },
});
const count = Number(values.count);

const serverUrl = config().HERALD_DATABASE_URL;
if (!serverUrl) throw new Error('HERALD_DATABASE_URL is not set (run `bin/herald dev up`)');

// 1. Input file (generated in a child process so its memory does not count here).
const workDir = mkdtempSync(path.join(tmpdir(), 'herald-bench-'));
const file = values.file ?? path.join(workDir, `events-${count}.ndjson`);
if (!existsSync(file)) {
  process.stderr.write(`generating ${count} events into ${file}\n`);
  execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(repoRoot, 'scripts/demo/generate-events.ts'),
      '--count',
      String(count),
      '--seed',
      '11',
      '--spread-hours',
      '24',
      '--out',
      file,
    ],
    { stdio: 'inherit' },
  );
}

// 2. Scratch database with the schema and the demo catalogs (classes + networks).
const database = `herald_bench_${Date.now()}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${database}`);
const url = new URL(serverUrl);
url.pathname = `/${database}`;
process.env.HERALD_DATABASE_URL = url.toString();
await migrateUp(url.toString());
const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
for (const catalog of ['catalog/default-catalog.yaml', 'scripts/demo/demo-catalog.yaml']) {
  const parsed = parseCatalog(await readCatalogDocument(path.join(repoRoot, catalog)));
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  await importCatalog(pool, parsed.catalog);
}
await pool.end();

// 3. Ingest with the CLI's code path; sample RSS while it runs.
const rssBefore = process.memoryUsage().rss;
let rssPeakSampled = rssBefore;
const sampler = setInterval(() => {
  rssPeakSampled = Math.max(rssPeakSampled, process.memoryUsage().rss);
}, 200);
const began = process.hrtime.bigint();
// A config() cached before the switch must not point ingest at the server's main database.
const { resetConfigForTests } = await import('../config/env');
resetConfigForTests();
const summary = await ingestFile(file, {
  progress: true,
  format: 'ndjson',
  rejectsFile: path.join(workDir, 'rejects.ndjson'),
});
const seconds = Number(process.hrtime.bigint() - began) / 1e9;
const inputBytes = statSync(file).size;
clearInterval(sampler);
const check = await sharedPool().query(
  'SELECT count(*)::bigint AS n, pg_total_relation_size($1) AS bytes FROM events',
  ['events'],
);
const partitions = await sharedPool().query(
  `SELECT sum(pg_total_relation_size(inhrelid))::bigint AS bytes FROM pg_inherits WHERE inhparent = 'events'::regclass`,
);
await closeSharedPool();
// The limit: COPY of the same converted rows into an identically indexed empty table.
const baseline = await copyBaseline(url.toString(), workDir);

if (!values['keep-db']) await admin.query(`DROP DATABASE ${database} WITH (FORCE)`);
await admin.end();
if (!values.file) rmSync(workDir, { recursive: true, force: true });

const result = {
  events: count,
  inputBytes,
  accepted: summary.accepted,
  duplicates: summary.duplicates,
  rejected: summary.rejected,
  storedRows: Number(check.rows[0].n),
  seconds: Math.round(seconds * 10) / 10,
  eventsPerSecond: Math.round(count / seconds),
  copyBaselineSeconds: Math.round(baseline.seconds * 10) / 10,
  ratioToCopy: Math.round((seconds / baseline.seconds) * 100) / 100,
  rssBeforeMiB: Math.round(rssBefore / 2 ** 20),
  peakRssMiB: Math.round(Math.max(rssPeakSampled, process.resourceUsage().maxRSS * 1024) / 2 ** 20),
  storedMiB: Math.round(Number(partitions.rows[0].bytes) / 2 ** 20),
  node: process.version,
  database: values['keep-db'] ? database : undefined,
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
