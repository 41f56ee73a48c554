// `herald status` shows every worker process by its heartbeat: two `herald worker` processes on one
// task queue, one of them frozen with SIGSTOP: it is flagged unresponsive within 30 s of the
// signal while the other stays running; a worker stopped with SIGTERM is shown as stopped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { WorkerRow } from '../../../db/operations/worker-heartbeats';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { isolatedEnv, runCli } from '../../support/cli';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { fileNamespace } from '../../support/namespace';
import { randomTaskQueue } from '../../support/temporal';
import { until } from '../../support/until';
import { startWorkerProcess, type WorkerProcess } from '../../support/worker-process';

let db: TestDatabase;
let mail: MailCatcher;
let home: string;
let env: NodeJS.ProcessEnv;
const taskQueue = randomTaskQueue('status');
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  [db, mail] = await Promise.all([freshDatabase(), startMailCatcher({ smtpPort: 0 })]);
  home = mkdtempSync(path.join(tmpdir(), 'herald-status-'));
  env = isolatedEnv({
    HERALD_HOME: home,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: fileNamespace(),
    HERALD_DATABASE_URL: db.url,
    HERALD_TASK_QUEUE: taskQueue,
  });
});

afterAll(async () => {
  for (const w of workers) w.child.kill('SIGCONT');
  await Promise.all(workers.map((w) => w.stop('SIGKILL')));
  await mail?.close();
  await db?.drop();
  rmSync(home, { recursive: true, force: true });
});

async function statusWorkers(): Promise<WorkerRow[]> {
  const r = await runCli(['status', '--json'], env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).workers;
}

const identityOf = (w: WorkerProcess) => `${w.child.pid}@`;

describe('herald status: one row per worker', () => {
  it('flags a worker stopped with SIGSTOP as unresponsive within 30 s, not the other one', async () => {
    const [frozen, alive] = [0, 1].map(() => {
      const w = startWorkerProcess({
        home,
        temporalAddress: inject('temporalAddress'),
        namespace: fileNamespace(),
        databaseUrl: db.url,
        smtpUrl: mail.smtpUrl,
        taskQueue,
      });
      workers.push(w);
      return w;
    }) as [WorkerProcess, WorkerProcess];

    const both = await until(
      'two running workers in status',
      async () => {
        const rows = await statusWorkers();
        return rows.filter((r) => r.state === 'running').length === 2 ? rows : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    for (const w of [frozen, alive]) {
      const row = both.find((r) => r.identity.startsWith(identityOf(w)));
      expect(row).toMatchObject({
        state: 'running',
        taskQueues: [taskQueue, `${taskQueue}-mail`],
        activitiesRunning: 0,
        memoryLimitBytes: 2048 * 1024 * 1024,
      });
      expect(row!.version).toMatch(/^herald \d+\.\d+\.\d+ \(node v\d+/);
      expect(row!.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    }

    frozen.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    let call = { start: 0, end: 0 };
    const flagged = await until(
      'the frozen worker flagged unresponsive',
      async () => {
        const start = Date.now();
        const rows = await statusWorkers();
        call = { start, end: Date.now() };
        const row = rows.find((r) => r.identity.startsWith(identityOf(frozen)));
        return row?.state === 'unresponsive' ? rows : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1_000 },
    );
    const frozenRow = flagged.find((r) => r.identity.startsWith(identityOf(frozen)))!;
    // Its last heartbeat came before the signal, and it is flagged once that is 30 s old: within
    // 30 s of the signal. The call before this one still saw it running, so this one's query ran
    // at most two calls and the pause between them after the 30 s.
    expect(Date.parse(frozenRow.heartbeatAt)).toBeLessThanOrEqual(stoppedAt);
    expect(frozenRow.silentSeconds).toBeGreaterThan(30);
    expect(frozenRow.silentSeconds).toBeLessThan(30 + (2 * (call.end - call.start)) / 1000 + 1);
    const aliveRow = flagged.find((r) => r.identity.startsWith(identityOf(alive)))!;
    expect(aliveRow.state).toBe('running');
    expect(aliveRow.silentSeconds).toBeLessThan(30);
    const seconds = (call.end - stoppedAt) / 1000;

    const text = await runCli(['status'], env);
    const line = (w: WorkerProcess) => text.stdout.split('\n').find((l) => l.includes(identityOf(w))) ?? '';
    expect(line(frozen)).toMatch(/\bunresponsive\b/);
    expect(line(alive)).toMatch(/\brunning\b/);

    frozen.child.kill('SIGCONT');
    await alive.stop('SIGTERM');
    const after = await statusWorkers();
    expect(after.find((r) => r.identity.startsWith(identityOf(alive)))?.state).toBe('stopped');
    console.log(
      `worker-status: last heartbeat ${((stoppedAt - Date.parse(frozenRow.heartbeatAt)) / 1000).toFixed(1)} s before SIGSTOP; ` +
        `flagged at ${frozenRow.silentSeconds} s of silence, seen by a status call ending ${seconds.toFixed(1)} s after the signal ` +
        `(one status call: ${((call.end - call.start) / 1000).toFixed(1)} s)`,
    );
  }, 150_000);
});
