// Load (`npm run test:faults`): ONE group with 1,000,000 events in ONE severity window (a scanning
// campaign against one constituency), through `bin/herald worker` as its own process:
//   - the run completes and reports every event of the window;
//   - the worker's peak resident set stays bounded (MEMORY_BOUND_MIB): a severity run keeps counts per chain,
//     IP and key in memory and its per-event findings in PostgreSQL (docs/reporting.md, "Memory
//     of a run"), so its memory does not grow with the window (the worker's own limit,
//     HERALD_WORKER_MEMORY_LIMIT_MB, stays at its default so that a run past the bound still ends
//     and its peak is stated);
//   - the group run and its severity children stay as far from Temporal's limits as the
//     200-group cycle (load.test.ts).
// Input: as load.test.ts (support/load-dataset.ts) with one group, every non-test event of
// severity `medium`; the copies move each event to another host of the group's /24.
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupName } from '../../bench/lib/catalog';
import type { Counters } from '../../domain/reporting/chains';
import type { MailCatcher } from '../../scripts/dev/mail-catcher';
import type { ReportGroupResult } from '../../workflows/report-messages';
import type { TestDatabase } from '../support/database';
import { randomTaskQueue } from '../support/temporal';
import { eventsFromEnvironment, type LoadedDataset, loadDataset } from './support/load-dataset';
import { type HistoryFigures, historiesOf, TEMPORAL_LIMITS } from './support/load-history';
import { type LoadStack, startLoadStack } from './support/load-stack';
import type { LoadWorker } from './support/load-worker';

const BASE_EVENTS = 50_000;
const EVENTS = eventsFromEnvironment(process.env.HERALD_LOAD_EVENTS, 1_000_000, BASE_EVENTS);
const SEVERITY = 'medium';
const GROUP = groupName(0);
const INTERVAL = 600;
// Measured 377 MiB at 1,000,000 events with the deployed V8 options (worker/node-options.ts), heap
// used at most 105 MiB; without the heap cap V8 let the run's garbage reach 250+ MiB and the worker
// 558 MiB. Holding the window's hits, as the run did before, took over 1.3 GiB.
const MEMORY_BOUND_MIB = 512;
const WORKER_MEMORY_LIMIT_MIB = 2048;

let stack: LoadStack | undefined;
let db: TestDatabase;
let mail: MailCatcher;
let client: Client;
let worker: LoadWorker | undefined;
let dataset: LoadedDataset;
let result: ReportGroupResult;
let workerExit: number | null;
let runSeconds: number;
let histories: HistoryFigures[];
// A past 10-minute boundary: every severity's first window ends there and holds the events.
const timeHigh = new Date(Math.floor(Date.now() / (INTERVAL * 1000)) * INTERVAL * 1000);
const began = Date.now();
const log = (line: string) =>
  console.info(`[load-one-group ${((Date.now() - began) / 1000).toFixed(0)} s] ${line}`);

beforeAll(async () => {
  stack = await startLoadStack('herald-load-one-home-');
  ({ db, mail, client } = stack);
  const taskQueue = randomTaskQueue('load-one');

  log(`loading ${EVENTS} events of severity ${SEVERITY} into one group`);
  dataset = await loadDataset(db.pool, {
    groups: 1,
    events: EVENTS,
    baseEvents: BASE_EVENTS,
    seed: 11,
    intervalSeconds: INTERVAL,
    storageTime: new Date(timeHigh.getTime() - 300_000),
    severity: SEVERITY,
  });
  log(`loaded ${dataset.events} events, ${dataset.distinctSourceIps} source IPs`);

  worker = await stack.startWorker(taskQueue, WORKER_MEMORY_LIMIT_MIB);
  const runBegan = performance.now();
  const handle = await client.workflow.start('reportGroup', {
    taskQueue,
    workflowId: `load-one-group:${GROUP}`,
    args: [{ group: GROUP, timeHigh: timeHigh.toISOString(), runKind: 'adhoc' }],
  });
  // A worker that exits (its memory limit) would leave the run waiting for another: fail instead.
  const exited =
    worker.child.exitCode !== null ? Promise.resolve() : new Promise((r) => worker!.child.once('exit', r));
  result = (await Promise.race([
    handle.result(),
    exited.then(() => {
      throw new Error(`worker exited (${worker!.child.exitCode}) during the run:\n${worker!.output()}`);
    }),
  ])) as ReportGroupResult;
  runSeconds = (performance.now() - runBegan) / 1000;
  workerExit = await worker.stop();
  log(`group run done in ${runSeconds.toFixed(1)} s; worker exited ${workerExit}`);
  const children = Object.values(result.severities).flatMap((s) => (s?.workflowId ? [s.workflowId] : []));
  histories = await historiesOf(client, [
    { workflowId: handle.workflowId },
    ...children.map((workflowId) => ({ workflowId })),
  ]);
}, 45 * 60_000);

