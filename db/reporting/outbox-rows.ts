// report_outbox rows (one per mail), written with the report (attachments: outbox-attachments.ts).
import type pg from 'pg';

/** A mail as the outbox holds it. */
export interface OutboxMail {
  messageId: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

export interface NewOutboxRow extends OutboxMail {
  reportId: number;
}

export async function insertOutbox(client: pg.PoolClient, o: NewOutboxRow): Promise<number> {
  const { rows } = await client.query<{ id: number }>(
    `INSERT INTO report_outbox (report_id, message_id, to_addrs, cc_addrs, bcc_addrs, subject, text_body, html_body, headers)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id`,
    [o.reportId, o.messageId, o.to, o.cc, o.bcc, o.subject, o.text, o.html, JSON.stringify(o.headers)],
  );
  return Number(rows[0]!.id);
}
