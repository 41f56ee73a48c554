// report_run_hits: the filter and detector hits a run counted, recorded once per run so the
// catalog's counters move once however often the run's step is retried.
import type pg from 'pg';

/** Records filter and detector hits of a run once; returns the rows that were new. */
export async function recordRunHits(
  client: pg.PoolClient,
  runId: string,
  kind: 'filter' | 'detector',
  hits: Record<string, number>,
): Promise<Record<string, number>> {
  const names = Object.keys(hits);
  if (names.length === 0) return {};
  const { rows } = await client.query<{ name: string; hits: number }>(
    `INSERT INTO report_run_hits (run_id, kind, name, hits)
     SELECT $1, $2, name, hits FROM unnest($3::text[], $4::int[]) AS r(name, hits)
     ON CONFLICT DO NOTHING RETURNING name, hits`,
    [runId, kind, names, names.map((n) => hits[n] ?? 0)],
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.hits]));
}
