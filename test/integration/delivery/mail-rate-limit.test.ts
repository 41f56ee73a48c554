// HERALD_MAIL_RATE_PER_SECOND limits report mails per second on the mail task queue (Temporal's
// per-task-queue limit), here for a `herald worker` process sending 12 mails at 2 per second, from
// a report run and from `herald mail retry --failed`; without the limit 10 concurrent sends arrive
// together.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mailTaskQueue } from '../../../domain/reporting/mail-task-queue';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import type { ReportGroupResult } from '../../../workflows/report-messages';
import { isolatedEnv, runCli } from '../../support/cli';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { fileNamespace } from '../../support/namespace';
import { createTestWorker, randomTaskQueue, testClient } from '../../support/temporal';
import { until } from '../../support/until';
import { startWorkerProcess, type WorkerProcess } from '../../support/worker-process';
import { alignedPast, reportingActivities, runGroup, seedCatalog, storeEvents } from '../reporting/support';

const MAILS = 12;
const RATE = 2;
let db: TestDatabase;
let mail: MailCatcher;
/** While true the catcher refuses soc@retried.test for good (550), so its mails end failed. */
let refuseRetried = true;
const timeHigh = alignedPast();

beforeAll(async () => {
  [db, mail] = await Promise.all([
    freshDatabase(),
    startMailCatcher({
      smtpPort: 0,
      rejectWith: (to) =>
        refuseRetried && to === 'soc@retried.test'
          ? { code: 550, message: '5.1.1 mailbox unavailable' }
          : undefined,
    }),
  ]);
  await seedCatalog(db.pool, {
    groups: [
      {
        name: 'rated',
        networks: [{ network: '10.9.0.0/16' }],
        mode: 'extra',
        emails: { high: ['soc@rated.test'] },
      },
      {
        name: 'retried',
        networks: [{ network: '10.10.0.0/16' }],
        mode: 'extra',
        emails: { high: ['soc@retried.test'] },
      },
    ],
  });
  await storeEvents(
    db.pool,
    Array.from({ length: MAILS }, (_, i) => [
      { group: 'rated', severity: 'high' as const, ip: `10.9.0.${i + 1}` },
      { group: 'retried', severity: 'high' as const, ip: `10.10.0.${i + 1}` },
    ]).flat(),
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

      const mails = (await mail.messages()).filter((m) => m.envelopeTo.includes('soc@rated.test'));
      expect(new Set(mails.map((m) => m.messageId)).size).toBe(MAILS);
      expect(mails).toHaveLength(MAILS);
      // The server's token bucket may let a burst of about one second's worth through at once.
      expect(busiestSecond(mails.map((m) => Date.parse(m.receivedAt)))).toBeLessThanOrEqual(2 * RATE);
    } finally {
      await worker.stop('SIGTERM');
      await close();
    }
  }, 180_000);

  it('`mail retry --failed` sends through the worker, at HERALD_MAIL_RATE_PER_SECOND=2 too', async () => {
    // Twelve mails refused for good (550) by a run on a worker without a limit.
    const { client, close } = await testClient();
    try {
      const failQueue = randomTaskQueue('mail-refused');
      const refusing = await createTestWorker({
        taskQueue: failQueue,
        activities: reportingActivities(db.pool, mail.smtpUrl),
      });
      const result = await refusing.run(() =>
        runGroup(client, failQueue, {
          group: 'retried',
          timeHigh: timeHigh.toISOString(),
          severities: ['high'],
        }),
      );
      expect(result.severities.high?.mail).toEqual({ accepted: 0, failed: MAILS });
      refuseRetried = false;

      const taskQueue = randomTaskQueue('mail-retry-rate');
      const worker = startWorker(taskQueue);
      try {
        await until('the worker polling the mail task queue', async () => {
          const { pollers } = await client.workflowService.describeTaskQueue({
            namespace: fileNamespace(),
            taskQueue: { name: mailTaskQueue(taskQueue) },
            taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
          });
          return pollers?.length ? true : undefined;
        });
        const retry = await runCli(
          ['mail', 'retry', '--failed', '--group', 'retried', '--json'],
          isolatedEnv({
            HERALD_HOME: mkdtempSync(path.join(tmpdir(), 'herald-retry-rate-')),
            HERALD_DATABASE_URL: db.url,
            TEMPORAL_ADDRESS: inject('temporalAddress'),
            TEMPORAL_NAMESPACE: fileNamespace(),
            HERALD_TASK_QUEUE: taskQueue,
          }),
        );
        expect(retry.code, retry.stderr).toBe(0);
        expect(JSON.parse(retry.stdout)).toMatchObject({ retried: MAILS, undelivered: 0, limited: false });
      } finally {
        await worker.stop('SIGTERM');
      }
    } finally {
      await close();
    }
    const mails = (await mail.messages()).filter((m) => m.envelopeTo.includes('soc@retried.test'));
    expect(new Set(mails.map((m) => m.messageId)).size).toBe(MAILS);
    expect(mails).toHaveLength(MAILS);
    expect(busiestSecond(mails.map((m) => Date.parse(m.receivedAt)))).toBeLessThanOrEqual(2 * RATE);
  }, 180_000);
});
