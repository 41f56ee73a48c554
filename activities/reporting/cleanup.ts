// Step 6, cleanup, per severity right after its relapse and render steps (fixes W-11): expired
// thresholds of this (group, severity), orphaned thresholded records, the run's staging, staging
// abandoned by failed runs, and one-step outcomes and force overrides older than two days.
import { clearOldRunOutcomes } from '../../db/reporting/run-outcomes';
import { clearOldRunOverrides } from '../../db/reporting/run-overrides';
import { clearAbandonedStaging, clearStaged } from '../../db/reporting/staging';
import { cleanupThresholds } from '../../db/reporting/thresholds';
import type { ActivityDeps } from '../deps';
import type { SeverityRunInput } from './types';

export function createCleanupActivity(deps: ActivityDeps) {
  return async function cleanupReportRun(
    input: SeverityRunInput,
  ): Promise<{ thresholds: number; events: number; staged: number }> {
    const removed = await cleanupThresholds(deps.pool, {
      group: input.group,
      severity: input.severity,
      timeHigh: new Date(input.window.to),
    });
    const staged = (await clearStaged(deps.pool, input.runId)) + (await clearAbandonedStaging(deps.pool));
    await clearOldRunOutcomes(deps.pool);
    await clearOldRunOverrides(deps.pool);
    return { ...removed, staged };
  };
}
