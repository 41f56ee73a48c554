// reportGroup: one tick of a group's schedule (or an ad-hoc run). Computes time_h, reads the
// cursor per severity (previous result → report_runs ledger → time_h − period), and runs every due
// severity as a child over [cursor, time_h) — in parallel, each with a window-unique id that
// refuses a second run of the same window. Due windows with nothing in them (no events, nothing to
// relapse or clean) are settled first by one activity that writes their ledger rows; only the
// others get a child. The result (cursors, counters, a few labels) is small.
// A re-run (`herald rerun`, runKind 'rerun') reports one explicit past window instead: it reads
// no cursor, moves none, and its severity runs have their own ids. `reportRerun` walks a past
// period window by window with one such group run per window.

import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ActivityFailure,
  CancellationScope,
  ChildWorkflowFailure,
  defineQuery,
  defineUpdate,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  WorkflowIdReusePolicy,
  workflowInfo,
} from '@temporalio/workflow';
import type { ReportingActivities } from '../activities/reporting';
import { type Counters, ZERO_COUNTERS } from '../domain/reporting/chains';
import { isReportingMode } from '../domain/reporting/report-plan';
import { REPORT_REF_LIMIT } from '../domain/reporting/result-limits';
import { SEVERITIES, type Severity } from '../domain/reporting/severities';
import {
  floorTimeHigh,
  initialCursor,
  isDue,
  iso,
  laterCursor,
  type TimeWindow,
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
import { settleAll } from './settle-all';

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

// Checking the due windows for work before starting children (runs recorded before it replay
// without the check).
const SKIP_QUIET_WINDOWS_PATCH = 'skip-quiet-severity-windows';
// The check waits for writers inside the window (up to 10 s), heartbeating.
const check = proxyActivities<ReportingActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 5,
  },
});

function nominalTime(input: ReportGroupInput): number {
  if (input.timeHigh) return Date.parse(input.timeHigh);
  const scheduled = workflowInfo().typedSearchAttributes.get(scheduledStartTimeKey);
  return (scheduled ?? workflowInfo().startTime).getTime();
}

/** A group run that re-reports one past window `[rerun.from, timeHigh)`. */
export interface RerunWindow {
  from: string;
  /** Makes the re-run's severity ids unique (several re-runs of one window may exist). */
  nonce: string;
}

export interface ReportGroupRunInput extends ReportGroupInput {
  rerun?: RerunWindow;
  /** Ignore `force` for runs whose nominal time is at or after this (ISO): `herald force --until`. */
  forceUntil?: string;
}

/** Why a set of overrides is refused, or null (the `forceOverrides` update's validator). */
export function invalidOverrides(o: ForceOverrides): string | null {
  if (o.mode !== undefined && !isReportingMode(o.mode))
    return `mode: expected one of summary, extra, both, none, got "${o.mode}"`;
  if (o.timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: o.timezone });
    } catch {
      return `timezone: "${o.timezone}" is not an IANA time zone`;
    }
  }
  return null;
}

/** Validated overrides (refused by the validator before they reach history); returns them merged. */
export const forceOverridesUpdate = defineUpdate<ForceOverrides, [ForceOverrides]>('forceOverrides');

export const rerunSeverityWorkflowId = (
  group: string,
  severity: Severity,
  windowEnd: string,
  nonce: string,
): string => `${severityWorkflowId(group, severity, windowEnd)}:rerun:${nonce}`;

