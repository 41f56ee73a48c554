// The second worker of a herald process: polls the mail task queue (send activities only run
// there) with Temporal's per-task-queue rate limit, so all workers together stay under
// HERALD_MAIL_RATE_PER_SECOND however many runs send at once.
import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import { config } from '../config/env';
import { mailTaskQueue } from '../domain/reporting/mail-task-queue';

export function mailWorkerOptions(
  connection: NativeConnection,
  namespace: string,
  activities: object,
  env = config(),
): WorkerOptions {
  const rate = env.HERALD_MAIL_RATE_PER_SECOND;
  return {
    connection,
    namespace,
    taskQueue: mailTaskQueue(env.HERALD_TASK_QUEUE),
    activities,
    maxConcurrentActivityTaskExecutions: env.HERALD_WORKER_MAX_CONCURRENT_ACTIVITIES,
    ...(rate !== undefined ? { maxTaskQueueActivitiesPerSecond: rate } : {}),
  };
}
