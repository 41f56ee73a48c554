// `herald cancel` on the real stack (Temporal dev server, PostgreSQL, SMTP catcher), the CLI run
// as a child process and its --json output checked:
//   during a fetch: the step, held at the window fence (docs/reporting.md) by an open writer,
//     observes the cancellation through its heartbeat; the group run and its severity run end
//     Cancelled and no outbox row lacks an outcome;
//   during the send step: the mail SMTP accepted stays accepted and the one waiting for a retry
//     (the catcher answers 451) is marked cancelled;
//   a re-run: cancelling it cancels its group run and that run's severity run;
//   an unknown or finished workflow id: one line, exit 1.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import {
  heraldGroupKey,
  heraldRunKindKey,
  progressQuery,
  severityWorkflowId,
} from '../../../workflows/report-messages';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { localActivityMarker } from '../../support/local-activity-marker';
import { randomTaskQueue, startTestWorker, testClient } from '../../support/temporal';
import { until } from '../../support/until';
import { cliEnv, herald } from '../reporting/cli';
import { alignedPast, reportingActivities, seedCatalog, storeEvents } from '../reporting/support';

const MIN = 60_000;
const suffix = randomUUID().slice(0, 6);
const fetchGroup = `cf-${suffix}`;
const sendGroup = `cs-${suffix}`;
const rerunGroup = `cr-${suffix}`;

let db: TestDatabase;
let mail: MailCatcher;
let home: string;
let client: Client;
let closeClient: () => Promise<void>;
let env: NodeJS.ProcessEnv;
const taskQueue = randomTaskQueue('cancel');
let stopWorker: () => Promise<void>;
// The send group's first RCPT is accepted; later ones get a transient 451 (retried with backoff).
let sendGroupRcpts = 0;

beforeAll(async () => {
  db = await freshDatabase();
  mail = await startMailCatcher({
    smtpPort: 0,
    rejectWith: (rcpt) =>
      rcpt.endsWith('@cs.test') && sendGroupRcpts++ > 0
        ? { code: 451, message: 'try again later' }
        : undefined,
  });
  home = mkdtempSync(path.join(tmpdir(), 'herald-cancel-'));
  ({ client, close: closeClient } = await testClient());
  env = cliEnv(db.url, taskQueue, home);
  await seedCatalog(db.pool, {
    groups: [
      { name: fetchGroup, networks: [{ network: '192.0.2.0/24' }], emails: { high: ['abuse@cf.test'] } },
      {
        name: sendGroup,
        networks: [{ network: '198.51.100.0/24' }],
        mode: 'extra',
        emails: { high: ['abuse@cs.test'] },
      },
      { name: rerunGroup, networks: [{ network: '203.0.113.0/24' }], emails: { high: ['abuse@cr.test'] } },
    ],
  });
  stopWorker = await startTestWorker({
    taskQueue,
    activities: reportingActivities(db.pool, mail.smtpUrl),
    // Heartbeats reach the server (and cancellations come back) within a second, not 80 % of
    // the one-minute heartbeat timeout: keeps the test short, the mechanism is the same.
    maxHeartbeatThrottleInterval: '1 second',
  });
}, 60_000);

afterAll(async () => {
  await stopWorker?.();
  await closeClient?.();
  await mail?.close();
  await db?.drop();
  rmSync(home, { recursive: true, force: true });
});

async function startGroupRun(group: string, T: Date): Promise<string> {
  const workflowId = `report:${group}:run:${T.toISOString()}:${suffix}`;
  await client.workflow.start('reportGroup', {
    taskQueue,
    workflowId,
    args: [{ group, timeHigh: T.toISOString(), severities: ['high'], runKind: 'adhoc' }],
    typedSearchAttributes: [
      { key: heraldGroupKey, value: group },
      { key: heraldRunKindKey, value: 'adhoc' },
    ],
  });
  return workflowId;
}

