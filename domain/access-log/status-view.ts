// What `monitor status` shows: a JSON view of the monitor's state (the workflow's `status` query).
import { windowBuckets, windowHits } from './alert-rule';
import { topEntries } from './counts';
import { HEAVY_HITTER_COUNTERS } from './heavy-hitters';
import type { MonitorState, MonitorTotals } from './monitor-state';
import type { AlertTransition, MonitorConfig, ParseErrorSample, StatusCounts } from './types';

export interface MonitorStatus {
  source: string;
  config: MonitorConfig;
  watermark: string | null;
  committed: { fileId: string | null; path: string | null; offset: number };
  window: { hits: number; average: number | null; buckets: number; full: boolean; limit: number | null };
  alert: { active: boolean; since: string | null };
  alerts: AlertTransition[];
  totals: MonitorTotals;
  /** Cumulative heavy hitters: each `hits` is at most `maxError` below the true count. */
  topSections: { section: string; hits: number }[];
  topClients: { client: string; hits: number }[];
  heavyHitters: { sectionsMaxError: number; clientsMaxError: number; counters: number };
  mostPopularSection: string | null;
  recentBuckets: {
    start: string;
    hits: number;
    bytes: number;
    status: StatusCounts;
    topSections: { section: string; hits: number }[];
  }[];
  parseErrorSamples: ParseErrorSample[];
  openBuckets: number;
  appliedBatches: number;
  generation: number;
}

const iso = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString();

export function statusView(state: MonitorState): MonitorStatus {
  const { config, rule } = state;
  const average = rule.n > 0 ? rule.sum / rule.n : null;
  const size = windowBuckets(config);
  const lastAlert = state.alerts.at(-1);
  const topSections = topEntries(state.sections.counts, 10).map(([section, hits]) => ({ section, hits }));
  return {
    source: state.source,
    config,
    watermark: state.watermark === null ? null : iso(state.watermark),
    committed: { fileId: state.fileId, path: state.filePath, offset: state.committedOffset },
    window: {
      hits: windowHits(rule),
      average,
      buckets: Math.min(rule.recent.length, size),
      full: rule.closed >= size,
      limit:
        config.rule === 'rate'
          ? config.threshold * config.window
          : average === null
            ? null
            : average + config.threshold,
    },
    alert: { active: rule.active, since: rule.active && lastAlert?.state === 'alert' ? lastAlert.at : null },
    alerts: state.alerts,
    totals: state.totals,
    topSections,
    topClients: topEntries(state.clients.counts, 10).map(([client, hits]) => ({ client, hits })),
    heavyHitters: {
      sectionsMaxError: state.sections.maxError,
      clientsMaxError: state.clients.maxError,
      counters: HEAVY_HITTER_COUNTERS,
    },
    mostPopularSection: topSections[0]?.section ?? null,
    recentBuckets: state.recentBuckets.map((b) => ({
      start: iso(b.bucket * config.refresh),
      hits: b.hits,
      bytes: b.bytes,
      status: b.status,
      topSections: b.topSections.map(([section, hits]) => ({ section, hits })),
    })),
    parseErrorSamples: state.parseErrorSamples,
    openBuckets: state.open.length,
    appliedBatches: state.appliedBatches,
    generation: state.generation,
  };
}
