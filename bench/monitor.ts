// (4b) The end-to-end access-log monitor: `herald monitor tail FILE --from-start --until-eof`
// feeding the accessLogMonitor workflow on a real worker (the catch-up of a file written while the
// tailer was down); lines/s from the tailer's first read to the last acknowledged ingest, and the
// history it cost (events per run: bounded by continue-as-new), against the same file parsed and
// aggregated without Temporal (bench/access-log-file.ts).
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { DEFAULT_BATCH_LINES } from '../client/monitor/batch-limits';
import { repoRoot } from '../config/paths';
import { monitorWorkflowId } from '../workflows/access-log-messages';
import { writeCombinedLog } from './access-log';
import { type Figure, perSecond, round } from './lib/figures';
import { runMeasured } from './lib/measured-process';
import type { BenchStack } from './lib/stack';
import { startWorker } from './lib/worker-process';

export async function benchMonitor(
  ctx: { stack: BenchStack; client: Client; log: (line: string) => void },
  options: { lines: number; seed: number },
): Promise<Figure> {
  const file = path.join(ctx.stack.home, `monitor-${options.lines}.log`);
  const lines = writeCombinedLog(file, options.lines, options.seed);
  const { url } = await ctx.stack.scratchDatabase('monitor');
  const taskQueue = `bench-monitor-${randomUUID()}`;
  const source = `bench-${randomUUID().slice(0, 8)}`;
  const worker = await startWorker({
    temporalAddress: ctx.stack.temporalAddress,
    databaseUrl: url,
    smtpUrl: 'smtp://127.0.0.1:9',
    taskQueue,
    bundlePath: ctx.stack.bundlePath,
    home: ctx.stack.home,
  });
  let peak: number | null;
  let tail: Awaited<ReturnType<typeof runMeasured>>;
  try {
    ctx.log(`monitor: tailing ${lines} lines into the workflow`);
    tail = await runMeasured(
      process.execPath,
      [
        path.join(repoRoot, 'bin', 'herald'),
        'monitor',
        'tail',
        file,
        '--source',
        source,
        '--from-start',
        '--until-eof',
        '--json',
      ],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          HERALD_HOME: ctx.stack.home,
          TEMPORAL_ADDRESS: ctx.stack.temporalAddress,
          HERALD_TASK_QUEUE: taskQueue,
        },
      },
    );
  } finally {
    peak = await worker.stop();
  }
  if (tail.code !== 0)
    throw new Error(`herald monitor tail exited ${tail.code}: ${tail.stderr.slice(-2000)}`);
  const summary = JSON.parse(tail.stdout) as {
    lines: number;
    batches: number;
    parseErrors: number;
    seconds: number;
  };
  // Every run of the monitor (it continues as new) counts; describe() has the exact history length.
  await new Promise((r) => setTimeout(r, 2000)); // visibility is eventually consistent
  const runIds = new Set<string>();
  for await (const wf of ctx.client.workflow.list({ query: `WorkflowId = "${monitorWorkflowId(source)}"` }))
    runIds.add(wf.runId);
  const latest = await ctx.client.workflow.getHandle(monitorWorkflowId(source)).describe();
  runIds.add(latest.runId);
  let historyEvents = 0;
  let longestRun = 0;
  for (const runId of runIds) {
    const handle = ctx.client.workflow.getHandle(monitorWorkflowId(source), runId);
    const d = await handle.describe();
    historyEvents += d.historyLength;
    longestRun = Math.max(longestRun, d.historyLength);
    if (d.status.name === 'RUNNING') await handle.terminate('benchmark over');
  }
  const runs = runIds.size;
  const parseOnly = await runMeasured(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'bench/access-log-file.ts'), file],
    {
      cwd: repoRoot,
    },
  );
  const minutes = tail.seconds / 60;
  return {
    benchmark: 'monitor',
    name: `end-to-end monitor: ${lines.toLocaleString('en-US')} lines tailed into the workflow`,
    inputs: {
      lines,
      seed: options.seed,
      batchLines: DEFAULT_BATCH_LINES,
      refresh: 10,
      generator: 'scripts/demo/generate-access-log.ts',
    },
    herald: {
      catchUpSeconds: round(summary.seconds),
      catchUpLinesPerSecond: perSecond(summary.lines, summary.seconds),
      processSeconds: round(tail.seconds),
      cpuSeconds: tail.cpuSeconds === null ? null : round(tail.cpuSeconds),
      batches: summary.batches,
      workflowRuns: runs,
      historyEvents,
      longestRunHistoryEvents: longestRun,
      historyEventsPerMinute: Math.round(historyEvents / minutes),
      tailerPeakRssMiB: tail.peakRssMiB,
    },
    baseline: {
      what: 'the same file parsed + aggregated without Temporal (bench/access-log-file.ts, whole process)',
      seconds: round(parseOnly.seconds),
      linesPerSecond: perSecond(lines, parseOnly.seconds),
    },
    ratio: {
      value: round(summary.seconds / parseOnly.seconds, 2),
      meaning:
        'catch-up time into the workflow / parse-only process time (the goal: catch-up ≥ 200,000 lines/s)',
    },
    loadAverage: os
      .loadavg()
      .map((l) => round(l, 1))
      .join(' '),
    peakRssMiB: peak,
    notes: [
      "catch-up = the tailer's first read to its last acknowledged ingest (process start-up and the first update-with-start excluded)",
      "history events per minute over the tail's wall time; a historical log is replayed as fast as possible",
    ],
  };
}
