// The operator's dashboard, gathered in one pass: reachability of Temporal and PostgreSQL, every
// worker process by its heartbeat and the pollers of the task queue, schedules, group runs in progress with their live
// per-severity progress (the `progress` query), the runlog totals Mentat printed (per group and in
// total), events stored that nothing may report, failed runs and monitors in alert. Each part fails on its own: one unreachable piece
// never hides the others.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

const { temporal } = proto;

import type pg from 'pg';
import { type UnreportedSince, unreportedSince } from '../../db/events/search';
import { listWorkers, type WorkerRow } from '../../db/operations/worker-heartbeats';
import { listLedger } from '../../db/reporting/ledger';
import { type MailDeliveryState, mailDeliveryState } from '../../db/reporting/outbox';
import { mailTaskQueue } from '../../domain/reporting/mail-task-queue';
import { SearchAttributesMissing, searchAttributeState } from '../../worker/search-attributes';
import { monitorSourceKey } from '../../workflows/access-log-messages';
import { type GroupProgress, heraldGroupKey, progressQuery } from '../../workflows/report-messages';
import { describeReportSchedules, groupOfSchedule } from '../reporting/schedules';
import { listVisibility, runsQuery } from './runs';

export interface Poller {
  identity: string;
  kind: 'workflow' | 'activity' | 'mail';
  lastAccess: string | null;
}

export interface RunlogTotals {
  processed: number;
  reported: number;
  new: number;
  relapsed: number;
  filtered: number;
  thresholded: number;
  uncredible: number;
  reports: number;
  runs: number;
}

export interface Dashboard {
  at: string;
  temporal: {
    address: string;
    reachable: boolean;
    error?: string;
    /** herald's search attributes the namespace lacks (or has with another type): `herald temporal setup`. */
    missingSearchAttributes?: string[];
  };
  postgres: { reachable: boolean; error?: string };
  taskQueue: string;
  /** One per worker process, from its heartbeat (worker_heartbeats); empty when PostgreSQL is unreachable. */
  workers: WorkerRow[];
  /** The task queues' pollers as Temporal lists them. */
  pollers: Poller[];
  schedules: {
    group: string;
    scheduleId: string;
    paused: boolean;
    nextRun: string | null;
    lastRun: string | null;
  }[];
  running: { workflowId: string; group: string | null; startTime: string; progress: GroupProgress | null }[];
  runlog: { since: string; groups: ({ group: string } & RunlogTotals)[]; total: RunlogTotals };
  /** From the outbox; null when PostgreSQL is unreachable. */
  mail: MailDeliveryState | null;
  /** Events stored since `since` that nothing may report; null when PostgreSQL is unreachable. */
  unreported: UnreportedSince | null;
  failed: { workflowId: string; type: string; status: string; closeTime: string | null }[];
  monitorsInAlert: { workflowId: string; source: string | null }[];
}

export const ZERO_RUNLOG: RunlogTotals = {
  processed: 0,
  reported: 0,
  new: 0,
  relapsed: 0,
  filtered: 0,
  thresholded: 0,
  uncredible: 0,
  reports: 0,
  runs: 0,
};

async function pollers(client: Client, namespace: string, taskQueue: string): Promise<Poller[]> {
  const out: Poller[] = [];
  const { TaskQueueType } = temporal.api.enums.v1;
  for (const [kind, name, type] of [
    ['workflow', taskQueue, TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW],
    ['activity', taskQueue, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY],
    ['mail', mailTaskQueue(taskQueue), TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY],
  ] as const) {
    const res = await client.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name },
      taskQueueType: type,
    });
    for (const p of res.pollers ?? []) {
      const seconds = Number(p.lastAccessTime?.seconds ?? 0);
      out.push({
        identity: p.identity ?? '?',
        kind,
        lastAccess: seconds ? new Date(seconds * 1000).toISOString() : null,
      });
    }
  }
  return out;
}

