// The report_runs ledger: written once per completed severity run; read for the fallback cursor
// and, when a window's run already exists, for that run's result.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { type LedgerEntry, ledgerEntry, writeLedger } from '../../db/reporting/ledger';
import { reportsOfRun } from '../../db/reporting/reports';
import type { ActivityDeps } from '../deps';

export function createLedgerActivities(deps: ActivityDeps) {
  return {
    /** Writes the run's row; its report list is read from the reports table (complete, not capped). */
    async recordReportRun(entry: Omit<LedgerEntry, 'reports'>): Promise<void> {
      const reports = (await reportsOfRun(deps.pool, entry.workflowId)).map(
        ({ label, type, ip, to, cc }) => ({
          label,
          type,
          ip,
          to,
          cc,
        }),
      );
      await writeLedger(deps.pool, { ...entry, reports });
    },

    /**
     * The result of a severity run started elsewhere (same window: a schedule and an ad-hoc run
     * at once). Waits for it to close, then reads the ledger; null when it did not complete.
     */
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
