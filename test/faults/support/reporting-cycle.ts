// The input of the crash-fault trials and what they compare. A small but real catalog (a
// parent/child chain, an ISP reached as a base-network owner, a group that only the global
// fallback address can reach, a filter and a low-credibility detector) and events for three
// reporting cycles 10 minutes apart: cycles 1 and 2 arm thresholds and record thresholded events,
// cycle 3 (the one the trials disturb) thresholds, relapses, expires and reports new keys.
// Every trial runs the same input in its own database and Temporal namespace, so report labels,
// Message-IDs and workflow ids are equal to those of the fault-free reference run.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type pg from 'pg';
import type { Severity } from '../../../domain/reporting/severities';
import type { MailCatcher } from '../../../scripts/dev/mail-catcher';
import {
  type ReportGroupResult,
  type SeverityStage,
  severityProgressQuery,
  severityWorkflowId,
} from '../../../workflows/report-messages';
import { alignedPast, type EventSpec, seedCatalog, storeEvents } from '../../integration/reporting/support';
import { localActivityMarker } from '../../support/local-activity-marker';

const MIN = 60_000;

export const GROUPS = ['child', 'parent', 'lone'] as const;
export const SEVERITIES: Severity[] = ['low', 'medium', 'high', 'critical'];

/** The three cycles' time_h, 10 minutes apart, all well in the past. */
export function cycleTimes(): [Date, Date, Date] {
  const t1 = alignedPast(40);
  return [t1, new Date(t1.getTime() + 10 * MIN), new Date(t1.getTime() + 20 * MIN)];
}

/** Deterministic IDEA IDs: the same events (and report contents) in every trial's database. */
const eventId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export async function seedCycleInput(pool: pg.Pool, times: [Date, Date, Date]): Promise<void> {
  await seedCatalog(pool, {
    groups: [
      {
        name: 'parent',
        networks: [{ network: '10.0.0.0/16' }],
        mode: 'summary',
        emails: { medium: ['noc@parent.test'], high: ['soc@parent.test'], critical: ['cert@parent.test'] },
      },
      {
        name: 'child',
        networks: [{ network: '10.0.1.0/24' }],
        mode: 'both',
        emails: { medium: ['noc@child.test'], high: ['soc@child.test'] },
      },
      {
        name: 'isp',
        networks: [{ network: '10.0.0.0/8', isBase: true }],
        emails: { low: ['abuse@isp.test'], critical: ['abuse@isp.test'] },
      },
      { name: 'lone', networks: [{ network: '192.0.2.0/24' }], mode: 'extra' },
    ],
    detectors: [
      { name: 'cz.example.sensor', credibility: 1 },
      { name: 'cz.lowcred', credibility: 0.3 },
    ],
    filters: [{ group: 'child', name: 'noisy-host', expression: "'10.0.1.99' in sourceIPs" }],
    fallback: ['fallback@csirt.test'],
    // Period 10 min; a key stays suppressed 15 min, its last 10 min are the relapse window
    // (critical never relapses).
    timings: {
      low: { per: 600, thr: 900, rel: 600 },
      medium: { per: 600, thr: 900, rel: 600 },
      high: { per: 600, thr: 900, rel: 600 },
      critical: { per: 600, thr: 900, rel: 0 },
    },
  });
  const login = { cls: 'attempt-login', category: 'Attempt.Login' };
  const cycles: EventSpec[][] = [
    [
      { group: 'child', severity: 'high', ip: '10.0.1.1' }, // key R: armed here
      { group: 'child', severity: 'high', ip: '10.0.1.2', ...login },
      { group: 'child', severity: 'medium', ip: '10.0.1.3' },
      { group: 'child', severity: 'critical', ip: '10.0.1.4' },
      { group: 'parent', severity: 'high', ip: '10.0.2.1' },
      { group: 'parent', severity: 'critical', ip: '10.0.2.2' },
      { group: 'lone', severity: 'low', ip: '192.0.2.1' },
    ],
    [
      { group: 'child', severity: 'high', ip: '10.0.1.1' }, // R thresholded, in its relapse window
      { group: 'child', severity: 'high', ip: '10.0.1.5' }, // key K: armed here
      { group: 'parent', severity: 'critical', ip: '10.0.2.2' }, // thresholded (never relapses)
      { group: 'parent', severity: 'medium', ip: '10.0.2.3' },
      { group: 'lone', severity: 'low', ip: '192.0.2.1' }, // thresholded, relapses in cycle 3
    ],
    [
      { group: 'child', severity: 'high', ip: '10.0.1.1' }, // R expired: relapse + reported again
      { group: 'child', severity: 'high', ip: '10.0.1.5' }, // K still live: thresholded
      { group: 'child', severity: 'high', ip: '10.0.1.6' },
      { group: 'child', severity: 'high', ip: '10.0.1.7', ...login },
      { group: 'child', severity: 'high', ip: '10.0.1.99' }, // filtered
      { group: 'child', severity: 'high', ip: ['10.0.1.9', '10.0.1.99'] },
      { group: 'child', severity: 'high', ip: '10.0.1.8', detector: 'cz.lowcred' }, // not credible
      { group: 'child', severity: 'medium', ip: '10.0.1.3' }, // expired without records
      { group: 'child', severity: 'critical', ip: '10.0.1.4' },
      { group: 'parent', severity: 'high', ip: '10.0.2.1' },
      { group: 'parent', severity: 'high', ip: '10.0.2.4' },
      { group: 'parent', severity: 'medium', ip: '10.0.2.3' }, // live: thresholded
      { group: 'parent', severity: 'critical', ip: '10.0.2.2' }, // expired, rel = 0: reported anew
      { group: 'lone', severity: 'low', ip: '192.0.2.1' },
      { group: 'lone', severity: 'low', ip: '192.0.2.9' },
    ],
  ];
  let n = 0;
  for (const [i, specs] of cycles.entries()) {
    const stored = new Date(times[i]!.getTime() - 5 * MIN);
    await storeEvents(
      pool,
      specs.map((s) => ({ ...s, id: eventId(++n) })),
      stored,
    );
  }
}

