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
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString()).slice(-20_000);
    });
    const sample = () => {
      const now = child.pid ? vmHwmMiB(child.pid) : null;
      if (now !== null) peak = Math.max(peak ?? 0, now);
    };
    const timer = setInterval(sample, 100);
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
      });
    });
  });
}