export async function reportGroup(input: ReportGroupRunInput): Promise<ReportGroupResult> {
  const force: ForceOverrides = { ...input.force };
  const progress: GroupProgress = {};
  const applyForce = (overrides: ForceOverrides) => {
    Object.assign(force, overrides);
    // Severity runs still before their render step take the mode and mail options too.
    for (const p of Object.values(progress)) {
      if (!p?.workflowId || p.stage === 'done' || p.stage === 'failed') continue;
      getExternalWorkflowHandle(p.workflowId)
        .signal(forceSignal, overrides)
        .catch(() => {});
    }
  };
  setHandler(forceSignal, applyForce);
  setHandler(
    forceOverridesUpdate,
    (overrides) => {
      applyForce(overrides);
      return { ...force };
    },
    {
      validator: (overrides) => {
        const problem = invalidOverrides(overrides);
        if (problem) throw new Error(problem);
      },
    },
  );
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

  if (input.forceUntil && nominalTime(input) >= Date.parse(input.forceUntil)) {
    // The stored override has expired; explicit signals later still apply.
    for (const key of Object.keys(force)) delete force[key as keyof ForceOverrides];
  }
  const rerun = input.runKind === 'rerun' ? input.rerun : undefined;
  const timeHigh = rerun
    ? Date.parse(input.timeHigh!)
    : floorTimeHigh(nominalTime(input), plan.intervalSeconds);
  const cursors: Partial<Record<Severity, string>> = rerun ? {} : { ...previous?.cursors };
  const results: Partial<Record<Severity, SeverityRunSummary>> = {};

  const runKind =
    input.runKind ?? (workflowInfo().typedSearchAttributes.get(scheduledStartTimeKey) ? 'schedule' : 'adhoc');
  const testData = force.testData === true;

  /** The window a severity is due for, or null (skipped-too-soon, recorded here). No commands. */
  const dueWindow = (severity: Severity): { window: TimeWindow; workflowId: string } | null => {
    const period = plan.timing[severity].per;
    // The later of the durable result and the ledger: an ad-hoc run in between moves it too.
    const known = rerun
      ? undefined
      : laterCursor(previous?.cursors?.[severity], plan.ledgerCursors[severity]);
    const cursor = rerun
      ? Date.parse(rerun.from)
      : known
        ? Date.parse(known)
        : initialCursor(timeHigh, period);
    if (known && !testData) cursors[severity] = laterCursor(cursors[severity], known);
    if (!rerun && !isDue(cursor, period, timeHigh)) {
      progress[severity] = { stage: 'skipped-too-soon' };
      const window = { from: iso(cursor), to: iso(Math.max(cursor, timeHigh)) };
      results[severity] = {
        result: 'skipped-too-soon',
        window,
        counters: { ...ZERO_COUNTERS },
        reports: [],
        reportCount: 0,
      };
      return null;
    }
    const window = windowOf(cursor, timeHigh);
    const workflowId = rerun
      ? rerunSeverityWorkflowId(input.group, severity, window.to, rerun.nonce)
      : severityWorkflowId(input.group, severity, window.to, testData);
    return { window, workflowId };
  };

  const finish = (
    severity: Severity,
    window: TimeWindow,
    summary: SeverityRunSummary,
    workflowId?: string,
  ) => {
    results[severity] = summary;
    if (summary.result !== 'failed' && !testData && !rerun) {
      cursors[severity] = laterCursor(cursors[severity], window.to);
    }
    progress[severity] = {
      stage: summary.result === 'failed' ? 'failed' : 'done',
      window,
      ...(workflowId ? { workflowId } : {}),
      result: summary.result,
      counters: summary.counters,
    };
  };

  const runOne = async (severity: Severity, window: TimeWindow, workflowId: string): Promise<void> => {
    // A severity run starts with its fetch (it reports its later stages itself).
    progress[severity] = { stage: 'fetch', window, workflowId };
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
        // Shown in the Temporal UI's run list and detail page.
        staticSummary: `${input.group} ${severity} ${runKind} ${window.from} → ${window.to}`,
      });
      summary = await child.result();
    } catch (error) {
      // `herald cancel` of this run: the child (cancellation type WAIT_CANCELLATION_COMPLETED, the
      // default) has cleaned up and closed Cancelled; so does this run. A severity run cancelled
      // on its own is a failed severity below, like any other failed child.
      if (isCancellation(error) && CancellationScope.current().consideredCancelled) throw error;
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        // Same window started elsewhere (schedule + ad-hoc run at once, or a rerun): it is that
        // run's window; wait for it and take its ledger row instead of reporting twice.
        try {
          const entry = await waiting.awaitReportRun({ workflowId });
          summary = entry
            ? summaryFromLedger(entry, REPORT_REF_LIMIT)
            : failedSummary(window, workflowId, 'the run of this window did not complete');
        } catch (awaitError) {
          if (isCancellation(awaitError) && CancellationScope.current().consideredCancelled) throw awaitError;
          if (!(awaitError instanceof ActivityFailure)) throw awaitError;
          summary = failedSummary(window, workflowId, awaitError.cause?.message ?? awaitError.message);
        }
      } else if (error instanceof ChildWorkflowFailure) {
        summary = failedSummary(window, workflowId, error.cause?.message ?? error.message);
      } else {
        throw error;
      }
    }
    finish(severity, window, summary, workflowId);
  };

  const due: { severity: Severity; window: TimeWindow; workflowId: string }[] = [];
  for (const severity of severities) {
    const w = dueWindow(severity);
    if (w) due.push({ severity, ...w });
  }
  // Windows with nothing to fetch, relapse or clean get their ledger row from one activity
  // instead of a child each. Re-runs always start their children (an operator's explicit request).
  let quiet = new Set<Severity>();
  if (!rerun && due.length > 0 && patched(SKIP_QUIET_WINDOWS_PATCH)) {
    // The check reads the window (after its writer fence) like a fetch does.
    for (const d of due) progress[d.severity] = { stage: 'fetch', window: d.window };
    try {
      quiet = new Set(
        (await check.settleQuietWindows({ group: input.group, testData, runKind, windows: due })).quiet,
      );
    } catch (error) {
      if (isCancellation(error) && CancellationScope.current().consideredCancelled) throw error;
      if (!(error instanceof ActivityFailure)) throw error;
      // Not known to be quiet: the children find out, as before this check existed.
    }
  }
  for (const d of due)
    if (quiet.has(d.severity))
      finish(d.severity, d.window, {
        result: 'skipped-no-events',
        window: d.window,
        counters: { ...ZERO_COUNTERS },
        reports: [],
        reportCount: 0,
      });

  // Settled, not Promise.all: on cancellation every child has finished its cleanup before this run
  // closes (closing would terminate the children still cleaning up).
  await settleAll(
    due.filter((d) => !quiet.has(d.severity)).map((d) => runOne(d.severity, d.window, d.workflowId)),
  );
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

