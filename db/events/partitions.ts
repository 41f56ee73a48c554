// Daily partitions of `events`: creation ahead of ingest and retention by dropping whole days.
import type { Queryable } from '../queryable';

const utcDay = (time: Date) => time.toISOString().slice(0, 10);

/** Creates the partitions for the UTC days of `from`..`to` that do not exist yet. */
export async function ensureEventPartitions(db: Queryable, from: Date, to: Date = from): Promise<number> {
  const { rows } = await db.query('SELECT herald_ensure_event_partitions($1::date, $2::date) AS created', [
    utcDay(from),
    utcDay(to),
  ]);
  return Number(rows[0].created);
}

export interface EventPartition {
  name: string;
  /** Inclusive lower bound, exclusive upper bound; null for the default partition. */
  from: Date | null;
  to: Date | null;
  rows: number;
}

export async function listEventPartitions(db: Queryable): Promise<EventPartition[]> {
  const { rows } = await db.query(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound, c.reltuples::bigint AS rows
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'events'::regclass
      ORDER BY c.relname`,
  );
  return rows.map((row) => {
    const match = /FROM \('([^']+)'\) TO \('([^']+)'\)/.exec(row.bound);
    return {
      name: row.name,
      from: match ? new Date(match[1]!) : null,
      to: match ? new Date(match[2]!) : null,
      rows: Math.max(0, Number(row.rows)),
    };
  });
}

export interface CleanupResult {
  cutoff: Date;
  droppedPartitions: string[];
  /** Rows deleted from the default partition (days that never got their own partition). */
  deletedDefaultRows: number;
  /** Idempotency-registry entries removed with them. */
  deletedIds: number;
}

/**
 * Retention: drops every daily partition that ends at or before the start of the UTC day of
 * `requested` (so at least the requested span is kept), deletes older rows
 * from the default partition and forgets their IDs. Each partition is dropped in its own short
 * statement so ingest is never blocked for long.
 */
export async function dropEventsBefore(db: Queryable, requested: Date): Promise<CleanupResult> {
  // Whole UTC days only, so events and their IDs in event_ids always go together.
  const cutoff = new Date(`${utcDay(requested)}T00:00:00Z`);
  const dropped: string[] = [];
  for (const partition of await listEventPartitions(db)) {
    if (!partition.to || partition.to > cutoff) continue;
    if (!/^events_\d{8}$/.test(partition.name)) continue;
    await db.query(`DROP TABLE IF EXISTS "${partition.name}"`);
    dropped.push(partition.name);
  }
  const fromDefault = await db.query('DELETE FROM events_default WHERE storage_time < $1', [cutoff]);
  let deletedIds = 0;
  // In slices, so a large backlog does not hold one huge transaction.
  for (;;) {
    const { rowCount } = await db.query(
      `DELETE FROM event_ids WHERE id IN (SELECT id FROM event_ids WHERE storage_time < $1 LIMIT 50000)`,
      [cutoff],
    );
    deletedIds += rowCount ?? 0;
    if (!rowCount) break;
  }
  return { cutoff, droppedPartitions: dropped, deletedDefaultRows: fromDefault.rowCount ?? 0, deletedIds };
}

/** "30d", "12h", "2w" -> milliseconds; null if not a duration. */
export function parseRetention(text: string): number | null {
  const match = /^(\d+)\s*(h|d|w)$/.exec(text.trim());
  if (!match) return null;
  const unit = { h: 3_600_000, d: 86_400_000, w: 604_800_000 }[match[2] as 'h' | 'd' | 'w'];
  const ms = Number(match[1]) * unit;
  return ms > 0 ? ms : null;
}
