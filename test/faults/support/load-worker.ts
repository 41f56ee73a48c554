// The load test's worker: `bin/herald worker` as deployed, in its own process, its resident
// memory sampled from /proc/<pid>/status (VmRSS now, VmHWM the kernel's peak) while it works,
// and the heap figures of its own "worker memory" log lines (once a minute) kept for the report.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { WORKER_NODE_OPTIONS } from '../../../worker/node-options';
import { startWorkerProcess, type WorkerEnv } from '../../support/worker-process';

export interface LoadWorkerEnv extends WorkerEnv {
  bundlePath: string;
  /** HERALD_WORKER_MEMORY_LIMIT_MB: past it the worker stops itself (exit 3). */
  memoryLimitMiB: number;
}

export interface MemorySample {
  at: number;
  rssMiB: number;
  hwmMiB: number;
}

export interface LoadWorker {
  pid: number;
  child: ChildProcess;
  samples: MemorySample[];
  /** Largest VmHWM seen (the kernel's own peak of the resident set), MiB. */
  peakMiB(): number;
  /** Largest heapUsed the worker logged, MiB (null before its first memory line). */
  peakHeapUsedMiB(): number | null;
  /** The worker's "worker memory" lines as MiB figures (rss, heap used and reserved, external). */
  memoryLines(): string[];
  output(): string;
  /** The worker's warning and error log lines (the first 100). */
  warnings(): string[];
  /** SIGTERM (graceful), SIGKILL after 30 s; resolves with the exit code. */
  stop(): Promise<number | null>;
}

const SAMPLE_MS = 250;

function readMemory(pid: number): { rssMiB: number; hwmMiB: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) =>
      Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
    const rss = kb('VmRSS');
    const hwm = kb('VmHWM');
    return Number.isFinite(rss) && Number.isFinite(hwm) ? { rssMiB: rss / 1024, hwmMiB: hwm / 1024 } : null;
  } catch {
    return null; // exited
  }
}

/** Starts the worker and resolves once it polls (its "herald worker started" line). */
export async function startLoadWorker(env: LoadWorkerEnv): Promise<LoadWorker> {
  const worker = startWorkerProcess({
    ...env,
    extra: {
      HERALD_WORKFLOW_BUNDLE: env.bundlePath,
      HERALD_WORKER_MEMORY_LIMIT_MB: String(env.memoryLimitMiB),
      // info: the start line and the worker's memory lines; activities log little at info.
      HERALD_LOG_LEVEL: 'info',
      // As deployed (Dockerfile, docker-compose.yml; worker/node-options.ts).
      NODE_ENV: 'production',
      NODE_OPTIONS: WORKER_NODE_OPTIONS,
    },
  });
  const { child } = worker;
  const pid = child.pid!;
  let pending = '';
  let heapUsedMiB: number | null = null;
  const memoryLines: string[] = [];
  let started = false;
  const warnings: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.includes('"herald worker started"')) started = true;
      const heap = /"heapUsedBytes":(\d+)/.exec(line);
      if (heap) heapUsedMiB = Math.max(heapUsedMiB ?? 0, Number(heap[1]) / 2 ** 20);
      if (line.includes('"worker memory"') && memoryLines.length < 200)
        memoryLines.push(
          [...line.matchAll(/"(\w+)Bytes":(\d+)/g)]
            .map(([, name, bytes]) => `${name} ${(Number(bytes) / 2 ** 20).toFixed(0)}`)
            .join(', '),
        );
      if (/"level":[4-6]\d/.test(line) && warnings.length < 100) warnings.push(line.slice(0, 2000));
    }
  });
  const exited = worker.exited.then(() => child.exitCode);

  const samples: MemorySample[] = [];
  const sample = () => {
    const memory = readMemory(pid);
    if (memory) samples.push({ at: Date.now(), ...memory });
  };
  const timer = setInterval(sample, SAMPLE_MS);
  exited.then(() => clearInterval(timer));

  const deadline = Date.now() + 120_000;
  while (!started) {
    if (child.exitCode !== null)
      throw new Error(`worker exited (${child.exitCode}) before it started:\n${worker.output()}`);
    if (Date.now() > deadline) throw new Error(`worker did not start in 120 s:\n${worker.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    pid,
    child,
    samples,
    peakMiB: () => Math.max(0, ...samples.map((s) => s.hwmMiB)),
    peakHeapUsedMiB: () => heapUsedMiB,
    memoryLines: () => memoryLines,
    output: worker.output,
    warnings: () => warnings,
    async stop() {
      sample();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
        const code = await exited;
        clearTimeout(kill);
        return code;
      }
      return exited;
    },
  };
}
