// Alert mail cannot wedge the monitor: with the SMTP server refusing every alert mail (550) the
// monitor takes 10,000 more lines and continues as new; `alerts list --json` shows the refusal
// with the server's answer, and `mail retry alert-<id>` sends it once the address works. With a
// 421 the alert mail is retried with backoff and goes out once, when the server accepts it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tailAccessLog } from '../../../client/monitor/tailer';
import { type AlertListRow, listAlerts } from '../../../db/access-log/alert-outbox';
import { defaultMonitorConfig } from '../../../domain/access-log/types';
import { demoPhases, generateAccessLog } from '../../../scripts/demo/generate-access-log';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { createTestWorker, randomTaskQueue, testClient } from '../../support/temporal';
import { until } from '../../support/until';
import { cliEnv, monitorActivities, monitorStatus, runCli } from './helpers';

const START = Date.parse('2026-01-15T10:00:00Z') / 1000;
const refused = new Set(['soc@refusing.test']);
let softFailures = 0;

let db: TestDatabase;
let mail: MailCatcher;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-alert-mail-'));
  [db, mail] = await Promise.all([
    freshDatabase(),
    startMailCatcher({
      smtpPort: 0,
      rejectWith: (to) => {
        if (refused.has(to)) return { code: 550, message: '5.1.1 <soc@refusing.test>: mailbox unavailable' };
        if (to === 'ops@busy.test' && softFailures > 0) {
          softFailures--;
          return { code: 421, message: '4.7.0 try again later' };
        }
        return undefined;
      },
    }),
  ]);
});
afterAll(async () => {
  await mail?.close();
  await db?.drop();
});

const alertsOf = (source: string) => listAlerts(db.pool, { source, limit: 50 });

describe('alert mail delivery', () => {
  it('a 550 is final and recorded; the monitor keeps taking lines and continues as new; mail retry sends it', async () => {
    const source = `refused-${Date.now()}`;
    await db.pool.query('INSERT INTO monitor_sources (source, recipients) VALUES ($1, $2)', [
      source,
      ['soc@refusing.test'],
    ]);
    // Baseline, spike, baseline (two transitions), then 10,000 lines of baseline traffic.
    const log = generateAccessLog({
      start: START,
      seed: 7,
      phases: [...demoPhases, { buckets: 2200, hits: [4, 6] }],
    }).lines;
    const first = 2018;
    const file = path.join(dir, `${source}.log`);
    writeFileSync(file, `${log.slice(0, first).join('\n')}\n`);

    const taskQueue = randomTaskQueue('monitor-mail');
    const { client, close } = await testClient();
    const worker = await createTestWorker({ taskQueue, activities: monitorActivities(db, mail.smtpUrl) });
    const target = { client, taskQueue, source, config: defaultMonitorConfig, maxBatchesPerRun: 3 };
    const tail = { file, format: 'combined' as const, fromStart: true, untilEof: true, batchLines: 500 };
    try {
      await worker.run(async () => {
        await tailAccessLog(target, tail);
        const refusals = await until('both alert mails refused', async () => {
          const rows = await alertsOf(source);
          return rows.length === 2 && rows.every((r) => r.mail?.status === 'failed') ? rows : undefined;
        });
        for (const row of refusals) expect(row.mail!.smtpResponse).toContain('550');
        const before = await monitorStatus(client, source);

        writeFileSync(file, `${log.slice(0, first + 10_000).join('\n')}\n`);
        const more = await tailAccessLog(target, tail);
        expect(more.lines).toBe(10_000);
        const after = await monitorStatus(client, source);
        expect(after.totals.hits - before.totals.hits).toBe(10_000);
        expect(after.generation).toBeGreaterThan(before.generation);

        const env = { ...cliEnv(db, taskQueue, dir), HERALD_SMTP_URL: mail.smtpUrl };
        const listed = await runCli(['alerts', 'list', '--source', source, '--json'], env);
        expect(listed.code).toBe(0);
        const { alerts } = JSON.parse(listed.stdout) as { alerts: AlertListRow[] };
        expect(alerts.map((a) => [a.state, a.mail?.status])).toEqual([
          ['recovered', 'failed'],
          ['alert', 'failed'],
        ]);
        expect(alerts[1]!.mail!.smtpResponse).toMatch(
          /550 5\.1\.1 <soc@refusing\.test>: mailbox unavailable/,
        );
        expect(await mail.messages()).toHaveLength(0);

        // The address works again: `mail retry` sends the refused alert, with its Message-ID.
        refused.clear();
        const alert = alerts[1]!;
        const retried = await runCli(['mail', 'retry', alert.mail!.label], env);
        expect(retried.stderr).toBe('');
        expect(retried.code).toBe(0);
        expect((await alertsOf(source)).find((a) => a.id === alert.id)!.mail!.status).toBe('accepted');
        const received = await mail.messages();
        expect(received.map((m) => m.messageId)).toEqual([alert.mail!.messageId]);
      });
    } finally {
      await close();
    }
  });

  it('a 421 is retried with backoff and the alert mail goes out once accepted', async () => {
    const source = `busy-${Date.now()}`;
    softFailures = 2;
    await db.pool.query('INSERT INTO monitor_sources (source, recipients) VALUES ($1, $2)', [
      source,
      ['ops@busy.test'],
    ]);
    const file = path.join(dir, `${source}.log`);
    writeFileSync(file, `${generateAccessLog({ start: START, seed: 7 }).lines.join('\n')}\n`);
    const taskQueue = randomTaskQueue('monitor-mail');
    const { client, close } = await testClient();
    const worker = await createTestWorker({ taskQueue, activities: monitorActivities(db, mail.smtpUrl) });
    try {
      await worker.run(async () => {
        await tailAccessLog(
          { client, taskQueue, source, config: defaultMonitorConfig },
          { file, format: 'combined', fromStart: true, untilEof: true },
        );
        const rows = await until(
          'both alert mails accepted',
          async () => {
            const r = await alertsOf(source);
            return r.length === 2 && r.every((a) => a.mail?.status === 'accepted') ? r : undefined;
          },
          { timeoutMs: 60_000 },
        );
        expect(softFailures).toBe(0);
        // Two 421s were answered before acceptance: at least one mail needed more than one attempt.
        expect(Math.max(...rows.map((r) => r.mail!.attempts))).toBeGreaterThan(1);
        // Each alert mail arrived exactly once.
        const received = (await mail.messages()).filter((m) => m.to.includes('ops@busy.test'));
        expect(received.map((m) => m.messageId).sort()).toEqual(rows.map((r) => r.mail!.messageId).sort());
      });
    } finally {
      await close();
    }
  });
});
