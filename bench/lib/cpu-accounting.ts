// Where a figure's CPU went: every process's user + system time from /proc/<pid>/stat, sampled
// while the figure runs (a process that exits keeps its last sample) and summed by role. On a
// machine where the worker, PostgreSQL, the Temporal server and the mail sink share the cores,
// this says whether a figure is bound by CPU and by whose.
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export interface CpuAccount {
  /** CPU seconds per role over the measured span. */
  seconds: Record<string, number>;
  /** Share of all cores busy over the span (the whole machine, /proc/stat), 0–1. */
  machineBusy: number;
  cores: number;
}

/** Which role a process plays, from its pid, command line, name and parent pid. */
export type Classify = (pid: number, command: string, name: string, ppid: number) => string;

/** The fields of /proc/<pid>/stat after the command name (state first, then ppid, …). */
const statFields = (stat: string) => stat.slice(stat.lastIndexOf(')') + 2).split(' ');

/** The parent pid of a process on this machine, or null (gone, or not readable). */
export function parentPid(pid: number): number | null {
  try {
    return Number(statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'))[1]);
  } catch {
    return null;
  }
}

function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - fields[3]! - fields[4]!, total };
}

export function startCpuAccounting(classify: Classify, intervalMs = 500): { stop(): CpuAccount } {
  // key pid:starttime (pids are reused), value: role and CPU seconds at first and last sample.
  const seen = new Map<string, { role: string; first: number; last: number }>();
  const sample = (initial: boolean) => {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const fields = statFields(stat);
        const secs = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
        const key = `${entry}:${fields[19]}`;
        const known = seen.get(key);
        if (known) known.last = secs;
        else {
          const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
          // A process born during the span counts from zero.
          seen.set(key, {
            role: classify(Number(entry), command, name, Number(fields[1])),
            first: initial ? secs : 0,
            last: secs,
          });
        }
      } catch {
        // Exited between readdir and read.
      }
    }
  };
  const began = machineTicks();
  sample(true);
  const timer = setInterval(() => sample(false), intervalMs);
  let account: CpuAccount | undefined;
  return {
    /** Ends the span; later calls return the same account. */
    stop() {
      if (account) return account;
      clearInterval(timer);
      sample(false);
      const ended = machineTicks();
      const seconds: Record<string, number> = {};
      for (const { role, first, last } of seen.values()) seconds[role] = (seconds[role] ?? 0) + last - first;
      for (const role of Object.keys(seconds)) seconds[role] = Math.round(seconds[role]! * 10) / 10;
      account = {
        seconds,
        machineBusy: Math.round(((ended.busy - began.busy) / (ended.total - began.total)) * 100) / 100,
        cores: cpus().length,
      };
      return account;
    },
  };
}
