import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../../domain/filters/filter';
import { createClassifier } from '../../../domain/reporting/classify';
import { credibilityOf } from '../../../domain/reporting/credibility';
import { sectionIps, singleIpCopy } from '../../../domain/reporting/single-ip-event';
import { createWhois } from '../../../domain/reporting/whois';

const whois = createWhois([
  { group: 'isp', network: '10.0.0.0/8', isBase: true, rank: null },
  { group: 'parent', network: '10.0.0.0/16', isBase: false, rank: null },
  { group: 'child', network: '10.0.1.0/24', isBase: false, rank: null },
  { group: 'v6', network: '2001:db8::/32', isBase: false, rank: null },
]);

describe('group chains', () => {
  it('lists the owners of every containing network, most specific first, base networks apart', () => {
    expect(whois.lookup('10.0.1.7')).toEqual({ chain: ['child', 'parent'], fallback: ['isp'] });
    expect(whois.lookup('10.0.2.7')).toEqual({ chain: ['parent'], fallback: ['isp'] });
    expect(whois.lookup('10.9.0.1')).toEqual({ chain: [], fallback: ['isp'] });
    expect(whois.lookup('2001:db8::5')).toEqual({ chain: ['v6'], fallback: [] });
    expect(whois.lookup('not-an-ip')).toEqual({ chain: [], fallback: [] });
  });
});

describe('credibility', () => {
  const detectors = new Map([
    ['good', 1],
    ['meh', 0.6],
    ['bad', 0.3],
  ]);
  it('multiplies known credibilities and blocks below 0.5', () => {
    expect(credibilityOf(['good', 'meh'], detectors)).toMatchObject({ blocked: false, charged: null });
    expect(
      credibilityOf(
        ['meh', 'meh2', 'meh'],
        new Map([
          ['meh', 0.6],
          ['meh2', 0.7],
        ]),
      ),
    ).toMatchObject({ blocked: true });
  });
  it('counts unknown detectors as 1.0, charges the least credible known one, never crashes', () => {
    expect(credibilityOf(['bad', 'unknown-last'], detectors)).toEqual({
      credibility: 0.3,
      blocked: true,
      charged: 'bad',
      unknown: ['unknown-last'],
    });
    expect(credibilityOf(['unknown'], detectors)).toMatchObject({ blocked: false, unknown: ['unknown'] });
  });
});

describe('single-IP copies', () => {
  const event = {
    ID: 'e',
    Source: [{ IP4: ['10.0.1.1', '10.0.2.2'], Port: [22] }, { IP6: ['2001:db8::1'] }],
  };
  it('keeps one address in the first section and clears the others', () => {
    expect(sectionIps(event, 'Source')).toEqual(['10.0.1.1', '10.0.2.2', '2001:db8::1']);
    expect(singleIpCopy(event, 'Source', '2001:db8::1')).toEqual({
      ID: 'e',
      Source: [{ Port: [22], IP6: ['2001:db8::1'] }, {}],
    });
  });
});

describe('classifier (filters and credibility per IP)', () => {
  const filters = [
    compileFilter({
      name: 'drop-99',
      group: 'child',
      enabled: true,
      sourceBased: true,
      expression: "'10.0.1.99' in sourceIPs",
    }),
    compileFilter({ name: 'isp-quiet', group: 'isp', enabled: true, sourceBased: true, expression: 'true' }),
    compileFilter({
      name: 'expired',
      group: null,
      enabled: true,
      sourceBased: true,
      expression: 'true',
      validTo: new Date(0),
    }),
  ];
  const classify = createClassifier(
    { whois, filters, credibility: new Map([['bad', 0.1]]), now: new Date() },
    'child',
    'source',
  );
  const event = (ips: string[], nodes = ['good']) => ({
    id: 'e',
    ips,
    nodeNames: nodes,
    event: { ID: 'e', Category: ['Recon.Scanning'], Source: [{ IP4: ips }] },
    classification: { eventClass: null, targetClass: null, severity: null, targetSeverity: null },
  });

  it("filters one IP of a multi-IP event, ignores IPs outside the group's chains, drops a filtering fallback group", () => {
    const verdict = classify(event(['10.0.1.5', '10.0.1.99', '10.0.2.1']));
    expect(verdict.hits).toEqual([
      { ip: '10.0.1.5', chain: ['child', 'parent'], fallback: [], filter: null, stage: 'passed' },
      {
        ip: '10.0.1.99',
        chain: ['child', 'parent'],
        fallback: ['isp'],
        filter: 'child/drop-99',
        stage: 'filtered',
      },
    ]);
  });
  it('marks credible-filtered IPs uncredible and names the detector to charge', () => {
    const verdict = classify(event(['10.0.1.5'], ['bad']));
    expect(verdict.hits[0]?.stage).toBe('uncredible');
    expect(verdict.blockedBy).toBe('bad');
  });
});
