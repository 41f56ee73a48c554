// Step 2, threshold: staged hits whose key (scope: group, severity, pass) is still suppressed are
// recorded as thresholded and not reported (reference §3.4).
import { markThresholded } from '../../db/reporting/thresholds';
import type { ActivityDeps } from '../deps';
import type { SeverityRunInput } from './types';

export function createThresholdActivity(deps: ActivityDeps) {
  return async function thresholdReportEvents(input: SeverityRunInput): Promise<{ thresholded: number }> {
    const thresholded = await markThresholded(deps.pool, {
      runId: input.runId,
      group: input.group,
      severity: input.severity,
      timeHigh: new Date(input.window.to),
    });
    return { thresholded };
  };
}
