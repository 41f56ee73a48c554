// (worker part) and docs/mentat.md, "Late writers": the cursors continue across a worker restart (a new worker
// process state, the ledger as the only memory of ad-hoc runs), schedule runs carry them in their
// last result (backfill), windows are half-open so a boundary event is reported exactly once,
// and an event committed while a run is fetching is reported, never skipped.
import type { Client } from '@temporalio/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleOptions } from '../../../client/reporting/schedules';
import { ingestEvents } from '../../../db/events/ingest';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import type { reportGroup } from '../../../workflows/report-group';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { createTestWorker, randomTaskQueue, testClient } from '../../support/temporal';
import { alignedPast, ideaEvent, reportingActivities, runGroup, seedCatalog, storeEvents } from './support';

const MIN = 60_000;
let db: TestDatabase;
let mail: MailCatcher;
let client: Client;
let closeClient: () => Promise<void>;

beforeAll(async () => {
  db = await freshDatabase();
  mail = await startMailCatcher({ smtpPort: 0 });
  await seedCatalog(db.pool, {
    groups: [
      { name: 'acme', networks: [{ network: '192.0.2.0/24' }], emails: { high: ['soc@acme.test'] } },
      { name: 'beta', networks: [{ network: '198.51.100.0/24' }], emails: { high: ['soc@beta.test'] } },
    ],
  });
  ({ client, close: closeClient } = await testClient());
}, 60_000);

afterAll(async () => {
  await closeClient?.();
  await mail?.close();
  await db?.drop();
});

/** event id → labels of the reports that contain it */
async function reportedIn(): Promise<Map<string, string[]>> {
  const { rows } = await db.pool.query<{ event_id: string; label: string }>(
    `SELECT e.event_id, r.label FROM report_events e JOIN reports r ON r.id = e.report_id WHERE r.type = 'summary'`,
  );
  const map = new Map<string, string[]>();
  for (const r of rows) map.set(r.event_id, [...(map.get(r.event_id) ?? []), r.label]);
  return map;
}

async function withWorker<T>(taskQueue: string, fn: () => Promise<T>): Promise<T> {
  const worker = await createTestWorker({
    taskQueue,
    activities: reportingActivities(db.pool, mail.smtpUrl),
  });
  return worker.run(fn);
}

