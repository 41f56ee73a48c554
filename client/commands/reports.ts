// `herald reports list|show`: the stored reports with their counters, recipients and mail state,
// and exactly what a recipient read (`show LABEL --text` / `--html`).
import type { Command } from 'commander';
import { createPool } from '../../db/pool';
import { listReports, reportByLabel } from '../../db/reporting/reports';
import { UsageError, UserError } from '../errors';
import { formatTable, printJson, tableMinute, tableWidth, WIDE_HELP } from '../output';
import { parseOptionalTime, parsePositiveInt } from '../parse-options';

export function registerReportsCommands(program: Command): void {
  const reports = program.command('reports').description('stored reports and their mails');
  reports
    .command('list')
    .description('reports, newest first')
    .option('--group <name>', 'only this group')
    .option('--since <time>', 'only reports created at or after this time (RFC 3339 or a date)')
    .option('--limit <n>', 'at most this many', '50')
    .option('--wide', WIDE_HELP)
    .option('--json', 'print as JSON')
    .action(
      async (options: { group?: string; since?: string; limit: string; wide?: boolean; json?: boolean }) => {
        const limit = parsePositiveInt('--limit', options.limit);
        const sinceTime = parseOptionalTime('--since', options.since);
        const since = sinceTime === undefined ? undefined : new Date(sinceTime);
        const pool = createPool(undefined, 1);
        try {
          const list = await listReports(pool, { group: options.group, since, limit });
          if (options.json) return printJson({ reports: list });
          if (list.length === 0) return void process.stdout.write('no reports\n');
          process.stdout.write(
            `${formatTable(
              ['label', 'group', 'severity', 'type', 'ip', 'events', 'window end (UTC)', 'mail', 'to'],
              list.map((r) => [
                r.label,
                r.group,
                r.severity,
                r.type,
                r.ip ?? '-',
                r.counters.rep ?? 0,
                tableMinute(r.window.to),
                r.mail?.status ?? 'not mailed',
                r.mailTo.join(', ') || '-',
              ]),
              {
                width: tableWidth(options.wide),
                drop: ['type', 'window end (UTC)', 'events'],
                whole: ['label'],
              },
            )}\n`,
          );
        } finally {
          await pool.end();
        }
      },
    );
  reports
    .command('show <label>')
    .description('one report: facts and mail state; --text / --html print the mail as sent')
    .option('--text', 'print the plain-text part of the mail')
    .option('--html', 'print the HTML part of the mail')
    .option('--json', 'print everything as JSON')
    .action(async (label: string, options: { text?: boolean; html?: boolean; json?: boolean }) => {
      if ([options.text, options.html, options.json].filter(Boolean).length > 1)
        throw new UsageError('choose one of --text, --html and --json');
      const pool = createPool(undefined, 1);
      try {
        const report = await reportByLabel(pool, label);
        if (!report) throw new UserError(`no report labelled "${label}" (see herald reports list)`);
        if (options.json) return printJson(report);
        if (options.text || options.html) {
          const body = options.text ? report.text : report.html;
          if (body === null)
            throw new UserError(
              `report ${label} was stored but not mailed (no group wants it by mail, or no address)`,
            );
          return void process.stdout.write(body.endsWith('\n') ? body : `${body}\n`);
        }
        const facts: [string, string][] = [
          ['label', report.label],
          ['group', report.group],
          ['severity', report.severity],
          ['type', report.type + (report.ip ? ` (${report.ip})` : '')],
          ['window (UTC)', `${report.window.from} – ${report.window.to}`],
          ['events', String(report.counters.rep ?? 0)],
          ['parent', report.parentLabel ?? '-'],
          ['to', report.mailTo.join(', ') || '-'],
          ['cc', report.mailCc.join(', ') || '-'],
          ['subject', report.subject ?? '-'],
          [
            'mail',
            report.mail ? `${report.mail.status} after ${report.mail.attempts} attempt(s)` : 'not mailed',
          ],
          ['smtp', report.mail?.smtpResponse ?? '-'],
          [
            'attachments',
            report.attachments.map((a) => `${a.filename} (${a.bytes} bytes)`).join(', ') || '-',
          ],
        ];
        const width = Math.max(...facts.map(([k]) => k.length)) + 2;
        process.stdout.write(`${facts.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`).join('\n')}\n`);
      } finally {
        await pool.end();
      }
    });
}
