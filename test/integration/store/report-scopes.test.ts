// The reporter's scope index (migration 0600): herald_report_scopes names each (pass, severity,
// group) of an event; the window query and the quiet-window check select through it exactly the
// events the plain predicates select, and PostgreSQL reads them through that index, which keeps no
// pending list for them to scan (migration 0640).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietWindowsQuery } from '../../../db/reporting/quiet-windows';
import { type WindowQuery, windowEventBatches, windowEventsQuery } from '../../../db/reporting/window-events';
import { SEVERITIES } from '../../../domain/reporting/severities';
import type { Pass } from '../../../domain/reporting/threshold-key';
import { generateEvents } from '../../../scripts/demo/generate-events';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { idea, importDemoCatalogs, ingestValues, planNodes } from './helpers';

let db: TestDatabase;
let groups: string[];
const from = new Date('2024-05-02T00:00:00Z');
const to = new Date('2024-05-03T00:00:00Z');

beforeAll(async () => {
  db = await freshDatabase();
  await importDemoCatalogs(db.pool);
  // A day of generated events (sources and targets in the demo groups, every severity) plus a
  // shadow-reported, a test and an out-of-window event that no window query may return.
  const bulk = [...generateEvents({ count: 12_000, seed: 5, now: new Date('2024-05-02T23:30:00Z') })];
  for (let hour = 0; hour < 24; hour++)
    await ingestValues(db.pool, bulk.slice(hour * 500, (hour + 1) * 500), {
      storageTime: new Date(Date.UTC(2024, 4, 2, hour, 11)),
    });
  await ingestValues(
    db.pool,
    [idea({ ID: 'test-event', Category: ['Recon.Scanning', 'Test'], Source: [{ IP4: ['192.0.2.10'] }] })],
    { storageTime: new Date('2024-05-02T12:00:00Z') },
  );
  await ingestValues(
    db.pool,
    [idea({ ID: 'next-day', Category: ['Recon.Scanning'], Source: [{ IP4: ['192.0.2.10'] }] })],
    {
      storageTime: to,
    },
  );
  await db.pool.query(
    "UPDATE events SET shadow_reporting = true WHERE id = (SELECT min(id) FROM events WHERE 'university' = ANY(resolved_abuses))",
  );
  await db.pool.query('ANALYZE events');
  groups = (await db.pool.query<{ name: string }>('SELECT name FROM groups ORDER BY name')).rows.map(
    (r) => r.name,
  );
});
afterAll(async () => {
  await db?.drop();
});

const query = (pass: Pass, severity: string, group: string, batchSize = 5000): WindowQuery => ({
  group,
  severity,
  pass,
  from,
  to,
  testData: false,
  document: [],
  batchSize,
});

describe('report scopes', () => {
  it('names each pass, severity and abuse group of an event, and nothing without a severity', async () => {
    const { rows } = await db.pool.query<{ both: string[]; none: string[]; empty: string[] }>(
      `SELECT herald_report_scopes('high', '{university,csirt-national}', 'low', '{isp-example}') AS both,
              herald_report_scopes(NULL, '{university}', NULL, '{isp-example}') AS none,
              herald_report_scopes('high', '{}', 'low', '{}') AS empty`,
    );
    expect(rows[0]).toEqual({
      both: ['source:high:university', 'source:high:csirt-national', 'target:low:isp-example'],
      none: [],
      empty: [],
    });
  });

  it('selects through the scope exactly what severity, group, window, shadow and test flags select', async () => {
    let compared = 0;
    const client = await db.pool.connect();
    for (const pass of ['source', 'target'] as Pass[])
      for (const severity of SEVERITIES)
        for (const group of groups) {
          const got: string[] = [];
          // A small batch size so the cursor is read in many batches.
          for await (const batch of windowEventBatches(client, query(pass, severity, group, 97)))
            got.push(...batch.map((e) => e.id));
          const target = pass === 'target';
          const { rows } = await db.pool.query<{ id: string }>(
            `SELECT id FROM events
              WHERE storage_time >= $1 AND storage_time < $2
                AND ${target ? 'target_severity' : 'event_severity'} = $3
                AND $4 = ANY(${target ? 'target_abuses' : 'resolved_abuses'})
                AND NOT ${target ? 'shadow_reporting_target' : 'shadow_reporting'} AND NOT is_test
              ORDER BY storage_time, id`,
            [from, to, severity, group],
          );
          expect(got, `${pass} ${severity} ${group}`).toEqual(rows.map((r) => r.id));
          compared += got.length;
        }
    client.release();
    // The generated day reaches every pass: the comparison was not over empty sets.
    expect(compared).toBeGreaterThan(10_000);
  });

  it('reads the window through the scope index, not the severity’s whole range (EXPLAIN)', async () => {
    const fetch = windowEventsQuery(query('source', 'low', 'university'));
    const fetchNodes = await planNodes(db.pool, fetch.text, fetch.values);
    expect(fetchNodes.some((n) => n['Index Name']?.includes('herald_report_scopes'))).toBe(true);
    expect(fetchNodes.filter((n) => n['Index Name']?.includes('severity'))).toEqual([]);
    expect(
      fetchNodes.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'events_20240502'),
    ).toEqual([]);

    const quiet = quietWindowsQuery({
      group: 'university',
      testData: false,
      realm: 'real',
      to,
      windows: SEVERITIES.map((severity) => ({ severity, from })),
    });
    const quietNodes = await planNodes(db.pool, quiet.text, quiet.values);
    const eventIndexes = quietNodes.filter((n) => n['Index Name']?.startsWith('events_'));
    expect(eventIndexes.length).toBeGreaterThan(0);
    expect(eventIndexes.every((n) => n['Index Name']!.includes('herald_report_scopes'))).toBe(true);
  });

  it('keeps no pending list: after an ingest, window queries scan no unsorted entries (0640)', async () => {
    // A partition attached after the migration takes the option from the partitioned index too.
    await db.pool.query("SELECT herald_ensure_event_partitions('2031-01-01', '2031-01-01')");
    // gin_clean_pending_list: how many pending-list pages there were (and merges them).
    const { rows } = await db.pool.query<{ name: string; options: string[] | null; pending: number }>(
      `SELECT c.relname AS name, c.reloptions AS options, gin_clean_pending_list(c.oid)::int AS pending
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'events_report_scopes_idx'::regclass
        ORDER BY c.relname`,
    );
    const names = rows.map((r) => r.name);
    expect(names).toContain('events_20240502_herald_report_scopes_idx');
    expect(names).toContain('events_20310101_herald_report_scopes_idx');
    for (const r of rows) {
      expect(r.options, r.name).toContain('fastupdate=off');
      // The day above got 12,000 events in 24 ingests: with a pending list they would wait there.
      expect(r.pending, r.name).toBe(0);
    }
  });
});
