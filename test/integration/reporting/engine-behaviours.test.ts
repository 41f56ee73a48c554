// The engine's guarantees one by one, on the real stack (docs/mentat.md): threshold scope per
// group, test-data runs report only Test events, mail test mode replaces To and clears Cc/Bcc,
// the `force` signal and `progress` query, idempotent render and send, and a
// permanent SMTP failure recorded without failing the run.
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIngestCatalog } from '../../../db/events/ingest';
import { createAbuseResolver } from '../../../domain/idea/abuse';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { forceSignal, progressQuery, type ReportGroupResult } from '../../../workflows/report-messages';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { createTestWorker, randomTaskQueue, testClient } from '../../support/temporal';
import { alignedPast, reportingActivities, runGroup, seedCatalog, storeEvents } from './support';

let db: TestDatabase;
let mail: MailCatcher;
let client: Client;
let closeClient: () => Promise<void>;
let refuse = false;
let activities: ReturnType<typeof reportingActivities>;
let stop: () => void;
let workerDone: Promise<unknown>;
const taskQueue = randomTaskQueue('engine');
const MIN = 60_000;

beforeAll(async () => {
  db = await freshDatabase();
  mail = await startMailCatcher({
    smtpPort: 0,
    rejectWith: () => (refuse ? { code: 550, message: 'no such mailbox' } : undefined),
  });
  await seedCatalog(db.pool, {
    groups: [
      {
        name: 'parent',
        networks: [{ network: '10.0.0.0/16' }],
        emails: { high: ['soc@parent.test'], low: ['noc@parent.test'] },
      },
      { name: 'child', networks: [{ network: '10.0.1.0/24' }], emails: { high: ['soc@child.test'] } },
      { name: 'solo', networks: [{ network: '203.0.113.0/24' }], emails: { high: ['soc@solo.test'] } },
      { name: 'victim', networks: [{ network: '198.51.100.0/24' }], emails: { high: ['soc@victim.test'] } },
    ],
    // Mentat's high timing, with the target pass suppressing as long as the source pass (the
    // default thr_target is 0), so the target key stays in report_thresholds.
    timings: { high: { per: 600, thr: 86400, rel: 43200 } },
  });
  ({ client, close: closeClient } = await testClient());
  activities = reportingActivities(db.pool, mail.smtpUrl);
  const worker = await createTestWorker({ taskQueue, activities });
  workerDone = worker.run(() => new Promise<void>((resolve) => (stop = resolve)));
}, 60_000);

afterAll(async () => {
  stop?.();
  await workerDone;
  await closeClient?.();
  await mail?.close();
  await db?.drop();
});

const high = ['high' as const];

