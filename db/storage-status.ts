// Mentat's table_status / database_status: herald's tables and the event store's daily
// partitions with their rows and sizes, and the oldest and newest storage time.
// Row counts are PostgreSQL's statistics (n_live_tup), not count(*): cheap on any size.
import type { Queryable } from './queryable';

export interface TableStatus {
  name: string;
  rows: number;
  /** Heap, indexes and TOAST. */
  bytes: number;
  indexBytes: number;
}

export interface StorageStatus {
  tables: TableStatus[];
  /** The partitions of `events`, by name (events_YYYYMMDD, events_default). */
  partitions: TableStatus[];
  oldestStorageTime: Date | null;
  newestStorageTime: Date | null;
}

const statusColumns = `c.relname AS name, coalesce(s.n_live_tup, 0)::bigint AS rows,
  pg_total_relation_size(c.oid)::bigint AS bytes, pg_indexes_size(c.oid)::bigint AS index_bytes`;

const toStatus = (row: Record<string, unknown>): TableStatus => ({
  name: row.name as string,
  rows: Number(row.rows),
  bytes: Number(row.bytes),
  indexBytes: Number(row.index_bytes),
});

export async function storageStatus(db: Queryable): Promise<StorageStatus | null> {
  const present = await db.query(`SELECT to_regclass('events') IS NOT NULL AS present`);
  if (!present.rows[0].present) return null;
  const partitions = await db.query(
    `SELECT ${statusColumns} FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
      WHERE i.inhparent = 'events'::regclass ORDER BY c.relname`,
  );
  // Ordinary tables outside the events partitions, and `events` as the sum of its partitions.
  const tables = await db.query(
    `SELECT ${statusColumns} FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
      WHERE n.nspname = current_schema() AND c.relkind = 'r' AND NOT c.relispartition
      ORDER BY c.relname`,
  );
  const parts = partitions.rows.map(toStatus);
  const events: TableStatus = {
    name: 'events',
    rows: parts.reduce((sum, p) => sum + p.rows, 0),
    bytes: parts.reduce((sum, p) => sum + p.bytes, 0),
    indexBytes: parts.reduce((sum, p) => sum + p.indexBytes, 0),
  };
  const range = await db.query('SELECT min(storage_time) AS oldest, max(storage_time) AS newest FROM events');
  return {
    tables: [events, ...tables.rows.map(toStatus)].sort((a, b) => a.name.localeCompare(b.name)),
    partitions: parts,
    oldestStorageTime: range.rows[0].oldest,
    newestStorageTime: range.rows[0].newest,
  };
}
