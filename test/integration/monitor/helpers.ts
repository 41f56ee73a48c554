// Shared by the monitor integration tests: a worker with real activities (PostgreSQL, SMTP), the
// expected transitions computed independently (the seed's loop), and the CLI as a child process.
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import nodemailer from 'nodemailer';
import pino from 'pino';
import { inject } from 'vitest';
import { createActivities } from '../../../activities';
import { repoRoot } from '../../../config/paths';
import type { MonitorStatus } from '../../../domain/access-log/status-view';
import { monitorWorkflowId, statusQuery } from '../../../workflows/access-log-messages';
import type { TestDatabase } from '../../support/database';
import '../../support/provided';
import { fileNamespace } from '../../support/namespace';

export function monitorActivities(db: TestDatabase, smtpUrl: string) {
  return createActivities({
    pool: db.pool,
    logger: pino({ level: 'silent' }),
    mail: {
      transport: nodemailer.createTransport(smtpUrl),
      from: 'herald@test.example',
      domain: 'test.example',
    },
  });
}

/** The seed's _monitor_bg_process loop over per-bucket hits (true division, as in the contract). */
export function seedTransitions(
  perBucket: number[],
  start: number,
  refresh = 10,
  windowSize = 12,
  threshold = 10,
) {
  const window: number[] = [];
  let windowHits = 0;
  let sum = 0;
  let nums = 0;
  let triggered = false;
  const out: { state: 'alert' | 'recovered'; at: string; hits: number; average: number }[] = [];
  perBucket.forEach((total, tick) => {
    if (window.length < windowSize) {
      window.push(total);
      windowHits += total;
      return;
    }
    if (nums === 0) {
      sum = windowHits;
      nums = 1;
    }
    windowHits += total - window.shift()!;
    window.push(total);
    const average = sum / nums;
    const at = new Date((start + (tick + 1) * refresh) * 1000).toISOString();
    if (triggered && windowHits <= average + threshold) {
      triggered = false;
      out.push({ state: 'recovered', at, hits: windowHits, average });
    } else if (!triggered && windowHits > average + threshold) {
      triggered = true;
      out.push({ state: 'alert', at, hits: windowHits, average });
    }
    sum += windowHits;
    nums += 1;
  });
  return out;
}

export const monitorStatus = (client: Client, source: string): Promise<MonitorStatus> =>
  client.workflow.getHandle(monitorWorkflowId(source)).query(statusQuery);

export function cliEnv(db: TestDatabase, taskQueue: string, home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: fileNamespace(),
    HERALD_DATABASE_URL: db.url,
    HERALD_TASK_QUEUE: taskQueue,
    HERALD_HOME: home,
    HERALD_METRICS_PORT: '0',
    NO_COLOR: '1',
  };
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `bin/herald args...`; `onStderr` may kill the child (SIGKILL) mid-run. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  onStderr?: (text: string, kill: () => void) => void,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'herald'), ...args], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      onStderr?.(stderr, () => child.kill('SIGKILL'));
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
