// `herald cancel WORKFLOW-ID`: a clean abort of a report run. Cancelling a group run or a re-run
// cancels its children too (they wait for each other's cleanup); each severity run stops its
// current step at the next heartbeat, deletes its staged rows and marks its unsent mails
// `cancelled` (workflows/report-severity.ts). With --wait, prints each run's final status and
// what the cleanup left: staged rows (0) and the outbox of the severity runs by status.
import type { Client, WorkflowHandle } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Command } from 'commander';
import { createPool } from '../../db/pool';
import { type CancelledRunsLeftovers, cancelledRunsLeftovers } from '../../db/reporting/cancelled-runs';
import { UserError } from '../errors';
import { withSpinner } from '../operations/progress';
import { REPORT_WORKFLOW_TYPES } from '../operations/runs';
import { withOperatorClient } from '../operations/temporal';
import { formatTable, paint, printJson } from '../output';

export interface CancelledRun {
  workflowId: string;
  runId: string;
  type: string;
  /** RUNNING when requested; with --wait the final status (CANCELLED, or COMPLETED if it was too late). */
  status: string;
  /** The run it was cancelled with (absent for the run named on the command line). */
  parent?: string;
}

export interface CancelResult {
  workflowId: string;
  runs: CancelledRun[];
  waited: boolean;
  cleanup?: CancelledRunsLeftovers;
}

/** The run and, depth first, its running children (group runs of a re-run, severity runs). */
async function runTree(client: Client, workflowId: string, parent?: string): Promise<CancelledRun[]> {
  const d = await client.workflow.getHandle(workflowId).describe();
  const run: CancelledRun = {
    workflowId: d.workflowId,
    runId: d.runId,
    type: d.type,
    status: d.status.name,
    ...(parent ? { parent } : {}),
  };
  const children = await Promise.all(
    (d.raw.pendingChildren ?? [])
      .filter((c) => c.workflowId)
      .map((c) => runTree(client, c.workflowId!, d.workflowId).catch(() => [])),
  );
  return [run, ...children.flat()];
}

async function describeRoot(handle: WorkflowHandle, workflowId: string) {
  try {
    return await handle.describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new UserError(`no workflow with id ${workflowId}`);
    throw error;
  }
}

export async function cancelRun(workflowId: string, wait: boolean): Promise<CancelResult> {
  return withOperatorClient(async (client) => {
    const handle = client.workflow.getHandle(workflowId);
    const root = await describeRoot(handle, workflowId);
    if (!(REPORT_WORKFLOW_TYPES as readonly string[]).includes(root.type))
      throw new UserError(
        `${workflowId} is a ${root.type}; herald cancel aborts report runs (${REPORT_WORKFLOW_TYPES.join(', ')})`,
      );
    if (root.status.name !== 'RUNNING')
      throw new UserError(
        `${workflowId} is not running (${root.status.name.toLowerCase()}); nothing to cancel`,
      );
    const runs = await runTree(client, workflowId);
    // Cancels the latest run of the id, the one just described.
    await client.workflow.getHandle(workflowId, root.runId).cancel();
    if (!wait) return { workflowId, runs, waited: false };

    await withSpinner(`waiting for ${workflowId} to stop and clean up`, () =>
      handle.result().catch(() => undefined),
    );
    for (const run of runs) {
      const d = await client.workflow.getHandle(run.workflowId, run.runId).describe();
      run.status = d.status.name;
    }
    const pool = createPool(undefined, 2);
    try {
      const severityRuns = runs.filter((r) => r.type === 'reportSeverity').map((r) => r.workflowId);
      return { workflowId, runs, waited: true, cleanup: await cancelledRunsLeftovers(pool, severityRuns) };
    } finally {
      await pool.end();
    }
  });
}

export function registerCancelCommands(program: Command): void {
  program
    .command('cancel')
    .description('cancel a report run (group, severity or re-run) and its children, cleaning up')
    .argument('<workflow-id>', 'the run, e.g. report:<group>:run:… or report:<group>:<severity>:…')
    .option('--wait', 'wait until the runs have stopped and cleaned up, then print their final status')
    .option('--json', 'print as JSON')
    .action(async (workflowId: string, o: { wait?: boolean; json?: boolean }) => {
      const result = await cancelRun(workflowId, o.wait === true);
      // With --wait, a run that completed before the cancellation reached it is a failure to cancel.
      if (result.waited && result.runs[0]?.status !== 'CANCELLED') process.exitCode = 1;
      if (o.json) return printJson(result);
      process.stdout.write(
        result.waited
          ? `${workflowId}: ${result.runs[0]?.status.toLowerCase()}\n`
          : `cancellation requested: ${workflowId} and ${result.runs.length - 1} running child run(s)\n`,
      );
      process.stdout.write(
        `${formatTable(
          ['workflow', 'type', 'status'],
          result.runs.map((r) => [
            r.parent ? `  ${r.workflowId}` : r.workflowId,
            r.type,
            paint(
              r.status === 'CANCELLED' ? 'yellow' : r.status === 'RUNNING' ? 'cyan' : 'white',
              r.status.toLowerCase(),
            ),
          ]),
        )}\n`,
      );
      if (result.cleanup) {
        const outbox = Object.entries(result.cleanup.outbox)
          .map(([status, n]) => `${n} ${status}`)
          .join(', ');
        process.stdout.write(
          `cleanup: ${result.cleanup.stagedRows} staged rows left; mails: ${outbox || 'none'}\n`,
        );
      }
    });
}
