// The worker's count of a report's statistics: each event once per report, values distinct within
// the event, categories in code-point order, and the reports it gives back to PostgreSQL (past the
// run's budget of distinct values, or with analyzers that are not strings).
import { describe, expect, it } from 'vitest';
import { type EventFacts, StatisticsTally, softwareOf } from '../../../domain/reporting/statistics-tally';
import { reportLeavesOf } from '../../support/report-leaves';

const facts = (over: Partial<EventFacts> = {}): EventFacts => ({
  class: 'recon-scanning',
  categories: ['Recon.Scanning'],
  detector: 'cz.example.sensor',
  software: ['kippo'],
  sources: ['192.0.2.1'],
  targets: ['198.51.100.1'],
  abuses: ['uni'],
  severity: 'low',
  ...over,
});

describe('StatisticsTally', () => {
  it('counts each value once per event and the events without one as unknown', () => {
    const tally = new StatisticsTally();
    tally.add(
      'source',
      'r',
      facts({ categories: ['b.B', 'A.a', 'b.B'], sources: ['192.0.2.1', '192.0.2.1', '192.0.2.2'] }),
    );
    tally.add('source', 'r', facts({ class: null, software: null, targets: [], categories: [] }));
    const stats = tally.statistics('source', 'r', 2)!;
    expect(stats).toMatchObject({ cnt_events: 2, cnt_alerts: 2, cnt_recurring: 0, cnt_ips: 2 });
    expect(stats.categories).toEqual({ 'b.B': 1, 'A.a': 1, __unknown__: 1 });
    expect(stats.category_sets).toEqual({ 'A.a/b.B/b.B': 1, __unknown__: 1 });
    expect(stats.sources).toEqual({ '192.0.2.1': 2, '192.0.2.2': 1 });
    expect(stats.classes).toEqual({ 'recon-scanning': 1, __unknown__: 1 });
    expect(stats.analyzers).toEqual({ kippo: 1, __unknown__: 1 });
    expect(stats.targets).toEqual({ '198.51.100.1': 1, __unknown__: 1 });
  });

  it('keeps reports apart, by chain and by pass, and knows none it was not given', () => {
    const tally = new StatisticsTally();
    tally.add('source', 'a', facts());
    tally.add('source', 'b', facts({ severity: 'high' }));
    tally.add('target', 'a', facts({ severity: 'critical' }));
    expect(tally.statistics('source', 'a', 1)!.severities).toEqual({ low: 1 });
    expect(tally.statistics('source', 'b', 1)!.severities).toEqual({ high: 1 });
    expect(tally.statistics('target', 'a', 1)!.severities).toEqual({ critical: 1 });
    expect(tally.statistics('source', 'c', 0)).toBeUndefined();
  });

  it('gives a report past the budget of distinct values back to PostgreSQL and frees its share', () => {
    const tally = new StatisticsTally(40);
    tally.add('source', 'small', facts());
    for (let i = 0; i < 40; i++) tally.add('source', 'campaign', facts({ targets: [`198.51.100.${i}`] }));
    expect(tally.statistics('source', 'campaign', 1)).toBeUndefined();
    // The budget the campaign held is free again.
    for (let i = 0; i < 15; i++) tally.add('source', 'next', facts({ targets: [`203.0.113.${i}`] }));
    expect(tally.statistics('source', 'next', 1)!.targets['203.0.113.14']).toBe(1);
    expect(tally.statistics('source', 'small', 1)!.cnt_events).toBe(1);
  });

  it('gives a report with analyzers that are not strings back to PostgreSQL', () => {
    const tally = new StatisticsTally();
    tally.add('source', 'r', facts());
    tally.add('source', 'r', facts({ software: ['kippo', 3] }));
    tally.add('source', 'r', facts());
    expect(tally.statistics('source', 'r', 1)).toBeUndefined();
    tally.add('source', 'nulls', facts({ software: [null, 'kippo'] }));
    expect(tally.statistics('source', 'nulls', 1)!.analyzers).toEqual({ kippo: 1 });
  });

  it("reads the last node's SW only when it is a list", () => {
    const software = (event: Record<string, unknown> | null) =>
      softwareOf(reportLeavesOf(event).node_software);
    expect(software({ Node: [{ SW: ['a'] }, { SW: ['b', 'c'] }] })).toEqual(['b', 'c']);
    expect(software({ Node: [{ SW: ['a'] }, { Name: 'x' }] })).toBeNull();
    expect(software({ Node: [{ SW: 'kippo' }] })).toBeNull();
    expect(software({})).toBeNull();
    expect(software(null)).toBeNull();
  });
});
