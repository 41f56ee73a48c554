// Outages (the long ones; `npm run test:faults`). Each outage is real: a TCP proxy in front
// of the run's shared PostgreSQL or Temporal server (test/faults/support/tcp-proxy.ts) resets every
// connection through it and refuses new ones for 30 s, then listens again; the servers themselves,
// which other test files use, keep running.
//   PostgreSQL unreachable for 30 s in the middle of a reporting run: the activities fail and are
//     retried; the run finishes afterwards with every report stored once and every mail once.
//   Temporal unreachable for 30 s from the CLI (and the `herald worker` process): every command
//     that needs Temporal fails in one line with exit 1 and leaves nothing behind; ingest, which
//     does not need it, goes on; once it is back the same commands succeed and the worker, which
//     lived through the outage, runs them. A server that accepts connections and never answers
//     gives the same line within the connect timeout, not a hang.
// SMTP refusing connections for 60 s is test/integration/delivery/mail-delivery.test.ts; SMTP
// answering 421 for a while is test/integration/outages/smtp-temporary-failure.test.ts.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool } from '../../db/pool';
import { type MailCatcher, startMailCatcher } from '../../scripts/dev/mail-catcher';
import {
  progressQuery,
  type ReportGroupResult,
  severityProgressQuery,
} from '../../workflows/report-messages';
import { cliEnv, herald } from '../integration/reporting/cli';
import {
  alignedPast,
  ideaEvent,
  reportingActivities,
  seedCatalog,
  storeEvents,
} from '../integration/reporting/support';
import type { CliResult } from '../support/cli';
import { freshDatabase, type TestDatabase } from '../support/database';
import { fileNamespace } from '../support/namespace';
import { createTestWorker, randomTaskQueue, testClient } from '../support/temporal';
import { until } from '../support/until';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy';

const OUTAGE_MS = 30_000;
// How the outage tests poll: every 250 ms, for up to a minute unless said otherwise.
const POLL = { timeoutMs: 60_000, intervalMs: 250 };

