// How far ahead of the clock a run's upper bound may lie. A window that ends in the future would
// move the cursor past now, and every scheduled run after it would be too soon until the clock
// caught up (Mentat accepts any --time-high and stores it as its state: docs/run-kinds.md).
export const MAX_CLOCK_SKEW_MS = 60_000;

/** Why `timeHighMs` cannot be a run's upper bound at `nowMs`, or null. */
export function futureTimeHigh(timeHighMs: number, nowMs: number): string | null {
  if (timeHighMs <= nowMs + MAX_CLOCK_SKEW_MS) return null;
  return `${new Date(timeHighMs).toISOString()} is in the future (now ${new Date(nowMs).toISOString()}); a window must end by now`;
}
