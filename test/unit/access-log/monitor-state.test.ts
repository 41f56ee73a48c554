// The monitor's state transitions: each byte range applied once, buckets closed by log time,
// late lines kept out of the window, run-time configuration changes.
import { describe, expect, it } from 'vitest';
import {
  applyConfigChange,
  applyIngest,
  checkConfigChange,
  newMonitorState,
} from '../../../domain/access-log/monitor-state';
import { statusView } from '../../../domain/access-log/status-view';
import {
  type BucketAggregate,
  emptyStatusCounts,
  type IngestRange,
  type MonitorConfig,
} from '../../../domain/access-log/types';
import { bucketBatchOf } from './bucket-batch-of';

const T0 = 1_768_471_200;
const config: MonitorConfig = {
  refresh: 10,
  window: 30,
  threshold: 10,
  rule: 'above-average',
  allowedLateness: 0,
};
const file = { dev: 1, ino: 2, head: 'abc' };

const bucket = (index: number, hits: number, section = '/a'): BucketAggregate => ({
  bucket: T0 / 10 + index,
  hits,
  bytes: hits * 100,
  status: { ...emptyStatusCounts(), '2xx': hits },
  sections: { [section]: hits },
});

function range(
  start: number,
  end: number,
  buckets: BucketAggregate[],
  extra: Partial<IngestRange> = {},
): IngestRange {
  const lines = buckets.reduce((n, b) => n + b.hits, 0);
  const sections: Record<string, number> = {};
  for (const b of buckets)
    for (const [key, n] of Object.entries(b.sections)) sections[key] = (sections[key] ?? 0) + n;
  return {
    sections,
    clients: { '10.0.0.1': lines },
    file,
    path: '/log',
    start,
    end,
    afterTruncation: false,
    lines,
    buckets: bucketBatchOf(buckets),
    parseErrors: 0,
    parseErrorSamples: [],
    newestTime: null,
    ...extra,
  };
}

describe('monitor state', () => {
  it('applies a byte range once: a repeat is acknowledged, a gap is out of sync', () => {
    const state = newMonitorState('web', config);
    const first = range(0, 100, [bucket(0, 5)]);
    expect(applyIngest(state, { refresh: 10, range: first, watermark: T0 + 1 }).result).toMatchObject({
      applied: true,
      committedOffset: 100,
    });
    expect(applyIngest(state, { refresh: 10, range: first, watermark: T0 + 1 }).result).toMatchObject({
      applied: false,
      committedOffset: 100,
    });
    expect(() =>
      applyIngest(state, { refresh: 10, range: range(150, 200, [bucket(0, 1)]), watermark: null }),
    ).toThrow(/committed offset is 100, batch starts at 150/);
    expect(state.totals.hits).toBe(5);
    // A rotated file (new identity) starts at 0; after truncation the same file restarts at 0.
    applyIngest(state, {
      refresh: 10,
      range: range(0, 10, [bucket(0, 1)], { file: { ...file, ino: 3 } }),
      watermark: null,
    });
    expect(state.committedOffset).toBe(10);
    applyIngest(state, {
      refresh: 10,
      range: range(0, 20, [bucket(0, 2)], { file: { ...file, ino: 3 }, afterTruncation: true }),
      watermark: null,
    });
    expect(state.totals.hits).toBe(8);
  });

  it('closes buckets when the watermark reaches their end, counts empty ones as 0 and late lines apart', () => {
    const state = newMonitorState('web', config);
    applyIngest(state, {
      refresh: 10,
      range: range(0, 10, [bucket(0, 10), bucket(1, 10)]),
      watermark: T0 + 15,
    });
    expect(state.lastClosed).toBe(T0 / 10); // bucket 0 closed, bucket 1 still open
    applyIngest(state, { refresh: 10, range: null, watermark: T0 + 40 }); // closes 1, 2 (empty), 3 (empty)
    expect(state.lastClosed).toBe(T0 / 10 + 3);
    expect(state.rule.recent).toEqual([10, 0, 0]);
    applyIngest(state, { refresh: 10, range: range(10, 20, [bucket(1, 4)]), watermark: T0 + 19 });
    expect(state.totals).toMatchObject({ hits: 24, late: 4 });
    expect(state.rule.recent).toEqual([10, 0, 0]);
    const view = statusView(state);
    expect(view.topSections).toEqual([{ section: '/a', hits: 24 }]);
    expect(view.recentBuckets.map((b) => b.hits)).toEqual([10, 10, 0, 0]);
  });

  it('alerts on a spike and records the transition with its bucket end time', () => {
    const state = newMonitorState('web', config);
    const hits = [10, 10, 10, 10, 40, 10, 10, 10];
    let offset = 0;
    const transitions = hits.flatMap((h, i) => {
      const r = range(offset, offset + 10, [bucket(i, h)]);
      offset += 10;
      return applyIngest(state, { refresh: 10, range: r, watermark: T0 + i * 10 + 10 }).transitions;
    });
    expect(transitions.map((t) => [t.state, t.at, t.hits])).toEqual([
      ['alert', new Date((T0 + 50) * 1000).toISOString(), 60],
      ['recovered', new Date((T0 + 80) * 1000).toISOString(), 30],
    ]);
    expect(state.alerts).toHaveLength(2);
  });

  it('validates and applies run-time configuration; a new window restarts the average', () => {
    const state = newMonitorState('web', config);
    expect(checkConfigChange(config, { window: 25 })).toMatch(/multiple of the bucket length/);
    expect(checkConfigChange(config, { threshold: -1 })).toMatch(/threshold/);
    expect(checkConfigChange(config, { rule: 'rate', threshold: 2, window: 60 })).toBeNull();
    state.rule = { closed: 5, recent: [1, 2, 3], sum: 30, n: 3, active: false };
    applyConfigChange(state, { threshold: 3 });
    expect(state.rule.n).toBe(3);
    applyConfigChange(state, { window: 20 });
    expect(state.config).toMatchObject({ window: 20, threshold: 3 });
    expect(state.rule).toMatchObject({ closed: 0, recent: [2, 3], n: 0 });
  });
});
