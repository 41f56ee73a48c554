// `herald mail outbox|retry`: the report mails not yet delivered (or refused), and a way to send a
// refused one again once its address is fixed.
import type { Command } from 'commander';
import { config } from '../../config/env';
import { createPool } from '../../db/pool';
import { listOutbox } from '../../db/reporting/outbox';
import { UsageError, UserError } from '../errors';
import { formatTable, printJson } from '../output';

const STATUSES = ['pending', 'accepted', 'failed'] as const;

export function registerMailCommands(program: Command): void {
  const mail = program.command('mail').description('report mail delivery');
  mail
    .command('outbox')
    .description('mails in the outbox, newest first (default: those not accepted yet)')
    .option('--status <status>', 'pending, accepted or failed; "all" for every row')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print as JSON')
    .action(async (options: { status?: string; limit: string; json?: boolean }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new UsageError(`--limit: expected a positive integer, got "${options.limit}"`);
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
              (r.smtpResponse ?? r.lastError ?? '-').slice(0, 60),
            ]),
          )}\n`,
        );
      } finally {
        await pool.end();
      }
    });
  mail
    .command('retry <label>')
    .description('send a refused (failed) report mail again now, over HERALD_SMTP_URL')
    .option('--json', 'print the outcome as JSON')
    .action(async (label: string, options: { json?: boolean }) => {
      // Loaded here, not at start-up: every other command stays as quick to start as before.
      const [{ default: nodemailer }, { default: pino }, { createSendActivity }, { smtpUrl }] =
        await Promise.all([
          import('nodemailer'),
          import('pino'),
          import('../../activities/reporting/send'),
          import('../../worker/mail-transport'),
        ]);
      const pool = createPool(undefined, 1);
      const transport = nodemailer.createTransport(smtpUrl());
      try {
        const { rows } = await pool.query<{ id: string; status: string }>(
          'SELECT o.id, o.status FROM report_outbox o JOIN reports r ON r.id = o.report_id WHERE r.label = $1',
          [label],
        );
        const row = rows[0];
        if (!row) throw new UserError(`no mail for report "${label}" (see herald mail outbox --status all)`);
        if (row.status === 'accepted') throw new UserError(`report ${label} was already delivered`);
        await pool.query("UPDATE report_outbox SET status = 'pending' WHERE id = $1", [row.id]);
        const env = config();
        const send = createSendActivity({
          pool,
          logger: pino({ level: 'silent' }),
          mail: { transport, from: env.HERALD_MAIL_FROM, domain: env.HERALD_MAIL_DOMAIN },
        });
        try {
          const result = await send({ outboxId: Number(row.id) });
          if (options.json) return printJson(result);
          process.stdout.write(`${label}: ${result.status} (${result.response ?? ''})\n`);
        } catch (error) {
          // A refused mail that a temporary error (a refused login, an outage) left pending again:
          // no run will send it, so it is failed again, with this attempt's answer, for the next
          // `mail retry`. (A mail that was pending still belongs to its run's retries.)
          if (row.status === 'failed')
            await pool.query(
              "UPDATE report_outbox SET status = 'failed' WHERE id = $1 AND status = 'pending'",
              [row.id],
            );
          throw new UserError(`${label}: not delivered: ${(error as Error).message}`);
        }
      } finally {
        transport.close();
        await pool.end();
      }
    });
}
