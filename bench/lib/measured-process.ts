// Runs a command as a whole process and times it; its peak RSS is sampled from /proc (VmHWM
// only grows, so the last sample before exit is within one interval of the true peak).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  peakRssMiB: number | null;
  /** User + system CPU seconds, sampled from /proc every 100 ms (the last ≤ 100 ms may be missing). */
  cpuSeconds: number | null;
}

/** utime + stime of a live process from /proc/<pid>/stat, seconds (clock ticks of 1/100 s). */
function cpuSecondsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

export function vmHwmMiB(pid: number): number | null {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : null;
  } catch {
    return null;
  }
}

export function runMeasured(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const began = process.hrtime.bigint();
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let peak: number | null = null;
    let cpu: number | null = null;
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString()).slice(-20_000);
    });
    const sample = () => {
      const now = child.pid ? vmHwmMiB(child.pid) : null;
      if (now !== null) peak = Math.max(peak ?? 0, now);
      const used = child.pid ? cpuSecondsOf(child.pid) : null;
      if (used !== null) cpu = used;
    };
    const timer = setInterval(sample, 100);
    // The exit event comes after /proc is gone: sample once more on the way out when possible.
    child.stdout.on('end', sample);
    child.on('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    child.on('exit', (code) => {
      clearInterval(timer);
      resolve({
        code,
        stdout,
        stderr,
        seconds: Number(process.hrtime.bigint() - began) / 1e9,
        peakRssMiB: peak,
        cpuSeconds: cpu,
      });
    });
  });
}
