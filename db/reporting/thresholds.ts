// report_thresholds and report_thresholded_events, always within one scope (group, severity) and
// one realm (domain/reporting/realm.ts); the pass is a column of both
// (domain/reporting/threshold-key.ts explains the scope).
import type pg from 'pg';
import type { Realm } from '../../domain/reporting/realm';
import type { ThresholdedRecord, ThresholdRow } from '../../domain/reporting/relapse';
import type { Severity } from '../../domain/reporting/severities';
import { PASSES, type Pass } from '../../domain/reporting/threshold-key';
import type { Queryable } from '../queryable';
import { inChunks } from './chunked';

/** One (group, severity) in one realm at a run's time_h. */
export interface ThresholdScope {
  group: string;
  severity: Severity;
  realm: Realm;
  timeHigh: Date;
}

export interface RelapseCandidates {
  thresholds: (ThresholdRow & { reportLabel: string | null })[];
  records: (ThresholdedRecord & { storageTime: string })[];
}

/** Expired thresholds with a relapse window, and their records (input of domain relapse rules). */
export async function relapseCandidates(
  db: Queryable,
  scope: ThresholdScope & { pass: Pass },
): Promise<RelapseCandidates> {
  const thresholds = await db.query<{
    key: string;
    threshold_time: Date;
    relapse_time: Date;
    ttl_time: Date;
    report_label: string | null;
  }>(
    `SELECT key, threshold_time, relapse_time, ttl_time, report_label FROM report_thresholds
      WHERE group_name = $1 AND severity = $2 AND pass = $3 AND ttl_time <= $4 AND relapse_time <> ttl_time
        AND realm = $5`,
    [scope.group, scope.severity, scope.pass, scope.timeHigh, scope.realm],
  );
  if (thresholds.rows.length === 0) return { thresholds: [], records: [] };
  const records = await db.query<{
    key: string;
    event_id: string;
    storage_time: string;
    create_time: Date;
  }>(
    `SELECT e.key, e.event_id, e.storage_time::text AS storage_time, e.create_time
       FROM report_thresholded_events e
      WHERE e.group_name = $1 AND e.severity = $2 AND e.pass = $3 AND e.key = ANY($4::text[])
        AND e.realm = $5`,
    [scope.group, scope.severity, scope.pass, thresholds.rows.map((t) => t.key), scope.realm],
  );
  return {
    thresholds: thresholds.rows.map((t) => ({
      key: t.key,
      thresholdTime: t.threshold_time.getTime(),
      relapseTime: t.relapse_time.getTime(),
      ttlTime: t.ttl_time.getTime(),
      reportLabel: t.report_label,
    })),
    records: records.rows.map((r) => ({
      key: r.key,
      eventId: r.event_id,
      storageTime: r.storage_time,
      createTime: r.create_time.getTime(),
    })),
  };
}

type PassTimes = Record<Pass, { thresholdTime: number; relapseTime: number; ttlTime: number }>;

/** Threshold, relapse and ttl times of the source pass, then of the target pass. */
function timeParams(times: PassTimes): Date[] {
  return PASSES.flatMap((pass) => [
    new Date(times[pass].thresholdTime),
    new Date(times[pass].relapseTime),
    new Date(times[pass].ttlTime),
  ]);
}

/**
 * Per severity (docs/mentat.md, "Cleanup per severity"), right after its relapse step. Thresholds that expired by time_h were just
 * evaluated for relapse (re-armed ones now lie in the future), so they go; then records whose key
 * is gone or that precede the key's current suppression (Mentat's thresholded_events_clean).
 */
export async function cleanupThresholds(
  pool: pg.Pool,
  scope: ThresholdScope,
): Promise<{ thresholds: number; events: number }> {
  const thresholds = await pool.query(
    'DELETE FROM report_thresholds WHERE group_name = $1 AND severity = $2 AND ttl_time <= $3 AND realm = $4',
    [scope.group, scope.severity, scope.timeHigh, scope.realm],
  );
  const events = await pool.query(
    `DELETE FROM report_thresholded_events e
      WHERE e.group_name = $1 AND e.severity = $2 AND e.realm = $3
        AND NOT EXISTS (SELECT 1 FROM report_thresholds t
                         WHERE t.group_name = e.group_name AND t.severity = e.severity AND t.realm = e.realm
                           AND t.pass = e.pass AND t.key = e.key AND e.create_time > t.threshold_time)`,
    [scope.group, scope.severity, scope.realm],
  );
  return { thresholds: thresholds.rowCount ?? 0, events: events.rowCount ?? 0 };
}

/** Keys of the scope still suppressing events at time_h (ttl_time ≥ time_h), as `pass\0key`. */
export async function liveThresholdKeys(pool: pg.Pool, scope: ThresholdScope): Promise<Set<string>> {
  const { rows } = await pool.query<{ pass: Pass; key: string }>(
    `SELECT pass, key FROM report_thresholds
      WHERE group_name = $1 AND severity = $2 AND ttl_time >= $3 AND realm = $4`,
    [scope.group, scope.severity, scope.timeHigh, scope.realm],
  );
  return new Set(rows.map((r) => `${r.pass}\u0000${r.key}`));
}

/**
 * Arms (or re-arms) the given keys, each with the label of the report that covers it,
 * inside the same transaction as the reports.
 */
export async function upsertThresholdKeys(
  client: pg.PoolClient,
  run: { group: string; severity: Severity; realm: Realm; times: PassTimes },
  keys: readonly { pass: Pass; key: string; label: string | null }[],
): Promise<number> {
  return inChunks(keys, (chunk) =>
    client.query(
      `INSERT INTO report_thresholds AS t (group_name, severity, realm, pass, key, threshold_time, relapse_time, ttl_time, report_label)
       SELECT $1, $2, $12, k.pass, k.key,
              CASE k.pass WHEN 'source' THEN $3::timestamptz ELSE $6::timestamptz END,
              CASE k.pass WHEN 'source' THEN $4::timestamptz ELSE $7::timestamptz END,
              CASE k.pass WHEN 'source' THEN $5::timestamptz ELSE $8::timestamptz END,
              k.label
         FROM unnest($9::text[], $10::text[], $11::text[]) AS k(pass, key, label)
       ON CONFLICT (group_name, severity, realm, pass, key) DO UPDATE
         SET threshold_time = EXCLUDED.threshold_time, relapse_time = EXCLUDED.relapse_time,
             ttl_time = EXCLUDED.ttl_time, report_label = EXCLUDED.report_label`,
      [
        run.group,
        run.severity,
        ...timeParams(run.times),
        chunk.map((k) => k.pass),
        chunk.map((k) => k.key),
        chunk.map((k) => k.label),
        run.realm,
      ],
    ),
  );
}

/** Removes a finished re-run's threshold state (its realm is its own). */
export async function clearRealm(pool: pg.Pool, realm: Realm): Promise<number> {
  const { rowCount } = await pool.query('DELETE FROM report_thresholds WHERE realm = $1', [realm]);
  await pool.query('DELETE FROM report_thresholded_events WHERE realm = $1', [realm]);
  return rowCount ?? 0;
}
