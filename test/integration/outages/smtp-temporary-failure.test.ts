// Outages: an SMTP server answering 421 (service not available, try later) for a while,
// then 250. The mails are retried with backoff and delivered once each when it takes them again;
// while it refuses, `herald mail outbox` shows every mail as pending with the 421 answer. A mail
// still pending when its run ends (its sends gave up) is marked failed for `herald mail retry`.
// (SMTP refusing connections for 60 s and a 5xx for one address: ../delivery/mail-delivery.test.ts.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { markAttempt, markFailed } from '../../../db/reporting/outbox';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { isolatedEnv, runCli } from '../../support/cli';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { fileNamespace } from '../../support/namespace';
import { createTestWorker, randomTaskQueue, testClient } from '../../support/temporal';
import { alignedPast, reportingActivities, runGroup, seedCatalog, storeEvents } from '../reporting/support';

interface OutboxJson {
  label: string;
  group: string;
  status: string;
  attempts: number;
  smtpResponse: string | null;
  lastError: string | null;
}

let db: TestDatabase;
let mail: MailCatcher;
let home: string;
/** While true the catcher answers every RCPT TO with 421, as an MTA that is overloaded. */
let deferring = true;
let deferred = 0;
const timeHigh = alignedPast();

beforeAll(async () => {
  db = await freshDatabase();
  home = mkdtempSync(path.join(tmpdir(), 'herald-smtp-421-'));
  mail = await startMailCatcher({
    smtpPort: 0,
    rejectWith: () => {
      if (!deferring) return undefined;
      deferred++;
      return { code: 421, message: '4.3.2 Service not available, closing transmission channel' };
    },
  });
  await seedCatalog(db.pool, {
    groups: [
      {
        name: 'deferred',
        networks: [{ network: '10.9.0.0/16' }],
        mode: 'both',
        emails: { high: ['soc@deferred.test'], low: ['noc@deferred.test'] },
      },
      { name: 'abandoned', networks: [{ network: '10.8.0.0/16' }], emails: { high: ['soc@abandoned.test'] } },
    ],
  });
  await storeEvents(
    db.pool,
    [
      { group: 'deferred', severity: 'high', ip: '10.9.0.1' },
      { group: 'deferred', severity: 'high', ip: '10.9.0.2' },
      { group: 'abandoned', severity: 'high', ip: '10.8.0.1' },
    ],
    new Date(timeHigh.getTime() - 5 * 60_000),
  );
}, 60_000);

