// reportSeverity: one (group, severity, window) run: fetch → threshold → relapse → render (one
// activity) → send (one activity per mail) → cleanup → ledger (one activity). Its workflow id is
// unique per window, which is the lock (W-3). Events never enter history: activities exchange
// counters, ids and labels.
import {
  ActivityCancellationType,
  ActivityFailure,
  CancellationScope,
  CancelledFailure,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ReportingActivities } from '../activities/reporting';
import type { FetchResult, RenderResult, SeverityRunInput } from '../activities/reporting/types';
import { mailTaskQueue } from '../domain/reporting/mail-task-queue';
import { REPORT_REF_LIMIT } from '../domain/reporting/result-limits';
import {
  forceSignal,
  type SeverityProgress,
  type SeverityRunSummary,
  severityProgressQuery,
  severityProgressSignal,
} from './report-messages';
import { settleAll } from './settle-all';

const COMBINED_STEPS_PATCH = 'combined-severity-steps';
const ONE_STEP_PATCH = 'one-step-severity-run';
const FORCE_REACHES_STEP_PATCH = 'force-reaches-one-step';

const retry = {
  initialInterval: '2 seconds',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  maximumAttempts: 10,
};

// `herald cancel`: every step is waited for until it has really stopped (heartbeating steps stop
// at their next heartbeat, the others finish), so the cleanup below sees everything they wrote.
// (The cancellation type is not part of history: replay is unaffected.)
const cancellationType = ActivityCancellationType.WAIT_CANCELLATION_COMPLETED;

