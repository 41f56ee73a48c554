// A mail the SMTP server accepted whose outbox write failed (PostgreSQL down at that moment) is
// sent once: the send activity heartbeats the acceptance before the write, and the retried
// attempts record it from the heartbeat details without a second SMTP message. The write failure
// is injected (a trigger that refuses the first two writes of `accepted`): an outage cannot be
// timed to fall exactly between the 250 and the write. The real outage is
// test/faults/postgres-restart-send.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { severityWorkflowId } from '../../../workflows/report-messages';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { createTestWorker, randomTaskQueue, testClient } from '../../support/temporal';
import { alignedPast, reportingActivities, runGroup, seedCatalog, storeEvents } from '../reporting/support';

let db: TestDatabase;
let mail: MailCatcher;
const timeHigh = alignedPast();

beforeAll(async () => {
  [db, mail] = await Promise.all([freshDatabase(), startMailCatcher({ smtpPort: 0 })]);
  await seedCatalog(db.pool, {
    groups: [{ name: 'once', networks: [{ network: '10.26.0.0/16' }], emails: { high: ['soc@once.test'] } }],
  });
  await storeEvents(
    db.pool,
    [{ group: 'once', severity: 'high', ip: '10.26.0.1' }],
    new Date(timeHigh.getTime() - 5 * 60_000),
  );
  await db.pool.query(`
    CREATE SEQUENCE injected_refusals;
    CREATE FUNCTION refuse_outbox_acceptance() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      -- A sequence, not a table: its count survives the refused statement's rollback.
      IF NEW.status = 'accepted' AND nextval('injected_refusals') <= 2 THEN
        RAISE EXCEPTION 'injected fault: outbox write refused';
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER refuse_outbox_acceptance BEFORE UPDATE ON report_outbox
      FOR EACH ROW EXECUTE FUNCTION refuse_outbox_acceptance();
  `);
}, 60_000);

afterAll(async () => {
  await Promise.all([db?.drop(), mail?.close()]);
});

describe('the outbox write fails after the SMTP server accepted the mail (injected fault)', () => {
  it('the retries record the first acceptance from the heartbeat details and send nothing again', async () => {
    const taskQueue = randomTaskQueue('mail-once');
    const worker = await createTestWorker({
      taskQueue,
      activities: reportingActivities(db.pool, mail.smtpUrl),
    });
    const { client, close } = await testClient();
    try {
      const result = await worker.run(() =>
        runGroup(client, taskQueue, {
          group: 'once',
          timeHigh: timeHigh.toISOString(),
          severities: ['high'],
        }),
      );
      expect(result.severities.high?.mail).toEqual({ accepted: 1, failed: 0 });

      const received = await mail.messages();
      expect(received).toHaveLength(1);
      const { rows } = await db.pool.query<{
        message_id: string;
        status: string;
        attempts: number;
        queue_id: string | null;
        smtp_response: string;
        accepted_at: Date;
      }>('SELECT message_id, status, attempts, queue_id, smtp_response, accepted_at FROM report_outbox');
      expect(rows).toHaveLength(1);
      const row = rows[0]!;
      expect(row.message_id).toBe(received[0]!.messageId);
      // One SMTP attempt; the answer and queue id are those of that attempt.
      expect(row).toMatchObject({ status: 'accepted', attempts: 1, queue_id: 'herald-catcher' });
      expect(row.smtp_response).toMatch(/^250 .*queued as herald-catcher/);
      const { rows: refusals } = await db.pool.query<{ last_value: number }>(
        'SELECT last_value FROM injected_refusals',
      );
      expect(refusals[0]!.last_value).toBe(3); // refused, refused, recorded

      // Three attempts of the send: the second and third after the injected refusal.
      const history = await client.workflow
        .getHandle(severityWorkflowId('once', 'high', timeHigh.toISOString()))
        .fetchHistory();
      const scheduled = new Map<string, string>();
      const starts: { attempt: number; failure: string }[] = [];
      let completedAt: Date | undefined;
      const sendOf = (id: unknown) => scheduled.get(String(id)) === 'sendReportMail';
      for (const event of history.events ?? []) {
        const s = event.activityTaskScheduledEventAttributes;
        if (s) scheduled.set(String(event.eventId), s.activityType?.name ?? '');
        const started = event.activityTaskStartedEventAttributes;
        if (started && sendOf(started.scheduledEventId))
          starts.push({ attempt: started.attempt ?? 1, failure: started.lastFailure?.message ?? '' });
        const completed = event.activityTaskCompletedEventAttributes;
        if (completed && sendOf(completed.scheduledEventId))
          completedAt = new Date(Number(event.eventTime?.seconds ?? 0) * 1000);
      }
      // The history keeps the start of the last attempt only, with the failure of the one before.
      expect(starts).toEqual([{ attempt: 3, failure: 'injected fault: outbox write refused' }]);
      // accepted_at is when the SMTP server took the mail, in the first attempt, not when the
      // third attempt recorded it after 5 + 10 s of retry backoff.
      expect(row.accepted_at.getTime()).toBeGreaterThanOrEqual(Date.parse(received[0]!.receivedAt));
      expect(completedAt!.getTime() - row.accepted_at.getTime()).toBeGreaterThanOrEqual(10_000);
    } finally {
      await close();
    }
  }, 120_000);
});
