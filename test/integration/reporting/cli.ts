// The CLI as a child process against the test run's Temporal server and a test database.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { inject } from 'vitest';
import { repoRoot } from '../../../config/paths';
import '../../support/provided';
import { fileNamespace } from '../../support/namespace';

export function cliEnv(dbUrl: string, taskQueue: string, home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: fileNamespace(),
    HERALD_DATABASE_URL: dbUrl,
    HERALD_TASK_QUEUE: taskQueue,
    HERALD_HOME: home,
    HERALD_METRICS_PORT: '0',
    NO_COLOR: '1',
  };
}

/** Runs `bin/herald args...` as a child process. */
export function herald(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
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
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
