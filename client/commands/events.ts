// `herald events ingest | search | count | resolve`: load IDEA events into the store, query it,
// and resolve stored events' abuse groups again after a catalog change.
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import cliProgress from 'cli-progress';
import { type Command, Option } from 'commander';
import { type IngestError, type IngestSummary, ingestEvents } from '../../db/events/ingest';
import {
  InputFormatError,
  type InputRecord,
  jsonDocumentRecords,
  ndjsonRecords,
  type ReadProgress,
} from '../../db/events/read-records';
import { resolveStoredEvents } from '../../db/events/resolve';
import { sharedPool } from '../../db/pool';
import { escapeControl } from '../../domain/idea/sanitize';
import { UserError } from '../errors';
import { printJson } from '../output';
import { parseOptionalTime, parsePositiveInt, parseTime } from '../parse-options';
import { registerEventsDeleteCommand } from './events-delete';
import { withQueryErrors } from './events-query';
import { registerEventsSearchCommands } from './events-search';
import { registerEventsStatsCommands } from './events-stats';
import { registerEventsWatchdogCommand } from './events-watchdog';

export interface IngestFileOptions {
  format?: 'ndjson' | 'json';
  storageTime?: Date;
  rejectsFile?: string;
  progress?: boolean;
  batchSize?: number;
}

/** Rejected records, one JSON line each; the file is created only when something is rejected. */
function rejectsWriter(file: string) {
  let out: WriteStream | null = null;
  return {
    file,
    get used() {
      return out !== null;
    },
    async write(error: IngestError & { raw?: unknown }) {
      out ??= createWriteStream(file, { flags: 'w' });
      const { raw, ...rest } = error;
      const record =
        raw instanceof Uint8Array
          ? {
              ...rest,
              raw: Buffer.from(raw).toString('utf8'),
              raw_base64: Buffer.from(raw).toString('base64'),
            }
          : { ...rest, raw };
      if (!out.write(`${JSON.stringify(record)}\n`))
        await new Promise<void>((resolve) => out!.once('drain', () => resolve()));
    },
    async close() {
      if (out) await new Promise<void>((resolve) => out!.end(() => resolve()));
    },
  };
}

