// (2) Orchestration overhead: one cycle over N groups that have no events (each group run loads
// its plan and settles its five quiet windows in one activity, starting no severity child), and
// the delay from a schedule's nominal time to the run's first activity.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import pg from 'pg';
import { groupName, importBenchCatalog } from './lib/catalog';
import { type Figure, round } from './lib/figures';
import { runGroups } from './lib/group-runs';
import { runNoopCycle } from './lib/noop-cycle';
import type { BenchStack } from './lib/stack';
import { startWorker } from './lib/worker-process';

const SCHEDULES = 10;

export async function benchOrchestration(
  ctx: { stack: BenchStack; client: Client; log: (line: string) => void },
  options: { groups: number },
): Promise<Figure[]> {
  const { url } = await ctx.stack.scratchDatabase(`empty${options.groups}`);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  await importBenchCatalog(pool, options.groups).finally(() => pool.end());
  const timeHigh = ctx.stack.nextTimeHigh();
  const taskQueue = `bench-orchestration-${randomUUID()}`;
  const worker = await startWorker({
    temporalAddress: ctx.stack.temporalAddress,
    databaseUrl: url,
    smtpUrl: 'smtp://127.0.0.1:9',
    taskQueue,
    bundlePath: ctx.stack.bundlePath,
    home: ctx.stack.home,
  });
  const groups = Array.from({ length: options.groups }, (_, i) => groupName(i));
  let run: Awaited<ReturnType<typeof runGroups>>;
  let delays: number[];
  let peak: number | null;
  try {
    ctx.log(`orchestration: ${options.groups} group runs with no events`);
    run = await runGroups(ctx.client, {
      taskQueue,
      groups,
      timeHigh,
      historySample: Math.min(50, groups.length),
      idPrefix: `bench-empty-${randomUUID().slice(0, 8)}`,
    });
    ctx.log(`orchestration: nominal time → first activity over ${SCHEDULES} schedules`);
    delays = await scheduleDelays(ctx.client, taskQueue, groups.slice(0, SCHEDULES));
  } finally {
    peak = await worker.stop();
  }
  ctx.log('orchestration: the same workflow shape with no-op activities (baseline)');
  const noop = await runNoopCycle(ctx.stack.temporalAddress, options.groups);
  const failed = run.results.reduce(
    (n, r) => n + Object.values(r.severities).filter((s) => s?.result === 'failed').length,
    0,
  );
  delays.sort((a, b) => a - b);
  return [
    {
      benchmark: 'orchestration',
      name: `one cycle over ${options.groups.toLocaleString('en-US')} groups with no events`,
      inputs: { groups: options.groups, eventsPerGroup: 0, severitiesPerGroup: 5 },
      herald: {
        seconds: round(run.seconds),
        groupRunsPerSecond: round(options.groups / run.seconds, 1),
        severityRuns: run.severityRuns,
        failedSeverityRuns: failed,
        workflowsPerGroupRun: run.workflowsPerGroupRun,
        historyEventsPerGroupRun: run.historyEventsPerGroupRun,
      },
      baseline: {
        what: 'the same shape (a group workflow with 2 sequential activities) with no-op activities, same server',
        seconds: round(noop.seconds),
        groupRunsPerSecond: round(options.groups / noop.seconds, 1),
        historyEventsPerGroupRun: noop.historyEventsPerGroupRun,
      },
      ratio: { value: round(run.seconds / noop.seconds, 1), meaning: 'herald cycle time / no-op cycle time' },
      peakRssMiB: peak,
      activitySeconds: run.activitySeconds,
      activityQueueSeconds: run.activityQueueSeconds,
      workflowTaskSeconds: run.workflowTaskSeconds,
      retriedActivities: run.retriedActivities,
      notes: [
        `history and activity times sampled over ${Math.min(50, groups.length)} group runs and all their children`,
      ],
    },
    {
      benchmark: 'orchestration',
      name: `schedule nominal time → first activity started (${delays.length} schedules, 10 s interval)`,
      inputs: { schedules: delays.length, interval: '10s' },
      herald: {
        medianMs: delays[Math.floor(delays.length / 2)] ?? null,
        maxMs: delays[delays.length - 1] ?? null,
      },
      baseline: { what: 'the schedule interval', ms: 10_000 },
      ratio: {
        value: delays.length ? round((delays[Math.floor(delays.length / 2)] ?? 0) / 10_000, 3) : null,
        meaning: 'median delay / schedule interval',
      },
      peakRssMiB: peak,
    },
  ];
}

/** Creates one schedule per group, waits for each first action, reads its first ActivityTaskStarted. */
async function scheduleDelays(client: Client, taskQueue: string, groups: string[]): Promise<number[]> {
  const prefix = `bench-schedule-${randomUUID().slice(0, 8)}`;
  const handles = await Promise.all(
    groups.map((group) =>
      client.schedule.create({
        scheduleId: `${prefix}:${group}`,
        spec: { intervals: [{ every: '10s' }] },
        action: {
          type: 'startWorkflow',
          workflowType: 'reportGroup',
          taskQueue,
          args: [{ group, runKind: 'schedule', severities: ['critical'] }],
          workflowId: `${prefix}:${group}`,
        },
      }),
    ),
  );
  const delays: number[] = [];
  const deadline = Date.now() + 60_000;
  for (const handle of handles) {
    let action: { scheduledAt: Date; action: { workflow: { workflowId: string } } } | undefined;
    while (!action && Date.now() < deadline) {
      const d = await handle.describe();
      action = d.info.recentActions[0] as typeof action;
      if (!action) await new Promise((r) => setTimeout(r, 500));
    }
    await handle.delete();
    if (!action) continue;
    const workflow = client.workflow.getHandle(action.action.workflow.workflowId);
    await workflow.result().catch(() => {});
    const history = await workflow.fetchHistory();
    const started = history.events?.find((e) => e.activityTaskStartedEventAttributes);
    const at = started?.eventTime;
    if (!at) continue;
    const ms = Number(at.seconds ?? 0) * 1000 + Math.round((at.nanos ?? 0) / 1e6);
    delays.push(ms - action.scheduledAt.getTime());
  }
  return delays;
}
