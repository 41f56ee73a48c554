// The durable tailer: reads a log from the monitor's committed offset, aggregates lines into
// buckets by log time and sends one ingest Update per flush. Follows the file across rotation
// (a new inode at the path) and truncation (size below the read position); with `untilEof` it
// processes what is there, closes the remaining buckets and returns.
import { randomUUID } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { BucketAggregator } from '../../domain/access-log/bucket-aggregator';
import {
  type ClosedBucketReport,
  type FileIdentity,
  fileIdOf,
  type IngestInput,
  type IngestResult,
  type LogFormat,
} from '../../domain/access-log/types';
import { CONTINUING_AS_NEW } from '../../workflows/access-log-messages';
import { UserError } from '../errors';
import {
  DEFAULT_BATCH_LINES,
  MAX_BATCH_BUCKETS,
  MAX_BATCH_KEY_CHARS,
  MAX_PRINT_BATCH_BUCKETS,
} from './batch-limits';
import { findRotated, identify } from './file-identity';
import { LineParser } from './line-parser';
import { type ByteLineSink, LineSplitter } from './line-splitter';
import { IngestRejected, type MonitorTarget, sendIngest } from './monitor-client';

export interface TailOptions {
  file: string;
  format: LogFormat;
  /** Without a committed offset: read the file from its start instead of its end. */
  fromStart: boolean;
  untilEof: boolean;
  /** Flush after this many lines (default DEFAULT_BATCH_LINES) or `flushIntervalMs` (default 1000). */
  batchLines?: number;
  flushIntervalMs?: number;
  pollIntervalMs?: number;
  maxLineBytes?: number;
  signal?: AbortSignal;
  onFlush?: (info: { start: number; end: number; lines: number; result: IngestResult }) => void;
  /** `--print`: the buckets each ingest closed (the monitor reports them only when this is set). */
  onClosed?: (buckets: ClosedBucketReport[]) => void;
  log?: (line: string) => void;
}

export interface TailSummary {
  lines: number;
  parseErrors: number;
  batches: number;
  committedOffset: number;
  watermark: number | null;
  /** From the first read to the last acknowledged ingest (the catch-up rate's time). */
  seconds: number;
}

const READ_BYTES = 1024 * 1024;
/** Lines stamped more than this far in the future are treated as malformed. */
const FUTURE_TOLERANCE_S = 86_400;

interface OpenFile {
  path: string;
  handle: FileHandle;
  ino: number;
  identity: FileIdentity | null;
}

