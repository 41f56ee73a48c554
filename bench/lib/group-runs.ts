// Runs reportGroup for many groups at once through a real worker and counts what it cost in
// Temporal: wall time and history events (group run + its severity children).
import type { Client } from '@temporalio/client';
import type { ReportGroupResult } from '../../workflows/report-messages';

export interface GroupRunsResult {
  seconds: number;
  results: ReportGroupResult[];
  /** History events of the group runs and their children, over the measured sample. */
  historyEventsPerGroupRun: number;
  workflowsPerGroupRun: number;
  severityRuns: number;
  /** Seconds spent executing each activity type (started → completed), summed over the sample. */
  activitySeconds: Record<string, number>;
  /** Seconds activities of each type waited in the task queue (scheduled → started), summed. */
  activityQueueSeconds: Record<string, number>;
  /**
   * Seconds workflow tasks waited (scheduled → started) and ran (started → completed), summed;
   * `unsticky`: tasks after a run's first that went to the normal queue instead of the worker's
   * sticky queue (the worker no longer had the run cached and replayed its whole history).
   */
  workflowTaskSeconds: { queued: number; running: number; count: number; unsticky: number };
  /** Activities per type that took more than one attempt. */
  retriedActivities: Record<string, number>;
}

// temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_STICKY (history events decode enums as numbers).
const STICKY_TASK_QUEUE = 2;

const toMs = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : 0;

interface Times {
  run: Record<string, number>;
  queue: Record<string, number>;
  workflowTasks: { queued: number; running: number; count: number; unsticky: number };
  /** Activities that needed more than one attempt (a lost task is retried after its timeout). */
  retried: Record<string, number>;
}

/** Adds each activity's queue and execution time to its type's totals, and the workflow tasks'. */
async function addActivityTimes(client: Client, workflowId: string, times: Times) {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const into = times.run;
  const types = new Map<string, string>();
  const scheduled = new Map<string, number>();
  const started = new Map<string, number>();
  let taskScheduled = 0;
  let taskStarted = 0;
  let firstTaskSeen = false;
  for (const e of history.events ?? []) {
    const id = String(e.eventId);
    const scheduledTask = e.workflowTaskScheduledEventAttributes;
    if (scheduledTask) {
      taskScheduled = toMs(e.eventTime);
      if (firstTaskSeen && scheduledTask.taskQueue?.kind !== STICKY_TASK_QUEUE)
        times.workflowTasks.unsticky++;
      firstTaskSeen = true;
    }
    if (e.workflowTaskStartedEventAttributes) {
      taskStarted = toMs(e.eventTime);
      times.workflowTasks.queued += (taskStarted - taskScheduled) / 1000;
      times.workflowTasks.count++;
    }
    if (e.workflowTaskCompletedEventAttributes)
      times.workflowTasks.running += (toMs(e.eventTime) - taskStarted) / 1000;
    if (e.activityTaskScheduledEventAttributes) {
      types.set(id, e.activityTaskScheduledEventAttributes.activityType?.name ?? '?');
      scheduled.set(id, toMs(e.eventTime));
    }
    const st = e.activityTaskStartedEventAttributes;
    if (st) {
      const key = String(st.scheduledEventId);
      started.set(key, toMs(e.eventTime));
      const type = types.get(key) ?? '?';
      if ((st.attempt ?? 1) > 1) times.retried[type] = (times.retried[type] ?? 0) + 1;
      times.queue[type] =
        (times.queue[type] ?? 0) + (toMs(e.eventTime) - (scheduled.get(key) ?? toMs(e.eventTime))) / 1000;
    }
    const done =
      e.activityTaskCompletedEventAttributes ??
      e.activityTaskFailedEventAttributes ??
      e.activityTaskTimedOutEventAttributes;
    if (done) {
      const key = String(done.scheduledEventId);
      const type = types.get(key) ?? '?';
      into[type] = (into[type] ?? 0) + (toMs(e.eventTime) - (started.get(key) ?? toMs(e.eventTime))) / 1000;
    }
  }
}

/** At most `concurrency` starts in flight; every run is awaited. */
export async function runGroups(
  client: Client,
  options: {
    taskQueue: string;
    groups: string[];
    timeHigh: string;
    historySample?: number;
    idPrefix: string;
    /** Called once every run has finished, before their histories are read (the figures' own work). */
    onFinished?: () => void;
  },
): Promise<GroupRunsResult> {
  const began = process.hrtime.bigint();
  const handles = [];
  const concurrency = 50;
  for (let i = 0; i < options.groups.length; i += concurrency) {
    handles.push(
      ...(await Promise.all(
        options.groups.slice(i, i + concurrency).map((group) =>
          client.workflow.start('reportGroup', {
            taskQueue: options.taskQueue,
            workflowId: `${options.idPrefix}:${group}`,
            args: [{ group, timeHigh: options.timeHigh, runKind: 'adhoc' }],
          }),
        ),
      )),
    );
  }
  const results = (await Promise.all(handles.map((h) => h.result()))) as ReportGroupResult[];
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  options.onFinished?.();

  // History: describe a sample of group runs and every child they started.
  const sample = handles.slice(0, options.historySample ?? handles.length);
  let events = 0;
  let workflows = 0;
  const times: Times = {
    run: {},
    queue: {},
    workflowTasks: { queued: 0, running: 0, count: 0, unsticky: 0 },
    retried: {},
  };
  for (let i = 0; i < sample.length; i++) {
    const ids = [
      sample[i]!.workflowId,
      ...Object.values(results[i]!.severities).flatMap((s) => (s?.workflowId ? [s.workflowId] : [])),
    ];
    const described = await Promise.all(ids.map((id) => client.workflow.getHandle(id).describe()));
    for (const d of described) events += d.historyLength;
    workflows += ids.length;
    await Promise.all(ids.map((id) => addActivityTimes(client, id, times)));
  }
  const severityRuns = results.reduce(
    (n, r) => n + Object.values(r.severities).filter((s) => s?.workflowId).length,
    0,
  );
  return {
    seconds,
    results,
    historyEventsPerGroupRun: sample.length ? Math.round(events / sample.length) : 0,
    workflowsPerGroupRun: sample.length ? Math.round((workflows / sample.length) * 10) / 10 : 0,
    severityRuns,
    activitySeconds: sortedTenths(times.run),
    activityQueueSeconds: sortedTenths(times.queue),
    retriedActivities: times.retried,
    workflowTaskSeconds: {
      queued: Math.round(times.workflowTasks.queued * 10) / 10,
      running: Math.round(times.workflowTasks.running * 10) / 10,
      count: times.workflowTasks.count,
      unsticky: times.workflowTasks.unsticky,
    },
  };
}

function sortedTenths(totals: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(totals)
      .sort(([, a], [, b]) => b - a)
      .map(([k, v]) => [k, Math.round(v * 10) / 10]),
  );
}
