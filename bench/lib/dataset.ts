// A reporting dataset: a scratch database with the bench catalog and N generated events ingested
// by `herald events ingest` (a child process, timed; its peak RSS sampled), all stamped with one
// storage time inside a closed 10-minute window, so every severity's window covers them.
import path from 'node:path';
import pg from 'pg';
import { repoRoot } from '../../config/paths';
import { importBenchCatalog } from './catalog';
import { writeEventsFile } from './events-file';
import { type ProcessResult, runMeasured } from './measured-process';
import type { BenchStack } from './stack';

export interface Dataset {
  events: number;
  groups: number;
  seed: number;
  url: string;
  file: string;
  /** The reporting window's end (a multiple of 600 s) and the events' storage time. */
  timeHigh: string;
  storageTime: string;
  ingest: ProcessResult & { accepted: number; rejected: number; fileBytes: number };
}

export async function prepareDataset(
  stack: BenchStack,
  options: { events: number; groups: number; seed: number },
  log: (line: string) => void,
): Promise<Dataset> {
  const { url, name } = await stack.scratchDatabase(`e${options.events}`);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    await importBenchCatalog(pool, options.groups);
  } finally {
    await pool.end();
  }
  const timeHigh = stack.nextTimeHigh();
  const timeHighSec = Date.parse(timeHigh) / 1000;
  const storageTime = new Date((timeHighSec - 300) * 1000).toISOString();
  const file = path.join(stack.home, `events-${options.events}-seed${options.seed}.ndjson`);
  log(`generating ${options.events} events (seed ${options.seed}, ${options.groups} groups) → ${file}`);
  await writeEventsFile(file, {
    count: options.events,
    groups: options.groups,
    seed: options.seed,
    now: new Date(timeHighSec * 1000),
  });
  const { statSync } = await import('node:fs');
  const fileBytes = statSync(file).size;
  log(`ingesting into ${name} with \`herald events ingest\``);
  const result = await ingestFile(file, { url, home: stack.home, storageTime });
  const summary = JSON.parse(result.stdout) as { accepted: number; rejected: number };
  return {
    ...options,
    url,
    file,
    timeHigh,
    storageTime,
    ingest: { ...result, accepted: summary.accepted, rejected: summary.rejected, fileBytes },
  };
}

/** `herald events ingest FILE --storage-time T --json` as a child process, timed and measured. */
export async function ingestFile(
  file: string,
  options: { url: string; home: string; storageTime: string },
): Promise<ProcessResult> {
  const result = await runMeasured(
    process.execPath,
    [
      path.join(repoRoot, 'bin', 'herald'),
      'events',
      'ingest',
      file,
      '--storage-time',
      options.storageTime,
      '--json',
      '--no-progress',
    ],
    { cwd: repoRoot, env: { ...process.env, HERALD_HOME: options.home, HERALD_DATABASE_URL: options.url } },
  );
  if (result.code !== 0)
    throw new Error(`herald events ingest failed (${result.code}):\n${result.stderr}${result.stdout}`);
  return result;
}
