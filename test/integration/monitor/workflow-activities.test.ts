// The monitor against real activities: the bundled sample log (baseline, spike, baseline) replayed
// through the tailer; each transition is recorded once in PostgreSQL and mailed once through a
// real SMTP server, with a stable Message-ID; the search attributes show the alert state.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureMonitor, sendIngest } from '../../../client/monitor/monitor-client';
import { tailAccessLog } from '../../../client/monitor/tailer';
import { repoRoot } from '../../../config/paths';
import { defaultMonitorConfig } from '../../../domain/access-log/types';
import { generateAccessLog } from '../../../scripts/demo/generate-access-log';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { monitorWorkflowId } from '../../../workflows/access-log-messages';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { createTestWorker, randomTaskQueue, testClient } from '../../support/temporal';
import { monitorActivities, monitorStatus, seedTransitions } from './helpers';

const SAMPLE = path.join(repoRoot, 'test/fixtures/access-log/sample-access.log');
const SAMPLE_START = Date.parse('2026-01-15T10:00:00Z') / 1000;

let db: TestDatabase;
let mail: MailCatcher;

beforeAll(async () => {
  [db, mail] = await Promise.all([freshDatabase(), startMailCatcher({ smtpPort: 0 })]);
});
afterAll(async () => {
  await mail?.close();
  await db?.drop();
});

async function until<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('access-log monitor with real activities', () => {
  it('the committed sample log is the generator output for seed 7', () => {
    const generated = generateAccessLog({ start: SAMPLE_START, seed: 7 });
    expect(readFileSync(SAMPLE, 'utf8')).toBe(`${generated.lines.join('\n')}\n`);
  });

  it('records each alert transition once and mails it once to the configured recipients', async () => {
    const source = `sample-${Date.now()}`;
    await db.pool.query('INSERT INTO monitor_sources (source, recipients) VALUES ($1, $2)', [
      source,
      ['soc@example.org', 'ops@example.org'],
    ]);
    const expected = seedTransitions(
      generateAccessLog({ start: SAMPLE_START, seed: 7 }).perBucket,
      SAMPLE_START,
    );
    expect(expected.map((t) => t.state)).toEqual(['alert', 'recovered']);

    const taskQueue = randomTaskQueue('monitor');
    const activities = monitorActivities(db, mail.smtpUrl);
    const { client, close } = await testClient();
    const worker = await createTestWorker({ taskQueue, activities });
    try {
      await worker.run(async () => {
        const summary = await tailAccessLog(
          { client, taskQueue, source, config: defaultMonitorConfig },
          { file: SAMPLE, format: 'combined', fromStart: true, untilEof: true, batchLines: 500 },
        );
        expect(summary).toMatchObject({ lines: 2018, parseErrors: 0 });

        const status = await monitorStatus(client, source);
        expect(status.totals).toMatchObject({ lines: 2018, hits: 2018, parseErrors: 0, late: 0 });
        expect(status.alerts.map(({ state, at, hits, average }) => ({ state, at, hits, average }))).toEqual(
          expected,
        );
        expect(status.openBuckets).toBe(0);

        // Replaying the finished file again changes nothing: no line twice, no extra empty bucket.
        const rerun = await tailAccessLog(
          { client, taskQueue, source, config: defaultMonitorConfig },
          { file: SAMPLE, format: 'combined', fromStart: true, untilEof: true },
        );
        expect(rerun).toMatchObject({ lines: 0, batches: 0 });
        const after = await monitorStatus(client, source);
        expect({ ...after, appliedBatches: 0 }).toEqual({ ...status, appliedBatches: 0 });

        const rows = await until(
          async () =>
            (
              await db.pool.query(
                `SELECT a.*, o.status AS mail_status FROM alerts a LEFT JOIN report_outbox o ON o.alert_id = a.id
                  WHERE a.source = $1 ORDER BY a.at`,
                [source],
              )
            ).rows,
          (r) => r.length === 2 && r.every((row) => row.mail_status === 'accepted'),
        );
        expect(rows.map((r) => [r.state, r.at.toISOString(), r.hits])).toEqual(
          expected.map((t) => [t.state, t.at, t.hits]),
        );
        const messages = await until(
          () => mail.messages(),
          (m) => m.length >= 2,
        );
        expect(messages).toHaveLength(2);
        expect(messages.map((m) => m.messageId).sort()).toEqual(
          rows.map((r) => `<access-log-alert-${r.id}@test.example>`).sort(),
        );
        const alertMail = messages.find((m) => m.subject.includes('ALERT'))!;
        expect(alertMail.to.sort()).toEqual(['ops@example.org', 'soc@example.org']);
        expect(alertMail.text).toContain(`${expected[0]!.hits} hits`);
        expect(alertMail.html).toContain(source);

        // Retried activities (same transition, same alert) neither add a row nor send again.
        const again = await activities.recordAccessLogAlert({
          source,
          workflowId: monitorWorkflowId(source),
          transition: { ...status.alerts[0]! },
        });
        expect(again.alertId).toBe(Number(rows[0]!.id));
        const queued = await activities.queueAccessLogAlertMail({ alertId: again.alertId });
        expect(await activities.sendReportMail({ outboxId: queued.outboxId! })).toMatchObject({
          status: 'already-accepted',
        });
        expect(
          (await db.pool.query('SELECT count(*) FROM alerts WHERE source = $1', [source])).rows[0].count,
        ).toBe(2);
        expect(await mail.messages()).toHaveLength(2);

        const description = await client.workflow.getHandle(monitorWorkflowId(source)).describe();
        expect(description.searchAttributes).toMatchObject({
          HeraldMonitorSource: [source],
          HeraldAlertState: ['ok'],
        });
      });
    } finally {
      await close();
    }
  });

  it('changes threshold, window and rule at run time and rejects invalid changes', async () => {
    const source = `configure-${Date.now()}`;
    const taskQueue = randomTaskQueue('monitor-configure');
    const { client, close } = await testClient();
    const worker = await createTestWorker({ taskQueue, activities: monitorActivities(db, mail.smtpUrl) });
    try {
      await worker.run(async () => {
        const target = { client, taskQueue, source, config: defaultMonitorConfig };
        await sendIngest(target, { refresh: 10, range: null, watermark: null });
        await expect(configureMonitor(client, source, { window: 125 })).rejects.toThrow(
          /window must be a positive multiple of the bucket length \(10 s\), got 125/,
        );
        await expect(configureMonitor(client, source, { allowedLateness: -1 })).rejects.toThrow(
          /allowed lateness must be a whole number of seconds >= 0, got -1/,
        );
        expect(
          await configureMonitor(client, source, {
            threshold: 2.5,
            rule: 'rate',
            window: 60,
            allowedLateness: 30,
          }),
        ).toEqual({ refresh: 10, window: 60, threshold: 2.5, rule: 'rate', allowedLateness: 30 });
        expect((await monitorStatus(client, source)).config.rule).toBe('rate');
        // A tailer with other bucket lengths is refused with a readable reason.
        await expect(
          sendIngest(
            { ...target, config: { ...defaultMonitorConfig, refresh: 5 } },
            { refresh: 5, range: null, watermark: null },
          ),
        ).rejects.toThrow(/uses 10 s buckets, the tailer sent 5 s/);
      });
    } finally {
      await close();
    }
  });
});
