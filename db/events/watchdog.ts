// Mentat's watchdog_events: has anything (of a detector) been stored within the last N seconds?
// Read on the database clock, which stamps storage_time, so a skewed client clock cannot lie.
import type { Queryable } from '../queryable';

export interface WatchdogCheck {
  /** null: any detector. */
  detector: string | null;
  /** The newest storage time (of that detector); null when there is none. */
  lastStored: Date | null;
  /** Something was stored within the duration. */
  ok: boolean;
}

export async function watchdogCheck(
  db: Queryable,
  withinSeconds: number,
  detector: string | null,
): Promise<WatchdogCheck> {
  // Newest first through the storage-time index: stops at the first row of that detector.
  const { rows } = await db.query(
    `SELECT last, last >= clock_timestamp() - make_interval(secs => $1) AS ok
       FROM (SELECT storage_time AS last FROM events
              ${detector === null ? '' : 'WHERE node_names && ARRAY[$2::text]'}
              ORDER BY storage_time DESC LIMIT 1) newest`,
    detector === null ? [withinSeconds] : [withinSeconds, detector],
  );
  const row = rows[0];
  return { detector, lastStored: row?.last ?? null, ok: row?.ok === true };
}
