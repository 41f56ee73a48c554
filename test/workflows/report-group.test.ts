// The group run's decisions with mocked activities (in-memory fakes that record their calls), on
// the test run's Temporal dev server: which severities are due or too soon, quiet windows settled
// without a child, what `force` does to the children, re-runs and disabled groups. The real
// activities are covered end to end in test/integration/reporting. (Temporal's time-skipping test
// server is a download this machine cannot make; every decision here takes an explicit time_h.)
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrepareResult } from '../../activities/reporting/prepare';
import type { GroupPlan, SeverityRunInput } from '../../activities/reporting/types';
import { ZERO_COUNTERS } from '../../domain/reporting/chains';
import { DEFAULT_TIMING } from '../../domain/reporting/timing';
import {
  forceOverridesUpdate,
  type ReportGroupResult,
  type ReportGroupRunInput,
} from '../../workflows/report-messages';
import { randomTaskQueue, startTestWorker, testClient } from '../support/temporal';
import { until } from '../support/until';

const MIN = 60_000;
const T = Date.parse('2026-11-20T12:00:00.000Z');
const at = (ms: number) => new Date(ms).toISOString();

interface Fakes {
  plan: GroupPlan;
  quiet: string[] | 'fail';
  /** Held until released, per severity. */
  hold: Set<string>;
  prepared: SeverityRunInput[];
  overrides: { runId: string; force: SeverityRunInput['force'] }[];
  quietChecks: number;
}

const fakes = new Map<string, Fakes>();
const released = new Set<string>();
const fakeOf = (group: string) => fakes.get(group)!;

const activities = {
  async loadReportGroupPlan({ group }: { group: string }): Promise<GroupPlan> {
    return fakeOf(group).plan;
  },
  async settleQuietWindows({ group }: { group: string }) {
    const f = fakeOf(group);
    f.quietChecks++;
    if (f.quiet === 'fail') throw ApplicationFailure.nonRetryable('database down');
    return { quiet: f.quiet };
  },
  async prepareReports(input: SeverityRunInput): Promise<PrepareResult> {
    const f = fakeOf(input.group);
    f.prepared.push(input);
    while (f.hold.has(input.severity) && !released.has(input.runId))
      await new Promise((r) => setTimeout(r, 50));
    return {
      result: 'skipped-no-events',
      counters: { ...ZERO_COUNTERS },
      reports: [],
      reportCount: 0,
      outboxIds: [],
      fetched: { source: 0, target: 0 },
      filterHits: {},
    };
  },
  async recordReportRunOverrides(input: { runId: string; force: SeverityRunInput['force'] }) {
    const group = input.runId.split(':')[1]!;
    fakeOf(group).overrides.push({ runId: input.runId, force: input.force });
    return { applied: true };
  },
  async sendReportMail() {
    throw new Error('no mail in these tests');
  },
  async finishReportRun() {},
  async cancelReportRun() {
    return { cancelledMails: 0, reported: false };
  },
  async clearRerunThresholds() {
    return { thresholds: 0 };
  },
  async awaitReportRun() {
    return null;
  },
};

const taskQueue = randomTaskQueue('group-decisions');
let client: Client;
let close: () => Promise<void>;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ client, close } = await testClient());
  stop = await startTestWorker({ taskQueue, activities });
});

afterAll(async () => {
  await stop?.();
  await close?.();
});

function group(plan: Partial<GroupPlan> = {}, quiet: Fakes['quiet'] = []): string {
  const name = `g${randomUUID().slice(0, 8)}`;
  fakes.set(name, {
    plan: {
      exists: true,
      enabled: true,
      intervalSeconds: 300,
      timing: DEFAULT_TIMING,
      ledgerCursors: {},
      ...plan,
    },
    quiet,
    hold: new Set(),
    prepared: [],
    overrides: [],
    quietChecks: 0,
  });
  return name;
}

function start(name: string, input: Partial<ReportGroupRunInput> = {}) {
  return client.workflow.start('reportGroup', {
    taskQueue,
    workflowId: `report:${name}:run:${randomUUID()}`,
    args: [{ group: name, timeHigh: at(T), runKind: 'adhoc', ...input }],
  });
}

const run = async (name: string, input: Partial<ReportGroupRunInput> = {}): Promise<ReportGroupResult> =>
  (await start(name, input)).result();