describe('durable cursors', () => {
  it('continue across a worker restart; a boundary event belongs to the later window only', async () => {
    const taskQueue = randomTaskQueue('restart');
    const T1 = alignedPast(120);
    const ev = { group: 'acme', severity: 'high' as const, ip: '192.0.2.1' };
    const [atStart] = await storeEvents(db.pool, [ev], new Date(T1.getTime() - 10 * MIN));
    const [atBoundary] = await storeEvents(db.pool, [{ ...ev, ip: '192.0.2.2' }], T1);
    const [inside] = await storeEvents(
      db.pool,
      [{ ...ev, ip: '192.0.2.3' }],
      new Date(T1.getTime() + 5 * MIN),
    );

    const first = await withWorker(taskQueue, () =>
      runGroup(client, taskQueue, { group: 'acme', timeHigh: T1.toISOString(), severities: ['high'] }),
    );
    // A new worker (nothing in memory) on the same queue picks up where the ledger says.
    const second = await withWorker(taskQueue, () =>
      runGroup(client, taskQueue, {
        group: 'acme',
        timeHigh: new Date(T1.getTime() + 10 * MIN).toISOString(),
        severities: ['high'],
      }),
    );
    expect(first.severities.high?.window).toEqual({
      from: new Date(T1.getTime() - 10 * MIN).toISOString(),
      to: T1.toISOString(),
    });
    expect(second.severities.high?.window).toEqual({
      from: T1.toISOString(),
      to: new Date(T1.getTime() + 10 * MIN).toISOString(),
    });
    const reported = await reportedIn();
    expect(reported.get(atStart!)).toEqual([first.severities.high!.reports[0]!.label]);
    expect(reported.get(atBoundary!)).toEqual([second.severities.high!.reports[0]!.label]);
    expect(reported.get(inside!)).toEqual([second.severities.high!.reports[0]!.label]);
  });

  it('reports an event whose transaction commits while the run is fetching', async () => {
    const taskQueue = randomTaskQueue('late-commit');
    const T2 = alignedPast(60);
    const writer = new pg.Client({ connectionString: db.url });
    await writer.connect();
    try {
      await writer.query('BEGIN');
      const event = ideaEvent(
        { group: 'acme', severity: 'high', ip: '192.0.2.77' },
        new Date(T2.getTime() - 2 * MIN),
      );
      async function* one() {
        yield { line: 1, value: event };
      }
      await ingestEvents(writer, one(), { storageTime: new Date(T2.getTime() - MIN) });
      const result = await withWorker(taskQueue, async () => {
        const run = runGroup(client, taskQueue, {
          group: 'acme',
          timeHigh: T2.toISOString(),
          severities: ['high'],
        });
        await new Promise((r) => setTimeout(r, 3000));
        await writer.query('COMMIT'); // committed after the run started fetching its window
        return run;
      });
      expect(result.severities.high).toMatchObject({ result: 'reported', counters: { new: 1, rep: 1 } });
      expect((await reportedIn()).get(event.ID as string)).toHaveLength(1);
    } finally {
      await writer.end();
    }
  });

  it('chains schedule runs through their last result (backfill): contiguous windows, each event once', async () => {
    const taskQueue = randomTaskQueue('backfill');
    const T3 = alignedPast(300);
    const ids = await Promise.all(
      [-5, 5, 15, 25].map(async (m, i) => {
        const [id] = await storeEvents(
          db.pool,
          [{ group: 'beta', severity: 'high', ip: `198.51.100.${i + 1}` }],
          new Date(T3.getTime() + m * MIN),
        );
        return id!;
      }),
    );
    const options = scheduleOptions(
      {
        name: 'beta',
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
    // Not `report:*`: `schedules sync` in another test file deletes report schedules of unknown groups.
    const handle = await client.schedule.create({
      ...options,
      scheduleId: `test-backfill:beta:${taskQueue}`,
      state: { paused: true },
    });
    try {
      await withWorker(taskQueue, async () => {
        await handle.backfill({
          start: T3,
          end: new Date(T3.getTime() + 30 * MIN),
          overlap: 'BUFFER_ALL' as never,
        });
        for (let i = 0; i < 240; i++) {
          const { rows } = await db.pool.query(
            "SELECT count(*)::int AS n FROM report_runs WHERE group_name = 'beta' AND severity = 'high'",
          );
          if (rows[0].n >= 4) break;
          await new Promise((r) => setTimeout(r, 250));
        }
        // let the last group run finish
        const d = await handle.describe();
        await Promise.all(
          d.info.recentActions.map((a) => client.workflow.getHandle(a.action.workflow.workflowId).result()),
        );
      });
      const { rows } = await db.pool.query<{ window_from: Date; window_to: Date }>(
        "SELECT window_from, window_to FROM report_runs WHERE group_name = 'beta' AND severity = 'high' ORDER BY window_to",
      );
      expect(rows.map((r) => [r.window_from.toISOString(), r.window_to.toISOString()])).toEqual(
        [0, 10, 20, 30].map((m) => [
          new Date(T3.getTime() + (m - 10) * MIN).toISOString(),
          new Date(T3.getTime() + m * MIN).toISOString(),
        ]),
      );
      const reported = await reportedIn();
      for (const id of ids) expect(reported.get(id)).toHaveLength(1);
      const last = await client.workflow
        .getHandle((await handle.describe()).info.recentActions.at(-1)!.action.workflow.workflowId)
        .result();
      expect((last as Awaited<ReturnType<typeof reportGroup>>).cursors.high).toBe(
        new Date(T3.getTime() + 30 * MIN).toISOString(),
      );
    } finally {
      await handle.delete();
    }
  }, 60_000);
});
