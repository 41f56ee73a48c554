// IP address and network arithmetic for IDEA addresses, catalog networks and filter helpers.
// Addresses are bigints so IPv4 and IPv6 share one code path; IPv4 must be a strict dotted quad
// (no "127.1" shorthands), IPv6 is validated by node:net and laid out by ipaddr.js. Ingest's hot
// path (extract, abuse resolution) reads IPv4 as plain 32-bit numbers instead (the *Ipv4
// helpers): BigInt arithmetic was a large part of building each event's row.
import { isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';

export type Family = 4 | 6;

export interface Network {
  family: Family;
  /** Network address (host bits cleared). */
  base: bigint;
  prefix: number;
}

/** Strict dotted quad (no "127.1" or octal forms; leading zeros refused below). */
const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

const bitsOf = (family: Family) => (family === 4 ? 32 : 128);

/** A strict dotted quad as an unsigned 32-bit number, or null. */
export function parseIpv4(text: string): number | null {
  const v4 = ipv4.exec(text);
  if (!v4) return null;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(v4[i]);
    if (octet > 255 || (v4[i]!.length > 1 && v4[i]![0] === '0')) return null;
    n = n * 256 + octet;
  }
  return n;
}

export const formatIpv4 = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

/** The network mask of an IPv4 prefix length as an unsigned 32-bit number. */
export const ipv4Mask = (prefix: number) => (prefix === 0 ? 0 : (-1 << (32 - prefix)) >>> 0);

/** "a.b.c.d" or "a.b.c.d/len" as numbers (host bits cleared), like parseNetwork; null otherwise. */
export function parseIpv4Network(text: string): { base: number; prefix: number } | null {
  const slash = text.indexOf('/');
  const address = parseIpv4(slash < 0 ? text : text.slice(0, slash));
  if (address === null) return null;
  let prefix = 32;
  if (slash >= 0) {
    const len = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(len)) return null;
    prefix = Number(len);
    if (prefix > 32) return null;
  }
  return { base: (address & ipv4Mask(prefix)) >>> 0, prefix };
}

/** The smallest IPv4 network holding the inclusive range low..high, as "a.b.c.d/len". */
export function ipv4Envelope(low: number, high: number): string {
  const prefix = Math.clz32(low ^ high);
  return `${formatIpv4((low & ipv4Mask(prefix)) >>> 0)}/${prefix}`;
}

export function parseAddress(text: string): { family: Family; value: bigint } | null {
  const v4 = parseIpv4(text);
  if (v4 !== null) return { family: 4, value: BigInt(v4) };
  if (ipv4.test(text)) return null;
  // node:net takes zone ids ("fe80::1%eth0"); neither IDEA nor PostgreSQL's inet does.
  if (!text.includes('%') && isIPv6(text)) {
    let value = 0n;
    for (const byte of ipaddr.IPv6.parse(text).toByteArray()) value = (value << 8n) | BigInt(byte);
    return { family: 6, value };
  }
  return null;
}

export function formatAddress(family: Family, value: bigint): string {
  if (family === 4) return formatIpv4(Number(value));
  const bytes: number[] = [];
  for (let shift = 120n; shift >= 0n; shift -= 8n) bytes.push(Number((value >> shift) & 255n));
  return ipaddr.fromByteArray(bytes).toString();
}

const maskOf = (family: Family, prefix: number) => {
  const bits = BigInt(bitsOf(family));
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
};

export interface ParsedNetwork extends Network {
  /** True when the text had bits set to the right of the prefix (valid inet, invalid cidr). */
  hostBits: boolean;
}

/** "addr" or "addr/len"; a bare address is a host network (/32 or /128). */
export function parseNetwork(text: string): ParsedNetwork | null {
  const slash = text.indexOf('/');
  const address = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (!address) return null;
  const bits = bitsOf(address.family);
  let prefix = bits;
  if (slash >= 0) {
    const len = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(len)) return null;
    prefix = Number(len);
    if (prefix > bits) return null;
  }
  const base = address.value & maskOf(address.family, prefix);
  return { family: address.family, base, prefix, hostBits: base !== address.value };
}

export function formatNetwork(net: Network): string {
  return `${formatAddress(net.family, net.base)}/${net.prefix}`;
}

/** Inclusive last address of a network. */
export function lastAddress(net: Network): bigint {
  return net.base | ((1n << BigInt(bitsOf(net.family) - net.prefix)) - 1n);
}

export function networkContains(outer: Network, inner: Network): boolean {
  return (
    outer.family === inner.family &&
    outer.prefix <= inner.prefix &&
    (inner.base & maskOf(outer.family, outer.prefix)) === outer.base
  );
}

/** Exact CIDR decomposition of an inclusive address range. */
export function rangeToNetworks(family: Family, first: bigint, last: bigint): Network[] {
  const bits = bitsOf(family);
  const out: Network[] = [];
  let start = first;
  while (start <= last) {
    let size = 0; // host bits of the largest aligned block starting at `start` within the range
    while (size < bits) {
      const next = size + 1;
      const aligned = (start & ((1n << BigInt(next)) - 1n)) === 0n;
      if (!aligned || start + (1n << BigInt(next)) - 1n > last) break;
      size = next;
    }
    out.push({ family, base: start, prefix: bits - size });
    start += 1n << BigInt(size);
  }
  return out;
}

/**
 * One IDEA IP4/IP6 entry (address, network "a/len" or range "a-b") as inet texts for PostgreSQL.
 * Returns null when the text is not an address of the family.
 */
export function ideaAddressToInets(text: string, family: Family): string[] | null {
  const dash = text.indexOf('-');
  if (dash >= 0) {
    const first = parseAddress(text.slice(0, dash).trim());
    const last = parseAddress(text.slice(dash + 1).trim());
    if (!first || !last || first.family !== family || last.family !== family || first.value > last.value)
      return null;
    return rangeToNetworks(family, first.value, last.value).map((net) =>
      net.prefix === bitsOf(family) ? formatAddress(family, net.base) : formatNetwork(net),
    );
  }
  const net = parseNetwork(text);
  if (!net || net.family !== family) return null;
  return [text.includes('/') ? text : formatAddress(family, net.base)];
}

/** Smallest network covering every given network (all of one family); null for none. */
export function envelope(nets: Network[]): Network | null {
  const first = nets[0];
  if (!first) return null;
  let low = first.base;
  let high = lastAddress(first);
  for (const net of nets) {
    if (net.base < low) low = net.base;
    const last = lastAddress(net);
    if (last > high) high = last;
  }
  const bits = bitsOf(first.family);
  let prefix = bits;
  while (prefix > 0 && (low & maskOf(first.family, prefix)) !== (high & maskOf(first.family, prefix)))
    prefix--;
  return { family: first.family, base: low & maskOf(first.family, prefix), prefix };
}
