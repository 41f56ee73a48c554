// Cumulative top sections and clients against exact counts on a log with 5,000 sections: every
// reported count is within the documented bound (count <= true <= count + maxError, and maxError
// <= total / (k + 1)); keys not reported have at most maxError hits.
import { describe, expect, it } from 'vitest';
import { BucketAggregator } from '../../../domain/access-log/bucket-aggregator';
import {
  HEAVY_HITTER_COUNTERS,
  mergeHeavyHitters,
  newHeavyHitters,
} from '../../../domain/access-log/heavy-hitters';
import { applyIngest, newMonitorState } from '../../../domain/access-log/monitor-state';
import { parseCombinedLine } from '../../../domain/access-log/parse-combined';
import { newParsedLine } from '../../../domain/access-log/parsed-line';
import { statusView } from '../../../domain/access-log/status-view';
import { defaultMonitorConfig } from '../../../domain/access-log/types';
import { prng } from '../../../scripts/demo/generate-events';

const START = Date.parse('2026-01-15T10:00:00Z') / 1000;

/** A combined log over 5,000 sections with Zipf-like popularity (section i drawn ~ 1/i). */
function zipfLog(lines: number, sections: number, seed: number): string[] {
  const next = prng(seed);
  const weights = Array.from({ length: sections }, (_, i) => 1 / (i + 1));
  const cumulative: number[] = [];
  let sum = 0;
  for (const w of weights) {
    sum += w;
    cumulative.push(sum);
  }
  const pick = () => {
    const x = next() * sum;
    let lo = 0;
    let hi = sections - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const t = new Date((START + Math.floor(i / 50)) * 1000);
    const stamp = `${String(t.getUTCDate()).padStart(2, '0')}/Jan/2026:${String(t.getUTCHours()).padStart(2, '0')}:${String(t.getUTCMinutes()).padStart(2, '0')}:${String(t.getUTCSeconds()).padStart(2, '0')} +0000`;
    const section = i < sections ? i : pick(); // every section at least once
    const client = `10.${pick() % 200}.${Math.floor(next() * 250)}.${Math.floor(next() * 250)}`;
    out.push(`${client} - - [${stamp}] "GET /s${section}/page HTTP/1.1" 200 100 "-" "ua"`);
  }
  return out;
}

describe('heavy hitters', () => {
  it('reports sections and clients within the bound against exact counts (5,000 sections)', () => {
    const log = zipfLog(100_000, 5000, 21);
    const exactSections = new Map<string, number>();
    const exactClients = new Map<string, number>();
    const state = newMonitorState('web', defaultMonitorConfig);
    const aggregator = new BucketAggregator(10);
    const parsed = newParsedLine();
    let offset = 0;
    const flush = () => {
      const d = aggregator.drain();
      applyIngest(state, {
        refresh: 10,
        range: {
          file: { dev: 1, ino: 1, head: 'h' },
          path: '/log',
          start: offset,
          end: offset + d.lines,
          afterTruncation: false,
          lines: d.lines,
          buckets: d.buckets,
          parseErrors: 0,
          parseErrorSamples: [],
          newestTime: d.maxTime,
          sections: d.sections,
          clients: d.clients,
        },
        watermark: d.maxTime,
      });
      offset += d.lines;
    };
    for (const line of log) {
      if (parseCombinedLine(line, parsed) !== 'ok') throw new Error(`unparsable test line: ${line}`);
      exactSections.set(parsed.section!, (exactSections.get(parsed.section!) ?? 0) + 1);
      exactClients.set(parsed.client, (exactClients.get(parsed.client) ?? 0) + 1);
      aggregator.add(parsed);
      if (aggregator.lineCount >= 5000) flush();
    }
    flush();
    expect(exactSections.size).toBe(5000);

    for (const [summary, exact] of [
      [state.sections, exactSections],
      [state.clients, exactClients],
    ] as const) {
      expect(summary.total).toBe(log.length);
      // More keys than counters: the summary really had to drop some.
      expect(exact.size).toBeGreaterThan(HEAVY_HITTER_COUNTERS);
      expect(summary.maxError).toBeGreaterThan(0);
      expect(summary.maxError).toBeLessThanOrEqual(log.length / (HEAVY_HITTER_COUNTERS + 1));
      expect(Object.keys(summary.counts).length).toBeLessThanOrEqual(HEAVY_HITTER_COUNTERS);
      const outside: string[] = [];
      for (const [key, truth] of exact) {
        const reported = summary.counts[key];
        const low = reported ?? 0;
        if (!(low <= truth && truth <= low + summary.maxError))
          outside.push(`${key}: reported ${reported}, true ${truth}, bound ${summary.maxError}`);
      }
      expect(outside).toEqual([]);
    }
    // The top 10 shown by `monitor status` are the true top 10 here (their margins exceed the bound).
    const trueTop = [...exactSections.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10);
    const view = statusView(state);
    expect(view.topSections.map((s) => s.section)).toEqual(trueTop.map(([s]) => s));
    expect(view.heavyHitters.sectionsMaxError).toBe(state.sections.maxError);
  });

  it('is exact while there are at most k keys', () => {
    const summary = newHeavyHitters();
    mergeHeavyHitters(summary, { '/a': 3, '/b': 1 }, 2);
    mergeHeavyHitters(summary, { '/a': 2 }, 2);
    expect(summary).toEqual({ counts: { '/a': 5, '/b': 1 }, total: 6, maxError: 0 });
    // A third key: the (k+1)-th largest count (1) comes off every counter.
    mergeHeavyHitters(summary, { '/c': 1 }, 2);
    expect(summary).toEqual({ counts: { '/a': 4 }, total: 7, maxError: 1 });
  });
});
