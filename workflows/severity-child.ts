// One due severity of a group run as its child workflow. The child's id is unique per window
// (docs/reporting.md, "One run per window"): when the window already has a run (a schedule and an
// ad-hoc run at once), this waits for that run and takes its ledger row instead of reporting twice.
// Workflow-side code, not a workflow.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ActivityFailure,
  CancellationScope,
  ChildWorkflowFailure,
  isCancellation,
  proxyActivities,
  startChild,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import type { ReportingActivities } from '../activities/reporting';
import type { RunKind } from '../activities/reporting/types';
import { REPORT_REF_LIMIT } from '../domain/reporting/result-limits';
import { type DueSeverity, failedSummary, type GroupRun } from './group-run';
import {
  heraldGroupKey,
  heraldRunKindKey,
  heraldSeverityKey,
  type SeverityRunSummary,
  summaryFromLedger,
} from './report-messages';
import { reportSeverity } from './report-severity';

// Waiting for a run of the same window started elsewhere: as long as that run takes.
const { awaitReportRun } = proxyActivities<Pick<ReportingActivities, 'awaitReportRun'>>({
  startToCloseTimeout: '1 day',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});

/** A cancellation of the group run itself (not of one child), which ends the group run too. */
const groupCancelled = (error: unknown) =>
  isCancellation(error) && CancellationScope.current().consideredCancelled;

export async function runSeverity(
  run: GroupRun,
  d: DueSeverity,
  runKind: RunKind,
  group: string,
): Promise<void> {
  run.started(d);
  let summary: SeverityRunSummary;
  try {
    const child = await startChild(reportSeverity, {
      workflowId: d.workflowId,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      args: [
        {
          runId: d.workflowId,
          group,
          severity: d.severity,
          window: d.window,
          testData: run.testData,
          realm: run.realm,
          force: {
            mode: run.force.mode,
            template: run.force.template,
            locale: run.force.locale,
            timezone: run.force.timezone,
          },
          mail: { mailTestMode: run.force.mailTestMode, mailTo: run.force.mailTo },
          runKind,
        },
      ],
      typedSearchAttributes: [
        { key: heraldGroupKey, value: group },
        { key: heraldSeverityKey, value: d.severity },
        { key: heraldRunKindKey, value: runKind },
      ],
      memo: { group, severity: d.severity, window: d.window },
      // Shown in the Temporal UI's run list and detail page.
      staticSummary: `${group} ${d.severity} ${runKind} ${d.window.from} → ${d.window.to}`,
    });
    summary = await child.result();
  } catch (error) {
    // The child (WAIT_CANCELLATION_COMPLETED, the default) has cleaned up and closed Cancelled; so
    // does this run. A severity run cancelled on its own is a failed severity, like any failed child.
    if (groupCancelled(error)) throw error;
    if (error instanceof WorkflowExecutionAlreadyStartedError) summary = await existingRun(d);
    else if (error instanceof ChildWorkflowFailure)
      summary = failedSummary(d.window, d.workflowId, error.cause?.message ?? error.message);
    else throw error;
  }
  run.finish(d, summary);
}

/** The summary of the run that already has this window, once it has closed. */
async function existingRun(d: DueSeverity): Promise<SeverityRunSummary> {
  try {
    const entry = await awaitReportRun({ workflowId: d.workflowId });
    return entry
      ? summaryFromLedger(entry, REPORT_REF_LIMIT)
      : failedSummary(d.window, d.workflowId, 'the run of this window did not complete');
  } catch (error) {
    if (groupCancelled(error) || !(error instanceof ActivityFailure)) throw error;
    return failedSummary(d.window, d.workflowId, error.cause?.message ?? error.message);
  }
}
