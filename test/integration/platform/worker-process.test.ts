import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { freePort } from '../../../scripts/dev/processes';
import { heraldBin, isolatedEnv } from '../../support/cli';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { fileNamespace } from '../../support/namespace';
import { randomTaskQueue, testClient } from '../../support/temporal';

let db: TestDatabase;
let mail: MailCatcher;

beforeAll(async () => {
  [db, mail] = await Promise.all([freshDatabase(), startMailCatcher({ smtpPort: 0 })]);
});
afterAll(async () => {
  await Promise.all([db.drop(), mail.close()]);
});

describe('the worker process', () => {
  it('polls its task queue, serves Prometheus metrics, and stops cleanly on SIGTERM', async () => {
    const taskQueue = randomTaskQueue('worker');
    const metricsPort = await freePort();
    const child = spawn(process.execPath, [heraldBin, 'worker'], {
      env: isolatedEnv({
        HERALD_HOME: mkdtempSync(path.join(tmpdir(), 'herald-worker-')),
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_NAMESPACE: fileNamespace(),
        HERALD_DATABASE_URL: db.url,
        HERALD_SMTP_URL: mail.smtpUrl,
        HERALD_TASK_QUEUE: taskQueue,
        HERALD_METRICS_PORT: String(metricsPort),
        HERALD_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // A failed assertion must not leave a worker polling behind the test run.
    onTestFinished(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });

    const deadline = Date.now() + 60_000;
    while (!output.includes('herald worker started') && Date.now() < deadline) await sleep(100);
    expect(output).toContain('herald worker started');
    // Logs are structured JSON lines (pino).
    const started = output.split('\n').find((line) => line.includes('herald worker started'))!;
    expect(JSON.parse(started)).toMatchObject({ taskQueue, msg: 'herald worker started' });

    const { client, close } = await testClient();
    try {
      let pollers = 0;
      while (pollers === 0 && Date.now() < deadline) {
        const description = await client.workflowService.describeTaskQueue({
          namespace: fileNamespace(),
          taskQueue: { name: taskQueue, kind: 1 /* TASK_QUEUE_KIND_NORMAL */ },
        });
        pollers = description.pollers?.length ?? 0;
        if (pollers === 0) await sleep(200);
      }
      expect(pollers).toBeGreaterThan(0);
    } finally {
      await close();
    }

    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/temporal_/);
    expect(metrics).toMatch(/^herald_worker_rss_bytes\S* \d+/m);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('herald worker stopped');
  });
});

describe('the worker memory limit', () => {
  it('shuts the worker down gracefully and exits 3 when its memory passes HERALD_WORKER_MEMORY_LIMIT_MB', async () => {
    const child = spawn(process.execPath, [heraldBin, 'worker'], {
      env: isolatedEnv({
        HERALD_HOME: mkdtempSync(path.join(tmpdir(), 'herald-worker-')),
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        HERALD_DATABASE_URL: db.url,
        HERALD_SMTP_URL: mail.smtpUrl,
        HERALD_TASK_QUEUE: randomTaskQueue('worker-memory'),
        HERALD_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
        // Any Node process with the SDK loaded is above 16 MiB: the first check trips it.
        HERALD_WORKER_MEMORY_LIMIT_MB: '16',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    onTestFinished(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(3);
    const lines = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    const exceeded = lines.find((l) => l.msg?.startsWith('worker memory limit exceeded'));
    expect(exceeded).toMatchObject({ limitBytes: 16 * 1024 * 1024 });
    expect(exceeded.rssBytes).toBeGreaterThan(16 * 1024 * 1024);
    expect(lines.find((l) => l.msg === 'herald worker stopped')).toMatchObject({ exitCode: 3 });
  });
});
