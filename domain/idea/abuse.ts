// Abuse-group resolution from the catalog's networks: for each address the group(s) owning the
// most specific non-base network that contains it (Mentat's whois chain head). Base (fallback)
// networks never make an address "belong" to a group; they only choose fallback recipients.
import { type Family, type Network, networkContains, parseNetwork } from './network';

export interface CatalogNetwork {
  group: string;
  network: string;
  isBase: boolean;
  rank?: number | null;
}

interface Entry {
  net: Network;
  text: string;
  group: string;
  isBase: boolean;
  rank: number;
}

export interface AbuseResolver {
  /** Groups for a list of inet texts (addresses or networks), de-duplicated, in order. */
  resolve(inets: readonly string[]): string[];
  /** Every network containing the address, most specific first (the chain; base ones included). */
  chain(inet: string): CatalogNetwork[];
}

const bits = (family: Family) => (family === 4 ? 32 : 128);
const maskOf = (family: Family, prefix: number) => {
  const b = BigInt(bits(family));
  return ((1n << b) - 1n) ^ ((1n << (b - BigInt(prefix))) - 1n);
};

export function createAbuseResolver(networks: readonly CatalogNetwork[]): AbuseResolver {
  // family -> prefix -> base -> entries; probing each present prefix length keeps a lookup
  // O(distinct prefix lengths) however many networks the catalog holds.
  const index = new Map<Family, Map<number, Map<bigint, Entry[]>>>([
    [4, new Map()],
    [6, new Map()],
  ]);
  for (const n of networks) {
    const net = parseNetwork(n.network);
    if (!net) continue;
    const byPrefix = index.get(net.family)!;
    let byBase = byPrefix.get(net.prefix);
    if (!byBase) {
      byBase = new Map();
      byPrefix.set(net.prefix, byBase);
    }
    const entry = {
      net,
      text: n.network,
      group: n.group,
      isBase: n.isBase,
      rank: n.rank ?? Number.MAX_SAFE_INTEGER,
    };
    byBase.get(net.base)?.push(entry) ?? byBase.set(net.base, [entry]);
  }
  for (const byPrefix of index.values())
    for (const byBase of byPrefix.values())
      for (const entries of byBase.values()) entries.sort((a, b) => a.rank - b.rank);
  const prefixes = new Map<Family, number[]>(
    [...index].map(([family, byPrefix]) => [family, [...byPrefix.keys()].sort((a, b) => b - a)]),
  );

  const containing = (inet: string): Entry[] => {
    const target = parseNetwork(inet);
    if (!target) return [];
    const out: Entry[] = [];
    const byPrefix = index.get(target.family)!;
    for (const prefix of prefixes.get(target.family)!) {
      if (prefix > target.prefix) continue;
      const entries = byPrefix.get(prefix)?.get(target.base & maskOf(target.family, prefix));
      if (!entries) continue;
      for (const entry of entries) if (networkContains(entry.net, target)) out.push(entry);
    }
    return out;
  };

  return {
    resolve(inets) {
      const groups = new Set<string>();
      for (const inet of inets) {
        const chain = containing(inet).filter((entry) => !entry.isBase);
        const head = chain[0];
        if (!head) continue;
        // Several groups may own the very same most specific network.
        for (const entry of chain)
          if (entry.net.prefix === head.net.prefix && entry.rank === head.rank) groups.add(entry.group);
      }
      return [...groups];
    },
    chain(inet) {
      return containing(inet).map((entry) => ({
        group: entry.group,
        network: entry.text,
        isBase: entry.isBase,
        rank: entry.rank === Number.MAX_SAFE_INTEGER ? null : entry.rank,
      }));
    },
  };
}
