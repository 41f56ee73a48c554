// The run kinds against each other on the real stack (docs/run-kinds.md): a test-data run never
// hides a real event, a re-run reproduces a reported window without touching real thresholds, a
// future time_h is refused, a run cancelled while sending leaves every report deliverable, and a
// group's own timing drives its windows, thresholds and relapse window.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { severityWorkflowId } from '../../../workflows/report-messages';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { randomTaskQueue, startTestWorker, testClient } from '../../support/temporal';
import { until } from '../../support/until';
import { cliEnv, herald } from './cli';
import { alignedPast, reportingActivities, runGroup, seedCatalog, storeEvents } from './support';

const MIN = 60_000;
const high = ['high' as const];

let db: TestDatabase;
let mail: MailCatcher;
let client: Client;
let closeClient: () => Promise<void>;
let env: NodeJS.ProcessEnv;
let home: string;
let stopWorker: () => Promise<void>;
const taskQueue = randomTaskQueue('run-kinds');
// The cancel group's second recipient is refused with 451 while `refuse` holds.
let refuse = true;
let cancelRcpts = 0;

beforeAll(async () => {
  db = await freshDatabase();
  mail = await startMailCatcher({
    smtpPort: 0,
    rejectWith: (rcpt) =>
      refuse && rcpt.endsWith('@cancel.test') && cancelRcpts++ > 0
        ? { code: 451, message: 'try later' }
        : undefined,
  });
  home = mkdtempSync(path.join(tmpdir(), 'herald-run-kinds-'));
  env = cliEnv(db.url, taskQueue, home);
  await seedCatalog(db.pool, {
    groups: [
      { name: 'testdata', networks: [{ network: '192.0.2.0/26' }], emails: { high: ['soc@testdata.test'] } },
      { name: 'rerun', networks: [{ network: '192.0.2.64/26' }], emails: { high: ['soc@rerun.test'] } },
      { name: 'future', networks: [{ network: '192.0.2.128/26' }], emails: { high: ['soc@future.test'] } },
      {
        name: 'cancel',
        networks: [{ network: '198.51.100.0/24' }],
        mode: 'extra',
        emails: { high: ['soc@cancel.test'] },
      },
      {
        name: 'own',
        networks: [{ network: '203.0.113.0/24' }],
        emails: { high: ['soc@own.test'] },
        timing: { high: { per: 1200, thr: 3600, rel: 900 } },
      },
    ],
  });
  ({ client, close: closeClient } = await testClient());
  stopWorker = await startTestWorker({
    taskQueue,
    activities: reportingActivities(db.pool, mail.smtpUrl),
  });
}, 120_000);

afterAll(async () => {
  await stopWorker?.();
  await closeClient?.();
  await mail?.close();
  await db?.drop();
  rmSync(home, { recursive: true, force: true });
});

const count = async (sql: string, params: unknown[] = []) =>
  (await db.pool.query<{ n: number }>(sql, params)).rows[0]!.n;

