// A run's report statistics (report-statistics.ts) counted in the worker from the events it
// already holds, per (pass, chain): the summary and target reports of a run are exactly the
// events it passed or relapsed under one chain (docs/mail.md, "Statistics"). The caller adds each
// event once per chain, as PostgreSQL's count takes each event of a report once.
//
// Bounded: all distinct values of a run's reports share STATISTICS_VALUE_BUDGET entries. A report
// that would go past it (a scanning campaign's million targets) drops what it counted and is
// counted by PostgreSQL instead, as is one whose analyzers are not strings (ingest accepts only
// strings; for anything else the statistics hold PostgreSQL's JSON text).
import { byCodePoint } from '../code-point-order';
import {
  type ReportStatistics,
  reportStatistics,
  STATISTICS_KEYS,
  type StatisticsKey,
} from './report-statistics';
import type { Pass } from './threshold-key';

/** Distinct values kept per run, all its reports together (≈100 bytes each). */
export const STATISTICS_VALUE_BUDGET = 20_000;

/** What an event contributes to the statistics of a report, as report-statistics.ts reads it. */
export interface EventFacts {
  class: string | null;
  categories: readonly (string | null)[];
  detector: string | null;
  /** The last node's `SW` (null when absent or not an array). */
  software: unknown;
  sources: readonly (string | null)[];
  targets: readonly (string | null)[];
  abuses: readonly (string | null)[];
  severity: string | null;
}

interface ReportCounts {
  events: number;
  withValue: Record<StatisticsKey, number>;
  values: Map<StatisticsKey, Map<string, number>>;
  size: number;
}

function distinct(values: readonly (string | null)[]): string[] {
  const out: string[] = [];
  for (const v of values) if (v !== null && !out.includes(v)) out.push(v);
  return out;
}

/** The last node's `SW` leaf (db/reporting/window-events.ts) when it is a list, as the statistics query reads it. */
export function softwareOf(leaf: unknown): unknown {
  return Array.isArray(leaf) ? leaf : null;
}

const reportOf = (pass: Pass, chain: string) => `${pass}\u0000${chain}`;

export class StatisticsTally {
  private readonly reports = new Map<string, ReportCounts>();
  /** Reports left to PostgreSQL. */
  private readonly dropped = new Set<string>();
  private size = 0;

  constructor(private readonly budget = STATISTICS_VALUE_BUDGET) {}

  /** Counts one event for the report of `chain` in `pass` (once per event and report). */
  add(pass: Pass, chain: string, facts: EventFacts): void {
    const key = reportOf(pass, chain);
    if (this.dropped.has(key)) return;
    const analyzers: (string | null)[] = [];
    if (Array.isArray(facts.software))
      for (const a of facts.software) {
        if (a === null) continue;
        if (typeof a !== 'string') {
          this.drop(key);
          return;
        }
        analyzers.push(a);
      }
    let counts = this.reports.get(key);
    if (!counts) {
      counts = {
        events: 0,
        withValue: Object.fromEntries(STATISTICS_KEYS.map((k) => [k, 0])) as Record<StatisticsKey, number>,
        values: new Map(STATISTICS_KEYS.map((k) => [k, new Map<string, number>()])),
        size: 0,
      };
      this.reports.set(key, counts);
    }
    counts.events++;
    const categories = distinct(facts.categories);
    const present = facts.categories.filter((c): c is string => c !== null);
    const categorySet = present.sort(byCodePoint).join('/');
    this.count(counts, 'classes', facts.class === null ? [] : [facts.class]);
    this.count(counts, 'categories', categories);
    this.count(counts, 'category_sets', categorySet === '' ? [] : [categorySet]);
    this.count(counts, 'detectors', facts.detector === null ? [] : [facts.detector]);
    this.count(counts, 'analyzers', distinct(analyzers));
    this.count(counts, 'sources', distinct(facts.sources));
    this.count(counts, 'targets', distinct(facts.targets));
    this.count(counts, 'abuses', distinct(facts.abuses));
    this.count(counts, 'severities', facts.severity === null ? [] : [facts.severity]);
    if (this.size > this.budget) this.drop(key);
  }

  /** The statistics of the report of `chain` in `pass`, with `ips` reported IPs; undefined when left to PostgreSQL. */
  statistics(pass: Pass, chain: string, ips: number): ReportStatistics | undefined {
    const key = reportOf(pass, chain);
    if (this.dropped.has(key)) return undefined;
    const counts = this.reports.get(key);
    if (!counts) return undefined;
    const list: { key: StatisticsKey; value: string; events: number }[] = [];
    for (const [k, values] of counts.values)
      for (const [value, events] of values) list.push({ key: k, value, events });
    return reportStatistics(counts.events, ips, list, counts.withValue);
  }

  private count(counts: ReportCounts, key: StatisticsKey, values: readonly string[]): void {
    if (values.length === 0) return;
    counts.withValue[key]++;
    const map = counts.values.get(key)!;
    for (const v of values) {
      const n = map.get(v);
      if (n === undefined) {
        map.set(v, 1);
        counts.size++;
        this.size++;
      } else map.set(v, n + 1);
    }
  }

  private drop(key: string): void {
    const counts = this.reports.get(key);
    if (counts) this.size -= counts.size;
    this.reports.delete(key);
    this.dropped.add(key);
  }
}
