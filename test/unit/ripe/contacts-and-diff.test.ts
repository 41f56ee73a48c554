import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RipeContactCollector, type RipeGroup } from '../../../domain/ripe/contacts';
import { diffRipe, type StoredRipeGroup } from '../../../domain/ripe/diff';
import type { RpslObject } from '../../../domain/ripe/rpsl';

const object = (line: number, ...pairs: [string, string][]): RpslObject => ({
  cls: pairs[0]![0],
  line,
  attributes: pairs.map(([name, value], i) => ({ name, value, line: line + i })),
});

const objects: RpslObject[] = [
  object(1, ['role', 'A'], ['nic-hdl', 'AR1'], ['abuse-mailbox', 'Abuse@Outer.example']),
  object(5, ['role', 'B'], ['nic-hdl', 'AR2'], ['abuse-mailbox', 'abuse@inner.example']),
  object(9, ['role', 'T'], ['nic-hdl', 'TR3']),
  object(12, ['organisation', 'ORG-1'], ['abuse-c', 'ar1']),
  object(
    15,
    ['inetnum', '10.0.0.0 - 10.0.255.255'],
    ['netname', 'OUTER'],
    ['org', 'ORG-1'],
    ['country', 'cz'],
  ),
  // Cut around a nested range: 10.0.1.0/24 comes from both.
  object(
    20,
    ['inetnum', '10.0.1.0 - 10.0.1.255'],
    ['netname', 'INNER'],
    ['abuse-c', 'AR2'],
    ['country', 'CZ'],
  ),
  object(
    25,
    ['inetnum', '10.0.0.128 - 10.0.1.255'],
    ['netname', 'MIDDLE'],
    ['org', 'ORG-1'],
    ['country', 'CZ'],
  ),
  object(
    30,
    ['inetnum', '10.0.2.0 - 10.0.2.255'],
    ['netname', 'INHERITS'],
    ['abuse-c', 'TR3'],
    ['country', 'CZ'],
  ),
  object(
    35,
    ['inetnum', '10.9.0.0 - 10.9.0.255'],
    ['netname', 'ALONE'],
    ['org', 'ORG-GONE'],
    ['country', 'DE'],
  ),
  object(40, ['inet6num', '2001:db8::/32'], ['netname', 'V6'], ['abuse-c', 'AR2'], ['country', 'DE']),
];

function plan(list: readonly RpslObject[], countries?: string[]) {
  const collector = new RipeContactCollector({ countries });
  for (const o of list) collector.add('dump', o);
  return collector.finish();
}

describe('contact resolution', () => {
  it('own abuse-c first, then the org’s; contactless ranges inherit or are listed', () => {
    const result = plan(objects);
    expect(result.groups).toEqual([
      {
        mailbox: 'abuse@inner.example',
        handles: ['AR2'],
        networks: [
          expect.objectContaining({ network: '10.0.1.0/24', name: 'INNER', rank: 0 }),
          expect.objectContaining({ network: '2001:db8::/32', name: 'V6', rank: null }),
        ],
      },
      {
        mailbox: 'abuse@outer.example',
        handles: ['AR1'],
        networks: [
          // OUTER and MIDDLE share a mailbox: one network each CIDR, named by the smaller range.
          expect.objectContaining({ network: '10.0.0.0/16', name: 'OUTER', rank: null }),
          expect.objectContaining({ network: '10.0.0.128/25', name: 'MIDDLE', rank: null }),
          expect.objectContaining({
            network: '10.0.1.0/24',
            name: 'MIDDLE',
            description: 'inetnum: 10.0.0.128 - 10.0.1.255',
            rank: 1,
          }),
        ],
      },
    ]);
    expect(result.counts).toMatchObject({ ranges: 6, withContact: 4, inherited: 1, unresolved: 1 });
    expect(result.unresolved).toEqual([
      {
        file: 'dump',
        line: 35,
        range: '10.9.0.0 - 10.9.0.255',
        netname: 'ALONE',
        reason: 'no abuse-c, and org ORG-GONE is not in the dumps',
      },
    ]);
  });

  it('gives the same plan whatever order the objects come in', () => {
    const expected = plan(objects);
    fc.assert(
      fc.property(fc.shuffledSubarray(objects, { minLength: objects.length }), (shuffled) => {
        const got = plan(shuffled);
        expect(got.groups).toEqual(expected.groups);
        expect(got.counts).toEqual(expected.counts);
        expect(got.unresolved).toEqual(expected.unresolved);
      }),
      { numRuns: 100 },
    );
  });

  it('--country keeps only the ranges of those countries', () => {
    const de = plan(objects, ['de']);
    expect(de.groups.map((g) => [g.mailbox, g.networks.map((n) => n.network)])).toEqual([
      ['abuse@inner.example', ['2001:db8::/32']],
    ]);
    expect(de.counts).toMatchObject({ ranges: 6, outsideCountries: 4, unresolved: 1 });
  });

  it('names the attribute of a role whose abuse-mailbox is not an address', () => {
    const collector = new RipeContactCollector();
    collector.add(
      'roles',
      object(7, ['role', 'X'], ['nic-hdl', 'AR9'], ['abuse-mailbox', 'abuse at example']),
    );
    collector.add('roles', object(11, ['role', 'Y'], ['abuse-mailbox', 'a@b.example']));
    expect(collector.finish().problems).toEqual([
      {
        file: 'roles',
        line: 9,
        attribute: 'abuse-mailbox',
        message: '"abuse at example" is not an e-mail address',
      },
      { file: 'roles', line: 11, attribute: 'nic-hdl', message: 'a role without a nic-hdl' },
    ]);
  });
});

