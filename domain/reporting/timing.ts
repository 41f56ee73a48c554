// Reporting timing per severity: how often a severity is reported (`per`), how
// long a reported (class, IP) stays suppressed (`thr`) and how long the relapse window at the end
// of the suppression is (`rel`). All values in seconds.
import type { Severity } from './severities';

/** Mentat's REPORTING_INTERVALS, with 11/12/13 days fixed (docs/mentat.md, "Smaller fixes"). */
export const REPORTING_INTERVALS = {
  none: 0,
  '5mins': 300,
  '10mins': 600,
  '15mins': 900,
  '20mins': 1200,
  '30mins': 1800,
  '1hr': 3600,
  '2hrs': 7200,
  '3hrs': 10800,
  '4hrs': 14400,
  '6hrs': 21600,
  '8hrs': 28800,
  '12hrs': 43200,
  '1day': 86400,
  '2days': 172800,
  '3days': 259200,
  '4days': 345600,
  '5days': 432000,
  '6days': 518400,
  '1week': 604800,
  '8days': 691200,
  '9days': 777600,
  '10days': 864000,
  '11days': 950400,
  '12days': 1036800,
  '13days': 1123200,
  '2weeks': 1209600,
  '3weeks': 1814400,
  '4weeks': 2419200,
} as const satisfies Record<string, number>;

export type ReportingIntervalName = keyof typeof REPORTING_INTERVALS;

export interface SeverityTiming {
  /** Report period: a severity is due when cursor + per ≤ time_h. */
  per: number;
  /** Suppression after a report: ttltime = time_h + thr. */
  thr: number;
  /** Relapse window at the end of the suppression: relapsetime = ttltime − rel; 0 = no relapse. */
  rel: number;
}

export type TimingTable = Record<Severity, SeverityTiming>;

/** Mentat's defaults (REPORTING_TIMING_DEFAULT_*, as its ReportingSettings test expects them). */
export const DEFAULT_TIMING: TimingTable = {
  info: { per: 86400, thr: 2419200, rel: 604800 },
  low: { per: 86400, thr: 518400, rel: 172800 },
  medium: { per: 7200, thr: 518400, rel: 172800 },
  high: { per: 600, thr: 86400, rel: 43200 },
  critical: { per: 600, thr: 7200, rel: 0 },
};

/**
 * The target pass's default suppression and relapse window: none. Mentat reports a target key in
 * every window unless the timing sets `thr_target`.
 */
export const DEFAULT_TARGET_TIMING = { thrTarget: 0, relTarget: 0 } as const;

/** The schedule interval of a group when neither the group nor the global settings name one. */
export const DEFAULT_GROUP_INTERVAL_SECONDS = 600;

/** Seconds for an interval given by name (`2hrs`) or as a number of seconds; undefined if unknown. */
export function intervalSeconds(value: string | number | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (value in REPORTING_INTERVALS) return REPORTING_INTERVALS[value as ReportingIntervalName];
  return /^\d+$/.test(value) ? Number(value) : undefined;
}
