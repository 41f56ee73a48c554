// Relapse selection, as a pure function over the
// thresholds of one scope (group, severity, pass) and their thresholded-event records.
//
// A key relapses at time_h when its suppression has expired (ttltime ≤ time_h), it has a relapse
// window (relapsetime ≠ ttltime; critical has rel = none) and at least one event was recorded in
// that window (createtime ≥ relapsetime). It then reports every event recorded since the original
// report (createtime ≥ thresholdtime), each under the IP of the key that relapsed (fixes the
// docs/mentat.md, "Smaller fixes").
import { keyIp } from './threshold-key';

export interface ThresholdRow {
  key: string;
  thresholdTime: number;
  relapseTime: number;
  ttlTime: number;
}

export interface ThresholdedRecord {
  eventId: string;
  key: string;
  createTime: number;
}

export interface RelapsedEvent {
  eventId: string;
  key: string;
  ip: string;
}

export function relapsedKeys(
  thresholds: readonly ThresholdRow[],
  records: readonly ThresholdedRecord[],
  timeHighMs: number,
): Set<string> {
  const byKey = new Map(thresholds.map((t) => [t.key, t]));
  const keys = new Set<string>();
  for (const record of records) {
    const t = byKey.get(record.key);
    if (!t) continue;
    if (t.ttlTime <= timeHighMs && t.relapseTime !== t.ttlTime && record.createTime >= t.relapseTime)
      keys.add(t.key);
  }
  return keys;
}

export function relapsedEvents(
  thresholds: readonly ThresholdRow[],
  records: readonly ThresholdedRecord[],
  timeHighMs: number,
): RelapsedEvent[] {
  const keys = relapsedKeys(thresholds, records, timeHighMs);
  const byKey = new Map(thresholds.map((t) => [t.key, t]));
  const seen = new Set<string>();
  const result: RelapsedEvent[] = [];
  for (const record of records) {
    if (!keys.has(record.key)) continue;
    const t = byKey.get(record.key);
    if (!t || record.createTime < t.thresholdTime) continue;
    const id = `${record.eventId}\u0000${record.key}`;
    if (seen.has(id)) continue;
    seen.add(id);
    result.push({ eventId: record.eventId, key: record.key, ip: keyIp(record.key) });
  }
  return result;
}
