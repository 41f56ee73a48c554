// Records the histories the reporting replay test replays: one reportGroup run and one of its
// reportSeverity children (with mails), on a running stack (`bin/herald dev up`), in a scratch
// database that is dropped afterwards. Regenerate after an intended workflow change:
//
//   node --import tsx test/replay/record-reporting-histories.ts [SUFFIX]
//
// With SUFFIX the files are report-group.SUFFIX.json and report-severity.SUFFIX.json, so the
// fixtures of an older shape can stay beside the new ones (docs/versioning.md).
// With --force-during-step, `herald force --mode none` (the group's forceOverrides update) reaches
// the high severity run while its step waits at the window fence behind an open writer.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import pg from 'pg';
import { config } from '../../config/env';
import { repoRoot } from '../../config/paths';
import { migrateUp } from '../../db/migrate';
import { mailTaskQueue } from '../../domain/reporting/mail-task-queue';
import { startMailCatcher } from '../../scripts/dev/mail-catcher';
import { forceOverridesUpdate, progressQuery, type ReportGroupResult } from '../../workflows/report-messages';
import { alignedPast, reportingActivities, seedCatalog, storeEvents } from '../integration/reporting/support';
import { until } from '../support/until';
import { historyToFixture } from './histories';

const out = path.join(repoRoot, 'test', 'replay', 'histories');
const forceDuringStep = process.argv.includes('--force-during-step');
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));

/** Runs the group with its high severity's step held at the fence while `force --mode none` lands. */
async function forcedWhileFetching(
  pool: pg.Pool,
  start: () => Promise<WorkflowHandle>,
): Promise<ReportGroupResult> {
  const writer = await pool.connect();
  let handle: WorkflowHandle;
  try {
    await writer.query('BEGIN');
    await writer.query("INSERT INTO event_ids (id, storage_time) VALUES ('held-open', now())");
    handle = await start();
    const child = await until(
      'the high severity run',
      async () => (await handle.query(progressQuery)).high?.workflowId,
      { timeoutMs: 60_000 },
    );
    await handle.executeUpdate(forceOverridesUpdate, { args: [{ mode: 'none' }] });
    await until(
      'the override recorded',
      async () => {
        const { rows } = await pool.query('SELECT 1 FROM report_run_overrides WHERE run_id = $1', [child]);
        return rows.length > 0 ? true : undefined;
      },
      { timeoutMs: 60_000 },
    );
  } finally {
    await writer.query('ROLLBACK');
    writer.release();
  }
  return handle.result();
}

async function main() {
  const env = config();
  if (!env.HERALD_DATABASE_URL)
    throw new Error('HERALD_DATABASE_URL: start the stack first (bin/herald dev up)');
  Runtime.install({
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
  });
  const name = `herald_replay_${Date.now()}`;
  const admin = new pg.Client({ connectionString: env.HERALD_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(env.HERALD_DATABASE_URL);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString() });
  pool.on('error', () => {}); // DROP DATABASE ... WITH (FORCE) ends idle connections
  const mail = await startMailCatcher({ smtpPort: 0 });
  try {
    await migrateUp(url.toString());
    await seedCatalog(pool, {
      groups: [
        { name: 'parent', networks: [{ network: '10.0.0.0/16' }], emails: { high: ['soc@parent.test'] } },
        {
          name: 'child',
          networks: [{ network: '10.0.1.0/24' }],
          mode: 'both',
          emails: { high: ['soc@child.test'] },
        },
      ],
    });
    // A window no earlier recording used: severity workflow ids are unique per window, server-wide.
    const timeHigh = alignedPast(60 * (2 + Math.floor(Math.random() * 10_000)));
    await storeEvents(
      pool,
      [
        { group: 'child', severity: 'high', ip: '10.0.1.1' },
        { group: 'child', severity: 'high', ip: '10.0.1.2' },
        { group: 'child', severity: 'critical', ip: '10.0.1.3' },
      ],
      new Date(timeHigh.getTime() - 60_000),
    );
    const taskQueue = `replay-${randomUUID()}`;
    const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
    const worker = await Worker.create({
      connection,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue,
      workflowsPath: path.join(repoRoot, 'workflows', 'index.ts'),
      activities: reportingActivities(pool, mail.smtpUrl),
    });
    const mailWorker = await Worker.create({
      connection,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: mailTaskQueue(taskQueue),
      activities: reportingActivities(pool, mail.smtpUrl),
    });
    const clientConnection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
    const client = new Client({ connection: clientConnection, namespace: env.TEMPORAL_NAMESPACE });
    await mailWorker.runUntil(() =>
      worker.runUntil(async () => {
        const groupId = `report:child:replay:${randomUUID()}`;
        const start = () =>
          client.workflow.start('reportGroup', {
            taskQueue,
            workflowId: groupId,
            args: [
              { group: 'child', timeHigh: timeHigh.toISOString(), severities: ['high', 'critical', 'low'] },
            ],
          });
        const result: ReportGroupResult = await (forceDuringStep
          ? forcedWhileFetching(pool, start)
          : start().then((handle) => handle.result()));
        const severityId = result.severities.high!.workflowId!;
        const suffix = args[0] ? `.${args[0]}` : '';
        const runs: [string, string][] = [
          [`report-group${suffix}.json`, groupId],
          [`report-severity${suffix}.json`, severityId],
        ];
        for (const [file, id] of runs) {
          // protobufjs' own object form (enum names, int64 and bytes as strings): readable, and read
          // back with History.fromObject (see histories.ts).
          const history = await client.workflow.getHandle(id).fetchHistory();
          writeFileSync(path.join(out, file), `${JSON.stringify(historyToFixture(history), null, 1)}\n`);
          process.stdout.write(`wrote ${file} (${history.events?.length} events) from ${id}\n`);
        }
      }),
    );
    await clientConnection.close();
    await connection.close();
  } finally {
    await mail.close();
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

await main();
