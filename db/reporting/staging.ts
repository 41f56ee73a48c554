// report_staged_hits: what one severity run found, per (event, IP) of the group's chains.
import type pg from 'pg';
import type { HitStage } from '../../domain/reporting/chains';
import type { Pass } from '../../domain/reporting/threshold-key';

export interface StagedHitRow {
  pass: Pass;
  relapsed: boolean;
  eventId: string;
  /** PostgreSQL text of the event's storage_time (full precision). */
  storageTime: string;
  ip: string;
  chain: readonly string[];
  fallback: readonly string[];
  thresholdKey: string;
  stage: HitStage;
}

/** Staging left by runs that failed before their cleanup (older than `days`). */
export async function clearAbandonedStaging(pool: pg.Pool, days = 2): Promise<number> {
  const { rowCount } = await pool.query(
    'DELETE FROM report_staged_hits WHERE staged_at < now() - make_interval(days => $1)',
    [days],
  );
  return rowCount ?? 0;
}

export async function clearStaged(pool: pg.Pool, runId: string, relapsed?: boolean): Promise<number> {
  const { rowCount } = await pool.query(
    'DELETE FROM report_staged_hits WHERE run_id = $1 AND ($2::boolean IS NULL OR relapsed = $2)',
    [runId, relapsed ?? null],
  );
  return rowCount ?? 0;
}

/** Inserts rows in one statement (arrays unnested); chains travel as JSON text. */
export async function insertStaged(
  pool: pg.Pool,
  runId: string,
  rows: readonly StagedHitRow[],
): Promise<void> {
  if (rows.length === 0) return;
  await pool.query(
    `INSERT INTO report_staged_hits
       (run_id, pass, relapsed, event_id, storage_time, ip, chain, fallback, threshold_key, stage)
     SELECT $1, pass, relapsed, event_id, storage_time, ip::inet,
            ARRAY(SELECT jsonb_array_elements_text(chain::jsonb)),
            ARRAY(SELECT jsonb_array_elements_text(fallback::jsonb)),
            threshold_key, stage
       FROM unnest($2::text[], $3::boolean[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
         AS r(pass, relapsed, event_id, storage_time, ip, chain, fallback, threshold_key, stage)
     ON CONFLICT DO NOTHING`,
    [
      runId,
      rows.map((r) => r.pass),
      rows.map((r) => r.relapsed),
      rows.map((r) => r.eventId),
      rows.map((r) => r.storageTime),
      rows.map((r) => r.ip),
      rows.map((r) => JSON.stringify(r.chain)),
      rows.map((r) => JSON.stringify(r.fallback)),
      rows.map((r) => r.thresholdKey),
      rows.map((r) => r.stage),
    ],
  );
}

export async function loadStaged(db: Pick<pg.PoolClient, 'query'>, runId: string): Promise<StagedHitRow[]> {
  const { rows } = await db.query<{
    pass: Pass;
    relapsed: boolean;
    event_id: string;
    storage_time: string;
    ip: string;
    chain: string[];
    fallback: string[];
    threshold_key: string;
    stage: HitStage;
  }>(
    `SELECT pass, relapsed, event_id, storage_time::text AS storage_time, ip, chain, fallback, threshold_key, stage
       FROM report_staged_hits WHERE run_id = $1 ORDER BY pass, relapsed, event_id, ip`,
    [runId],
  );
  return rows.map((r) => ({
    pass: r.pass,
    relapsed: r.relapsed,
    eventId: r.event_id,
    storageTime: r.storage_time,
    ip: r.ip,
    chain: r.chain,
    fallback: r.fallback,
    thresholdKey: r.threshold_key,
    stage: r.stage,
  }));
}

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