/** Starts one group run per group with time_h = `timeHigh`; resolves to their handles. */
export async function startCycle(client: Client, taskQueue: string, timeHigh: Date) {
  return Promise.all(
    GROUPS.map((group) =>
      client.workflow.start('reportGroup', {
        taskQueue,
        workflowId: `report:${group}:fault:${timeHigh.toISOString()}:${randomUUID()}`,
        args: [{ group, timeHigh: timeHigh.toISOString(), severities: SEVERITIES }],
      }),
    ),
  );
}

export async function runCycle(client: Client, taskQueue: string, timeHigh: Date) {
  const handles = await startCycle(client, taskQueue, timeHigh);
  return Promise.all(handles.map((h) => h.result() as Promise<ReportGroupResult>));
}

/** The severity runs of cycle 3 the trials watch (each has events, so every stage). */
export const WATCHED: { group: string; severity: Severity }[] = [
  { group: 'child', severity: 'high' },
  { group: 'parent', severity: 'high' },
  { group: 'lone', severity: 'low' },
  { group: 'child', severity: 'medium' },
  { group: 'parent', severity: 'critical' },
];

const STAGE_ORDER: SeverityStage[] = ['fetch', 'threshold', 'relapse', 'render', 'send', 'cleanup', 'done'];

/**
 * Polls the severity run's progress query for up to `ms` until it has reached the stage at
 * `target` in STAGE_ORDER (or a later one); resolves to the stage seen then, undefined at the end.
 */
async function pollStage(
  client: Client,
  workflowId: string,
  target: number,
  ms: number,
): Promise<SeverityStage | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const seen = (await client.workflow.getHandle(workflowId).query(severityProgressQuery)).stage;
      if (STAGE_ORDER.indexOf(seen) >= target) return seen;
    } catch {
      // Not started yet.
    }
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    // Each query is a round trip through the worker: ten trials polling faster overload the dev server.
    await new Promise((r) => setTimeout(r, Math.min(left, 50)));
  }
}

/** Waits until the severity run has reached `stage` (or a later one); resolves to the stage seen then. */
export async function waitForStage(
  client: Client,
  workflowId: string,
  stage: SeverityStage,
  timeoutMs = 120_000,
): Promise<SeverityStage> {
  const seen = await pollStage(client, workflowId, STAGE_ORDER.indexOf(stage), timeoutMs);
  if (seen === undefined) throw new Error(`${workflowId} did not reach ${stage} within ${timeoutMs} ms`);
  return seen;
}

/**
 * Waits `ms`, or less: until the run's stage is past `stage`. A kill planned for some time into a
 * step then still lands in the run (the send, say) when the step ended sooner than planned.
 */
