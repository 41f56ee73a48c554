// The reports a severity run stored, with their outbox rows: what a repeated step returns and
// what the ledger lists.
import type pg from 'pg';
import type { ReportType } from '../../domain/reporting/labels';

export interface StoredReportSummary {
  id: number;
  label: string;
  type: ReportType;
  ip: string | null;
  to: string[];
  cc: string[];
  outboxId: number | null;
}

/** Reports of a run (in creation order) with their outbox rows: what a repeated render returns. */
export async function reportsOfRun(
  db: Pick<pg.PoolClient, 'query'>,
  runId: string,
): Promise<StoredReportSummary[]> {
  const { rows } = await db.query<{
    id: number;
    label: string;
    type: ReportType;
    ip: string | null;
    mail_to: string[];
    mail_cc: string[];
    outbox_id: number | null;
  }>(
    `SELECT r.id, r.label, r.type, r.ip, r.mail_to, r.mail_cc, o.id AS outbox_id
       FROM reports r LEFT JOIN report_outbox o ON o.report_id = r.id
      WHERE r.run_id = $1 ORDER BY r.id`,
    [runId],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    label: r.label,
    type: r.type,
    ip: r.ip,
    to: r.mail_to,
    cc: r.mail_cc,
    outboxId: r.outbox_id === null ? null : Number(r.outbox_id),
  }));
}
