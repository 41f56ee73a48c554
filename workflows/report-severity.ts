// reportSeverity: one (group, severity, window) run. One step fetches, thresholds, finds relapses,
// renders and stores the reports with their outbox rows; then one activity per mail; then a local
// one that marks undelivered mails, cleans up and writes the ledger row. Its workflow id is unique per
// window, which is the lock (docs/reporting.md, "One run per window"). Events never enter
// history: activities exchange counters, ids and labels.
import {
  ActivityCancellationType,
  CancellationScope,
  CancelledFailure,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ReportingActivities } from '../activities/reporting';
import type { SeverityRunInput } from '../activities/reporting/types';
import { REPORT_REF_LIMIT } from '../domain/reporting/result-limits';
import {
  forceSignal,
  type SeverityProgress,
  type SeverityRunSummary,
  severityProgressQuery,
  severityProgressSignal,
} from './report-messages';
import { DATABASE_RETRY } from './retry-policies';
import { RunOptions } from './run-options';
import { SEND_CONCURRENCY, sendMails } from './send-mails';

// `herald cancel`: every step is waited for until it has really stopped (the step stops at its
// next heartbeat), so what runs after the cancellation sees everything it wrote.
const cancellationType = ActivityCancellationType.WAIT_CANCELLATION_COMPLETED;

// The step heartbeats; a worker that dies mid-step is noticed within the heartbeat timeout.
const { prepareReports } = proxyActivities<Pick<ReportingActivities, 'prepareReports'>>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: DATABASE_RETRY,
  cancellationType,
});
const { cancelReportRun } = proxyActivities<Pick<ReportingActivities, 'cancelReportRun'>>({
  startToCloseTimeout: '2 minutes',
  retry: DATABASE_RETRY,
  cancellationType,
});
// The run's last step is a few short statements: a local activity, run by the worker that runs
// this workflow, recorded with the task that completes the run (no activity task of its own).
const { finishReportRun } = proxyLocalActivities<Pick<ReportingActivities, 'finishReportRun'>>({
  startToCloseTimeout: '2 minutes',
  retry: DATABASE_RETRY,
});

export async function reportSeverity(input: SeverityRunInput): Promise<SeverityRunSummary> {
  const progress: SeverityProgress = {
    stage: 'fetch',
    window: input.window,
    workflowId: workflowInfo().workflowId,
  };
  const options = new RunOptions(input);
  setHandler(severityProgressQuery, () => progress);
  // `herald force` on the group run reaches the severity runs too.
  setHandler(forceSignal, (overrides) => options.apply(overrides));

  // The group run shows `fetch` from the child's start and `done` from its result; this run tells
  // it only about a send that takes more than one round of mails (a signal costs a workflow task
  // here and one there; a lost signal, the parent gone, is harmless).
  const parent = workflowInfo().parent;
  const stage = (next: SeverityProgress['stage'], tellGroup: boolean) => {
    progress.stage = next;
    if (!parent || !tellGroup) return;
    getExternalWorkflowHandle(parent.workflowId, parent.runId)
      .signal(severityProgressSignal, { severity: input.severity, progress: { ...progress } })
      .catch(() => {});
  };

  try {
    const prepared = await options.duringStep(() =>
      prepareReports({ ...input, force: options.force, mail: options.mail }),
    );
    progress.counters = prepared.counters;

    if (prepared.outboxIds.length > 0) stage('send', prepared.outboxIds.length > SEND_CONCURRENCY);
    const mail = await sendMails(prepared.outboxIds, workflowInfo().taskQueue);
    // Cancelled while the last mails were in flight: they are out (or failed); end as cancelled.
    if (CancellationScope.current().consideredCancelled)
      throw new CancelledFailure('cancelled during the send step');

    stage('cleanup', false);
    // The mails are out: a cancellation from here on lets the run finish its bookkeeping.
    await CancellationScope.nonCancellable(() =>
      finishReportRun({
        run: input,
        entry: {
          workflowId: workflowInfo().workflowId,
          group: input.group,
          severity: input.severity,
          window: input.window,
          testData: input.testData,
          runKind: input.runKind,
          result: prepared.result,
          counters: prepared.counters,
          filterHits: prepared.filterHits,
        },
      }),
    );
    progress.result = prepared.result;
    progress.stage = 'done';
    return {
      result: prepared.result,
      window: input.window,
      counters: prepared.counters,
      reports: prepared.reports.slice(0, REPORT_REF_LIMIT),
      reportCount: prepared.reportCount,
      workflowId: workflowInfo().workflowId,
      mail,
    };
  } catch (error) {
    if (!isCancellation(error)) throw error;
    // `herald cancel`: the steps have stopped. Whatever further cancellation requests arrive, a run
    // whose step stored reports keeps them deliverable (unsent mails marked cancelled, for `mail
    // retry`) and writes its ledger row; one that stored nothing leaves its window to the next run.
    progress.stage = 'cleanup';
    await CancellationScope.nonCancellable(() => cancelReportRun(input));
    throw error;
  }
}
