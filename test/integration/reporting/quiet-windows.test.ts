// A due window with nothing to do (no event in either pass, no expired threshold, no
// orphaned thresholded record) gets its skipped-no-events ledger row from the group run itself,
// without a severity child; a window with an expired threshold still gets its child (relapse and
// cleanup work there), as does every window with events.
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { type ReportGroupResult, severityWorkflowId } from '../../../workflows/report-messages';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { createTestWorker, randomTaskQueue, testClient } from '../../support/temporal';
import { alignedPast, reportingActivities, runGroup, seedCatalog, storeEvents } from './support';

const MIN = 60_000;
const T = alignedPast(120);
const to = T.toISOString();
let db: TestDatabase;
let mail: MailCatcher;
let calm: ReportGroupResult;
let armed: ReportGroupResult;
const existing: Record<string, boolean> = {};

beforeAll(async () => {
  db = await freshDatabase();
  mail = await startMailCatcher({ smtpPort: 0 });
  await seedCatalog(db.pool, {
    groups: [
      { name: 'calm', networks: [{ network: '192.0.2.0/24' }], emails: { high: ['soc@calm.test'] } },
      { name: 'armed', networks: [{ network: '198.51.100.0/24' }], emails: { medium: ['soc@armed.test'] } },
    ],
  });
  await storeEvents(
    db.pool,
    [{ group: 'calm', severity: 'high', ip: '192.0.2.7' }],
    new Date(T.getTime() - 5 * MIN),
  );
  // No event for `armed`, but a threshold that expired by T with a relapse window: its severity
  // run has a relapse to evaluate and a threshold to delete.
  await db.pool.query(
    `INSERT INTO report_thresholds (group_name, severity, pass, key, threshold_time, relapse_time, ttl_time)
     VALUES ('armed', 'medium', 'source', 'recon-scanning+++198.51.100.9', $1, $2, $3)`,
    [new Date(T.getTime() - 3 * 60 * MIN), new Date(T.getTime() - 2 * 60 * MIN), new Date(T.getTime() - MIN)],
  );

  const taskQueue = randomTaskQueue('quiet');
  const worker = await createTestWorker({
    taskQueue,
    activities: reportingActivities(db.pool, mail.smtpUrl),
  });
  const { client, close } = await testClient();
  try {
    await worker.run(async () => {
      calm = await runGroup(client, taskQueue, { group: 'calm', timeHigh: to });
      armed = await runGroup(client, taskQueue, { group: 'armed', timeHigh: to, severities: ['medium'] });
      for (const severity of ['info', 'low', 'medium', 'high', 'critical'] as const) {
        const id = severityWorkflowId('calm', severity, to);
        existing[severity] = await client.workflow
          .getHandle(id)
          .describe()
          .then(
            () => true,
            (error) => {
              if (error instanceof WorkflowNotFoundError) return false;
              throw error;
            },
          );
      }
    });
  } finally {
    await close();
  }
}, 120_000);

afterAll(async () => {
  await mail?.close();
  await db?.drop();
});

describe('quiet severity windows', () => {
  it('start a child only for the severity with events; the others are settled by the group run', async () => {
    expect(calm.severities.high).toMatchObject({
      result: 'reported',
      workflowId: severityWorkflowId('calm', 'high', to),
    });
    for (const severity of ['info', 'low', 'medium', 'critical'] as const) {
      expect(calm.severities[severity]).toMatchObject({
        result: 'skipped-no-events',
        window: { to },
        counters: { new: 0, all: 0, rep: 0 },
        reportCount: 0,
      });
      expect(calm.severities[severity]?.workflowId).toBeUndefined();
    }
    expect(existing).toEqual({ info: false, low: false, medium: false, high: true, critical: false });
    // Every cursor moves, quiet or not.
    expect(Object.values(calm.cursors)).toEqual([to, to, to, to, to]);
  });

  it('writes the ledger row a child would have written, under the id the child would have had', async () => {
    const { rows } = await db.pool.query(
      `SELECT workflow_id, severity, result, counters, cleanup, run_kind FROM report_runs
        WHERE group_name = 'calm' ORDER BY severity`,
    );
    expect(rows).toHaveLength(5);
    for (const row of rows.filter((r) => r.severity !== 'high'))
      expect(row).toMatchObject({
        workflow_id: severityWorkflowId('calm', row.severity, to),
        result: 'skipped-no-events',
        counters: { new: 0, rep: 0 },
        cleanup: { thresholds: 0, events: 0 },
        run_kind: 'adhoc',
      });
    expect(rows.find((r) => r.severity === 'high')).toMatchObject({ result: 'reported' });
  });

  it('still runs the child of an event-less window with an expired threshold, whose cleanup removes it', async () => {
    expect(armed.severities.medium).toMatchObject({
      result: 'skipped-no-events',
      workflowId: severityWorkflowId('armed', 'medium', to),
    });
    const { rows } = await db.pool.query(
      "SELECT count(*)::int AS n FROM report_thresholds WHERE group_name = 'armed'",
    );
    expect(rows[0].n).toBe(0);
  });
});
