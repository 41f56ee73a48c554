// reports, report_events and report_outbox rows, written by the render step in one transaction.
import type pg from 'pg';
import type { Counters } from '../../domain/reporting/chains';
import type { EventAggregateRow } from '../../domain/reporting/event-aggregates';
import type { ReportType } from '../../domain/reporting/labels';
import { type ReportIdentity, reportKey, reportLabel } from '../../domain/reporting/labels';
import type { AttachmentWishes } from '../../domain/reporting/report-attachments';
import type { Severity } from '../../domain/reporting/severities';
import type { Pass } from '../../domain/reporting/threshold-key';
import { copyRows } from './copy-rows';

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

/** The identity's label, skipping candidates already taken by another report (see labels.ts). */
export async function freeLabel(client: pg.PoolClient, identity: ReportIdentity): Promise<string> {
  const key = reportKey(identity);
  for (let attempt = 0; ; attempt++) {
    const label = reportLabel(identity, attempt);
    const { rows } = await client.query<{ report_key: string }>(
      'SELECT report_key FROM reports WHERE label = $1',
      [label],
    );
    if (rows.length === 0 || rows[0]?.report_key === key) return label;
  }
}

export interface NewReport {
  label: string;
  reportKey: string;
  runId: string;
  group: string;
  severity: Severity;
  type: ReportType;
  pass: Pass;
  chain: readonly string[];
  fallback: readonly string[];
  ip: string | null;
  parentLabel: string | null;
  windowFrom: Date;
  windowTo: Date;
  testData: boolean;
  counters: Partial<Counters>;
  filtering: Record<string, number>;
  mailGroups: string[];
  to: string[];
  cc: string[];
  locale: string;
  timezone: string;
  template: string;
  statistics: unknown;
  structuredData: unknown;
}

export async function insertReport(client: pg.PoolClient, r: NewReport): Promise<number> {
  const c = r.counters;
  const { rows } = await client.query<{ id: number }>(
    `INSERT INTO reports (label, report_key, run_id, group_name, severity, type, chain, fallback, ip, parent_label,
        window_from, window_to, delta_seconds, flag_testdata, evcount_rep, evcount_all, evcount_new, evcount_flt,
        evcount_flt_blk, evcount_det, evcount_det_blk, evcount_thr, evcount_thr_blk, evcount_rlp, filtering,
        mail_groups, mail_to, mail_cc, locale, timezone, template, statistics, structured_data)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28,$29,$30,$31,$32,$33)
     RETURNING id`,
    [
      r.label,
      r.reportKey,
      r.runId,
      r.group,
      r.severity,
      r.type,
      r.chain,
      r.fallback,
      r.ip,
      r.parentLabel,
      r.windowFrom,
      r.windowTo,
      Math.round((r.windowTo.getTime() - r.windowFrom.getTime()) / 1000),
      r.testData,
      c.rep ?? 0,
      c.all ?? 0,
      c.new ?? null,
      c.flt ?? null,
      c.fltBlk ?? null,
      c.det ?? null,
      c.detBlk ?? null,
      c.thr ?? null,
      c.thrBlk ?? null,
      c.rlp ?? null,
      JSON.stringify(r.filtering),
      r.mailGroups,
      r.to,
      r.cc,
      r.locale,
      r.timezone,
      r.template,
      JSON.stringify(r.statistics),
      JSON.stringify(r.structuredData),
    ],
  );
  return Number(rows[0]!.id);
}

/** The report's events straight from the staged hits (never through the process). */
export async function insertReportEvents(
  client: pg.PoolClient,
  reportId: number,
  sel: {
    runId: string;
    pass: Pass;
    chain: readonly string[];
    fallback: readonly string[];
    ip: string | null;
  },
): Promise<number> {
  const { rowCount } = await client.query(
    `INSERT INTO report_events (report_id, event_id, storage_time, ip, relapsed)
     SELECT $1, event_id, min(storage_time), ip, bool_and(relapsed)
       FROM report_staged_hits
      WHERE run_id = $2 AND pass = $3 AND chain = $4::text[] AND fallback = $5::text[] AND stage = 'passed'
        AND ($6::inet IS NULL OR ip = $6::inet)
      GROUP BY event_id, ip
     ON CONFLICT DO NOTHING`,
    [reportId, sel.runId, sel.pass, sel.chain, sel.fallback, sel.ip],
  );
  return rowCount ?? 0;
}

export interface ReportEventRow {
  reportId: number;
  eventId: string;
  storageTime: string;
  ip: string;
  relapsed: boolean;
}

/**
 * Report events computed in the worker, with COPY: the report was inserted in this transaction and
 * the rows are one per (event, IP), so none can be there already.
 */
export async function insertReportEventRows(
  client: pg.PoolClient,
  rows: readonly ReportEventRow[],
): Promise<number> {
  return copyRows(
    client,
    { table: 'report_events', columns: ['report_id', 'event_id', 'storage_time', 'ip', 'relapsed'] },
    rows,
    (r) => [r.reportId, r.eventId, r.storageTime, r.ip, r.relapsed],
  );
}

export interface NewOutboxRow {
  reportId: number;
  messageId: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  attachment?: OutboxAttachment | null;
}

export interface OutboxAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
  events: number;
  omitted: number;
}

