// The outbox rows `herald mail retry` picks and sends again: one by report label, or the failed
// and cancelled ones oldest first (a cancelled run's unsent mails: docs/run-kinds.md). Such a row
// is reopened (pending) for the send activity, which refuses them otherwise, and failed if the
// retry does not deliver it either.
import type pg from 'pg';
import { MAIL_LABEL_SQL } from '../access-log/alert-outbox';

export interface RetryableMail {
  outboxId: number;
  label: string;
  status: string;
}

/** The outbox row of the report with this label, or null when it has no mail. */
export async function mailOfReport(pool: pg.Pool, label: string): Promise<RetryableMail | null> {
  const { rows } = await pool.query<{ id: string; label: string; status: string }>(
    `SELECT o.id, ${MAIL_LABEL_SQL} AS label, o.status FROM report_outbox o LEFT JOIN reports r ON r.id = o.report_id
      WHERE ${MAIL_LABEL_SQL} = $1`,
    [label],
  );
  const row = rows[0];
  return row ? { outboxId: Number(row.id), label: row.label, status: row.status } : null;
}

/** Failed and cancelled mails, oldest first; only one group's with `group`. */
export async function failedMails(
  pool: pg.Pool,
  filter: { group?: string; limit: number },
): Promise<RetryableMail[]> {
  const { rows } = await pool.query<{ id: string; label: string; status: string }>(
    `SELECT o.id, ${MAIL_LABEL_SQL} AS label, o.status FROM report_outbox o LEFT JOIN reports r ON r.id = o.report_id
      WHERE o.status IN ('failed', 'cancelled') AND ($1::text IS NULL OR r.group_name = $1)
      ORDER BY o.id LIMIT $2`,
    [filter.group ?? null, filter.limit],
  );
  return rows.map((r) => ({ outboxId: Number(r.id), label: r.label, status: r.status }));
}

/** Makes a mail not yet accepted sendable again (the send activity skips accepted ones itself). */
export async function reopenMail(pool: pg.Pool, outboxId: number): Promise<void> {
  await pool.query("UPDATE report_outbox SET status = 'pending' WHERE id = $1 AND status <> 'accepted'", [
    outboxId,
  ]);
}

/**
 * A mail that had failed or been cancelled before and that the retry left pending (a temporary
 * error) is failed: no run would send it. A mail that never failed still belongs to its run's
 * retries.
 */
export async function refailMail(pool: pg.Pool, outboxId: number): Promise<void> {
  await pool.query(
    `UPDATE report_outbox SET status = 'failed', failed_at = coalesce(failed_at, now())
      WHERE id = $1 AND status = 'pending' AND (failed_at IS NOT NULL OR cancelled_at IS NOT NULL)`,
    [outboxId],
  );
}
