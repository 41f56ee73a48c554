// reportSeverity: one (group, severity, window) run: fetch → threshold → relapse → render →
// send (one activity per mail) → cleanup → ledger. Its workflow id is unique per window, which is
// the lock (W-3). Events never enter history: activities exchange counters, ids and labels.
import {
  ActivityFailure,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ReportingActivities } from '../activities/reporting';
import type { SeverityRunInput } from '../activities/reporting/types';
import { REPORT_REF_LIMIT } from '../domain/reporting/result-limits';
import {
  type SeverityProgress,
  type SeverityRunSummary,
  severityProgressQuery,
  severityProgressSignal,
} from './report-messages';

const retry = {
  initialInterval: '2 seconds',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  maximumAttempts: 10,
};

// Long steps heartbeat; a worker that dies mid-step is noticed within the heartbeat timeout.
const scan = proxyActivities<ReportingActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry,
});
const quick = proxyActivities<ReportingActivities>({ startToCloseTimeout: '2 minutes', retry });
const render = proxyActivities<ReportingActivities>({ startToCloseTimeout: '15 minutes', retry });
// Mail: retried with backoff for up to a day (an MTA down for a while); 5xx fails at once.
const mail = proxyActivities<ReportingActivities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/** Mails sent at once by one run (the MTA sees at most this many connections from it). */
const SEND_CONCURRENCY = 10;

export async function reportSeverity(input: SeverityRunInput): Promise<SeverityRunSummary> {
  const progress: SeverityProgress = {
    stage: 'fetch',
    window: input.window,
    workflowId: workflowInfo().workflowId,
  };
  setHandler(severityProgressQuery, () => progress);
  // Live progress for the group run's `progress` query; a lost signal (parent gone) is harmless.
  const parent = workflowInfo().parent;
  const stage = (next: SeverityProgress['stage']) => {
    progress.stage = next;
    if (!parent) return;
    getExternalWorkflowHandle(parent.workflowId, parent.runId)
      .signal(severityProgressSignal, { severity: input.severity, progress: { ...progress } })
      .catch(() => {});
  };
  stage('fetch');

  const fetched = await scan.fetchReportEvents(input);
  stage('threshold');
  await quick.thresholdReportEvents(input);
  stage('relapse');
  await scan.relapseReportEvents(input);
  stage('render');
  const rendered = await render.renderReports({
    ...input,
    fetched: fetched.fetched,
    filterHits: fetched.filterHits,
  });
  progress.counters = rendered.counters;

  stage('send');
  let accepted = 0;
  let failed = 0;
  const queue = [...rendered.outboxIds];
  const sender = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      try {
        await mail.sendReportMail({ outboxId: id });
        accepted++;
      } catch (error) {
        // A refused mail is recorded on its outbox row; the other reports still go out.
        if (!(error instanceof ActivityFailure)) throw error;
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SEND_CONCURRENCY, queue.length) }, sender));

  stage('cleanup');
  const cleanup = await quick.cleanupReportRun(input);
  await quick.recordReportRun({
    workflowId: workflowInfo().workflowId,
    group: input.group,
    severity: input.severity,
    window: input.window,
    testData: input.testData,
    runKind: input.runKind,
    result: rendered.result,
    counters: rendered.counters,
    filterHits: fetched.filterHits,
    cleanup,
  });
  progress.result = rendered.result;
  progress.stage = 'done';
  return {
    result: rendered.result,
    window: input.window,
    counters: rendered.counters,
    reports: rendered.reports.slice(0, REPORT_REF_LIMIT),
    reportCount: rendered.reportCount,
    workflowId: workflowInfo().workflowId,
    mail: { accepted, failed },
  };
}