export async function insertOutbox(client: pg.PoolClient, o: NewOutboxRow): Promise<number> {
  const { rows } = await client.query<{ id: number }>(
    `INSERT INTO report_outbox (report_id, message_id, to_addrs, cc_addrs, bcc_addrs, subject, text_body, html_body, headers)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id`,
    [o.reportId, o.messageId, o.to, o.cc, o.bcc, o.subject, o.text, o.html, JSON.stringify(o.headers)],
  );
  const id = Number(rows[0]!.id);
  if (o.attachment)
    await client.query(
      `INSERT INTO report_outbox_attachments (outbox_id, filename, content_type, content, events, omitted)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        id,
        o.attachment.filename,
        o.attachment.contentType,
        o.attachment.content,
        o.attachment.events,
        o.attachment.omitted,
      ],
    );
  return id;
}

/** A group's attachment wishes (Mentat's attachments/compress/max_attachment_size). */
export type AttachmentSettings = AttachmentWishes;

export async function loadAttachmentSettings(
  db: Pick<pg.PoolClient, 'query'>,
  groups: readonly string[],
): Promise<Map<string, AttachmentSettings>> {
  const { rows } = await db.query<{
    name: string;
    attachments: AttachmentWishes['attachments'];
    attachments_compress: AttachmentWishes['compress'];
    max_attachment_bytes: string;
  }>(
    `SELECT g.name, s.attachments, s.attachments_compress, s.max_attachment_bytes
       FROM groups g JOIN group_settings s ON s.group_id = g.id WHERE g.name = ANY($1)`,
    [groups],
  );
  return new Map(
    rows.map((r) => [
      r.name,
      {
        attachments: r.attachments,
        compress: r.attachments_compress,
        maxBytes: Number(r.max_attachment_bytes),
      },
    ]),
  );
}

/** Catalog labels and reference links of event classes. */
export async function loadClassInfo(
  db: Pick<pg.PoolClient, 'query'>,
  names: readonly string[],
): Promise<Record<string, { en: string; cs: string; reference: string | null }>> {
  if (names.length === 0) return {};
  const { rows } = await db.query<{
    name: string;
    label_en: string;
    label_cs: string;
    reference: string | null;
  }>('SELECT name, label_en, label_cs, reference FROM event_classes WHERE name = ANY($1)', [names]);
  return Object.fromEntries(
    rows.map((r) => [r.name, { en: r.label_en, cs: r.label_cs, reference: r.reference }]),
  );
}

/** Per (pass, relapsed, chain, fallback, ip, class): what a report body shows about the events. */
export type { EventAggregateRow } from '../../domain/reporting/event-aggregates';

export async function aggregateRunEvents(
  client: pg.PoolClient,
  runId: string,
  scope: { group: string; severity: Severity },
): Promise<EventAggregateRow[]> {
  const { rows } = await client.query<{
    pass: Pass;
    relapsed: boolean;
    chain: string[];
    fallback: string[];
    ip: string;
    whole_class: string;
    count: number;
    first_time: Date;
    last_time: Date;
    detectors: string[] | null;
    conn_count: string | number | null;
    reference: string | null;
    ports: string[] | null;
    protocols: string[] | null;
    earlier_label: string | null;
  }>(
    `SELECT h.pass, h.relapsed, h.chain, h.fallback, h.ip,
            left(h.threshold_key, length(h.threshold_key) - length(split_part(h.threshold_key, '+++', -1)) - 3) AS whole_class,
            count(*)::int AS count,
            min(coalesce(e.event_time, e.detect_time)) AS first_time,
            max(coalesce(e.cease_time, e.event_time, e.detect_time)) AS last_time,
            (SELECT array_agg(DISTINCT d ORDER BY d) FROM unnest(array_agg(e.node_names[array_length(e.node_names, 1)])) d) AS detectors,
            sum(CASE WHEN (e.event->>'ConnCount') ~ '^[0-9]+$' THEN (e.event->>'ConnCount')::bigint ELSE 0 END) AS conn_count,
            max(c.reference) AS reference,
            (SELECT array_agg(DISTINCT p) FROM unnest(array_agg(jsonb_path_query_array(e.event,
                '$.Target[*].Port[*]'))) a(arr),
                jsonb_array_elements_text(a.arr) p) AS ports,
            (SELECT array_agg(DISTINCT lower(p)) FROM unnest(array_agg(jsonb_path_query_array(e.event,
                '$.Source[*].Proto[*]'))) a(arr), jsonb_array_elements_text(a.arr) p) AS protocols,
            max(t.report_label) FILTER (WHERE h.relapsed) AS earlier_label
       FROM report_staged_hits h
       JOIN events e ON e.id = h.event_id AND e.storage_time = h.storage_time
       LEFT JOIN event_classes c ON c.name = split_part(h.threshold_key, '/', 1)
       LEFT JOIN report_thresholds t
         ON t.group_name = $2 AND t.severity = $3 AND t.pass = h.pass AND t.key = h.threshold_key
      WHERE h.run_id = $1 AND h.stage = 'passed'
      GROUP BY h.pass, h.relapsed, h.chain, h.fallback, h.ip, whole_class`,
    [runId, scope.group, scope.severity],
  );
  return rows.map((r) => ({
    pass: r.pass,
    relapsed: r.relapsed,
    chain: r.chain,
    fallback: r.fallback,
    ip: r.ip,
    wholeClass: r.whole_class,
    count: r.count,
    firstTime: r.first_time.toISOString(),
    lastTime: r.last_time.toISOString(),
    detectors: r.detectors ?? [],
    connCount: Number(r.conn_count ?? 0),
    reference: r.reference,
    ports: r.ports ?? [],
    protocols: r.protocols ?? [],
    earlierLabel: r.earlier_label,
  }));
}

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

const REPORT_COLUMNS = `r.label, r.group_name, r.severity, r.type, host(r.ip) AS ip, r.parent_label, r.window_from,
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