async function openFile(path: string): Promise<OpenFile | null> {
  try {
    const handle = await open(path, 'r');
    const info = await handle.stat();
    return { path, handle, ino: info.ino, identity: await identify(handle) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

export async function tailAccessLog(target: MonitorTarget, options: TailOptions): Promise<TailSummary> {
  const refresh = target.config.refresh;
  const batchLines = options.batchLines ?? DEFAULT_BATCH_LINES;
  const flushIntervalMs = options.flushIntervalMs ?? 1000;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const maxLineBytes = options.maxLineBytes ?? 64 * 1024;
  const log = options.log ?? (() => {});
  const session = randomUUID();
  let sequence = 0;
  let newestLogTime: number | null = null;
  const summary: TailSummary = {
    lines: 0,
    parseErrors: 0,
    batches: 0,
    committedOffset: 0,
    watermark: null,
    seconds: 0,
  };
  const report = options.onClosed !== undefined;
  let allowedLateness = target.config.allowedLateness;

  // Sends one ingest; retries transient failures with the same update id (deduplicated).
  async function send(input: IngestInput): Promise<IngestResult> {
    const updateId = `${session}-${++sequence}`;
    for (let attempt = 1; ; attempt++) {
      // Nothing answers an update while no worker polls the task queue: say so instead of hanging.
      const waiting = setTimeout(
        () =>
          log(
            `waiting for monitor access-log:${target.source}; is a herald worker running on task queue ${target.taskQueue}?`,
          ),
        15_000,
      );
      try {
        const result = await sendIngest(target, report ? { ...input, report } : input, updateId);
        summary.committedOffset = result.committedOffset;
        summary.watermark = result.watermark;
        newestLogTime = result.newestLogTime;
        allowedLateness = result.allowedLateness;
        if (result.closed?.length) options.onClosed?.(result.closed);
        return result;
      } catch (error) {
        if (options.signal?.aborted) throw error;
        // The run is draining before it continues as new: the next run takes the batch shortly.
        if (error instanceof IngestRejected && error.type === CONTINUING_AS_NEW) {
          attempt = 0;
          await sleep(100, undefined, { signal: options.signal }).catch(() => {});
          continue;
        }
        if (error instanceof IngestRejected || attempt >= 8) throw error;
        log(`ingest failed (${(error as Error).message.split('\n')[0]}); retrying`);
        await sleep(Math.min(200 * 2 ** attempt, 10_000));
      } finally {
        clearTimeout(waiting);
      }
    }
  }

  const hello = await send({ refresh, range: null, watermark: null });

  let current = await openFile(options.file);
  if (!current && options.untilEof) throw new UserError(`${options.file}: no such file`);
  while (!current) {
    if (options.signal?.aborted) return summary;
    await sleep(pollIntervalMs);
    current = await openFile(options.file);
  }

  // Where to start: the committed offset of this file; the rest of a file rotated away while we
  // were down; or (a new monitor) the start or the end of the file.
  let position = 0;
  let skipPartialLine = false;
  const queue: OpenFile[] = [];
  if (hello.fileId !== null && current.identity && fileIdOf(current.identity) === hello.fileId) {
    position = hello.committedOffset;
  } else if (hello.fileId !== null) {
    const rotated = await findRotated(options.file, hello.fileId);
    if (rotated) {
      const old = await openFile(rotated);
      if (old) {
        queue.push(current);
        current = old;
        position = hello.committedOffset;
        log(`finishing ${rotated} (rotated) from offset ${position}`);
      }
    }
  } else if (!options.fromStart) {
    position = (await current.handle.stat()).size;
    if (position > 0) {
      // Starting mid-line (a line being written) would read its tail as a malformed line.
      const last = Buffer.alloc(1);
      await current.handle.read(last, 0, 1, position - 1);
      skipPartialLine = last[0] !== 10;
    }
  }

  const began = process.hrtime.bigint();
  const aggregator = new BucketAggregator(refresh);
  const parser = new LineParser(options.format, aggregator, maxLineBytes);
  let splitter = new LineSplitter(position, maxLineBytes);
  let rangeStart = position;
  let rangeEnd = position;
  let afterTruncation = false;
  let lastFlush = Date.now();
  const buffer = Buffer.alloc(READ_BYTES);
  // Bounded payloads: a sparse historical log spreads one batch over many buckets.
  const batchFull = () =>
    aggregator.lineCount >= batchLines ||
    aggregator.bucketCount >= (report ? MAX_PRINT_BATCH_BUCKETS : MAX_BATCH_BUCKETS) ||
    aggregator.keyCharCount >= MAX_BATCH_KEY_CHARS;
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  const onLine: ByteLineSink = (bytes, from, to, start, end, excerpt) => {
    rangeEnd = end;
    if (skipPartialLine) {
      skipPartialLine = false;
      if (start > 0) {
        rangeStart = end; // the rest of a line written before we started
        return;
      }
    }
    summary.lines++;
    if (!parser.line(bytes, from, to, start, excerpt)) summary.parseErrors++;
  };
  const stampLimit = () => {
    parser.latestTime = nowSeconds() + FUTURE_TOLERANCE_S;
  };

  // One ingest may be in flight while the next batch is read and parsed (a catch-up overlaps
  // parsing with the workflow's work); it is settled before the next is sent, so ranges still
  // arrive in order, and before anything that changes the file being read.
  let inflight: Promise<unknown> | null = null;
  let inflightError: unknown = null;
  /** Set when settling moved the read position back: the end of the file is not reached yet. */
  let resynced = false;
  /** The last flush carried the closing watermark. */
  let closed = false;

  async function settle(): Promise<void> {
    if (!inflight) return;
    await inflight;
    inflight = null;
    const error = inflightError;
    inflightError = null;
    if (error === null) return;
    if (!(error instanceof IngestRejected) || error.type !== 'OutOfSync') throw error;
    // Another tailer or an earlier run moved the committed offset: continue from there, dropping
    // what was read after the refused range.
    const state = await send({ refresh, range: null, watermark: null });
    if (state.fileId !== fileIdOf(current!.identity!))
      throw new UserError(`${current!.path}: the monitor is following another file (${error.message})`);
    log(`resynchronised at offset ${state.committedOffset}: ${error.message}`);
    aggregator.drain();
    position = rangeStart = rangeEnd = state.committedOffset;
    splitter = new LineSplitter(position, maxLineBytes);
    resynced = true;
  }

  /** The watermark that closes every bucket up to the one of `newest` (--until-eof). */
  const closingWatermark = (newest: number) => (Math.floor(newest / refresh) + 1) * refresh + allowedLateness;

  /**
   * Sends what was read since the last flush; `wait`: and settles it before returning; `closing`
   * (the end of --until-eof): with the watermark that closes every bucket, saving an update.
   */
  async function flush(wait = true, closing = false): Promise<void> {
    lastFlush = Date.now();
    await settle();
    if (rangeEnd === rangeStart || options.signal?.aborted) return;
    current!.identity ??= await identify(current!.handle, options.untilEof);
    if (!current!.identity) return; // no complete first line yet
    const drained = aggregator.drain();
    const start = rangeStart;
    const end = rangeEnd;
    const input: IngestInput = {
      refresh,
      range: {
        file: current!.identity,
        path: current!.path,
        start,
        end,
        afterTruncation,
        lines: drained.lines,
        buckets: drained.buckets,
        parseErrors: drained.parseErrors,
        parseErrorSamples: drained.parseErrorSamples,
        newestTime: drained.maxTime,
        sections: drained.sections,
        clients: drained.clients,
      },
      watermark: drained.maxTime,
    };
    const newest = Math.max(
      drained.maxTime ?? Number.NEGATIVE_INFINITY,
      newestLogTime ?? Number.NEGATIVE_INFINITY,
    );
    if (closing && Number.isFinite(newest)) {
      input.watermark = closingWatermark(newest);
      closed = true;
    }
    rangeStart = end;
    afterTruncation = false;
    inflight = send(input).then(
      (result) => {
        summary.batches++;
        options.onFlush?.({ start, end, lines: drained.lines, result });
      },
      (error: unknown) => {
        inflightError = error;
      },
    );
    if (wait) await settle();
  }

  for (;;) {
    if (options.signal?.aborted) break;
    const { bytesRead } = await current.handle.read(buffer, 0, READ_BYTES, position);
    if (bytesRead > 0) {
      stampLimit();
      position += splitter.pushBytes(buffer.subarray(0, bytesRead), position, onLine, batchFull);
      if (batchFull()) await flush(false);
      continue;
    }
    // End of the file as it is now.
    if (options.untilEof || queue.length > 0) {
      stampLimit();
      splitter.finishBytes(position, onLine);
      resynced = false;
      closed = false;
      await flush(true, queue.length === 0);
      if (resynced) continue;
      if (queue.length > 0) {
        await current.handle.close();
        current = queue.shift()!;
        position = rangeStart = rangeEnd = 0;
        splitter = new LineSplitter(0, maxLineBytes);
        continue;
      }
      // Close every bucket that has lines: the watermark moves to the end of the newest one plus the
      // allowed lateness (the same value on every re-run, so replaying a finished file adds no
      // empty bucket).
      const last = newestLogTime;
      if (!closed && last !== null) await send({ refresh, range: null, watermark: closingWatermark(last) });
      break;
    }
    if (aggregator.lineCount > 0 && Date.now() - lastFlush >= flushIntervalMs) await flush();
    if (Date.now() - lastFlush >= refresh * 1000) {
      // Idle: vouch that nothing older than one bucket ago is still to come.
      lastFlush = Date.now();
      const heartbeat = nowSeconds() - refresh;
      if (summary.watermark === null || heartbeat > summary.watermark)
        await send({ refresh, range: null, watermark: heartbeat });
    }
    // Rotation: the path now names another file; truncation: the file shrank.
    const next = await openFile(options.file);
    if (next && next.ino !== current.ino) {
      log(`${options.file} was rotated; finishing the old file, then following the new one`);
      const { bytesRead: more } = await current.handle.read(buffer, 0, 1, position);
      if (more > 0) {
        queue.push(next);
        continue;
      }
      stampLimit();
      splitter.finishBytes(position, onLine);
      await flush();
      await current.handle.close();
      current = next;
      position = rangeStart = rangeEnd = 0;
      splitter = new LineSplitter(0, maxLineBytes);
      continue;
    }
    await next?.handle.close();
    const size = (await current.handle.stat()).size;
    if (size < position) {
      log(`${options.file} was truncated; reading it again from the start`);
      await flush();
      current.identity = null;
      position = rangeStart = rangeEnd = 0;
      afterTruncation = true;
      splitter = new LineSplitter(0, maxLineBytes);
      continue;
    }
    await sleep(pollIntervalMs, undefined, { signal: options.signal }).catch(() => {});
  }
  await settle();
  summary.seconds = Number(process.hrtime.bigint() - began) / 1e9;
  await current.handle.close();
  for (const file of queue) await file.handle.close();
  return summary;
}
