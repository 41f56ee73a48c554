// Cumulative top sections and clients in bounded state: a Misra-Gries summary with `k` counters,
// merged one batch at a time (mergeable summaries, Agarwal et al. 2012). Each batch arrives with
// exact counts; after adding them, if more than k keys remain, the (k+1)-th largest count is
// subtracted from every counter and the keys left at 0 or below are dropped. Every subtraction is
// added to `maxError`, so for every key
//   counts[key] <= true count <= counts[key] + maxError   (a key not kept: true count <= maxError)
// and maxError <= total / (k + 1). docs/access-log-monitor.md states the bound for users.
import type { Counts } from './counts';

export interface HeavyHitters {
  /** At most `k` keys; each an underestimate by at most `maxError`. */
  counts: Counts;
  /** Sum of the weights added (every hit with a key). */
  total: number;
  /** How much any key's count may lie below its true count. */
  maxError: number;
}

/** Counters kept for cumulative sections and clients (each at most total / 1001 below the truth). */
export const HEAVY_HITTER_COUNTERS = 1000;

export const newHeavyHitters = (): HeavyHitters => ({ counts: {}, total: 0, maxError: 0 });

/** Adds one batch of exact counts. Mutates and returns `summary`. */
export function mergeHeavyHitters(
  summary: HeavyHitters,
  batch: Counts,
  k = HEAVY_HITTER_COUNTERS,
): HeavyHitters {
  const counts = summary.counts;
  for (const key in batch) {
    const n = batch[key]!;
    counts[key] = (counts[key] ?? 0) + n;
    summary.total += n;
  }
  const keys = Object.keys(counts);
  if (keys.length <= k) return summary;
  const values = keys.map((key) => counts[key]!).sort((a, b) => b - a);
  const cut = values[k]!;
  const kept: Counts = {};
  for (const key of keys) {
    const rest = counts[key]! - cut;
    if (rest > 0) kept[key] = rest;
  }
  summary.counts = kept;
  summary.maxError += cut;
  return summary;
}
