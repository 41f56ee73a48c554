// Which reports a chain produces and who gets them by mail:
// a summary (source pass) or target report per chain, always stored; extra reports, one per
// source IP, when some chain group wants them. Recipients are chosen among the groups that want
// the report type; the first of them decides locale, time zone and redirect.
import type { ChainResult, Counters } from './chains';
import { compareIps } from './chains';
import type { ReportType } from './labels';
import type { RecipientGroup } from './recipients';
import type { Pass } from './threshold-key';

export const REPORTING_MODES = ['summary', 'extra', 'both', 'none'] as const;
export type ReportingMode = (typeof REPORTING_MODES)[number];

/** The mode of a group that sets none (Mentat's ReportingSettings default). */
export const DEFAULT_MODE: ReportingMode = 'extra';

export function isReportingMode(value: unknown): value is ReportingMode {
  return typeof value === 'string' && (REPORTING_MODES as readonly string[]).includes(value);
}

export interface GroupReportSettings extends RecipientGroup {
  /** null: not set; the default is Mentat's, `extra`. */
  mode: ReportingMode | null;
  locale: string | null;
  timezone: string | null;
  redirect: boolean;
}

export interface ForceOptions {
  mode?: ReportingMode;
  template?: string;
  locale?: string;
  timezone?: string;
}

export interface PlannedReport {
  type: ReportType;
  pass: Pass;
  chain: readonly string[];
  fallback: readonly string[];
  /** Source IP of an extra report. */
  ip: string | null;
  /** Index (in the returned list) of the summary an extra report belongs to. */
  parent: number | null;
  /** Summary/target: the chain's counters; extra: only `rep` (this IP) and `all` (the chain's rep). */
  counters: Partial<Counters>;
  /** IP → events, limited to `ip` for extra reports. */
  regular: Map<string, number>;
  relapsed: Map<string, number>;
  /** Groups that get the mail, most specific first; empty: stored, not mailed. */
  mailGroups: string[];
  /** The settings that decide the mail's locale, time zone, template and redirect. */
  decidingGroup: string | null;
  locale: string;
  timezone: string;
  template: string;
  redirect: boolean;
}

export interface PlanDefaults {
  locale: string;
  timezone: string;
  template: string;
}

export const PLAN_DEFAULTS: PlanDefaults = { locale: 'en', timezone: 'UTC', template: 'default' };

export function effectiveMode(settings: GroupReportSettings | undefined, force: ForceOptions): ReportingMode {
  return force.mode ?? settings?.mode ?? DEFAULT_MODE;
}

export function planReports(
  pass: Pass,
  chains: readonly ChainResult[],
  settings: ReadonlyMap<string, GroupReportSettings>,
  force: ForceOptions = {},
  defaults: PlanDefaults = PLAN_DEFAULTS,
): PlannedReport[] {
  const reports: PlannedReport[] = [];
  for (const chain of chains) {
    const modeOf = (group: string) => effectiveMode(settings.get(group), force);
    const base = (mailGroups: string[]) => {
      const deciding = mailGroups[0] ?? chain.chain[0] ?? null;
      const s = deciding ? settings.get(deciding) : undefined;
      return {
        pass,
        chain: chain.chain,
        fallback: chain.fallback,
        mailGroups,
        decidingGroup: deciding,
        locale: force.locale ?? s?.locale ?? defaults.locale,
        timezone: force.timezone ?? s?.timezone ?? defaults.timezone,
        template: force.template ?? defaults.template,
        redirect: s?.redirect ?? false,
      };
    };
    if (pass === 'target') {
      reports.push({
        ...base(chain.chain.filter((g) => modeOf(g) !== 'none')),
        type: 'target',
        ip: null,
        parent: null,
        counters: chain.counters,
        regular: chain.regular,
        relapsed: chain.relapsed,
      });
      continue;
    }
    const summaryIndex = reports.length;
    reports.push({
      ...base(chain.chain.filter((g) => ['summary', 'both'].includes(modeOf(g)))),
      type: 'summary',
      ip: null,
      parent: null,
      counters: chain.counters,
      regular: chain.regular,
      relapsed: chain.relapsed,
    });
    const extraGroups = chain.chain.filter((g) => ['extra', 'both'].includes(modeOf(g)));
    if (extraGroups.length === 0) continue;
    const ips = [...new Set([...chain.regular.keys(), ...chain.relapsed.keys()])].sort(compareIps);
    for (const ip of ips) {
      // Disjoint: an (event, IP) relapses only if it was suppressed, never also passed.
      const regular = chain.regular.get(ip) ?? 0;
      const relapsed = chain.relapsed.get(ip) ?? 0;
      reports.push({
        ...base(extraGroups),
        type: 'extra',
        ip,
        parent: summaryIndex,
        counters: { rep: regular + relapsed, all: chain.counters.rep },
        regular: new Map(regular ? [[ip, regular]] : []),
        relapsed: new Map(relapsed ? [[ip, relapsed]] : []),
      });
    }
  }
  return reports;
}
