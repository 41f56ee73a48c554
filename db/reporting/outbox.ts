// report_outbox: one mail per row; `send` reads it, delivers it once and records the outcome.
import type pg from 'pg';
import { MAIL_LABEL_SQL } from '../access-log/alert-outbox';
import type { OutboxMail } from './outbox-rows';

export interface OutboxRow extends OutboxMail {
  id: number;
  /** `cancelled`: its run was cancelled before it went out (`herald cancel`); never sent. */
  status: 'pending' | 'accepted' | 'failed' | 'cancelled';
  attempts: number;
  smtpResponse: string | null;
  attachments: { filename: string; contentType: string; content: Buffer }[];
}

export async function loadOutboxRow(pool: pg.Pool, id: number): Promise<OutboxRow | null> {
  const { rows } = await pool.query<{
    id: number;
    message_id: string;
    to_addrs: string[];
    cc_addrs: string[];
    bcc_addrs: string[];
    subject: string;
    text_body: string;
    html_body: string;
    headers: Record<string, string>;
    status: OutboxRow['status'];
    attempts: number;
    smtp_response: string | null;
  }>('SELECT * FROM report_outbox WHERE id = $1', [id]);
  const r = rows[0];
  if (!r) return null;
  return {
    id: Number(r.id),
    messageId: r.message_id,
    to: r.to_addrs,
    cc: r.cc_addrs,
    bcc: r.bcc_addrs,
    subject: r.subject,
    text: r.text_body,
    html: r.html_body,
    headers: r.headers,
    status: r.status,
    attempts: r.attempts,
    smtpResponse: r.smtp_response,
    attachments: await loadAttachments(pool, Number(r.id)),
  };
}

async function loadAttachments(pool: pg.Pool, outboxId: number): Promise<OutboxRow['attachments']> {
  const { rows } = await pool.query<{ filename: string; content_type: string; content: Buffer }>(
    'SELECT filename, content_type, content FROM report_outbox_attachments WHERE outbox_id = $1 ORDER BY filename',
    [outboxId],
  );
  return rows.map((r) => ({ filename: r.filename, contentType: r.content_type, content: r.content }));
}

export async function markAttempt(pool: pg.Pool, id: number): Promise<void> {
  await pool.query(
    'UPDATE report_outbox SET attempts = attempts + 1, last_attempt_at = now() WHERE id = $1',
    [id],
  );
}

export async function markAccepted(
  pool: pg.Pool,
  id: number,
  response: string,
  queueId: string | null,
  acceptedAt: Date = new Date(),
): Promise<void> {
  await pool.query(
    `UPDATE report_outbox SET status = 'accepted', accepted_at = $4, smtp_response = $2, queue_id = $3,
            last_error = NULL
      WHERE id = $1`,
    [id, response, queueId, acceptedAt],
  );
}

export async function markFailed(
  pool: pg.Pool,
  id: number,
  error: string,
  permanent: boolean,
): Promise<void> {
  await pool.query(
    `UPDATE report_outbox SET last_error = $2, smtp_response = $2,
            status = CASE WHEN $3 THEN 'failed' ELSE status END,
            failed_at = CASE WHEN $3 THEN now() ELSE failed_at END
      WHERE id = $1`,
    [id, error, permanent],
  );
}

/**
 * The end of a severity run: its mails still pending were not delivered within the send's day of
 * retries (an MTA or a login refused that long). Nothing sends them after the run, so they become
 * `failed`, keeping the last answer, where `mail outbox --status failed` and `mail retry` find
 * them. A send attempt still running that SMTP accepts later overwrites this with `accepted`.
 */
export async function failUndeliveredMails(pool: pg.Pool, runId: string): Promise<number> {
  const { rowCount } = await pool.query(
    `UPDATE report_outbox o
        SET status = 'failed', failed_at = now(),
            last_error = 'not delivered before its run ended: ' || coalesce(o.last_error, 'no attempt finished')
       FROM reports r
      WHERE r.id = o.report_id AND r.run_id = $1 AND o.status = 'pending'`,
    [runId],
  );
  return rowCount ?? 0;
}

/**
 * Marks a cancelled run's mails without an outcome as `cancelled`. Accepted and failed rows keep
 * their outcome; a send still in flight that SMTP accepts later overwrites this with `accepted`.
 */
