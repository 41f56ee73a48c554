// Run times and windows, all in UTC epoch milliseconds (no host-local conversions) and
// half-open [from, to) (docs/mentat.md, "Windows in UTC", "Late writers").

export interface TimeWindow {
  /** Inclusive lower bound (ISO 8601, UTC). */
  from: string;
  /** Exclusive upper bound (ISO 8601, UTC). */
  to: string;
}

/** time_h: `at` floored to a multiple of the interval since the Unix epoch (UTC), whole seconds. */
export function floorTimeHigh(atMs: number, intervalSeconds: number): number {
  if (!Number.isFinite(atMs)) throw new RangeError(`floorTimeHigh: not a time: ${atMs}`);
  if (!(intervalSeconds > 0))
    throw new RangeError(`floorTimeHigh: interval must be > 0, got ${intervalSeconds}`);
  const step = intervalSeconds * 1000;
  return Math.floor(atMs / step) * step;
}

/** A severity is due when its cursor plus its period has been reached (`cursor + per ≤ time_h`). */
export function isDue(cursorMs: number, periodSeconds: number, timeHighMs: number): boolean {
  return cursorMs + periodSeconds * 1000 <= timeHighMs;
}

/** The cursor when neither the workflow's last result nor the ledger knows one: time_h − period. */
export function initialCursor(timeHighMs: number, periodSeconds: number): number {
  return timeHighMs - periodSeconds * 1000;
}

export function windowOf(fromMs: number, toMs: number): TimeWindow {
  if (!(fromMs < toMs)) throw new RangeError(`empty window [${iso(fromMs)}, ${iso(toMs)})`);
  return { from: iso(fromMs), to: iso(toMs) };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The later of two optional cursors (ISO strings); undefined when both are missing. */
export function laterCursor(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

/** The windows of a re-run: consecutive, `windowSeconds` long, the last cut at `to`. */
export function rerunWindows(from: string, to: string, windowSeconds: number): TimeWindow[] {
  const windows: TimeWindow[] = [];
  const end = Date.parse(to);
  for (let start = Date.parse(from); start < end; start += windowSeconds * 1000)
    windows.push(windowOf(start, Math.min(start + windowSeconds * 1000, end)));
  return windows;
}

/** A severity's next window: `[cursor, time_h)` when due, else the too-soon span it waits on. */
export type SeverityWindow = { due: boolean; window: TimeWindow };

/**
 * The window of one severity in a group run: from its cursor (the later of the run's previous
 * result and the ledger; `time_h − per` when neither knows one) to time_h, due once a whole period
 * has passed. A re-run's window is given and always due.
 */
export function severityWindow(args: {
  cursor: string | undefined;
  periodSeconds: number;
  timeHigh: number;
  rerunFrom?: string;
}): SeverityWindow {
  const { cursor, periodSeconds, timeHigh, rerunFrom } = args;
  if (rerunFrom !== undefined) return { due: true, window: windowOf(Date.parse(rerunFrom), timeHigh) };
  const from = cursor ? Date.parse(cursor) : initialCursor(timeHigh, periodSeconds);
  if (!isDue(from, periodSeconds, timeHigh))
    return { due: false, window: { from: iso(from), to: iso(Math.max(from, timeHigh)) } };
  return { due: true, window: windowOf(from, timeHigh) };
}
