// The worker process: one Runtime, one connection, all workflows and activities on
// HERALD_TASK_QUEUE; stops gracefully on SIGINT/SIGTERM (the Runtime's default shutdown signals).
import { hostname } from 'node:os';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { config } from '../config/env';
import { closeSharedPool, sharedPool } from '../db/pool';
import { mailSettings } from '../delivery/mail-settings';
import { mailTaskQueue } from '../domain/reporting/mail-task-queue';
import { workflowSource } from './bundle';
import { temporalConnectOptions } from './connection';
import { LastTask, startHeartbeat } from './heartbeat';
import { createLogger } from './logger';
import { createMailTransport } from './mail-transport';
import { mailWorkerOptions } from './mail-worker';
import { startMemoryWatch } from './memory-watch';
import { installRuntime } from './runtime';
import { requireSearchAttributes } from './search-attributes';

/** Exit code of a worker that stopped because it passed HERALD_WORKER_MEMORY_LIMIT_MB. */
export const EXIT_MEMORY_LIMIT = 3;

/** Runs until SIGINT/SIGTERM (resolves 0) or the memory limit (resolves EXIT_MEMORY_LIMIT). */
export async function runWorker(): Promise<number> {
  const env = config();
  const logger = createLogger('herald-worker');
  // Before anything connects: a missing or locked signing key stops the worker with one line.
  const transport = createMailTransport();
  let mail: Awaited<ReturnType<typeof mailSettings>>;
  try {
    mail = await mailSettings(env, transport);
  } catch (error) {
    transport.close();
    throw error;
  }
  const { metricsUrl } = installRuntime(logger);
  const { connectionOptions, namespace } = temporalConnectOptions();
  const connection = await NativeConnection.connect(connectionOptions);
  try {
    // Before polling: without them every monitor workflow task would fail, visible only in the log.
    await requireSearchAttributes(connection.operatorService, namespace);
  } catch (error) {
    await connection.close();
    transport.close();
    throw error;
  }
  try {
    const activities = createActivities({
      pool: sharedPool(),
      logger,
      mail,
    });
    // One identity for both workers: the pollers Temporal lists and the heartbeat row match.
    const identity = `${process.pid}@${hostname()}`;
    const lastTask = new LastTask();
    const interceptors = { activity: [lastTask.interceptor] };
    const worker = await Worker.create({
      connection,
      namespace,
      identity,
      interceptors,
      taskQueue: env.HERALD_TASK_QUEUE,
      ...workflowSource(),
      maxCachedWorkflows: env.HERALD_WORKER_MAX_CACHED_WORKFLOWS,
      maxConcurrentActivityTaskExecutions: env.HERALD_WORKER_MAX_CONCURRENT_ACTIVITIES,
      // Heartbeats reach the server within 5 s, so a cancelled fetch learns of it quickly.
      maxHeartbeatThrottleInterval: '5 seconds',
      activities,
    });
    const mailWorker = await Worker.create({
      ...mailWorkerOptions(connection, namespace, activities),
      identity,
      interceptors,
    });
    logger.info(
      {
        taskQueue: env.HERALD_TASK_QUEUE,
        mailTaskQueue: mailTaskQueue(env.HERALD_TASK_QUEUE),
        mailRatePerSecond: env.HERALD_MAIL_RATE_PER_SECOND ?? null,
        mailSigningKey: mail.signer?.fingerprint ?? null,
        namespace,
        address: env.TEMPORAL_ADDRESS,
        metricsUrl,
      },
      'herald worker started',
    );
    let exitCode = 0;
    const limitBytes = env.HERALD_WORKER_MEMORY_LIMIT_MB * 1024 * 1024;
    const stopHeartbeat = startHeartbeat({
      pool: sharedPool(),
      identity,
      namespace,
      taskQueues: [env.HERALD_TASK_QUEUE, mailTaskQueue(env.HERALD_TASK_QUEUE)],
      memoryLimitBytes: limitBytes || null,
      workers: [worker, mailWorker],
      lastTask,
      logger,
    });
    const stopWatch = startMemoryWatch({
      limitBytes,
      intervalMs: 5_000,
      logger,
      onLimitExceeded: () => {
        exitCode = EXIT_MEMORY_LIMIT;
        worker.shutdown();
        mailWorker.shutdown();
      },
    });
    try {
      // SIGINT/SIGTERM shut both down (the Runtime's shutdown signals); either failing stops both.
      await Promise.all([
        worker.run().catch(stopOther(mailWorker)),
        mailWorker.run().catch(stopOther(worker)),
      ]);
    } finally {
      stopWatch();
      await stopHeartbeat();
    }
    logger.info({ exitCode }, 'herald worker stopped');
    return exitCode;
  } finally {
    transport.close();
    await connection.close();
    await closeSharedPool();
  }
}

/** A worker that failed takes the other one down with it (then the process exits non-zero). */
function stopOther(other: Worker) {
  return (error: unknown): never => {
    if (other.getState() === 'RUNNING') other.shutdown();
    throw error;
  };
}
