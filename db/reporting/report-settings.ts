// What rendering a report reads from the catalog besides the groups: attachment wishes and the
// labels and references of event classes.
import type pg from 'pg';
import type { AttachmentWishes } from '../../domain/reporting/report-attachments';

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
