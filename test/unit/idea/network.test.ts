import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  envelope,
  formatIpv4,
  formatNetwork,
  ideaAddressToInets,
  ipv4Envelope,
  lastAddress,
  networkContains,
  parseIpv4Network,
  parseNetwork,
  rangeToNetworks,
} from '../../../domain/idea/network';

describe('IDEA addresses as inet values', () => {
  it('turns a range into the exact CIDR blocks', () => {
    expect(ideaAddressToInets('192.168.0.2-192.168.0.5', 4)).toEqual(['192.168.0.2/31', '192.168.0.4/31']);
    expect(ideaAddressToInets('10.0.0.0-10.0.1.255', 4)).toEqual(['10.0.0.0/23']);
    expect(ideaAddressToInets('2001:db8::1-2001:db8::2', 6)).toEqual(['2001:db8::1', '2001:db8::2']);
  });

  it('keeps addresses and networks, and refuses the other family or nonsense', () => {
    expect(ideaAddressToInets('192.0.2.1', 4)).toEqual(['192.0.2.1']);
    expect(ideaAddressToInets('192.168.0.10/25', 4)).toEqual(['192.168.0.10/25']);
    expect(ideaAddressToInets('2001:0db8:0000:0000:0000:ff00:0042::/112', 6)).toEqual([
      '2001:0db8:0000:0000:0000:ff00:0042::/112',
    ]);
    expect(ideaAddressToInets('192.0.2.1', 6)).toBeNull();
    expect(ideaAddressToInets('127.1', 4)).toBeNull();
    expect(ideaAddressToInets('10.0.0.0/33', 4)).toBeNull();
    expect(ideaAddressToInets('10.0.0.9-10.0.0.1', 4)).toBeNull();
  });

  it('computes the smallest covering network', () => {
    const nets = ['192.0.2.1', '192.0.2.200'].map((t) => parseNetwork(t)!);
    expect(formatNetwork(envelope(nets)!)).toBe('192.0.2.0/24');
    expect(formatNetwork(envelope([parseNetwork('2001:db8::1')!])!)).toBe('2001:db8::1/128');
    expect(envelope([])).toBeNull();
  });

  it('decomposes any range into blocks that cover exactly the range', () => {
    const blocks = rangeToNetworks(4, 3n, 1000n);
    let next = 3n;
    for (const block of blocks) {
      expect(block.base).toBe(next);
      next = block.base + (1n << BigInt(32 - block.prefix));
    }
    expect(next).toBe(1001n);
  });

  it('tests containment across prefix lengths and families', () => {
    expect(networkContains(parseNetwork('10.0.0.0/8')!, parseNetwork('10.1.2.0/24')!)).toBe(true);
    expect(networkContains(parseNetwork('10.1.2.0/24')!, parseNetwork('10.0.0.0/8')!)).toBe(false);
    expect(networkContains(parseNetwork('::/0')!, parseNetwork('10.0.0.1')!)).toBe(false);
  });
});

describe('network arithmetic (properties)', () => {
  it('range decomposition covers exactly [first, last] with aligned blocks', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 32n - 1n }),
        fc.bigInt({ min: 0n, max: 70000n }),
        (first, span) => {
          const last = first + span > 2n ** 32n - 1n ? 2n ** 32n - 1n : first + span;
          let next = first;
          for (const block of rangeToNetworks(4, first, last)) {
            const size = 1n << BigInt(32 - block.prefix);
            if (block.base !== next || block.base % size !== 0n) return false;
            next = block.base + size;
          }
          return next === last + 1n;
        },
      ),
    );
  });

  it('the envelope contains every network it was built from', () => {
    const address = fc.bigInt({ min: 0n, max: 2n ** 128n - 1n });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(address, fc.integer({ min: 0, max: 128 })), { minLength: 1, maxLength: 6 }),
        (parts) => {
          const nets = parts.map(([value, prefix]) => {
            const mask = ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - prefix)) - 1n);
            return { family: 6 as const, base: value & mask, prefix };
          });
          const env = envelope(nets)!;
          return nets.every((net) => networkContains(env, net));
        },
      ),
    );
  });

  it('IPv4 in plain numbers agrees with the BigInt arithmetic (parse, envelope)', () => {
    const v4 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(v4, fc.integer({ min: 0, max: 32 })), { minLength: 1, maxLength: 6 }),
        (parts) => {
          const texts = parts.map(([value, prefix]) => `${formatIpv4(value)}/${prefix}`);
          const nets = texts.map((text) => parseNetwork(text)!);
          const numbers = texts.map((text) => parseIpv4Network(text)!);
          if (numbers.some((n, i) => BigInt(n.base) !== nets[i]!.base || n.prefix !== nets[i]!.prefix))
            return false;
          const low = Math.min(...nets.map((net) => Number(net.base)));
          const high = Math.max(...nets.map((net) => Number(lastAddress(net))));
          return ipv4Envelope(low, high) === formatNetwork(envelope(nets)!);
        },
      ),
    );
    for (const text of ['127.1', '10.0.0.01', '10.0.0.0/33', '10.0.0.0/', '::1', '256.0.0.0'])
      expect(parseIpv4Network(text)).toBeNull();
  });
});
