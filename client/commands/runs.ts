// `herald runs list`: reporting runs from Temporal visibility and the report_runs ledger.
import type { Command } from 'commander';
import { createPool } from '../../db/pool';
import { listRuns } from '../operations/runs';
import { withOperatorClient } from '../operations/temporal';
import { formatTable, paint, printJson, tableTime, tableWidth, tableWindow, WIDE_HELP } from '../output';
import { parseOptionalTime, parsePositiveInt } from '../parse-options';

const STATUS_STYLE: Record<string, Parameters<typeof paint>[0]> = {
  RUNNING: 'cyan',
  COMPLETED: 'green',
  FAILED: 'red',
  TIMED_OUT: 'red',
  TERMINATED: 'yellow',
  CANCELLED: 'yellow',
};

export function registerRunsCommands(program: Command): void {
  const runs = program.command('runs').description('reporting runs (group, severity and re-run workflows)');
  runs
    .command('list')
    .description('runs, newest first, with status, window and counters')
    .option('--group <name>', 'only this group')
    .option('--since <time>', 'only runs started (or completed) since this time (RFC 3339 or a date)')
    .option('--limit <n>', 'at most this many', '100')
    .option('--wide', WIDE_HELP)
    .option('--json', 'print as JSON')
    .action(async (o: { group?: string; since?: string; limit: string; wide?: boolean; json?: boolean }) => {
      const limit = parsePositiveInt('--limit', o.limit);
      const since = parseOptionalTime('--since', o.since);
      const pool = createPool(undefined, 2);
      try {
        const list = await withOperatorClient((client) =>
          listRuns(client, pool, { group: o.group, since, limit }),
        );
        if (o.json) return printJson({ runs: list });
        if (list.length === 0) return void process.stdout.write('no runs\n');
        process.stdout.write(
          `${formatTable(
            ['started (UTC)', 'workflow', 'kind', 'status', 'window', 'processed', 'new', 'reports'],
            list.map((r) => [
              tableTime(r.startTime ?? r.closeTime ?? ''),
              r.workflowId,
              r.runKind ?? '-',
              paint(STATUS_STYLE[r.status] ?? 'white', r.status.toLowerCase()),
              r.window ? tableWindow(r.window) : '-',
              r.counters?.all ?? '-',
              r.counters?.new ?? '-',
              r.reports ?? '-',
            ]),
            {
              width: tableWidth(o.wide),
              drop: ['processed', 'started (UTC)', 'kind', 'window'],
              whole: ['workflow'],
            },
          )}\n`,
        );
      } finally {
        await pool.end();
      }
    });
}
