// The one reading of counts and times for every command's options, so `--limit 0` or a time
// without an offset is refused in the same words everywhere.
import { isRfc3339 } from '../domain/idea/schema';
import { UsageError } from './errors';

/** `--limit 50` and the like: a whole number of at least 1. */
export function parsePositiveInt(option: string, value: string): number {
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`${option}: expected a positive integer (1, 2, ...), got "${value}"`);
  return n;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const UNIX_SECONDS = /^\d{1,11}$/;

export const TIME_FORMS =
  'an RFC 3339 time with an offset (2026-12-03T07:19:30Z, 2026-12-03T08:19:30+01:00), a date (2026-12-03: midnight UTC) or Unix seconds';

/**
 * A point in time as an ISO string (UTC). A time of day needs its offset: without one it could be
 * any of 24 hours, so it is refused with a hint rather than read as UTC or as local time.
 */
export function parseTime(option: string, value: string): string {
  const refuse = (hint = '') => new UsageError(`${option}: expected ${TIME_FORMS}, got "${value}"${hint}`);
  let ms = Number.NaN;
  if (UNIX_SECONDS.test(value)) ms = Number(value) * 1000;
  else if (DATE.test(value)) ms = Date.parse(`${value}T00:00:00Z`);
  else if (isRfc3339(value)) ms = Date.parse(value);
  else if (isRfc3339(`${value}Z`)) throw refuse(' (no offset: add Z for UTC)');
  if (!Number.isFinite(ms) || !isCalendarDate(value)) throw refuse();
  return new Date(ms).toISOString();
}

/** Date.parse rolls 2026-02-30 over into March: only a real calendar date is taken. */
function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!m) return true;
  const [y, month, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, month - 1, d));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === d;
}

/** parseTime for an option that may be absent. */
export function parseOptionalTime(option: string, value: string | undefined): string | undefined {
  return value === undefined ? undefined : parseTime(option, value);
}

const DURATION_UNITS = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 } as const;

/** "90s", "15m", "1h", "2d", "1w" -> seconds. */
export function parseDuration(option: string, value: string): number {
  const match = /^\s*(\d+)\s*([smhdw])\s*$/.exec(value);
  const seconds = match ? Number(match[1]) * DURATION_UNITS[match[2] as keyof typeof DURATION_UNITS] : 0;
  if (!Number.isSafeInteger(seconds) || seconds < 1)
    throw new UsageError(`${option}: expected a duration such as 90s, 15m, 1h, 2d or 1w, got "${value}"`);
  return seconds;
}