export interface ReportRerunInput {
  group: string;
  /** The past period `[from, to)`, cut into windows of `windowSeconds` (the last may be shorter). */
  from: string;
  to: string;
  windowSeconds: number;
  severities?: Severity[];
  force?: ForceOverrides;
  nonce: string;
}

export interface RerunWindowResult {
  window: { from: string; to: string };
  workflowId: string;
  /** Counters summed over the window's severities; reports = reports made. */
  counters: Counters;
  reports: number;
  failed: Severity[];
}

export interface RerunProgress {
  total: number;
  done: number;
  current: string | null;
  windows: RerunWindowResult[];
}

export const rerunProgressQuery = defineQuery<RerunProgress>('rerunProgress');

export const rerunGroupWorkflowId = (group: string, windowEnd: string, nonce: string): string =>
  `report:${group}:rerun:${new Date(windowEnd).toISOString()}:${nonce}`;

/** The windows of a re-run: consecutive, `windowSeconds` long, the last cut at `to`. */
export function rerunWindows(
  from: string,
  to: string,
  windowSeconds: number,
): { from: string; to: string }[] {
  const windows: { from: string; to: string }[] = [];
  const end = Date.parse(to);
  for (let start = Date.parse(from); start < end; start += windowSeconds * 1000)
    windows.push(windowOf(start, Math.min(start + windowSeconds * 1000, end)));
  return windows;
}

/** `herald rerun`: one re-run group run per window, one after another (thresholds see them in order). */
export async function reportRerun(input: ReportRerunInput): Promise<RerunProgress> {
  const windows = rerunWindows(input.from, input.to, input.windowSeconds);
  const progress: RerunProgress = { total: windows.length, done: 0, current: null, windows: [] };
  setHandler(rerunProgressQuery, () => progress);
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
    const counters: Counters = { ...ZERO_COUNTERS };
    let reports = 0;
    const failed: Severity[] = [];
    for (const [severity, s] of Object.entries(result.severities)) {
      if (!s) continue;
      for (const key of Object.keys(counters) as (keyof Counters)[]) counters[key] += s.counters[key];
      reports += s.reportCount;
      if (s.result === 'failed') failed.push(severity as Severity);
    }
    progress.windows.push({ window, workflowId, counters, reports, failed });
    progress.done++;
  }
  progress.current = null;
  return progress;
}
