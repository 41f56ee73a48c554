// The result of a severity run started elsewhere, read from the report_runs ledger once that run
// has closed (the same window asked for by a schedule and an ad-hoc run at once).
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { type LedgerEntry, ledgerEntry } from '../../db/reporting/ledger';
import type { ActivityDeps } from '../deps';

export function createLedgerActivities(deps: ActivityDeps) {
  return {
    /** Waits for the run to close, then reads its ledger row; null when it did not complete. */
    async awaitReportRun(input: { workflowId: string }): Promise<LedgerEntry | null> {
      const ctx = Context.current();
      const handle = ctx.client.workflow.getHandle(input.workflowId);
      const beat = setInterval(() => ctx.heartbeat(), 5000);
      try {
        await handle.result();
      } catch (error) {
        deps.logger.warn(
          { workflowId: input.workflowId, error: (error as Error).message },
          'existing run did not complete',
        );
        return await ledgerEntry(deps.pool, input.workflowId);
      } finally {
        clearInterval(beat);
      }
      const entry = await ledgerEntry(deps.pool, input.workflowId);
      if (!entry)
        throw ApplicationFailure.retryable(`${input.workflowId} completed but its ledger row is missing`);
      return entry;
    },
  };
}
