// `herald mail outbox|retry`: the report mails not yet delivered (or refused), and a way to send
// refused ones again once their address (or the MTA) is fixed: one label, or every failed mail,
// sent by the workers (client/reporting/mail-retry.ts).
import type { Command } from 'commander';
import { createPool } from '../../db/pool';
import { listOutbox } from '../../db/reporting/outbox';
import { failedMails, mailOfReport } from '../../db/reporting/outbox-retry';
import { UsageError, UserError } from '../errors';
import { formatTable, printJson, tableWidth, WIDE_HELP } from '../output';
import { parsePositiveInt } from '../parse-options';
import { type RetryOutcome, retryMails } from '../reporting/mail-retry';
import { withTemporal } from '../reporting/temporal';

const STATUSES = ['pending', 'accepted', 'failed', 'cancelled'] as const;

export function registerMailCommands(program: Command): void {
  const mail = program.command('mail').description('report mail delivery');
  mail
    .command('outbox')
    .description('mails in the outbox, newest first (default: those not accepted yet)')
    .option('--status <status>', 'pending, accepted or failed; "all" for every row')
    .option('--limit <n>', 'at most this many', '50')
    .option('--wide', WIDE_HELP)
    .option('--json', 'print as JSON')
    .action(async (options: { status?: string; limit: string; wide?: boolean; json?: boolean }) => {
      const limit = parsePositiveInt('--limit', options.limit);
      const status = options.status ?? 'unsent';
      if (status !== 'all' && status !== 'unsent' && !(STATUSES as readonly string[]).includes(status))
        throw new UsageError(`--status: expected pending, accepted, failed or all, got "${status}"`);
      const pool = createPool(undefined, 1);
      try {
        let rows = await listOutbox(pool, {
          status: (STATUSES as readonly string[]).includes(status)
            ? (status as (typeof STATUSES)[number])
            : undefined,
          limit,
        });
        if (status === 'unsent') rows = rows.filter((r) => r.status !== 'accepted');
        if (options.json) return printJson({ outbox: rows });
        if (rows.length === 0) return void process.stdout.write('outbox: nothing to show\n');
        process.stdout.write(
          `${formatTable(
            ['label', 'group', 'status', 'attempts', 'to', 'last answer'],
            rows.map((r) => [
              r.label,
              r.group,
              r.status,
              r.attempts,
              r.to.join(', '),
              r.smtpResponse ?? r.lastError ?? '-',
            ]),
            { width: tableWidth(options.wide), drop: ['attempts', 'group'], whole: ['label'] },
          )}\n`,
        );
      } finally {
        await pool.end();
      }
    });
  mail
    .command('retry [label]')
    .description(
      'send a refused (failed) report mail again now, through the workers (their rate limit and retries); --failed: every failed mail',
    )
    .option('--failed', 'every failed or cancelled mail (oldest first) instead of one label')
    .option('--group <name>', "with --failed: only this group's mails")
    .option('--limit <n>', 'with --failed: at most this many', '1000')
    .option('--json', 'print the outcome as JSON')
    .action(
      async (
        label: string | undefined,
        options: { failed?: boolean; group?: string; limit: string; json?: boolean },
      ) => {
        if ((label === undefined) === !options.failed)
          throw new UsageError('mail retry: give a report label or --failed, not both');
        if (!options.failed && options.group !== undefined)
          throw new UsageError('--group: only with --failed');
        const limit = parsePositiveInt('--limit', options.limit);
        const pool = createPool(undefined, 1);
        try {
          if (label !== undefined) {
            const mail = await mailOfReport(pool, label);
            if (!mail)
              throw new UserError(`no mail for report "${label}" (see herald mail outbox --status all)`);
            if (mail.status === 'accepted') throw new UserError(`report ${label} was already delivered`);
            const [outcome] = await withTemporal((client) => retryMails(client, [mail]));
            if (outcome!.status === 'not-delivered') throw new UserError(outcomeLine(outcome!));
            if (options.json) return printJson(outcome!.result);
            process.stdout.write(`${outcomeLine(outcome!)}\n`);
            return;
          }
          const mails = await failedMails(pool, { group: options.group, limit });
          const outcomes =
            mails.length === 0
              ? []
              : await withTemporal((client) =>
                  retryMails(client, mails, (batch) => {
                    if (!options.json) for (const o of batch) process.stdout.write(`${outcomeLine(o)}\n`);
                  }),
                );
          const undelivered = outcomes.filter((o) => o.status === 'not-delivered').length;
          // Stopped by --limit: the failed mails after these are still there (oldest first).
          const limited = mails.length === limit;
          if (options.json)
            printJson({
              retried: outcomes.length,
              undelivered,
              limited,
              outcomes: outcomes.map(outcomeJson),
            });
          else if (mails.length === 0) process.stdout.write('no failed mail to retry\n');
          else if (limited)
            process.stdout.write(
              `stopped at --limit ${limit}: more failed mails may be left; run it again\n`,
            );
          if (undelivered > 0) throw new UserError(`${undelivered} of ${mails.length} mails not delivered`);
        } finally {
          await pool.end();
        }
      },
    );
}

/** One retried mail as the command prints it. */
function outcomeLine(o: RetryOutcome): string {
  return o.status === 'not-delivered'
    ? `${o.label}: not delivered: ${o.error}`
    : `${o.label}: ${o.result.status} (${o.result.response ?? ''})`;
}

/** One retried mail in --json: by label, as the outbox lists it. */
function outcomeJson(o: RetryOutcome) {
  return o.status === 'not-delivered'
    ? { label: o.label, status: o.status, error: o.error }
    : { label: o.label, status: o.status, result: o.result };
}
