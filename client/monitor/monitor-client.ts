// How the CLI talks to a source's accessLogMonitor workflow: ingest via update-with-start (the
// monitor is created on first use), status/alerts queries and run-time configuration.
import { randomUUID } from 'node:crypto';
import {
  Client,
  Connection,
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ConfigChange } from '../../domain/access-log/monitor-state';
import type { MonitorStatus } from '../../domain/access-log/status-view';
import type { IngestInput, IngestResult, MonitorConfig } from '../../domain/access-log/types';
import { temporalConnectOptions } from '../../worker/connection';
import type { AccessLogMonitorInput } from '../../workflows/access-log-messages';
import {
  configureUpdate,
  ingestUpdate,
  monitorWorkflowId,
  statusQuery,
} from '../../workflows/access-log-messages';
import { UserError } from '../errors';

export interface MonitorTarget {
  client: Client;
  taskQueue: string;
  source: string;
  /** Configuration of a monitor this call creates (an existing one keeps its own). */
  config: MonitorConfig;
  /** Tests: continue as new after this many applied batches. */
  maxBatchesPerRun?: number;
}

/** A rejected ingest (validator): the tailer must resync or stop; never retried as is. */
export class IngestRejected extends Error {
  constructor(
    message: string,
    readonly type: string | undefined,
  ) {
    super(message);
  }
}

export async function sendIngest(
  target: MonitorTarget,
  input: IngestInput,
  updateId: string = randomUUID(),
): Promise<IngestResult> {
  const args: AccessLogMonitorInput = {
    source: target.source,
    config: target.config,
    ...(target.maxBatchesPerRun !== undefined ? { maxBatchesPerRun: target.maxBatchesPerRun } : {}),
  };
  const startWorkflowOperation = new WithStartWorkflowOperation('accessLogMonitor', {
    workflowId: monitorWorkflowId(target.source),
    taskQueue: target.taskQueue,
    args: [args],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  try {
    return await target.client.workflow.executeUpdateWithStart(ingestUpdate, {
      args: [input],
      updateId,
      startWorkflowOperation,
    });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure)
      throw new IngestRejected(error.cause.message, error.cause.type ?? undefined);
    throw error;
  }
}

export async function queryStatus(client: Client, source: string): Promise<MonitorStatus> {
  try {
    return await client.workflow.getHandle(monitorWorkflowId(source)).query(statusQuery);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError)
      throw new UserError(
        `no monitor for source "${source}"; start one with: herald monitor tail FILE --source ${source}`,
      );
    throw error;
  }
}

export async function configureMonitor(
  client: Client,
  source: string,
  change: ConfigChange,
): Promise<MonitorConfig> {
  try {
    return await client.workflow
      .getHandle(monitorWorkflowId(source))
      .executeUpdate(configureUpdate, { args: [change] });
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new UserError(`no monitor for source "${source}"`);
    if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure)
      throw new UserError(`monitor ${source}: ${error.cause.message}`);
    throw error;
  }
}

/** A Temporal client from the environment (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, ...). */
export async function connectClient(): Promise<{ client: Client; close: () => Promise<void> }> {
  const { connectionOptions, namespace } = temporalConnectOptions();
  const connection = await Connection.connect(connectionOptions);
  return { client: new Client({ connection, namespace }), close: () => connection.close() };
}