const network = (cidr: string, name: string) => ({
  network: cidr,
  name,
  description: `inetnum: ${cidr}`,
  rank: null,
});
const stored = (
  id: number,
  name: string,
  handles: string[],
  nets: [number, string, string][],
): StoredRipeGroup => ({
  id,
  name,
  handles,
  networks: nets.map(([nid, cidr, n]) => ({ id: nid, ...network(cidr, n) })),
});

describe('the diff', () => {
  it('follows a changed mailbox through its handle, adds, removes, renames networks', () => {
    const planned: RipeGroup[] = [
      {
        mailbox: 'new@a.example',
        handles: ['H1'],
        networks: [network('10.0.0.0/8', 'A'), network('10.1.0.0/16', 'A2')],
      },
      { mailbox: 'b@b.example', handles: ['H2'], networks: [network('192.0.2.0/24', 'B-RENAMED')] },
      { mailbox: 'c@c.example', handles: ['H3'], networks: [network('198.51.100.0/24', 'C')] },
      { mailbox: 'manual', handles: ['H4'], networks: [network('203.0.113.0/24', 'D')] },
    ];
    const changes = diffRipe(
      planned,
      [
        stored(1, 'old@a.example', ['H1'], [[11, '10.0.0.0/8', 'A']]),
        stored(
          2,
          'b@b.example',
          ['H2'],
          [
            [21, '192.0.2.0/24', 'B'],
            [22, '192.0.3.0/24', 'B'],
          ],
        ),
        stored(3, 'gone@d.example', ['H9'], [[31, '100.64.0.0/10', 'G']]),
      ],
      new Set(['manual']),
    );
    expect(changes.diff).toEqual({
      groupsAdded: [{ name: 'c@c.example', networks: 1 }],
      groupsRemoved: [{ name: 'gone@d.example', networks: 1 }],
      mailboxChanged: [{ from: 'old@a.example', to: 'new@a.example' }],
      conflicts: [{ name: 'manual', networks: 1 }],
      networksAdded: [
        { group: 'c@c.example', network: '198.51.100.0/24', name: 'C' },
        { group: 'new@a.example', network: '10.1.0.0/16', name: 'A2' },
      ],
      networksRemoved: [
        { group: 'b@b.example', network: '192.0.3.0/24', name: 'B' },
        { group: 'gone@d.example', network: '100.64.0.0/10', name: 'G' },
      ],
      networksChanged: [{ group: 'b@b.example', network: '192.0.2.0/24', name: 'B-RENAMED', was: 'B' }],
      unchanged: { groups: 1, networks: 1 },
    });
    expect(changes.keep).toEqual([
      { id: 1, from: 'old@a.example', to: 'new@a.example', handles: ['H1'] },
      { id: 2, from: 'b@b.example', to: 'b@b.example', handles: ['H2'] },
    ]);
    expect(changes.deleteGroupIds).toEqual([3]);
    expect(changes.deleteNetworkIds).toEqual([22]);
    expect(changes.updateNetworks.map((u) => u.id)).toEqual([21]);
    expect(changes.insertNetworks.map((i) => [i.groupId, i.network.network])).toEqual([[1, '10.1.0.0/16']]);
    expect(changes.create.map((g) => g.mailbox)).toEqual(['c@c.example']);
  });

  it('is empty when the plan is what is stored', () => {
    const planned: RipeGroup[] = [
      { mailbox: 'a@a.example', handles: ['H1'], networks: [network('2001:db8::/32', 'A')] },
    ];
    const changes = diffRipe(
      planned,
      [stored(1, 'a@a.example', ['H1'], [[11, '2001:db8::/32', 'A']])],
      new Set(),
    );
    expect(changes.diff).toMatchObject({
      groupsAdded: [],
      groupsRemoved: [],
      mailboxChanged: [],
      networksAdded: [],
      networksRemoved: [],
      networksChanged: [],
      unchanged: { groups: 1, networks: 1 },
    });
  });
});
