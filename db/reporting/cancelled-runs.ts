// What cancelled severity runs left behind, as `herald cancel --wait` reports it: staged rows
// (none once their cleanup ran) and their mails by outbox status.
import type pg from 'pg';

export interface CancelledRunsLeftovers {
  stagedRows: number;
  /** Mails of the runs by status: `accepted` went out before the cancel, `cancelled` never will. */
  outbox: Record<string, number>;
}

export async function cancelledRunsLeftovers(
  pool: pg.Pool,
  runIds: string[],
): Promise<CancelledRunsLeftovers> {
  const staged = await pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM report_staged_hits WHERE run_id = ANY($1::text[])',
    [runIds],
  );
  const outbox = await pool.query<{ status: string; n: number }>(
    `SELECT o.status, count(*)::int AS n FROM report_outbox o JOIN reports r ON r.id = o.report_id
      WHERE r.run_id = ANY($1::text[]) GROUP BY o.status ORDER BY o.status`,
    [runIds],
  );
  return {
    stagedRows: staged.rows[0]?.n ?? 0,
    outbox: Object.fromEntries(outbox.rows.map((r) => [r.status, r.n])),
  };
}
