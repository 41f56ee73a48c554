// The whois index against the plain definition (property-based, fast-check): over random catalogs
// of nested, equal and overlapping IPv4 and IPv6 networks (some written with host bits), ranks and
// base flags, every lookup of an address or network returns what visiting every network in
// specificity order returns — the chain, the fallback list and base-only promotion alike.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { networkContains, parseNetwork } from '../../../domain/idea/network';
import type { ChainRef } from '../../../domain/reporting/chains';
import { type CatalogNetwork, createWhois } from '../../../domain/reporting/whois';

/** The definition: every network, most specific first (then rank, nulls last, then group name). */
function referenceLookup(networks: readonly CatalogNetwork[], ip: string, reportBaseOnly: boolean): ChainRef {
  const target = parseNetwork(ip);
  const containing = networks
    .map((n) => ({ ...n, net: parseNetwork(n.network) }))
    .filter((n) => n.net !== null && target !== null && networkContains(n.net, target))
    .sort(
      (a, b) =>
        b.net!.prefix - a.net!.prefix ||
        (a.rank ?? Number.MAX_SAFE_INTEGER) - (b.rank ?? Number.MAX_SAFE_INTEGER) ||
        (a.group < b.group ? -1 : a.group > b.group ? 1 : 0),
    );
  const chain: string[] = [];
  const fallback: string[] = [];
  for (const n of containing) {
    const list = n.isBase ? fallback : chain;
    if (!list.includes(n.group)) list.push(n.group);
  }
  return reportBaseOnly && chain.length === 0 && fallback.length > 0
    ? { chain: fallback, fallback: [] }
    : { chain, fallback };
}

const V4 = [
  '10.0.0.0/8',
  '10.0.0.0/16',
  '10.0.0.0/20',
  '10.0.1.0/24',
  '10.0.1.7/24', // host bits: the same network as 10.0.1.0/24
  '10.0.1.0/28',
  '10.0.1.5/32',
  '10.0.2.0/24',
  '10.0.16.0/20',
  '0.0.0.0/0',
  '192.0.2.0/24',
];
const V6 = ['2001:db8::/32', '2001:db8:1::/48', '2001:db8:1::/64', '2001:db8:1::5/128', '2001:db8:2::/48'];
const LOOKUPS = [
  '10.0.1.5',
  '10.0.1.6',
  '10.0.1.200',
  '10.0.2.9',
  '10.0.17.1',
  '10.1.0.1',
  '192.0.2.77',
  '172.16.0.1',
  '10.0.1.0/26',
  '10.0.0.0/12',
  '2001:db8:1::5',
  '2001:db8:1::6',
  '2001:db8:1:0:1::1',
  '2001:db8:2::1',
  '2001:db9::1',
  '2001:db8:1::/64',
];

const catalog = fc.array(
  fc.record({
    group: fc.constantFrom('g0', 'g1', 'g2', 'g3', 'g4'),
    network: fc.constantFrom(...V4, ...V6),
    isBase: fc.boolean(),
    rank: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
  }),
  { maxLength: 25 },
);

describe('whois', () => {
  it('returns, for every address and network, the chain of the plain definition', () => {
    fc.assert(
      fc.property(catalog, fc.boolean(), (networks, reportBaseOnly) => {
        const whois = createWhois(networks, { reportBaseOnly });
        for (const ip of LOOKUPS) {
          const expected = referenceLookup(networks, ip, reportBaseOnly);
          expect(whois.lookup(ip)).toEqual(expected);
          expect(whois.lookup(ip)).toEqual(expected); // remembered
        }
      }),
      { numRuns: 500 },
    );
  });

  it('finds the chain in a catalog of a hundred thousand networks', () => {
    // 100,000 host networks of one group each, inside one base /8.
    const networks: CatalogNetwork[] = [
      { group: 'national', network: '10.0.0.0/8', isBase: true, rank: null },
    ];
    for (let i = 0; i < 100_000; i++)
      networks.push({
        group: `g${i}`,
        network: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}/32`,
        isBase: false,
        rank: null,
      });
    const whois = createWhois(networks);
    for (let i = 0; i < 100_000; i += 997)
      expect(whois.lookup(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`)).toEqual({
        chain: [`g${i}`],
        fallback: ['national'],
      });
    expect(whois.lookup('10.200.0.1')).toEqual({ chain: [], fallback: ['national'] });
  });
});
