// A `bin/herald worker` child process with a test's environment, for tests that kill (SIGKILL) and
// restart it or check what the real process does. Its output is kept (bounded) for failure messages.
import { type ChildProcess, spawn } from 'node:child_process';
import { inject } from 'vitest';
import { heraldBin, isolatedEnv } from './cli';
import './provided';

export interface WorkerEnv {
  home: string;
  temporalAddress: string;
  namespace: string;
  databaseUrl: string;
  smtpUrl: string;
  taskQueue: string;
  /** More variables (HERALD_MAIL_RATE_PER_SECOND, HERALD_LOG_LEVEL, ...). */
  extra?: NodeJS.ProcessEnv;
}

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves when the process has exited, with its exit code or signal. */
  exited: Promise<string>;
  /** Sends `signal` and resolves when the process has exited. */
  stop(signal: NodeJS.Signals): Promise<void>;
}

const OUTPUT_LIMIT = 20_000;

// A test that times out never reaches its clean-up: the workers still running die with the test
// process instead of outliving it.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function startWorkerProcess(env: WorkerEnv): WorkerProcess {
  const child = spawn(process.execPath, [heraldBin, 'worker'], {
    env: isolatedEnv({
      HERALD_HOME: env.home,
      TEMPORAL_ADDRESS: env.temporalAddress,
      TEMPORAL_NAMESPACE: env.namespace,
      HERALD_DATABASE_URL: env.databaseUrl,
      HERALD_SMTP_URL: env.smtpUrl,
      HERALD_MAIL_FROM: 'herald@csirt.test',
      HERALD_MAIL_DOMAIN: 'csirt.test',
      HERALD_TASK_QUEUE: env.taskQueue,
      HERALD_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      HERALD_LOG_LEVEL: 'warn',
      HERALD_METRICS_PORT: '0',
      ...env.extra,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  running.add(child);
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve(signal ?? `exit code ${code}`);
    }),
  );
  return {
    child,
    output: () => output,
    exited,
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
