// A Temporal server herald did not set up (a dev server started without herald's search
// attributes): the worker and the commands that start workflows stop at once with one line naming
// what is missing and the fix, and status says so too; `herald temporal setup` registers them (a
// second time: nothing to do); then the worker runs and a reporting run completes.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { freePort, waitForPort } from '../../../scripts/dev/processes';
import { ensureTemporalCli } from '../../../scripts/dev/temporal-cli';
import { devServerArgs } from '../../../scripts/dev/temporal-server';
import { isolatedEnv, runCli } from '../../support/cli';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { randomTaskQueue } from '../../support/temporal';
import { startWorkerProcess, type WorkerProcess } from '../../support/worker-process';
import { alignedPast, seedCatalog, storeEvents } from '../reporting/support';

const NAMES = ['HeraldGroup', 'HeraldSeverity', 'HeraldRunKind', 'HeraldMonitorSource', 'HeraldAlertState'];
const MISSING_LINE =
  "herald: namespace default lacks herald's search attributes HeraldGroup, HeraldSeverity, HeraldRunKind, HeraldMonitorSource, HeraldAlertState; run `herald temporal setup` (it registers them, or prints the `temporal operator search-attribute` commands to run)";

let server: ChildProcess;
let address: string;
let db: TestDatabase;
let mail: MailCatcher;
let home: string;
let env: NodeJS.ProcessEnv;
const taskQueue = randomTaskQueue('setup');
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  const cli = await ensureTemporalCli();
  const port = await freePort();
  server = spawn(cli, devServerArgs({ port, namespace: 'default', searchAttributes: false }), {
    stdio: 'ignore',
  });
  address = `127.0.0.1:${port}`;
  [db, mail] = await Promise.all([
    freshDatabase(),
    startMailCatcher({ smtpPort: 0 }),
    waitForPort(port, 'Temporal dev server', 120_000),
  ]);
  home = mkdtempSync(path.join(tmpdir(), 'herald-setup-'));
  env = isolatedEnv({
    HERALD_HOME: home,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: 'default',
    HERALD_DATABASE_URL: db.url,
    HERALD_TASK_QUEUE: taskQueue,
  });
  await seedCatalog(db.pool, {
    groups: [
      { name: 'acme', networks: [{ network: '192.0.2.0/24' }], emails: { high: ['abuse@acme.test'] } },
    ],
  });
}, 180_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop('SIGTERM')));
  server?.kill('SIGTERM');
  if (server?.exitCode === null) await new Promise((resolve) => server.once('exit', resolve));
  await mail?.close();
  await db?.drop();
  rmSync(home, { recursive: true, force: true });
}, 60_000);

function worker(): WorkerProcess {
  const w = startWorkerProcess({
    home,
    temporalAddress: address,
    namespace: 'default',
    databaseUrl: db.url,
    smtpUrl: mail.smtpUrl,
    taskQueue,
  });
  workers.push(w);
  return w;
}

describe('a namespace without herald search attributes', () => {
  it('the worker exits 1 before polling, with one line naming them and the fix', async () => {
    const w = worker();
    expect(await w.exited).toBe('exit code 1');
    expect(w.output().trim().split('\n').at(-1)).toBe(MISSING_LINE);
  }, 120_000);

  it('the commands that start workflows say the same and start nothing', async () => {
    for (const args of [
      ['run', '--group', 'acme', '--wait'],
      ['schedules', 'sync'],
      ['monitor', 'tail', path.join(home, 'no-log-needed.log'), '--source', 'web1'],
    ]) {
      const r = await runCli(args, env);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.trim(), args.join(' ')).toBe(MISSING_LINE);
    }
    const listed = await runCli(['runs', 'list', '--json'], env);
    expect(JSON.parse(listed.stdout).runs).toEqual([]);
    // status still shows what it can, says what is missing, and exits 1.
    const status = await runCli(['status', '--json'], env);
    expect(status.code).toBe(1);
    expect(JSON.parse(status.stdout).temporal).toMatchObject({
      reachable: true,
      missingSearchAttributes: NAMES,
      error: MISSING_LINE.replace(/^herald: /, ''),
    });
  }, 300_000);

  it('herald temporal setup registers them; run again it has nothing to do', async () => {
    const first = await runCli(['temporal', 'setup', '--json'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({
      namespace: 'default',
      registered: NAMES,
      present: [],
      wrongType: [],
    });
    const second = await runCli(['temporal', 'setup', '--json'], env);
    expect(JSON.parse(second.stdout)).toEqual({
      namespace: 'default',
      registered: [],
      present: NAMES,
      wrongType: [],
    });
    const text = await runCli(['temporal', 'setup'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(
      `namespace default: nothing to do, herald's search attributes are registered (${NAMES.join(', ')})\n`,
    );
  }, 300_000);

  it('then the worker runs and a reporting run completes', async () => {
    const timeHigh = alignedPast(0);
    await storeEvents(
      db.pool,
      [{ group: 'acme', severity: 'high', ip: '192.0.2.10' }],
      new Date(timeHigh.getTime() - 60_000),
    );
    const w = worker();
    const run = await runCli(
      [
        'run',
        '--group',
        'acme',
        '--severity',
        'high',
        '--time-high',
        timeHigh.toISOString(),
        '--wait',
        '--json',
      ],
      { ...env, HERALD_WORKFLOW_BUNDLE: inject('workflowBundlePath') },
    );
    expect(run.code, `${run.stderr}\n${w.output()}`).toBe(0);
    expect(JSON.parse(run.stdout).runs[0].severities.high).toMatchObject({ result: 'reported' });
    expect((await mail.messages()).map((m) => m.to)).toEqual([['abuse@acme.test']]);
    expect(w.child.exitCode).toBeNull();
  }, 300_000);
});
