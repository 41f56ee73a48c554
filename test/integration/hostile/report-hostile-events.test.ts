// Hostile input: a real reporting run (Temporal worker, PostgreSQL, SMTP) over stored
// hostile events — CR/LF with header-like text, SQL and script in every string field and in the
// class name the mail shows (detector names are IDEA tags: the schema refuses such text there), a 10 MB description, 10,000 IPs in one event — with
// hostile filters in the catalog (nested macros, a string blow-up over the 10 MB description).
// The run completes; the mails carry no injected header or recipient, the script stays text in
// the HTML part, and the mails stay within the attachment limit.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvents } from '../../../db/events/ingest';
import { type CaughtMail, type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import type { ReportGroupResult } from '../../../workflows/report-messages';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { createTestWorker, randomTaskQueue, testClient } from '../../support/temporal';
import { alignedPast, reportingActivities, runGroup, seedCatalog } from '../reporting/support';
import { everyStringField, INJECT, manyIps, SCRIPT, SQL } from './hostile-events';

let db: TestDatabase;
let mail: MailCatcher;
const mailDir = mkdtempSync(path.join(tmpdir(), 'herald-hostile-mail-'));
const timeHigh = alignedPast();
const storedAt = new Date(timeHigh.getTime() - 5 * 60_000);
const MAX_ATTACHMENT = 256 * 1024;
const ten = '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]';

const classified = (event: Record<string, unknown>, eventClass: string) => ({
  ...event,
  DetectTime: new Date(storedAt.getTime() - 60_000).toISOString(),
  _Mentat: { ResolvedAbuses: ['hostile'], EventClass: eventClass, EventSeverity: 'high' },
});

beforeAll(async () => {
  db = await freshDatabase();
  mail = await startMailCatcher({ smtpPort: 0, storeDir: mailDir });
  await seedCatalog(db.pool, {
    groups: [
      {
        name: 'hostile',
        networks: [{ network: '192.0.2.0/24' }, { network: '10.77.0.0/16' }],
        mode: 'summary',
        emails: { high: ['soc@hostile.test'] },
      },
    ],
    filters: [
      {
        group: 'hostile',
        name: 'loops',
        expression: `${ten}.exists(a, ${ten}.exists(b, ${ten}.exists(c, ${ten}.exists(d, ${ten}.exists(e, ${ten}.exists(f, false))))))`,
      },
      { group: 'hostile', name: 'grows', expression: 'Description.replace("", Description) == "never"' },
    ],
  });
  await db.pool.query(
    `UPDATE group_settings SET attachments = 'json', max_attachment_bytes = $1
      WHERE group_id = (SELECT id FROM groups WHERE name = 'hostile')`,
    [MAX_ATTACHMENT],
  );
  const events = [
    classified(everyStringField('sql-1', SQL, '192.0.2.10'), SQL),
    classified(everyStringField('crlf-1', INJECT, '192.0.2.11'), INJECT),
    classified(everyStringField('html-1', SCRIPT, '192.0.2.12'), SCRIPT),
    classified(
      {
        Format: 'IDEA0',
        ID: 'big-1',
        Category: ['Recon.Scanning'],
        Description: `${SCRIPT}${'z'.repeat(10 * 2 ** 20)}`,
        Source: [{ IP4: ['192.0.2.13'] }],
        Node: [{ Name: 'cz.example.hostile', Note: INJECT }],
      },
      'recon-scanning',
    ),
    classified(
      { Format: 'IDEA0', ID: 'many-1', Category: ['Recon.Scanning'], Source: [{ IP4: manyIps(10_000) }] },
      'recon-scanning',
    ),
  ];
  async function* records() {
    for (const [i, value] of events.entries()) yield { line: i + 1, value };
  }
  const summary = await ingestEvents(db.pool, records(), { storageTime: storedAt });
  expect(summary).toMatchObject({ accepted: events.length, rejected: 0 });
}, 120_000);

afterAll(async () => {
  await mail?.close();
  await db?.drop();
  rmSync(mailDir, { recursive: true, force: true });
});

/** Header names of a raw message (unfolded), lower-case. */
function headerNames(raw: string): string[] {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
  return head
    .split('\r\n')
    .filter((line) => !/^[ \t]/.test(line))
    .map((line) => line.slice(0, line.indexOf(':')).toLowerCase());
}

describe('a reporting run over hostile events', () => {
  let result: ReportGroupResult;
  let mails: CaughtMail[];
  let raws: string[];
  beforeAll(async () => {
    const taskQueue = randomTaskQueue('hostile-report');
    const worker = await createTestWorker({
      taskQueue,
      activities: reportingActivities(db.pool, mail.smtpUrl),
    });
    const { client, close } = await testClient();
    try {
      result = await worker.run(() =>
        runGroup(client, taskQueue, {
          group: 'hostile',
          timeHigh: timeHigh.toISOString(),
          severities: ['high'],
        }),
      );
    } finally {
      await close();
    }
    mails = await mail.messages();
    raws = readdirSync(mailDir)
      .filter((f) => f.endsWith('.eml'))
      .map((f) => readFileSync(path.join(mailDir, f), 'latin1'));
  }, 300_000);

  it('completes, skipping the hostile filters, and mails one summary of all 10,004 IPs', async () => {
    expect(result.severities.high).toMatchObject({ mail: { accepted: 1, failed: 0 } });
    expect(mails).toHaveLength(1);
    const { rows } = await db.pool.query(
      `SELECT evcount_rep, evcount_flt_blk, (statistics->>'cnt_ips')::int AS ips FROM reports WHERE group_name = 'hostile'`,
    );
    expect(rows).toEqual([{ evcount_rep: 5, evcount_flt_blk: 0, ips: 10_004 }]);
  });

  it('injects no header and no recipient: every mail goes to soc@hostile.test only', () => {
    const allowed = new Set([
      'content-type',
      'from',
      'to',
      'subject',
      'message-id',
      'date',
      'mime-version',
      'x-mentat-report-class',
      'x-mentat-report-type',
      'x-cesnet-report-type',
      'x-mentat-report-id',
      'x-cesnet-report-id',
      'x-mentat-report-severity',
      'x-cesnet-report-severity',
      'x-mentat-report-event-count',
      'x-mentat-report-time-window',
      'x-mentat-report-test-data',
      'x-mentat-report-parent-id',
      'x-mentat-report-src-ip',
      'x-cesnet-report-srcip',
    ]);
    expect(raws).toHaveLength(mails.length);
    for (const raw of raws) for (const name of headerNames(raw)) expect(allowed).toContain(name);
    for (const m of mails) {
      expect(m.envelopeTo).toEqual(['soc@hostile.test']);
      expect(m.to).toEqual(['soc@hostile.test']);
      expect(m.cc).toEqual([]);
      expect(m.bcc).toEqual([]);
      expect(m.headers['x-injected']).toBeUndefined();
    }
  });

  it('shows the hostile class and detector names as text: script escaped in HTML, CR/LF harmless', () => {
    const summary = mails.find((m) => m.headers['x-mentat-report-type'] === 'summary')!;
    expect(summary.html).toBeTruthy();
    expect(summary.html).not.toMatch(/<script/i);
    expect(summary.html).not.toMatch(/<img/i);
    expect(summary.html).toContain('&lt;script&gt;');
    expect(summary.text).toContain('<script>alert("xss")</script>');
    expect(summary.text).toContain('DROP TABLE events');
  });

  it('keeps every mail within the attachment limit and says how many events it left out', () => {
    const summary = mails.find((m) => m.headers['x-mentat-report-type'] === 'summary')!;
    const [attachment] = summary.attachments;
    expect(attachment!.size).toBeLessThanOrEqual(MAX_ATTACHMENT);
    expect(summary.text).toMatch(/not attached|omitted|left out/i);
    for (const raw of raws) expect(raw.length).toBeLessThan(4 * MAX_ATTACHMENT);
  });
});
