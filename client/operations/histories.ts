// Workflow histories as files: Temporal's standard JSON (what `temporal workflow show --output
// json` and `herald history export` write), or protobufjs' object form (test/replay fixtures).
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import proto from '@temporalio/proto';

const { temporal } = proto;

import { UserError } from '../errors';

export type History = proto.temporal.api.history.v1.IHistory;

export function parseHistory(json: unknown): History {
  try {
    return historyFromJSON(json);
  } catch (standardError) {
    try {
      // The object form keeps timestamps as {seconds, nanos}.
      const history = temporal.api.history.v1.History.fromObject(json as Record<string, unknown>);
      if (history.events.length > 0) return history;
    } catch {
      // Report the standard format's complaint below.
    }
    throw standardError;
  }
}

export function readHistoryFile(file: string): History {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(
      `${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${file}: not JSON (${(error as Error).message})`);
  }
  try {
    const history = parseHistory(json);
    if (!history.events?.length) throw new Error('no events');
    return history;
  } catch (error) {
    throw new UserError(`${file}: not a workflow history (${(error as Error).message.split('\n')[0]})`);
  }
}

export async function fetchHistory(client: Client, workflowId: string, runId?: string): Promise<History> {
  try {
    return await client.workflow.getHandle(workflowId, runId).fetchHistory();
  } catch (error) {
    if ((error as Error).name === 'WorkflowNotFoundError')
      throw new UserError(`no workflow with id "${workflowId}"`);
    throw error;
  }
}

export function historyJson(history: History): string {
  return historyToJSON(history as proto.temporal.api.history.v1.History);
}
