// A schedule's cursor survives a restart of the Temporal server itself.
// This file runs its own dev server (persisted to a file) so it can stop and restart it. The
// ledger is emptied before the second run, so only the schedule's last completion result,
// kept by the restarted server, can tell the second run where the first one stopped.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { scheduleOptions } from '../../../client/reporting/schedules';
import { mailTaskQueue } from '../../../domain/reporting/mail-task-queue';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { freePort, waitForPort } from '../../../scripts/dev/processes';
import { ensureTemporalCli } from '../../../scripts/dev/temporal-cli';
import { devServerArgs } from '../../../scripts/dev/temporal-server';
import { freshDatabase, type TestDatabase } from '../../support/database';
import '../../support/provided';
import { alignedPast, reportingActivities, seedCatalog, storeEvents } from './support';

const MIN = 60_000;
let db: TestDatabase;
let mail: MailCatcher;
let dir: string;
let port: number;
let cli: string;
let server: ChildProcess | undefined;

async function startServer(): Promise<void> {
  server = spawn(cli, devServerArgs({ port, namespace: 'default', dbFile: path.join(dir, 'temporal.db') }), {
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  await waitForPort(port, 'Temporal dev server', 60_000);
}

async function stopServer(): Promise<void> {
  const child = server;
  server = undefined;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Backfills one tick at `at` and waits until that group run has completed. */
async function tick(taskQueue: string, at: Date) {
  const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
  const client = new Client({ connection });
  const native = await NativeConnection.connect({ address: `127.0.0.1:${port}` });
  const activities = reportingActivities(db.pool, mail.smtpUrl);
  const worker = await Worker.create({
    connection: native,
    taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities,
  });
  // Report mails go out on the mail task queue (domain/reporting/mail-task-queue.ts).
  const mailWorker = await Worker.create({
    connection: native,
    taskQueue: mailTaskQueue(taskQueue),
    activities,
  });
  try {
    return await mailWorker.runUntil(() =>
      worker.runUntil(async () => {
        const handle = client.schedule.getHandle('report:acme');
        const before = (await handle.describe()).info.recentActions.length;
        await handle.backfill({
          start: at,
          end: new Date(at.getTime() + 1000),
          overlap: 'BUFFER_ALL' as never,
        });
        for (let i = 0; i < 400; i++) {
          const actions = (await handle.describe()).info.recentActions;
          if (actions.length > before)
            return client.workflow.getHandle(actions.at(-1)!.action.workflow.workflowId).result();
          await new Promise((r) => setTimeout(r, 250));
        }
        throw new Error('the backfilled tick did not start');
      }),
    );
  } finally {
    await native.close();
    await connection.close();
  }
}

beforeAll(async () => {
  db = await freshDatabase();
  mail = await startMailCatcher({ smtpPort: 0 });
  dir = mkdtempSync(path.join(tmpdir(), 'herald-temporal-'));
  port = await freePort();
  cli = await ensureTemporalCli();
  await seedCatalog(db.pool, {
    groups: [{ name: 'acme', networks: [{ network: '192.0.2.0/24' }], emails: { high: ['soc@acme.test'] } }],
  });
  await startServer();
}, 120_000);

afterAll(async () => {
  await stopServer();
  rmSync(dir, { recursive: true, force: true });
  await mail?.close();
  await db?.drop();
});

describe('a Temporal server restart', () => {
  it('keeps the schedule and its last result: the next tick continues at the cursor', async () => {
    const taskQueue = `restart-${Date.now()}`;
    const T1 = alignedPast(180);
    const [first] = await storeEvents(
      db.pool,
      [{ group: 'acme', severity: 'high', ip: '192.0.2.1' }],
      new Date(T1.getTime() - 5 * MIN),
    );
    const [second] = await storeEvents(
      db.pool,
      [{ group: 'acme', severity: 'high', ip: '192.0.2.2' }],
      new Date(T1.getTime() + 5 * MIN),
    );
    {
      const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
      const client = new Client({ connection });
      const options = scheduleOptions(
        {
          name: 'acme',
          enabled: true,
          intervalSeconds: 600,
          timing: {},
          mode: null,
          locale: null,
          timezone: null,
          redirect: false,
          emails: {},
        },
        taskQueue,
      );
      await client.schedule.create({ ...options, state: { paused: true } });
      await connection.close();
    }
    const run1 = (await tick(taskQueue, T1)) as { cursors: Record<string, string> };
    expect(run1.cursors.high).toBe(T1.toISOString());

    await stopServer();
    await startServer();
    await db.pool.query('DELETE FROM report_runs'); // only the server's memory is left

    const T2 = new Date(T1.getTime() + 30 * MIN);
    const run2 = (await tick(taskQueue, T2)) as {
      severities: Record<string, { window: { from: string; to: string } }>;
    };
    expect(run2.severities.high?.window).toEqual({ from: T1.toISOString(), to: T2.toISOString() });
    const { rows } = await db.pool.query<{ event_id: string; n: number }>(
      'SELECT event_id, count(*)::int AS n FROM report_events GROUP BY event_id ORDER BY event_id',
    );
    expect(rows).toEqual([first!, second!].sort().map((event_id) => ({ event_id, n: 1 })));
  }, 120_000);
});
