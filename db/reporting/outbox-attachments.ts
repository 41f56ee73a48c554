// The files of an outbox mail (report_outbox_attachments), written with the mail.
import type pg from 'pg';
import type { ReportAttachments } from '../../domain/reporting/report-attachments';

export async function insertOutboxAttachments(
  client: Pick<pg.PoolClient, 'query'>,
  outboxId: number,
  attached: ReportAttachments,
): Promise<void> {
  for (const file of attached.files)
    await client.query(
      `INSERT INTO report_outbox_attachments (outbox_id, filename, content_type, content, events, omitted)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        outboxId,
        file.filename,
        file.contentType,
        Buffer.from(file.content),
        attached.events,
        attached.omitted,
      ],
    );
}

/** One file of a report's mail, for `herald reports show LABEL --attachment`. */
export async function reportAttachmentFile(
  db: Pick<pg.Pool, 'query'>,
  label: string,
  filename?: string,
): Promise<{ files: string[]; content: Buffer | null }> {
  const { rows } = await db.query<{ filename: string; content: Buffer }>(
    `SELECT a.filename, a.content FROM report_outbox_attachments a
       JOIN report_outbox o ON o.id = a.outbox_id JOIN reports r ON r.id = o.report_id
      WHERE r.label = $1 ORDER BY a.filename`,
    [label],
  );
  const chosen =
    filename === undefined
      ? rows.length === 1
        ? rows[0]
        : undefined
      : rows.find((r) => r.filename === filename);
  return { files: rows.map((r) => r.filename), content: chosen?.content ?? null };
}