export async function sleepWhileAt(
  client: Client,
  workflowId: string,
  stage: SeverityStage,
  ms: number,
): Promise<void> {
  await pollStage(client, workflowId, STAGE_ORDER.indexOf(stage) + 1, ms);
}

export function watchedWorkflowId(watch: { group: string; severity: Severity }, timeHigh: Date): string {
  return severityWorkflowId(watch.group, watch.severity, timeHigh.toISOString());
}

/** Everything a cycle leaves in the database that a fault could lose or double. */
export async function snapshotState(pool: pg.Pool) {
  const q = async (sql: string) => (await pool.query(sql)).rows;
  return {
    reports: await q(
      `SELECT label, report_key, run_id, group_name, severity, type, host(ip) AS ip, chain, fallback,
              parent_label, window_from, window_to, evcount_rep, evcount_all, evcount_new, evcount_flt,
              evcount_flt_blk, evcount_det, evcount_det_blk, evcount_thr, evcount_thr_blk, evcount_rlp,
              filtering, mail_groups, mail_to, mail_cc, statistics
         FROM reports ORDER BY label`,
    ),
    reportEvents: await q(
      `SELECT r.label, e.event_id, host(e.ip) AS ip, e.relapsed
         FROM report_events e JOIN reports r ON r.id = e.report_id ORDER BY 1, 2, 3`,
    ),
    thresholds: await q(
      `SELECT group_name, severity, pass, key, threshold_time, relapse_time, ttl_time, report_label
         FROM report_thresholds ORDER BY 1, 2, 3, 4`,
    ),
    thresholdedEvents: await q(
      `SELECT group_name, severity, pass, key, event_id, create_time
         FROM report_thresholded_events ORDER BY 1, 2, 3, 4, 5`,
    ),
    // The ledger without its clean-up counts: a clean-up step retried after a crash finds its
    // rows already gone and counts 0 (the rows are gone either way).
    runs: await q(
      `SELECT workflow_id, group_name, severity, window_from, window_to, run_kind, result, counters,
              reports, filter_hits
         FROM report_runs ORDER BY workflow_id`,
    ),
    outbox: await q(
      'SELECT message_id, status, to_addrs, cc_addrs, subject FROM report_outbox ORDER BY message_id',
    ),
    catalogHits: await q(
      `SELECT 'filter' AS kind, name, hits FROM filters
       UNION ALL SELECT 'detector', name, hits FROM detectors ORDER BY 1, 2`,
    ),
  };
}

export type StateSnapshot = Awaited<ReturnType<typeof snapshotState>>;

/** Received copies per Message-ID. */
export async function receivedCounts(mail: MailCatcher): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const m of await mail.messages()) {
    const id = m.messageId ?? '(none)';
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

export async function acceptedMessageIds(pool: pg.Pool): Promise<Set<string>> {
  const { rows } = await pool.query<{ message_id: string }>(
    "SELECT message_id FROM report_outbox WHERE status = 'accepted'",
  );
  return new Set(rows.map((r) => r.message_id));
}

/** Activities of these workflows that ran more than once, with why the earlier attempt ended. */
export async function retriedActivities(client: Client, workflowIds: string[]): Promise<string[]> {
  const retried: string[] = [];
  for (const id of workflowIds) {
    let history: Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>;
    try {
      history = await client.workflow.getHandle(id).fetchHistory();
    } catch {
      continue; // a severity run that was never started (e.g. skipped too soon)
    }
    const types = new Map<string, string>();
    for (const event of history.events ?? []) {
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (scheduled) types.set(String(event.eventId), scheduled.activityType?.name ?? '?');
      const started = event.activityTaskStartedEventAttributes;
      if (started && (started.attempt ?? 1) > 1) {
        const name = types.get(String(started.scheduledEventId)) ?? '?';
        const why = started.lastFailure?.message ?? 'unknown';
        retried.push(`${name} (attempt ${started.attempt}: ${why})`);
      }
      const local = localActivityMarker(event);
      if (local && (local.attempt ?? 1) > 1)
        retried.push(`${local.activity_type} (local, attempt ${local.attempt})`);
    }
  }
  return retried;
}

/** The workflow ids of all severity runs of a cycle. */
export function severityRunIds(timeHigh: Date): string[] {
  return GROUPS.flatMap((group) =>
    SEVERITIES.map((severity) => severityWorkflowId(group, severity, timeHigh.toISOString())),
  );
}
