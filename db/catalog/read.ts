// Typed reads of the reporting catalog for the reporter and the CLI.
import type { FilterDefinition } from '../../domain/filters/filter';
import type { CatalogNetwork } from '../../domain/idea/abuse';
import type { EventClassDefinition } from '../../domain/idea/classify';
import { type Severity, severities } from '../../domain/idea/schema';
import type { AttachmentCompression, AttachmentKind } from '../../domain/reporting/report-attachments';
import type { Queryable } from '../queryable';

export type ReportingMode = 'summary' | 'extra' | 'both' | 'none';

export interface GroupSettings {
  /** null = not set (the reporter's default, `extra`). */
  mode: ReportingMode | null;
  emails: Record<Severity, string[]>;
  locale: string | null;
  timezone: string | null;
  redirect: boolean;
  intervalSeconds: number | null;
  attachments: AttachmentKind;
  compress: AttachmentCompression;
  maxAttachmentBytes: number;
  /** The group's own timing per severity in seconds, over the global table. */
  timing: Partial<Record<Severity, { per: number; thr: number; rel: number }>>;
}

export interface GroupWithSettings {
  id: number;
  name: string;
  description: string;
  enabled: boolean;
  parent: string | null;
  settings: GroupSettings;
}

export const emptySettings = (): GroupSettings => ({
  mode: null,
  emails: { info: [], low: [], medium: [], high: [], critical: [] },
  locale: null,
  timezone: null,
  redirect: false,
  intervalSeconds: null,
  attachments: 'none',
  compress: 'none',
  maxAttachmentBytes: 10 * 1024 * 1024,
  timing: {},
});

export async function loadGroups(
  db: Queryable,
  options: { enabledOnly?: boolean; names?: string[] } = {},
): Promise<GroupWithSettings[]> {
  const { rows } = await db.query(
    `SELECT g.id, g.name, g.description, g.enabled, p.name AS parent, s.group_id AS has_settings,
            s.mode, s.emails_info, s.emails_low, s.emails_medium, s.emails_high, s.emails_critical,
            s.locale, s.timezone, s.redirect, s.interval_seconds, s.attachments, s.attachments_compress,
            s.max_attachment_bytes, s.timing
       FROM groups g
       LEFT JOIN groups p ON p.id = g.parent_id
       LEFT JOIN group_settings s ON s.group_id = g.id
      WHERE ($1::boolean IS NOT TRUE OR g.enabled) AND ($2::text[] IS NULL OR g.name = ANY($2))
      ORDER BY g.name`,
    [options.enabledOnly ?? false, options.names ?? null],
  );
  return rows.map((row) => ({
    id: Number(row.id),
    name: row.name,
    description: row.description,
    enabled: row.enabled,
    parent: row.parent,
    settings: row.has_settings
      ? {
          mode: row.mode,
          emails: {
            info: row.emails_info,
            low: row.emails_low,
            medium: row.emails_medium,
            high: row.emails_high,
            critical: row.emails_critical,
          },
          locale: row.locale,
          timezone: row.timezone,
          redirect: row.redirect,
          intervalSeconds: row.interval_seconds,
          attachments: row.attachments,
          compress: row.attachments_compress,
          maxAttachmentBytes: Number(row.max_attachment_bytes),
          timing: row.timing ?? {},
        }
      : emptySettings(),
  }));
}

export interface StoredNetwork extends CatalogNetwork {
  id: number;
  name: string;
  description: string;
}

/** All networks (of enabled and disabled groups alike), most specific first. */
export async function loadNetworks(db: Queryable): Promise<StoredNetwork[]> {
  const { rows } = await db.query(
    `SELECT n.id, g.name AS group, n.name, n.network::text AS network, n.description, n.is_base, n.rank
       FROM networks n JOIN groups g ON g.id = n.group_id
      ORDER BY masklen(n.network) DESC, n.rank NULLS LAST, n.network, g.name`,
  );
  return rows.map((row) => ({
    id: Number(row.id),
    group: row.group,
    name: row.name,
    network: row.network,
    description: row.description,
    isBase: row.is_base,
    rank: row.rank,
  }));
}

export interface StoredFilter extends FilterDefinition {
  id: number;
  description: string;
  type: 'basic' | 'advanced';
  categories: string[];
  detectors: string[];
  eventClasses: string[];
  sources: string[];
  targets: string[];
  protocols: string[];
  hits: number;
  lastHit: Date | null;
  position: number;
}

