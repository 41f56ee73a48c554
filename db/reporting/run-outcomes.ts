// report_run_outcomes: what a one-step severity run counted, stored with its reports so that a
// repeated step returns it instead of counting again (migration 0610).
import type pg from 'pg';
import type { Counters } from '../../domain/reporting/chains';

export interface RunOutcome {
  counters: Counters;
  fetched: { source: number; target: number };
  filterHits: Record<string, number>;
  thresholded: number;
  relapsed: number;
}

export async function loadRunOutcome(
  db: Pick<pg.PoolClient, 'query'>,
  runId: string,
): Promise<RunOutcome | null> {
  const { rows } = await db.query<{ outcome: RunOutcome }>(
    'SELECT outcome FROM report_run_outcomes WHERE run_id = $1',
    [runId],
  );
  return rows[0]?.outcome ?? null;
}

export async function saveRunOutcome(
  client: pg.PoolClient,
  runId: string,
  outcome: RunOutcome,
): Promise<void> {
  await client.query('INSERT INTO report_run_outcomes (run_id, outcome) VALUES ($1, $2)', [
    runId,
    JSON.stringify(outcome),
  ]);
}

/**
 * Outcomes older than `days`. A run's own outcome stays after it finished: an attempt of its
 * step that was stuck past its timeout and wakes up later must still find the run done.
 */
export async function clearOldRunOutcomes(pool: pg.Pool, days = 2): Promise<number> {
  const { rowCount } = await pool.query(
    'DELETE FROM report_run_outcomes WHERE created_at < now() - make_interval(days => $1)',
    [days],
  );
  return rowCount ?? 0;
}
