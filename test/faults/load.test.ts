// Load (`npm run test:faults`): 200 groups, ONE scheduled reporting cycle with 1,000,000
// events in its window, through `bin/herald worker` as its own process and a real SMTP server.
//   - the worker's resident memory stays under a bound (it runs with HERALD_WORKER_MEMORY_LIMIT_MB
//     at that bound, so passing it would also stop the worker: exit 3);
//   - no workflow of the cycle (group runs, severity children) comes near Temporal's limits:
//     history length, history size, largest payload;
//   - the ledger accounts for every event of the window, per group and severity, and every mailed
//     report arrives once.
// Input: bench/lib/catalog.ts (200 groups, summary mails for every severity) and
// bench/lib/events-file.ts (generator seed 11); see ./support/load-dataset.ts for how the million
// is stored quickly. The schedules tick daily: a triggered run's time_h is then today's midnight
// UTC whatever minute the trigger lands in, and the events, stamped 5 minutes before it, lie in
// every severity's first window (cursor = time_h − period). The generator's Test events (≈1 %, all
// of severity info) are never reported by a normal run (docs/mentat.md, "Test data"), so the info windows are quiet.
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Counters } from '../../domain/reporting/chains';
import { SEVERITIES } from '../../domain/reporting/severities';
import type { CaughtMail, MailCatcher } from '../../scripts/dev/mail-catcher';
import { type ReportGroupResult, scheduleIdFor } from '../../workflows/report-messages';
import { cliEnv, herald } from '../integration/reporting/cli';
import { awayFromBoundary } from '../integration/reporting/support';
import type { TestDatabase } from '../support/database';
import { randomTaskQueue } from '../support/temporal';
import { eventsFromEnvironment, type LoadedDataset, loadDataset } from './support/load-dataset';
import { type HistoryFigures, historiesOf, TEMPORAL_LIMITS } from './support/load-history';
import { type LoadStack, startLoadStack } from './support/load-stack';
import type { LoadWorker } from './support/load-worker';

const GROUPS = 200;
const BASE_EVENTS = 50_000;
// 1,000,000 unless HERALD_LOAD_EVENTS says otherwise: CI (.ci/run) runs this file at 200,000 so
// the whole CI fits its 30 minutes on a 2-core machine; the million is `npm run test:faults`.
const EVENTS = eventsFromEnvironment(process.env.HERALD_LOAD_EVENTS, 1_000_000, BASE_EVENTS);
const SEED = 11;
const DAY = 86_400;
// The bound on the worker's peak resident set. The worker caps what it holds at once (500 cached
// workflows, 50 activities, fetch in batches of 5,000 events, events never in workflow state),
// so its memory does not grow with the window; on this machine this cycle peaks at 0.75–1.05 GiB
// (bench: 939 MiB for 1M events over 100 groups). 2 GiB leaves room for V8's lazy collection,
// while holding the window's events (452 MiB as NDJSON, several times that as JS objects) would
// pass it.
const MEMORY_LIMIT_MIB = 2048;
const HISTORY_EVENT_LIMIT = TEMPORAL_LIMITS.historyEvents;
const HISTORY_BYTES_LIMIT = TEMPORAL_LIMITS.historyBytes;
const PAYLOAD_LIMIT = TEMPORAL_LIMITS.payloadBytes;

let stack: LoadStack | undefined;
let db: TestDatabase;
let mail: MailCatcher;
let client: Client;
let worker: LoadWorker | undefined;
let dataset: LoadedDataset;
let results: ReportGroupResult[];
let workerExit: number | null;
let cycleSeconds: number;
let histories: HistoryFigures[];
let listed: { workflowId: string; type: string }[];
let caught: CaughtMail[];
const timeHigh = () => new Date(Math.floor(Date.now() / (DAY * 1000)) * DAY * 1000);
let windowEnd: Date;
const scheduleIds = Array.from({ length: GROUPS }, (_, i) => scheduleIdFor(`g${String(i).padStart(4, '0')}`));
const began = Date.now();

