// Mentat's named reporting intervals, in seconds: one table, kept with the
// reporting timing it names (11days..13days are the real values: docs/mentat.md, "Smaller fixes").
import { REPORTING_INTERVALS } from '../reporting/timing';

export const reportingIntervals: Record<string, number> = REPORTING_INTERVALS;

/** Seconds for a named interval or a non-negative integer number of seconds; null if neither. */
export function intervalSeconds(value: string | number): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : null;
  return reportingIntervals[value] ?? null;
}

/** The name of an interval when it has one, else the number of seconds. */
export function intervalName(seconds: number): string | number {
  return (
    Object.entries(reportingIntervals).find(([name, s]) => s === seconds && name !== '11days')?.[0] ?? seconds
  );
}
