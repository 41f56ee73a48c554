// Report events are written with COPY (db/reporting/copy-rows.ts) and, since migration 0620, kept
// tied to their report by triggers instead of a row-by-row foreign key: what goes in comes back
// exactly, and a report's events go with the report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyText } from '../../../db/reporting/copy-rows';
import { insertReportEventRows, type ReportEventRow } from '../../../db/reporting/report-events';
import { freshDatabase, type TestDatabase } from '../../support/database';

let db: TestDatabase;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => {
  await db?.drop();
});

async function newReport(label: string): Promise<number> {
  const { rows } = await db.pool.query<{ id: string }>(
    `INSERT INTO reports (label, report_key, run_id, group_name, severity, type, chain, fallback,
                          window_from, window_to, delta_seconds, evcount_rep, evcount_all, locale, timezone, template)
     VALUES ($1, $1, 'run', 'g', 'low', 'summary', '{g}', '{}', now() - interval '1 hour', now(), 3600, 1, 1, 'en', 'UTC', 'default')
     RETURNING id`,
    [label],
  );
  return Number(rows[0]!.id);
}

async function store(rows: ReportEventRow[]): Promise<number> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    const written = await insertReportEventRows(client, rows);
    await client.query('COMMIT');
    return written;
  } finally {
    client.release();
  }
}

const eventsOf = async (reportId: number) =>
  (
    await db.pool.query<{ event_id: string; storage_time: string; ip: string; relapsed: boolean }>(
      `SELECT event_id, storage_time::text, host(ip) AS ip, relapsed FROM report_events
        WHERE report_id = $1 ORDER BY event_id, ip`,
      [reportId],
    )
  ).rows;

describe('report events', () => {
  it('escape tab, newline, carriage return and backslash for COPY and nothing else', () => {
    expect(copyText('a\tb\nc\rd\\e "f" ž')).toBe('a\\tb\\nc\\rd\\\\e "f" ž');
    expect(copyText(12)).toBe('12');
    expect(copyText(true)).toBe('t');
    expect(copyText(false)).toBe('f');
  });

  it('come back exactly as written, whatever characters an event ID holds', async () => {
    const reportId = await newReport('copy-1');
    const ids = [
      'plain-uuid',
      'tab\there',
      'line\nbreak',
      'cr\rhere',
      'back\\slash\\N',
      '"quoted", ž',
      '\\.',
    ];
    const rows: ReportEventRow[] = ids.flatMap((eventId, i) => [
      {
        reportId,
        eventId,
        storageTime: `2026-12-01 10:00:0${i}.123456+00`,
        ip: '192.0.2.7',
        relapsed: i % 2 === 0,
      },
      {
        reportId,
        eventId,
        storageTime: `2026-12-01 10:00:0${i}.123456+00`,
        ip: '2001:db8::7',
        relapsed: false,
      },
    ]);
    expect(await store(rows)).toBe(rows.length);
    const stored = await eventsOf(reportId);
    expect(stored).toHaveLength(rows.length);
    for (const row of rows)
      expect(stored).toContainEqual({
        event_id: row.eventId,
        storage_time: row.storageTime,
        ip: row.ip,
        relapsed: row.relapsed,
      });
    expect(await store([])).toBe(0);
  });

  it('are written in pieces when a report has many (one COPY, every row stored)', async () => {
    const reportId = await newReport('copy-many');
    const rows = Array.from({ length: 45_001 }, (_, i) => ({
      reportId,
      eventId: `e${i}`,
      storageTime: '2026-12-01 10:00:00+00',
      ip: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`,
      relapsed: false,
    }));
    expect(await store(rows)).toBe(rows.length);
    const { rows: count } = await db.pool.query(
      'SELECT count(*)::int AS n FROM report_events WHERE report_id = $1',
      [reportId],
    );
    expect(count[0].n).toBe(rows.length);
  });

  it("go with their report when it is deleted, and only that report's", async () => {
    const kept = await newReport('keep');
    const removed = await newReport('remove');
    const row = (reportId: number, eventId: string) => ({
      reportId,
      eventId,
      storageTime: '2026-12-01 10:00:00+00',
      ip: '192.0.2.1',
      relapsed: false,
    });
    await store([row(kept, 'k1'), row(removed, 'r1'), row(removed, 'r2')]);
    await db.pool.query('DELETE FROM reports WHERE id = $1', [removed]);
    expect(await eventsOf(removed)).toEqual([]);
    expect((await eventsOf(kept)).map((e) => e.event_id)).toEqual(['k1']);

    await db.pool.query('TRUNCATE reports CASCADE');
    const { rows: left } = await db.pool.query('SELECT count(*)::int AS n FROM report_events');
    expect(left[0].n).toBe(0);
  });
});
