// Bounded out-of-orderness: lines written up to 50 s out of order (a server logs a request when it
// ends, stamped with its start) give the transitions the seed's rule gives on the same lines sorted
// by time; a line later than the allowed lateness is counted as late and left out of the window.
import { describe, expect, it } from 'vitest';
import { BucketAggregator } from '../../../domain/access-log/bucket-aggregator';
import { applyIngest, newMonitorState } from '../../../domain/access-log/monitor-state';
import { parseCombinedLine } from '../../../domain/access-log/parse-combined';
import { newParsedLine, type ParsedLine } from '../../../domain/access-log/parsed-line';
import { defaultMonitorConfig, type MonitorConfig } from '../../../domain/access-log/types';
import { generateAccessLog } from '../../../scripts/demo/generate-access-log';
import { prng } from '../../../scripts/demo/generate-events';
import { seedTransitions } from '../../integration/monitor/helpers';

const START = Date.parse('2026-01-15T10:00:00Z') / 1000;
const file = { dev: 1, ino: 1, head: 'h' };

/** The seed's loop (AccessLogMonitor._monitor_bg_process) over lines sorted by time. */
function seedRule(times: number[], refresh = 10, windowSize = 12, threshold = 10) {
  const sorted = [...times].sort((a, b) => a - b);
  const first = Math.floor(sorted[0]! / refresh);
  const perBucket: number[] = [];
  for (const t of sorted) {
    const i = Math.floor(t / refresh) - first;
    while (perBucket.length <= i) perBucket.push(0);
    perBucket[i]!++;
  }
  return seedTransitions(perBucket, first * refresh, refresh, windowSize, threshold);
}

/** Feeds lines as the tailer does: batches of `batch` lines, watermark = newest log time so far. */
function monitor(lines: ParsedLine[], config: MonitorConfig, batch = 97) {
  const state = newMonitorState('web', config);
  const aggregator = new BucketAggregator(config.refresh);
  let offset = 0;
  const flush = () => {
    const drained = aggregator.drain();
    applyIngest(state, {
      refresh: config.refresh,
      range: {
        file,
        path: '/log',
        start: offset,
        end: offset + drained.lines,
        afterTruncation: false,
        lines: drained.lines,
        buckets: drained.buckets,
        parseErrors: 0,
        parseErrorSamples: [],
        newestTime: drained.maxTime,
        sections: drained.sections,
        clients: drained.clients,
      },
      watermark: drained.maxTime,
    });
    offset += drained.lines;
  };
  for (const line of lines) {
    aggregator.add(line);
    if (aggregator.lineCount >= batch) flush();
  }
  flush();
  // --until-eof: the end of the newest bucket plus the allowed lateness closes everything.
  const newest = Math.max(...lines.map((l) => l.time));
  applyIngest(state, {
    refresh: config.refresh,
    range: null,
    watermark: (Math.floor(newest / config.refresh) + 1) * config.refresh + config.allowedLateness,
  });
  return state;
}

function parsedLog(seed: number): ParsedLine[] {
  return generateAccessLog({ start: START, seed }).lines.map((text) => {
    const out = newParsedLine();
    expect(parseCombinedLine(text, out)).toBe('ok');
    return out;
  });
}

/** Each line is written when its request ends, up to `maxDelay` s after the time it is stamped with. */
function outOfOrder(lines: ParsedLine[], maxDelay: number, seed: number): ParsedLine[] {
  const next = prng(seed);
  return lines
    .map((line) => ({ line, written: line.time + next() * maxDelay }))
    .sort((a, b) => a.written - b.written)
    .map((x) => x.line);
}

const transitions = (state: ReturnType<typeof monitor>) =>
  state.alerts.map(({ state: s, at, hits, average }) => ({ state: s, at, hits, average }));

describe('out-of-order lines', () => {
  it.each([7, 8, 9])(
    'lines up to 50 s out of order give the seed rule on the sorted lines (seed %i)',
    (seed) => {
      const lines = parsedLog(seed);
      const shuffled = outOfOrder(lines, 50, seed);
      // The log really is out of order: some line comes after lines stamped 40+ s later.
      let newest = 0;
      let worst = 0;
      for (const l of shuffled) {
        newest = Math.max(newest, l.time);
        worst = Math.max(worst, newest - l.time);
      }
      expect(worst).toBeGreaterThan(40);
      expect(worst).toBeLessThanOrEqual(50);

      const expected = seedRule(lines.map((l) => l.time));
      expect(expected.length).toBeGreaterThanOrEqual(2);
      const state = monitor(shuffled, defaultMonitorConfig);
      expect(transitions(state)).toEqual(expected);
      expect(state.totals.late).toBe(0);
      expect(state.totals.hits).toBe(lines.length);
      // Without the allowed lateness the same log loses lines and disagrees with the seed.
      const strict = monitor(shuffled, { ...defaultMonitorConfig, allowedLateness: 0 });
      expect(strict.totals.late).toBeGreaterThan(0);
      expect(transitions(strict)).not.toEqual(expected);
    },
  );

  it('gives the same transitions on an in-order log with or without allowed lateness', () => {
    const lines = parsedLog(7);
    const expected = seedRule(lines.map((l) => l.time));
    expect(transitions(monitor(lines, defaultMonitorConfig))).toEqual(expected);
    expect(transitions(monitor(lines, { ...defaultMonitorConfig, allowedLateness: 0 }))).toEqual(expected);
  });

  it('counts a line later than the allowed lateness as late, outside the alert window', () => {
    const config = { ...defaultMonitorConfig, allowedLateness: 60 };
    const state = newMonitorState('web', config);
    const ingest = (start: number, times: number[], watermark: number) => {
      const aggregator = new BucketAggregator(10);
      for (const time of times)
        aggregator.add({ client: '192.0.2.1', time, section: '/a', status: 200, bytes: 1 });
      const drained = aggregator.drain();
      return applyIngest(state, {
        refresh: 10,
        range: {
          file,
          path: '/log',
          start,
          end: start + 1,
          afterTruncation: false,
          lines: drained.lines,
          buckets: drained.buckets,
          parseErrors: 0,
          parseErrorSamples: [],
          newestTime: drained.maxTime,
          sections: drained.sections,
          clients: drained.clients,
        },
        watermark,
      });
    };
    ingest(0, [START + 1, START + 2], START + 69);
    expect(state.recentBuckets).toEqual([]); // [START, START+10) closes at START+10+60
    ingest(1, [START + 3], START + 70); // 67 s late but within the lateness: still in its bucket
    expect(state.lastClosed).toBe(START / 10);
    expect(state.recentBuckets.at(-1)).toMatchObject({ bucket: START / 10, hits: 3 });
    ingest(2, [START + 4], START + 71); // its bucket has closed: late
    expect(state.totals).toMatchObject({ hits: 4, late: 1 });
    expect(state.rule.recent).toEqual([3]);
  });
});
