// Wrong recipients, end to end: a catalog drawn by fast-check (seeded) — groups with
// nested networks, address lists on every severity, Bcc-worthy fallbacks, one group on redirect —
// reported by real runs (Temporal, PostgreSQL, SMTP). In mail test mode the SMTP envelope and
// the To/Cc/Bcc headers of every mail received hold the test address only; without test mode the
// redirected group's mails reach the admin address only.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { createTestWorker, randomTaskQueue, testClient } from '../../support/temporal';
import {
  alignedPast,
  type EventSpec,
  type GroupSpec,
  reportingActivities,
  runGroup,
  seedCatalog,
  storeEvents,
} from '../reporting/support';

const dbs: TestDatabase[] = [];
let mail: MailCatcher;
const TESTER = 'tester@csirt.test';
const ADMIN = 'admin@csirt.test';
const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;

// Five groups on nested networks of 10.9.0.0/16 (so chains and fallbacks span several groups),
// each with 0–2 addresses per severity; the last one redirects.
const [drawn] = fc.sample(
  fc.tuple(
    ...[0, 1, 2, 3, 4].map((i) =>
      fc.record({
        mode: fc.constantFrom('summary', 'extra', 'both'),
        emails: fc.record(
          Object.fromEntries(
            SEVERITIES.map((sev) => [
              sev,
              fc.subarray([0, 1]).map((ns) => ns.map((n) => `g${i}-${sev}-${n}@groups.test`)),
            ]),
          ),
        ),
        ips: fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 3 }),
      }),
    ),
  ),
  { seed: 8, numRuns: 1 },
);
const networks: GroupSpec['networks'][] = [
  [{ network: '10.9.0.0/16', isBase: true }],
  [{ network: '10.9.0.0/20' }],
  [{ network: '10.9.1.0/24' }, { network: '10.9.2.0/24' }],
  [{ network: '10.9.1.0/26' }],
  [{ network: '10.9.2.0/26' }],
];
const groups: GroupSpec[] = drawn!.map((g, i) => ({
  name: `g${i}`,
  networks: networks[i]!,
  mode: g.mode,
  emails: g.emails,
  redirect: i === 4,
}));
// Events inside each group's most specific network, so every group has something to report.
const events: EventSpec[] = drawn!.flatMap((g, i) =>
  g.ips.map((n) => ({
    group: `g${i}`,
    severity: 'high' as const,
    ip: i === 0 ? `10.9.200.${n}` : i === 1 ? `10.9.8.${n}` : i === 4 ? `10.9.2.${n}` : `10.9.1.${n}`,
  })),
);

/** A database of its own per run: the catalog and the events, nothing reported yet. */
async function seeded(storedAt: Date): Promise<TestDatabase> {
  const db = await freshDatabase();
  dbs.push(db);
  await seedCatalog(db.pool, { groups, fallback: ['fallback@csirt.test'], admin: [ADMIN] });
  await db.pool.query(
    `INSERT INTO event_classes (name, label_en, label_cs, rule, severity) VALUES ('recon-scanning', 'Scanning', 'Sken', 'true', 'high')`,
  );
  await storeEvents(db.pool, events, storedAt);
  return db;
}

beforeAll(async () => {
  mail = await startMailCatcher({ smtpPort: 0 });
});

afterAll(async () => {
  await mail?.close();
  for (const db of dbs) await db.drop();
});

// Each run reports its own window (child workflow ids are per group, severity and window).
async function runAll(force: Record<string, unknown>, names: string[], timeHigh: Date) {
  const db = await seeded(new Date(timeHigh.getTime() - 5 * 60_000));
  const taskQueue = randomTaskQueue('hostile-envelope');
  const worker = await createTestWorker({
    taskQueue,
    activities: reportingActivities(db.pool, mail.smtpUrl),
  });
  const { client, close } = await testClient();
  try {
    const results = await worker.run(() =>
      Promise.all(
        names.map((group) =>
          runGroup(client, taskQueue, {
            group,
            timeHigh: timeHigh.toISOString(),
            severities: ['high'],
            force,
          }),
        ),
      ),
    );
    return { results, db };
  } finally {
    await close();
  }
}

describe('SMTP envelope of real runs over a random catalog', () => {
  it('in mail test mode carries only the test address, in envelope and headers', async () => {
    const { results } = await runAll(
      { mailTestMode: true, mailTo: [TESTER] },
      groups.map((g) => g.name),
      alignedPast(),
    );
    const mails = await mail.messages();
    const sent = results.reduce((n, r) => n + (r.severities.high?.mail?.accepted ?? 0), 0);
    expect(sent).toBeGreaterThanOrEqual(groups.length);
    expect(mails).toHaveLength(sent);
    for (const m of mails) {
      expect(m.envelopeTo).toEqual([TESTER]);
      expect(m.to).toEqual([TESTER]);
      expect(m.cc).toEqual([]);
      expect(m.bcc).toEqual([]);
    }
  }, 180_000);

  it('without test mode, mails decided by the redirected group reach only the admin address', async () => {
    mail.clear();
    // An hour before the first test's window. It was alignedPast(10): a 10-minute boundary between
    // the two tests made that the first test's window, whose child workflow ids (per group,
    // severity and window) this namespace already held, and g4's high run never started.
    const { results, db } = await runAll({}, ['g4'], alignedPast(60));
    const mails = await mail.messages();
    expect(mails.length).toBe(results[0]!.severities.high?.mail?.accepted);
    const { rows } = await db.pool.query<{
      label: string;
      mail_groups: string[];
      chain: string[];
      fallback: string[];
    }>('SELECT label, mail_groups, chain, fallback FROM reports');
    const byMessageId = new Map(rows.map((r) => [`<${r.label}@csirt.test>`, r]));
    let redirected = 0;
    for (const m of mails) {
      const report = byMessageId.get(m.messageId ?? '')!;
      expect(m.cc.every((a) => m.envelopeTo.includes(a))).toBe(true);
      expect(m.bcc).toEqual([]);
      if (report.mail_groups[0] === 'g4') {
        // g4 redirects: whatever it decides goes to the admins only, Cc cleared.
        redirected++;
        expect(m.envelopeTo).toEqual([ADMIN]);
        expect(m.cc).toEqual([]);
      } else {
        // Another group of the chain wants this report type and decides: its own addresses.
        for (const address of m.envelopeTo)
          expect([...report.chain, ...report.fallback, 'fallback@csirt.test']).toContain(
            address.split('-')[0],
          );
      }
    }
    expect(redirected).toBeGreaterThan(0);
  }, 180_000);
});
