// Alert mails in report_outbox (kind 'alert'): queued once per alert with a stable Message-ID, then
// delivered by the reporting send activity on the mail task queue like any report mail. What SMTP
// answered stays on the row, which `alerts list` shows next to the alert.
import type pg from 'pg';
import type { AccessLogAlertMail } from '../../emails/access-log-alert';

export const alertMessageId = (alertId: number, domain: string) => `<access-log-alert-${alertId}@${domain}>`;

export interface AlertForMail extends AccessLogAlertMail {
  id: number;
  recipients: string[];
}

/** The columns of `alerts` both the mail and `alerts list` read. */
const ALERT_COLUMNS =
  'a.id, a.source, a.state, a.at, a.hits, a.average, a.rule, a.threshold, a.window_seconds';

interface AlertColumns {
  id: string;
  source: string;
  state: 'alert' | 'recovered';
  at: Date;
  hits: number;
  average: number;
  rule: string;
  threshold: number;
  window_seconds: number;
}

function alertOf(r: AlertColumns) {
  return {
    id: Number(r.id),
    source: r.source,
    state: r.state,
    at: r.at.toISOString(),
    hits: r.hits,
    average: r.average,
    rule: r.rule,
    threshold: r.threshold,
    windowSeconds: r.window_seconds,
  };
}

export async function loadAlertForMail(pool: pg.Pool, alertId: number): Promise<AlertForMail | null> {
  const { rows } = await pool.query<AlertColumns & { recipients: string[] | null }>(
    `SELECT ${ALERT_COLUMNS}, s.recipients
       FROM alerts a LEFT JOIN monitor_sources s ON s.source = a.source WHERE a.id = $1`,
    [alertId],
  );
  const r = rows[0];
  if (!r) return null;
  return { ...alertOf(r), recipients: r.recipients ?? [] };
}

/** The alert's outbox row, created on first call (a retried activity gets the same row). */
export async function queueAlertMail(
  pool: pg.Pool,
  mail: {
    alertId: number;
    messageId: string;
    to: string[];
    subject: string;
    text: string;
    html: string;
    headers: Record<string, string>;
  },
): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    `WITH inserted AS (
       INSERT INTO report_outbox (kind, alert_id, message_id, to_addrs, subject, text_body, html_body, headers)
       VALUES ('alert', $1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (alert_id) DO NOTHING
       RETURNING id)
     SELECT id FROM inserted
     UNION ALL
     SELECT id FROM report_outbox WHERE alert_id = $1
     LIMIT 1`,
    [mail.alertId, mail.messageId, mail.to, mail.subject, mail.text, mail.html, mail.headers],
  );
  return Number(rows[0]!.id);
}

/**
 * An alert mail still pending when its delivery gave up (retried for a day): failed, keeping the
 * last answer, where `mail retry` finds it.
 */
export async function failUndeliveredAlertMail(pool: pg.Pool, outboxId: number): Promise<void> {
  await pool.query(
    `UPDATE report_outbox
        SET status = 'failed', failed_at = now(),
            last_error = 'not delivered before its delivery gave up: ' || coalesce(last_error, 'no attempt finished')
      WHERE id = $1 AND kind = 'alert' AND status = 'pending'`,
    [outboxId],
  );
}

export interface AlertListRow {
  id: number;
  source: string;
  state: string;
  at: string;
  hits: number;
  average: number;
  rule: string;
  threshold: number;
  windowSeconds: number;
  /** The alert mail: null when the source had no recipients (or the mail is not queued yet). */
  mail: {
    label: string;
    messageId: string;
    status: string;
    attempts: number;
    to: string[];
    acceptedAt: string | null;
    smtpResponse: string | null;
    lastError: string | null;
  } | null;
}

/** Alerts newest first, each with its mail's delivery as recorded in the outbox. */
export async function listAlerts(
  pool: pg.Pool,
  options: { source?: string; limit: number },
): Promise<AlertListRow[]> {
  const { rows } = await pool.query(
    `SELECT ${ALERT_COLUMNS},
            o.message_id, o.status, o.attempts, o.to_addrs, o.accepted_at, o.smtp_response, o.last_error
       FROM alerts a LEFT JOIN report_outbox o ON o.alert_id = a.id
      WHERE $1::text IS NULL OR a.source = $1
      ORDER BY a.at DESC, a.id DESC LIMIT $2`,
    [options.source ?? null, options.limit],
  );
  return rows.map((r) => ({
    ...alertOf(r),
    mail:
      r.message_id === null
        ? null
        : {
            label: alertMailLabel(Number(r.id)),
            messageId: r.message_id,
            status: r.status,
            attempts: r.attempts,
            to: r.to_addrs,
            acceptedAt: r.accepted_at?.toISOString() ?? null,
            smtpResponse: r.smtp_response,
            lastError: r.last_error,
          },
  }));
}

/** How `mail outbox` and `mail retry` name an alert's mail (reports go by their label). */
export const alertMailLabel = (alertId: number) => `alert-${alertId}`;

/** The same name in SQL, over `report_outbox o LEFT JOIN reports r`. */
export const MAIL_LABEL_SQL = "coalesce(r.label, 'alert-' || o.alert_id)";
