// A report's statistics (domain/reporting/report-statistics.ts), counted by PostgreSQL over the
// report's events as stored (each event once, however many of its IPs the report names), and
// written onto the report row.
import type pg from 'pg';
import {
  type ReportStatistics,
  reportStatistics,
  type StatisticsKey,
} from '../../domain/reporting/report-statistics';

export async function storeReportStatistics(
  client: Pick<pg.PoolClient, 'query'>,
  reportId: number,
  target: boolean,
): Promise<ReportStatistics> {
  const { rows } = await client.query<{ key: StatisticsKey | ''; value: string | null; events: number }>(
    `WITH ev AS (
       SELECT DISTINCT ON (e.id) e.*
         FROM report_events re JOIN events e ON e.id = re.event_id AND e.storage_time = re.storage_time
        WHERE re.report_id = $1
        ORDER BY e.id, e.storage_time),
     facts AS (
       SELECT id, 'classes' AS key, CASE WHEN $2 THEN target_class ELSE event_class END AS value FROM ev
       UNION SELECT id, 'categories', unnest(categories) FROM ev
       UNION SELECT id, 'category_sets',
                    nullif(array_to_string(ARRAY(SELECT unnest(categories) ORDER BY 1), '/'), '') FROM ev
       UNION SELECT id, 'detectors', node_names[array_length(node_names, 1)] FROM ev
       UNION SELECT id, 'analyzers', jsonb_array_elements_text(
                      CASE WHEN jsonb_typeof(event->'Node'->-1->'SW') = 'array' THEN event->'Node'->-1->'SW' END)
               FROM ev
       UNION SELECT id, 'sources', abbrev(unnest(source_ips)) FROM ev
       UNION SELECT id, 'targets', abbrev(unnest(target_ips)) FROM ev
       UNION SELECT id, 'abuses', unnest(CASE WHEN $2 THEN target_abuses ELSE resolved_abuses END) FROM ev
       UNION SELECT id, 'severities', CASE WHEN $2 THEN target_severity ELSE event_severity END FROM ev),
     known AS (SELECT * FROM facts WHERE value IS NOT NULL)
     SELECT key, value, count(*)::int AS events FROM known GROUP BY key, value
     UNION ALL SELECT key, NULL, count(DISTINCT id)::int FROM known GROUP BY key
     UNION ALL SELECT '', NULL, (SELECT count(*)::int FROM ev)
     UNION ALL SELECT '', 'ips', (SELECT count(DISTINCT ip)::int FROM report_events WHERE report_id = $1)`,
    [reportId, target],
  );
  let events = 0;
  let ips = 0;
  const withValue: Partial<Record<StatisticsKey, number>> = {};
  const counts: { key: StatisticsKey; value: string; events: number }[] = [];
  for (const r of rows) {
    if (r.key === '') {
      if (r.value === 'ips') ips = r.events;
      else events = r.events;
    } else if (r.value === null) withValue[r.key] = r.events;
    else counts.push({ key: r.key, value: r.value, events: r.events });
  }
  const statistics = reportStatistics(events, ips, counts, withValue);
  await client.query('UPDATE reports SET statistics = $2 WHERE id = $1', [
    reportId,
    JSON.stringify(statistics),
  ]);
  return statistics;
}
