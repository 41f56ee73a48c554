// Delivery: HERALD_MAIL_RATE_PER_SECOND limits report mails per second on the mail task
// queue (Temporal's per-task-queue limit), here for a `herald worker` process sending 12 mails at
// 2 per second; without the limit its 10 concurrent sends arrive together.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import type { ReportGroupResult } from '../../../workflows/report-messages';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { fileNamespace } from '../../support/namespace';
import { randomTaskQueue, testClient } from '../../support/temporal';
import { startWorkerProcess, type WorkerProcess } from '../../support/worker-process';
import { alignedPast, seedCatalog, storeEvents } from '../reporting/support';

const MAILS = 12;
const RATE = 2;
let db: TestDatabase;
let mail: MailCatcher;
const timeHigh = alignedPast();

beforeAll(async () => {
  [db, mail] = await Promise.all([freshDatabase(), startMailCatcher({ smtpPort: 0 })]);
  await seedCatalog(db.pool, {
    groups: [
      {
        name: 'rated',
        networks: [{ network: '10.9.0.0/16' }],
        mode: 'extra',
        emails: { high: ['soc@rated.test'] },
      },
    ],
  });
  await storeEvents(
    db.pool,
    Array.from({ length: MAILS }, (_, i) => ({
      group: 'rated',
      severity: 'high' as const,
      ip: `10.9.0.${i + 1}`,
    })),
    new Date(timeHigh.getTime() - 5 * 60_000),
  );
});
afterAll(async () => {
  await Promise.all([db?.drop(), mail?.close()]);
});

function startWorker(taskQueue: string): WorkerProcess {
  return startWorkerProcess({
    home: mkdtempSync(path.join(tmpdir(), 'herald-rate-')),
    temporalAddress: inject('temporalAddress'),
    namespace: fileNamespace(),
    databaseUrl: db.url,
    smtpUrl: mail.smtpUrl,
    taskQueue,
    extra: { HERALD_MAIL_RATE_PER_SECOND: String(RATE) },
  });
}

/** The most mails received within any one second. */
function busiestSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('mail rate limit', () => {
  it('a worker with HERALD_MAIL_RATE_PER_SECOND=2 spreads 12 mails over seconds and sends each once', async () => {
    const taskQueue = randomTaskQueue('mail-rate');
    const worker = startWorker(taskQueue);
    const { client, close } = await testClient();
    try {
      const result = (await client.workflow.execute('reportGroup', {
        taskQueue,
        workflowId: `report:rated:rate:${Date.now()}`,
        args: [{ group: 'rated', timeHigh: timeHigh.toISOString(), severities: ['high'] }],
      })) as ReportGroupResult;
      expect(result.severities.high?.reportCount).toBe(MAILS + 1); // + the stored summary

      const mails = await mail.messages();
      expect(new Set(mails.map((m) => m.messageId)).size).toBe(MAILS);
      expect(mails).toHaveLength(MAILS);
      // The server's token bucket may let a burst of about one second's worth through at once.
      expect(busiestSecond(mails.map((m) => Date.parse(m.receivedAt)))).toBeLessThanOrEqual(2 * RATE);
    } finally {
      await worker.stop('SIGTERM');
      await close();
    }
  }, 180_000);
});
