// The events of a report for its attachments, oldest first, each with the IPs the report names for
// it. PostgreSQL stops at `maxBytes` of stored event JSON (0: all), so a large report never passes
// through the worker whole; the exact cut by attachment size is made from these.
import type pg from 'pg';
import type { AttachedEvent } from '../../domain/reporting/csv-attachment';

export async function attachmentEvents(
  db: Pick<pg.PoolClient, 'query'>,
  reportId: number,
  maxBytes: number,
): Promise<{ events: AttachedEvent[]; total: number }> {
  const { rows } = await db.query<{ event: string | null; ips: string[] | null; total: number }>(
    `WITH ev AS (
       SELECT e.id, e.storage_time, e.event::text AS event, array_agg(abbrev(re.ip) ORDER BY re.ip) AS ips
         FROM report_events re JOIN events e ON e.id = re.event_id AND e.storage_time = re.storage_time
        WHERE re.report_id = $1
        GROUP BY e.id, e.storage_time),
     first_copy AS (SELECT DISTINCT ON (id) * FROM ev ORDER BY id, storage_time),
     sized AS (
       SELECT event, ips, storage_time, id,
              sum(octet_length(event) + 2) OVER (ORDER BY storage_time, id) AS upto
         FROM first_copy)
     SELECT event, ips, 0 AS total, storage_time, id FROM sized WHERE $2::bigint = 0 OR upto <= $2::bigint
     UNION ALL SELECT NULL, NULL, (SELECT count(*)::int FROM first_copy), NULL, NULL
     ORDER BY 4 NULLS LAST, 5`,
    [reportId, maxBytes],
  );
  const total = rows[rows.length - 1]?.total ?? 0;
  return {
    events: rows
      .filter((r) => r.event !== null)
      .map((r) => ({ event: JSON.parse(r.event!) as Record<string, unknown>, ips: r.ips ?? [] })),
    total,
  };
}
