// Planner statistics for the partitions a large ingest just filled (docs/schema.md, "Statistics
// after a bulk ingest"). Without them the window query of a severity run combines the scope index
// with the storage-time index and walks every row of the day for each run; autovacuum would
// analyze within its next round, but a reporting cycle started right after the ingest pays until
// then. Small ingests leave it to autovacuum: the rule is autovacuum's own (a tenth of the rows
// new), applied at once and only past a floor of rows.
import type { Queryable } from '../queryable';

/** Rows one ingest must write before it analyzes (below, autovacuum's next round is soon enough). */
const ANALYZE_AFTER_ROWS = 10_000;
/** Autovacuum's default analyze scale factor: the share of new rows that makes statistics stale. */
const STALE_SHARE = 0.1;

/**
 * ANALYZEs each daily partition of `days` (UTC, YYYY-MM-DD) whose statistics `written` rows make
 * stale: never analyzed, or `written` more than a tenth of the rows it was last counted with.
 */
export async function analyzeFilledPartitions(
  db: Queryable,
  days: Iterable<string>,
  written: number,
  minRows = ANALYZE_AFTER_ROWS,
): Promise<void> {
  if (written < minRows) return;
  // A VACUUM counts the rows (reltuples) but gathers no column statistics: "analyzed" is asked
  // of the statistics system.
  const { rows } = await db.query<{ name: string; tuples: number; analyzed: boolean }>(
    `SELECT c.relname AS name, c.reltuples::float8 AS tuples,
            coalesce(s.last_analyze, s.last_autoanalyze) IS NOT NULL AS analyzed
       FROM unnest($1::date[]) AS d(day)
       JOIN pg_class c ON c.relname = herald_event_partition_name(d.day)
       JOIN pg_inherits i ON i.inhrelid = c.oid AND i.inhparent = 'events'::regclass
       LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
      ORDER BY c.relname`,
    [[...days]],
  );
  for (const partition of rows) {
    if (partition.analyzed && written <= STALE_SHARE * partition.tuples) continue;
    // The name comes from pg_class through herald_event_partition_name: events_YYYYMMDD.
    await db.query(`ANALYZE ${partition.name}`);
  }
}
