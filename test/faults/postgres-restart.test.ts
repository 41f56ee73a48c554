// Crash faults: PostgreSQL is stopped (immediate mode: no checkpoint, every session cut
// off, crash recovery at the next start) while a reporting cycle is in fetch, render or send, and
// started again a few seconds later. This file runs its own embedded PostgreSQL (never the run's
// shared cluster nor the machine's). The `bin/herald worker` process stays up; activities that
// met the outage are retried. The cycle ends as the fault-free reference run of the same input
// did: nothing lost, nothing stored twice, every mail received once by Message-ID — a mail the SMTP
// server accepted while its outbox row could not be written is recorded by the send's retry from
// its heartbeat details, not sent again (docs/mail.md, "Duplicates"; ten restarts at different
// points of the send step: postgres-restart-send.test.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool, inTransaction } from '../../db/pool';
import { claimNamespace } from '../support/namespace';
import {
  cycleResults,
  expectSameOutcome,
  type Outcome,
  outcomeOf,
  referenceOutcome,
  trialEnv,
} from './support/fault-trial';
import { type OwnPostgres, startOwnPostgres } from './support/own-postgres';
import {
  acceptedMessageIds,
  cycleTimes,
  receivedCounts,
  retriedActivities,
  runCycle,
  severityRunIds,
  startCycle,
  waitForStage,
  watchedWorkflowId,
} from './support/reporting-cycle';

const DOWN_MS = 5_000;
const times = cycleTimes();
let postgres: OwnPostgres;
let reference: Outcome;

beforeAll(async () => {
  postgres = await startOwnPostgres();
  reference = await referenceOutcome({
    db: await postgres.database(),
    temporalAddress: inject('temporalAddress'),
    namespace: claimNamespace(),
    times,
  });
}, 300_000);

afterAll(async () => {
  await postgres?.destroy();
});

describe('a PostgreSQL connection lost inside a transaction', () => {
  it('fails that transaction, not the process, and the pool goes on with new connections', async () => {
    const db = await postgres.database();
    const pool = createPool(db.url, 2);
    try {
      const cut = inTransaction(pool, async (client) => {
        const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await db.pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
        await sleep(500); // the server's goodbye reaches the idle client before its next query
        return client.query('SELECT 1');
      });
      await expect(cut).rejects.toThrow();
      expect((await pool.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    } finally {
      await pool.end();
      await db.drop();
    }
  });
});

describe('a PostgreSQL restart during a reporting cycle', () => {
  // Render runs inside the one step that starts at `fetch`: its trial stops PostgreSQL later into it.
  for (const [stage, waitFor, delayMs] of [
    ['fetch', 'fetch', 0],
    ['render', 'fetch', 300],
    ['send', 'send', 0],
  ] as const) {
    it(`stopped while child/high is in ${stage}, started ${DOWN_MS / 1000} s later: nothing lost or doubled`, async () => {
      const env = await trialEnv({
        db: await postgres.database(),
        temporalAddress: inject('temporalAddress'),
        namespace: claimNamespace(),
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
          waitFor,
        );
        await sleep(delayMs);
        await postgres.stop('immediate');
        await sleep(DOWN_MS);
        await postgres.start();
        // Mails the SMTP server took while their outbox rows could not be written (none may repeat).
        const received = await receivedCounts(env.mail);
        const accepted = await acceptedMessageIds(env.db.pool);
        const inWindow = new Set([...received.keys()].filter((id) => !accepted.has(id)));

        const results = await cycleResults(
          env,
          handles.map((h) => h.workflowId),
          severityRunIds(times[2]),
          worker,
        );
        // The worker rode out the outage (retried activities) instead of exiting.
        expect(worker.child.exitCode, worker.output()).toBeNull();
        await worker.stop('SIGTERM');

        const repeated = expectSameOutcome(await outcomeOf(env, results), reference, new Set());
        const retried = await retriedActivities(env.client, [
          ...handles.map((h) => h.workflowId),
          ...severityRunIds(times[2]),
        ]);
        console.info(
          `postgres-restart at ${stage} (seen ${seen}): down ${DOWN_MS} ms; ${inWindow.size} mail(s) ` +
            `accepted-not-recorded, ${repeated.length} received twice; retried: ${retried.join(', ') || 'none'}`,
        );
      } finally {
        await env.close();
      }
    }, 420_000);
  }
});