afterAll(() => stack?.close(), 120_000);

describe(`one group, ${EVENTS.toLocaleString('en-US')} events in one severity window`, () => {
  it('reports every event of the window in one severity run', async () => {
    expect(dataset.events).toBe(EVENTS);
    const run = result.severities[SEVERITY];
    expect(run?.result).toBe('reported');
    const { rows } = await db.pool.query<{ counters: Counters; workflow_id: string }>(
      'SELECT counters, workflow_id FROM report_runs WHERE group_name = $1 AND severity = $2',
      [GROUP, SEVERITY],
    );
    expect(rows).toHaveLength(1);
    const { rows: window } = await db.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM events WHERE event_severity = $1 AND NOT is_test AND NOT shadow_reporting',
      [SEVERITY],
    );
    const c = rows[0]!.counters;
    expect(window[0]!.n).toBeGreaterThan(EVENTS * 0.9);
    expect(c.new).toBe(window[0]!.n);
    expect(c.fltBlk + c.detBlk + c.thrBlk + c.thr).toBe(c.new);
    const { rows: stored } = await db.pool.query<{ events: number; pairs: number }>(
      `SELECT count(DISTINCT e.event_id)::int AS events, count(*)::int AS pairs
         FROM reports r JOIN report_events e ON e.report_id = r.id WHERE r.run_id = $1`,
      [rows[0]!.workflow_id],
    );
    expect(stored[0]!.events).toBe(c.rep);
    console.info(
      `load-one-group: ${c.new} events in the ${SEVERITY} window, ${c.rep} reported ` +
        `(${stored[0]!.pairs} report events), run ${runSeconds.toFixed(1)} s`,
    );
    expect((await mail.messages()).length).toBeGreaterThan(0);
  });

  it(`keeps the worker's peak resident set under ${MEMORY_BOUND_MIB} MiB`, () => {
    const peak = worker!.peakMiB();
    console.info(
      `load-one-group: worker peak RSS (VmHWM) ${peak.toFixed(0)} MiB, bound ${MEMORY_BOUND_MIB} MiB; ` +
        `largest heapUsed logged ${worker!.peakHeapUsedMiB()?.toFixed(0) ?? '—'} MiB; its memory lines (MiB):\n` +
        worker!.memoryLines().join('\n') +
        `\nresident set every 5 s (MiB): ${worker!.samples
          .filter((_, i) => i % 20 === 0)
          .map((m) => m.rssMiB.toFixed(0))
          .join(' ')}`,
    );
    expect(worker!.samples.length).toBeGreaterThan(10);
    expect(workerExit, worker!.output()).toBe(0);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(MEMORY_BOUND_MIB);
  });

  it("keeps the group run and its children far from Temporal's history and payload limits", () => {
    const most = (key: 'events' | 'bytes' | 'largestPayload') =>
      histories.reduce((a, b) => (b[key] > a[key] ? b : a));
    console.info(
      `load-one-group: ${histories.length} workflows; longest history ${most('events').events} events; ` +
        `largest ${(most('bytes').bytes / 1024).toFixed(1)} KiB; largest payload ` +
        `${(most('largestPayload').largestPayload / 1024).toFixed(1)} KiB`,
    );
    expect(histories.length).toBeGreaterThan(1);
    expect(most('events').events).toBeLessThan(TEMPORAL_LIMITS.historyEvents / 10);
    expect(most('bytes').bytes).toBeLessThan(TEMPORAL_LIMITS.historyBytes / 10);
    expect(most('largestPayload').largestPayload).toBeLessThan(TEMPORAL_LIMITS.payloadBytes / 8);
  });
});
