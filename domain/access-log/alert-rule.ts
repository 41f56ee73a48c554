// The seed's alert rule, kept exactly (contract: reference/access-log-monitor.md "Alert rule"):
// W(k) = hits of the window's buckets ending with k. The close that first fills the window sets
// sum = W(k0), n = 1 without evaluating; every later close evaluates W(k) against avg = sum / n
// (alert when W > avg + threshold, recover when W <= avg + threshold), then sum += W, n += 1.
// `rate` instead compares W / window seconds with threshold (requests per second).
import type { AlertRuleName, AlertTransition, MonitorConfig } from './types';

export interface AlertRuleState {
  /** Buckets closed since the rule was (re-)armed. */
  closed: number;
  /** Hits of the last `window / refresh` closed buckets, oldest first. */
  recent: number[];
  sum: number;
  n: number;
  active: boolean;
}

export const newAlertRuleState = (): AlertRuleState => ({
  closed: 0,
  recent: [],
  sum: 0,
  n: 0,
  active: false,
});

export const windowBuckets = (config: MonitorConfig): number => Math.round(config.window / config.refresh);

export const windowHits = (state: AlertRuleState): number => state.recent.reduce((a, b) => a + b, 0);

function exceeded(rule: AlertRuleName, hits: number, average: number, config: MonitorConfig): boolean {
  return rule === 'rate' ? hits / config.window > config.threshold : hits > average + config.threshold;
}

/** Closes one bucket with `hits`; `endTime` (epoch s) is the bucket's end. Mutates `state`. */
export function closeBucket(
  state: AlertRuleState,
  hits: number,
  endTime: number,
  config: MonitorConfig,
): AlertTransition | null {
  const size = windowBuckets(config);
  state.recent.push(hits);
  while (state.recent.length > size) state.recent.shift();
  state.closed++;
  if (state.closed < size) return null;
  const w = windowHits(state);
  if (state.closed === size) {
    state.sum = w;
    state.n = 1;
    return null;
  }
  const average = state.sum / state.n;
  const high = exceeded(config.rule, w, average, config);
  let transition: AlertTransition | null = null;
  if (state.active !== high) {
    state.active = high;
    transition = {
      state: high ? 'alert' : 'recovered',
      at: new Date(endTime * 1000).toISOString(),
      hits: w,
      average,
      rule: config.rule,
      threshold: config.threshold,
      window: config.window,
    };
  }
  state.sum += w;
  state.n += 1;
  return transition;
}

/**
 * Closes `count` empty buckets, the first ending at `firstEndTime`. Past one window of zeros every
 * W is 0, which can neither alert nor stay in alert (threshold >= 0), so the rest only counts n.
 */
export function closeEmptyBuckets(
  state: AlertRuleState,
  count: number,
  firstEndTime: number,
  config: MonitorConfig,
): AlertTransition[] {
  const transitions: AlertTransition[] = [];
  const exact = Math.min(count, windowBuckets(config) + 1);
  for (let i = 0; i < exact; i++) {
    const t = closeBucket(state, 0, firstEndTime + i * config.refresh, config);
    if (t) transitions.push(t);
  }
  const rest = count - exact;
  if (rest > 0) {
    state.closed += rest;
    state.n += rest;
  }
  return transitions;
}

/** After a window change windows of different lengths are not comparable: the average restarts. */
export function rearm(state: AlertRuleState, config: MonitorConfig): void {
  const size = windowBuckets(config);
  while (state.recent.length > size) state.recent.shift();
  state.closed = 0;
  state.sum = 0;
  state.n = 0;
}