describe('PostgreSQL unreachable for 30 s during a run', () => {
  const suffix = randomUUID().slice(0, 6);
  const groups = { both: `pgo-both-${suffix}`, two: `pgo-two-${suffix}`, one: `pgo-one-${suffix}` };
  const timeHigh = alignedPast();
  let db: TestDatabase;
  let proxy: TcpProxy;
  let workerPool: pg.Pool;
  let mail: MailCatcher;
  let client: Client;
  let closeClient: () => Promise<void>;

  beforeAll(async () => {
    [db, mail] = await Promise.all([freshDatabase(), startMailCatcher({ smtpPort: 0 })]);
    const direct = new URL(db.url);
    proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port) });
    const viaProxy = new URL(db.url);
    viaProxy.port = String(proxy.port);
    // The worker's pool as `herald worker` makes it (db/pool.ts), through the proxy.
    workerPool = createPool(viaProxy.toString(), 10);
    ({ client, close: closeClient } = await testClient());
    await seedCatalog(db.pool, {
      groups: [
        {
          name: groups.both,
          networks: [{ network: '10.71.0.0/16' }],
          mode: 'both',
          emails: { high: ['soc@both.test'], critical: ['soc@both.test'] },
        },
        {
          name: groups.two,
          networks: [{ network: '10.72.0.0/16' }],
          emails: { high: ['soc@two.test'], critical: ['cert@two.test'] },
        },
        { name: groups.one, networks: [{ network: '10.73.0.0/16' }], emails: { high: ['soc@one.test'] } },
      ],
    });
    const stored = new Date(timeHigh.getTime() - 5 * 60_000);
    await storeEvents(
      db.pool,
      [
        { group: groups.both, severity: 'high', ip: '10.71.0.1' },
        { group: groups.both, severity: 'high', ip: '10.71.0.2' },
        { group: groups.both, severity: 'critical', ip: '10.71.0.3' },
        { group: groups.two, severity: 'high', ip: '10.72.0.1' },
        { group: groups.two, severity: 'critical', ip: '10.72.0.2' },
        { group: groups.one, severity: 'high', ip: '10.73.0.1' },
      ],
      stored,
    );
  }, 60_000);

  afterAll(async () => {
    await closeClient?.();
    await workerPool?.end();
    await proxy?.close();
    await mail?.close();
    await db?.drop();
  });

  it('retries through the outage and finishes with every report stored once and every mail once', async () => {
    const taskQueue = randomTaskQueue('pg-outage');
    const worker = await createTestWorker({
      taskQueue,
      activities: reportingActivities(workerPool, mail.smtpUrl),
    });
    await worker.run(async () => {
      // An open writer transaction (a direct connection, not through the proxy) holds every fetch
      // at the window fence (docs/mentat.md, "Late writers"): the outage starts while all severity runs are in their fetch.
      const writer = await db.pool.connect();
      let handles: WorkflowHandle[];
      try {
        await writer.query('BEGIN');
        await writer.query("INSERT INTO event_ids (id, storage_time) VALUES ('held-open', now())");
        handles = await Promise.all(
          Object.values(groups).map((group) =>
            client.workflow.start('reportGroup', {
              taskQueue,
              workflowId: `report:${group}:pg-outage:${suffix}`,
              args: [
                {
                  group,
                  timeHigh: timeHigh.toISOString(),
                  severities: group === groups.one ? ['high'] : ['high', 'critical'],
                },
              ],
            }),
          ),
        );
        const severityRuns = await until(
          'every severity run in its fetch',
          async () => {
            const progress = await Promise.all(handles.map((h) => h.query(progressQuery)));
            const runs = progress.flatMap((p) => Object.values(p));
            return runs.length === 5 && runs.every((s) => s.stage === 'fetch' && s.workflowId)
              ? runs.map((s) => s.workflowId!)
              : undefined;
          },
          POLL,
        );
        await proxy.cut();
        const cutAt = Date.now();
        await writer.query('ROLLBACK');

        // The outage is felt: the fetches fail on their connections and are being retried.
        const failure = await until(
          'a fetch retried after a connection failure',
          async () => {
            for (const id of severityRuns) {
              const d = await client.workflowService.describeWorkflowExecution({
                namespace: client.options.namespace,
                execution: { workflowId: id },
              });
              const pending = d.pendingActivities?.find((a) => (a.attempt ?? 0) > 1);
              if (pending) return pending.lastFailure?.message ?? '';
            }
            return undefined;
          },
          { ...POLL, timeoutMs: OUTAGE_MS - 5_000 },
        );
        expect(failure).toMatch(/ECONNREFUSED|ECONNRESET|Connection terminated/);
        const early = await Promise.all(
          severityRuns.map((id) =>
            client.workflow
              .getHandle(id)
              .query(severityProgressQuery)
              .then((p) => p.stage),
          ),
        );
        expect(early.every((stage) => stage === 'fetch')).toBe(true);
        expect(await mail.messages()).toHaveLength(0);

        await sleep(Math.max(0, cutAt + OUTAGE_MS - Date.now()));
        await proxy.restore();
      } finally {
        await writer.query('ROLLBACK').catch(() => {});
        writer.release();
      }

      const results = (await Promise.all(handles.map((h) => h.result()))) as ReportGroupResult[];
      const byGroup = Object.fromEntries(results.map((r) => [r.group, r]));
      expect(byGroup[groups.both]?.severities.high).toMatchObject({ mail: { accepted: 3, failed: 0 } });
      expect(byGroup[groups.both]?.severities.critical).toMatchObject({ mail: { accepted: 2, failed: 0 } });
      expect(byGroup[groups.two]?.severities.high).toMatchObject({ mail: { accepted: 1, failed: 0 } });
      expect(byGroup[groups.two]?.severities.critical).toMatchObject({ mail: { accepted: 1, failed: 0 } });
      expect(byGroup[groups.one]?.severities.high).toMatchObject({ mail: { accepted: 1, failed: 0 } });
    });

    // Every report once: 3 + 2 for the `both` group (summary and one extra per IP), one summary
    // for every other severity with events.
    const reports = await db.pool.query<{
      group_name: string;
      severity: string;
      type: string;
      ip: string | null;
    }>('SELECT group_name, severity, type, host(ip) AS ip FROM reports ORDER BY 1, 2, 3, 4');
    expect(reports.rows).toEqual([
      { group_name: groups.both, severity: 'critical', type: 'extra', ip: '10.71.0.3' },
      { group_name: groups.both, severity: 'critical', type: 'summary', ip: null },
      { group_name: groups.both, severity: 'high', type: 'extra', ip: '10.71.0.1' },
      { group_name: groups.both, severity: 'high', type: 'extra', ip: '10.71.0.2' },
      { group_name: groups.both, severity: 'high', type: 'summary', ip: null },
      { group_name: groups.one, severity: 'high', type: 'summary', ip: null },
      { group_name: groups.two, severity: 'critical', type: 'summary', ip: null },
      { group_name: groups.two, severity: 'high', type: 'summary', ip: null },
    ]);
    // Every mail once, each the outbox row of one report, all accepted.
    const outbox = await db.pool.query<{ message_id: string; status: string }>(
      'SELECT message_id, status FROM report_outbox',
    );
    expect(outbox.rows).toHaveLength(8);
    expect(outbox.rows.every((r) => r.status === 'accepted')).toBe(true);
    const received = (await mail.messages()).map((m) => m.messageId).sort();
    expect(received).toEqual(outbox.rows.map((r) => r.message_id).sort());
    // One ledger row per severity run.
    const ledger = await db.pool.query<{ group_name: string; severity: string; result: string }>(
      'SELECT group_name, severity, result FROM report_runs ORDER BY 1, 2',
    );
    expect(ledger.rows).toEqual([
      { group_name: groups.both, severity: 'critical', result: 'reported' },
      { group_name: groups.both, severity: 'high', result: 'reported' },
      { group_name: groups.one, severity: 'high', result: 'reported' },
      { group_name: groups.two, severity: 'critical', result: 'reported' },
      { group_name: groups.two, severity: 'high', result: 'reported' },
    ]);
    // The proxy carried the worker's connections: the outage was in their path.
    expect(proxy.accepted()).toBeGreaterThan(0);
  }, 300_000);
});