/** Ingests a file or stdin ("-") with an optional progress bar on stderr. */
export async function ingestFile(
  source: string,
  options: IngestFileOptions = {},
): Promise<IngestSummary & { rejectsFile?: string }> {
  let stream: Readable;
  let size: number | undefined;
  if (source === '-') stream = process.stdin;
  else {
    try {
      const info = await stat(source);
      if (!info.isFile()) throw new UserError(`${source}: not a file`);
      size = info.size;
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(
        `${source}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
    stream = createReadStream(source, { highWaterMark: 1 << 20 });
  }
  const format = options.format ?? (source.endsWith('.json') ? 'json' : 'ndjson');
  const read: ReadProgress = { bytesRead: 0 };
  const records: AsyncIterable<InputRecord> =
    format === 'json' ? jsonDocumentRecords(stream, read) : ndjsonRecords(stream, read);
  const rejects = rejectsWriter(
    options.rejectsFile ??
      (source === '-' ? `herald-rejects-${Date.now()}.ndjson` : `${source}.rejects.ndjson`),
  );

  const bar = options.progress
    ? new cliProgress.SingleBar(
        {
          format: size
            ? ' {bar} {percentage}% | {records} events | {accepted} new, {duplicates} dup, {rejected} rejected | {rate}/s | ETA {eta_formatted}'
            : ' {records} events | {accepted} new, {duplicates} dup, {rejected} rejected | {rate}/s',
          stream: process.stderr,
          hideCursor: true,
          noTTYOutput: !process.stderr.isTTY,
          notTTYSchedule: 5000,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  const started = Date.now();
  bar?.start(size ?? 0, 0, { records: 0, accepted: 0, duplicates: 0, rejected: 0, rate: 0 });
  try {
    const summary = await ingestEvents(sharedPool(), records, {
      ...(options.storageTime && { storageTime: options.storageTime }),
      ...(options.batchSize && { batchSize: options.batchSize }),
      onReject: (error) => rejects.write(error),
      onProgress: (p) =>
        bar?.update(read.bytesRead, {
          ...p,
          rate: Math.round(p.records / Math.max(0.001, (Date.now() - started) / 1000)),
        }),
    });
    bar?.update(size ?? read.bytesRead);
    return { ...summary, ...(rejects.used && { rejectsFile: rejects.file }) };
  } catch (error) {
    if (error instanceof InputFormatError) throw new UserError(`${source}: ${error.message}`);
    throw error;
  } finally {
    bar?.stop();
    await rejects.close();
  }
}

/** What nothing may report among the stored events, and how to find them. */
function unreportedLine(summary: IngestSummary): string {
  return `of those stored: ${summary.noGroup} with no group (--no-group), ${summary.noClass} with no class (--no-class), ${summary.baseOnly} base-only (--base-only), ${summary.unknownCategory} with an unknown category (--unknown-category)`;
}

export function registerEventsCommands(program: Command): void {
  const events = program
    .command('events')
    .description('the IDEA event store: ingest, search, count, values, stats, delete, watchdog');

  events
    .command('ingest')
    .description('validate and store IDEA events (NDJSON or JSON); re-ingesting an ID counts as duplicate')
    .argument('<file>', 'input file, or - for stdin')
    .addOption(new Option('--format <format>', 'input format').choices(['ndjson', 'json']))
    .option('--storage-time <time>', 'use this storage time instead of the database clock (backfills, tests)')
    .option('--rejects <file>', 'where to write rejected records (default: <file>.rejects.ndjson)')
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print the result as JSON')
    .action(
      async (
        file: string,
        options: {
          format?: 'ndjson' | 'json';
          storageTime?: string;
          rejects?: string;
          progress: boolean;
          json?: boolean;
        },
      ) => {
        const storageTime = parseOptionalTime('--storage-time', options.storageTime);
        const summary = await withQueryErrors(() =>
          ingestFile(file, {
            ...(options.format && { format: options.format }),
            ...(storageTime && { storageTime: new Date(storageTime) }),
            ...(options.rejects && { rejectsFile: options.rejects }),
            progress: options.progress && process.stderr.isTTY === true,
          }),
        );
        // Exit 1 when anything was rejected (the summary still printed): scripts must notice.
        if (summary.rejected > 0) process.exitCode = 1;
        if (options.json) return printJson(summary);
        process.stdout.write(
          `${file === '-' ? 'stdin' : path.basename(file)}: ${summary.accepted} accepted, ${summary.duplicates} duplicate(s), ${summary.rejected} rejected\n`,
        );
        process.stdout.write(`${unreportedLine(summary)}\n`);
        for (const error of summary.errors.slice(0, 20))
          process.stdout.write(
            `  line ${error.line}${error.id ? ` (${escapeControl(error.id)})` : ''}: ${escapeControl(error.message)}\n`,
          );
        if (summary.rejected > 20) process.stdout.write(`  … ${summary.rejected - 20} more\n`);
        if (summary.rejectsFile) process.stdout.write(`rejected records written to ${summary.rejectsFile}\n`);
      },
    );

  registerEventsSearchCommands(events);
  registerEventsStatsCommands(events);
  registerEventsDeleteCommand(events);
  registerEventsWatchdogCommand(events);

  events
    .command('resolve')
    .description(
      "resolve stored events' abuse groups again from the catalog's networks (after a catalog change)",
    )
    .requiredOption('--from <time>', 'storage time from (inclusive)')
    .option('--to <time>', 'storage time to (exclusive; default: now)')
    .option('--dry-run', 'count the events that would move, change nothing')
    .option('--batch-size <n>', 'events read and written per statement', '5000')
    .option('--json', 'print the result as JSON')
    .action(
      async (options: { from: string; to?: string; dryRun?: boolean; batchSize: string; json?: boolean }) => {
        const from = parseTime('--from', options.from);
        const to = parseOptionalTime('--to', options.to) ?? new Date().toISOString();
        const batchSize = parsePositiveInt('--batch-size', options.batchSize);
        const summary = await withQueryErrors(() =>
          resolveStoredEvents(sharedPool(), { from, to, dryRun: options.dryRun ?? false, batchSize }),
        );
        if (options.json) return printJson({ from, to, ...summary });
        process.stdout.write(
          `${summary.examined} events stored in [${from}, ${to}): ${summary.moved} ${summary.dryRun ? 'would move' : 'moved'} to other groups (${summary.nowReported} had no group and now have one, ${summary.nowUnreported} now have none)\n`,
        );
      },
    );
}
