// A report's statistics as PostgreSQL counts them (db/reporting/report-statistics.ts) against the
// same counts made here from the stored events: each event once however many of its IPs the
// report names, each value once per event (repeated categories, analyzers and addresses), the
// last node as the detector and its `SW` as the analyzers, and the target side's class,
// severity and abuses in a target report.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvents } from '../../../db/events/ingest';
import { storeReportStatistics } from '../../../db/reporting/report-statistics';
import {
  reportStatistics,
  STATISTICS_KEYS,
  type StatisticsKey,
} from '../../../domain/reporting/report-statistics';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { seedCatalog } from './support';

let db: TestDatabase;
const storageTime = new Date(Date.now() - 3_600_000);
const detectTime = new Date(storageTime.getTime() - 60_000).toISOString();

function idea(fields: Record<string, unknown>): Record<string, unknown> {
  return { Format: 'IDEA0', ID: randomUUID(), DetectTime: detectTime, ...fields };
}

const EVENTS = [
  idea({
    Category: ['Recon.Scanning', 'Recon.Scanning', 'Attempt.Login'],
    Source: [{ IP4: ['192.0.2.10', '192.0.2.11', '192.0.2.10'] }],
    Target: [{ IP4: ['198.51.100.1', '198.51.100.2'] }],
    Node: [
      { Name: 'cz.example.relay', SW: ['relay'] },
      { Name: 'cz.example.sensor', SW: ['kippo', 'kippo', 'dionaea'] },
    ],
  }),
  idea({
    Category: ['Recon.Scanning'],
    Source: [{ IP4: ['192.0.2.10'] }],
    Target: [{ IP4: ['198.51.100.1'] }],
    Node: [{ Name: 'cz.example.sensor' }],
  }),
  idea({
    Category: ['Abusive.Spam'],
    Source: [{ IP4: ['192.0.2.12'], IP6: ['2001:db8::12'] }],
    Node: [{ Name: 'cz.example.other' }],
  }),
  idea({
    Category: ['Attempt.Login'],
    Source: [{ IP4: ['203.0.113.5'] }],
    Target: [{ IP4: ['192.0.2.20', '192.0.2.21'] }],
    Node: [{ Name: 'cz.example.sensor', SW: ['kippo'] }],
  }),
];

beforeAll(async () => {
  db = await freshDatabase();
  await seedCatalog(db.pool, {
    groups: [{ name: 'stats', networks: [{ network: '192.0.2.0/24' }, { network: '2001:db8::/64' }] }],
  });
  async function* records() {
    for (const [i, value] of EVENTS.entries()) yield { line: i + 1, value };
  }
  const summary = await ingestEvents(db.pool, records(), { storageTime });
  expect(summary.accepted).toBe(EVENTS.length);
});
afterAll(async () => {
  await db?.drop();
});

async function newReport(
  type: 'summary' | 'target',
  pairs: { event: number; ip: string }[],
): Promise<number> {
  const { rows } = await db.pool.query<{ id: string }>(
    `INSERT INTO reports (label, report_key, run_id, group_name, severity, type, chain, fallback,
                          window_from, window_to, delta_seconds, evcount_rep, evcount_all, locale, timezone, template)
     VALUES ($1, $1, 'run', 'stats', 'low', $2, '{stats}', '{}', now() - interval '1 hour', now(), 3600, 1, 1, 'en', 'UTC', 'default')
     RETURNING id`,
    [randomUUID(), type],
  );
  const id = Number(rows[0]!.id);
  for (const p of pairs)
    await db.pool.query(
      `INSERT INTO report_event_sets (report_id, ip, relapsed, event_ids, storage_times)
       SELECT $1, $3, false, ARRAY[id], ARRAY[storage_time] FROM events WHERE id = $2`,
      [id, EVENTS[p.event]!.ID, p.ip],
    );
  return id;
}