describe('Temporal unreachable for 30 s from the CLI', () => {
  const suffix = randomUUID().slice(0, 6);
  const group = `tmo-${suffix}`;
  const taskQueue = randomTaskQueue('temporal-outage');
  const timeHigh = alignedPast();
  let db: TestDatabase;
  let proxy: TcpProxy;
  let mail: MailCatcher;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let worker: WorkerProcess;
  let client: Client;
  let closeClient: () => Promise<void>;

  beforeAll(async () => {
    [db, mail] = await Promise.all([freshDatabase(), startMailCatcher({ smtpPort: 0 })]);
    const [host, port] = inject('temporalAddress').split(':');
    proxy = await startTcpProxy({ host: host!, port: Number(port) });
    home = mkdtempSync(path.join(tmpdir(), 'herald-temporal-outage-'));
    // The CLI and the worker process both reach Temporal through the proxy; the test's own client
    // goes to the server directly, to see what was (not) created.
    env = { ...cliEnv(db.url, taskQueue, home), TEMPORAL_ADDRESS: proxy.address };
    ({ client, close: closeClient } = await testClient());
    worker = startWorkerProcess({
      home,
      temporalAddress: proxy.address,
      namespace: fileNamespace(),
      databaseUrl: db.url,
      smtpUrl: mail.smtpUrl,
      taskQueue,
    });
    await seedCatalog(db.pool, {
      groups: [{ name: group, networks: [{ network: '10.81.0.0/16' }], emails: { high: ['soc@tmo.test'] } }],
    });
    await storeEvents(
      db.pool,
      [{ group, severity: 'high', ip: '10.81.0.1' }],
      new Date(timeHigh.getTime() - 5 * 60_000),
    );
    await until(
      'the worker process polling through the proxy',
      async () => {
        const d = await client.workflowService.describeTaskQueue({
          namespace: fileNamespace(),
          taskQueue: { name: taskQueue, kind: 1 /* TASK_QUEUE_KIND_NORMAL */ },
        });
        return (d.pollers?.length ?? 0) > 0 ? true : undefined;
      },
      POLL,
    );
  }, 120_000);

  afterAll(async () => {
    await worker?.stop('SIGTERM');
    await client?.schedule
      .getHandle(`report:${group}`)
      .delete()
      .catch(() => {});
    await closeClient?.();
    await proxy?.close();
    await mail?.close();
    await db?.drop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  const lastLine = (r: CliResult) => r.stderr.trim().split('\n').at(-1) ?? '';
  const runArgs = (severity = 'high') => [
    'run',
    '--group',
    group,
    '--severity',
    severity,
    '--time-high',
    timeHigh.toISOString(),
    '--wait',
    '--json',
  ];

  it('fails each command in one line with exit 1, leaves nothing behind, and succeeds once it is back', async () => {
    await proxy.cut();
    const cutAt = Date.now();
    const down = {
      run: await herald(runArgs(), env),
      sync: await herald(['schedules', 'sync', '--json'], env),
      list: await herald(['schedules', 'list', '--json'], env),
      force: await herald(
        [
          'force',
          '--group',
          group,
          '--mode',
          'none',
          '--until',
          new Date(Date.now() + 3_600_000).toISOString(),
        ],
        env,
      ),
      runs: await herald(['runs', 'list', '--group', group, '--json'], env),
      status: await herald(['status', '--json'], env),
    };
    const address = proxy.address.replace(/\./g, '\\.');
    for (const [name, r] of Object.entries(down)) {
      if (name === 'status') continue;
      expect(r.code, `${name}: ${r.stderr}`).toBe(1);
      expect(r.stdout, name).toBe('');
      expect(r.stderr, name).not.toMatch(/\n\s+at /);
      expect(r.stderr.trim().split('\n'), name).toHaveLength(1);
      expect(lastLine(r), name).toMatch(
        new RegExp(
          `^herald: cannot reach the Temporal server at ${address} \\(.+\\); is it running\\? \\(herald dev up\\)$`,
        ),
      );
    }
    expect(down.status.code).toBe(1);
    expect(JSON.parse(down.status.stdout)).toMatchObject({
      temporal: { reachable: false },
      postgres: { reachable: true },
    });

    // Ingest needs PostgreSQL only: it goes on while Temporal is away.
    const events = path.join(home, 'events.ndjson');
    writeFileSync(
      events,
      `${JSON.stringify(ideaEvent({ group, severity: 'high', ip: '10.81.0.9' }, new Date()))}\n`,
    );
    const ingest = await herald(['events', 'ingest', events, '--json'], env);
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(JSON.parse(ingest.stdout)).toMatchObject({ accepted: 1, rejected: 0 });

    // Nothing half done: no ledger row, no schedule, no workflow of the group.
    expect((await db.pool.query('SELECT count(*)::int AS n FROM report_runs')).rows[0].n).toBe(0);
    await expect(client.schedule.getHandle(`report:${group}`).describe()).rejects.toThrow(/not found/i);
    const started: string[] = [];
    for await (const w of client.workflow.list({ query: `WorkflowId STARTS_WITH 'report:${group}:'` }))
      started.push(w.workflowId);
    expect(started).toEqual([]);
    expect(await mail.messages()).toHaveLength(0);

    // The rest of the 30 s; the worker process lives through it.
    await sleep(Math.max(0, cutAt + OUTAGE_MS - Date.now()));
    expect(worker.child.exitCode, worker.output()).toBeNull();
    await proxy.restore();

    const sync = await herald(['schedules', 'sync', '--json'], env);
    expect(sync.code, sync.stderr).toBe(0);
    expect(JSON.parse(sync.stdout).changes).toEqual([{ group, action: 'created', interval: 600 }]);
    // The schedule only shows that `schedules sync` works again: its next 10-minute tick would run
    // the group for a later window, and the ad-hoc runs of this window below would be
    // `skipped-too-soon` (a boundary between the sync and the last run failed this file once).
    await client.schedule.getHandle(`report:${group}`).delete();
    const run = await herald(runArgs(), env);
    expect(run.code, run.stderr).toBe(0);
    const [result] = JSON.parse(run.stdout).runs;
    expect(result.group).toBe(group);
    expect(result.severities.high).toMatchObject({ result: 'reported' });
    const status = await herald(['status', '--json'], env);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ temporal: { reachable: true } });
    expect((await db.pool.query('SELECT count(*)::int AS n FROM report_runs')).rows[0].n).toBe(1);
    const mails = await mail.messages();
    expect(mails.map((m) => m.envelopeTo)).toEqual([['soc@tmo.test']]);
    expect(worker.child.exitCode, worker.output()).toBeNull();
  }, 240_000);

  it('a server that accepts connections and never answers: the same one line, no hang', async () => {
    proxy.blackhole();
    const silent = await Promise.all([
      herald(runArgs(), env),
      herald(['schedules', 'sync', '--json'], env),
      herald(['status', '--json'], env),
    ]);
    const status = silent.pop()!;
    for (const r of silent) {
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(lastLine(r)).toMatch(
        /^herald: cannot reach the Temporal server at .+; is it running\? \(herald dev up\)$/,
      );
    }
    expect(status.code).toBe(1);
    expect(JSON.parse(status.stdout)).toMatchObject({ temporal: { reachable: false } });
    expect((await db.pool.query('SELECT count(*)::int AS n FROM report_runs')).rows[0].n).toBe(1);
    await proxy.restore();
    // The worker process reconnects: a run of another severity completes.
    const again = await herald(runArgs('critical'), env);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).runs[0].severities.critical).toMatchObject({
      result: 'skipped-no-events',
    });
    expect(worker.child.exitCode, worker.output()).toBeNull();
  }, 180_000);
});