const log = (line: string) => console.info(`[load ${((Date.now() - began) / 1000).toFixed(0)} s] ${line}`);

async function inLanes<T>(items: T[], lanes: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** The cycle's workflows in the file's namespace, from visibility. */
async function listCycle(query: string): Promise<{ workflowId: string; runId: string; type: string }[]> {
  const out = [];
  for await (const w of client.workflow.list({ query }))
    out.push({ workflowId: w.workflowId, runId: w.runId, type: w.type });
  return out;
}

/**
 * Polls until `probe` returns `done`. Times out only when its count has not grown for `stallMs`:
 * on 2 cores, beside the crash trials and the worker already running the first groups, the
 * server's schedulers start the 200 runs at a pace that varies several-fold between CI runs
 * (a fixed 120 s once ran out with the runs still coming), while a stuck cycle stops counting.
 */
async function waitFor<T>(
  what: string,
  probe: () => Promise<{ count: number; done?: T }>,
  stallMs: number,
): Promise<T> {
  let best = -1;
  let lastGrowth = Date.now();
  for (;;) {
    const { count, done } = await probe();
    if (done !== undefined) return done;
    if (count > best) [best, lastGrowth] = [count, Date.now()];
    else if (Date.now() - lastGrowth > stallMs)
      throw new Error(`waiting for ${what}: stuck at ${best} for ${stallMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

beforeAll(async () => {
  // A trigger must land on the same UTC day as the events' time_h, and no daily tick may fire
  // during the test: not within 30 minutes of midnight.
  await awayFromBoundary(DAY, 30 * 60_000);
  windowEnd = timeHigh();
  const storageTime = new Date(windowEnd.getTime() - 300_000);
  // Its own server: the 200 runs never share one with the other files' crash trials.
  stack = await startLoadStack('herald-load-home-');
  ({ db, mail, client } = stack);
  const taskQueue = randomTaskQueue('load');

  log(`loading ${EVENTS} events (${BASE_EVENTS} ingested, seed ${SEED}) over ${GROUPS} groups`);
  dataset = await loadDataset(db.pool, {
    groups: GROUPS,
    events: EVENTS,
    baseEvents: BASE_EVENTS,
    seed: SEED,
    intervalSeconds: DAY,
    storageTime,
  });
  log(
    `loaded ${dataset.events} events, ${dataset.distinctSourceIps} source IPs ` +
      `(ingest ${dataset.ingestSeconds.toFixed(1)} s, copies ${dataset.copySeconds.toFixed(1)} s)`,
  );

  worker = await stack.startWorker(taskQueue, MEMORY_LIMIT_MIB);
  const env = { ...cliEnv(db.url, taskQueue, stack.home), TEMPORAL_ADDRESS: stack.temporalAddress };
  const sync = await herald(['schedules', 'sync', '--json'], env);
  expect(sync.stderr).toBe('');
  const changes = JSON.parse(sync.stdout).changes as { action: string; interval: number }[];
  expect(changes).toHaveLength(GROUPS);
  expect(changes.every((c) => c.action === 'created' && c.interval === DAY)).toBe(true);

  // What `herald schedules trigger <group>` does, for every group at once.
  const cycleBegan = performance.now();
  await inLanes(scheduleIds, 20, (id) => client.schedule.getHandle(id).trigger());
  log(`triggered ${GROUPS} schedules; worker pid ${worker.pid}`);
  const groupRuns = await waitFor(
    `${GROUPS} scheduled group runs in visibility`,
    async () => {
      const runs = await listCycle('WorkflowType = "reportGroup" AND HeraldRunKind = "schedule"');
      return { count: runs.length, done: runs.length >= GROUPS ? runs : undefined };
    },
    120_000,
  );
  let done = 0;
  results = [];
  await inLanes(groupRuns, GROUPS, async (run) => {
    results.push(await client.workflow.getHandle(run.workflowId, run.runId).result());
    if (++done % 50 === 0) log(`${done} group runs done, worker peak ${worker!.peakMiB().toFixed(0)} MiB`);
  });
  cycleSeconds = (performance.now() - cycleBegan) / 1000;
  workerExit = await worker.stop();
  log(`cycle done in ${cycleSeconds.toFixed(1)} s; worker exited ${workerExit}`);
  const warnings = worker.warnings();
  if (warnings.length > 0)
    log(`worker warnings and errors (${warnings.length}, first 10):\n${warnings.slice(0, 10).join('\n')}`);

  // Everything the cycle started, as an operator would find it in the namespace: the group runs
  // and at least the children of every reported severity (visibility lags a little).
  const reportedRuns = results.reduce(
    (n, r) => n + Object.values(r.severities).filter((s) => s?.result === 'reported').length,
    0,
  );
  const closedQuery = 'HeraldRunKind = "schedule" AND ExecutionStatus != "Running"';
  await waitFor(
    'visibility to list the cycle as closed',
    async () => {
      const closed = (await listCycle(closedQuery)).length;
      return { count: closed, done: closed >= GROUPS + reportedRuns ? true : undefined };
    },
    120_000,
  );
  await new Promise((r) => setTimeout(r, 5000));
  const cycle = await listCycle(closedQuery);
  listed = cycle;
  histories = await historiesOf(client, cycle);
  caught = await mail.messages();
  log(`read ${histories.length} histories, ${caught.length} mails caught`);
}, 45 * 60_000);

afterAll(async () => {
  await worker?.stop();
  if (client)
    await inLanes(scheduleIds, 20, (id) =>
      client.schedule
        .getHandle(id)
        .delete()
        .catch(() => {}),
    );
  await stack?.close();
}, 120_000);

describe(`one scheduled cycle: ${GROUPS} groups, ${EVENTS.toLocaleString('en-US')} events in the window`, () => {
  it('runs every group and severity as scheduled runs, none failed', () => {
    expect(dataset.events).toBe(EVENTS);
    expect(results).toHaveLength(GROUPS);
    const children = new Set(listed.filter((w) => w.type === 'reportSeverity').map((w) => w.workflowId));
    for (const r of results) {
      expect(r.timeHigh).toBe(windowEnd.toISOString());
      for (const severity of SEVERITIES) {
        const s = r.severities[severity];
        expect(['reported', 'skipped-no-events'], `${r.group} ${severity}`).toContain(s?.result);
        if (s?.result === 'reported') expect(children.has(s.workflowId!), s.workflowId).toBe(true);
      }
    }
    const summaries = new Set(results.flatMap((r) => Object.values(r.severities).map((s) => s!.workflowId)));
    for (const child of children) expect(summaries.has(child), child).toBe(true);
    expect(listed.filter((w) => w.type === 'reportGroup')).toHaveLength(GROUPS);
  });

  it('keeps the worker process under its memory bound', () => {
    const peak = worker!.peakMiB();
    const heap = worker!.peakHeapUsedMiB();
    console.info(
      `load: worker peak RSS (VmHWM) ${peak.toFixed(0)} MiB, bound ${MEMORY_LIMIT_MIB} MiB; ` +
        `largest heapUsed logged ${heap?.toFixed(0) ?? '—'} MiB; ${worker!.samples.length} samples`,
    );
    // The resident set over the cycle, the largest sample of each minute.
    const first = worker!.samples[0]?.at ?? 0;
    const perMinute: number[] = [];
    for (const sample of worker!.samples) {
      const minute = Math.floor((sample.at - first) / 60_000);
      perMinute[minute] = Math.max(perMinute[minute] ?? 0, sample.rssMiB);
    }
    console.info(`load: worker RSS per minute (MiB): ${perMinute.map((m) => (m ?? 0).toFixed(0)).join(' ')}`);
    expect(worker!.samples.length).toBeGreaterThan(10);
    expect(workerExit, worker!.output()).toBe(0); // 3 = stopped by HERALD_WORKER_MEMORY_LIMIT_MB
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(MEMORY_LIMIT_MIB);
  });

  it("keeps every workflow of the cycle far from Temporal's history and payload limits", () => {
    const most = (key: 'events' | 'bytes' | 'largestPayload') =>
      histories.reduce((a, b) => (b[key] > a[key] ? b : a));
    const longest = most('events');
    const biggest = most('bytes');
    const payload = most('largestPayload');
    console.info(
      `load: ${histories.length} workflows; longest history ${longest.events} events (${longest.workflowId}); ` +
        `largest history ${(biggest.bytes / 1024).toFixed(1)} KiB (${biggest.workflowId}); ` +
        `largest payload ${(payload.largestPayload / 1024).toFixed(1)} KiB in ${payload.largestPayloadAt} ` +
        `(${payload.workflowId}); cycle ${cycleSeconds.toFixed(1)} s`,
    );
    const perType: Record<string, number> = {};
    for (const h of histories)
      for (const [type, seconds] of Object.entries(h.activitySeconds))
        perType[type] = (perType[type] ?? 0) + seconds;
    const slowest = histories.reduce((a, b) =>
      (b.longestActivity?.seconds ?? 0) > (a.longestActivity?.seconds ?? 0) ? b : a,
    );
    console.info(
      `load: activity seconds, scheduled → closed, summed: ${Object.entries(perType)
        .sort(([, a], [, b]) => b - a)
        .map(([type, seconds]) => `${type} ${seconds.toFixed(0)}`)
        .join(
          ', ',
        )}; longest ${slowest.longestActivity?.type} ${slowest.longestActivity?.seconds.toFixed(1)} s ` +
        `(attempts ${slowest.longestActivity?.attempts}, ${slowest.workflowId}); ` +
        `${histories.reduce((n, h) => n + h.retriedActivities, 0)} activities retried`,
    );
    expect(histories.length).toBe(listed.length);
    expect(longest.events).toBeLessThan(HISTORY_EVENT_LIMIT / 10);
    expect(biggest.bytes).toBeLessThan(HISTORY_BYTES_LIMIT / 10);
    expect(payload.largestPayload).toBeLessThan(PAYLOAD_LIMIT / 8);
    // The figures are real: every history was read and has payloads (inputs, results).
    expect(Math.min(...histories.map((h) => h.largestPayload))).toBeGreaterThan(0);
  });

  it('accounts for every event of the window in the ledger, per group and severity', async () => {
    const { rows: ledger } = await db.pool.query<{
      workflow_id: string;
      group_name: string;
      severity: string;
      window_from: Date;
      window_to: Date;
      run_kind: string;
      result: string;
      counters: Counters;
      reports: unknown[];
    }>(
      'SELECT workflow_id, group_name, severity, window_from, window_to, run_kind, result, counters, reports FROM report_runs',
    );
    expect(ledger).toHaveLength(GROUPS * SEVERITIES.length);
    expect(new Set(ledger.map((r) => r.run_kind))).toEqual(new Set(['schedule']));
    // The events in each (group, severity)'s window as the fetch defines it: source pass (the
    // group resolves a source, event severity) plus target pass (target group, target severity);
    // test events (category Test, docs/mentat.md, "Test data") and shadow events are never reported by a normal run.
    const { rows: counted } = await db.pool.query<{ group_name: string; severity: string; n: number }>(
      `WITH windows AS (SELECT DISTINCT group_name, severity, window_from, window_to FROM report_runs),
            hits AS (
              SELECT g AS group_name, e.event_severity AS severity, e.storage_time
                FROM events e CROSS JOIN LATERAL unnest(e.resolved_abuses) AS g
               WHERE NOT e.is_test AND NOT e.shadow_reporting
              UNION ALL
              SELECT g, e.target_severity, e.storage_time
                FROM events e CROSS JOIN LATERAL unnest(e.target_abuses) AS g
               WHERE NOT e.is_test AND NOT e.shadow_reporting_target)
       SELECT w.group_name, w.severity, count(h.*)::int AS n
         FROM windows w LEFT JOIN hits h ON h.group_name = w.group_name AND h.severity = w.severity
          AND h.storage_time >= w.window_from AND h.storage_time < w.window_to
        GROUP BY 1, 2`,
    );
    const inWindow = new Map(counted.map((r) => [`${r.group_name}/${r.severity}`, r.n]));
    const { rows: reported } = await db.pool.query<{ run_id: string; reports: number; events: number }>(
      `SELECT r.run_id, count(DISTINCT r.id)::int AS reports, count(DISTINCT e.event_id)::int AS events
         FROM reports r LEFT JOIN report_events e ON e.report_id = r.id GROUP BY r.run_id`,
    );
    const byRun = new Map(reported.map((r) => [r.run_id, r]));
    let total = 0;
    for (const row of ledger) {
      const c = row.counters;
      const key = `${row.group_name}/${row.severity}`;
      expect(row.window_to.toISOString()).toBe(windowEnd.toISOString());
      expect(c.new, key).toBe(inWindow.get(key));
      expect(row.result, key).toBe(c.new > 0 ? 'reported' : 'skipped-no-events');
      // First cycle: nothing armed a threshold before it, so nothing is thresholded or relapses.
      expect([c.thrBlk, c.rlp], key).toEqual([0, 0]);
      expect(c.fltBlk + c.detBlk + c.thrBlk + c.thr, key).toBe(c.new);
      expect(c.all, key).toBe(c.new + c.rlp);
      expect(c.rep, key).toBe(c.thr + c.rlp);
      // What the ledger says was reported is what the stored reports hold.
      expect(byRun.get(row.workflow_id)?.events ?? 0, key).toBe(c.rep);
      expect(byRun.get(row.workflow_id)?.reports ?? 0, key).toBe(row.reports.length);
      total += c.new;
    }
    // Every one of the million events is one group's, of one severity, in its window; all but
    // the generator's test events are counted by exactly one severity run.
    const { rows: excluded } = await db.pool.query<{ test: number; shadow: number }>(
      `SELECT count(*) FILTER (WHERE is_test)::int AS test,
              count(*) FILTER (WHERE shadow_reporting AND NOT is_test)::int AS shadow FROM events`,
    );
    const { test, shadow } = excluded[0]!;
    expect(test).toBeGreaterThan(0);
    expect(total).toBe(EVENTS - test - shadow);
    const sum = (k: keyof Counters) => ledger.reduce((n, r) => n + r.counters[k], 0);
    console.info(
      `load: ledger ${ledger.length} severity runs (${ledger.filter((r) => r.result === 'reported').length} ` +
        `reported); ${test} test events not reported (docs/mentat.md, "Test data"); new ${sum('new')}, filtered ${sum('fltBlk')}, ` +
        `uncredible ${sum('detBlk')}, thresholded ${sum('thrBlk')}, reported ${sum('rep')}; ` +
        `${reported.reduce((n, r) => n + r.reports, 0)} reports`,
    );
  });

  it('mails every report that has recipients exactly once', async () => {
    const { rows: outbox } = await db.pool.query<{ message_id: string; status: string; to_addrs: string[] }>(
      `SELECT o.message_id, o.status, o.to_addrs FROM reports r JOIN report_outbox o ON o.report_id = r.id`,
    );
    const { rows: mailed } = await db.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM reports WHERE cardinality(mail_to) > 0',
    );
    expect(outbox.length).toBe(mailed[0]!.n);
    // Summary mode, mail for every severity: one mail per severity run that reported an event.
    const { rows: reporting } = await db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM report_runs WHERE (counters->>'rep')::int > 0",
    );
    expect(outbox.length).toBe(reporting[0]!.n);
    expect(outbox.filter((o) => o.status !== 'accepted')).toEqual([]);
    expect(caught).toHaveLength(outbox.length);
    expect(new Set(caught.map((m) => m.messageId))).toEqual(new Set(outbox.map((o) => o.message_id)));
    const group = (to: string[]) => /^abuse@(g\d{4})\.example$/.exec(to[0] ?? '')?.[1];
    for (const m of caught) expect(m.to, m.subject).toHaveLength(1);
    expect(new Set(caught.map((m) => group(m.to)))).toHaveProperty('size', GROUPS);
  });
});
