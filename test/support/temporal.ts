// Temporal for tests: a client on the run's shared dev server and workers on random task queues
// that run the prebuilt workflow bundle with real (or test-specific) activities.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { inject } from 'vitest';
import './provided';
import { mailTaskQueue } from '../../domain/reporting/mail-task-queue';
import { fileNamespace } from './namespace';

let runtimeInstalled = false;

function quietRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({
      logger: {
        log() {},
        trace() {},
        debug() {},
        info() {},
        warn() {},
        error: (m, meta) => console.error(m, meta),
      },
    });
  } catch {
    // Already installed by an earlier test in this fork.
  }
}

export async function testClient(): Promise<{ client: Client; close: () => Promise<void> }> {
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  return {
    client: new Client({ connection, namespace: fileNamespace() }),
    close: () => connection.close(),
  };
}

export function randomTaskQueue(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}

/**
 * A worker on the shared dev server, plus (when it has activities) one on the mail task queue as
 * `herald worker` runs it; `run` executes `fn` while they poll, then shuts them down.
 */
export async function createTestWorker(
  options: Omit<WorkerOptions, 'connection' | 'namespace' | 'workflowsPath' | 'workflowBundle'> & {
    taskQueue: string;
    /** HERALD_MAIL_RATE_PER_SECOND of this worker's mail queue. */
    mailRatePerSecond?: number;
  },
) {
  quietRuntime();
  const { mailRatePerSecond, ...workerOptions } = options;
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  const namespace = fileNamespace();
  const worker = await Worker.create({
    connection,
    namespace,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    ...workerOptions,
  });
  const mailWorker = options.activities
    ? await Worker.create({
        connection,
        namespace,
        taskQueue: mailTaskQueue(options.taskQueue),
        activities: options.activities,
        ...(mailRatePerSecond !== undefined ? { maxTaskQueueActivitiesPerSecond: mailRatePerSecond } : {}),
      })
    : undefined;
  return {
    worker,
    async run<T>(fn: () => Promise<T>): Promise<T> {
      try {
        if (!mailWorker) return await worker.runUntil(fn);
        return await mailWorker.runUntil(() => worker.runUntil(fn));
      } finally {
        await connection.close();
      }
    },
  };
}

/** A test worker polling in the background until the returned function stops it. */
export async function startTestWorker(
  options: Parameters<typeof createTestWorker>[0],
): Promise<() => Promise<void>> {
  const { run } = await createTestWorker(options);
  let release!: () => void;
  const released = new Promise<void>((r) => {
    release = r;
  });
  const running = run(() => released);
  return async () => {
    release();
    await running;
  };
}
