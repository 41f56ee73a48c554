// Where a reporting cycle's time goes, for working on it (not a figure of the results tables):
//   node --import tsx bench/profile-reporting.ts prepare [--events N]   once: a migrated template
//        database with the bench catalog and N events (default 1,000,000, seed 11) ingested
//   node --import tsx bench/profile-reporting.ts cycle [--events N] [--worker-profile DIR]
//        a copy of the template (new migrations applied), a fresh Temporal dev server, the reporting
//        figure of `npm run bench` on it, then the cycle's CPU by process and, when the server has
//        pg_stat_statements loaded (shared_preload_libraries), its 25 costliest statements
// A cycle takes minutes instead of the ingest's: copying the template is seconds. The server is
// HERALD_BENCH_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres), never the dev stack.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { repoRoot } from '../config/paths';
import { migrateUp } from '../db/migrate';
import { startMailCatcher } from '../scripts/dev/mail-catcher';
import { importBenchCatalog } from './lib/catalog';
import { ingestFile } from './lib/dataset';
import { writeEventsFile } from './lib/events-file';
import { startStack, withDatabase } from './lib/stack';
import { benchReporting } from './reporting';

const GROUPS = 100;
const SEED = 11;
const admin = process.env.HERALD_BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { events: { type: 'string', default: '1000000' }, 'worker-profile': { type: 'string' } },
});
const events = Number(values.events);
const template = `herald_profile_${events}`;
const metaFile = path.join(tmpdir(), `herald-profile-${events}.json`);
const log = (line: string) => process.stderr.write(`profile: ${line}\n`);

async function onServer<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

async function prepare() {
  await onServer(admin, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${template}`);
  });
  const url = withDatabase(admin, template);
  await migrateUp(url);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  await importBenchCatalog(pool, GROUPS);
  await pool.end();
  // The window's end: a past multiple of 10 minutes; every event stamped 5 minutes before it.
  const timeHighSec = Math.floor(Date.now() / 600_000) * 600 - 600;
  const timeHigh = new Date(timeHighSec * 1000).toISOString();
  const storageTime = new Date((timeHighSec - 300) * 1000).toISOString();
  const home = mkdtempSync(path.join(tmpdir(), 'herald-profile-home-'));
  const file = path.join(home, 'events.ndjson');
  log(`generating ${events} events (seed ${SEED}, ${GROUPS} groups)`);
  await writeEventsFile(file, {
    count: events,
    groups: GROUPS,
    seed: SEED,
    now: new Date(timeHighSec * 1000),
  });
  log(`ingesting into ${template}`);
  await ingestFile(file, { url, home, storageTime });
  await onServer(url, (c) => c.query('VACUUM ANALYZE events'));
  writeFileSync(metaFile, JSON.stringify({ timeHigh, storageTime }));
  log(`ready: ${template} (window end ${timeHigh}); run \`bench/profile-reporting.ts cycle\``);
}

async function cycle() {
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as { timeHigh: string; storageTime: string };
  const name = `herald_profile_cycle_${Date.now().toString(36)}`;
  await onServer(admin, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  const url = withDatabase(admin, name);
  await migrateUp(url);
  await onServer(url, (c) => c.query('ANALYZE events'));
  // The bench's own stack (Temporal dev server, workflow bundle) on this PostgreSQL server.
  process.env.HERALD_DATABASE_URL = admin;
  const base = await startStack(log);
  const connection = await Connection.connect({ address: base.temporalAddress });
  const catcher = await startMailCatcher({ smtpPort: 0, parseOnRead: true });
  try {
    // The worker inherits this process's environment: a V8 CPU profile of it when asked.
    if (values['worker-profile'])
      process.env.NODE_OPTIONS = `--import ${path.join(repoRoot, 'bench', 'lib', 'cpu-profile-hook.mjs')}`;
    process.env.HERALD_CPU_PROFILE_DIR = values['worker-profile'] ?? '';
    const statements = await onServer(admin, (c) =>
      c.query('SELECT pg_stat_statements_reset()').then(
        () => true,
        () => false,
      ),
    );
    // One cycle on the copy, at the template's window.
    const stack = {
      ...base,
      nextTimeHigh: () => meta.timeHigh,
      scratchDatabase: async () => ({ url, name }),
    };
    const client = new Client({ connection, namespace: 'default' });
    const figure = await benchReporting(
      { stack, client, catcher, log },
      {
        events,
        groups: GROUPS,
        seed: SEED,
        url,
        file: '',
        timeHigh: meta.timeHigh,
        storageTime: meta.storageTime,
        ingest: {
          code: 0,
          stdout: '',
          stderr: '',
          seconds: 0,
          peakRssMiB: null,
          cpuSeconds: null,
          accepted: events,
          rejected: 0,
          fileBytes: 0,
        },
      },
    );
    process.stdout.write(`${JSON.stringify(figure, null, 1)}\n`);
    if (!statements)
      log(
        'no statement breakdown: pg_stat_statements is not available in the admin database ' +
          "(ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements', restart, then " +
          'CREATE EXTENSION pg_stat_statements in it)',
      );
    else
      await onServer(admin, async (c) => {
        const top = await c.query<{ s: string; calls: string; rows: string; q: string }>(
          `SELECT round(total_exec_time::numeric / 1000, 1) AS s, calls, rows,
                  left(regexp_replace(query, '\\s+', ' ', 'g'), 120) AS q
             FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 25`,
        );
        process.stdout.write('statement time (s, summed)\tcalls\trows\tstatement\n');
        for (const r of top.rows) process.stdout.write(`${r.s}\t${r.calls}\t${r.rows}\t${r.q}\n`);
      });
  } finally {
    await catcher.close();
    await connection.close();
    await base.close();
    await onServer(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

if (positionals[0] === 'prepare') await prepare();
else if (positionals[0] === 'cycle') await cycle();
else {
  process.stderr.write(
    'usage: bench/profile-reporting.ts prepare|cycle [--events N] [--worker-profile DIR]\n',
  );
  process.exit(2);
}
process.exit(0);
