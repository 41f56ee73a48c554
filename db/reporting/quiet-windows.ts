// Which due severity windows of a group have nothing to do: no event to fetch in either pass, no
// expired threshold to evaluate for relapse or delete, no thresholded record left to clean. A
// severity run over such a window only writes a `skipped-no-events` ledger row, so the group run
// writes that row itself instead of starting a child workflow with six activities.
import type pg from 'pg';
import type { Severity } from '../../domain/reporting/severities';

export interface QuietWindowsQuery {
  group: string;
  testData: boolean;
  /** The windows' common end (time_h). */
  to: Date;
  windows: readonly { severity: Severity; from: Date }[];
}

/**
 * The severities among `windows` that are quiet. Every predicate is the one the severity run's
 * own step uses (windowEventBatches, relapseCandidates/cleanupThresholds), so "quiet" means the
 * run would fetch, relapse and clean up nothing. One statement; each EXISTS stops at its first row.
 */
export async function quietWindows(pool: pg.Pool, q: QuietWindowsQuery): Promise<Severity[]> {
  if (q.windows.length === 0) return [];
  const { rows } = await pool.query<{ severity: Severity }>(
    `SELECT w.severity FROM unnest($1::text[], $2::timestamptz[]) AS w(severity, window_from)
      WHERE NOT EXISTS (SELECT 1 FROM events e
                         WHERE e.storage_time >= w.window_from AND e.storage_time < $3
                           AND e.event_severity = w.severity AND e.resolved_abuses && ARRAY[$4::text]
                           AND NOT e.shadow_reporting AND e.is_test = $5)
        AND NOT EXISTS (SELECT 1 FROM events e
                         WHERE e.storage_time >= w.window_from AND e.storage_time < $3
                           AND e.target_severity = w.severity AND e.target_abuses && ARRAY[$4::text]
                           AND NOT e.shadow_reporting_target AND e.is_test = $5)
        AND NOT EXISTS (SELECT 1 FROM report_thresholds t
                         WHERE t.group_name = $4 AND t.severity = w.severity AND t.ttl_time <= $3)
        AND NOT EXISTS (SELECT 1 FROM report_thresholded_events r
                         WHERE r.group_name = $4 AND r.severity = w.severity
                           AND NOT EXISTS (SELECT 1 FROM report_thresholds t
                                            WHERE t.group_name = r.group_name AND t.severity = r.severity
                                              AND t.pass = r.pass AND t.key = r.key
                                              AND r.create_time > t.threshold_time))`,
    [q.windows.map((w) => w.severity), q.windows.map((w) => w.from), q.to, q.group, q.testData],
  );
  return rows.map((r) => r.severity);
}
