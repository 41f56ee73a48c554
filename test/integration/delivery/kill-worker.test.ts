// The worker process is killed (SIGKILL) while a run is sending 50 mails and
// then restarted: every report arrives, each Message-ID once, except at most one copy more of a
// mail that SMTP had accepted when the worker died before recording it (the test counts those).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import type { ReportGroupResult } from '../../../workflows/report-messages';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { fileNamespace } from '../../support/namespace';
import { randomTaskQueue, testClient } from '../../support/temporal';
import { startWorkerProcess, type WorkerProcess } from '../../support/worker-process';
import { alignedPast, seedCatalog, storeEvents } from '../reporting/support';

let db: TestDatabase;
let mail: MailCatcher;
const timeHigh = alignedPast();
const MAILS = 50;

beforeAll(async () => {
  [db, mail] = await Promise.all([freshDatabase(), startMailCatcher({ smtpPort: 0 })]);
  await seedCatalog(db.pool, {
    groups: [
      {
        name: 'many',
        networks: [{ network: '10.7.0.0/16' }],
        mode: 'extra',
        emails: { high: ['soc@many.test'] },
      },
    ],
  });
  await storeEvents(
    db.pool,
    Array.from({ length: MAILS }, (_, i) => ({
      group: 'many',
      severity: 'high' as const,
      ip: `10.7.0.${i + 1}`,
    })),
    new Date(timeHigh.getTime() - 5 * 60_000),
  );
});
afterAll(async () => {
  await Promise.all([db?.drop(), mail?.close()]);
});

function startWorker(taskQueue: string, home: string): WorkerProcess {
  return startWorkerProcess({
    home,
    temporalAddress: inject('temporalAddress'),
    namespace: fileNamespace(),
    databaseUrl: db.url,
    smtpUrl: mail.smtpUrl,
    taskQueue,
  });
}

describe('SIGKILL of the worker while a run sends 50 mails', () => {
  it('delivers every report once by Message-ID (duplicates only in the accepted-not-recorded window)', async () => {
    const taskQueue = randomTaskQueue('kill-send');
    const home = mkdtempSync(path.join(tmpdir(), 'herald-kill-'));
    const first = startWorker(taskQueue, home);
    const { client, close } = await testClient();
    try {
      const handle = await client.workflow.start('reportGroup', {
        taskQueue,
        workflowId: `report:many:kill:${Date.now()}`,
        args: [{ group: 'many', timeHigh: timeHigh.toISOString(), severities: ['high'] }],
      });
      // Kill as soon as the first mails arrive: the run is then in the middle of sending.
      const deadline = Date.now() + 90_000;
      while ((await mail.messages()).length < 5 && Date.now() < deadline) await sleep(5);
      await first.stop('SIGKILL');
      // Mails whose DATA was complete when the worker died are still being stored by the catcher.
      await sleep(1000);
      const atKill = (await mail.messages()).length;
      expect(atKill, first.output()).toBeGreaterThanOrEqual(5);
      expect(atKill).toBeLessThan(MAILS);
      const { rows: recorded } = await db.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM report_outbox WHERE status = 'accepted'",
      );

      const second = startWorker(taskQueue, home);
      try {
        const result = (await handle.result()) as ReportGroupResult;
        expect(result.severities.high?.reportCount).toBe(MAILS + 1); // the summary is stored, not mailed
      } finally {
        await second.stop('SIGTERM');
      }

      const mails = await mail.messages();
      const { rows: outbox } = await db.pool.query<{ message_id: string; status: string }>(
        'SELECT message_id, status FROM report_outbox',
      );
      expect(outbox).toHaveLength(MAILS);
      expect(outbox.every((r) => r.status === 'accepted')).toBe(true);
      const received = new Map<string, number>();
      for (const m of mails) received.set(m.messageId ?? '', (received.get(m.messageId ?? '') ?? 0) + 1);
      for (const r of outbox) {
        expect(received.get(r.message_id), r.message_id).toBeGreaterThanOrEqual(1);
        expect(received.get(r.message_id), r.message_id).toBeLessThanOrEqual(2);
      }
      expect(received.size).toBe(MAILS);
      // A duplicate can only be a mail the catcher had accepted that the outbox had not recorded.
      const duplicates = mails.length - MAILS;
      expect(duplicates).toBeLessThanOrEqual(atKill - recorded[0]!.n);
      console.info(
        `kill-worker: ${atKill} mails received before SIGKILL, ${recorded[0]!.n} recorded as accepted, ` +
          `${duplicates} duplicate(s) after restart`,
      );
    } finally {
      await close();
    }
  }, 240_000);
});
