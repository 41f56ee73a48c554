// report_events: which events (per IP) a report holds; written with COPY, read for attachments.
import type pg from 'pg';
import { copyRows } from './copy-rows';

export interface ReportEventRow {
  reportId: number;
  eventId: string;
  storageTime: string;
  ip: string;
  relapsed: boolean;
}

/**
 * Report events computed in the worker, with COPY: the report was inserted in this transaction and
 * the rows are one per (event, IP), so none can be there already.
 */
export async function insertReportEventRows(
  client: pg.PoolClient,
  rows: readonly ReportEventRow[],
): Promise<number> {
  return copyRows(
    client,
    { table: 'report_events', columns: ['report_id', 'event_id', 'storage_time', 'ip', 'relapsed'] },
    rows,
    (r) => [r.reportId, r.eventId, r.storageTime, r.ip, r.relapsed],
  );
}

/**
 * The report's events as JSON text, oldest first, as many as fit into `maxBytes` (0: all); the
 * database does the cut so a large report never passes through the process whole.
 */
export async function reportEventsJson(
  db: Pick<pg.PoolClient, 'query'>,
  reportId: number,
  maxBytes: number,
): Promise<{ events: string[]; total: number }> {
  const { rows } = await db.query<{ event: string | null; total: number }>(
    `WITH ev AS (
       SELECT DISTINCT ON (e.id) e.id, e.storage_time, e.event::text AS event
         FROM report_events re JOIN events e ON e.id = re.event_id AND e.storage_time = re.storage_time
        WHERE re.report_id = $1
        ORDER BY e.id, e.storage_time),
     sized AS (
       SELECT event, sum(octet_length(event) + 2) OVER (ORDER BY storage_time, id) AS upto,
              count(*) OVER () AS total
         FROM ev)
     SELECT event, total::int FROM sized WHERE $2::bigint = 0 OR upto <= $2::bigint
     UNION ALL SELECT NULL, (SELECT count(*)::int FROM ev)`,
    [reportId, maxBytes],
  );
  const total = rows[rows.length - 1]?.total ?? 0;
  return { events: rows.filter((r) => r.event !== null).map((r) => r.event!), total };
}