export async function runlogTotals(pool: pg.Pool, since: string): Promise<Dashboard['runlog']> {
  const rows = await listLedger(pool, { since, limit: 100_000 });
  const groups = new Map<string, RunlogTotals>();
  const total = { ...ZERO_RUNLOG };
  for (const r of rows) {
    if (r.testData) continue;
    const g = groups.get(r.group) ?? { ...ZERO_RUNLOG };
    for (const t of [g, total]) {
      t.processed += r.counters.all;
      t.reported += r.counters.rep;
      t.new += r.counters.new;
      t.relapsed += r.counters.rlp;
      t.filtered += r.counters.fltBlk;
      t.thresholded += r.counters.thrBlk;
      t.uncredible += r.counters.detBlk;
      t.reports += r.reportCount;
      t.runs += 1;
    }
    groups.set(r.group, g);
  }
  return {
    since,
    groups: [...groups.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([group, t]) => ({ group, ...t })),
    total,
  };
}

export async function gatherDashboard(options: {
  client: Client | null;
  temporalError?: string;
  pool: pg.Pool;
  address: string;
  namespace: string;
  taskQueue: string;
  since: string;
}): Promise<Dashboard> {
  const { client, pool } = options;
  const d: Dashboard = {
    at: new Date().toISOString(),
    temporal: { address: options.address, reachable: client !== null },
    postgres: { reachable: true },
    taskQueue: options.taskQueue,
    workers: [],
    pollers: [],
    schedules: [],
    running: [],
    runlog: { since: options.since, groups: [], total: { ...ZERO_RUNLOG } },
    mail: null,
    unreported: null,
    failed: [],
    monitorsInAlert: [],
  };
  if (options.temporalError) d.temporal.error = options.temporalError;
  try {
    d.runlog = await runlogTotals(pool, options.since);
    d.mail = await mailDeliveryState(pool, options.since);
    d.unreported = await unreportedSince(pool, options.since);
    d.workers = await listWorkers(pool, options.namespace, options.taskQueue);
  } catch (error) {
    d.postgres = { reachable: false, error: (error as Error).message.split('\n')[0] };
  }
  if (!client) return d;

  d.pollers = await pollers(client, options.namespace, options.taskQueue);
  const attributes = await searchAttributeState(client.connection.operatorService, options.namespace);
  const missing = [...attributes.missing, ...attributes.wrongType.map((w) => w.name)];
  if (missing.length) {
    d.temporal.missingSearchAttributes = missing;
    d.temporal.error = new SearchAttributesMissing(attributes).message;
  }
  for (const { id, description: s } of await describeReportSchedules(client)) {
    d.schedules.push({
      group: groupOfSchedule(id)!,
      scheduleId: id,
      paused: s.state.paused,
      nextRun: s.info.nextActionTimes[0]?.toISOString() ?? null,
      lastRun: s.info.recentActions.at(-1)?.takenAt.toISOString() ?? null,
    });
  }
  const running = await listVisibility(
    client,
    `WorkflowType = 'reportGroup' AND ExecutionStatus = 'Running'`,
    50,
  );
  d.running = await Promise.all(
    running.map(async (info) => {
      let progress: GroupProgress | null = null;
      try {
        progress = await client.workflow.getHandle(info.workflowId, info.runId).query(progressQuery);
      } catch {
        // No worker has picked it up yet (or it just closed): shown without progress.
      }
      return {
        workflowId: info.workflowId,
        group: info.typedSearchAttributes.get(heraldGroupKey) ?? null,
        startTime: info.startTime.toISOString(),
        progress,
      };
    }),
  );
  const failed = await listVisibility(
    client,
    `${runsQuery({ since: options.since, status: ['Failed', 'TimedOut', 'Terminated'] })}`,
    20,
  );
  d.failed = failed.map((f) => ({
    workflowId: f.workflowId,
    type: f.type,
    status: f.status.name,
    closeTime: f.closeTime?.toISOString() ?? null,
  }));
  // A query on an attribute the namespace lacks is refused: without them no monitor is in alert.
  if (missing.length) return d;
  const alerts = await listVisibility(
    client,
    `HeraldAlertState = 'alert' AND ExecutionStatus = 'Running'`,
    50,
  );
  d.monitorsInAlert = alerts.map((a) => ({
    workflowId: a.workflowId,
    source: a.typedSearchAttributes.get(monitorSourceKey) ?? null,
  }));
  return d;
}
