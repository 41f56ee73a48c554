// A schedule trigger and `herald run` for the same group and window at once produce one set of
// reports; a deleted and recreated schedule recovers the cursor from the report_runs ledger, so
// the window is not reported again. Also the CLI's `run --wait --json` shape and the schedules
// commands. Each test syncs the schedules it needs itself.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { progressQuery, type ReportGroupResult } from '../../../workflows/report-messages';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { createTestWorker, randomTaskQueue, testClient } from '../../support/temporal';
import { cliEnv, herald } from './cli';
import { awayFromBoundary, reportingActivities, seedCatalog, storeEvents } from './support';

let db: TestDatabase;
let mail: MailCatcher;
let client: Client;
let closeClient: () => Promise<void>;
let worker: Awaited<ReturnType<typeof createTestWorker>>;
let workerDone: Promise<unknown>;
let env: NodeJS.ProcessEnv;
const taskQueue = randomTaskQueue('schedules');

async function scheduleRuns(id: string, count: number): Promise<ReportGroupResult[]> {
  const handle = client.schedule.getHandle(id);
  for (let i = 0; i < 200; i++) {
    const d = await handle.describe();
    if (d.info.recentActions.length >= count)
      return Promise.all(
        d.info.recentActions.map((a) => client.workflow.getHandle(a.action.workflow.workflowId).result()),
      );
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`schedule ${id} did not run ${count} times`);
}

beforeAll(async () => {
  db = await freshDatabase();
  mail = await startMailCatcher({ smtpPort: 0 });
  env = cliEnv(db.url, taskQueue, mkdtempSync(path.join(tmpdir(), 'herald-cli-')));
  await seedCatalog(db.pool, {
    groups: [{ name: 'acme', networks: [{ network: '192.0.2.0/24' }], emails: { high: ['soc@acme.test'] } }],
  });
  ({ client, close: closeClient } = await testClient());
  worker = await createTestWorker({ taskQueue, activities: reportingActivities(db.pool, mail.smtpUrl) });
  workerDone = worker.run(() => new Promise<void>((resolve) => afterAllResolvers.push(resolve)));
}, 60_000);

const afterAllResolvers: (() => void)[] = [];
afterAll(async () => {
  for (const resolve of afterAllResolvers) resolve();
  await workerDone;
  for (const id of ['report:acme', 'report:beta'])
    await client.schedule
      .getHandle(id)
      .delete()
      .catch(() => {});
  await closeClient?.();
  await mail?.close();
  await db?.drop();
});

