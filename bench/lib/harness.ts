// Runs the selected benchmarks in one process against one stack, so every figure and its
// baseline share the same machine state; a failing benchmark is reported and the rest go on.
import os from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { type MailCatcher, startMailCatcher } from '../../scripts/dev/mail-catcher';
import { benchAccessLog } from '../access-log';
import { benchMail } from '../mail';
import { benchMonitor } from '../monitor';
import { benchOrchestration } from '../orchestration';
import { benchReporting, ingestFigure } from '../reporting';
import { benchRipe } from '../ripe';
import type { Sizes } from '../run';
import { copyBaseline } from './copy-baseline';
import { type Dataset, prepareDataset } from './dataset';
import { explainSearches } from './explain-searches';
import type { Figure, Skipped } from './figures';
import { type BenchStack, startStack } from './stack';

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  machine: string;
  size: string;
  seed: number;
  figures: Figure[];
  skipped: Skipped[];
  errors: { benchmark: string; error: string }[];
}

export async function runBenchmarks(options: {
  only: string[];
  sizes: Sizes;
  sizeName: string;
  seed: number;
  log: (line: string) => void;
}): Promise<BenchReport> {
  const { only, sizes, seed, log } = options;
  const report: BenchReport = {
    startedAt: new Date().toISOString(),
    finishedAt: '',
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at start`,
    size: options.sizeName,
    seed,
    figures: [],
    skipped: [],
    errors: [],
  };
  const attempt = async (benchmark: string, fn: () => Promise<Figure | Figure[] | Skipped>) => {
    try {
      const out = await fn();
      if (Array.isArray(out)) report.figures.push(...out);
      else if ('reason' in out) report.skipped.push(out);
      else report.figures.push(out);
    } catch (error) {
      log(`${benchmark} failed: ${(error as Error).stack ?? error}`);
      report.errors.push({ benchmark, error: (error as Error).message });
    }
  };

  // GoAccess vs herald's parser needs no stack: run it first, on a quiet machine.
  if (only.includes('access-log'))
    await attempt('access-log', () => benchAccessLog({ lines: sizes.logLines, seed, log }));

  // Reading RIPE dumps needs no stack either.
  if (only.includes('ripe'))
    await attempt('ripe', () => benchRipe({ objects: sizes.ripeObjects, seed, log }));

  const needsStack = only.some((n) => n !== 'access-log' && n !== 'ripe');
  if (!needsStack) return finish(report);
  let stack: BenchStack | undefined;
  let connection: Connection | undefined;
  let catcher: MailCatcher | undefined;
  try {
    stack = await startStack(log);
    connection = await Connection.connect({ address: stack.temporalAddress });
    const client = new Client({ connection, namespace: 'default' });
    catcher = await startMailCatcher({ smtpPort: 0, parseOnRead: true });
    const ctx = { stack, client, catcher, log };

    let lastDataset: Dataset | undefined;
    if (only.includes('ingest') || only.includes('reporting') || only.includes('mail')) {
      const eventSizes =
        only.includes('ingest') || only.includes('reporting') ? sizes.events : [sizes.events[0]!];
      for (const events of eventSizes) {
        let ds: Dataset | undefined;
        await attempt('ingest', async () => {
          ds = await prepareDataset(stack!, { events, groups: sizes.groups, seed }, log);
          if (!only.includes('ingest')) return [];
          const figure = ingestFigure(ds, await copyBaseline(ds.url, stack!.home));
          for (const search of await explainSearches(ds.url, ds.storageTime))
            log(
              `EXPLAIN ${search.name}: ${search.milliseconds} ms, ${search.rows} rows, ${search.scans.join('; ')}`,
            );
          return figure;
        });
        if (ds && (only.includes('reporting') || only.includes('mail'))) {
          const dataset = ds;
          await attempt('reporting', () => benchReporting(ctx, dataset));
          lastDataset = ds;
        }
      }
    }
    if (only.includes('orchestration'))
      await attempt('orchestration', () => benchOrchestration(ctx, { groups: sizes.emptyGroups }));
    if (only.includes('mail')) {
      if (!lastDataset)
        report.errors.push({ benchmark: 'mail', error: 'no reporting dataset to take reports from' });
      else {
        const ds = lastDataset;
        await attempt('mail', () => benchMail(ctx, ds, { mails: sizes.mails }));
      }
    }
    if (only.includes('monitor'))
      await attempt('monitor', () => benchMonitor(ctx, { lines: sizes.monitorLines, seed }));
  } finally {
    await catcher?.close().catch(() => {});
    await connection?.close().catch(() => {});
    await stack?.close();
  }
  return finish(report);
}

function finish(report: BenchReport): BenchReport {
  report.finishedAt = new Date().toISOString();
  return report;
}
