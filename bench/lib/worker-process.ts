// The herald worker as its own process (`bin/herald worker`, as deployed), so its peak RSS is
// the worker's alone: read from /proc/<pid>/status (VmHWM) when it stops.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../../config/paths';
import { WORKER_NODE_OPTIONS } from '../../worker/node-options';
import { vmHwmMiB } from './measured-process';

export interface WorkerSettings {
  temporalAddress: string;
  databaseUrl: string;
  smtpUrl: string;
  taskQueue: string;
  bundlePath: string;
  home: string;
}

export interface WorkerProcess {
  pid: number;
  /** Peak resident set so far (VmHWM), MiB. */
  peakRssMiB(): number | null;
  /** Stops the worker; returns its peak RSS in MiB. */
  stop(): Promise<number | null>;
}

export async function startWorker(settings: WorkerSettings): Promise<WorkerProcess> {
  const child: ChildProcess = spawn(process.execPath, [path.join(repoRoot, 'bin', 'herald'), 'worker'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      HERALD_HOME: settings.home,
      TEMPORAL_ADDRESS: settings.temporalAddress,
      TEMPORAL_NAMESPACE: 'default',
      HERALD_DATABASE_URL: settings.databaseUrl,
      HERALD_SMTP_URL: settings.smtpUrl,
      HERALD_TASK_QUEUE: settings.taskQueue,
      HERALD_WORKFLOW_BUNDLE: settings.bundlePath,
      HERALD_METRICS_PORT: '0',
      HERALD_LOG_LEVEL: 'info',
      // As deployed (Dockerfile, docker-compose.yml): React renders with its production build,
      // and V8's heap is capped as in production (worker/node-options.ts).
      NODE_ENV: 'production',
      NODE_OPTIONS: [process.env.NODE_OPTIONS, WORKER_NODE_OPTIONS].filter(Boolean).join(' '),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start in 120 s:\n${output}`)), 120_000);
    const check = () => {
      if (output.includes('herald worker started')) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code}) before it started:\n${output}`));
    });
  });
  child.removeAllListeners('exit');
  const pid = child.pid!;
  return {
    pid,
    peakRssMiB: () => vmHwmMiB(pid),
    async stop() {
      const peak = vmHwmMiB(pid);
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
      return peak;
    },
  };
}
