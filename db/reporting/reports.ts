// reports, report_events and report_outbox rows, written by the render step in one transaction.
import type pg from 'pg';
import type { Counters } from '../../domain/reporting/chains';
import type { ReportType } from '../../domain/reporting/labels';
import { type ReportIdentity, reportKey, reportLabel } from '../../domain/reporting/labels';
import type { Severity } from '../../domain/reporting/severities';
import type { Pass } from '../../domain/reporting/threshold-key';

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
}

export async function insertOutbox(client: pg.PoolClient, o: NewOutboxRow): Promise<number> {
  const { rows } = await client.query<{ id: number }>(
    `INSERT INTO report_outbox (report_id, message_id, to_addrs, cc_addrs, bcc_addrs, subject, text_body, html_body, headers)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id`,
    [o.reportId, o.messageId, o.to, o.cc, o.bcc, o.subject, o.text, o.html, JSON.stringify(o.headers)],
  );
  return Number(rows[0]!.id);
}

/** Per (pass, relapsed, chain, fallback, ip, class): what a report body shows about the events. */
export interface EventAggregateRow {
  pass: Pass;
  relapsed: boolean;
  chain: string[];
  fallback: string[];
  ip: string;
  wholeClass: string;
  count: number;
  firstTime: string;
  lastTime: string;
  detectors: string[];
  connCount: number;
  reference: string | null;
}

export async function aggregateRunEvents(client: pg.PoolClient, runId: string): Promise<EventAggregateRow[]> {
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
  }>(
    `SELECT h.pass, h.relapsed, h.chain, h.fallback, h.ip,
            left(h.threshold_key, length(h.threshold_key) - length(split_part(h.threshold_key, '+++', -1)) - 3) AS whole_class,
            count(*)::int AS count,
            min(coalesce(e.event_time, e.detect_time)) AS first_time,
            max(coalesce(e.cease_time, e.event_time, e.detect_time)) AS last_time,
            (SELECT array_agg(DISTINCT d ORDER BY d) FROM unnest(array_agg(e.node_names[array_length(e.node_names, 1)])) d) AS detectors,
            sum(CASE WHEN (e.event->>'ConnCount') ~ '^[0-9]+$' THEN (e.event->>'ConnCount')::bigint ELSE 0 END) AS conn_count,
            max(c.reference) AS reference
       FROM report_staged_hits h
       JOIN events e ON e.id = h.event_id AND e.storage_time = h.storage_time
       LEFT JOIN event_classes c ON c.name = split_part(h.threshold_key, '/', 1)
      WHERE h.run_id = $1 AND h.stage = 'passed'
      GROUP BY h.pass, h.relapsed, h.chain, h.fallback, h.ip, whole_class`,
    [runId],
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
  }));
}
