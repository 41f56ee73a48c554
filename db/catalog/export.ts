// The catalog as a document in the import format (round-trips through `catalog import`).
import { intervalName } from '../../domain/catalog/intervals';
import { severities } from '../../domain/idea/schema';
import type { Queryable } from '../queryable';
import {
  loadDetectors,
  loadEventClasses,
  loadFilters,
  loadGlobalSettings,
  loadGroups,
  loadNetworks,
  type StoredFilter,
} from './read';

const exportFilter = (f: StoredFilter) => ({
  name: f.name,
  ...(f.description && { description: f.description }),
  enabled: f.enabled,
  type: f.type,
  source_based: f.sourceBased,
  ...(f.type === 'advanced' && { expression: f.expression }),
  ...(f.validFrom && { valid_from: f.validFrom.toISOString() }),
  ...(f.validTo && { valid_to: f.validTo.toISOString() }),
  ...(f.type === 'basic' && {
    ...(f.categories.length && { categories: f.categories }),
    ...(f.detectors.length && { detectors: f.detectors }),
    ...(f.eventClasses.length && { event_classes: f.eventClasses }),
    ...(f.sources.length && { sources: f.sources }),
    ...(f.targets.length && { targets: f.targets }),
    ...(f.protocols.length && { protocols: f.protocols }),
  }),
});

export async function exportCatalog(db: Queryable): Promise<Record<string, unknown>> {
  const [settings, groups, networks, filters, detectors, classes] = await Promise.all([
    loadGlobalSettings(db),
    loadGroups(db),
    loadNetworks(db),
    loadFilters(db),
    loadDetectors(db),
    loadEventClasses(db),
  ]);
  return {
    settings: {
      fallback_emails: settings.fallbackEmails,
      admin_emails: settings.adminEmails,
      default_locale: settings.defaultLocale,
      default_timezone: settings.defaultTimezone,
      report_base_only: settings.reportBaseOnly,
      timings: Object.fromEntries(
        severities.map((s) => {
          const t = settings.timings[s];
          return [
            s,
            {
              per: intervalName(t.per),
              thr: intervalName(t.thr),
              rel: intervalName(t.rel),
              thr_target: intervalName(t.thrTarget),
              rel_target: intervalName(t.relTarget),
            },
          ];
        }),
      ),
    },
    detectors: detectors.map((d) => ({
      name: d.name,
      ...(d.description && { description: d.description }),
      source: d.source,
      credibility: d.credibility,
    })),
    event_classes: classes.map((c) => ({
      name: c.name,
      rule: c.rule,
      severity: c.severity,
      source_based: c.sourceBased,
      priority: c.priority,
      state: c.state,
      labels: { en: c.labelEn, cs: c.labelCs },
      ...(c.reference && { reference: c.reference }),
      displayed: { main: c.displayedMain, source: c.displayedSource, target: c.displayedTarget },
      ...(c.subclassing && { subclassing: c.subclassing }),
    })),
    filters: filters.filter((f) => f.group === null).map(exportFilter),
    groups: groups.map((g) => ({
      name: g.name,
      ...(g.description && { description: g.description }),
      enabled: g.enabled,
      ...(g.parent && { parent: g.parent }),
      networks: networks
        .filter((n) => n.group === g.name)
        .map((n) => ({
          cidr: n.network,
          name: n.name,
          ...(n.description && { description: n.description }),
          base: n.isBase,
          ...(n.rank !== null && n.rank !== undefined && { rank: n.rank }),
        })),
      reporting: {
        ...(g.settings.mode && { mode: g.settings.mode }),
        emails: g.settings.emails,
        ...(g.settings.locale && { locale: g.settings.locale }),
        ...(g.settings.timezone && { timezone: g.settings.timezone }),
        redirect: g.settings.redirect,
        ...(g.settings.intervalSeconds && { interval: intervalName(g.settings.intervalSeconds) }),
        attachments: g.settings.attachments,
        compress: g.settings.compress,
        max_attachment_bytes: g.settings.maxAttachmentBytes,
        ...(Object.keys(g.settings.timing).length > 0 && {
          timing: Object.fromEntries(
            Object.entries(g.settings.timing).map(([severity, t]) => [
              severity,
              { per: intervalName(t.per), thr: intervalName(t.thr), rel: intervalName(t.rel) },
            ]),
          ),
        }),
      },
      filters: filters.filter((f) => f.group === g.name).map(exportFilter),
    })),
  };
}
