// `herald mail outbox|retry`: the report mails not yet delivered (or refused), and a way to send
// refused ones again once their address (or the MTA) is fixed: one label, or every failed mail.
import type { Command } from 'commander';
import type pg from 'pg';
import type { SendResult } from '../../activities/reporting/types';
import { config } from '../../config/env';
import { createPool } from '../../db/pool';
import { listOutbox } from '../../db/reporting/outbox';
import { UsageError, UserError } from '../errors';
import { formatTable, printJson } from '../output';

const STATUSES = ['pending', 'accepted', 'failed'] as const;
/** A report mail goes by its report's label, an alert mail by `alert-<id>` (alertMailLabel). */
const OUTBOX_LABEL = "coalesce(r.label, 'alert-' || o.alert_id)";

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
    .command('retry [label]')
    .description(
      'send a refused (failed) report mail again now, over HERALD_SMTP_URL; --failed: every failed mail',
    )
    .option('--failed', 'every failed mail (oldest first) instead of one label')
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
        const limit = Number(options.limit);
        if (!Number.isInteger(limit) || limit < 1)
          throw new UsageError(`--limit: expected a positive integer, got "${options.limit}"`);
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
          const env = config();
          const send = createSendActivity({
            pool,
            logger: pino({ level: 'silent' }),
            mail: { transport, from: env.HERALD_MAIL_FROM, domain: env.HERALD_MAIL_DOMAIN },
          });
          const retry = retryOne(pool, send);
          if (label !== undefined) {
            const outcome = await retry(await outboxRowOf(pool, label));
            if (outcome.status === 'not-delivered') throw new UserError(outcomeLine(outcome));
            if (options.json) return printJson(outcome.result);
            process.stdout.write(`${outcomeLine(outcome)}\n`);
            return;
          }
          const rows = await failedOutboxRows(pool, { group: options.group, limit });
          // The workers' rate limit holds for a bulk retry too: the MTA sees no more than it allows.
          const gapMs = env.HERALD_MAIL_RATE_PER_SECOND ? 1000 / env.HERALD_MAIL_RATE_PER_SECOND : 0;
          const outcomes: RetryOutcome[] = [];
          for (const [i, row] of rows.entries()) {
            if (i > 0 && gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
            const outcome = await retry(row);
            outcomes.push(outcome);
            if (!options.json) process.stdout.write(`${outcomeLine(outcome)}\n`);
          }
          const undelivered = outcomes.filter((o) => o.status === 'not-delivered').length;
          // Stopped by --limit: the failed mails after these are still there (oldest first).
          const limited = rows.length === limit;
          if (options.json) printJson({ retried: outcomes.length, undelivered, limited, outcomes });
          else if (rows.length === 0) process.stdout.write('no failed mail to retry\n');
          else if (limited)
            process.stdout.write(
              `stopped at --limit ${limit}: more failed mails may be left; run it again\n`,
            );
          if (undelivered > 0) throw new UserError(`${undelivered} of ${rows.length} mails not delivered`);
        } finally {
          transport.close();
          await pool.end();
        }
      },
    );
}

interface RetryRow {
  id: string;
  label: string;
  status: string;
}

type RetryOutcome =
  | { label: string; status: 'delivered'; result: SendResult }
  | { label: string; status: 'not-delivered'; error: string };

/** One retried mail as the command prints it. */
function outcomeLine(o: RetryOutcome): string {
  return o.status === 'not-delivered'
    ? `${o.label}: not delivered: ${o.error}`
    : `${o.label}: ${o.result.status} (${o.result.response ?? ''})`;
}

async function outboxRowOf(pool: pg.Pool, label: string): Promise<RetryRow> {
  const { rows } = await pool.query<RetryRow>(
    `SELECT o.id, ${OUTBOX_LABEL} AS label, o.status FROM report_outbox o LEFT JOIN reports r ON r.id = o.report_id
      WHERE ${OUTBOX_LABEL} = $1`,
    [label],
  );
  const row = rows[0];
  if (!row) throw new UserError(`no mail for report "${label}" (see herald mail outbox --status all)`);
  if (row.status === 'accepted') throw new UserError(`report ${label} was already delivered`);
  return row;
}

async function failedOutboxRows(
  pool: pg.Pool,
  filter: { group?: string; limit: number },
): Promise<RetryRow[]> {
  const { rows } = await pool.query<RetryRow>(
    `SELECT o.id, ${OUTBOX_LABEL} AS label, o.status FROM report_outbox o LEFT JOIN reports r ON r.id = o.report_id
      WHERE o.status = 'failed' AND ($1::text IS NULL OR r.group_name = $1) ORDER BY o.id LIMIT $2`,
    [filter.group ?? null, filter.limit],
  );
  return rows;
}

/** Sends one outbox row again through the send activity's code (same Message-ID, same records). */
function retryOne(pool: pg.Pool, send: (input: { outboxId: number }) => Promise<SendResult>) {
  return async (row: RetryRow): Promise<RetryOutcome> => {
    await pool.query("UPDATE report_outbox SET status = 'pending' WHERE id = $1", [row.id]);
    try {
      return { label: row.label, status: 'delivered', result: await send({ outboxId: Number(row.id) }) };
    } catch (error) {
      // A refused mail that a temporary error (a refused login, an outage) left pending again:
      // no run will send it, so it is failed again, with this attempt's answer, for the next
      // `mail retry`. (A mail that was pending still belongs to its run's retries.)
      if (row.status === 'failed')
        await pool.query("UPDATE report_outbox SET status = 'failed' WHERE id = $1 AND status = 'pending'", [
          row.id,
        ]);
      return { label: row.label, status: 'not-delivered', error: (error as Error).message };
    }
  };
}
