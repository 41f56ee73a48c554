// The alert rule on hand-made bucket sequences, and against a line-by-line transliteration of the
// seed's _monitor_bg_process loop on random sequences.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closeBucket, closeEmptyBuckets, newAlertRuleState } from '../../../domain/access-log/alert-rule';
import type { AlertTransition, MonitorConfig } from '../../../domain/access-log/types';

const T0 = 1_768_471_200; // 2026-01-15T10:00:00Z, a bucket boundary

function run(hits: number[], config: MonitorConfig) {
  const state = newAlertRuleState();
  const transitions: (AlertTransition & { bucket: number })[] = [];
  hits.forEach((h, i) => {
    const t = closeBucket(state, h, T0 + (i + 1) * config.refresh, config);
    if (t) transitions.push({ ...t, bucket: i });
  });
  return { state, transitions };
}

const small: MonitorConfig = {
  refresh: 10,
  window: 30,
  threshold: 10,
  rule: 'above-average',
  allowedLateness: 0,
};
const iso = (bucketIndex: number) => new Date((T0 + (bucketIndex + 1) * 10) * 1000).toISOString();

describe('alert rule above-average (3-bucket window, threshold 10)', () => {
  it('does not evaluate before the window is full, however high the traffic', () => {
    const { state, transitions } = run([1000, 0, 0], small);
    expect(transitions).toEqual([]);
    expect(state).toMatchObject({ sum: 1000, n: 1, active: false, closed: 3 });
  });

  it('alerts strictly above average + threshold, not at it', () => {
    // k0 = bucket 2: sum = 30, n = 1. Bucket 3: W = 40 = 30 + 10 -> no alert.
    expect(run([10, 10, 10, 20], small).transitions).toEqual([]);
    // W = 41 > 40 -> alert.
    expect(run([10, 10, 10, 21], small).transitions).toEqual([
      {
        state: 'alert',
        at: iso(3),
        hits: 41,
        average: 30,
        rule: 'above-average',
        threshold: 10,
        window: 30,
        bucket: 3,
      },
    ]);
  });

  it('recovers at or below average + threshold; the average includes every evaluated window', () => {
    const { transitions, state } = run([10, 10, 10, 10, 30, 10, 10], small);
    // b3: W 30, avg 30 -> sum 60 n 2. b4: W 50 > 30+10 -> alert; sum 110 n 3.
    // b5: W 50 > 110/3+10 = 46.67 -> stays; sum 160 n 4. b6: W 50 <= 160/4+10 = 50 -> recovered.
    expect(transitions.map(({ state, bucket, hits, average }) => ({ state, bucket, hits, average }))).toEqual(
      [
        { state: 'alert', bucket: 4, hits: 50, average: 30 },
        { state: 'recovered', bucket: 6, hits: 50, average: 40 },
      ],
    );
    expect(transitions[1]!.at).toBe(iso(6));
    expect(state).toMatchObject({ sum: 210, n: 5, active: false });
  });

  it('uses the seed defaults: 12 buckets of 10 s, threshold 10', () => {
    const config: MonitorConfig = {
      refresh: 10,
      window: 120,
      threshold: 10,
      rule: 'above-average',
      allowedLateness: 0,
    };
    const hits = [...Array(12).fill(5), 5, 16, 5, 5];
    // k0 = bucket 11: sum 60. b12: W 60. b13: W 71 > 60 + 10 -> alert (avg 60).
    // b14: W 71, avg (60+60+71)/3 = 63.67 -> 71 > 73.67? no -> recovered.
    const { transitions } = run(hits, config);
    expect(transitions.map((t) => [t.state, t.hits, t.average])).toEqual([
      ['alert', 71, 60],
      ['recovered', 71, 191 / 3],
    ]);
    expect(transitions[0]!.at).toBe('2026-01-15T10:02:20.000Z');
  });
});

describe('alert rule rate (requests per second over the window)', () => {
  it('alerts above threshold req/s and recovers at or below it', () => {
    const config: MonitorConfig = { refresh: 10, window: 30, threshold: 1, rule: 'rate', allowedLateness: 0 };
    // W / 30 s > 1 req/s  <=>  W > 30. b3: W 31 -> alert; b4: W 10 + 11 + 9 = 30 -> recovered.
    const { transitions } = run([10, 10, 10, 11, 9, 10], config);
    expect(transitions.map((t) => [t.state, t.bucket, t.hits])).toEqual([
      ['alert', 3, 31],
      ['recovered', 4, 30],
    ]);
  });
});

/** The seed's loop, transliterated (true division: the contract's avg = sum / n). */
function seedLoop(hits: number[], windowSize: number, threshold: number) {
  const window: number[] = [];
  let windowHits = 0;
  let sum = 0;
  let nums = 0;
  let triggered = false;
  const out: { tick: number; state: string; hits: number; average: number }[] = [];
  hits.forEach((total, tick) => {
    if (window.length < windowSize) {
      window.push(total);
      windowHits += total;
    } else {
      if (nums === 0) {
        sum = windowHits;
        nums = 1;
      }
      windowHits += total - window.shift()!;
      window.push(total);
      const average = sum / nums;
      if (triggered) {
        if (windowHits <= average + threshold) {
          triggered = false;
          out.push({ tick, state: 'recovered', hits: windowHits, average });
        }
      } else if (windowHits > average + threshold) {
        triggered = true;
        out.push({ tick, state: 'alert', hits: windowHits, average });
      }
      sum += windowHits;
      nums += 1;
    }
  });
  return out;
}

describe('equivalence with the seed', () => {
  it('gives the same transitions as the seed loop on random bucket sequences', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(60), { minLength: 0, maxLength: 200 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 30 }),
        (hits, buckets, threshold) => {
          const config: MonitorConfig = {
            refresh: 10,
            window: buckets * 10,
            threshold,
            rule: 'above-average',
            allowedLateness: 0,
          };
          const ours = run(hits, config).transitions.map((t) => ({
            tick: t.bucket,
            state: t.state,
            hits: t.hits,
            average: t.average,
          }));
          expect(ours).toEqual(seedLoop(hits, buckets, threshold));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('closing a long run of empty buckets at once equals closing them one by one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(50), { maxLength: 40 }),
        fc.integer({ min: 0, max: 200 }),
        (before, gap) => {
          const config: MonitorConfig = {
            refresh: 10,
            window: 60,
            threshold: 5,
            rule: 'above-average',
            allowedLateness: 0,
          };
          const slow = run([...before, ...Array(gap).fill(0)], config);
          const fast = run(before, config);
          const transitions = closeEmptyBuckets(fast.state, gap, T0 + (before.length + 1) * 10, config);
          expect(fast.state).toEqual(slow.state);
          expect([...fast.transitions.map(({ bucket: _, ...t }) => t), ...transitions]).toEqual(
            slow.transitions.map(({ bucket: _, ...t }) => t),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
