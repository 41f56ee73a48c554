// Stored reports as `reports list` and `reports show` print them.
import type pg from 'pg';
import type { ReportType } from '../../domain/reporting/labels';
import type { Severity } from '../../domain/reporting/severities';

/** A stored report as `reports list/show` print it: counters, window, recipients and mail state. */
export interface StoredReport {
  label: string;
  group: string;
  severity: Severity;
  type: ReportType;
  ip: string | null;
  parentLabel: string | null;
  window: { from: string; to: string };
  testData: boolean;
  counters: Record<string, number | null>;
  mailTo: string[];
  mailCc: string[];
  locale: string;
  timezone: string;
  template: string;
  createdAt: string;
  mail: {
    messageId: string;
    status: 'pending' | 'accepted' | 'failed';
    attempts: number;
    acceptedAt: string | null;
    smtpResponse: string | null;
    queueId: string | null;
    lastError: string | null;
  } | null;
}

export interface StoredReportDetail extends StoredReport {
  statistics: unknown;
  structuredData: unknown;
  filtering: unknown;
  subject: string | null;
  text: string | null;
  html: string | null;
  headers: Record<string, string> | null;
  attachments: { filename: string; contentType: string; bytes: number; events: number; omitted: number }[];
}

const REPORT_COLUMNS = `r.label, r.group_name, r.severity, r.type, abbrev(r.ip) AS ip, r.parent_label, r.window_from,
  r.window_to, r.flag_testdata, r.evcount_rep, r.evcount_all, r.evcount_new, r.evcount_flt, r.evcount_flt_blk,
  r.evcount_det, r.evcount_det_blk, r.evcount_thr, r.evcount_thr_blk, r.evcount_rlp, r.mail_to, r.mail_cc,
  r.locale, r.timezone, r.template, r.created_at, o.id AS outbox_id, o.message_id, o.status, o.attempts,
  o.accepted_at, o.smtp_response, o.queue_id, o.last_error`;

// biome-ignore lint/suspicious/noExplicitAny: a row of REPORT_COLUMNS
function storedReport(r: any): StoredReport {
  return {
    label: r.label,
    group: r.group_name,
    severity: r.severity,
    type: r.type,
    ip: r.ip,
    parentLabel: r.parent_label,
    window: { from: r.window_from.toISOString(), to: r.window_to.toISOString() },
    testData: r.flag_testdata,
    counters: {
      rep: r.evcount_rep,
      all: r.evcount_all,
      new: r.evcount_new,
      flt: r.evcount_flt,
      fltBlk: r.evcount_flt_blk,
      det: r.evcount_det,
      detBlk: r.evcount_det_blk,
      thr: r.evcount_thr,
      thrBlk: r.evcount_thr_blk,
      rlp: r.evcount_rlp,
    },
    mailTo: r.mail_to,
    mailCc: r.mail_cc,
    locale: r.locale,
    timezone: r.timezone,
    template: r.template,
    createdAt: r.created_at.toISOString(),
    mail:
      r.outbox_id === null
        ? null
        : {
            messageId: r.message_id,
            status: r.status,
            attempts: r.attempts,
            acceptedAt: r.accepted_at?.toISOString() ?? null,
            smtpResponse: r.smtp_response,
            queueId: r.queue_id,
            lastError: r.last_error,
          },
  };
}

export async function listReports(
  db: Pick<pg.Pool, 'query'>,
  filter: { group?: string; since?: Date; limit: number },
): Promise<StoredReport[]> {
  const { rows } = await db.query(
    `SELECT ${REPORT_COLUMNS} FROM reports r LEFT JOIN report_outbox o ON o.report_id = r.id
      WHERE ($1::text IS NULL OR r.group_name = $1) AND ($2::timestamptz IS NULL OR r.created_at >= $2)
      ORDER BY r.created_at DESC, r.id DESC LIMIT $3`,
    [filter.group ?? null, filter.since ?? null, filter.limit],
  );
  return rows.map(storedReport);
}

export async function reportByLabel(
  db: Pick<pg.Pool, 'query'>,
  label: string,
): Promise<StoredReportDetail | null> {
  const { rows } = await db.query(
    `SELECT ${REPORT_COLUMNS}, r.statistics, r.structured_data, r.filtering, o.subject, o.text_body, o.html_body,
            o.headers
       FROM reports r LEFT JOIN report_outbox o ON o.report_id = r.id WHERE r.label = $1`,
    [label],
  );
  const r = rows[0];
  if (!r) return null;
  const { rows: files } = await db.query<{
    filename: string;
    content_type: string;
    bytes: number;
    events: number;
    omitted: number;
  }>(
    `SELECT filename, content_type, octet_length(content) AS bytes, events, omitted
       FROM report_outbox_attachments WHERE outbox_id = $1 ORDER BY filename`,
    [r.outbox_id],
  );
  return {
    ...storedReport(r),
    statistics: r.statistics,
    structuredData: r.structured_data,
    filtering: r.filtering,
    subject: r.subject,
    text: r.text_body,
    html: r.html_body,
    headers: r.headers,
    attachments: files.map((f) => ({
      filename: f.filename,
      contentType: f.content_type,
      bytes: f.bytes,
      events: f.events,
      omitted: f.omitted,
    })),
  };
}
