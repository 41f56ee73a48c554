// Crash faults: the Temporal server itself is killed (SIGKILL) in the middle of a
// reporting cycle and started again on its persisted database. This file runs its own dev server
// (the run's shared one is never killed); the `bin/herald worker` process stays up through the
// outage. The cycle completes with the same reports, thresholds, ledger and mails as a fault-free
// run of the same input on the same server, and no mail is received twice (the worker never died,
// so every accepted mail was recorded).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportGroupResult } from '../../workflows/report-messages';
import { freshDatabase } from '../support/database';
import {
  expectSameOutcome,
  type Outcome,
  outcomeOf,
  referenceOutcome,
  trialEnv,
} from './support/fault-trial';
import { type OwnTemporal, ownTemporal } from './support/own-temporal';
import {
  cycleTimes,
  retriedActivities,
  runCycle,
  severityRunIds,
  startCycle,
  waitForStage,
  watchedWorkflowId,
} from './support/reporting-cycle';

const OUTAGE_MS = 5_000;
const times = cycleTimes();
let dir: string;
let server: OwnTemporal | undefined;
let reference: Outcome;

/** A workflow's result, asked again while the restarted server is not answering yet. */
async function resultAfterRestart(client: Client, workflowId: string): Promise<ReportGroupResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await client.workflow.getHandle(workflowId).result()) as ReportGroupResult;
    } catch (error) {
      if (attempt >= 60) throw error;
      await sleep(2000);
    }
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-temporal-fault-'));
  server = await ownTemporal({
    namespace: 'reference',
    extraNamespaces: ['trial'],
    dbFile: path.join(dir, 'temporal.db'),
  });
  await server.start();
  reference = await referenceOutcome({
    db: await freshDatabase(),
    temporalAddress: server.address,
    namespace: 'reference',
    times,
  });
}, 300_000);

afterAll(async () => {
  await server?.stop('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('SIGKILL of the Temporal server during a reporting cycle', () => {
  it('completes the cycle after a restart: same reports, thresholds and mails as without the fault', async () => {
    const env = await trialEnv({
      db: await freshDatabase(),
      temporalAddress: server!.address,
      namespace: 'trial',
      times,
    });
    try {
      const worker = env.startWorker();
      await runCycle(env.client, env.taskQueue, times[0]);
      await runCycle(env.client, env.taskQueue, times[1]);
      const handles = await startCycle(env.client, env.taskQueue, times[2]);
      const seen = await waitForStage(
        env.client,
        watchedWorkflowId({ group: 'child', severity: 'high' }, times[2]),
        'fetch',
      );
      // Into the one step that fetches and renders (its `render` part).
      await sleep(300);
      await server!.stop('SIGKILL');
      await sleep(OUTAGE_MS);
      await server!.start();

      const results = await Promise.all(handles.map((h) => resultAfterRestart(env.client, h.workflowId)));
      // The worker rode out the outage: it reconnected instead of exiting.
      expect(worker.child.exitCode, worker.output()).toBeNull();
      await worker.stop('SIGTERM');

      const repeated = expectSameOutcome(await outcomeOf(env, results), reference, new Set());
      expect(repeated).toEqual([]);
      const retried = await retriedActivities(env.client, [
        ...handles.map((h) => h.workflowId),
        ...severityRunIds(times[2]),
      ]);
      console.info(
        `temporal-restart: server killed at ${seen} of child/high, down ${OUTAGE_MS} ms; ` +
          `${reference.mails.size} mails, none twice; retried after the restart: ${retried.join(', ') || 'none'}`,
      );
    } finally {
      await env.close();
    }
  }, 480_000);
});
