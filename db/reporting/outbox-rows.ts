// report_outbox rows (one per mail) and their attachments, written with the report.
import type pg from 'pg';

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
