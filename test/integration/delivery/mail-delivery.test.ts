// Report mails received on a real SMTP server (the in-process mail
// catcher: smtp-server + mailparser) with Mentat's subjects and headers, To/Cc, the stable
// Message-ID, both parts, the JSON attachment and the Czech version; mail test mode and redirect
// reach nobody but the test address; an SMTP server down in the middle of a run and a 550 for one
// address.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mailDeliveryState } from '../../../db/reporting/outbox';
import { type CaughtMail, type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { isolatedEnv, runCli } from '../../support/cli';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { fileNamespace } from '../../support/namespace';
import { createTestWorker, randomTaskQueue, testClient } from '../../support/temporal';
import { until } from '../../support/until';
import { alignedPast, reportingActivities, runGroup, seedCatalog, storeEvents } from '../reporting/support';

let db: TestDatabase;
let mail: MailCatcher;
const timeHigh = alignedPast();
const stored = new Date(timeHigh.getTime() - 5 * 60_000);
let refuse = new Set<string>();

const byGroup = (mails: CaughtMail[], label: RegExp) => mails.filter((m) => label.test(m.subject));

beforeAll(async () => {
  db = await freshDatabase();
  mail = await startMailCatcher({
    smtpPort: 0,
    rejectWith: (to) => (refuse.has(to) ? { code: 550, message: '5.1.1 mailbox unavailable' } : undefined),
  });
  await seedCatalog(db.pool, {
    groups: [
      {
        name: 'acme',
        networks: [{ network: '10.1.0.0/16' }],
        mode: 'both',
        emails: { high: ['soc@acme.test'], low: ['noc@acme.test'] },
      },
      {
        name: 'czech',
        networks: [{ network: '10.2.0.0/16' }],
        emails: { high: ['csirt@czech.test'] },
        locale: 'cs',
      },
      {
        name: 'testy',
        networks: [{ network: '10.3.0.0/16' }],
        emails: { high: ['real@testy.test'], low: ['cc@testy.test'] },
      },
      {
        name: 'redir',
        networks: [{ network: '10.4.0.0/16' }],
        emails: { high: ['real@redir.test'] },
        redirect: true,
      },
      {
        name: 'outage',
        networks: [{ network: '10.5.0.0/16' }],
        mode: 'extra',
        emails: { high: ['soc@outage.test'] },
      },
      { name: 'bounce', networks: [{ network: '10.6.0.0/16' }], emails: { high: ['gone@bounce.test'] } },
    ],
    admin: ['admin@csirt.test'],
  });
  await db.pool.query(
    "UPDATE group_settings SET timezone = 'Europe/Prague' WHERE group_id = (SELECT id FROM groups WHERE name = 'czech')",
  );
  await db.pool.query(
    `UPDATE group_settings SET attachments = 'json', attachments_compress = $1
      WHERE group_id = (SELECT id FROM groups WHERE name = $2)`,
    ['none', 'acme'],
  );
  await db.pool.query(
    `INSERT INTO event_classes (name, label_en, label_cs, reference, rule, severity)
     VALUES ('recon-scanning', 'Network scanning', 'Skenování sítě', 'https://csirt.test/classes/recon-scanning', 'true', 'high')`,
  );
  const high = (group: string, ip: string) => ({ group, severity: 'high' as const, ip });
  await storeEvents(
    db.pool,
    [
      high('acme', '10.1.0.1'),
      high('acme', '10.1.0.1'),
      high('acme', '10.1.0.2'),
      high('czech', '10.2.0.1'),
      high('testy', '10.3.0.1'),
      high('redir', '10.4.0.1'),
      high('outage', '10.5.0.1'),
      high('outage', '10.5.0.2'),
      high('outage', '10.5.0.3'),
      high('bounce', '10.6.0.1'),
    ],
    stored,
  );
}, 60_000);

afterAll(async () => {
  await mail?.close();
  await db?.drop();
});

async function run(groups: string[], force = {}, duringRun?: () => Promise<void>) {
  const taskQueue = randomTaskQueue('delivery');
  const worker = await createTestWorker({
    taskQueue,
    activities: reportingActivities(db.pool, mail.smtpUrl),
  });
  const { client, close } = await testClient();
  try {
    return await worker.run(() =>
      Promise.all([
        ...groups.map((group) =>
          runGroup(client, taskQueue, {
            group,
            timeHigh: timeHigh.toISOString(),
            severities: ['high'],
            force,
          }),
        ),
        duringRun?.(),
      ]),
    );
  } finally {
    await close();
  }
}

describe('report mails on a real SMTP server', () => {
  let mails: CaughtMail[];
  beforeAll(async () => {
    await run(['acme', 'czech']);
    mails = await mail.messages();
  }, 120_000);

  it('sends a summary with Mentat subject, headers, To/Cc, Message-ID, both parts and the attachment', async () => {
    const { rows } = await db.pool.query<{
      label: string;
      type: string;
      ip: string | null;
      parent_label: string | null;
    }>(
      "SELECT label, type, host(ip) AS ip, parent_label FROM reports WHERE group_name = 'acme' ORDER BY type, ip",
    );
    const summary = rows.find((r) => r.type === 'summary')!;
    const m = mails.find((x) => x.messageId === `<${summary.label}@csirt.test>`)!;
    expect(m).toBeDefined();
    expect(m.subject).toBe(`[${summary.label}] High - Notice about possible problems in your network`);
    expect(m.to).toEqual(['soc@acme.test']);
    expect(m.cc).toEqual(['noc@acme.test']);
    expect(m.headers['x-mentat-report-type']).toBe('summary');
    expect(m.headers['x-mentat-report-id']).toBe(summary.label);
    expect(m.headers['x-mentat-report-severity']).toBe('high');
    expect(m.headers['x-mentat-report-event-count']).toBe('3');
    expect(m.headers['x-mentat-report-test-data']).toBe('False');
    expect(m.headers['x-mentat-report-time-window']).toBe(
      `${new Date(timeHigh.getTime() - 600_000).toISOString()}___${timeHigh.toISOString()}`,
    );
    expect(m.text).toContain('Network scanning (recon-scanning)');
    expect(m.text).toContain('10.1.0.1');
    expect(m.text.split('\n').every((line) => line.length <= 90)).toBe(true);
    expect(m.html).toContain('Network scanning (recon-scanning)');
    expect(m.html).toContain('href="https://csirt.test/classes/recon-scanning"');
    expect(m.attachments).toEqual([
      {
        filename: `security-report-${summary.label}.json`,
        contentType: 'application/json',
        size: expect.any(Number),
      },
    ]);
    expect(m.text).toContain(`security-report-${summary.label}.json (3 events)`);

    // Extra reports: one per source IP, with parent and source headers.
    const extra = rows.find((r) => r.type === 'extra' && r.ip === '10.1.0.1')!;
    const e = mails.find((x) => x.messageId === `<${extra.label}@csirt.test>`)!;
    expect(e.subject).toBe(`[${extra.label}] High - Notice about possible problems regarding host 10.1.0.1`);
    expect(e.headers['x-mentat-report-parent-id']).toBe(summary.label);
    expect(e.headers['x-mentat-report-src-ip']).toBe('10.1.0.1');
    expect(e.headers['x-mentat-report-event-count']).toBe('2');
  });

  it('writes a Czech mail for a cs group, times in its time zone', () => {
    const [m] = byGroup(mails, /Upozornění/);
    expect(m?.subject).toMatch(
      /^\[M\d{8}SH-[A-Z0-9]{5}\] Vysoká - Upozornění na možné problémy ve vaší síti$/,
    );
    expect(m?.to).toEqual(['csirt@czech.test']);
    expect(m?.text).toContain('Skenování sítě (recon-scanning)');
    expect(m?.text).toContain('Časové pásmo:');
    expect(m?.text).toMatch(/SEČ|SELČ/);
    expect(m?.html).toContain('lang="cs"');
  });

  it('records the SMTP answer on the outbox row', async () => {
    const { rows } = await db.pool.query<{ status: string; smtp_response: string; queue_id: string | null }>(
      'SELECT status, smtp_response, queue_id FROM report_outbox',
    );
    expect(rows.length).toBe(mails.length);
    for (const r of rows) {
      expect(r.status).toBe('accepted');
      expect(r.smtp_response).toMatch(/^250 /);
    }
  });
});

describe('reports on the command line', () => {
  it('`reports show LABEL --text` prints what the recipient read; list and --json show the mail state', async () => {
    const env = isolatedEnv({
      HERALD_DATABASE_URL: db.url,
      HERALD_HOME: mkdtempSync(path.join(tmpdir(), 'herald-reports-')),
    });
    const [m] = byGroup(await mail.messages(), /Upozornění/);
    const label = m!.subject.slice(1, 18);
    const text = await runCli(['reports', 'show', label, '--text'], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.trim()).toBe(m!.text.trim());
    const json = await runCli(['reports', 'show', label, '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({
      label,
      group: 'czech',
      locale: 'cs',
      mail: { status: 'accepted', messageId: `<${label}@csirt.test>` },
    });
    const list = await runCli(['reports', 'list', '--group', 'acme', '--json'], env);
    expect(
      JSON.parse(list.stdout)
        .reports.map((r: { type: string }) => r.type)
        .sort(),
    ).toEqual(['extra', 'extra', 'summary']);
    const missing = await runCli(['reports', 'show', 'M20000101SH-NONE0', '--text'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(
      'herald: no report labelled "M20000101SH-NONE0" (see herald reports list)',
    );
  }, 60_000);
});

describe('mail test mode and redirect', () => {
  it('delivers only to the test address or the admins; Cc and Bcc cleared', async () => {
    mail.clear();
    // Also the per-run overrides: the second template set and a forced locale and time zone.
    await run(['testy'], { mailTestMode: true, mailTo: ['tester@csirt.test'], template: 'compact' });
    await run(['redir'], { locale: 'cs', timezone: 'Asia/Tokyo' });
    const mails = await mail.messages();
    expect(mails).toHaveLength(2);
    const envelope = mails.flatMap((m) => m.envelopeTo).sort();
    expect(envelope).toEqual(['admin@csirt.test', 'tester@csirt.test']);
    const compact = mails.find((m) => m.envelopeTo.includes('tester@csirt.test'))!;
    expect(compact.text).toMatch(/^recon-scanning 10\.3\.0\.1 ×1 /m);
    const czech = mails.find((m) => m.envelopeTo.includes('admin@csirt.test'))!;
    expect(czech.subject).toMatch(/Vysoká - Upozornění na možné problémy ve vaší síti$/);
    expect(czech.text).toContain('Asia/Tokyo');
    expect(czech.text).toMatch(/GMT\+9|JST/);
    for (const m of mails) {
      expect(m.cc).toEqual([]);
      expect(m.bcc).toEqual([]);
    }
  }, 120_000);
});

describe('an SMTP server down in the middle of a run, and a 550 for one address', () => {
  it('delivers everything once the server is back, and records the refusal', async () => {
    mail.clear();
    refuse = new Set(['gone@bounce.test']);
    const port = mail.smtpPort;
    await mail.close(); // connection refused from now on
    const [outage, bounce] = await run(['outage', 'bounce'], {}, async () => {
      await new Promise((r) => setTimeout(r, 60_000));
      mail = await startMailCatcher({
        smtpPort: port,
        rejectWith: (to) =>
          refuse.has(to) ? { code: 550, message: '5.1.1 mailbox unavailable' } : undefined,
      });
    });
    expect(outage?.severities.high?.mail).toEqual({ accepted: 3, failed: 0 });
    expect(bounce?.severities.high?.mail).toEqual({ accepted: 0, failed: 1 });
    const mails = await mail.messages();
    const ids = mails.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(mails.filter((m) => m.to.includes('soc@outage.test'))).toHaveLength(3);
    expect(mails.some((m) => m.envelopeTo.includes('gone@bounce.test'))).toBe(false);
    const { rows } = await db.pool.query<{
      group_name: string;
      status: string;
      attempts: number;
      last_error: string;
    }>(
      `SELECT r.group_name, o.status, o.attempts, o.last_error FROM report_outbox o JOIN reports r ON r.id = o.report_id
        WHERE r.group_name IN ('outage', 'bounce')`,
    );
    const failed = rows.filter((r) => r.group_name === 'bounce');
    expect(failed).toEqual([expect.objectContaining({ status: 'failed' })]);
    expect(failed[0]?.last_error).toMatch(/550/);
    const delivered = rows.filter((r) => r.group_name === 'outage');
    expect(delivered.every((r) => r.status === 'accepted')).toBe(true);
    expect(Math.max(...delivered.map((r) => r.attempts))).toBeGreaterThan(1);
  }, 180_000);

  it('`mail outbox` surfaces the refused mail and `mail retry` sends it through a worker once the address works', async () => {
    const taskQueue = randomTaskQueue('mail-retry');
    const env = isolatedEnv({
      HERALD_DATABASE_URL: db.url,
      HERALD_HOME: mkdtempSync(path.join(tmpdir(), 'herald-mail-')),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_NAMESPACE: fileNamespace(),
      HERALD_TASK_QUEUE: taskQueue,
    });
    const outbox = await runCli(['mail', 'outbox', '--json'], env);
    expect(outbox.code, outbox.stderr).toBe(0);
    const rows = JSON.parse(outbox.stdout).outbox as { label: string; group: string; status: string }[];
    expect(rows).toEqual([expect.objectContaining({ group: 'bounce', status: 'failed' })]);
    // What `herald status` counts: the refusal, nothing left waiting.
    expect(await mailDeliveryState(db.pool, new Date(Date.now() - 3_600_000).toISOString())).toEqual({
      pending: 0,
      retrying: 0,
      failedSince: 1,
      lastError: null,
    });
    expect((await mailDeliveryState(db.pool, new Date().toISOString())).failedSince).toBe(0);
    // No worker polls the task queue yet: said at once instead of waiting for one. (Side by side
    // with a usage mistake, to keep the test short.)
    const [noWorker, usage] = await Promise.all([
      runCli(['mail', 'retry', rows[0]!.label], env),
      runCli(['mail', 'retry'], env),
    ]);
    expect(noWorker.code).toBe(1);
    expect(noWorker.stderr.trim()).toBe(
      `herald: no herald worker polls task queue ${taskQueue}; start one (herald worker) and retry`,
    );
    expect(usage.code).toBe(2);
    expect(usage.stderr.trim()).toBe('herald: mail retry: give a report label or --failed, not both');
    const worker = await createTestWorker({
      taskQueue,
      activities: reportingActivities(db.pool, mail.smtpUrl),
    });
    await worker.run(async () => {
      // Every failed mail at once, while the address is still refused: one line per mail, exit 1.
      const bulk = await runCli(['mail', 'retry', '--failed', '--limit', '1'], env);
      expect(bulk.code).toBe(1);
      expect(bulk.stdout).toMatch(new RegExp(`^${rows[0]!.label}: not delivered: SMTP refused <.+>: .*550`));
      expect(bulk.stdout).toContain('stopped at --limit 1: more failed mails may be left; run it again');
      expect(bulk.stderr.trim()).toBe('herald: 1 of 1 mails not delivered');
      expect((await mailDeliveryState(db.pool, new Date(0).toISOString())).failedSince).toBe(1);
      refuse = new Set();
      const retry = await runCli(['mail', 'retry', rows[0]!.label, '--json'], env);
      expect(retry.code, retry.stderr).toBe(0);
      expect(JSON.parse(retry.stdout)).toMatchObject({ status: 'accepted' });
      expect((await mail.messages()).filter((m) => m.envelopeTo.includes('gone@bounce.test'))).toHaveLength(
        1,
      );
      const again = await runCli(['mail', 'retry', rows[0]!.label], env);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('was already delivered');
    });
    // The send ran in a mailRetry workflow on the task queue, its mails on the mail task queue.
    const { client, close } = await testClient();
    try {
      const query = `WorkflowType = 'mailRetry' AND TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Completed'`;
      // Visibility lags the runs by a moment.
      await until('two completed mailRetry runs', async () =>
        (await client.workflow.count(query)).count === 2 ? true : undefined,
      );
    } finally {
      await close();
    }
  }, 180_000);
});
