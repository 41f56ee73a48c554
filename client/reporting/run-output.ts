// The JSON of `herald run --wait --json`: per group run, per severity, the result, window,
// counters and every report (read from the ledger when the workflow result carries only the
// first REPORT_REF_LIMIT).
import type pg from 'pg';
import { ledgerEntry } from '../../db/reporting/ledger';
import type { Counters } from '../../domain/reporting/chains';
import type { ReportGroupResult } from '../../workflows/report-messages';

export interface RunJsonSeverity {
  result: string;
  window: { from: string; to: string };
  counters: Counters;
  reports: { label: string; type: string; ip: string | null; to: string[]; cc: string[] }[];
  error?: string;
}

export interface RunJson {
  group: string;
  workflowId: string;
  timeHigh: string | null;
  severities: Record<string, RunJsonSeverity>;
  skipped?: string;
}

export async function runJson(
  pool: pg.Pool | null,
  workflowId: string,
  result: ReportGroupResult,
): Promise<RunJson> {
  const severities: Record<string, RunJsonSeverity> = {};
  for (const [severity, s] of Object.entries(result.severities)) {
    if (!s) continue;
    let reports: RunJsonSeverity['reports'] = s.reports;
    if (pool && s.workflowId && s.reportCount > reports.length) {
      reports = (await ledgerEntry(pool, s.workflowId))?.reports ?? reports;
    }
    severities[severity] = {
      result: s.result,
      window: s.window,
      counters: s.counters,
      reports: reports.map(({ label, type, ip, to, cc }) => ({ label, type, ip, to, cc })),
      ...(s.error ? { error: s.error } : {}),
    };
  }
  return {
    group: result.group,
    workflowId,
    timeHigh: result.timeHigh,
    severities,
    ...(result.skipped ? { skipped: result.skipped } : {}),
  };
}
