// Steps 6–7 in one activity: cleanup, then the run's ledger row. Both are idempotent (a retry
// deletes nothing more and the ledger insert is once per workflow id). First, the run's mails
// that its sends gave up on are marked failed (db/reporting/outbox.ts), idempotent too.
import type { LedgerEntry } from '../../db/reporting/ledger';
import { failUndeliveredMails } from '../../db/reporting/outbox';
import type { ActivityDeps } from '../deps';
import { createCleanupActivity } from './cleanup';
import { createLedgerActivities } from './ledger';
import type { SeverityRunInput } from './types';

export interface FinishInput {
  run: SeverityRunInput;
  /** The ledger row without its report list (read from `reports`) and cleanup counts (made here). */
  entry: Omit<LedgerEntry, 'reports' | 'cleanup'>;
}

export function createFinishActivity(deps: ActivityDeps) {
  const cleanup = createCleanupActivity(deps);
  const { recordReportRun } = createLedgerActivities(deps);
  return async function finishReportRun(input: FinishInput): Promise<void> {
    const undelivered = await failUndeliveredMails(deps.pool, input.run.runId);
    if (undelivered > 0)
      deps.logger.error(
        { runId: input.run.runId, mails: undelivered },
        'mails not delivered before the run ended; marked failed (herald mail retry)',
      );
    const removed = await cleanup(input.run);
    await recordReportRun({ ...input.entry, cleanup: removed });
  };
}