describe('reportGroup decisions (mocked activities)', () => {
  it('runs a severity whose period has passed and records the others as too soon', async () => {
    // high: per 10 min, its cursor 10 min back → due; low: per 1 day, cursor 1 h back → too soon.
    const name = group({ ledgerCursors: { high: at(T - 10 * MIN), low: at(T - 60 * MIN) } });
    const result = await run(name, { severities: ['high', 'low'] });
    expect(result.severities.high).toMatchObject({
      result: 'skipped-no-events',
      window: { from: at(T - 10 * MIN), to: at(T) },
    });
    expect(result.severities.low).toMatchObject({
      result: 'skipped-too-soon',
      window: { from: at(T - 60 * MIN), to: at(T) },
    });
    expect(fakeOf(name).prepared.map((p) => [p.severity, p.window, p.runKind])).toEqual([
      ['high', { from: at(T - 10 * MIN), to: at(T) }, 'adhoc'],
    ]);
    // The reported severity's cursor moves to time_h; the too-soon one keeps the ledger's.
    expect(result.cursors).toEqual({ high: at(T), low: at(T - 60 * MIN) });
  });

  it('starts with time_h − per when nothing knows a cursor, flooring time_h to the interval', async () => {
    const name = group({ intervalSeconds: 600 });
    const result = await run(name, { severities: ['critical'], timeHigh: at(T + 7 * MIN) });
    expect(result.timeHigh).toBe(at(T));
    expect(fakeOf(name).prepared[0]?.window).toEqual({
      from: at(T - DEFAULT_TIMING.critical.per * 1000),
      to: at(T),
    });
  });

  it('settles quiet windows without a child; when the check fails, the children find out', async () => {
    const quiet = group({}, ['high']);
    const settled = await run(quiet, { severities: ['high', 'critical'] });
    expect(settled.severities.high).toMatchObject({ result: 'skipped-no-events' });
    expect(settled.severities.high?.workflowId).toBeUndefined();
    expect(fakeOf(quiet).prepared.map((p) => p.severity)).toEqual(['critical']);
    expect(settled.cursors.high).toBe(at(T));

    const failing = group({}, 'fail');
    await run(failing, { severities: ['high', 'critical'] });
    expect(fakeOf(failing).quietChecks).toBe(1);
    expect(
      fakeOf(failing)
        .prepared.map((p) => p.severity)
        .sort(),
    ).toEqual(['critical', 'high']);
  });

  it('passes force to the children; test data moves no cursor and runs under ids of its own', async () => {
    const name = group({ ledgerCursors: { high: at(T - 10 * MIN) } });
    const result = await run(name, {
      severities: ['high'],
      force: { mode: 'none', locale: 'cs', testData: true, mailTestMode: true, mailTo: ['me@example.org'] },
    });
    const [child] = fakeOf(name).prepared;
    expect(child).toMatchObject({
      testData: true,
      force: { mode: 'none', locale: 'cs' },
      mail: { mailTestMode: true, mailTo: ['me@example.org'] },
    });
    expect(child?.runId).toBe(`report:${name}:high:${at(T)}:test-data`);
    expect(result.cursors).toEqual({});
  });

  it('drops a stored override once its --until has passed', async () => {
    const name = group();
    await run(name, { severities: ['high'], force: { mode: 'none' }, forceUntil: at(T) });
    expect(fakeOf(name).prepared[0]?.force.mode).toBeUndefined();
  });

  it('a forceOverrides update reaches a severity run during its step; a bad one is refused', async () => {
    const name = group();
    fakeOf(name).hold.add('high');
    const handle = await start(name, { severities: ['high'] });
    const runId = await until('the high run in its step', async () => fakeOf(name).prepared[0]?.runId);
    await expect(
      handle.executeUpdate(forceOverridesUpdate, { args: [{ mode: 'loud' as 'none' }] }),
    ).rejects.toMatchObject({
      cause: { message: 'mode: expected one of summary, extra, both, none, got "loud"' },
    });
    expect(await handle.executeUpdate(forceOverridesUpdate, { args: [{ mode: 'none' }] })).toEqual({
      mode: 'none',
    });
    await until('the override recorded for the step', async () =>
      fakeOf(name).overrides.find((o) => o.runId === runId && o.force.mode === 'none') ? true : undefined,
    );
    released.add(runId);
    await handle.result();
  });

  it('a re-run reports its given window, checks no quiet windows and moves no cursor', async () => {
    const name = group({ ledgerCursors: { high: at(T) } });
    const result = await run(name, {
      severities: ['high'],
      runKind: 'rerun',
      rerun: { from: at(T - 90 * MIN), nonce: 'n1' },
    });
    expect(fakeOf(name).quietChecks).toBe(0);
    expect(fakeOf(name).prepared[0]).toMatchObject({
      runId: `report:${name}:high:${at(T)}:rerun:n1`,
      window: { from: at(T - 90 * MIN), to: at(T) },
      runKind: 'rerun',
    });
    expect(result.cursors).toEqual({});
  });

  it('skips an unknown or disabled group without a child', async () => {
    const unknown = group({ exists: false, enabled: false });
    expect(await run(unknown)).toMatchObject({ skipped: 'group-unknown', severities: {} });
    const disabled = group({ enabled: false });
    expect(await run(disabled)).toMatchObject({ skipped: 'group-disabled', severities: {} });
    expect(fakeOf(unknown).prepared.length + fakeOf(disabled).prepared.length).toBe(0);
  });
});