async function outboxOf(runId: string): Promise<{ status: string; attempts: number }[]> {
  const { rows } = await db.pool.query(
    `SELECT o.status, o.attempts FROM report_outbox o JOIN reports r ON r.id = o.report_id
      WHERE r.run_id = $1 ORDER BY o.id`,
    [runId],
  );
  return rows;
}

/** Event types, with the activity's type on scheduled activities and local activities' markers. */
async function historyTypes(workflowId: string): Promise<string[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).map((e) => {
    const name =
      e.activityTaskScheduledEventAttributes?.activityType?.name ?? localActivityMarker(e)?.activity_type;
    return `${proto.temporal.api.enums.v1.EventType[e.eventType ?? 0]}${name ? `:${name}` : ''}`;
  });
}

describe('herald cancel', () => {
  it('during a fetch: Cancelled, no outbox row without an outcome, no ledger row', async () => {
    const T = alignedPast(300);
    await storeEvents(
      db.pool,
      [{ group: fetchGroup, severity: 'high', ip: '192.0.2.7' }],
      new Date(T.getTime() - 5 * MIN),
    );
    const severityId = severityWorkflowId(fetchGroup, 'high', T.toISOString());
    // An open writer transaction holds the fetch at the window fence, heartbeating while it waits.
    const writer = await db.pool.connect();
    let groupId: string;
    let cancelled: Awaited<ReturnType<typeof herald>>;
    try {
      await writer.query('BEGIN');
      await writer.query("INSERT INTO event_ids (id, storage_time) VALUES ('held-open-cancel', now())");
      groupId = await startGroupRun(fetchGroup, T);
      await until('the fetch to heartbeat at the fence', async () => {
        const d = await client.workflow.getHandle(severityId).describe();
        const fetch = d.raw.pendingActivities?.find((a) => a.activityType?.name === 'prepareReports');
        return fetch?.lastHeartbeatTime ? true : undefined;
      });
      expect((await client.workflow.getHandle(groupId).query(progressQuery)).high?.stage).toBe('fetch');

      cancelled = await herald(['cancel', groupId, '--wait', '--json'], env);
    } finally {
      await writer.query('ROLLBACK');
      writer.release();
    }
    expect(cancelled.stderr).toBe('');
    expect(cancelled.code).toBe(0);
    expect(JSON.parse(cancelled.stdout)).toEqual({
      workflowId: groupId,
      waited: true,
      runs: [
        { workflowId: groupId, runId: expect.any(String), type: 'reportGroup', status: 'CANCELLED' },
        {
          workflowId: severityId,
          runId: expect.any(String),
          type: 'reportSeverity',
          status: 'CANCELLED',
          parent: groupId,
        },
      ],
      cleanup: { outbox: {} },
    });

    // The fetch stopped on the cancellation (it did not run to its end), then the cleanup ran.
    const events = await historyTypes(severityId);
    expect(events).toContain('EVENT_TYPE_ACTIVITY_TASK_CANCELED');
    expect(events).not.toContain('EVENT_TYPE_MARKER_RECORDED:finishReportRun');
    expect(events).toContain('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:cancelReportRun');
    expect(events.at(-1)).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED');
    // The group run's plan is a local activity too: its marker names it.
    expect(await historyTypes(groupId)).toContain('EVENT_TYPE_MARKER_RECORDED:loadReportGroupPlan');
    const pending = await db.pool.query(
      "SELECT count(*)::int AS n FROM report_outbox WHERE status = 'pending'",
    );
    expect(pending.rows[0].n).toBe(0);
    // Not reported: no ledger row, so the window's cursor stays and the next run covers it.
    const ledger = await db.pool.query('SELECT count(*)::int AS n FROM report_runs WHERE workflow_id = $1', [
      severityId,
    ]);
    expect(ledger.rows[0].n).toBe(0);
  }, 60_000);

  it('during the send step: the accepted mail stays, the retried one is cancelled', async () => {
    const T = alignedPast(300);
    await storeEvents(
      db.pool,
      [
        { group: sendGroup, severity: 'high', ip: '198.51.100.1' },
        { group: sendGroup, severity: 'high', ip: '198.51.100.2' },
      ],
      new Date(T.getTime() - 5 * MIN),
    );
    mail.clear();
    const severityId = severityWorkflowId(sendGroup, 'high', T.toISOString());
    const groupId = await startGroupRun(sendGroup, T);
    // One mail accepted, the other refused with 451 and waiting for its retry (5 s backoff).
    await until('one accepted and one retried mail', async () => {
      const rows = await outboxOf(severityId);
      const statuses = rows.map((r) => `${r.status}:${r.attempts > 0}`).sort();
      return statuses.join() === 'accepted:true,pending:true' ? true : undefined;
    });
    const cancelled = await herald(['cancel', severityId, '--wait', '--json'], env);
    expect(cancelled.stderr).toBe('');
    expect(cancelled.code).toBe(0);
    expect(JSON.parse(cancelled.stdout)).toEqual({
      workflowId: severityId,
      waited: true,
      runs: [
        { workflowId: severityId, runId: expect.any(String), type: 'reportSeverity', status: 'CANCELLED' },
      ],
      cleanup: { outbox: { accepted: 1, cancelled: 1 } },
    });
    expect((await outboxOf(severityId)).map((r) => r.status).sort()).toEqual(['accepted', 'cancelled']);
    expect(await mail.messages()).toHaveLength(1);
    // A severity run cancelled on its own is a failed severity of its group run, which completes.
    const result = await client.workflow.getHandle(groupId).result();
    expect(result.severities.high).toMatchObject({ result: 'failed', workflowId: severityId });
  }, 60_000);

  it('a re-run: cancelling it cancels its group run and that run’s severity run', async () => {
    const T = alignedPast(300);
    const writer = await db.pool.connect();
    const rerunId = `report:${rerunGroup}:rerun:${suffix}`;
    let cancelled: Awaited<ReturnType<typeof herald>>;
    try {
      await writer.query('BEGIN');
      await writer.query("INSERT INTO event_ids (id, storage_time) VALUES ('held-open-rerun', now())");
      await client.workflow.start('reportRerun', {
        taskQueue,
        workflowId: rerunId,
        args: [
          {
            group: rerunGroup,
            from: new Date(T.getTime() - 60 * MIN).toISOString(),
            to: T.toISOString(),
            windowSeconds: 1800,
            severities: ['high'],
            nonce: suffix,
          },
        ],
      });
      await until('the first window’s severity run to fetch', async () => {
        const d = await client.workflow.getHandle(rerunId).describe();
        const group = d.raw.pendingChildren?.[0]?.workflowId;
        if (!group) return undefined;
        const g = await client.workflow.getHandle(group).describe();
        return g.raw.pendingChildren?.length ? true : undefined;
      });
      cancelled = await herald(['cancel', rerunId, '--wait', '--json'], env);
    } finally {
      await writer.query('ROLLBACK');
      writer.release();
    }
    expect(cancelled.code).toBe(0);
    const out = JSON.parse(cancelled.stdout);
    expect(out.runs.map((r: { type: string; status: string }) => [r.type, r.status])).toEqual([
      ['reportRerun', 'CANCELLED'],
      ['reportGroup', 'CANCELLED'],
      ['reportSeverity', 'CANCELLED'],
    ]);
    expect(out.cleanup).toEqual({ outbox: {} });
  }, 60_000);

  it('an unknown or finished workflow id: one line, exit 1', async () => {
    const unknown = await herald(['cancel', `report:nope:${suffix}`, '--json'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toBe(`herald: no workflow with id report:nope:${suffix}\n`);

    // A run of its own that has completed (an empty window).
    const finished = await startGroupRun(rerunGroup, alignedPast(3600));
    await client.workflow.getHandle(finished).result();
    const again = await herald(['cancel', finished], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`herald: ${finished} is not running (completed); nothing to cancel\n`);
  });
});
