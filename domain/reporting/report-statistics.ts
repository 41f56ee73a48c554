// Mentat's report statistics (its `evaluate_events`), counted per event: an event counts once for
// each distinct value it has under a key, so an event with three source IPs counts once for its
// class and once for each IP. Events without a value count under `__unknown__`. Unlike Mentat's,
// no list of event IDs: those are in report_events (see docs/mail.md, "Statistics"); and a map
// keeps its STATISTICS_LIMIT most frequent values, the rest summed under `__REST__` (what Mentat's
// truncation meant to do), so a report on thousands of IPs keeps a row of a few kilobytes.

export const STATISTICS_KEYS = [
  'classes',
  'categories',
  'category_sets',
  'detectors',
  'analyzers',
  'sources',
  'targets',
  'abuses',
  'severities',
] as const;

export type StatisticsKey = (typeof STATISTICS_KEYS)[number];

export const UNKNOWN = '__unknown__';
export const REST = '__REST__';
export const STATISTICS_LIMIT = 100;

export type ReportStatistics = {
  /** Events in the report (Mentat's `cnt_alerts`, `cnt_events`; `cnt_recurring` is always 0 here). */
  cnt_alerts: number;
  cnt_events: number;
  cnt_recurring: number;
  /** The report's distinct reported IPs (source, or target in target reports). */
  cnt_ips: number;
} & Record<StatisticsKey, Record<string, number>>;

/**
 * The statistics from per-key counts: `counts` value → events having it, `withValue` key → events
 * having any value under that key.
 */
export function reportStatistics(
  events: number,
  ips: number,
  counts: readonly { key: StatisticsKey; value: string; events: number }[],
  withValue: Partial<Record<StatisticsKey, number>>,
): ReportStatistics {
  const stats = {
    cnt_alerts: events,
    cnt_events: events,
    cnt_recurring: 0,
    cnt_ips: ips,
  } as ReportStatistics;
  for (const key of STATISTICS_KEYS) stats[key] = {};
  const sorted = [...counts].sort((a, b) => b.events - a.events || a.value.localeCompare(b.value));
  const kept: Partial<Record<StatisticsKey, number>> = {};
  for (const c of sorted) {
    const map = stats[c.key];
    if ((kept[c.key] ?? 0) < STATISTICS_LIMIT) {
      map[c.value] = c.events;
      kept[c.key] = (kept[c.key] ?? 0) + 1;
    } else map[REST] = (map[REST] ?? 0) + c.events;
  }
  for (const key of STATISTICS_KEYS) {
    const unknown = events - (withValue[key] ?? 0);
    if (unknown > 0) stats[key][UNKNOWN] = unknown;
  }
  return stats;
}
