// The check `herald force` gets before its overrides reach a run (the update's validator).
import { isReportingMode } from './report-plan';

interface CheckedOverrides {
  mode?: string;
  timezone?: string;
}

/** Why a set of overrides is refused, or null. */
export function invalidOverrides(o: CheckedOverrides): string | null {
  if (o.mode !== undefined && !isReportingMode(o.mode))
    return `mode: expected one of summary, extra, both, none, got "${o.mode}"`;
  if (o.timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: o.timezone });
    } catch {
      return `timezone: "${o.timezone}" is not an IANA time zone`;
    }
  }
  return null;
}
