// alerts: the transitions the access-log monitors recorded, as `herald alerts list` shows them.
import type pg from 'pg';

export interface AlertListEntry {
  id: number;
  source: string;
  state: string;
  at: string;
  hits: number;
  average: number;
  rule: string;
  threshold: number;
  windowSeconds: number;
  mailedAt: string | null;
  mailedTo: string[];
}

/** A row of `alerts` as PostgreSQL returns it. */
export interface AlertRow {
  id: number;
  source: string;
  state: 'alert' | 'recovered';
  at: Date;
  hits: number;
  average: number;
  rule: string;
  threshold: number;
  window_seconds: number;
  mailed_at: Date | null;
}

/** Newest first; only one source's with `source`. */
export async function listAlerts(
  pool: pg.Pool,
  filter: { source?: string; limit: number },
): Promise<AlertListEntry[]> {
  const { rows } = await pool.query<AlertRow & { mailed_to: string[] | null }>(
    `SELECT id, source, state, at, hits, average, rule, threshold, window_seconds, mailed_at, mailed_to
       FROM alerts WHERE $1::text IS NULL OR source = $1 ORDER BY at DESC, id DESC LIMIT $2`,
    [filter.source ?? null, filter.limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    source: r.source,
    state: r.state,
    at: r.at.toISOString(),
    hits: r.hits,
    average: r.average,
    rule: r.rule,
    threshold: r.threshold,
    windowSeconds: r.window_seconds,
    mailedAt: r.mailed_at?.toISOString() ?? null,
    mailedTo: r.mailed_to ?? [],
  }));
}
