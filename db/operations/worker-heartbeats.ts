// worker_heartbeats (migration 0780): written by each worker process, read by `herald status`.
import type { Queryable } from '../queryable';

/** Not heard from for this long: unresponsive. */
export const UNRESPONSIVE_AFTER_SECONDS = 30;
/** Rows older than this are removed: a worker gone for a day is no longer news. */
const FORGET_AFTER = '1 day';

export interface Heartbeat {
  identity: string;
  namespace: string;
  taskQueues: string[];
  version: string;
  rssBytes: number;
  memoryLimitBytes: number | null;
  activitiesRunning: number;
  lastTaskAt: Date | null;
  startedAt: Date;
}

export async function recordHeartbeat(db: Queryable, beat: Heartbeat): Promise<void> {
  await db.query(
    `INSERT INTO worker_heartbeats (identity, namespace, task_queues, version, rss_bytes, memory_limit_bytes,
       activities_running, last_task_at, started_at, heartbeat_at, stopped_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now(), NULL)
     ON CONFLICT (identity) DO UPDATE SET namespace = EXCLUDED.namespace, task_queues = EXCLUDED.task_queues,
       version = EXCLUDED.version, rss_bytes = EXCLUDED.rss_bytes, memory_limit_bytes = EXCLUDED.memory_limit_bytes,
       activities_running = EXCLUDED.activities_running, last_task_at = EXCLUDED.last_task_at,
       started_at = EXCLUDED.started_at, heartbeat_at = now(), stopped_at = NULL`,
    [
      beat.identity,
      beat.namespace,
      beat.taskQueues,
      beat.version,
      beat.rssBytes,
      beat.memoryLimitBytes,
      beat.activitiesRunning,
      beat.lastTaskAt,
      beat.startedAt,
    ],
  );
  await db.query(`DELETE FROM worker_heartbeats WHERE heartbeat_at < now() - $1::interval`, [FORGET_AFTER]);
}

export async function recordStopped(db: Queryable, identity: string): Promise<void> {
  await db.query(
    'UPDATE worker_heartbeats SET stopped_at = now(), activities_running = 0 WHERE identity = $1',
    [identity],
  );
}

export type WorkerState = 'running' | 'unresponsive' | 'stopped';

export interface WorkerRow {
  identity: string;
  state: WorkerState;
  version: string;
  taskQueues: string[];
  rssBytes: number;
  memoryLimitBytes: number | null;
  activitiesRunning: number;
  lastTaskAt: string | null;
  startedAt: string;
  heartbeatAt: string;
  /** Seconds since the last heartbeat, by the database's clock (the one that wrote it). */
  silentSeconds: number;
}

/** The workers of a namespace and task queue, running ones first; stopped ones for an hour. */
export async function listWorkers(db: Queryable, namespace: string, taskQueue: string): Promise<WorkerRow[]> {
  const { rows } = await db.query(
    `SELECT identity, version, task_queues, rss_bytes, memory_limit_bytes, activities_running, last_task_at,
            started_at, heartbeat_at, stopped_at,
            extract(epoch FROM now() - heartbeat_at)::float8 AS silent_seconds
       FROM worker_heartbeats
      WHERE namespace = $1 AND $2 = ANY (task_queues)
        AND (stopped_at IS NULL OR stopped_at > now() - interval '1 hour')
      ORDER BY stopped_at IS NOT NULL, identity`,
    [namespace, taskQueue],
  );
  return rows.map((r) => ({
    identity: r.identity,
    state: r.stopped_at
      ? 'stopped'
      : r.silent_seconds > UNRESPONSIVE_AFTER_SECONDS
        ? 'unresponsive'
        : 'running',
    version: r.version,
    taskQueues: r.task_queues,
    rssBytes: Number(r.rss_bytes),
    memoryLimitBytes: r.memory_limit_bytes === null ? null : Number(r.memory_limit_bytes),
    activitiesRunning: r.activities_running,
    lastTaskAt: r.last_task_at?.toISOString() ?? null,
    startedAt: r.started_at.toISOString(),
    heartbeatAt: r.heartbeat_at.toISOString(),
    silentSeconds: Math.round(r.silent_seconds * 10) / 10,
  }));
}
