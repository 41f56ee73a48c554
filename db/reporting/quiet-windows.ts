// Which due severity windows of a group have nothing to do: no event to fetch in either pass, no
// expired threshold to evaluate for relapse or delete, no thresholded record left to clean. A
// severity run over such a window only writes a `skipped-no-events` ledger row, so the group run
// writes that row itself instead of starting a child workflow with six activities.
import type pg from 'pg';
import type { Realm } from '../../domain/reporting/realm';
import type { Severity } from '../../domain/reporting/severities';
import { inTransaction } from '../pool';
import { REPORT_SCOPES_OF, reportScope } from './window-events';

export interface QuietWindowsQuery {
  group: string;
  testData: boolean;
  realm: Realm;
  /** The windows' common end (time_h). */
  to: Date;
  windows: readonly { severity: Severity; from: Date }[];
}

/**
 * The severities among `windows` that are quiet. Every predicate is the one the severity run's
 * own step uses (windowEventBatches with its scope keys, relapseCandidates/cleanupThresholds), so
 * "quiet" means the run would fetch, relapse and clean up nothing. One statement, one SELECT per
 * window with its bounds and scope keys as plain parameters (not an unnest): the planner then
 * knows each window, prunes partitions and estimates the scope index (a correlated window made it
 * AND the scope index with the whole storage-time range); each EXISTS stops at its first row.
 */
export async function quietWindows(pool: pg.Pool, q: QuietWindowsQuery): Promise<Severity[]> {
  if (q.windows.length === 0) return [];
  const { text, values } = quietWindowsQuery(q);
  return inTransaction(pool, async (client) => {
    // Bitmap scans only: an EXISTS is planned for its first row, and when a window is dense (a
    // million events in ten minutes) the planner expects a scope's first event within a few
    // hundred rows of a sequential or storage-time scan — for an empty scope that scan reads the
    // whole window, calling herald_report_scopes on every row (minutes). Through the scope index
    // an empty scope costs nothing and a full one one bitmap page.
    await client.query('SET LOCAL enable_seqscan = off');
    await client.query('SET LOCAL enable_indexscan = off');
    const { rows } = await client.query<{ severity: Severity }>(text, values);
    return rows.map((r) => r.severity);
  });
}

/** The statement behind quietWindows (`windows` not empty). */
export function quietWindowsQuery(q: QuietWindowsQuery): { text: string; values: unknown[] } {
  // $1 to, $2 group, $3 test data, $4 realm; then per window: severity, from, source scope, target scope.
  const params: unknown[] = [q.to, q.group, q.testData, q.realm];
  const selects = q.windows.map((w) => {
    const param = (value: unknown) => `$${params.push(value)}`;
    const severity = param(w.severity);
    const from = param(w.from);
    const source = param(reportScope('source', w.severity, q.group));
    const target = param(reportScope('target', w.severity, q.group));
    return `SELECT ${severity}::text AS severity
      WHERE NOT EXISTS (SELECT 1 FROM events e
                         WHERE e.storage_time >= ${from}::timestamptz AND e.storage_time < $1
                           AND ${REPORT_SCOPES_OF('e')} && ARRAY[${source}::text]
                           AND NOT e.shadow_reporting AND e.is_test = $3)
        AND NOT EXISTS (SELECT 1 FROM events e
                         WHERE e.storage_time >= ${from}::timestamptz AND e.storage_time < $1
                           AND ${REPORT_SCOPES_OF('e')} && ARRAY[${target}::text]
                           AND NOT e.shadow_reporting_target AND e.is_test = $3)
        AND NOT EXISTS (SELECT 1 FROM report_thresholds t
                         WHERE t.group_name = $2 AND t.severity = ${severity} AND t.realm = $4
                           AND t.ttl_time <= $1)
        AND NOT EXISTS (SELECT 1 FROM report_thresholded_events r
                         WHERE r.group_name = $2 AND r.severity = ${severity} AND r.realm = $4
                           AND NOT EXISTS (SELECT 1 FROM report_thresholds t
                                            WHERE t.group_name = r.group_name AND t.severity = r.severity
                                              AND t.realm = r.realm AND t.pass = r.pass AND t.key = r.key
                                              AND r.create_time > t.threshold_time))`;
  });
  return { text: selects.join('\nUNION ALL\n'), values: params };
}
