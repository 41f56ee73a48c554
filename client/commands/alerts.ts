// `herald alerts list`: the alert transitions access-log monitors recorded (table `alerts`).
import type { Command } from 'commander';
import { createPool } from '../../db/pool';
import { UsageError } from '../errors';
import { formatTable, printJson } from '../output';

interface AlertListRow {
  id: number;
  source: string;
  state: string;
  at: Date;
  hits: number;
  average: number;
  rule: string;
  threshold: number;
  window_seconds: number;
  mailed_at: Date | null;
  mailed_to: string[] | null;
}

export function registerAlertsCommands(program: Command): void {
  const alerts = program.command('alerts').description('access-log alerts');
  alerts
    .command('list')
    .description('recorded alert and recovery transitions, newest first')
    .option('--source <name>', 'only this log source')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print as JSON')
    .action(async (options: { source?: string; limit: string; json?: boolean }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new UsageError(`--limit: expected a positive integer, got "${options.limit}"`);
      const pool = createPool(undefined, 1);
      try {
        const { rows } = await pool.query<AlertListRow>(
          `SELECT id, source, state, at, hits, average, rule, threshold, window_seconds, mailed_at, mailed_to
             FROM alerts WHERE $1::text IS NULL OR source = $1 ORDER BY at DESC, id DESC LIMIT $2`,
          [options.source ?? null, limit],
        );
        const list = rows.map((r) => ({
          id: Number(r.id),
          source: r.source,
          state: r.state,
          at: r.at.toISOString(),
          hits: r.hits,
          average: r.average,
          rule: r.rule,
          threshold: r.threshold,
          windowSeconds: r.window_seconds,
          mailedAt: r.mailed_at?.toISOString() ?? null,
          mailedTo: r.mailed_to ?? [],
        }));
        if (options.json) return printJson({ alerts: list });
        if (list.length === 0) return void process.stdout.write('no alerts recorded\n');
        process.stdout.write(
          `${formatTable(
            ['at (UTC)', 'source', 'state', 'hits', 'average', 'mailed to'],
            list.map((a) => [
              a.at,
              a.source,
              a.state,
              a.hits,
              Number(a.average.toFixed(2)),
              a.mailedTo.join(', ') || '-',
            ]),
          )}\n`,
        );
      } finally {
        await pool.end();
      }
    });
}
