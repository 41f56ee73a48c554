// (4b) The end-to-end access-log monitor: `herald monitor tail FILE --from-start --until-eof`
// feeding the accessLogMonitor workflow on a real worker; lines/s sustained and history events
// per minute, against the same file parsed and aggregated without Temporal (bench/access-log-file.ts).
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Client } from '@temporalio/client';
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
  const summary = JSON.parse(tail.stdout) as { lines: number; batches: number; parseErrors: number };
  // Every run of the monitor (it continues as new) counts; describe() has the exact history length.
  await new Promise((r) => setTimeout(r, 2000)); // visibility is eventually consistent
  const runIds = new Set<string>();
  for await (const wf of ctx.client.workflow.list({ query: `WorkflowId = "${monitorWorkflowId(source)}"` }))
    runIds.add(wf.runId);
  const latest = await ctx.client.workflow.getHandle(monitorWorkflowId(source)).describe();
  runIds.add(latest.runId);
  let historyEvents = 0;
  for (const runId of runIds) {
    const handle = ctx.client.workflow.getHandle(monitorWorkflowId(source), runId);
    const d = await handle.describe();
    historyEvents += d.historyLength;
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
      batchLines: 5000,
      refresh: 10,
      generator: 'scripts/demo/generate-access-log.ts',
    },
    herald: {
      seconds: round(tail.seconds),
      linesPerSecond: perSecond(summary.lines, tail.seconds),
      batches: summary.batches,
      workflowRuns: runs,
      historyEvents,
      historyEventsPerMinute: Math.round(historyEvents / minutes),
      tailerPeakRssMiB: tail.peakRssMiB,
    },
    baseline: {
      what: 'the same file parsed + aggregated without Temporal (bench/access-log-file.ts, whole process)',
      seconds: round(parseOnly.seconds),
      linesPerSecond: perSecond(lines, parseOnly.seconds),
    },
    ratio: {
      value: round(tail.seconds / parseOnly.seconds, 1),
      meaning: 'end-to-end time / parse-only time',
    },
    peakRssMiB: peak,
    notes: [
      "history events per minute over the tail's wall time; a historical log is replayed as fast as possible",
    ],
  };
}
