import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseNetwork } from '../../../domain/idea/network';
import { parseInet6num, parseInetnum, rangeCidrs } from '../../../domain/ripe/ranges';
import { type RpslObject, type RpslProblem, RpslReader } from '../../../domain/ripe/rpsl';

function read(text: string) {
  const objects: RpslObject[] = [];
  const problems: RpslProblem[] = [];
  const reader = new RpslReader(
    (o) => objects.push(o),
    (p) => problems.push(p),
  );
  for (const [i, line] of text.split('\n').entries()) reader.line(line, i + 1);
  reader.end();
  return { objects, problems };
}

describe('RPSL objects', () => {
  it('joins continuation lines (space, tab, +), drops comments and keeps source: RIPE without # Filtered', () => {
    const { objects, problems } = read(
      [
        '# dump header',
        '% whois comment',
        '',
        'role:           Abuse Team',
        'address:        Street 1',
        '                Prague',
        '\tCzech Republic',
        '+',
        '+               Europe   # trailing comment',
        '% a comment inside the object',
        'Abuse-Mailbox:  abuse@example.net',
        'source:         RIPE # Filtered',
        '',
        '',
        'organisation:   ORG-X1-RIPE',
        'abuse-c:        AR1-RIPE',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(objects).toEqual([
      {
        cls: 'role',
        line: 4,
        attributes: [
          { name: 'role', value: 'Abuse Team', line: 4 },
          { name: 'address', value: 'Street 1 Prague Czech Republic Europe', line: 5 },
          { name: 'abuse-mailbox', value: 'abuse@example.net', line: 11 },
          { name: 'source', value: 'RIPE', line: 12 },
        ],
      },
      {
        cls: 'organisation',
        line: 15,
        attributes: [
          { name: 'organisation', value: 'ORG-X1-RIPE', line: 15 },
          { name: 'abuse-c', value: 'AR1-RIPE', line: 16 },
        ],
      },
    ]);
  });

  it('skips a malformed object whole, names its line, and reads the next one', () => {
    const { objects, problems } = read(
      [
        'inetnum:  192.0.2.0 - 192.0.2.255',
        'not an attribute',
        'netname:  LOST',
        '',
        '  continuation without an attribute',
        'netname:  ALSO-LOST',
        '',
        'inetnum:  198.51.100.0 - 198.51.100.255',
      ].join('\n'),
    );
    expect(problems).toEqual([
      {
        line: 2,
        message: 'expected "attribute: value", got "not an attribute" (in the inetnum object of line 1)',
      },
      { line: 5, message: 'continuation line before the first attribute of an object' },
    ]);
    expect(objects.map((o) => o.attributes[0]!.value)).toEqual(['198.51.100.0 - 198.51.100.255']);
  });

  it('refuses a line the caller could not read, once per object', () => {
    const problems: RpslProblem[] = [];
    const objects: RpslObject[] = [];
    const reader = new RpslReader(
      (o) => objects.push(o),
      (p) => problems.push(p),
    );
    reader.line('role: X', 1);
    reader.refuse(2, 'line longer than 65536 bytes');
    reader.refuse(3, 'line longer than 65536 bytes');
    reader.line('', 4);
    reader.line('role: Y', 5);
    reader.end();
    expect(problems).toEqual([
      { line: 2, message: 'line longer than 65536 bytes (in the role object of line 1)' },
    ]);
    expect(objects.map((o) => o.attributes[0]!.value)).toEqual(['Y']);
  });
});

describe('inetnum and inet6num values', () => {
  it('reads ranges and prefixes and says what is wrong with the rest', () => {
    expect(parseInetnum('192.0.2.10 - 192.0.2.20')).toEqual({
      ok: true,
      range: { family: 4, first: 3221225994n, last: 3221226004n },
    });
    expect(parseInetnum('192.0.2.0/24')).toMatchObject({ ok: true });
    expect(parseInetnum('192.0.2.20 - 192.0.2.10')).toEqual({
      ok: false,
      message: '"192.0.2.20 - 192.0.2.10" ends before it starts',
    });
    expect(parseInetnum('2001:db8:: - 2001:db8::ff')).toMatchObject({ ok: false });
    expect(parseInet6num('2001:db8::/32')).toMatchObject({ ok: true, range: { family: 6 } });
    expect(parseInet6num('2001:db8::1/32')).toEqual({
      ok: false,
      message: '"2001:db8::1/32" has bits set after its prefix (did you mean 2001:db8::/32?)',
    });
    expect(parseInet6num('192.0.2.0/24')).toMatchObject({ ok: false });
  });

  it('turns a range into its minimal CIDR list', () => {
    expect(rangeCidrs({ family: 4, first: 3221226010n, last: 3221226020n })).toEqual([
      '192.0.2.26/31',
      '192.0.2.28/30',
      '192.0.2.32/30',
      '192.0.2.36/32',
    ]);
    expect(rangeCidrs({ family: 4, first: 0n, last: 2n ** 32n - 1n })).toEqual(['0.0.0.0/0']);
  });

  for (const family of [4, 6] as const) {
    const bits = family === 4 ? 32 : 128;
    const max = 2n ** BigInt(bits) - 1n;
    it(`IPv${family}: the CIDRs cover exactly the range, are disjoint and as few as possible`, () => {
      const address = fc.bigInt({ min: 0n, max });
      // Small and huge spans alike (a span drawn over the whole space is almost always huge).
      const span = fc.oneof(fc.bigInt({ min: 0n, max: 5000n }), fc.bigInt({ min: 0n, max }));
      fc.assert(
        fc.property(address, span, (first, width) => {
          const last = first + width > max ? max : first + width;
          const nets = rangeCidrs({ family, first, last }).map((text) => parseNetwork(text)!);
          let next = first;
          for (const net of nets) {
            const size = 1n << BigInt(bits - net.prefix);
            // In order, adjacent (so disjoint and without gaps), aligned.
            expect(net.base).toBe(next);
            expect(net.base % size).toBe(0n);
            next = net.base + size;
          }
          expect(next).toBe(last + 1n);
          // Minimal: no two neighbours are the halves of one aligned block.
          for (let i = 1; i < nets.length; i++) {
            const [a, b] = [nets[i - 1]!, nets[i]!];
            const size = 1n << BigInt(bits - a.prefix);
            expect(a.prefix === b.prefix && a.base % (2n * size) === 0n).toBe(false);
          }
        }),
        { numRuns: 300 },
      );
    });
  }
});
