// A severity run's render lock: a transaction-scoped advisory lock on the run's workflow id. Two
// attempts of a run's render serialise on it (the second finds the first one's outcome), and so
// do `herald force` overrides recorded for the run while its step works.
import type pg from 'pg';

export async function takeRenderLock(client: Pick<pg.PoolClient, 'query'>, runId: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`herald-render:${runId}`]);
}