describe('schedules and ad-hoc runs', () => {
  it('creates one schedule per enabled group', async () => {
    await herald(['schedules', 'delete', 'acme'], env);
    const sync = await herald(['schedules', 'sync', '--json'], env);
    expect(sync.stderr).toBe('');
    expect(JSON.parse(sync.stdout).changes).toContainEqual({
      group: 'acme',
      action: 'created',
      interval: 600,
    });
    const list = JSON.parse((await herald(['schedules', 'list', '--json'], env)).stdout);
    expect(list.schedules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          group: 'acme',
          scheduleId: 'report:acme',
          paused: false,
          intervalSeconds: 600,
        }),
      ]),
    );
    const again = JSON.parse((await herald(['schedules', 'sync', '--json'], env)).stdout);
    expect(again.changes).toContainEqual({ group: 'acme', action: 'unchanged', interval: 600 });
    expect(again.changes.every((c: { action: string }) => c.action === 'unchanged')).toBe(true);
  }, 120_000); // four CLI processes, each seconds to start on a loaded machine

  it('reports a window once when a schedule trigger and `herald run` start together', async () => {
    expect((await herald(['schedules', 'sync'], env)).code).toBe(0);
    await awayFromBoundary(600, 30_000);
    const timeHigh = new Date(Math.floor(Date.now() / 600_000) * 600_000);
    await storeEvents(
      db.pool,
      [{ group: 'acme', severity: 'high', ip: '192.0.2.10' }],
      new Date(timeHigh.getTime() - 60_000),
    );
    // An open writer transaction holds the first severity run at its window fence, so both
    // group runs are certainly in flight together, whichever CLI process starts faster.
    const writer = await db.pool.connect();
    await writer.query('BEGIN');
    await writer.query("INSERT INTO event_ids (id, storage_time) VALUES ('held-open', now())");
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      await writer.query('ROLLBACK');
      writer.release();
    };
    const both = Promise.all([
      herald(['run', '--group', 'acme', '--severity', 'high', '--wait', '--json'], env),
      herald(['schedules', 'trigger', 'acme'], env),
    ]);
    try {
      for (let i = 0; i < 400; i++) {
        const inFlight: string[] = [];
        for await (const w of client.workflow.list({
          query: `TaskQueue = "${taskQueue}" AND WorkflowType = "reportGroup" AND ExecutionStatus = "Running"`,
        })) {
          const stage = (await client.workflow.getHandle(w.workflowId).query(progressQuery)).high?.stage;
          if (stage === 'running' || stage === 'fetch') inFlight.push(w.workflowId);
        }
        if (inFlight.length >= 2) break;
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      await release();
    }
    const [run, trigger] = await both;
    expect(run.stderr).toBe('');
    expect(trigger.code).toBe(0);
    const [scheduled] = await scheduleRuns('report:acme', 1);
    const out = JSON.parse(run.stdout);
    const { rows } = await db.pool.query("SELECT label, mail_to FROM reports WHERE group_name = 'acme'");
    expect(rows).toHaveLength(1);
    expect(out).toEqual({
      runs: [
        {
          group: 'acme',
          workflowId: expect.stringMatching(/^report:acme:run:/),
          timeHigh: timeHigh.toISOString(),
          severities: {
            high: {
              result: 'reported',
              window: {
                from: new Date(timeHigh.getTime() - 600_000).toISOString(),
                to: timeHigh.toISOString(),
              },
              counters: {
                new: 1,
                flt: 1,
                fltBlk: 0,
                det: 1,
                detBlk: 0,
                thr: 1,
                thrBlk: 0,
                rlp: 0,
                all: 1,
                rep: 1,
              },
              reports: [{ label: rows[0].label, type: 'summary', ip: null, to: ['soc@acme.test'], cc: [] }],
            },
          },
        },
      ],
    });
    expect(scheduled!.severities.high).toMatchObject({
      result: 'reported',
      reports: [{ label: rows[0].label }],
    });
    expect((await mail.messages()).filter((m) => m.to.includes('soc@acme.test'))).toHaveLength(1);
    // Up to 30 s away from the boundary first, then two CLI processes and both runs.
  }, 120_000);

  it('recovers the cursor from the ledger after the schedule is deleted and recreated', async () => {
    // A group of its own, added now: no schedule of an earlier test can have run it.
    await seedCatalog(db.pool, {
      groups: [
        { name: 'beta', networks: [{ network: '198.51.100.0/24' }], emails: { high: ['soc@beta.test'] } },
      ],
    });
    // beta's last real window ends one interval before the current slot: a triggered run (in this
    // slot or, past a boundary, the next) starts exactly there, whichever slot it lands in.
    await awayFromBoundary(600, 30_000);
    const cursor = new Date(Math.floor(Date.now() / 600_000) * 600_000 - 600_000);
    await storeEvents(
      db.pool,
      [{ group: 'beta', severity: 'high', ip: '198.51.100.10' }],
      new Date(cursor.getTime() - 60_000),
    );
    const first = await herald(
      ['run', '--group', 'beta', '--time-high', cursor.toISOString(), '--wait', '--json'],
      env,
    );
    expect(first.stderr).toBe('');
    expect(JSON.parse(first.stdout).runs[0].severities.high.result).toBe('reported');

    expect((await herald(['schedules', 'sync'], env)).code).toBe(0);
    expect((await herald(['schedules', 'delete', 'beta'], env)).code).toBe(0);
    expect(JSON.parse((await herald(['schedules', 'sync', '--json'], env)).stdout).changes).toContainEqual({
      group: 'beta',
      action: 'created',
      interval: 600,
    });
    expect((await herald(['schedules', 'trigger', 'beta'], env)).code).toBe(0);
    const [fresh] = await scheduleRuns('report:beta', 1);
    // The recreated schedule has no last result: every cursor comes from the ledger.
    expect(fresh!.severities.high).toMatchObject({
      result: 'skipped-no-events',
      window: { from: cursor.toISOString(), to: fresh!.timeHigh },
    });
    expect(Object.keys(fresh!.cursors).sort()).toEqual(['critical', 'high', 'info', 'low', 'medium']);
    expect(fresh!.cursors.high).toBe(fresh!.timeHigh);
    const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM reports WHERE group_name = 'beta'");
    expect(rows[0].n).toBe(1);
    // Four CLI processes and runs: 50 s on the production-configured server under load.
  }, 120_000);

  it('refuses bad options with one line and exit code 2', async () => {
    const bad = await herald(['run', '--severity', 'urgent'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(
      'herald: --severity: expected one of info, low, medium, high, critical, got "urgent"',
    );
    const unknown = await herald(['schedules', 'pause', 'nobody'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe('herald: no schedule for group "nobody" (run: herald schedules sync)');
  });
});
