// Runs N noopGroup workflows on an in-process worker (same server as herald's figures).
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';

let runtimeInstalled = false;

export async function runNoopCycle(
  address: string,
  groups: number,
): Promise<{ seconds: number; historyEventsPerGroupRun: number }> {
  if (!runtimeInstalled) {
    runtimeInstalled = true;
    const quiet = () => {};
    Runtime.install({
      logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: console.error },
    });
  }
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  const taskQueue = `bench-noop-${randomUUID()}`;
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    workflowsPath: path.join(path.dirname(fileURLToPath(import.meta.url)), 'noop-workflows.ts'),
    activities: { noop: async () => {} },
  });
  try {
    return await worker.runUntil(async () => {
      const prefix = `bench-noop-${randomUUID().slice(0, 8)}`;
      const began = process.hrtime.bigint();
      const handles = [];
      for (let i = 0; i < groups; i += 50)
        handles.push(
          ...(await Promise.all(
            Array.from({ length: Math.min(50, groups - i) }, (_, j) =>
              client.workflow.start('noopGroup', { taskQueue, workflowId: `${prefix}:${i + j}` }),
            ),
          )),
        );
      await Promise.all(handles.map((h) => h.result()));
      const seconds = Number(process.hrtime.bigint() - began) / 1e9;
      const sample = handles.slice(0, Math.min(10, handles.length));
      let events = 0;
      for (const h of sample) {
        events += (await client.workflow.getHandle(h.workflowId).describe()).historyLength;
      }
      return { seconds, historyEventsPerGroupRun: Math.round(events / Math.max(1, sample.length)) };
    });
  } finally {
    await nativeConnection.close();
    await connection.close();
  }
}
