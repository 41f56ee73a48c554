// reportGroup: one tick of a group's schedule, an ad-hoc run, or one window of a re-run. It reads
// time_h and each severity's cursor, settles the due windows that hold nothing in one activity,
// and runs each other due severity as a child over [cursor, time_h), in parallel. Its result
// (cursors, counters, a few labels) is small. docs/reporting.md, "Windows and cursors".
import {
  ActivityFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ReportingActivities } from '../activities/reporting';
import { invalidOverrides } from '../domain/reporting/force-overrides';
import { SEVERITIES, type Severity } from '../domain/reporting/severities';
import { futureTimeHigh } from '../domain/reporting/time-bounds';
import { floorTimeHigh } from '../domain/reporting/time-window';
import { type DueSeverity, emptySummary, GroupRun } from './group-run';
import {
  forceOverridesUpdate,
  forceSignal,
  progressQuery,
  type ReportGroupResult,
  type ReportGroupRunInput,
  scheduledStartTimeKey,
  severityProgressSignal,
} from './report-messages';
import { DATABASE_RETRY } from './retry-policies';
import { settleAll } from './settle-all';
import { runSeverity } from './severity-child';

// One short read: a local activity, recorded with the workflow task that starts the children.
const { loadReportGroupPlan } = proxyLocalActivities<Pick<ReportingActivities, 'loadReportGroupPlan'>>({
  startToCloseTimeout: '1 minute',
  retry: DATABASE_RETRY,
});
// The quiet-window check waits for writers inside the window (up to 10 s), heartbeating.
const { settleQuietWindows } = proxyActivities<Pick<ReportingActivities, 'settleQuietWindows'>>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { ...DATABASE_RETRY, maximumAttempts: 5 },
});

/** The schedule's nominal time of this run (else its start), or the explicit time_h. */
function nominalTime(input: ReportGroupRunInput): number {
  if (input.timeHigh) return Date.parse(input.timeHigh);
  const scheduled = workflowInfo().typedSearchAttributes.get(scheduledStartTimeKey);
  return (scheduled ?? workflowInfo().startTime).getTime();
}

export async function reportGroup(input: ReportGroupRunInput): Promise<ReportGroupResult> {
  const previous = workflowInfo().lastResult as ReportGroupResult | undefined;
  const run = new GroupRun(input, input.severities ?? [...SEVERITIES], previous);
  setHandler(forceSignal, (overrides) => {
    run.applyForce(overrides);
  });
  setHandler(forceOverridesUpdate, (overrides) => run.applyForce(overrides), {
    validator: (overrides) => {
      const problem = invalidOverrides(overrides);
      if (problem) throw new Error(problem);
    },
  });
  setHandler(progressQuery, () => run.progress);
  setHandler(severityProgressSignal, ({ severity, progress }) => run.onSeverityProgress(severity, progress));

  const plan = await loadReportGroupPlan({ group: input.group });
  if (!plan.exists) return run.skipped('group-unknown');
  if (!plan.enabled) return run.skipped('group-disabled');

  run.expireForce(nominalTime(input));
  const timeHigh = input.rerun
    ? Date.parse(input.timeHigh!)
    : floorTimeHigh(nominalTime(input), plan.intervalSeconds);
  // The CLI refuses such a bound already; a client that does not is refused here (Date.now() is
  // the workflow's deterministic clock).
  if (futureTimeHigh(timeHigh, Date.now())) return run.skipped('time-high-in-future');
  const runKind = run.runKind(workflowInfo().typedSearchAttributes.get(scheduledStartTimeKey) !== undefined);
  const due = run.dueSeverities(plan, timeHigh);

  const quiet = input.rerun ? new Set<Severity>() : await quietSeverities(run, due, runKind, input.group);
  for (const d of due)
    if (quiet.has(d.severity)) run.finish(d, emptySummary('skipped-no-events', d.window), false);
  // Settled, not Promise.all: on cancellation every child has finished its cleanup before this run
  // closes (closing would terminate the children still cleaning up).
  await settleAll(
    due.filter((d) => !quiet.has(d.severity)).map((d) => runSeverity(run, d, runKind, input.group)),
  );
  return run.result(timeHigh);
}

/**
 * The due windows with nothing to fetch, relapse or clean: they get their ledger row from one
 * activity instead of a child each. Re-runs always start their children (an explicit request).
 * When the check cannot tell, the children find out.
 */
async function quietSeverities(
  run: GroupRun,
  due: DueSeverity[],
  runKind: ReturnType<GroupRun['runKind']>,
  group: string,
): Promise<Set<Severity>> {
  if (due.length === 0) return new Set();
  // The check reads the window (after its writer fence) like a fetch does.
  for (const d of due) run.checking(d);
  try {
    const { quiet } = await settleQuietWindows({
      group,
      testData: run.testData,
      realm: run.realm,
      runKind,
      windows: due,
    });
    return new Set(quiet);
  } catch (error) {
    if (isCancellation(error) && CancellationScope.current().consideredCancelled) throw error;
    if (!(error instanceof ActivityFailure)) throw error;
    return new Set();
  }
}
