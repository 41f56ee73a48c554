// One fault trial's world: its database, a real SMTP server, a Temporal client on its namespace, a
// task queue and a HERALD_HOME for its `bin/herald worker` processes; and what a trial compares
// with the fault-free reference run of the same input.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type pg from 'pg';
import { expect } from 'vitest';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import type { ReportGroupResult } from '../../../workflows/report-messages';
import { startWorkerProcess, type WorkerProcess } from '../../support/worker-process';
import {
  cycleTimes,
  receivedCounts,
  runCycle,
  type StateSnapshot,
  seedCycleInput,
  snapshotState,
} from './reporting-cycle';

export interface TrialDatabase {
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

export interface TrialEnv {
  db: TrialDatabase;
  mail: MailCatcher;
  client: Client;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  times: [Date, Date, Date];
  startWorker(): WorkerProcess;
  close(): Promise<void>;
}

export interface TrialOptions {
  db: TrialDatabase;
  temporalAddress: string;
  namespace: string;
  times?: [Date, Date, Date];
}

/** A trial's world with the cycle input stored in `db` (which the trial then owns). */
export async function trialEnv(options: TrialOptions): Promise<TrialEnv> {
  const times = options.times ?? cycleTimes();
  const mail = await startMailCatcher({ smtpPort: 0 });
  await seedCycleInput(options.db.pool, times);
  const connection = await Connection.connect({ address: options.temporalAddress });
  const client = new Client({ connection, namespace: options.namespace });
  const home = mkdtempSync(path.join(tmpdir(), 'herald-fault-'));
  const taskQueue = `fault-${randomUUID()}`;
  const workers: WorkerProcess[] = [];
  return {
    db: options.db,
    mail,
    client,
    temporalAddress: options.temporalAddress,
    namespace: options.namespace,
    taskQueue,
    times,
    startWorker() {
      const worker = startWorkerProcess({
        home,
        temporalAddress: options.temporalAddress,
        namespace: options.namespace,
        databaseUrl: options.db.url,
        smtpUrl: mail.smtpUrl,
        taskQueue,
      });
      workers.push(worker);
      return worker;
    },
    async close() {
      await Promise.all(workers.map((w) => w.stop('SIGKILL')));
      await connection.close();
      await mail.close();
      await options.db.drop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export interface Outcome {
  state: StateSnapshot;
  /** Received copies per Message-ID. */
  mails: Map<string, number>;
  results: ReportGroupResult[];
}

export async function outcomeOf(env: TrialEnv, results: ReportGroupResult[]): Promise<Outcome> {
  return { state: await snapshotState(env.db.pool), mails: await receivedCounts(env.mail), results };
}

/** The fault-free run: cycles 1–3 in a world of its own, on one worker stopped gracefully afterwards. */
export async function referenceOutcome(options: TrialOptions): Promise<Outcome> {
  const env = await trialEnv(options);
  const worker = env.startWorker();
  try {
    await runCycle(env.client, env.taskQueue, env.times[0]);
    await runCycle(env.client, env.taskQueue, env.times[1]);
    const results = await runCycle(env.client, env.taskQueue, env.times[2]);
    return await outcomeOf(env, results);
  } finally {
    await worker.stop('SIGTERM');
    await env.close();
  }
}

/**
 * The cycle's group results; if they are not all there within `timeoutMs`, fails with what is
 * still pending (severity runs, their pending activities and last failures) and the worker's output.
 */
export async function cycleResults(
  env: TrialEnv,
  workflowIds: string[],
  severityRunIds: string[],
  worker: WorkerProcess,
  timeoutMs = 240_000,
): Promise<ReportGroupResult[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  // A worker that dies while the cycle runs fails the trial at once, with its output.
  let settled = false;
  const died = worker.exited.then((how) => {
    if (!settled)
      throw new Error(`the worker exited (${how}) during the trial; its output:\n${worker.output()}`);
    return 'stopped' as const;
  });
  const results = Promise.all(
    workflowIds.map((id) => env.client.workflow.getHandle(id).result() as Promise<ReportGroupResult>),
  );
  results.catch(() => {}); // still pending when the trial gives up
  try {
    const outcome = await Promise.race([results, timeout, died]);
    if (outcome !== 'timeout' && outcome !== 'stopped') return outcome;
  } finally {
    settled = true;
    clearTimeout(timer);
  }
  const pending: string[] = [];
  for (const id of severityRunIds) {
    const description = await env.client.workflow
      .getHandle(id)
      .describe()
      .catch(() => undefined);
    if (description?.status.name !== 'RUNNING') continue;
    const raw = description.raw.pendingActivities ?? [];
    const activities = raw.map(
      (a) => `${a.activityType?.name} attempt ${a.attempt} ${a.lastFailure?.message ?? ''}`,
    );
    pending.push(`${id}: ${activities.join('; ') || 'no pending activity'}`);
  }
  throw new Error(
    `the cycle did not complete within ${timeoutMs} ms; still running:\n${pending.join('\n')}\n` +
      `worker output:\n${worker.output()}`,
  );
}

/** Group results without what differs between runs by design (workflow ids of runs are equal). */
const comparable = (results: ReportGroupResult[]) =>
  results.map((r) => ({
    group: r.group,
    cursors: r.cursors,
    severities: Object.fromEntries(
      Object.entries(r.severities).map(([s, v]) => [
        s,
        { result: v?.result, window: v?.window, counters: v?.counters, reportCount: v?.reportCount },
      ]),
    ),
  }));

/**
 * Asserts the trial ended as the reference did: the same reports (labels, keys, counters,
 * recipients, events), thresholds, thresholded events, ledger, catalog hit counts and outbox, and
 * every reference mail received by Message-ID. A second copy of a mail is allowed only for the
 * Message-IDs in `mayRepeat` (accepted by SMTP, not yet recorded when the fault hit). Returns the
 * Message-IDs received twice.
 */
export function expectSameOutcome(trial: Outcome, reference: Outcome, mayRepeat: Set<string>): string[] {
  expect(trial.state.reports).toEqual(reference.state.reports);
  expect(trial.state.reportEvents).toEqual(reference.state.reportEvents);
  expect(trial.state.thresholds).toEqual(reference.state.thresholds);
  expect(trial.state.thresholdedEvents).toEqual(reference.state.thresholdedEvents);
  expect(trial.state.runs).toEqual(reference.state.runs);
  expect(trial.state.catalogHits).toEqual(reference.state.catalogHits);
  expect(trial.state.outbox).toEqual(reference.state.outbox);
  expect(comparable(trial.results)).toEqual(comparable(reference.results));

  expect([...trial.mails.keys()].sort()).toEqual([...reference.mails.keys()].sort());
  const repeated = [...trial.mails].filter(([, n]) => n > 1).map(([id]) => id);
  for (const id of repeated) {
    expect(trial.mails.get(id), `${id} received more than twice`).toBe(2);
    expect(mayRepeat.has(id), `${id} received twice but it was not in the accepted-not-recorded window`).toBe(
      true,
    );
  }
  return repeated;
}