export async function cancelRunMails(pool: pg.Pool, runId: string): Promise<number> {
  const { rowCount } = await pool.query(
    `UPDATE report_outbox o
        SET status = 'cancelled', cancelled_at = now(),
            last_error = coalesce(o.last_error, 'run cancelled')
       FROM reports r
      WHERE r.id = o.report_id AND r.run_id = $1 AND o.status = 'pending'`,
    [runId],
  );
  return rowCount ?? 0;
}

/** The outbox rows of the given severity runs, counted by status. */
export async function outboxStatusOfRuns(
  pool: pg.Pool,
  runIds: readonly string[],
): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ status: string; n: number }>(
    `SELECT o.status, count(*)::int AS n FROM report_outbox o JOIN reports r ON r.id = o.report_id
      WHERE r.run_id = ANY($1::text[]) GROUP BY o.status ORDER BY o.status`,
    [runIds],
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

export interface OutboxListRow {
  id: number;
  label: string;
  group: string;
  messageId: string;
  status: OutboxRow['status'];
  attempts: number;
  to: string[];
  cc: string[];
  acceptedAt: string | null;
  queueId: string | null;
  smtpResponse: string | null;
  lastError: string | null;
  createdAt: string;
}

/** Outbox rows (report mails and alert mails), newest first, optionally of one status (`mail outbox`). */
export async function listOutbox(
  pool: pg.Pool,
  options: { status?: OutboxRow['status']; limit?: number } = {},
): Promise<OutboxListRow[]> {
  const { rows } = await pool.query<{
    id: string;
    label: string;
    group_name: string;
    message_id: string;
    status: OutboxRow['status'];
    attempts: number;
    to_addrs: string[];
    cc_addrs: string[];
    accepted_at: Date | null;
    queue_id: string | null;
    smtp_response: string | null;
    last_error: string | null;
    created_at: Date;
  }>(
    `SELECT o.id, ${MAIL_LABEL_SQL} AS label,
            coalesce(r.group_name, 'access-log:' || a.source) AS group_name,
            o.message_id, o.status, o.attempts, o.to_addrs, o.cc_addrs,
            o.accepted_at, o.queue_id, o.smtp_response, o.last_error, o.created_at
       FROM report_outbox o LEFT JOIN reports r ON r.id = o.report_id
            LEFT JOIN alerts a ON a.id = o.alert_id
      WHERE $1::text IS NULL OR o.status = $1
      ORDER BY o.id DESC LIMIT $2`,
    [options.status ?? null, options.limit ?? 100],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    label: r.label,
    group: r.group_name,
    messageId: r.message_id,
    status: r.status,
    attempts: r.attempts,
    to: r.to_addrs,
    cc: r.cc_addrs,
    acceptedAt: r.accepted_at?.toISOString() ?? null,
    queueId: r.queue_id,
    smtpResponse: r.smtp_response,
    lastError: r.last_error,
    createdAt: r.created_at.toISOString(),
  }));
}

/** What `herald status` shows of delivery: mails waiting, being retried, refused for good. */
export interface MailDeliveryState {
  pending: number;
  /** Pending mails whose last attempt did not go through (an outage, a refused login): retried. */
  retrying: number;
  /** Mails refused for good since `since`. */
  failedSince: number;
  /** The newest failed attempt among the retried mails. */
  lastError: { at: string; error: string } | null;
}

export async function mailDeliveryState(pool: pg.Pool, since: string): Promise<MailDeliveryState> {
  const { rows } = await pool.query<{
    pending: number;
    retrying: number;
    failed: number;
    last_at: Date | null;
    last_error: string | null;
  }>(
    `SELECT c.pending, c.retrying, c.failed, l.last_attempt_at AS last_at, l.last_error
       FROM (SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
                    count(*) FILTER (WHERE status = 'pending' AND last_error IS NOT NULL)::int AS retrying,
                    count(*) FILTER (WHERE status = 'failed' AND failed_at >= $1)::int AS failed
               FROM report_outbox WHERE status IN ('pending', 'failed')) c
       LEFT JOIN LATERAL (SELECT last_attempt_at, last_error FROM report_outbox
                           WHERE status = 'pending' AND last_error IS NOT NULL
                           ORDER BY last_attempt_at DESC NULLS LAST LIMIT 1) l ON true`,
    [since],
  );
  const r = rows[0]!;
  return {
    pending: r.pending,
    retrying: r.retrying,
    failedSince: r.failed,
    lastError: r.last_error === null ? null : { at: r.last_at?.toISOString() ?? '', error: r.last_error },
  };
}
