// report_events: which events (per IP) a report holds; written with COPY, read for attachments.
import type pg from 'pg';
import { copyRows } from './copy-rows';

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
