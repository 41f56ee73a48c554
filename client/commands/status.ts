// `herald status [--json] [--watch]`: the operator's dashboard (client/operations/status.ts).
// Exit 1 when Temporal or PostgreSQL is unreachable or the namespace lacks herald's search
// attributes (after printing what could be gathered).

import { Client } from '@temporalio/client';
import type { Command } from 'commander';
import { config } from '../../config/env';
import { createPool } from '../../db/pool';
import { UsageError } from '../errors';
import { renderDashboard } from '../operations/render-status';
import { type Dashboard, gatherDashboard } from '../operations/status';
import { connectTemporal, TemporalUnreachableError } from '../operations/temporal';
import { printJson } from '../output';
import { parseOptionalTime } from '../parse-options';

async function snapshot(since: string | undefined): Promise<Dashboard> {
  const env = config();
  const pool = createPool(undefined, 2);
  let connection: Awaited<ReturnType<typeof connectTemporal>> | null = null;
  let temporalError: string | undefined;
  try {
    try {
      connection = await connectTemporal();
    } catch (error) {
      if (!(error instanceof TemporalUnreachableError)) throw error;
      temporalError = error.message;
    }
    return await gatherDashboard({
      client: connection ? new Client({ connection, namespace: env.TEMPORAL_NAMESPACE }) : null,
      temporalError,
      pool,
      address: env.TEMPORAL_ADDRESS,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.HERALD_TASK_QUEUE,
      since: since ?? new Date(Date.now() - 86_400_000).toISOString(),
    });
  } finally {
    await connection?.close();
    await pool.end().catch(() => {});
  }
}

export function registerStatusCommands(program: Command): void {
  program
    .command('status')
    .description(
      'dashboard: Temporal, PostgreSQL, workers, schedules, runs in progress, runlog, failures, alerts',
    )
    .option(
      '--since <time>',
      'runlog and failures since this time (RFC 3339 or a date; default: the last 24 hours)',
    )
    .option('--watch', 'refresh until interrupted')
    .option('--interval <seconds>', 'refresh interval with --watch', '2')
    .option('--json', 'print as JSON (with --watch: one JSON document per line)')
    .action(async (o: { since?: string; watch?: boolean; interval: string; json?: boolean }) => {
      const since = parseOptionalTime('--since', o.since);
      const interval = Number(o.interval);
      if (!(interval >= 0.5))
        throw new UsageError(`--interval: expected seconds >= 0.5, got "${o.interval}"`);
      let stop = false;
      process.once('SIGINT', () => {
        stop = true;
      });
      for (;;) {
        const d = await snapshot(since);
        if (o.json) {
          if (o.watch) process.stdout.write(`${JSON.stringify(d)}\n`);
          else printJson(d);
        } else {
          if (o.watch && process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
          process.stdout.write(`${renderDashboard(d)}\n`);
        }
        const healthy = d.temporal.reachable && d.postgres.reachable && !d.temporal.missingSearchAttributes;
        if (!o.watch) {
          if (!healthy) process.exitCode = 1;
          return;
        }
        await new Promise((r) => setTimeout(r, interval * 1000));
        if (stop) return;
      }
    });
}