describe('run kinds', () => {
  it('a test-data run, then the real run of the same window: the real event is reported once', async () => {
    const T = alignedPast(600);
    // The same key (class and IP) in a test event and a real one.
    await storeEvents(
      db.pool,
      [
        { group: 'testdata', severity: 'high', ip: '192.0.2.1', test: true },
        { group: 'testdata', severity: 'high', ip: '192.0.2.1' },
      ],
      new Date(T.getTime() - 5 * MIN),
    );
    const input = { group: 'testdata', timeHigh: T.toISOString(), severities: high };
    const testRun = await runGroup(client, taskQueue, { ...input, force: { testData: true } });
    expect(testRun.severities.high).toMatchObject({ result: 'reported', counters: { rep: 1 } });
    const real = await runGroup(client, taskQueue, input);
    expect(real.severities.high).toMatchObject({ result: 'reported', counters: { rep: 1, thrBlk: 0 } });
    // And again: the real run's own threshold now holds it (reported once).
    const again = await runGroup(client, taskQueue, {
      ...input,
      timeHigh: new Date(T.getTime() + 10 * MIN).toISOString(),
    });
    expect(again.severities.high?.counters.rep ?? 0).toBe(0);
    expect(
      await count(
        "SELECT count(*)::int AS n FROM reports WHERE group_name = 'testdata' AND NOT flag_testdata",
      ),
    ).toBe(1);
    const realms = await db.pool.query(
      "SELECT realm FROM report_thresholds WHERE group_name = 'testdata' ORDER BY 1",
    );
    expect(realms.rows).toEqual([{ realm: 'real' }, { realm: 'test' }]);
  });

  it('a re-run of a reported window in mail test mode: the same reports to the test address only', async () => {
    // (a re-run through the CLI: its group runs and their severity runs, one window)
    const T = alignedPast(900);
    await storeEvents(
      db.pool,
      [{ group: 'rerun', severity: 'high', ip: '192.0.2.70' }],
      new Date(T.getTime() - 5 * MIN),
    );
    const real = await runGroup(client, taskQueue, {
      group: 'rerun',
      timeHigh: T.toISOString(),
      severities: high,
    });
    expect(real.severities.high).toMatchObject({ result: 'reported', counters: { rep: 1 } });
    const armed = await db.pool.query(
      "SELECT * FROM report_thresholds WHERE group_name = 'rerun' ORDER BY key",
    );
    mail.clear();

    const from = new Date(T.getTime() - 10 * MIN).toISOString();
    const rerun = await herald(
      [
        'rerun',
        '--group',
        'rerun',
        '--from',
        from,
        '--to',
        T.toISOString(),
        '--severity',
        'high',
        '--mail-test-mode',
        '--mail-to',
        'me@operator.test',
        '--yes',
        '--wait',
        '--json',
      ],
      env,
    );
    expect(rerun, rerun.stdout + rerun.stderr).toMatchObject({ code: 0 });
    const reports = await db.pool.query(
      `SELECT r.run_id, r.mail_to, e.ip FROM reports r JOIN report_events e ON e.report_id = r.id
        WHERE r.group_name = 'rerun' ORDER BY r.id`,
    );
    expect(reports.rows).toHaveLength(2);
    expect(reports.rows[1]).toMatchObject({ ip: '192.0.2.70', mail_to: ['me@operator.test'] });
    expect(reports.rows[1].run_id).toMatch(/:rerun:/);
    const received = await mail.messages();
    expect(received.map((m) => m.envelopeTo)).toEqual([['me@operator.test']]);
    // Real thresholds untouched, and none of the re-run's left.
    expect(
      (await db.pool.query("SELECT * FROM report_thresholds WHERE group_name = 'rerun' ORDER BY key")).rows,
    ).toEqual(armed.rows);
    expect(await count("SELECT count(*)::int AS n FROM report_thresholds WHERE realm LIKE 'rerun:%'")).toBe(
      0,
    );
    // A later real run: the real key still holds the old IP, a new IP is reported.
    await storeEvents(
      db.pool,
      [
        { group: 'rerun', severity: 'high', ip: '192.0.2.70' },
        { group: 'rerun', severity: 'high', ip: '192.0.2.71' },
      ],
      new Date(T.getTime() + 5 * MIN),
    );
    const later = await runGroup(client, taskQueue, {
      group: 'rerun',
      timeHigh: new Date(T.getTime() + 10 * MIN).toISOString(),
      severities: high,
    });
    expect(later.severities.high).toMatchObject({ result: 'reported', counters: { rep: 1, thrBlk: 1 } });
  }, 120_000);

  it('a future --time-high: exit 2, nothing started, cursors unchanged', async () => {
    const before = await count("SELECT count(*)::int AS n FROM report_runs WHERE group_name = 'future'");
    const run = await herald(
      ['run', '--group', 'future', '--time-high', '2099-01-01T00:00:00Z', '--wait'],
      env,
    );
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^herald: --time-high: 2099-01-01T00:00:00.000Z is in the future \(now .*\); a window must end by now\n$/,
    );
    expect(await count("SELECT count(*)::int AS n FROM report_runs WHERE group_name = 'future'")).toBe(
      before,
    );
    const started = [];
    for await (const w of client.workflow.list({ query: `WorkflowId STARTS_WITH "report:future:"` }))
      started.push(w);
    expect(started).toEqual([]);
    // A client that skips the CLI's check is refused by the group run itself.
    const direct = await runGroup(client, taskQueue, {
      group: 'future',
      timeHigh: '2099-01-01T00:00:00.000Z',
    });
    expect(direct).toMatchObject({ skipped: 'time-high-in-future', cursors: {}, severities: {} });
    expect(await count("SELECT count(*)::int AS n FROM report_runs WHERE group_name = 'future'")).toBe(
      before,
    );
  });

  it('cancelled while sending: mail retry delivers the rest, the next run does not lose or repeat them', async () => {
    const T = alignedPast(1200);
    await storeEvents(
      db.pool,
      [
        { group: 'cancel', severity: 'high', ip: '198.51.100.1' },
        { group: 'cancel', severity: 'high', ip: '198.51.100.2' },
      ],
      new Date(T.getTime() - 5 * MIN),
    );
    const severityId = severityWorkflowId('cancel', 'high', T.toISOString());
    const group = client.workflow.start('reportGroup', {
      taskQueue,
      workflowId: `report:cancel:run:${T.toISOString()}`,
      args: [{ group: 'cancel', timeHigh: T.toISOString(), severities: high, runKind: 'adhoc' }],
    });
    await until('one mail accepted, one waiting for its retry', async () => {
      const { rows } = await db.pool.query(
        `SELECT o.status, o.attempts FROM report_outbox o JOIN reports r ON r.id = o.report_id WHERE r.run_id = $1`,
        [severityId],
      );
      return rows
        .map((r) => `${r.status}:${r.attempts > 0}`)
        .sort()
        .join() === 'accepted:true,pending:true'
        ? true
        : undefined;
    });
    const cancelled = await herald(['cancel', severityId, '--wait', '--json'], env);
    expect(cancelled.code).toBe(0);
    expect(JSON.parse(cancelled.stdout).cleanup).toEqual({ outbox: { accepted: 1, cancelled: 1 } });
    await (await group).result();
    // The window counts as reported: its ledger row is there, so the cursor moves past it.
    expect(
      await count('SELECT count(*)::int AS n FROM report_runs WHERE workflow_id = $1', [severityId]),
    ).toBe(1);

    refuse = false;
    const retry = await herald(['mail', 'retry', '--failed', '--group', 'cancel', '--json'], {
      ...env,
      HERALD_SMTP_URL: mail.smtpUrl,
    });
    expect(retry, retry.stdout + retry.stderr).toMatchObject({ code: 0 });
    const outbox = await db.pool.query(
      `SELECT o.status FROM report_outbox o JOIN reports r ON r.id = o.report_id WHERE r.group_name = 'cancel'`,
    );
    expect(outbox.rows.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    const to = (await mail.messages()).filter((m) => m.envelopeTo.includes('soc@cancel.test'));
    expect(new Set(to.map((m) => m.messageId)).size).toBe(2);

    const next = await runGroup(client, taskQueue, {
      group: 'cancel',
      timeHigh: new Date(T.getTime() + 10 * MIN).toISOString(),
      severities: high,
    });
    expect(next.severities.high).toMatchObject({
      window: { from: T.toISOString() },
      result: 'skipped-no-events',
    });
  }, 120_000);

  it("a group's own timing: its period, suppression and relapse window", async () => {
    const T = alignedPast(1500);
    await storeEvents(
      db.pool,
      [{ group: 'own', severity: 'high', ip: '203.0.113.5' }],
      new Date(T.getTime() - 5 * MIN),
    );
    const first = await runGroup(client, taskQueue, {
      group: 'own',
      timeHigh: T.toISOString(),
      severities: high,
    });
    expect(first.severities.high).toMatchObject({
      result: 'reported',
      window: { from: new Date(T.getTime() - 20 * MIN).toISOString(), to: T.toISOString() },
    });
    const { rows } = await db.pool.query(
      `SELECT threshold_time, relapse_time, ttl_time FROM report_thresholds WHERE group_name = 'own'`,
    );
    expect(rows).toEqual([
      {
        threshold_time: T,
        relapse_time: new Date(T.getTime() + (3600 - 900) * 1000),
        ttl_time: new Date(T.getTime() + 3600 * 1000),
      },
    ]);
    // Ten minutes later the global high period (10 min) would be due; the group's own (20) is not.
    const soon = await runGroup(client, taskQueue, {
      group: 'own',
      timeHigh: new Date(T.getTime() + 10 * MIN).toISOString(),
      severities: high,
    });
    expect(soon.severities.high?.result).toBe('skipped-too-soon');
    const exported = await herald(['catalog', 'export'], env);
    expect(exported.stdout).toMatch(/timing:\n\s+high:\n\s+per: 20mins\n\s+thr: 1hr\n\s+rel: 15mins/);
  });
});
