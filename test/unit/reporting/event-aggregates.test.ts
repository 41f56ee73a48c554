// The report tables' per-(IP, class) figures counted in the worker (domain/reporting/event-aggregates.ts).
import { describe, expect, it } from 'vitest';
import { connCountOf, EventAggregates, portsAndProtocols } from '../../../domain/reporting/event-aggregates';
import { reportLeavesOf } from '../../support/report-leaves';

const hit = (ip: string, extra: Partial<Parameters<EventAggregates['add']>[0]> = {}) => ({
  pass: 'source' as const,
  relapsed: false,
  chain: ['child', 'parent'],
  fallback: [],
  ip,
  wholeClass: 'attempt-login',
  ...extra,
});
const ms = (iso: string) => Date.parse(iso);
const facts = reportLeavesOf;

describe('EventAggregates', () => {
  it('counts per (pass, relapsed, chain, IP, class) with first and last time, detectors, ports, protocols', () => {
    const agg = new EventAggregates();
    agg.add(hit('192.0.2.1'), {
      first_ms: ms('2026-01-01T10:00:00Z'),
      last_ms: ms('2026-01-01T10:00:00Z'),
      node_names: ['relay', 'sensor-b'],
      ...facts({ ConnCount: 3, Target: [{ Port: [443, 22] }], Source: [{ Proto: ['TCP'] }] }),
    });
    agg.add(hit('192.0.2.1'), {
      first_ms: ms('2026-01-01T09:00:00Z'),
      last_ms: ms('2026-01-01T11:00:00Z'),
      node_names: ['sensor-a'],
      ...facts({ ConnCount: '4', Target: { Port: 22 }, Source: [{ Proto: 'tcp' }, { Proto: ['ssh'] }] }),
    });
    agg.add(hit('192.0.2.1', { relapsed: true, earlierLabel: 'M20260101SH-AAAAA' }), {
      first_ms: ms('2026-01-01T08:00:00Z'),
      last_ms: ms('2026-01-01T08:00:00Z'),
      node_names: [],
      ...facts(null),
    });
    agg.add(hit('192.0.2.2', { chain: ['parent'] }), {
      first_ms: ms('2026-01-01T08:00:00Z'),
      last_ms: ms('2026-01-01T08:00:00Z'),
      node_names: ['sensor-a'],
      ...facts({}),
    });
    const rows = agg.toRows();
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual({
      pass: 'source',
      relapsed: false,
      chain: ['child', 'parent'],
      fallback: [],
      ip: '192.0.2.1',
      wholeClass: 'attempt-login',
      count: 2,
      firstTime: '2026-01-01T09:00:00.000Z',
      lastTime: '2026-01-01T11:00:00.000Z',
      detectors: ['sensor-a', 'sensor-b'],
      connCount: 7,
      reference: null,
      ports: ['22', '443'],
      protocols: ['ssh', 'tcp'],
      earlierLabel: null,
    });
    expect(rows[1]).toMatchObject({
      relapsed: true,
      count: 1,
      detectors: [],
      earlierLabel: 'M20260101SH-AAAAA',
    });
    expect(rows[2]).toMatchObject({ ip: '192.0.2.2', chain: ['parent'], count: 1 });
  });

  it('takes ConnCount only when it is a whole number', () => {
    const connCount = (event: Record<string, unknown> | null) =>
      connCountOf(reportLeavesOf(event).conn_count);
    expect(connCount({ ConnCount: 12 })).toBe(12);
    expect(connCount({ ConnCount: '12' })).toBe(12);
    for (const bad of [1.5, -3, '1.5', '12a', '', null, true, [3], { n: 1 }])
      expect(connCount({ ConnCount: bad })).toBe(0);
    expect(connCount(null)).toBe(0);
  });

  it('reads ports and protocols like the lax JSON paths $.Target[*].Port[*] and $.Source[*].Proto[*]', () => {
    const texts = (event: Record<string, unknown>) => {
      const leaves = reportLeavesOf(event);
      return portsAndProtocols(leaves.target_ports, leaves.source_protocols);
    };
    expect(
      texts({
        Target: [{ Port: [80, '8080'] }, { Port: 443 }, 'not-an-object', { Port: null }],
        Source: { Proto: ['UDP', 'Dns'] },
      }),
    ).toEqual({ ports: ['80', '8080', '443'], protocols: ['udp', 'dns'] });
    expect(texts({})).toEqual({ ports: [], protocols: [] });
  });
});
