// report_outbox: one mail per row; `send` reads it, delivers it once and records the outcome.
import type pg from 'pg';

export interface OutboxRow {
  id: number;
  messageId: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  status: 'pending' | 'accepted' | 'failed';
  attempts: number;
  smtpResponse: string | null;
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
  };
}

export async function markAttempt(pool: pg.Pool, id: number): Promise<void> {
  await pool.query(
    'UPDATE report_outbox SET attempts = attempts + 1, last_attempt_at = now() WHERE id = $1',
    [id],
  );
}

export async function markAccepted(pool: pg.Pool, id: number, response: string): Promise<void> {
  await pool.query(
    `UPDATE report_outbox SET status = 'accepted', accepted_at = now(), smtp_response = $2, last_error = NULL
      WHERE id = $1`,
    [id, response],
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
            status = CASE WHEN $3 THEN 'failed' ELSE status END
      WHERE id = $1`,
    [id, error, permanent],
  );
}
