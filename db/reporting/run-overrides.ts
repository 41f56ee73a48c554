// report_run_overrides: `herald force` options for a one-step severity run whose step is already
// running (migration 0630). Written and read under the run's render lock (render-lock.ts).
import type pg from 'pg';
import { takeRenderLock } from './render-lock';
import { loadRunOutcome } from './run-outcomes';

/**
 * Records the run's options unless its reports are stored already (then they could no longer
 * change anything): true when recorded. The caller's transaction holds the lock until it commits.
 */
export async function recordRunOverrides<T>(
  client: Pick<pg.PoolClient, 'query'>,
  runId: string,
  options: T,
): Promise<boolean> {
  await takeRenderLock(client, runId);
  if (await loadRunOutcome(client, runId)) return false;
  await client.query(
    `INSERT INTO report_run_overrides (run_id, options) VALUES ($1, $2)
     ON CONFLICT (run_id) DO UPDATE SET options = EXCLUDED.options`,
    [runId, JSON.stringify(options)],
  );
  return true;
}

/** The options recorded for the run, or null; read under the render lock, before rendering. */
export async function loadRunOverrides<T>(
  db: Pick<pg.PoolClient, 'query'>,
  runId: string,
): Promise<T | null> {
  const { rows } = await db.query<{ options: T }>(
    'SELECT options FROM report_run_overrides WHERE run_id = $1',
    [runId],
  );
  return rows[0]?.options ?? null;
}

/** Overrides older than `days` (their runs are long over). */
export async function clearOldRunOverrides(pool: pg.Pool, days = 2): Promise<number> {
  const { rowCount } = await pool.query(
    'DELETE FROM report_run_overrides WHERE created_at < now() - make_interval(days => $1)',
    [days],
  );
  return rowCount ?? 0;
}
