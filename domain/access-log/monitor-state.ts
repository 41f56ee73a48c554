// The monitor's whole state and the pure transitions the workflow applies to it: ingest one
// batch (each byte range exactly once), advance the watermark, close buckets by log time and run
// the alert rule at every close. Plain JSON: it is carried across continue-as-new as is.
import {
  type AlertRuleState,
  closeBucket,
  closeEmptyBuckets,
  newAlertRuleState,
  rearm,
  windowBuckets,
} from './alert-rule';
import { bucketsOf } from './bucket-batch';
import { addCounts, topEntries } from './counts';
import { type HeavyHitters, mergeHeavyHitters, newHeavyHitters } from './heavy-hitters';
import {
  type AlertTransition,
  type BucketAggregate,
  type ClosedBucketReport,
  emptyStatusCounts,
  fileIdOf,
  type IngestInput,
  type IngestRange,
  type IngestResult,
  type MonitorConfig,
  type ParseErrorSample,
  type StatusCounts,
} from './types';

/** Most sections / clients an open bucket keeps (its top sections are for display only). */
export const BUCKET_KEY_CAP = 500;
export const RECENT_BUCKETS = 30;
export const ALERT_HISTORY = 1000;
export const ERROR_SAMPLES = 10;

export interface ClosedBucket {
  bucket: number;
  hits: number;
  bytes: number;
  status: StatusCounts;
  topSections: [string, number][];
}

export interface MonitorTotals {
  /** Every line applied: hits + parse errors + skipped (CSV header). */
  lines: number;
  hits: number;
  bytes: number;
  parseErrors: number;
  late: number;
  status: StatusCounts;
  /** Hits of the closed buckets plus late lines: the original's cumulative `total_hits`. */
  closedHits: number;
}

export interface MonitorState {
  source: string;
  config: MonitorConfig;
  fileId: string | null;
  filePath: string | null;
  committedOffset: number;
  /** Newest log time vouched for (epoch s). */
  watermark: number | null;
  newestLogTime: number | null;
  lastClosed: number | null;
  open: (BucketAggregate & { status: StatusCounts })[];
  recentBuckets: ClosedBucket[];
  totals: MonitorTotals;
  sections: HeavyHitters;
  clients: HeavyHitters;
  parseErrorSamples: ParseErrorSample[];
  rule: AlertRuleState;
  alerts: AlertTransition[];
  appliedBatches: number;
  /** How many times the monitor continued as new. */
  generation: number;
}

export function newMonitorState(source: string, config: MonitorConfig): MonitorState {
  return {
    source,
    config,
    fileId: null,
    filePath: null,
    committedOffset: 0,
    watermark: null,
    newestLogTime: null,
    lastClosed: null,
    open: [],
    recentBuckets: [],
    totals: {
      lines: 0,
      hits: 0,
      bytes: 0,
      parseErrors: 0,
      late: 0,
      status: emptyStatusCounts(),
      closedHits: 0,
    },
    sections: newHeavyHitters(),
    clients: newHeavyHitters(),
    parseErrorSamples: [],
    rule: newAlertRuleState(),
    alerts: [],
    appliedBatches: 0,
    generation: 0,
  };
}

export type RangeCheck = 'apply' | 'duplicate' | { outOfSync: string };

/** Whether a range continues the committed offset, repeats it, or does not fit. */
export function checkRange(state: MonitorState, range: IngestRange): RangeCheck {
  if (range.end < range.start) return { outOfSync: `range end ${range.end} before start ${range.start}` };
  const id = fileIdOf(range.file);
  if (id === state.fileId) {
    if (range.afterTruncation && range.start === 0 && state.committedOffset > 0) return 'apply';
    if (range.end <= state.committedOffset) return 'duplicate';
    if (range.start === state.committedOffset) return 'apply';
    return {
      outOfSync: `${range.path}: committed offset is ${state.committedOffset}, batch starts at ${range.start}`,
    };
  }
  // A new file starts at 0; only a new monitor's first file may start further on (tail from its end).
  if (range.start === 0 || state.fileId === null) return 'apply';
  return {
    outOfSync: `${range.path}: a new file must be read from offset 0, batch starts at ${range.start}`,
  };
}

function addStatus(target: StatusCounts, source: Partial<StatusCounts>): void {
  for (const key of Object.keys(target) as (keyof StatusCounts)[]) target[key] += source[key] ?? 0;
}

