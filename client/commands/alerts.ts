// `herald alerts list`: the alert transitions access-log monitors recorded (table `alerts`), each
// with its mail's delivery from the outbox: accepted, pending (being retried) or refused with the
// SMTP server's answer. A refused alert mail goes out again with `herald mail retry alert-<id>`.
import type { Command } from 'commander';
import { listAlerts } from '../../db/access-log/alert-outbox';
import { createPool } from '../../db/pool';
import { formatTable, printJson, tableTime, tableWidth, WIDE_HELP } from '../output';
import { parsePositiveInt } from '../parse-options';

export function registerAlertsCommands(program: Command): void {
  const alerts = program.command('alerts').description('access-log alerts');
  alerts
    .command('list')
    .description('recorded alert and recovery transitions with their mail delivery, newest first')
    .option('--source <name>', 'only this log source')
    .option('--limit <n>', 'at most this many', '50')
    .option('--wide', WIDE_HELP)
    .option('--json', 'print as JSON')
    .action(async (options: { source?: string; limit: string; wide?: boolean; json?: boolean }) => {
      const limit = parsePositiveInt('--limit', options.limit);
      const pool = createPool(undefined, 1);
      try {
        const list = await listAlerts(pool, { source: options.source, limit });
        if (options.json) return printJson({ alerts: list });
        if (list.length === 0) return void process.stdout.write('no alerts recorded\n');
        process.stdout.write(
          `${formatTable(
            ['at (UTC)', 'source', 'state', 'hits', 'average', 'mail', 'to', 'SMTP answer'],
            list.map((a) => [
              tableTime(a.at),
              a.source,
              a.state,
              a.hits,
              Number(a.average.toFixed(2)),
              a.mail ? `${a.mail.label} ${a.mail.status}` : '-',
              a.mail?.to.join(', ') || '-',
              (a.mail?.smtpResponse ?? a.mail?.lastError ?? '-').slice(0, 60),
            ]),
            { width: tableWidth(options.wide), drop: ['average'] },
          )}\n`,
        );
      } finally {
        await pool.end();
      }
    });
}
