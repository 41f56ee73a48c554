import { describe, expect, it } from 'vitest';
import { chainResults, countersOf } from '../../../domain/reporting/chain-tally';
import type { Hit, RelapseHit } from '../../../domain/reporting/chains';
import { relapsedEvents } from '../../../domain/reporting/relapse';
import { type GroupReportSettings, planReports } from '../../../domain/reporting/report-plan';

const A = { chain: ['child', 'parent'], fallback: ['isp'] };
const B = { chain: ['parent'], fallback: [] };
const hit = (eventId: string, ip: string, stage: Hit['stage'], ref = A): Hit => ({
  eventId,
  ip,
  stage,
  ...ref,
});

describe('counters per chain', () => {
  const hits: Hit[] = [
    hit('e1', '10.1.0.1', 'passed'),
    hit('e1', '10.2.0.1', 'passed', B), // one event, two chains
    hit('e2', '10.1.0.2', 'filtered'),
    hit('e3', '10.1.0.3', 'uncredible'),
    hit('e4', '10.1.0.4', 'thresholded'),
    hit('e5', '10.2.0.5', 'filtered', B),
    hit('e6', '10.1.0.1', 'passed'),
  ];
  const relapses: RelapseHit[] = [{ eventId: 'old1', ip: '10.1.0.9', ...A }];

  it("counts each chain from its own hits, not the section's totals", () => {
    const [a, b] = [
      chainResults(hits, relapses).find((c) => c.chain.length === 2)!,
      chainResults(hits, relapses).find((c) => c.chain.length === 1)!,
    ];
    expect(a.counters).toEqual({
      new: 5,
      flt: 4,
      fltBlk: 1,
      det: 3,
      detBlk: 1,
      thr: 2,
      thrBlk: 1,
      rlp: 1,
      all: 6,
      rep: 3,
    });
    expect(b.counters).toEqual({
      new: 2,
      flt: 1,
      fltBlk: 1,
      det: 1,
      detBlk: 0,
      thr: 1,
      thrBlk: 0,
      rlp: 0,
      all: 2,
      rep: 1,
    });
    expect([...a.regular.entries()]).toEqual([['10.1.0.1', 2]]);
    expect([...a.relapsed.entries()]).toEqual([['10.1.0.9', 1]]);
  });
  it('reports an event passed under one IP and relapsed under another once', () => {
    const both = [hit('e1', '10.1.0.1', 'passed'), hit('e1', '10.1.0.2', 'thresholded')];
    const relapsed: RelapseHit[] = [{ eventId: 'e1', ip: '10.1.0.2', ...A }];
    expect(countersOf(both, relapsed)).toMatchObject({ thr: 1, rlp: 1, rep: 1 });
    expect(chainResults(both, relapsed)[0]!.counters).toMatchObject({ thr: 1, rlp: 1, rep: 1 });
    expect(countersOf(both, [{ eventId: 'e1', ip: '10.2.0.2', ...B }])).toMatchObject({ rep: 1 });
    expect(chainResults(both, [{ eventId: 'e1', ip: '10.2.0.2', ...B }])[1]!.counters).toMatchObject({
      thr: 0,
      rlp: 1,
      rep: 1,
    });
  });
  it('keeps relapse counters next to the regular ones (a relapse never wipes them)', () => {
    const a = chainResults(hits, relapses).find((c) => c.chain.length === 2)!;
    expect(a.counters.new).toBe(5);
    expect(a.counters.all).toBe(a.counters.new + a.counters.rlp);
    expect(a.counters.rep).toBe(a.counters.thr + a.counters.rlp);
  });
  it('counts events fetched but outside every chain of the group as filtered at pass level', () => {
    const c = countersOf(hits, relapses, 9);
    expect(c).toEqual({
      new: 9,
      flt: 4,
      fltBlk: 5,
      det: 3,
      detBlk: 1,
      thr: 2,
      thrBlk: 1,
      rlp: 1,
      all: 10,
      rep: 3,
    });
  });
  it('drops chains with nothing to report', () => {
    expect(chainResults([hit('e2', '10.1.0.2', 'filtered')], [])).toEqual([]);
  });
});

describe('report plan', () => {
  const settings = new Map<string, GroupReportSettings>([
    [
      'child',
      { name: 'child', mode: 'both', emails: {}, locale: 'cs', timezone: 'Europe/Prague', redirect: false },
    ],
    ['parent', { name: 'parent', mode: null, emails: {}, locale: null, timezone: null, redirect: false }],
  ]);
  const chains = chainResults(
    [hit('e1', '10.1.0.2', 'passed'), hit('e2', '10.1.0.1', 'passed'), hit('e3', '10.1.0.1', 'passed')],
    [],
  );
  it('makes a summary per chain and an extra per source IP, sorted, for groups that want them', () => {
    const plan = planReports('source', chains, settings);
    // parent sets no mode: Mentat's default, extra.
    expect(plan.map((r) => [r.type, r.ip, r.mailGroups])).toEqual([
      ['summary', null, ['child']],
      ['extra', '10.1.0.1', ['child', 'parent']],
      ['extra', '10.1.0.2', ['child', 'parent']],
    ]);
    expect(plan[1]).toMatchObject({
      parent: 0,
      counters: { rep: 2, all: 3 },
      locale: 'cs',
      timezone: 'Europe/Prague',
    });
  });
  it('stores but does not mail a summary nobody wants; force mode wins', () => {
    const none = planReports('source', chains, settings, { mode: 'none' });
    expect(none.map((r) => [r.type, r.mailGroups])).toEqual([['summary', []]]);
    const extraOnly = planReports('source', chains, settings, { mode: 'extra', locale: 'en' });
    expect(extraOnly[0]!.mailGroups).toEqual([]);
    expect(extraOnly[1]!.locale).toBe('en');
  });
  it('sends target reports to every chain group not in mode none', () => {
    const plan = planReports(
      'target',
      chains,
      new Map([...settings, ['parent', { ...settings.get('parent')!, mode: 'none' }]]),
    );
    expect(plan.map((r) => [r.type, r.mailGroups])).toEqual([['target', ['child']]]);
  });
});

describe('relapse selection', () => {
  const d = (day: number) => Date.parse(`2026-03-${String(day).padStart(2, '0')}T00:00:00Z`);
  const low = { key: 'scan+++10.1.0.1', thresholdTime: d(1), relapseTime: d(5), ttlTime: d(7) };
  const critical = {
    key: 'ddos+++10.1.0.1',
    thresholdTime: d(1),
    relapseTime: d(1) + 7_200_000,
    ttlTime: d(1) + 7_200_000,
  };

  it('reports everything suppressed since the report when one event fell in the relapse window', () => {
    const records = [
      { eventId: 'before', key: low.key, createTime: d(2) },
      { eventId: 'inside', key: low.key, createTime: d(6) },
    ];
    expect(relapsedEvents([low], records, d(6))).toEqual([]); // not expired yet
    expect(relapsedEvents([low], records, d(7)).map((r) => [r.eventId, r.ip])).toEqual([
      ['before', '10.1.0.1'],
      ['inside', '10.1.0.1'],
    ]);
  });
  it('does nothing when nothing fell in the relapse window, or when rel = none', () => {
    expect(relapsedEvents([low], [{ eventId: 'before', key: low.key, createTime: d(2) }], d(8))).toEqual([]);
    expect(
      relapsedEvents([critical], [{ eventId: 'x', key: critical.key, createTime: critical.ttlTime }], d(8)),
    ).toEqual([]);
  });
});