function mergeInto(target: MonitorState['open'][number], source: BucketAggregate): void {
  target.hits += source.hits;
  target.bytes += source.bytes;
  addStatus(target.status, source.status);
  target.sections = addCounts(target.sections, source.sections, BUCKET_KEY_CAP);
}

function applyRange(state: MonitorState, range: IngestRange): void {
  const totals = state.totals;
  for (const agg of bucketsOf(range.buckets)) {
    totals.hits += agg.hits;
    totals.bytes += agg.bytes;
    addStatus(totals.status, agg.status);
    if (state.lastClosed !== null && agg.bucket <= state.lastClosed) {
      totals.late += agg.hits; // its bucket is closed: statistics only, not the alert window
      totals.closedHits += agg.hits;
      continue;
    }
    // Ranges come mostly in log-time order: a new bucket usually goes at the end of `open`.
    const tail = state.open.at(-1);
    if (!tail || tail.bucket < agg.bucket) state.open.push(agg);
    else {
      const open = state.open.find((b) => b.bucket === agg.bucket);
      if (open) mergeInto(open, agg);
      else {
        state.open.push(agg);
        state.open.sort((a, b) => a.bucket - b.bucket);
      }
    }
  }
  mergeHeavyHitters(state.sections, range.sections);
  mergeHeavyHitters(state.clients, range.clients);
  totals.lines += range.lines;
  totals.parseErrors += range.parseErrors;
  state.parseErrorSamples = [...state.parseErrorSamples, ...range.parseErrorSamples].slice(-ERROR_SAMPLES);
  state.fileId = fileIdOf(range.file);
  state.filePath = range.path;
  state.committedOffset = range.end;
  if (range.newestTime !== null && (state.newestLogTime === null || range.newestTime > state.newestLogTime))
    state.newestLogTime = range.newestTime;
  state.appliedBatches++;
}

function pushRecent(state: MonitorState, bucket: ClosedBucket): void {
  state.recentBuckets.push(bucket);
  if (state.recentBuckets.length > RECENT_BUCKETS) state.recentBuckets.shift();
}

/** What a closed bucket's `--print` line needs: the cumulative part is the seed's statistics. */
function reportOf(state: MonitorState, closed: ClosedBucket, transition: AlertTransition | null) {
  const { refresh } = state.config;
  const sectionHits = Object.fromEntries(topEntries(state.sections.counts, REPORTED_SECTIONS));
  return {
    start: closed.bucket * refresh,
    end: (closed.bucket + 1) * refresh,
    hits: closed.hits,
    bytes: closed.bytes,
    status: closed.status,
    topSections: closed.topSections,
    transition,
    totalHits: state.totals.closedHits,
    sectionHits,
    mostPopularSection: Object.keys(sectionHits)[0] ?? null,
  } satisfies ClosedBucketReport;
}

/** Sections in a `--print=json` line's `section_hits`: the cumulative top ones. */
export const REPORTED_SECTIONS = 10;

/**
 * Closes every bucket whose end plus the allowed lateness the watermark has reached; returns the
 * alert transitions. With `reports`, also what each closed bucket looked like (`--print`).
 */
