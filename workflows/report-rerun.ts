// reportRerun (`herald rerun`): re-reports a past period window by window, one re-run group run
// per window, one after another so its own thresholds see them in order. It reads no cursor and
// moves none, and reads and arms no threshold of real runs (docs/run-kinds.md).
import { CancellationScope, executeChild, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ReportingActivities } from '../activities/reporting';
import { type Counters, ZERO_COUNTERS } from '../domain/reporting/chains';
import type { Severity } from '../domain/reporting/severities';
import { rerunWindows } from '../domain/reporting/time-window';
import { reportGroup } from './report-group';
import {
  heraldGroupKey,
  heraldRunKindKey,
  type ReportGroupResult,
  type ReportRerunInput,
  type RerunProgress,
  type RerunWindowResult,
  rerunGroupWorkflowId,
  rerunProgressQuery,
} from './report-messages';
import { DATABASE_RETRY } from './retry-policies';

const { clearRerunThresholds } = proxyActivities<Pick<ReportingActivities, 'clearRerunThresholds'>>({
  startToCloseTimeout: '2 minutes',
  retry: DATABASE_RETRY,
});

export async function reportRerun(input: ReportRerunInput): Promise<RerunProgress> {
  const windows = rerunWindows(input.from, input.to, input.windowSeconds);
  const progress: RerunProgress = { total: windows.length, done: 0, current: null, windows: [] };
  setHandler(rerunProgressQuery, () => progress);
  try {
    await reportWindows(input, windows, progress);
  } finally {
    // The re-run's own thresholds go however it ended.
    await CancellationScope.nonCancellable(() => clearRerunThresholds({ nonce: input.nonce }));
  }
  progress.current = null;
  return progress;
}

/** One re-run group run per window, one after another (thresholds see them in order). */
async function reportWindows(
  input: ReportRerunInput,
  windows: RerunWindowResult['window'][],
  progress: RerunProgress,
): Promise<void> {
  for (const window of windows) {
    const workflowId = rerunGroupWorkflowId(input.group, window.to, input.nonce);
    progress.current = workflowId;
    const result = await executeChild(reportGroup, {
      workflowId,
      args: [
        {
          group: input.group,
          timeHigh: window.to,
          runKind: 'rerun',
          rerun: { from: window.from, nonce: input.nonce },
          ...(input.severities ? { severities: input.severities } : {}),
          ...(input.force ? { force: input.force } : {}),
        },
      ],
      typedSearchAttributes: [
        { key: heraldGroupKey, value: input.group },
        { key: heraldRunKindKey, value: 'rerun' },
      ],
      memo: { group: input.group, window },
      staticSummary: `${input.group} re-run ${window.from} → ${window.to}`,
    });
    progress.windows.push(windowResult(window, workflowId, result));
    progress.done++;
  }
}

/** A window's severities summed up for the re-run's progress. */
function windowResult(
  window: RerunWindowResult['window'],
  workflowId: string,
  result: ReportGroupResult,
): RerunWindowResult {
  const counters: Counters = { ...ZERO_COUNTERS };
  let reports = 0;
  const failed: Severity[] = [];
  for (const [severity, s] of Object.entries(result.severities)) {
    if (!s) continue;
    for (const key of Object.keys(counters) as (keyof Counters)[]) counters[key] += s.counters[key];
    reports += s.reportCount;
    if (s.result === 'failed') failed.push(severity as Severity);
  }
  return { window, workflowId, counters, reports, failed };
}
