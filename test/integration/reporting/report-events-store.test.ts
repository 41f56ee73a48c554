// Report events reach their report from a run's scratch sets (db/reporting/run-scratch.ts, filled
// with COPY, db/reporting/copy-rows.ts) and are kept as arrays per report and IP
// (report_event_sets, read through the report_events view): what goes in comes back exactly, a
// report takes only its chain's pairs (of its IP, for an extra report), and a report's events go
// with it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyText } from '../../../db/reporting/copy-rows';
import { RunScratch } from '../../../db/reporting/run-scratch';
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

interface ReportEventRow {
  reportId: number;
  eventId: string;
  storageTime: string;
  ip: string;
  relapsed: boolean;
  /** The report's chain (each report here has its own). */
  chainKey?: string;
}

/** Through a run's scratch table into each row's report (all of its chain, or only `ip`). */
async function store(rows: ReportEventRow[], ip: string | null = null): Promise<number> {
  const client = await db.pool.connect();
  try {
    const scratch = await RunScratch.open(client);
    for (const r of rows)
      scratch.passed.push({ pass: 'source', chainKey: r.chainKey ?? `c${r.reportId}`, ...r });
    await scratch.flush();
    await client.query('BEGIN');
    let written = 0;
    for (const reportId of new Set(rows.map((r) => r.reportId)))
      written += await scratch.copyReportEvents(reportId, { pass: 'source', chainKey: `c${reportId}`, ip });
    await client.query('COMMIT');
    await scratch.close();
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
      '{braces},NULL',
      'NULL',
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

  it("of an extra report are its IP's pairs of its chain, not another chain's", async () => {
    const extra = await newReport('copy-extra');
    const other = await newReport('copy-other');
    const rows = Array.from({ length: 12_000 }, (_, i) => ({
      reportId: extra,
      eventId: `x${i}`,
      storageTime: '2026-12-01 10:00:00+00',
      ip: i % 3 === 0 ? '192.0.2.9' : '192.0.2.10',
      relapsed: i % 2 === 0,
    }));
    // The same pairs in another chain: never the extra report's.
    const elsewhere = rows.slice(0, 10).map((r) => ({ ...r, reportId: other }));
    expect(await store([...rows, ...elsewhere], '192.0.2.9')).toBe(4_000 + 4);
    expect((await eventsOf(extra)).every((e) => e.ip === '192.0.2.9')).toBe(true);
    expect(await eventsOf(extra)).toHaveLength(4_000);
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
