// The worker process: one Runtime, one connection, all workflows and activities on
// HERALD_TASK_QUEUE; stops gracefully on SIGINT/SIGTERM (the Runtime's default shutdown signals).
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { config } from '../config/env';
import { closeSharedPool, sharedPool } from '../db/pool';
import { workflowSource } from './bundle';
import { temporalConnectOptions } from './connection';
import { createLogger } from './logger';
import { createMailTransport } from './mail-transport';
import { installRuntime } from './runtime';

export async function runWorker(): Promise<void> {
  const env = config();
  const logger = createLogger('herald-worker');
  const { metricsUrl } = installRuntime(logger);
  const { connectionOptions, namespace } = temporalConnectOptions();
  const connection = await NativeConnection.connect(connectionOptions);
  const transport = createMailTransport();
  try {
    const worker = await Worker.create({
      connection,
      namespace,
      taskQueue: env.HERALD_TASK_QUEUE,
      ...workflowSource(),
      activities: createActivities({
        pool: sharedPool(),
        logger,
        mail: { transport, from: env.HERALD_MAIL_FROM, domain: env.HERALD_MAIL_DOMAIN },
      }),
    });
    logger.info(
      { taskQueue: env.HERALD_TASK_QUEUE, namespace, address: env.TEMPORAL_ADDRESS, metricsUrl },
      'herald worker started',
    );
    await worker.run();
    logger.info('herald worker stopped');
  } finally {
    transport.close();
    await connection.close();
    await closeSharedPool();
  }
}
