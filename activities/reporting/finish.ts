// The end of a severity run once its mails are out, in one activity: the mails its sends gave up
// on are marked failed (for `mail retry`), expired thresholds and their records of this (group,
// severity) go (docs/reporting.md, "Cleanup"), old outcomes and overrides go, and the ledger row
// is written. Each part is idempotent, so a retry repeats nothing.
import { type LedgerEntry, writeLedger } from '../../db/reporting/ledger';
import { failUndeliveredMails } from '../../db/reporting/outbox';
import { clearOldRunOutcomes } from '../../db/reporting/run-outcomes';
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

export function createFinishActivity(deps: ActivityDeps) {
  return async function finishReportRun(input: FinishInput): Promise<void> {
    const undelivered = await failUndeliveredMails(deps.pool, input.run.runId);
    if (undelivered > 0)
      deps.logger.error(
        { runId: input.run.runId, mails: undelivered },
        'mails not delivered before the run ended; marked failed (herald mail retry)',
      );
    const removed = await cleanupThresholds(deps.pool, {
      group: input.run.group,
      severity: input.run.severity,
      timeHigh: new Date(input.run.window.to),
    });
    await clearOldRunOutcomes(deps.pool);
    await clearOldRunOverrides(deps.pool);
    // The ledger lists every report of the run (complete, not capped as the workflow's result is).
    const reports = (await reportsOfRun(deps.pool, input.run.runId)).map(({ label, type, ip, to, cc }) => ({
      label,
      type,
      ip,
      to,
      cc,
    }));
    await writeLedger(deps.pool, { ...input.entry, reports, cleanup: removed });
  };
}