export function closeBuckets(state: MonitorState, reports?: ClosedBucketReport[]): AlertTransition[] {
  const transitions: AlertTransition[] = [];
  if (state.watermark === null) return transitions;
  const { refresh } = state.config;
  const lateness = state.config.allowedLateness ?? 0;
  const last = Math.floor((state.watermark - lateness) / refresh) - 1;
  const report = (closed: ClosedBucket, t: AlertTransition | null) => {
    reports?.push(reportOf(state, closed, t));
  };
  let next = state.lastClosed !== null ? state.lastClosed + 1 : (state.open[0]?.bucket ?? null);
  if (next === null) return transitions;
  const size = windowBuckets(state.config);
  // Open buckets closed so far (removed from `open` at the end: one splice, not a shift each).
  let taken = 0;
  while (next <= last) {
    const open = state.open[taken];
    if (open && open.bucket === next) {
      taken++;
      state.totals.closedHits += open.hits;
      const t = closeBucket(state.rule, open.hits, (next + 1) * refresh, state.config);
      if (t) transitions.push(t);
      // Only the last RECENT_BUCKETS closed buckets stay in recentBuckets: a catch-up that closes
      // thousands at once makes the others only for --print.
      const recent = next > last - RECENT_BUCKETS;
      if (recent || reports) {
        const closed: ClosedBucket = {
          bucket: next,
          hits: open.hits,
          bytes: open.bytes,
          status: open.status,
          topSections: topEntries(open.sections, 5),
        };
        if (recent) pushRecent(state, closed);
        report(closed, t);
      }
      next++;
      continue;
    }
    // A run of empty buckets up to the next one with hits (or the watermark).
    const until = Math.min(open ? open.bucket - 1 : last, last);
    const count = until - next + 1;
    const empty = (b: number): ClosedBucket => ({
      bucket: b,
      hits: 0,
      bytes: 0,
      status: emptyStatusCounts(),
      topSections: [],
    });
    if (count > size + 1) {
      const ts = closeEmptyBuckets(state.rule, count, (next + 1) * refresh, state.config);
      transitions.push(...ts);
      // Transitions only happen within the first window of zeros: those buckets are reported, the
      // rest of a long gap is not (a day without traffic would be 8,640 lines of zeros).
      for (let b = next; b <= Math.min(until, next + size); b++)
        report(empty(b), ts.find((t) => t.at === new Date((b + 1) * refresh * 1000).toISOString()) ?? null);
    } else {
      for (let b = next; b <= until; b++) {
        const t = closeBucket(state.rule, 0, (b + 1) * refresh, state.config);
        if (t) transitions.push(t);
        report(empty(b), t);
      }
    }
    for (let b = Math.max(next, until - RECENT_BUCKETS + 1); b <= until; b++) pushRecent(state, empty(b));
    next = until + 1;
  }
  state.open.splice(0, taken);
  state.lastClosed = next - 1;
  state.alerts.push(...transitions);
  if (state.alerts.length > ALERT_HISTORY) state.alerts.splice(0, state.alerts.length - ALERT_HISTORY);
  return transitions;
}

export interface IngestOutcome {
  result: IngestResult;
  transitions: AlertTransition[];
}

/** Applies one ingest (a checked range and/or a watermark). Mutates `state`. */
export function applyIngest(state: MonitorState, input: IngestInput): IngestOutcome {
  let applied = false;
  if (input.range) {
    const check = checkRange(state, input.range);
    if (typeof check === 'object') throw new Error(check.outOfSync);
    if (check === 'apply') {
      applyRange(state, input.range);
      applied = true;
    }
  }
  if (input.watermark !== null && (state.watermark === null || input.watermark > state.watermark))
    state.watermark = input.watermark;
  const reports: ClosedBucketReport[] | undefined = input.report ? [] : undefined;
  const transitions = closeBuckets(state, reports);
  return {
    result: {
      fileId: state.fileId,
      committedOffset: state.committedOffset,
      watermark: state.watermark,
      newestLogTime: state.newestLogTime,
      applied,
      allowedLateness: state.config.allowedLateness ?? 0,
      ...(reports ? { closed: reports } : {}),
    },
    transitions,
  };
}

export interface ConfigChange {
  threshold?: number;
  window?: number;
  rule?: MonitorConfig['rule'];
  allowedLateness?: number;
}

/** Validates a run-time change; returns why it is not acceptable, or null. */
export function checkConfigChange(config: MonitorConfig, change: ConfigChange): string | null {
  if (change.threshold !== undefined && !(Number.isFinite(change.threshold) && change.threshold >= 0))
    return `threshold must be a number >= 0, got ${change.threshold}`;
  if (change.window !== undefined) {
    const w = change.window;
    if (!(Number.isInteger(w) && w >= config.refresh && w % config.refresh === 0))
      return `window must be a positive multiple of the bucket length (${config.refresh} s), got ${w}`;
  }
  if (
    change.allowedLateness !== undefined &&
    !(Number.isInteger(change.allowedLateness) && change.allowedLateness >= 0)
  )
    return `allowed lateness must be a whole number of seconds >= 0, got ${change.allowedLateness}`;
  if (change.rule !== undefined && change.rule !== 'above-average' && change.rule !== 'rate')
    return `rule must be above-average or rate, got ${change.rule}`;
  return null;
}

export function applyConfigChange(state: MonitorState, change: ConfigChange): void {
  const windowChanged = change.window !== undefined && change.window !== state.config.window;
  state.config = {
    ...state.config,
    ...(change.threshold !== undefined ? { threshold: change.threshold } : {}),
    ...(change.window !== undefined ? { window: change.window } : {}),
    ...(change.rule !== undefined ? { rule: change.rule } : {}),
    ...(change.allowedLateness !== undefined ? { allowedLateness: change.allowedLateness } : {}),
  };
  if (windowChanged) rearm(state.rule, state.config);
}
