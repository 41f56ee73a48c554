// Report rows, written by a severity run inside its one transaction.
import type pg from 'pg';
import type { Counters } from '../../domain/reporting/chains';
import { type ReportIdentity, type ReportType, reportKey, reportLabel } from '../../domain/reporting/labels';
import type { Severity } from '../../domain/reporting/severities';
import type { Pass } from '../../domain/reporting/threshold-key';

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
