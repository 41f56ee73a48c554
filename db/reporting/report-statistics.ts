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
    // The report's events once each (an event may be in it under several IPs), then only the
    // columns the statistics read: sorting or hashing whole rows with their documents made this
    // the costliest statement of a reporting cycle. Each fact is counted once per event and value
    // (array facts are made distinct within their event), so no set-wide UNION is needed. Category
    // sets are joined in code-point order, as Mentat's sorted() and the worker's count join them.
    `WITH refs AS (
       SELECT DISTINCT ON (event_id) event_id, storage_time FROM report_events
        WHERE report_id = $1 ORDER BY event_id, storage_time),
     ev AS MATERIALIZED (
       SELECT CASE WHEN $2 THEN e.target_class ELSE e.event_class END AS class,
              e.categories, e.node_names[array_length(e.node_names, 1)] AS detector,
              CASE WHEN jsonb_typeof(e.event->'Node'->-1->'SW') = 'array' THEN e.event->'Node'->-1->'SW' END AS sw,
              e.source_ips, e.target_ips,
              CASE WHEN $2 THEN e.target_abuses ELSE e.resolved_abuses END AS abuses,
              CASE WHEN $2 THEN e.target_severity ELSE e.event_severity END AS severity
         FROM refs r JOIN events e ON e.id = r.event_id AND e.storage_time = r.storage_time),
     facts AS (
       SELECT f.key, f.value
         FROM ev CROSS JOIN LATERAL (
           SELECT 'classes' AS key, ev.class AS value
           UNION ALL SELECT DISTINCT 'categories', c FROM unnest(ev.categories) c
           UNION ALL SELECT 'category_sets',
                     nullif(array_to_string(ARRAY(SELECT c FROM unnest(ev.categories) c ORDER BY c COLLATE "C"), '/'), '')
           UNION ALL SELECT 'detectors', ev.detector
           UNION ALL SELECT DISTINCT 'analyzers', a FROM jsonb_array_elements_text(ev.sw) a
           UNION ALL SELECT DISTINCT 'sources', abbrev(ip) FROM unnest(ev.source_ips) ip
           UNION ALL SELECT DISTINCT 'targets', abbrev(ip) FROM unnest(ev.target_ips) ip
           UNION ALL SELECT DISTINCT 'abuses', a FROM unnest(ev.abuses) a
           UNION ALL SELECT 'severities', ev.severity) f
        WHERE f.value IS NOT NULL),
     per_event AS (
       SELECT count(*)::int AS events,
              count(*) FILTER (WHERE class IS NOT NULL)::int AS classes,
              count(*) FILTER (WHERE EXISTS (SELECT FROM unnest(categories) c WHERE c IS NOT NULL))::int AS categories,
              count(*) FILTER (WHERE nullif(array_to_string(categories, '/'), '') IS NOT NULL)::int AS category_sets,
              count(*) FILTER (WHERE detector IS NOT NULL)::int AS detectors,
              count(*) FILTER (WHERE EXISTS (SELECT FROM jsonb_array_elements_text(sw) a WHERE a IS NOT NULL))::int AS analyzers,
              count(*) FILTER (WHERE EXISTS (SELECT FROM unnest(source_ips) ip WHERE ip IS NOT NULL))::int AS sources,
              count(*) FILTER (WHERE EXISTS (SELECT FROM unnest(target_ips) ip WHERE ip IS NOT NULL))::int AS targets,
              count(*) FILTER (WHERE EXISTS (SELECT FROM unnest(abuses) a WHERE a IS NOT NULL))::int AS abuses,
              count(*) FILTER (WHERE severity IS NOT NULL)::int AS severities
         FROM ev)
     SELECT key, value, count(*)::int AS events FROM facts GROUP BY key, value
     UNION ALL SELECT k.key, NULL, k.events FROM per_event p CROSS JOIN LATERAL (VALUES
       ('classes', p.classes), ('categories', p.categories), ('category_sets', p.category_sets),
       ('detectors', p.detectors), ('analyzers', p.analyzers), ('sources', p.sources),
       ('targets', p.targets), ('abuses', p.abuses), ('severities', p.severities)) AS k(key, events)
      WHERE k.events > 0
     UNION ALL SELECT '', NULL, (SELECT events FROM per_event)
     UNION ALL SELECT '', 'ips', (SELECT count(DISTINCT ip)::int FROM report_event_sets WHERE report_id = $1)`,
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
