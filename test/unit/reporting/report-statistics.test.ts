// Report statistics from per-value event counts: `__unknown__` for events without a value, and
// maps cut to their most frequent values with the rest under `__REST__`.
import { describe, expect, it } from 'vitest';
import { REST, reportStatistics, STATISTICS_LIMIT } from '../../../domain/reporting/report-statistics';

describe('report statistics', () => {
  it('counts events without a value as __unknown__', () => {
    const stats = reportStatistics(
      3,
      2,
      [
        { key: 'targets', value: '198.51.100.7', events: 1 },
        { key: 'classes', value: 'recon-scanning', events: 3 },
      ],
      { targets: 1, classes: 3 },
    );
    expect(stats.targets).toEqual({ '198.51.100.7': 1, __unknown__: 2 });
    expect(stats.classes).toEqual({ 'recon-scanning': 3 });
    expect(stats.detectors).toEqual({ __unknown__: 3 });
    expect(stats).toMatchObject({ cnt_alerts: 3, cnt_events: 3, cnt_recurring: 0, cnt_ips: 2 });
  });

  it('keeps the most frequent values of a map and sums the rest under __REST__', () => {
    const n = STATISTICS_LIMIT + 50;
    const counts = Array.from({ length: n }, (_, i) => ({
      key: 'sources' as const,
      value: `10.0.${Math.floor(i / 250)}.${i % 250}`,
      events: i < 10 ? 5 : 1,
    }));
    const stats = reportStatistics(n + 40, n, counts, { sources: n + 40 });
    expect(Object.keys(stats.sources)).toHaveLength(STATISTICS_LIMIT + 1);
    expect(stats.sources['10.0.0.0']).toBe(5);
    expect(stats.sources[REST]).toBe(50);
    expect(Object.values(stats.sources).reduce((a, b) => a + b, 0)).toBe(n + 40);
  });
});
