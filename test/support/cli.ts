// Runs bin/herald as a user would, in a child process with a controlled environment.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../../config/paths';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const heraldBin = path.join(repoRoot, 'bin', 'herald');

/** A clean environment: nothing of the developer's shell or local stack leaks into the test. */
export function isolatedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = [
    'PATH',
    'HOME',
    'TMPDIR',
    'LANG',
    'TERM',
    'GOPATH',
    'GOCACHE',
    'GOMODCACHE',
    'TEMPORAL_CLI_PATH',
    'HERALD_CACHE_DIR',
  ];
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1', HERALD_METRICS_PORT: '0' };
  for (const key of keep) if (process.env[key] !== undefined) env[key] = process.env[key];
  return { ...env, ...extra };
}

export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  input?: string,
  timeoutMs = 120_000,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [heraldBin, ...args], {
      cwd: repoRoot,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}
