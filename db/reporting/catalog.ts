// The catalog as the reporting engine reads it (schema: docs/schema.md): groups with their
// reporting settings, networks, filters, detectors, global settings and per-severity timing.
import type pg from 'pg';
import type { FilterDefinition } from '../../domain/filters/filter';
import type { GroupReportSettings, ReportingMode } from '../../domain/reporting/report-plan';
import { SEVERITIES, type Severity } from '../../domain/reporting/severities';
import { DEFAULT_TARGET_TIMING, DEFAULT_TIMING, type SeverityTiming } from '../../domain/reporting/timing';
import type { CatalogNetwork } from '../../domain/reporting/whois';

type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

export interface CatalogGroup extends GroupReportSettings {
  enabled: boolean;
  intervalSeconds: number | null;
  /** The group's own timing per severity, over the global table (groupTimings). */
  timing: Partial<Record<Severity, SeverityTiming>>;
}

export interface GlobalReportingSettings {
  fallbackEmails: string[];
  adminEmails: string[];
  defaultLocale: string;
  defaultTimezone: string;
}

export interface SeverityTimings extends SeverityTiming {
  thrTarget: number;
  relTarget: number;
}

export async function loadGroups(
  db: Queryable,
  names?: readonly string[],
): Promise<Map<string, CatalogGroup>> {
  const { rows } = await db.query<{
    name: string;
    enabled: boolean;
    mode: ReportingMode | null;
    locale: string | null;
    timezone: string | null;
    redirect: boolean | null;
    interval_seconds: number | null;
    timing: Partial<Record<Severity, SeverityTiming>> | null;
    emails_info: string[] | null;
    emails_low: string[] | null;
    emails_medium: string[] | null;
    emails_high: string[] | null;
    emails_critical: string[] | null;
  }>(
    `SELECT g.name, g.enabled, s.mode, s.locale, s.timezone, s.redirect, s.interval_seconds, s.timing,
            s.emails_info, s.emails_low, s.emails_medium, s.emails_high, s.emails_critical
       FROM groups g LEFT JOIN group_settings s ON s.group_id = g.id
      WHERE $1::text[] IS NULL OR g.name = ANY($1)
      ORDER BY g.name`,
    [names ?? null],
  );
  return new Map(
    rows.map((r) => [
      r.name,
      {
        name: r.name,
        enabled: r.enabled,
        mode: r.mode,
        locale: r.locale,
        timezone: r.timezone,
        redirect: r.redirect ?? false,
        intervalSeconds: r.interval_seconds,
        timing: r.timing ?? {},
        emails: {
          info: r.emails_info ?? [],
          low: r.emails_low ?? [],
          medium: r.emails_medium ?? [],
          high: r.emails_high ?? [],
          critical: r.emails_critical ?? [],
        },
      },
    ]),
  );
}

export async function loadNetworks(db: Queryable): Promise<CatalogNetwork[]> {
  const { rows } = await db.query<{ group: string; network: string; is_base: boolean; rank: number | null }>(
    `SELECT g.name AS group, n.network::text AS network, n.is_base, n.rank
       FROM networks n JOIN groups g ON g.id = n.group_id`,
  );
  return rows.map((r) => ({ group: r.group, network: r.network, isBase: r.is_base, rank: r.rank }));
}

/** Global filters and those of the given groups, in evaluation order (position, name). */
export async function loadFilters(db: Queryable): Promise<FilterDefinition[]> {
  const { rows } = await db.query<{
    name: string;
    group: string | null;
    enabled: boolean;
    source_based: boolean;
    expression: string;
    valid_from: Date | null;
    valid_to: Date | null;
  }>(
    `SELECT f.name, g.name AS group, f.enabled, f.source_based, f.expression, f.valid_from, f.valid_to
       FROM filters f LEFT JOIN groups g ON g.id = f.group_id
      ORDER BY f.group_id NULLS FIRST, f.position, f.name`,
  );
  return rows.map((r) => ({
    name: r.name,
    group: r.group,
    enabled: r.enabled,
    sourceBased: r.source_based,
    expression: r.expression,
    validFrom: r.valid_from,
    validTo: r.valid_to,
  }));
}

export async function loadDetectorCredibility(db: Queryable): Promise<Map<string, number>> {
  const { rows } = await db.query<{ name: string; credibility: number }>(
    'SELECT name, credibility FROM detectors',
  );
  return new Map(rows.map((r) => [r.name, r.credibility]));
}

export async function loadGlobalSettings(db: Queryable): Promise<GlobalReportingSettings> {
  const { rows } = await db.query<{
    fallback_emails: string[];
    admin_emails: string[];
    default_locale: string;
    default_timezone: string;
  }>('SELECT fallback_emails, admin_emails, default_locale, default_timezone FROM global_settings LIMIT 1');
  const r = rows[0];
  return {
    fallbackEmails: r?.fallback_emails ?? [],
    adminEmails: r?.admin_emails ?? [],
    defaultLocale: r?.default_locale ?? 'en',
    defaultTimezone: r?.default_timezone ?? 'UTC',
  };
}

export async function loadTimings(db: Queryable): Promise<Record<Severity, SeverityTimings>> {
  const { rows } = await db.query<{
    severity: Severity;
    per_seconds: number;
    thr_seconds: number;
    rel_seconds: number;
    thr_target_seconds: number;
    rel_target_seconds: number;
  }>('SELECT * FROM reporting_timings');
  const bySeverity = new Map(rows.map((r) => [r.severity, r]));
  const result = {} as Record<Severity, SeverityTimings>;
  for (const severity of SEVERITIES) {
    const r = bySeverity.get(severity);
    const d = DEFAULT_TIMING[severity];
    result[severity] = r
      ? {
          per: r.per_seconds,
          thr: r.thr_seconds,
          rel: r.rel_seconds,
          thrTarget: r.thr_target_seconds,
          relTarget: r.rel_target_seconds,
        }
      : { ...d, ...DEFAULT_TARGET_TIMING };
  }
  return result;
}

/** Adds a run's filter and detector hits to the catalog counters (called once per run). */
export async function chargeCatalogHits(
  db: Queryable,
  filterHits: { group: string | null; name: string; hits: number }[],
  detectorHits: Record<string, number>,
): Promise<void> {
  if (filterHits.length > 0) {
    await db.query(
      `UPDATE filters f SET hits = f.hits + x.hits, last_hit = now()
         FROM unnest($1::text[], $2::text[], $3::int[]) AS x(grp, name, hits)
        WHERE f.name = x.name
          AND f.group_id IS NOT DISTINCT FROM (SELECT g.id FROM groups g WHERE g.name = x.grp)`,
      [filterHits.map((f) => f.group), filterHits.map((f) => f.name), filterHits.map((f) => f.hits)],
    );
  }
  const names = Object.keys(detectorHits);
  if (names.length > 0) {
    await db.query(
      `UPDATE detectors d SET hits = d.hits + x.hits FROM unnest($1::text[], $2::int[]) AS x(name, hits)
        WHERE d.name = x.name`,
      [names, names.map((n) => detectorHits[n] ?? 0)],
    );
  }
}

/** The global timing table with a group's own per/thr/rel over it (the target pass keeps the global's). */
export function groupTimings(
  global: Record<Severity, SeverityTimings>,
  own: Partial<Record<Severity, SeverityTiming>> | undefined,
): Record<Severity, SeverityTimings> {
  const merged = { ...global };
  for (const severity of SEVERITIES) {
    const t = own?.[severity];
    if (t) merged[severity] = { ...global[severity], per: t.per, thr: t.thr, rel: t.rel };
  }
  return merged;
}
