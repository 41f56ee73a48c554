// reportGroup: one tick of a group's schedule (or an ad-hoc run). Computes time_h, reads the
// cursor per severity (previous result → report_runs ledger → time_h − period), and runs every due
// severity as a child over [cursor, time_h) — in parallel, each with a window-unique id that
// refuses a second run of the same window. The result (cursors, counters, a few labels) is small.

import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ActivityFailure,
  ChildWorkflowFailure,
  proxyActivities,
  setHandler,
  startChild,
  WorkflowIdReusePolicy,
  workflowInfo,
} from '@temporalio/workflow';
import type { ReportingActivities } from '../activities/reporting';
import { ZERO_COUNTERS } from '../domain/reporting/chains';
import { REPORT_REF_LIMIT } from '../domain/reporting/result-limits';
import { SEVERITIES, type Severity } from '../domain/reporting/severities';
import {
  floorTimeHigh,
  initialCursor,
  isDue,
  iso,
  laterCursor,
  windowOf,
} from '../domain/reporting/time-window';
import {
  type ForceOverrides,
  forceSignal,
  type GroupProgress,
  heraldGroupKey,
  heraldRunKindKey,
  heraldSeverityKey,
  progressQuery,
  type ReportGroupInput,
  type ReportGroupResult,
  type SeverityRunSummary,
  scheduledStartTimeKey,
  severityProgressSignal,
  severityWorkflowId,
  summaryFromLedger,
} from './report-messages';
import { reportSeverity } from './report-severity';

const db = proxyActivities<ReportingActivities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 10,
  },
});
// Waiting for a run of the same window started elsewhere: as long as that run takes.
const waiting = proxyActivities<ReportingActivities>({
  startToCloseTimeout: '1 day',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});

function nominalTime(input: ReportGroupInput): number {
  if (input.timeHigh) return Date.parse(input.timeHigh);
  const scheduled = workflowInfo().typedSearchAttributes.get(scheduledStartTimeKey);
  return (scheduled ?? workflowInfo().startTime).getTime();
}

export async function reportGroup(input: ReportGroupInput): Promise<ReportGroupResult> {
  const force: ForceOverrides = { ...input.force };
  const progress: GroupProgress = {};
  setHandler(forceSignal, (overrides) => {
    Object.assign(force, overrides);
  });
  setHandler(progressQuery, () => progress);
  setHandler(severityProgressSignal, ({ severity, progress: reported }) => {
    const current = progress[severity];
    // A late signal never moves a finished severity back.
    if (current?.stage === 'done' || current?.stage === 'failed') return;
    progress[severity] = { ...reported, stage: reported.stage === 'done' ? 'running' : reported.stage };
  });
  const severities = input.severities ?? [...SEVERITIES];
  for (const severity of severities) progress[severity] = { stage: 'pending' };

  const previous = workflowInfo().lastResult as ReportGroupResult | undefined;
  const plan = await db.loadReportGroupPlan({ group: input.group });
  if (!plan.exists || !plan.enabled) {
    return {
      group: input.group,
      timeHigh: null,
      cursors: previous?.cursors ?? {},
      severities: {},
      skipped: plan.exists ? 'group-disabled' : 'group-unknown',
    };
  }

  const timeHigh = floorTimeHigh(nominalTime(input), plan.intervalSeconds);
  const cursors: Partial<Record<Severity, string>> = { ...previous?.cursors };
  const results: Partial<Record<Severity, SeverityRunSummary>> = {};

  const runOne = async (severity: Severity): Promise<void> => {
    const period = plan.timing[severity].per;
    // The later of the durable result and the ledger: an ad-hoc run in between moves it too.
    const known = laterCursor(previous?.cursors?.[severity], plan.ledgerCursors[severity]);
    const cursor = known ? Date.parse(known) : initialCursor(timeHigh, period);
    if (known && force.testData !== true) cursors[severity] = laterCursor(cursors[severity], known);
    if (!isDue(cursor, period, timeHigh)) {
      progress[severity] = { stage: 'skipped-too-soon' };
      const window = { from: iso(cursor), to: iso(Math.max(cursor, timeHigh)) };
      results[severity] = {
        result: 'skipped-too-soon',
        window,
        counters: { ...ZERO_COUNTERS },
        reports: [],
        reportCount: 0,
      };
      return;
    }
    const window = windowOf(cursor, timeHigh);
    const testData = force.testData === true;
    const workflowId = severityWorkflowId(input.group, severity, window.to, testData);
    const runKind =
      input.runKind ??
      (workflowInfo().typedSearchAttributes.get(scheduledStartTimeKey) ? 'schedule' : 'adhoc');
    progress[severity] = { stage: 'running', window, workflowId };
    let summary: SeverityRunSummary;
    try {
      const child = await startChild(reportSeverity, {
        workflowId,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        args: [
          {
            runId: workflowId,
            group: input.group,
            severity,
            window,
            testData,
            force: {
              mode: force.mode,
              template: force.template,
              locale: force.locale,
              timezone: force.timezone,
            },
            mail: { mailTestMode: force.mailTestMode, mailTo: force.mailTo },
            runKind,
          },
        ],
        typedSearchAttributes: [
          { key: heraldGroupKey, value: input.group },
          { key: heraldSeverityKey, value: severity },
          { key: heraldRunKindKey, value: runKind },
        ],
        memo: { group: input.group, severity, window },
      });
      summary = await child.result();
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        // Same window started elsewhere (schedule + ad-hoc run at once, or a rerun): it is that
        // run's window; wait for it and take its ledger row instead of reporting twice.
        try {
          const entry = await waiting.awaitReportRun({ workflowId });
          summary = entry
            ? summaryFromLedger(entry, REPORT_REF_LIMIT)
            : failedSummary(window, workflowId, 'the run of this window did not complete');
        } catch (awaitError) {
          if (!(awaitError instanceof ActivityFailure)) throw awaitError;
          summary = failedSummary(window, workflowId, awaitError.cause?.message ?? awaitError.message);
        }
      } else if (error instanceof ChildWorkflowFailure) {
        summary = failedSummary(window, workflowId, error.cause?.message ?? error.message);
      } else {
        throw error;
      }
    }
    results[severity] = summary;
    if (summary.result !== 'failed' && !testData) {
      cursors[severity] = laterCursor(cursors[severity], window.to);
    }
    progress[severity] = {
      stage: summary.result === 'failed' ? 'failed' : 'done',
      window,
      workflowId,
      result: summary.result,
      counters: summary.counters,
    };
  };

  await Promise.all(severities.map(runOne));
  return { group: input.group, timeHigh: iso(timeHigh), cursors, severities: results };
}

function failedSummary(
  window: SeverityRunSummary['window'],
  workflowId: string,
  error: string,
): SeverityRunSummary {
  return {
    result: 'failed',
    window,
    counters: { ...ZERO_COUNTERS },
    reports: [],
    reportCount: 0,
    workflowId,
    error,
  };
}
