// Applies a validated catalog in ONE transaction: everything or nothing. Groups, detectors,
// event classes and global filters are upserted by name; a group named in the file gets exactly
// the networks, settings and filters the file lists for it (filter hit counters survive).
// Things the file does not mention are left alone.
import type pg from 'pg';
import { type Catalog, type CatalogFilter, filterExpression } from '../../domain/catalog/schema';
import { inTransaction } from '../pool';

export interface CatalogImportSummary {
  groups: number;
  networks: number;
  filters: number;
  detectors: number;
  eventClasses: number;
  settings: boolean;
}

/** A problem only the database can see (e.g. a parent group that exists nowhere). */
export class CatalogReferenceError extends Error {
  override name = 'CatalogReferenceError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

async function upsertFilters(
  client: pg.PoolClient,
  groupId: number | null,
  filters: CatalogFilter[],
): Promise<void> {
  const names = filters.map((f) => f.name);
  await client.query(
    `DELETE FROM filters WHERE group_id IS NOT DISTINCT FROM $1 AND NOT (name = ANY($2::text[]))`,
    [groupId, names],
  );
  for (const [position, filter] of filters.entries()) {
    await client.query(
      `INSERT INTO filters (group_id, name, description, enabled, source_based, type, expression, valid_from,
                            valid_to, detectors, categories, event_classes, sources, targets, protocols, position)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::cidr[], $14::cidr[], $15, $16)
       ON CONFLICT (group_id, name) DO UPDATE SET
         description = EXCLUDED.description, enabled = EXCLUDED.enabled, source_based = EXCLUDED.source_based,
         type = EXCLUDED.type, expression = EXCLUDED.expression, valid_from = EXCLUDED.valid_from,
         valid_to = EXCLUDED.valid_to, detectors = EXCLUDED.detectors, categories = EXCLUDED.categories,
         event_classes = EXCLUDED.event_classes, sources = EXCLUDED.sources, targets = EXCLUDED.targets,
         protocols = EXCLUDED.protocols, position = EXCLUDED.position, updated_at = now()`,
      [
        groupId,
        filter.name,
        filter.description,
        filter.enabled,
        filter.source_based,
        filter.type,
        filterExpression(filter),
        filter.valid_from ?? null,
        filter.valid_to ?? null,
        filter.detectors,
        filter.categories,
        filter.event_classes,
        filter.sources,
        filter.targets,
        filter.protocols,
        position,
      ],
    );
  }
}

export async function importCatalog(pool: pg.Pool, catalog: Catalog): Promise<CatalogImportSummary> {
  return inTransaction(pool, async (client) => {
    // One importer at a time: concurrent imports would interleave their replacements.
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('herald_catalog_import'))`);
    const summary: CatalogImportSummary = {
      groups: 0,
      networks: 0,
      filters: catalog.filters?.length ?? 0,
      detectors: 0,
      eventClasses: 0,
      settings: false,
    };

    const settings = catalog.settings;
    if (settings) {
      await client.query(
        `UPDATE global_settings SET
           fallback_emails = COALESCE($1, fallback_emails), default_locale = COALESCE($2, default_locale),
           default_timezone = COALESCE($3, default_timezone), updated_at = now()
         WHERE id`,
        [
          settings.fallback_emails ?? null,
          settings.default_locale ?? null,
          settings.default_timezone ?? null,
        ],
      );
      if (settings.report_base_only !== undefined)
        await client.query('UPDATE global_settings SET report_base_only = $1 WHERE id', [
          settings.report_base_only,
        ]);
      if (settings.admin_emails)
        await client.query('UPDATE global_settings SET admin_emails = $1 WHERE id', [settings.admin_emails]);
      for (const [severity, t] of Object.entries(settings.timings ?? {})) {
        if (!t) continue;
        await client.query(
          `UPDATE reporting_timings SET per_seconds = $2, thr_seconds = $3, rel_seconds = $4,
             thr_target_seconds = $5, rel_target_seconds = $6, updated_at = now() WHERE severity = $1`,
          [severity, t.per, t.thr, t.rel, t.thr_target ?? 0, t.rel_target ?? 0],
        );
      }
      summary.settings = true;
    }

    for (const d of catalog.detectors) {
      await client.query(
        `INSERT INTO detectors (name, description, source, credibility, registered)
         VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description, source = EXCLUDED.source,
           credibility = EXCLUDED.credibility`,
        [d.name, d.description, d.source, d.credibility],
      );
      summary.detectors++;
    }

    for (const c of catalog.event_classes) {
      await client.query(
        `INSERT INTO event_classes (name, source_based, label_en, label_cs, reference, displayed_main,
           displayed_source, displayed_target, rule, priority, severity, subclassing, state)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (name) DO UPDATE SET source_based = EXCLUDED.source_based, label_en = EXCLUDED.label_en,
           label_cs = EXCLUDED.label_cs, reference = EXCLUDED.reference, displayed_main = EXCLUDED.displayed_main,
           displayed_source = EXCLUDED.displayed_source, displayed_target = EXCLUDED.displayed_target,
           rule = EXCLUDED.rule, priority = EXCLUDED.priority, severity = EXCLUDED.severity,
           subclassing = EXCLUDED.subclassing, state = EXCLUDED.state, updated_at = now()`,
        [
          c.name,
          c.source_based,
          c.labels.en,
          c.labels.cs,
          c.reference ?? null,
          c.displayed.main,
          c.displayed.source,
          c.displayed.target,
          c.rule,
          c.priority,
          c.severity,
          c.subclassing ?? null,
          c.state,
        ],
      );
      summary.eventClasses++;
    }

    if (catalog.filters) await upsertFilters(client, null, catalog.filters);

    // Groups first (parents may come later in the file), then parents, then what they own.
    const ids = new Map<string, number>();
    for (const g of catalog.groups) {
      const { rows } = await client.query(
        `INSERT INTO groups (name, description, enabled) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description, enabled = EXCLUDED.enabled,
           updated_at = now()
         RETURNING id`,
        [g.name, g.description, g.enabled],
      );
      ids.set(g.name, Number(rows[0].id));
    }
    const problems: string[] = [];
    for (const [i, g] of catalog.groups.entries()) {
      let parentId: number | null = null;
      if (g.parent) {
        parentId = ids.get(g.parent) ?? null;
        if (parentId === null) {
          const { rows } = await client.query('SELECT id FROM groups WHERE name = $1', [g.parent]);
          parentId = rows[0] ? Number(rows[0].id) : null;
        }
        if (parentId === null) problems.push(`groups[${i}].parent: "${g.parent}" is not a group`);
      }
      await client.query('UPDATE groups SET parent_id = $2 WHERE id = $1', [ids.get(g.name), parentId]);
    }
    if (problems.length) throw new CatalogReferenceError(problems);

    for (const g of catalog.groups) {
      const groupId = ids.get(g.name)!;
      await client.query('DELETE FROM networks WHERE group_id = $1', [groupId]);
      for (const n of g.networks) {
        await client.query(
          `INSERT INTO networks (group_id, name, network, description, is_base, rank)
           VALUES ($1, $2, $3::cidr, $4, $5, $6)`,
          [groupId, n.name ?? n.cidr, n.cidr, n.description, n.base, n.rank ?? null],
        );
        summary.networks++;
      }
      const r = g.reporting;
      await client.query(
        `INSERT INTO group_settings (group_id, mode, emails_info, emails_low, emails_medium, emails_high,
           emails_critical, locale, timezone, redirect, interval_seconds, attachments, attachments_compress,
           max_attachment_bytes, timing)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (group_id) DO UPDATE SET mode = EXCLUDED.mode, emails_info = EXCLUDED.emails_info,
           emails_low = EXCLUDED.emails_low, emails_medium = EXCLUDED.emails_medium,
           emails_high = EXCLUDED.emails_high, emails_critical = EXCLUDED.emails_critical,
           locale = EXCLUDED.locale, timezone = EXCLUDED.timezone, redirect = EXCLUDED.redirect,
           interval_seconds = EXCLUDED.interval_seconds, attachments = EXCLUDED.attachments,
           attachments_compress = EXCLUDED.attachments_compress,
           max_attachment_bytes = EXCLUDED.max_attachment_bytes, timing = EXCLUDED.timing, updated_at = now()`,
        [
          groupId,
          r?.mode ?? null,
          r?.emails.info ?? [],
          r?.emails.low ?? [],
          r?.emails.medium ?? [],
          r?.emails.high ?? [],
          r?.emails.critical ?? [],
          r?.locale ?? null,
          r?.timezone ?? null,
          r?.redirect ?? false,
          r?.interval || null,
          r?.attachments ?? 'none',
          r?.compress ?? 'none',
          r?.max_attachment_bytes ?? 10 * 1024 * 1024,
          JSON.stringify(r?.timing ?? {}),
        ],
      );
      await upsertFilters(client, groupId, g.filters);
      summary.filters += g.filters.length;
      summary.groups++;
    }
    return summary;
  });
}
