// CEL helpers for IP tests: ipIn(ip, net) and anyIpIn(list, net). `ip` may be an address, a
// network or an IDEA range; it is "in" `net` when all of it lies inside. An unparsable
// argument is a runtime error (the caller logs it and skips the filter).
import { CelScalar, celFunc, listType } from '@bufbuild/cel';
import { type Family, type Network, networkContains, parseAddress, parseNetwork } from '../idea/network';

const cache = new Map<string, Network[] | null>();

/** Networks covered by an address, "a/len" or range "a-b" (a range becomes its two ends). */
function parseIpLike(text: string): Network[] | null {
  let hit = cache.get(text);
  if (hit !== undefined) return hit;
  const dash = text.indexOf('-');
  if (dash >= 0) {
    const first = parseAddress(text.slice(0, dash).trim());
    const last = parseAddress(text.slice(dash + 1).trim());
    hit =
      first && last && first.family === last.family && first.value <= last.value
        ? [host(first.family, first.value), host(last.family, last.value)]
        : null;
  } else {
    const net = parseNetwork(text);
    hit = net ? [net] : null;
  }
  if (cache.size > 100_000) cache.clear();
  cache.set(text, hit);
  return hit;
}

const host = (family: Family, value: bigint): Network => ({
  family,
  base: value,
  prefix: family === 4 ? 32 : 128,
});

export function ipIn(ip: string, net: string): boolean {
  const inner = parseIpLike(ip);
  if (!inner) throw new Error(`ipIn: ${JSON.stringify(ip)} is not an IP address, network or range`);
  const outer = parseIpLike(net);
  if (outer?.length !== 1) throw new Error(`ipIn: ${JSON.stringify(net)} is not a network`);
  return inner.every((part) => networkContains(outer[0]!, part));
}

export const ipFunctions = [
  celFunc('ipIn', [CelScalar.STRING, CelScalar.STRING], CelScalar.BOOL, (ip, net) => ipIn(ip, net)),
  celFunc('anyIpIn', [listType(CelScalar.DYN), CelScalar.STRING], CelScalar.BOOL, (list, net) => {
    for (const ip of list) if (ipIn(String(ip), net)) return true;
    return false;
  }),
];
