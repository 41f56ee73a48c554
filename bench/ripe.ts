// (5) Reading the RIPE database dumps (`herald catalog import-ripe`): a generated dump of N
// objects (bench/lib/ripe-dump.ts, gzip) read, parsed and resolved into groups and networks as
// one process, objects/s and peak RSS; the baseline is the same files only gunzipped and split
// into lines by the same reader, so the ratio is what parsing and resolution cost on top. A second
// figure reads the same dump with --country CZ (a tenth of the ranges kept): what is held grows
// with the ranges kept, not with the dump.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../config/paths';
import { type Figure, perSecond, round } from './lib/figures';
import { runMeasured } from './lib/measured-process';
import { writeRipeDump } from './lib/ripe-dump';

export async function benchRipe(options: {
  objects: number;
  seed: number;
  log: (line: string) => void;
}): Promise<Figure[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-bench-ripe-'));
  try {
    options.log(`writing a generated RIPE dump of ${options.objects} objects (seed ${options.seed})`);
    const dump = await writeRipeDump(dir, options.objects, options.seed);
    const run = async (extra: string[]) => {
      const result = await runMeasured(
        process.execPath,
        ['--import', 'tsx', path.join(repoRoot, 'bench/ripe-parse-file.ts'), ...extra, ...dump.files],
        { cwd: repoRoot },
      );
      if (result.code !== 0)
        throw new Error(`ripe-parse-file exited ${result.code}: ${result.stderr.slice(-2000)}`);
      return result;
    };
    options.log('reading it: lines only, then parsed and resolved, then with --country CZ');
    const lines = await run(['--lines-only']);
    const all = await run([]);
    const cz = await run(['--country', 'CZ']);
    const gzipMiB = round(dump.files.reduce((sum, f) => sum + statSync(f).size, 0) / 2 ** 20, 1);
    const baseline = {
      what: 'the same files gunzipped and split into lines only (bench/ripe-parse-file.ts --lines-only)',
      seconds: round(lines.seconds),
      objectsPerSecond: perSecond(dump.objects, lines.seconds),
      lines: (JSON.parse(lines.stdout) as { lines: number }).lines,
      peakRssMiB: lines.peakRssMiB,
    };
    const figure = (result: typeof all, what: string, country: string): Figure => {
      const counts = JSON.parse(result.stdout) as {
        objects: number;
        outsideCountries: number;
        groups: number;
        networks: number;
        malformed: number;
      };
      if (counts.objects !== dump.objects)
        throw new Error(`read ${counts.objects} objects, the generator wrote ${dump.objects}`);
      return {
        benchmark: 'ripe',
        name: `read, parse and resolve a ${dump.objects.toLocaleString('en-US')}-object RIPE dump${what} (gzip, whole process)`,
        inputs: {
          objects: dump.objects,
          ranges: dump.ranges,
          country,
          rangesKept: dump.ranges - counts.outsideCountries,
          gzipMiB,
          seed: options.seed,
          generator: 'bench/lib/ripe-dump.ts',
        },
        herald: {
          seconds: round(result.seconds),
          objectsPerSecond: perSecond(dump.objects, result.seconds),
          groups: counts.groups,
          networks: counts.networks,
          malformed: counts.malformed,
          peakRssMiB: result.peakRssMiB,
        },
        baseline,
        ratio: {
          value: round(result.seconds / lines.seconds, 2),
          meaning: 'parse + resolve time / gunzip + line split time (whole processes)',
        },
        peakRssMiB: result.peakRssMiB,
        notes: ['both include process start-up (Node + tsx)'],
      };
    };
    return [figure(all, '', 'all'), figure(cz, ', --country CZ', 'CZ')];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
