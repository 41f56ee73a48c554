// The attachments of one report mail, read from the report's stored events in the render
// transaction. PostgreSQL stops at twice the size limit of stored JSON: the attached JSON lacks
// herald's private block and a CSV row is shorter than its event, so the exact cut by attachment
// size (domain/reporting/report-attachments.ts) is made from a list that never holds much more.
import type pg from 'pg';
import { attachmentEvents } from '../../db/reporting/attachment-events';
import {
  type AttachmentWishes,
  type ReportAttachments,
  reportAttachments,
} from '../../domain/reporting/report-attachments';

export async function mailAttachments(
  client: Pick<pg.PoolClient, 'query'>,
  report: { id: number; label: string; target: boolean; windowTo: Date },
  wishes: AttachmentWishes,
): Promise<ReportAttachments> {
  const { events, total } = await attachmentEvents(client, report.id, wishes.maxBytes * 2);
  return reportAttachments(report.label, wishes, events, total, {
    target: report.target,
    time: report.windowTo,
  });
}
