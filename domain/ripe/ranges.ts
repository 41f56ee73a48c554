// The address range of an `inetnum` ("192.0.2.10 - 192.0.2.20", IPv4 only) or an `inet6num`
// ("2001:db8::/32", a prefix), and the minimal list of CIDR networks that covers it exactly.
import {
  type Family,
  formatNetwork,
  lastAddress,
  parseAddress,
  parseNetwork,
  rangeToNetworks,
} from '../idea/network';

export interface AddressRange {
  family: Family;
  first: bigint;
  last: bigint;
}

export type RangeParse = { ok: true; range: AddressRange } | { ok: false; message: string };

const quoted = (value: string) => JSON.stringify(value);

export function parseInetnum(value: string): RangeParse {
  const dash = value.indexOf('-');
  if (dash < 0) {
    // Not RIPE's form, but a prefix says the same thing.
    const net = parseNetwork(value);
    if (net?.family === 4 && !net.hostBits && value.includes('/'))
      return { ok: true, range: { family: 4, first: net.base, last: lastAddress(net) } };
    return {
      ok: false,
      message: `${quoted(value)} is not an IPv4 range (expected e.g. 192.0.2.0 - 192.0.2.255)`,
    };
  }
  const first = parseAddress(value.slice(0, dash).trim());
  const last = parseAddress(value.slice(dash + 1).trim());
  if (first?.family !== 4 || last?.family !== 4)
    return {
      ok: false,
      message: `${quoted(value)} is not an IPv4 range (expected e.g. 192.0.2.0 - 192.0.2.255)`,
    };
  if (first.value > last.value) return { ok: false, message: `${quoted(value)} ends before it starts` };
  return { ok: true, range: { family: 4, first: first.value, last: last.value } };
}

export function parseInet6num(value: string): RangeParse {
  const net = parseNetwork(value);
  if (net?.family !== 6 || !value.includes('/'))
    return { ok: false, message: `${quoted(value)} is not an IPv6 prefix (expected e.g. 2001:db8::/32)` };
  if (net.hostBits)
    return {
      ok: false,
      message: `${quoted(value)} has bits set after its prefix (did you mean ${formatNetwork(net)}?)`,
    };
  return { ok: true, range: { family: 6, first: net.base, last: lastAddress(net) } };
}

/** The fewest CIDR networks whose union is exactly the range (disjoint, in address order). */
export function rangeCidrs(range: AddressRange): string[] {
  return rangeToNetworks(range.family, range.first, range.last).map(formatNetwork);
}
