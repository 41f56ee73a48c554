// report_runs: one row per completed severity run — the runlog, and the cursor a group run
// falls back to when its workflow has no previous result (first run, schedule recreated).
import type pg from 'pg';
import type { Counters } from '../../domain/reporting/chains';
import type { Severity } from '../../domain/reporting/severities';

export interface LedgerReport {
  label: string;
  type: string;
  ip: string | null;
  to: string[];
  cc: string[];
}

export interface LedgerEntry {
  workflowId: string;
  group: string;
  severity: Severity;
  window: { from: string; to: string };
  testData: boolean;
  runKind: string;
  result: 'reported' | 'skipped-no-events';
  counters: Counters;
  reports: LedgerReport[];
  filterHits: Record<string, number>;
  cleanup: Record<string, number>;
}

/** Idempotent: a retried write (same workflow id) changes nothing. */
export async function writeLedger(pool: pg.Pool, e: LedgerEntry): Promise<void> {
  await pool.query(
    `INSERT INTO report_runs (workflow_id, group_name, severity, window_from, window_to, test_data, run_kind,
                              result, counters, reports, filter_hits, cleanup)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)
     ON CONFLICT DO NOTHING`,
    [
      e.workflowId,
      e.group,
      e.severity,
      e.window.from,
      e.window.to,
      e.testData,
      e.runKind,
      e.result,
      JSON.stringify(e.counters),
      JSON.stringify(e.reports),
      JSON.stringify(e.filterHits),
      JSON.stringify(e.cleanup),
    ],
  );
}

/** The newest completed window end per severity of a group (real data only; re-runs never move it). */
export async function ledgerCursors(
  pool: pg.Pool,
  group: string,
): Promise<Partial<Record<Severity, string>>> {
  const { rows } = await pool.query<{ severity: Severity; cursor: Date }>(
    `SELECT severity, max(window_to) AS cursor FROM report_runs
      WHERE group_name = $1 AND NOT test_data AND run_kind <> 'rerun' GROUP BY severity`,
    [group],
  );
  return Object.fromEntries(rows.map((r) => [r.severity, r.cursor.toISOString()]));
}

/** The columns both ledger readers share, as PostgreSQL returns them. */
interface RunColumns {
  workflow_id: string;
  group_name: string;
  severity: Severity;
  window_from: Date;
  window_to: Date;
  test_data: boolean;
  run_kind: string;
  result: LedgerEntry['result'];
  counters: Counters;
}

function runOf(r: RunColumns) {
  return {
    workflowId: r.workflow_id,
    group: r.group_name,
    severity: r.severity,
    window: { from: r.window_from.toISOString(), to: r.window_to.toISOString() },
    testData: r.test_data,
    runKind: r.run_kind,
    result: r.result,
    counters: r.counters,
  };
}

export async function ledgerEntry(pool: pg.Pool, workflowId: string): Promise<LedgerEntry | null> {
  const { rows } = await pool.query<
    RunColumns & {
      reports: LedgerReport[];
      filter_hits: Record<string, number>;
      cleanup: Record<string, number>;
    }
  >('SELECT * FROM report_runs WHERE workflow_id = $1', [workflowId]);
  const r = rows[0];
  if (!r) return null;
  return { ...runOf(r), reports: r.reports, filterHits: r.filter_hits, cleanup: r.cleanup };
}

export interface LedgerRow {
  workflowId: string;
  group: string;
  severity: Severity;
  window: { from: string; to: string };
  testData: boolean;
  runKind: string;
  result: LedgerEntry['result'];
  counters: Counters;
  reportCount: number;
  completedAt: string;
}

/** The runlog for operators: completed severity runs, newest first. */
export async function listLedger(
  pool: pg.Pool,
  filter: { group?: string; since?: string; limit?: number },
): Promise<LedgerRow[]> {
  const { rows } = await pool.query<RunColumns & { report_count: number; completed_at: Date }>(
    `SELECT workflow_id, group_name, severity, window_from, window_to, test_data, run_kind, result, counters,
            jsonb_array_length(reports) AS report_count, completed_at
       FROM report_runs
      WHERE ($1::text IS NULL OR group_name = $1) AND ($2::timestamptz IS NULL OR completed_at >= $2)
      ORDER BY completed_at DESC, id DESC LIMIT $3`,
    [filter.group ?? null, filter.since ?? null, filter.limit ?? 1000],
  );
  return rows.map((r) => ({
    ...runOf(r),
    reportCount: r.report_count,
    completedAt: r.completed_at.toISOString(),
  }));
}