// Long steps heartbeat; a worker that dies mid-step is noticed within the heartbeat timeout.
const scan = proxyActivities<ReportingActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry,
  cancellationType,
});
const quick = proxyActivities<ReportingActivities>({
  startToCloseTimeout: '2 minutes',
  retry,
  cancellationType,
});
const render = proxyActivities<ReportingActivities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '1 minute',
  retry,
  cancellationType,
});
// Mail: retried with backoff for up to a day (an MTA down for a while); 5xx fails at once. Sent on
// the mail task queue, where the workers' rate limit applies (a day covers a long rate-limited run).
const mailActivities = (taskQueue: string) =>
  proxyActivities<ReportingActivities>({
    taskQueue: mailTaskQueue(taskQueue),
    startToCloseTimeout: '1 minute',
    scheduleToCloseTimeout: '1 day',
    retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
    cancellationType,
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
  // `herald force` on the group run reaches the severity runs too: until the render starts, mode,
  // template, locale, time zone and mail options can still change (test data cannot). Staged runs
  // pass them to their render step. A one-step run's step may wait at the window fence or fetch
  // for minutes before it renders: the run records what arrives meanwhile in PostgreSQL, where the
  // step reads it under the run's render lock (recordReportRunOverrides), or learns it came late.
  let rendering = false;
  let stepInFlight = false;
  const force = { ...input.force };
  const mailOptions = { ...input.mail };
  let overridesRecorded: Promise<void> = Promise.resolve();
  const recordOverrides = () => {
    const options = { runId: input.runId, force: { ...force }, mail: { ...mailOptions } };
    // One after the other, so the last override is the one recorded.
    overridesRecorded = overridesRecorded.then(async () => {
      try {
        const { applied } = await quick.recordReportRunOverrides(options);
        if (!applied)
          log.warn('force arrived after this run stored its reports; they keep the options they had');
      } catch (error) {
        // Cancelled with the run, or the database down for all retries: the step renders with
        // what it had (the run's own failure, if any, surfaces from the step).
        log.warn('force could not be passed to the running step', { error: String(error) });
      }
    });
  };
  setHandler(forceSignal, (o) => {
    if (rendering) return;
    // Runs recorded before overrides reached a running step ignored force during it.
    if (stepInFlight && !patched(FORCE_REACHES_STEP_PATCH)) return;
    if (o.mode !== undefined) force.mode = o.mode;
    if (o.template !== undefined) force.template = o.template;
    if (o.locale !== undefined) force.locale = o.locale;
    if (o.timezone !== undefined) force.timezone = o.timezone;
    if (o.mailTestMode !== undefined) mailOptions.mailTestMode = o.mailTestMode;
    if (o.mailTo !== undefined) mailOptions.mailTo = o.mailTo;
    if (stepInFlight) recordOverrides();
  });
  // Live progress for this run's query and, when `tellGroup`, the group run's `progress` query (a
  // signal costs a workflow task here and one in the group run); a lost signal (parent gone) is
  // harmless.
  const parent = workflowInfo().parent;
  const stage = (next: SeverityProgress['stage'], tellGroup = true) => {
    progress.stage = next;
    if (!parent || !tellGroup) return;
    getExternalWorkflowHandle(parent.workflowId, parent.runId)
      .signal(severityProgressSignal, { severity: input.severity, progress: { ...progress } })
      .catch(() => {});
  };
  // Fetch, threshold, relapse and render as one activity (nothing staged), cleanup and ledger as
  // another, and a progress signal only for send: the group run shows `fetch` from the child's
  // start and `done` from its result (each signal costs a workflow task here and one in the group
  // run). Runs recorded before replay their earlier shapes: collect + render with a render signal
  // (combined-severity-steps), or every step on its own with a signal each.
  const oneStep = patched(ONE_STEP_PATCH);
  const combined = oneStep || patched(COMBINED_STEPS_PATCH);
  stage('fetch', !combined);

  try {
    let rendered: RenderResult;
    let filterHits: Record<string, number>;
    if (oneStep) {
      let prepared: Awaited<ReturnType<typeof scan.prepareReports>>;
      stepInFlight = true;
      try {
        prepared = await scan.prepareReports({ ...input, force, mail: mailOptions });
      } finally {
        stepInFlight = false;
      }
      rendering = true;
      // An override still being recorded finds the reports stored and says so (a warning).
      await overridesRecorded;
      rendered = prepared;
      filterHits = prepared.filterHits;
    } else {
      let fetched: FetchResult;
      if (combined) fetched = await scan.collectReportEvents(input);
      else {
        fetched = await scan.fetchReportEvents(input);
        stage('threshold');
        await quick.thresholdReportEvents(input);
        stage('relapse');
        await scan.relapseReportEvents(input);
      }
      stage('render');
      rendering = true;
      rendered = await render.renderReports({
        ...input,
        force,
        mail: mailOptions,
        fetched: fetched.fetched,
        filterHits: fetched.filterHits,
      });
      filterHits = fetched.filterHits;
    }
    progress.counters = rendered.counters;

    // One-step runs tell the group run about `send` only when sending takes more than one round
    // of mails (otherwise the stage lasts a second); their own progress query shows it either way.
    if (oneStep) {
      if (rendered.outboxIds.length > 0) stage('send', rendered.outboxIds.length > SEND_CONCURRENCY);
    } else if (!combined || rendered.outboxIds.length > 0) stage('send');
    const mail = mailActivities(workflowInfo().taskQueue);
    let accepted = 0;
    let failed = 0;
    const queue = [...rendered.outboxIds];
    const sender = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        try {
          await mail.sendReportMail({ outboxId: id });
          accepted++;
        } catch (error) {
          if (isCancellation(error)) throw error;
          // A refused mail is recorded on its outbox row; the other reports still go out.
          if (!(error instanceof ActivityFailure)) throw error;
          failed++;
        }
      }
    };
    // Settled, not Promise.all: on cancellation no send is still in flight when the cleanup runs.
    await settleAll(Array.from({ length: Math.min(SEND_CONCURRENCY, queue.length) }, sender));
    // Cancelled while the last mails were in flight: they are out (or failed); end as cancelled.
    if (CancellationScope.current().consideredCancelled)
      throw new CancelledFailure('cancelled during the send step');

    stage('cleanup', !combined);
    // The mails are out: a cancellation from here on lets the run finish its bookkeeping.
    await CancellationScope.nonCancellable(async () => {
      const entry = {
        workflowId: workflowInfo().workflowId,
        group: input.group,
        severity: input.severity,
        window: input.window,
        testData: input.testData,
        runKind: input.runKind,
        result: rendered.result,
        counters: rendered.counters,
        filterHits,
      };
      if (combined) await quick.finishReportRun({ run: input, entry });
      else await quick.recordReportRun({ ...entry, cleanup: await quick.cleanupReportRun(input) });
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
  } catch (error) {
    if (!isCancellation(error)) throw error;
    // `herald cancel`: the steps have stopped; remove this run's staging and mark its unsent mails,
    // whatever further cancellation requests arrive, then end Cancelled (no ledger row: the window
    // was not reported, so the cursor stays and the next run covers it).
    progress.stage = 'cleanup';
    await CancellationScope.nonCancellable(async () => {
      await quick.clearRunStaging({ runId: input.runId });
      await quick.cancelRunOutbox({ runId: input.runId });
    });
    throw error;
  }
}
