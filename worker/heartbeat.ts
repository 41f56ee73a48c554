// The worker process's heartbeat in PostgreSQL (worker_heartbeats): identity, version, task
// queues, RSS, activities running and the time of its last task, every few seconds, so that
// `herald status` shows every worker and which one has gone silent. A failed write is logged and
// retried at the next beat: the heartbeat never stops the worker.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ActivityInboundCallsInterceptor, Worker } from '@temporalio/worker';
import type pg from 'pg';
import type { Logger } from 'pino';
import { repoRoot } from '../config/paths';
import { recordHeartbeat, recordStopped } from '../db/operations/worker-heartbeats';

export const HEARTBEAT_INTERVAL_MS = 5_000;

export function heraldVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  return `herald ${pkg.version} (node ${process.version})`;
}

/** The time of the worker's last task, moved by an activity interceptor and by sampling workflow work. */
export class LastTask {
  at: Date | null = null;
  mark(): void {
    this.at = new Date();
  }
  /** For Worker.create's interceptors.activity: each activity's start and end is a task. */
  interceptor = (): { inbound: ActivityInboundCallsInterceptor } => ({
    inbound: {
      execute: async (input, next) => {
        this.mark();
        try {
          return await next(input);
        } finally {
          this.mark();
        }
      },
    },
  });
}

export interface HeartbeatOptions {
  pool: pg.Pool;
  identity: string;
  namespace: string;
  taskQueues: string[];
  memoryLimitBytes: number | null;
  workers: Worker[];
  lastTask: LastTask;
  logger: Logger;
  intervalMs?: number;
}

/** Starts beating at once; the returned function stops and records a graceful stop. */
export function startHeartbeat(options: HeartbeatOptions): () => Promise<void> {
  const startedAt = new Date();
  const version = heraldVersion();
  let failing = false;
  const beat = async () => {
    const statuses = options.workers.map((w) => w.getStatus());
    // Workflow activations take milliseconds: one in flight at a sample is a task too.
    if (statuses.some((s) => s.numInFlightWorkflowActivations > 0)) options.lastTask.mark();
    try {
      await recordHeartbeat(options.pool, {
        identity: options.identity,
        namespace: options.namespace,
        taskQueues: options.taskQueues,
        version,
        rssBytes: process.memoryUsage.rss(),
        memoryLimitBytes: options.memoryLimitBytes,
        activitiesRunning: statuses.reduce((n, s) => n + s.numInFlightActivities, 0),
        lastTaskAt: options.lastTask.at,
        startedAt,
      });
      if (failing) options.logger.info('worker heartbeat recorded again');
      failing = false;
    } catch (error) {
      if (!failing)
        options.logger.warn({ err: (error as Error).message }, 'worker heartbeat not recorded; retrying');
      failing = true;
    }
  };
  let pending = beat();
  const timer = setInterval(() => {
    pending = pending.then(beat);
  }, options.intervalMs ?? HEARTBEAT_INTERVAL_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await pending;
    await recordStopped(options.pool, options.identity).catch(() => {});
  };
}
