// PostgreSQL stopped (immediate mode) in the middle of a run's send step and started again 5 s
// later, in 10 trials that stop it at different points: after the 1st, 2nd, … 10th mail of the
// run reached the SMTP server, 0, 20 or 40 ms later. With 10 sends in flight, each stop falls
// somewhere in other mails' sends: before SMTP, during it, or between the server's 250 and the
// outbox write. Every mail arrives exactly once: an acceptance PostgreSQL could not record is in
// the send activity's heartbeat details, and the retry records it without sending again
// (docs/mail.md, "Duplicates"). One `bin/herald worker` process rides out all ten outages.
// About 4–6 minutes on a loaded 2-core machine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type MailCatcher, startMailCatcher } from '../../scripts/dev/mail-catcher';
import type { ReportGroupResult } from '../../workflows/report-messages';
import { alignedPast, seedCatalog, storeEvents } from '../integration/reporting/support';
import { claimNamespace } from '../support/namespace';
import { randomTaskQueue } from '../support/temporal';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';
import type { TrialDatabase } from './support/fault-trial';
import { type OwnPostgres, startOwnPostgres } from './support/own-postgres';

const TRIALS = 10;
const MAILS = 20;
const DOWN_MS = 5_000;
const timeHigh = alignedPast();
const groupOf = (trial: number) => `send${trial}`;
const recipientOf = (trial: number) => `soc@send${trial}.test`;

let postgres: OwnPostgres;
let db: TrialDatabase;
let mail: MailCatcher;
let connection: Connection;
let client: Client;
let worker: WorkerProcess;
let home: string;
const taskQueue = randomTaskQueue('pg-restart-send');

beforeAll(async () => {
  postgres = await startOwnPostgres();
  db = await postgres.database();
  mail = await startMailCatcher({ smtpPort: 0 });
  // One group per trial, each with MAILS extra reports (one mail per IP; the summary is not mailed).
  const trials = Array.from({ length: TRIALS }, (_, i) => i + 1);
  await seedCatalog(db.pool, {
    groups: trials.map((t) => ({
      name: groupOf(t),
      networks: [{ network: `10.${60 + t}.0.0/16` }],
      mode: 'extra' as const,
      emails: { high: [recipientOf(t)] },
    })),
  });
  await storeEvents(
    db.pool,
    trials.flatMap((t) =>
      Array.from({ length: MAILS }, (_, i) => ({
        group: groupOf(t),
        severity: 'high' as const,
        ip: `10.${60 + t}.0.${i + 1}`,
      })),
    ),
    new Date(timeHigh.getTime() - 5 * 60_000),
  );
  const temporalAddress = inject('temporalAddress');
  const namespace = claimNamespace();
  connection = await Connection.connect({ address: temporalAddress });
  client = new Client({ connection, namespace });
  home = mkdtempSync(path.join(tmpdir(), 'herald-pg-send-'));
  worker = startWorkerProcess({
    home,
    temporalAddress,
    namespace,
    databaseUrl: db.url,
    smtpUrl: mail.smtpUrl,
    taskQueue,
  });
}, 300_000);

afterAll(async () => {
  await worker?.stop('SIGKILL');
  await connection?.close();
  await mail?.close();
  await db?.drop().catch(() => {});
  await postgres?.destroy();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** Received copies per Message-ID of one trial's mails. */
async function receivedOf(trial: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const m of await mail.messages())
    if (m.envelopeTo.includes(recipientOf(trial)))
      counts.set(m.messageId ?? '', (counts.get(m.messageId ?? '') ?? 0) + 1);
  return counts;
}

describe('PostgreSQL restarted during the send step', () => {
  const figures: string[] = [];
  afterAll(() => {
    console.info(`postgres-restart during send:\n${figures.join('\n')}`);
  });

  for (let trial = 1; trial <= TRIALS; trial++) {
    const afterMails = trial;
    const offsetMs = (trial % 3) * 20;
    it(`trial ${trial}: stopped ${offsetMs} ms after mail ${afterMails} of ${MAILS} arrived: every mail once`, async () => {
      const handle = await client.workflow.start('reportGroup', {
        taskQueue,
        workflowId: `report:${groupOf(trial)}:pg-send:${timeHigh.toISOString()}`,
        args: [{ group: groupOf(trial), timeHigh: timeHigh.toISOString(), severities: ['high'] }],
      });
      const deadline = Date.now() + 120_000;
      let arrived = 0;
      while (Date.now() < deadline) {
        arrived = [...(await receivedOf(trial)).values()].reduce((a, b) => a + b, 0);
        if (arrived >= afterMails) break;
        await sleep(5);
      }
      expect(arrived, worker.output()).toBeGreaterThanOrEqual(afterMails);
      await sleep(offsetMs);
      await postgres.stop('immediate');
      const atStop = [...(await receivedOf(trial)).values()].reduce((a, b) => a + b, 0);
      await sleep(DOWN_MS);
      await postgres.start();
      // Mails the SMTP server took that their outbox rows did not record when PostgreSQL came back.
      const { rows: recorded } = await db.pool.query<{ message_id: string }>(
        `SELECT o.message_id FROM report_outbox o JOIN reports r ON r.id = o.report_id
          WHERE r.group_name = $1 AND o.status = 'accepted'`,
        [groupOf(trial)],
      );
      const recordedIds = new Set(recorded.map((r) => r.message_id));
      const notRecorded = [...(await receivedOf(trial)).keys()].filter((id) => !recordedIds.has(id)).length;

      const timeout = new AbortController();
      const result = (await Promise.race([
        handle.result(),
        sleep(240_000, undefined, { signal: timeout.signal }).then(() => {
          throw new Error(`trial ${trial} did not finish in 240 s; worker output:\n${worker.output()}`);
        }),
      ]).finally(() => timeout.abort())) as ReportGroupResult;
      expect(worker.child.exitCode, worker.output()).toBeNull();
      expect(result.severities.high?.mail).toEqual({ accepted: MAILS, failed: 0 });

      const { rows: outbox } = await db.pool.query<{ message_id: string; status: string; attempts: number }>(
        `SELECT o.message_id, o.status, o.attempts FROM report_outbox o JOIN reports r ON r.id = o.report_id
          WHERE r.group_name = $1`,
        [groupOf(trial)],
      );
      expect(outbox).toHaveLength(MAILS);
      expect(outbox.filter((r) => r.status !== 'accepted')).toEqual([]);
      const received = await receivedOf(trial);
      expect([...received.keys()].sort()).toEqual(outbox.map((r) => r.message_id).sort());
      const twice = [...received].filter(([, n]) => n > 1).map(([id]) => id);
      figures.push(
        `  trial ${trial}: ${atStop} of ${MAILS} mails received at the stop, ${notRecorded} accepted but ` +
          `not recorded when PostgreSQL came back, ${twice.length} received twice`,
      );
      expect(twice).toEqual([]);
    }, 300_000);
  }
});
