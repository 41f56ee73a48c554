// Steps 6–7 in one activity: cleanup, then the run's ledger row. Both are idempotent (a retry
// deletes nothing more and the ledger insert is once per workflow id).
import type { LedgerEntry } from '../../db/reporting/ledger';
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
    const removed = await cleanup(input.run);
    await recordReportRun({ ...input.entry, cleanup: removed });
  };
}
