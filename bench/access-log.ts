// (4a) Access-log parsing and aggregation against GoAccess: the same combined log, each tool as a
// whole process (herald: bench/access-log-file.ts bundled by esbuild and run by plain Node, as a
// compiled deployment runs it; GoAccess: `goaccess --log-format=COMBINED` writing an HTML report),
// alternated twice, best of each. CPU seconds are reported too: on a shared machine wall time
// mostly measures the wait for a core.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from '../config/paths';
import { generateAccessLog } from '../scripts/demo/generate-access-log';
import { type Figure, perSecond, round, type Skipped } from './lib/figures';
import { type ProcessResult, runMeasured } from './lib/measured-process';

export const GOACCESS_HINT =
  'GoAccess is not installed: `sudo apt-get install -y goaccess` (Debian/Ubuntu package goaccess), `brew install goaccess`, or see goaccess.io/download';

/** A combined log GoAccess accepts line for line: no vhost prefix, IP clients only. */
export function writeCombinedLog(file: string, lines: number, seed: number): number {
  const log = generateAccessLog({
    start: Date.parse('2026-01-15T10:00:00Z') / 1000,
    seed,
    phases: [{ buckets: Math.ceil(lines / 20), hits: [15, 25] }],
  }).lines.slice(0, lines);
  const text = log
    .map((l) =>
      l
        .replace(/^www\.example\.org:443 /, '')
        .replace(/^crawler-7\.search\.example\.net /, '192.0.2.77 ')
        .replace(/^proxy\.example\.org /, '198.51.100.99 '),
    )
    .join('\n');
  writeFileSync(file, `${text}\n`);
  return log.length;
}

export async function benchAccessLog(options: {
  lines: number;
  seed: number;
  log: (line: string) => void;
}): Promise<Figure | Skipped> {
  const goaccess = spawnSync('goaccess', ['--version'], { encoding: 'utf8' });
  if (goaccess.error) return { benchmark: 'access-log', reason: GOACCESS_HINT };
  const version = goaccess.stdout.split('\n')[0]?.trim() ?? 'goaccess';
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-bench-log-'));
  try {
    const file = path.join(dir, 'access.log');
    options.log(`writing a ${options.lines}-line combined log (seed ${options.seed})`);
    const lines = writeCombinedLog(file, options.lines, options.seed);
    const bundle = path.join(dir, 'access-log-file.mjs');
    await build({
      entryPoints: [path.join(repoRoot, 'bench/access-log-file.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: bundle,
      logLevel: 'warning',
    });
    const herald = () => runMeasured(process.execPath, [bundle, file], { cwd: repoRoot });
    const report = path.join(dir, 'report.html');
    const goaccessRun = () =>
      runMeasured('goaccess', [file, '--log-format=COMBINED', '--no-global-config', '-o', report]);
    const best = (a: ProcessResult, b: ProcessResult) => (a.seconds <= b.seconds ? a : b);
    const checked = (r: ProcessResult, what: string) => {
      if (r.code !== 0) throw new Error(`${what} exited ${r.code}: ${r.stderr.slice(-2000)}`);
      return r;
    };
    options.log('herald vs goaccess, alternated twice');
    const h1 = checked(await herald(), 'herald');
    const g1 = checked(await goaccessRun(), 'goaccess');
    const h2 = checked(await herald(), 'herald');
    const g2 = checked(await goaccessRun(), 'goaccess');
    const h = best(h1, h2);
    const g = best(g1, g2);
    const totals = JSON.parse(h.stdout) as { lines: number; parsed: number; errors: number };
    // GoAccess's own count of what it read, from the report it wrote.
    const html = readFileSync(report, 'utf8');
    const goTotal = /"total_requests":\s*(\d+)/.exec(html)?.[1];
    const goFailed = /"failed_requests":\s*(\d+)/.exec(html)?.[1];
    return {
      benchmark: 'access-log',
      name: `parse + aggregate a ${lines.toLocaleString('en-US')}-line combined log (whole processes)`,
      inputs: {
        lines,
        fileMiB: round(statSync(file).size / 2 ** 20, 1),
        seed: options.seed,
        generator: 'scripts/demo/generate-access-log.ts (vhost prefix removed, hostnames → IPs)',
      },
      herald: {
        seconds: round(h.seconds),
        linesPerSecond: perSecond(lines, h.seconds),
        cpuSeconds: h.cpuSeconds === null ? null : round(h.cpuSeconds),
        parsed: totals.parsed,
        errors: totals.errors,
        peakRssMiB: h.peakRssMiB,
      },
      baseline: {
        what: `${version}, --log-format=COMBINED, HTML report`,
        seconds: round(g.seconds),
        linesPerSecond: perSecond(lines, g.seconds),
        cpuSeconds: g.cpuSeconds === null ? null : round(g.cpuSeconds),
        parsed: goTotal ? Number(goTotal) : null,
        failed: goFailed ? Number(goFailed) : null,
        peakRssMiB: g.peakRssMiB,
      },
      ratio: {
        value: round(h.seconds / g.seconds, 3),
        meaning: 'herald time / GoAccess time (below 1: herald faster; the goal is 0.1 or less)',
      },
      cpuRatio: {
        value: h.cpuSeconds && g.cpuSeconds ? round(h.cpuSeconds / g.cpuSeconds, 3) : null,
        meaning: 'herald CPU seconds / GoAccess CPU seconds',
      },
      loadAverage: os
        .loadavg()
        .map((l) => round(l, 1))
        .join(' '),
      peakRssMiB: h.peakRssMiB,
      notes: [
        'both include process start-up (herald: Node running the esbuild bundle); best of two alternated runs each',
        'herald process = the tailer path without the Temporal update (bench/access-log-file.ts)',
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
