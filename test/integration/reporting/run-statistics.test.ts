// A severity run counts its summary and target reports' statistics while it reads the events
// (domain/reporting/statistics-tally.ts); extra reports are counted by PostgreSQL from the stored
// events. Whichever counted, every stored report
// must hold what PostgreSQL counts from its stored events: events with several IPs, in two chains
// at once, with repeated categories and analyzers, IPv6, without a target, and target reports.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportStatistics } from '../../../domain/reporting/report-statistics';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import type { ReportGroupResult } from '../../../workflows/report-messages';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { createTestWorker, randomTaskQueue, testClient } from '../../support/temporal';
import {
  alignedPast,
  recountedStatistics,
  reportingActivities,
  runGroup,
  seedCatalog,
  storeDocuments,
} from './support';

let db: TestDatabase;
let mail: MailCatcher;
let run: ReportGroupResult;
const timeHigh = alignedPast(10);
const storageTime = new Date(timeHigh.getTime() - 5 * 60_000);

function idea(
  fields: Record<string, unknown>,
  mentat: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    Format: 'IDEA0',
    ID: randomUUID(),
    DetectTime: new Date(storageTime.getTime() - 60_000).toISOString(),
    ...fields,
    _Mentat: { EventClass: 'recon-scanning', EventSeverity: 'low', ...mentat },
  };
}

const EVENTS = [
  idea({
    Category: ['Recon.Scanning', 'Recon.Scanning', 'Attempt.Login'],
    Source: [{ IP4: ['192.0.2.10', '192.0.2.11', '192.0.2.10'] }],
    Target: [{ IP4: ['203.0.113.1', '203.0.113.2'] }],
    Node: [
      { Name: 'cz.example.relay', SW: ['relay'] },
      { Name: 'cz.example.sensor', SW: ['kippo', 'kippo', 'dionaea'] },
    ],
  }),
  // One event, two chains of the run's group: the dorms' network lies inside the university's.
  idea({
    Category: ['Recon.Scanning'],
    Source: [{ IP4: ['192.0.2.70', '192.0.2.12'] }],
    Target: [{ IP4: ['203.0.113.1'] }],
    Node: [{ Name: 'cz.example.sensor', SW: ['kippo'] }],
  }),
  idea({
    Category: ['Abusive.Spam', 'Abusive.Spam'],
    Source: [{ IP4: ['192.0.2.12'], IP6: ['2001:db8::12'] }],
    Node: [{ Name: 'cz.example.other' }],
  }),
  idea({
    Category: ['Attempt.Exploit'],
    Source: [{ IP4: ['192.0.2.71', '192.0.2.13'] }],
    Node: [{ Name: 'cz.example.sensor', SW: ['kippo', 'honeypot'] }],
  }),
  // Attacks on the university: its target report.
  idea(
    {
      Category: ['Attempt.Login'],
      Source: [{ IP4: ['198.51.100.5'] }],
      Target: [{ IP4: ['192.0.2.20', '192.0.2.21'] }],
      Node: [{ Name: 'cz.example.sensor', SW: ['kippo'] }],
    },
    { TargetClass: 'attempt-login-target', TargetSeverity: 'low' },
  ),
];

beforeAll(async () => {
  db = await freshDatabase();
  mail = await startMailCatcher({ smtpPort: 0 });
  await seedCatalog(db.pool, {
    groups: [
      { name: 'uni', mode: 'both', networks: [{ network: '192.0.2.0/24' }, { network: '2001:db8::/64' }] },
      { name: 'dorms', networks: [{ network: '192.0.2.64/27' }] },
    ],
  });
  await storeDocuments(db.pool, EVENTS, storageTime);

  const taskQueue = randomTaskQueue('run-statistics');
  const worker = await createTestWorker({
    taskQueue,
    activities: reportingActivities(db.pool, mail.smtpUrl),
  });
  const { client, close } = await testClient();
  try {
    run = await worker.run(() =>
      runGroup(client, taskQueue, { group: 'uni', timeHigh: timeHigh.toISOString(), severities: ['low'] }),
    );
  } finally {
    await close();
  }
}, 120_000);

afterAll(async () => {
  await mail?.close();
  await db?.drop();
});

describe('statistics counted by the run', () => {
  it('stores for every report what PostgreSQL counts from its stored events', async () => {
    expect(run.severities.low).toMatchObject({ result: 'reported' });
    const reports = await recountedStatistics(db.pool);
    expect(new Set(reports.map((r) => r.type))).toEqual(new Set(['summary', 'extra', 'target']));
    for (const r of reports)
      expect({ label: r.label, statistics: r.stored }).toEqual({ label: r.label, statistics: r.recounted });
  });

  it('counts an event in two chains once in each, with its values made distinct', async () => {
    const reports = await recountedStatistics(db.pool);
    const summaries = reports.filter((r) => r.type === 'summary').map((r) => r.stored as ReportStatistics);
    // The university's own chain: all four events; the dorms' chain: events 1 and 3, each with
    // both its addresses (the statistics read the event, not the pair).
    const own = summaries.find((s) => s.cnt_events === 4)!;
    expect(own.categories).toEqual({
      'Recon.Scanning': 2,
      'Attempt.Login': 1,
      'Abusive.Spam': 1,
      'Attempt.Exploit': 1,
    });
    expect(own.category_sets).toEqual({
      'Attempt.Login/Recon.Scanning/Recon.Scanning': 1,
      'Recon.Scanning': 1,
      'Abusive.Spam/Abusive.Spam': 1,
      'Attempt.Exploit': 1,
    });
    expect(own.analyzers).toEqual({ kippo: 3, dionaea: 1, honeypot: 1, __unknown__: 1 });
    expect(own.sources['192.0.2.12']).toBe(2);
    expect(own.sources['192.0.2.70']).toBe(1);
    expect(own.targets).toEqual({ '203.0.113.1': 2, '203.0.113.2': 1, __unknown__: 2 });
    const dorms = summaries.find((s) => s.cnt_events === 2)!;
    expect(dorms.analyzers).toEqual({ kippo: 2, honeypot: 1 });
    expect(dorms.sources).toEqual({ '192.0.2.12': 1, '192.0.2.13': 1, '192.0.2.70': 1, '192.0.2.71': 1 });
    const target = reports.find((r) => r.type === 'target')!.stored as ReportStatistics;
    expect(target).toMatchObject({ cnt_events: 1, cnt_ips: 2, classes: { 'attempt-login-target': 1 } });
  });
});
