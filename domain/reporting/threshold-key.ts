// Thresholding keys and times.
//
// SCOPE (docs/mentat.md, "Threshold scope"). Mentat's key is `wholeClass+++ip` and nothing else, so one group's report
// suppresses another group's events and a class that changes severity stays suppressed. herald
// keeps Mentat's key text but stores it with an explicit scope, and a threshold only ever applies
// within that scope:
//
//   (group, severity, pass, key)     pass = 'source' | 'target'
//
// - group: the group whose run reported the key (the group processed, as in Mentat's
//   events_thresholded.groupname); another group's reports never suppress this group's events;
// - severity: the severity run that reported it; suppression and relapse are evaluated per
//   severity, so severity runs never share (or race on) threshold rows;
// - pass: source and target reports never suppress each other (as Mentat's istarget flag).
import type { Severity } from './severities';

export type Pass = 'source' | 'target';

/** Both passes, source first: the order runs process and report them in. */
export const PASSES: readonly Pass[] = ['source', 'target'];

export interface ThresholdScope {
  group: string;
  severity: Severity;
  pass: Pass;
}

/**
 * Mentat's "whole class": `class/subclass` (several subclasses joined with ", "); without a class,
 * the categories joined with "/".
 */
export function wholeClass(
  eventClass: string | null | undefined,
  subclasses: readonly string[],
  categories: readonly string[],
): string {
  if (eventClass) return subclasses.length > 0 ? `${eventClass}/${subclasses.join(', ')}` : eventClass;
  return categories.join('/');
}

export function thresholdKey(whole: string, ip: string): string {
  return `${whole}+++${ip}`;
}

/** The IP a key is about (the part after the last `+++`). */
export function keyIp(key: string): string {
  const at = key.lastIndexOf('+++');
  return at < 0 ? '' : key.slice(at + 3);
}

export interface ThresholdTimes {
  thresholdTime: number;
  relapseTime: number;
  ttlTime: number;
}

/** Suppression starts at time_h, lasts thr seconds; its last rel seconds are the relapse window. */
export function thresholdTimes(timeHighMs: number, thrSeconds: number, relSeconds: number): ThresholdTimes {
  const ttlTime = timeHighMs + thrSeconds * 1000;
  return { thresholdTime: timeHighMs, ttlTime, relapseTime: ttlTime - relSeconds * 1000 };
}

/** A key is live (suppresses new events) while ttltime ≥ time_h. */
export function isLive(ttlTimeMs: number, timeHighMs: number): boolean {
  return ttlTimeMs >= timeHighMs;
}