afterAll(async () => {
  await mail?.close();
  await db?.drop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('SMTP answering 421 for a while, then 250', () => {
  it('retries, shows the 421 in `mail outbox` while it lasts, and delivers every mail once', async () => {
    const env = isolatedEnv({ HERALD_DATABASE_URL: db.url, HERALD_HOME: home });
    const outbox = async () => {
      const r = await runCli(['mail', 'outbox', '--json'], env);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout).outbox as OutboxJson[];
    };
    const taskQueue = randomTaskQueue('smtp-421');
    const worker = await createTestWorker({
      taskQueue,
      activities: reportingActivities(db.pool, mail.smtpUrl),
    });
    const { client, close } = await testClient();
    try {
      const result = await worker.run(async () => {
        const running = runGroup(client, taskQueue, {
          group: 'deferred',
          timeHigh: timeHigh.toISOString(),
          severities: ['high'],
        });
        // Three mails (a summary and an extra report per IP), each refused at least twice.
        let rows: OutboxJson[] = [];
        const deadline = Date.now() + 45_000;
        while (Date.now() < deadline) {
          rows = await outbox();
          if (rows.length === 3 && rows.every((r) => r.attempts >= 2)) break;
          await sleep(1000);
        }
        expect(rows).toHaveLength(3);
        for (const row of rows) {
          expect(row).toMatchObject({ group: 'deferred', status: 'pending' });
          expect(row.attempts).toBeGreaterThanOrEqual(2);
          expect(row.smtpResponse).toMatch(/421 4\.3\.2 Service not available/);
        }
        const table = await runCli(['mail', 'outbox'], env);
        expect(table.stdout).toMatch(/pending\s+\d+\s+soc@deferred\.test\s+.*421/);
        expect(await mail.messages()).toHaveLength(0);
        deferring = false;
        return running;
      });
      expect(result.severities.high?.mail).toEqual({ accepted: 3, failed: 0 });
    } finally {
      await close();
    }
    expect(deferred).toBeGreaterThanOrEqual(6);
    const mails = await mail.messages();
    const ids = mails.map((m) => m.messageId);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
    const rows = await db.pool.query<{
      message_id: string;
      status: string;
      smtp_response: string;
      last_error: string | null;
    }>(
      `SELECT o.message_id, o.status, o.smtp_response, o.last_error
         FROM report_outbox o JOIN reports r ON r.id = o.report_id WHERE r.group_name = 'deferred'`,
    );
    expect(rows.rows.map((r) => r.message_id).sort()).toEqual([...ids].sort());
    for (const r of rows.rows) {
      expect(r).toMatchObject({ status: 'accepted', last_error: null });
      expect(r.smtp_response).toMatch(/^250 /);
    }
    const after = await runCli(['mail', 'outbox'], env);
    expect(after.stdout).toBe('outbox: nothing to show\n');
  }, 120_000);

  // The send's schedule-to-close is a day: it cannot pass in a test. Simulated: a send activity that
  // records a 421 as the real one does and then ends non-retryable, as the timeout would end it.
  it('a mail its run gave up on (the day-long send timeout, simulated) ends failed, for `mail retry`', async () => {
    const taskQueue = randomTaskQueue('smtp-gave-up');
    const activities = reportingActivities(db.pool, mail.smtpUrl);
    const worker = await createTestWorker({
      taskQueue,
      activities: {
        ...activities,
        async sendReportMail({ outboxId }: { outboxId: number }) {
          await markAttempt(db.pool, outboxId);
          await markFailed(db.pool, outboxId, '421 4.3.2 Service not available', false);
          throw ApplicationFailure.nonRetryable(
            'gave up (simulated schedule-to-close timeout)',
            'SimulatedTimeout',
          );
        },
      },
    });
    const { client, close } = await testClient();
    try {
      const result = await worker.run(() =>
        runGroup(client, taskQueue, {
          group: 'abandoned',
          timeHigh: timeHigh.toISOString(),
          severities: ['high'],
        }),
      );
      expect(result.severities.high?.mail).toEqual({ accepted: 0, failed: 1 });
    } finally {
      await close();
    }
    const outbox = await runCli(
      ['mail', 'outbox', '--status', 'failed', '--json'],
      isolatedEnv({ HERALD_DATABASE_URL: db.url, HERALD_HOME: home }),
    );
    expect(outbox.code, outbox.stderr).toBe(0);
    const rows = JSON.parse(outbox.stdout).outbox as OutboxJson[];
    expect(rows).toEqual([expect.objectContaining({ group: 'abandoned', status: 'failed', attempts: 1 })]);
    expect(rows[0]!.lastError).toBe('not delivered before its run ended: 421 4.3.2 Service not available');
    // The SMTP server takes mail again: `mail retry --failed` delivers every failed mail (through
    // a worker with the real send activity).
    const retryQueue = randomTaskQueue('smtp-retry');
    const retryWorker = await createTestWorker({
      taskQueue: retryQueue,
      activities: reportingActivities(db.pool, mail.smtpUrl),
    });
    const retry = await retryWorker.run(() =>
      runCli(
        ['mail', 'retry', '--failed', '--group', 'abandoned', '--json'],
        isolatedEnv({
          HERALD_DATABASE_URL: db.url,
          HERALD_HOME: home,
          TEMPORAL_ADDRESS: inject('temporalAddress'),
          TEMPORAL_NAMESPACE: fileNamespace(),
          HERALD_TASK_QUEUE: retryQueue,
        }),
      ),
    );
    expect(retry.code, retry.stderr).toBe(0);
    expect(JSON.parse(retry.stdout)).toMatchObject({
      retried: 1,
      undelivered: 0,
      limited: false,
      outcomes: [{ label: rows[0]!.label, status: 'delivered', result: { status: 'accepted' } }],
    });
    expect((await mail.messages()).filter((m) => m.envelopeTo.includes('soc@abandoned.test'))).toHaveLength(
      1,
    );
  }, 120_000);
});