/** The statistics counted here from the stored rows of the report's events. */
async function expected(reportId: number, target: boolean) {
  const { rows } = await db.pool.query<{
    class: string | null;
    categories: string[];
    node_names: string[];
    event: { Node?: { SW?: unknown }[] };
    sources: string[];
    targets: string[];
    abuses: string[];
    severity: string | null;
  }>(
    `SELECT CASE WHEN $2 THEN target_class ELSE event_class END AS class, categories, node_names, event,
            ARRAY(SELECT abbrev(x) FROM unnest(source_ips) x) AS sources,
            ARRAY(SELECT abbrev(x) FROM unnest(target_ips) x) AS targets,
            CASE WHEN $2 THEN target_abuses ELSE resolved_abuses END AS abuses,
            CASE WHEN $2 THEN target_severity ELSE event_severity END AS severity
       FROM events WHERE id IN (SELECT event_id FROM report_events WHERE report_id = $1)`,
    [reportId, target],
  );
  const counts = new Map<string, number>();
  const withValue: Partial<Record<StatisticsKey, number>> = {};
  for (const r of rows) {
    const sw = r.event.Node?.at(-1)?.SW;
    const facts: Record<StatisticsKey, (string | null)[]> = {
      classes: [r.class],
      categories: r.categories,
      category_sets: [r.categories.length > 0 ? [...r.categories].sort().join('/') : null],
      detectors: [r.node_names.at(-1) ?? null],
      analyzers: Array.isArray(sw) ? sw.map(String) : [],
      sources: r.sources,
      targets: r.targets,
      abuses: r.abuses,
      severities: [r.severity],
    };
    for (const key of STATISTICS_KEYS) {
      const values = new Set(facts[key].filter((v) => v !== null));
      if (values.size > 0) withValue[key] = (withValue[key] ?? 0) + 1;
      for (const v of values) counts.set(`${key}\u0000${v}`, (counts.get(`${key}\u0000${v}`) ?? 0) + 1);
    }
  }
  const { rows: ips } = await db.pool.query<{ n: number }>(
    'SELECT count(DISTINCT ip)::int AS n FROM report_events WHERE report_id = $1',
    [reportId],
  );
  return reportStatistics(
    rows.length,
    ips[0]!.n,
    [...counts].map(([k, events]) => {
      const [key, value] = k.split('\u0000') as [StatisticsKey, string];
      return { key, value, events };
    }),
    withValue,
  );
}

describe('report statistics counted by PostgreSQL', () => {
  it('counts each event once per value in a summary report, however many of its IPs it names', async () => {
    const id = await newReport('summary', [
      { event: 0, ip: '192.0.2.10' },
      { event: 0, ip: '192.0.2.11' },
      { event: 1, ip: '192.0.2.10' },
      { event: 2, ip: '192.0.2.12' },
      { event: 2, ip: '2001:db8::12' },
    ]);
    const stats = await storeReportStatistics(db.pool, id, false);
    expect(stats).toEqual(await expected(id, false));
    expect(stats).toMatchObject({ cnt_events: 3, cnt_ips: 4 });
    expect(stats.categories).toEqual({ 'Recon.Scanning': 2, 'Attempt.Login': 1, 'Abusive.Spam': 1 });
    expect(stats.analyzers).toEqual({ kippo: 1, dionaea: 1, __unknown__: 2 });
    expect(stats.detectors).toEqual({ 'cz.example.sensor': 2, 'cz.example.other': 1 });
    expect(stats.sources['192.0.2.10']).toBe(2);
    expect(stats.targets).toEqual({ '198.51.100.1': 2, '198.51.100.2': 1, __unknown__: 1 });
    const { rows } = await db.pool.query('SELECT statistics FROM reports WHERE id = $1', [id]);
    expect(rows[0].statistics).toEqual(stats);
  });

  it("counts a target report's events by their target class, severity and abuses", async () => {
    const id = await newReport('target', [
      { event: 3, ip: '192.0.2.20' },
      { event: 3, ip: '192.0.2.21' },
    ]);
    const stats = await storeReportStatistics(db.pool, id, true);
    expect(stats).toEqual(await expected(id, true));
    expect(stats).toMatchObject({ cnt_events: 1, cnt_ips: 2 });
    expect(stats.abuses).toEqual({ stats: 1 });
  });

  it('gives a report without events zero counts', async () => {
    const id = await newReport('summary', []);
    const stats = await storeReportStatistics(db.pool, id, false);
    expect(stats).toEqual(await expected(id, false));
    expect(stats.cnt_events).toBe(0);
  });
});