describe('reporting engine behaviours', () => {
  it("keeps thresholds per group: the child's report does not suppress the parent's", async () => {
    const T = alignedPast(400);
    // The same class and IP, once resolved to the child, once to the parent (chain child > parent):
    // the second was stored as if the child's network had not been in the catalog yet.
    await storeEvents(
      db.pool,
      [{ group: 'child', severity: 'high', ip: '10.0.1.5' }],
      new Date(T.getTime() - 5 * MIN),
    );
    const withoutChild = {
      ...(await loadIngestCatalog(db.pool)),
      abuses: createAbuseResolver([{ group: 'parent', network: '10.0.0.0/16', isBase: false }]),
    };
    await storeEvents(
      db.pool,
      [{ group: 'parent', severity: 'high', ip: '10.0.1.5' }],
      new Date(T.getTime() + 5 * MIN),
      withoutChild,
    );
    const child = await runGroup(client, taskQueue, {
      group: 'child',
      timeHigh: T.toISOString(),
      severities: high,
    });
    expect(child.severities.high?.result).toBe('reported');
    const parent = await runGroup(client, taskQueue, {
      group: 'parent',
      timeHigh: new Date(T.getTime() + 10 * MIN).toISOString(),
      severities: high,
    });
    expect(parent.severities.high).toMatchObject({ result: 'reported', counters: { thrBlk: 0, rep: 1 } });
  });

  it('reports only Test events in a test-data run, and none in a real one', async () => {
    const T = alignedPast(300);
    await storeEvents(
      db.pool,
      [
        { group: 'solo', severity: 'high', ip: '203.0.113.1', category: 'Test' },
        { group: 'solo', severity: 'high', ip: '203.0.113.2' },
      ],
      new Date(T.getTime() - 5 * MIN),
    );
    const testRun = await runGroup(client, taskQueue, {
      group: 'solo',
      timeHigh: T.toISOString(),
      severities: high,
      force: { testData: true },
    });
    expect(testRun.severities.high).toMatchObject({ result: 'reported', counters: { new: 1, rep: 1 } });
    expect(testRun.severities.high?.workflowId).toMatch(/:test-data$/);
    expect(testRun.cursors).toEqual({}); // a test-data run moves no real cursor
    const real = await runGroup(client, taskQueue, {
      group: 'solo',
      timeHigh: T.toISOString(),
      severities: high,
    });
    expect(real.severities.high).toMatchObject({ result: 'reported', counters: { new: 1, rep: 1 } });
    const { rows } = await db.pool.query(
      `SELECT r.flag_testdata, e.ip FROM reports r JOIN report_events e ON e.report_id = r.id WHERE r.group_name = 'solo' ORDER BY e.ip`,
    );
    expect(rows).toEqual([
      { flag_testdata: true, ip: '203.0.113.1' },
      { flag_testdata: false, ip: '203.0.113.2' },
    ]);
  });

  it('sends to the test address only, without Cc or Bcc, in mail test mode', async () => {
    const T = alignedPast(200);
    await storeEvents(
      db.pool,
      [{ group: 'child', severity: 'high', ip: '10.0.1.9' }],
      new Date(T.getTime() - 5 * MIN),
    );
    mail.clear();
    const run = await runGroup(client, taskQueue, {
      group: 'child',
      timeHigh: T.toISOString(),
      severities: high,
      force: { mailTestMode: true, mailTo: ['tester@csirt.test'] },
    });
    expect(run.severities.high?.reports).toEqual([
      expect.objectContaining({ to: ['tester@csirt.test'], cc: [] }),
    ]);
    const messages = await mail.messages();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      envelopeTo: ['tester@csirt.test'],
      to: ['tester@csirt.test'],
      cc: [],
    });
  });

  it('applies the force signal to severities not started yet and answers the progress query', async () => {
    const T = alignedPast(100);
    await storeEvents(
      db.pool,
      [{ group: 'solo', severity: 'high', ip: '203.0.113.3' }],
      new Date(T.getTime() - 5 * MIN),
    );
    mail.clear();
    const handle = await client.workflow.signalWithStart('reportGroup', {
      taskQueue,
      workflowId: `report:solo:force:${T.toISOString()}`,
      args: [{ group: 'solo', timeHigh: T.toISOString(), severities: high }],
      signal: forceSignal,
      signalArgs: [{ mode: 'none' }],
    });
    const result = (await handle.result()) as ReportGroupResult;
    expect(result.severities.high).toMatchObject({
      result: 'reported',
      reports: [{ type: 'summary', to: [], cc: [] }],
    });
    expect(await mail.messages()).toHaveLength(0); // mode none: stored, not mailed
    expect(await handle.query(progressQuery)).toMatchObject({ high: { stage: 'done', result: 'reported' } });
  });

  it("shows the live stage of a running severity in the group run's progress", async () => {
    const T = alignedPast(90);
    // An open writer transaction holds the fetch at the window fence (docs/mentat.md, "Late writers") while we look.
    const writer = await db.pool.connect();
    try {
      await writer.query('BEGIN');
      await writer.query("INSERT INTO event_ids (id, storage_time) VALUES ('held-open', now())");
      const handle = await client.workflow.start('reportGroup', {
        taskQueue,
        workflowId: `report:solo:progress:${T.toISOString()}`,
        args: [{ group: 'solo', timeHigh: T.toISOString(), severities: high }],
      });
      let seen: unknown;
      for (let i = 0; i < 200; i++) {
        seen = (await handle.query(progressQuery)).high;
        if ((seen as { stage?: string })?.stage === 'fetch') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(seen).toMatchObject({ stage: 'fetch', window: { to: T.toISOString() } });
      await writer.query('ROLLBACK');
      await handle.result();
      expect((await handle.query(progressQuery)).high).toMatchObject({ stage: 'done' });
    } finally {
      writer.release();
    }
  });

  it('renders and sends idempotently: a repeated step changes nothing', async () => {
    const { rows } = await db.pool.query(
      `SELECT r.run_id, r.window_from, r.window_to, o.id AS outbox_id FROM reports r JOIN report_outbox o ON o.report_id = r.id
        WHERE r.group_name = 'child' ORDER BY r.id LIMIT 1`,
    );
    const row = rows[0];
    const before = await db.pool.query('SELECT count(*)::int AS n FROM report_outbox');
    // The run's one step (fetch to render) again, as a stuck attempt waking up after the run
    // ended would: it finds the run's outcome and returns the same reports.
    const again = await activities.prepareReports({
      runId: row.run_id,
      group: 'child',
      severity: 'high',
      window: { from: row.window_from.toISOString(), to: row.window_to.toISOString() },
      testData: false,
      realm: 'real',
      force: {},
      mail: {},
      runKind: 'adhoc',
    });
    const labels = await db.pool.query('SELECT label FROM reports WHERE run_id = $1 ORDER BY id', [
      row.run_id,
    ]);
    expect(again.reports.map((r) => r.label)).toEqual(labels.rows.map((r) => r.label));
    expect((await db.pool.query('SELECT count(*)::int AS n FROM report_outbox')).rows[0].n).toBe(
      before.rows[0].n,
    );
    mail.clear();
    expect(await activities.sendReportMail({ outboxId: Number(row.outbox_id) })).toMatchObject({
      status: 'already-accepted',
    });
    expect(await mail.messages()).toHaveLength(0);
  });

  it('reports attacks against a group from the target pass (target IP, class and severity)', async () => {
    const T = alignedPast(500);
    await storeEvents(
      db.pool,
      [
        {
          group: 'outsiders',
          severity: 'low',
          ip: '198.18.0.1',
          target: { ip: '198.51.100.50', group: 'victim', severity: 'high', cls: 'ddos-victim' },
        },
      ],
      new Date(T.getTime() - 5 * MIN),
    );
    const run = await runGroup(client, taskQueue, {
      group: 'victim',
      timeHigh: T.toISOString(),
      severities: high,
    });
    expect(run.severities.high).toMatchObject({
      result: 'reported',
      counters: { new: 1, rep: 1 },
      reports: [{ type: 'target', ip: null, to: ['soc@victim.test'], cc: [] }],
    });
    const { rows } = await db.pool.query(
      "SELECT key FROM report_thresholds WHERE group_name = 'victim' AND pass = 'target'",
    );
    expect(rows).toEqual([{ key: 'ddos-victim+++198.51.100.50' }]);
  });

  it('records a 550 on the outbox row and still completes the run', async () => {
    const T = alignedPast(50);
    await storeEvents(
      db.pool,
      [{ group: 'solo', severity: 'high', ip: '203.0.113.4' }],
      new Date(T.getTime() - 5 * MIN),
    );
    refuse = true;
    try {
      const run = await runGroup(client, taskQueue, {
        group: 'solo',
        timeHigh: T.toISOString(),
        severities: high,
      });
      expect(run.severities.high).toMatchObject({ result: 'reported', mail: { accepted: 0, failed: 1 } });
      expect(run.cursors.high).toBe(T.toISOString());
    } finally {
      refuse = false;
    }
    const { rows } = await db.pool.query(
      "SELECT status, attempts, smtp_response FROM report_outbox WHERE status = 'failed'",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].attempts).toBe(1);
    expect(rows[0].smtp_response).toMatch(/550/);
  });
});
