// Crash faults: the worker process (`bin/herald worker`) is killed with SIGKILL at a
// random point of a reporting cycle — when a watched severity run has reached fetch, threshold,
// render or send, plus a random delay — and started again. 20 seeded trials (HERALD_FAULT_SEED
// repeats a run), each in its own database and namespace, each ending exactly like a fault-free
// reference run of the same input: the same reports, events, thresholds, thresholded (relapse)
// records, ledger and outbox; every mail received by Message-ID, a second copy only of a mail the
// SMTP server had accepted while the outbox had not recorded it yet (docs/mail.md).
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { ReportGroupResult } from '../../workflows/report-messages';
import { freshDatabase } from '../support/database';
import { claimNamespace } from '../support/namespace';
import {
  cycleResults,
  expectSameOutcome,
  type Outcome,
  outcomeOf,
  referenceOutcome,
  trialEnv,
} from './support/fault-trial';
import {
  acceptedMessageIds,
  cycleTimes,
  receivedCounts,
  retriedActivities,
  runCycle,
  severityRunIds,
  sleepWhileAt,
  startCycle,
  WATCHED,
  waitForStage,
  watchedWorkflowId,
} from './support/reporting-cycle';

const TRIALS = 20;
// A trial mostly waits for the killed worker's activity timeouts (1–2 min): run ten at once.
vi.setConfig({ maxConcurrency: 10 });
const STAGES = ['fetch', 'threshold', 'render', 'send'] as const;
const seed = process.env.HERALD_FAULT_SEED
  ? Number.parseInt(process.env.HERALD_FAULT_SEED, 10)
  : Math.floor(Math.random() * 2 ** 31);
console.info(`crash trials: seed ${seed} (HERALD_FAULT_SEED=${seed} repeats these trials)`);

// Each stage five times; which run is watched and how long after the stage the kill comes are drawn.
// Threshold, relapse and render run inside the one step that starts at `fetch` (one activity): the
// threshold and render trials kill later into that step (50–800 ms after it starts) than the
// fetch trials, so the kill also lands in its write transaction; a step done sooner is killed in
// what follows it.
const plans = fc
  .sample(
    fc.record({
      watch: fc.nat(WATCHED.length - 1),
      delayMs: fc.nat(300),
      lateMs: fc.integer({ min: 50, max: 800 }),
    }),
    { seed, numRuns: TRIALS },
  )
  .map(({ watch, delayMs, lateMs }, i) => {
    const stage = STAGES[i % STAGES.length]!;
    return stage === 'threshold' || stage === 'render'
      ? { stage, waitFor: 'fetch' as const, delayMs: lateMs, watched: WATCHED[watch]! }
      : { stage, waitFor: stage, delayMs, watched: WATCHED[watch]! };
  });

const times = cycleTimes();
let reference: Outcome;
const figures: string[] = [];

beforeAll(async () => {
  reference = await referenceOutcome({
    db: await freshDatabase(),
    temporalAddress: inject('temporalAddress'),
    namespace: claimNamespace(),
    times,
  });
}, 300_000);

afterAll(() => {
  console.info(`crash trials (seed ${seed}):\n${figures.sort().join('\n')}`);
});

describe('the fault-free reference run', () => {
  it('stores reports of every kind and mails each outbox row exactly once', () => {
    const { state, mails } = reference;
    // The input exercises what the trials must keep: relapses, thresholds, chains and filters.
    expect(state.reports.some((r) => r.evcount_rlp > 0)).toBe(true);
    expect(state.reports.some((r) => r.evcount_thr_blk > 0)).toBe(true);
    expect(state.runs.some((r) => r.counters.fltBlk > 0 && r.counters.detBlk > 0)).toBe(true);
    expect(state.thresholds.length).toBeGreaterThan(0);
    expect(new Set(state.reports.map((r) => r.type))).toEqual(new Set(['summary', 'extra']));
    expect(state.outbox.length).toBeGreaterThan(10);
    expect(state.outbox.every((r) => r.status === 'accepted')).toBe(true);
    expect([...mails.keys()].sort()).toEqual(state.outbox.map((r) => r.message_id).sort());
    expect([...mails.values()].every((n) => n === 1)).toBe(true);
  });
});

describe.concurrent('SIGKILL of the worker during a reporting cycle', () => {
  for (const [i, plan] of plans.entries()) {
    const name = `trial ${String(i + 1).padStart(2, '0')}`;
    it(`${name}: at ${plan.stage} of ${plan.watched.group}/${plan.watched.severity} + ${plan.delayMs} ms, then restarted`, async () => {
      const env = await trialEnv({
        db: await freshDatabase(),
        temporalAddress: inject('temporalAddress'),
        namespace: claimNamespace(),
        times,
      });
      try {
        const first = env.startWorker();
        await runCycle(env.client, env.taskQueue, times[0]);
        await runCycle(env.client, env.taskQueue, times[1]);
        const handles = await startCycle(env.client, env.taskQueue, times[2]);
        const watchedId = watchedWorkflowId(plan.watched, times[2]);
        const seen = await waitForStage(env.client, watchedId, plan.waitFor);
        // A step that ends before its planned kill is left for the next stage: the kill still hits the run.
        await sleepWhileAt(env.client, watchedId, plan.waitFor, plan.delayMs);
        await first.stop('SIGKILL');
        // The fault hit the cycle, not its aftermath.
        const running = await Promise.all(handles.map(async (h) => (await h.describe()).status.name));
        expect(running, first.output()).toContain('RUNNING');
        // Mails whose DATA was complete when the worker died are still being stored by the catcher.
        await sleep(1000);
        const receivedAtKill = await receivedCounts(env.mail);
        const acceptedAtKill = await acceptedMessageIds(env.db.pool);
        const inWindow = new Set([...receivedAtKill.keys()].filter((id) => !acceptedAtKill.has(id)));

        const second = env.startWorker();
        let results: ReportGroupResult[];
        try {
          results = await cycleResults(
            env,
            handles.map((h) => h.workflowId),
            severityRunIds(times[2]),
            second,
            360_000,
          );
        } finally {
          await second.stop('SIGTERM');
        }
        const repeated = expectSameOutcome(await outcomeOf(env, results), reference, inWindow);
        const retried = await retriedActivities(env.client, [
          ...handles.map((h) => h.workflowId),
          ...severityRunIds(times[2]),
        ]);
        figures.push(
          `${name}: killed at ${plan.stage}→seen ${seen} of ${plan.watched.group}/${plan.watched.severity} +${plan.delayMs} ms; ` +
            `${inWindow.size} mail(s) accepted-not-recorded, ${repeated.length} received twice; ` +
            `retried after the kill: ${retried.join(', ') || 'none (only workflow tasks)'}`,
        );
      } finally {
        await env.close();
      }
    }, 480_000);
  }
});
