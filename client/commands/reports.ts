// `herald reports list|show`: the stored reports with their counters, recipients and mail state,
// and exactly what a recipient read (`show LABEL --text` / `--html`).
import type { Command } from 'commander';
import type pg from 'pg';
import { createPool } from '../../db/pool';
import { reportAttachmentFile } from '../../db/reporting/outbox-attachments';
import { listReports, reportByLabel } from '../../db/reporting/stored-reports';
import { type ReportStatistics, STATISTICS_KEYS } from '../../domain/reporting/report-statistics';
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
    .option('--attachment [file]', "write the mail's attachment (or this one of its files) to stdout")
    .action(
      async (
        label: string,
        options: { text?: boolean; html?: boolean; json?: boolean; attachment?: string | true },
      ) => {
        if ([options.text, options.html, options.json, options.attachment].filter(Boolean).length > 1)
          throw new UsageError('choose one of --text, --html, --json and --attachment');
        const pool = createPool(undefined, 1);
        try {
          if (options.attachment) return await writeAttachment(pool, label, options.attachment);
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
          facts.push(...statisticsFacts(report.statistics));
          const width = Math.max(...facts.map(([k]) => k.length)) + 2;
          process.stdout.write(`${facts.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`).join('\n')}\n`);
        } finally {
          await pool.end();
        }
      },
    );
}

/** The report's statistics, one line per key: the values with the most events first. */
function statisticsFacts(statistics: unknown): [string, string][] {
  const stats = statistics as Partial<ReportStatistics> | null;
  if (!stats || stats.cnt_events === undefined) return [];
  const facts: [string, string][] = [['counted events', String(stats.cnt_events)]];
  for (const key of STATISTICS_KEYS) {
    const counts = Object.entries(stats[key] ?? {});
    if (counts.length === 0) continue;
    const shown = counts.slice(0, 10).map(([value, n]) => `${value} ${n}`);
    facts.push([key, shown.join(', ') + (counts.length > 10 ? ` and ${counts.length - 10} more` : '')]);
  }
  return facts;
}

async function writeAttachment(pool: pg.Pool, label: string, file: string | true): Promise<void> {
  const { files, content } = await reportAttachmentFile(pool, label, file === true ? undefined : file);
  if (content === null) {
    if (files.length === 0)
      throw new UserError(`report ${label} has no attachment (see herald reports show ${label})`);
    throw new UserError(
      file === true
        ? `report ${label} has ${files.length} attachments; name one: --attachment ${files.join(' | --attachment ')}`
        : `report ${label} has no attachment "${file}"; it has ${files.join(', ')}`,
    );
  }
  await new Promise<void>((resolve, reject) =>
    process.stdout.write(content, (e) => (e ? reject(e) : resolve())),
  );
}
