// Runs as an operator sees them: Temporal visibility (every group, severity and re-run workflow,
// with status and herald's search attributes) joined with the report_runs ledger (window,
// counters, reports) on the severity workflow id. Ledger rows whose workflows have left
// visibility (retention) are listed as completed.
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type pg from 'pg';
import { type LedgerRow, listLedger } from '../../db/reporting/ledger';
import type { Counters } from '../../domain/reporting/chains';
import { heraldGroupKey, heraldRunKindKey, heraldSeverityKey } from '../../workflows/report-messages';

export const REPORT_WORKFLOW_TYPES = ['reportGroup', 'reportSeverity', 'reportRerun'] as const;

export interface RunRow {
  workflowId: string;
  runId: string | null;
  type: string;
  group: string | null;
  severity: string | null;
  runKind: string | null;
  status: string;
  startTime: string | null;
  closeTime: string | null;
  window: { from: string; to: string } | null;
  result: string | null;
  counters: Counters | null;
  reports: number | null;
}

const quote = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export function runsQuery(filter: { group?: string; since?: string; status?: string[] }): string {
  const parts = [`WorkflowType IN (${REPORT_WORKFLOW_TYPES.map(quote).join(', ')})`];
  if (filter.group) parts.push(`HeraldGroup = ${quote(filter.group)}`);
  if (filter.since) parts.push(`StartTime >= ${quote(filter.since)}`);
  if (filter.status?.length) parts.push(`ExecutionStatus IN (${filter.status.map(quote).join(', ')})`);
  return parts.join(' AND ');
}

export async function listVisibility(
  client: Client,
  query: string,
  limit: number,
): Promise<WorkflowExecutionInfo[]> {
  const out: WorkflowExecutionInfo[] = [];
  for await (const info of client.workflow.list({ query, pageSize: Math.min(limit, 1000) })) {
    out.push(info);
    if (out.length >= limit) break;
  }
  return out;
}

function fromVisibility(info: WorkflowExecutionInfo, ledger: LedgerRow | undefined): RunRow {
  const sa = info.typedSearchAttributes;
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    type: info.type,
    group: sa.get(heraldGroupKey) ?? ledger?.group ?? null,
    severity: sa.get(heraldSeverityKey) ?? ledger?.severity ?? null,
    runKind: sa.get(heraldRunKindKey) ?? ledger?.runKind ?? null,
    status: info.status.name,
    startTime: info.startTime.toISOString(),
    closeTime: info.closeTime?.toISOString() ?? null,
    window: ledger?.window ?? null,
    result: ledger?.result ?? null,
    counters: ledger?.counters ?? null,
    reports: ledger?.reportCount ?? null,
  };
}

function fromLedger(row: LedgerRow): RunRow {
  return {
    workflowId: row.workflowId,
    runId: null,
    type: 'reportSeverity',
    group: row.group,
    severity: row.severity,
    runKind: row.runKind,
    status: 'COMPLETED',
    startTime: null,
    closeTime: row.completedAt,
    window: row.window,
    result: row.result,
    counters: row.counters,
    reports: row.reportCount,
  };
}

export async function listRuns(
  client: Client,
  pool: pg.Pool,
  filter: { group?: string; since?: string; limit: number },
): Promise<RunRow[]> {
  const [infos, ledger] = await Promise.all([
    listVisibility(client, runsQuery(filter), filter.limit),
    listLedger(pool, { group: filter.group, since: filter.since, limit: filter.limit }),
  ]);
  const byId = new Map(ledger.map((row) => [row.workflowId, row]));
  const rows = infos.map((info) => fromVisibility(info, byId.get(info.workflowId)));
  const seen = new Set(rows.map((r) => r.workflowId));
  for (const row of ledger) if (!seen.has(row.workflowId)) rows.push(fromLedger(row));
  const time = (r: RunRow) => Date.parse(r.startTime ?? r.closeTime ?? '') || 0;
  return rows.sort((a, b) => time(b) - time(a)).slice(0, filter.limit);
}
