// The end of a severity run, in one activity: the mails its sends gave up on are marked failed
// (for `mail retry`), expired thresholds and their records of this (group, severity, realm) go
// (docs/mentat.md, "Cleanup per severity"), old outcomes and overrides go, and the ledger row is
// written. Each part is idempotent, so a retry repeats nothing. A run cancelled after its step
// stored its reports ends the same way (docs/run-kinds.md, "Cancelled runs"): its unsent mails are
// marked cancelled for `mail retry`, and its window counts as reported.
import { type LedgerEntry, writeLedger } from '../../db/reporting/ledger';
import { cancelRunMails, failUndeliveredMails } from '../../db/reporting/outbox';
import { clearOldRunOutcomes, loadRunOutcome } from '../../db/reporting/run-outcomes';
import { clearOldRunOverrides } from '../../db/reporting/run-overrides';
import { reportsOfRun } from '../../db/reporting/run-reports';
import { cleanupThresholds } from '../../db/reporting/thresholds';
import type { ActivityDeps } from '../deps';
import type { SeverityRunInput } from './types';

export interface FinishInput {
  run: SeverityRunInput;
  /** The ledger row without its report list (read from `reports`) and cleanup counts (made here). */
  entry: Omit<LedgerEntry, 'reports' | 'cleanup'>;
}

/** Cleanup, then the ledger row listing every report of the run (not capped as results are). */
async function closeRun(
  deps: ActivityDeps,
  run: SeverityRunInput,
  entry: FinishInput['entry'],
  extra: Record<string, number> = {},
): Promise<void> {
  const removed = await cleanupThresholds(deps.pool, {
    group: run.group,
    severity: run.severity,
    realm: run.realm,
    timeHigh: new Date(run.window.to),
  });
  await clearOldRunOutcomes(deps.pool);
  await clearOldRunOverrides(deps.pool);
  const reports = (await reportsOfRun(deps.pool, run.runId)).map(({ label, type, ip, to, cc }) => ({
    label,
    type,
    ip,
    to,
    cc,
  }));
  await writeLedger(deps.pool, { ...entry, reports, cleanup: { ...removed, ...extra } });
}

export function createFinishActivities(deps: ActivityDeps) {
  return {
    async finishReportRun(input: FinishInput): Promise<void> {
      const undelivered = await failUndeliveredMails(deps.pool, input.run.runId);
      if (undelivered > 0)
        deps.logger.error(
          { runId: input.run.runId, mails: undelivered },
          'mails not delivered before the run ended; marked failed (herald mail retry)',
        );
      await closeRun(deps, input.run, input.entry);
    },

    /**
     * `herald cancel`, after the run's activities have stopped. Before its step stored anything
     * there is nothing to do (the window stays unreported and the next run covers it); after, the
     * unsent mails are marked cancelled and the run is closed with its ledger row.
     */
    async cancelReportRun(run: SeverityRunInput): Promise<{ cancelledMails: number; reported: boolean }> {
      const outcome = await loadRunOutcome(deps.pool, run.runId);
      if (!outcome) return { cancelledMails: 0, reported: false };
      const cancelledMails = await cancelRunMails(deps.pool, run.runId);
      const stored = await reportsOfRun(deps.pool, run.runId);
      await closeRun(
        deps,
        run,
        {
          workflowId: run.runId,
          group: run.group,
          severity: run.severity,
          window: run.window,
          testData: run.testData,
          runKind: run.runKind,
          result: stored.length > 0 ? 'reported' : 'skipped-no-events',
          counters: outcome.counters,
          filterHits: outcome.filterHits,
        },
        { cancelledMails },
      );
      return { cancelledMails, reported: stored.length > 0 };
    },
  };
}