/** Global filters first, then by group; within each in file order. */
export async function loadFilters(db: Queryable, options: { group?: string } = {}): Promise<StoredFilter[]> {
  const { rows } = await db.query(
    `SELECT f.id, g.name AS group, f.name, f.description, f.enabled, f.source_based, f.type, f.expression,
            f.valid_from, f.valid_to, f.detectors, f.categories, f.event_classes,
            f.sources::text[] AS sources, f.targets::text[] AS targets, f.protocols, f.hits, f.last_hit, f.position
       FROM filters f LEFT JOIN groups g ON g.id = f.group_id
      WHERE $1::text IS NULL OR g.name = $1 OR f.group_id IS NULL
      ORDER BY g.name NULLS FIRST, f.position, f.name`,
    [options.group ?? null],
  );
  return rows.map((row) => ({
    id: Number(row.id),
    group: row.group,
    name: row.name,
    description: row.description,
    enabled: row.enabled,
    sourceBased: row.source_based,
    type: row.type,
    expression: row.expression,
    validFrom: row.valid_from,
    validTo: row.valid_to,
    categories: row.categories,
    detectors: row.detectors,
    eventClasses: row.event_classes,
    sources: row.sources,
    targets: row.targets,
    protocols: row.protocols,
    hits: Number(row.hits),
    lastHit: row.last_hit,
    position: row.position,
  }));
}

export interface StoredDetector {
  id: number;
  name: string;
  description: string;
  source: string;
  credibility: number;
  hits: number;
}

export async function loadDetectors(db: Queryable): Promise<StoredDetector[]> {
  const { rows } = await db.query(
    'SELECT id, name, description, source, credibility, hits FROM detectors ORDER BY name',
  );
  return rows.map((row) => ({ ...row, id: Number(row.id), hits: Number(row.hits) }));
}

export interface StoredEventClass extends EventClassDefinition {
  id: number;
  labelEn: string;
  labelCs: string;
  reference: string | null;
  displayedMain: string[];
  displayedSource: string[];
  displayedTarget: string[];
  subclassing: string | null;
}

export async function loadEventClasses(db: Queryable): Promise<StoredEventClass[]> {
  const { rows } = await db.query(
    `SELECT id, name, source_based, label_en, label_cs, reference, displayed_main, displayed_source,
            displayed_target, rule, priority, severity, subclassing, state
       FROM event_classes ORDER BY priority DESC, name`,
  );
  return rows.map((row) => ({
    id: Number(row.id),
    name: row.name,
    sourceBased: row.source_based,
    labelEn: row.label_en,
    labelCs: row.label_cs,
    reference: row.reference,
    displayedMain: row.displayed_main,
    displayedSource: row.displayed_source,
    displayedTarget: row.displayed_target,
    rule: row.rule,
    priority: row.priority,
    severity: row.severity,
    subclassing: row.subclassing,
    state: row.state,
  }));
}

export interface SeverityTiming {
  /** Report period, suppression (threshold) period, relapse window; seconds. */
  per: number;
  thr: number;
  rel: number;
  thrTarget: number;
  relTarget: number;
}

export interface GlobalSettings {
  fallbackEmails: string[];
  /** Recipients of redirected reports. */
  adminEmails: string[];
  defaultLocale: string;
  defaultTimezone: string;
  /** Addresses covered only by base networks are reported to the base network's owner. */
  reportBaseOnly: boolean;
  timings: Record<Severity, SeverityTiming>;
}

/** The report_base_only setting (docs/reporting.md, "Base-only addresses"). */
export async function loadReportBaseOnly(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ report_base_only: boolean }>(
    'SELECT report_base_only FROM global_settings WHERE id',
  );
  return rows[0]?.report_base_only ?? false;
}

export async function loadGlobalSettings(db: Queryable): Promise<GlobalSettings> {
  // admin_emails belongs to the reporting schema (0200); read it without depending on it.
  const settings = await db.query(
    `SELECT fallback_emails, default_locale, default_timezone, report_base_only,
            ARRAY(SELECT jsonb_array_elements_text(COALESCE(to_jsonb(s)->'admin_emails', '[]'))) AS admin_emails
       FROM global_settings s WHERE id`,
  );
  const timings = await db.query(
    `SELECT severity, per_seconds, thr_seconds, rel_seconds, thr_target_seconds, rel_target_seconds
       FROM reporting_timings`,
  );
  const byseverity = new Map(timings.rows.map((row) => [row.severity as Severity, row]));
  const row = settings.rows[0] ?? {};
  return {
    fallbackEmails: row.fallback_emails ?? [],
    adminEmails: row.admin_emails ?? [],
    defaultLocale: row.default_locale ?? 'en',
    defaultTimezone: row.default_timezone ?? 'UTC',
    reportBaseOnly: row.report_base_only ?? false,
    timings: Object.fromEntries(
      severities.map((severity) => {
        const t = byseverity.get(severity);
        if (!t) throw new Error(`reporting_timings has no row for ${severity}; run herald db migrate`);
        return [
          severity,
          {
            per: t.per_seconds,
            thr: t.thr_seconds,
            rel: t.rel_seconds,
            thrTarget: t.thr_target_seconds,
            relTarget: t.rel_target_seconds,
          },
        ];
      }),
    ) as Record<Severity, SeverityTiming>,
  };
}
