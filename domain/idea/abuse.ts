// Abuse-group resolution from the catalog's networks: for each address the group(s) owning the
// most specific non-base network that contains it (Mentat's whois chain head). Base (fallback)
// networks make an address "belong" to a group only with the catalog setting
// report_base_only (docs/reporting.md); otherwise, as in Mentat, they only choose fallback
// recipients, and an address covered by nothing else is base-only: never reported, but counted.
import {
  type Family,
  ipv4Mask,
  type Network,
  networkContains,
  parseIpv4Network,
  parseNetwork,
} from './network';

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

export interface Resolution {
  /** The groups the addresses are reported to, de-duplicated, in order. */
  groups: string[];
  /** Owners of the most specific base network of each address that no other network covers. */
  baseOnly: string[];
}

export interface AbuseResolverOptions {
  /** Report an address covered only by base networks to the owner of the most specific one. */
  reportBaseOnly?: boolean;
}

export interface AbuseResolver {
  /** Groups for a list of inet texts (addresses or networks), de-duplicated, in order. */
  resolve(inets: readonly string[]): string[];
  /** The groups and, apart, the base-only owners, for a list of inet texts. */
  resolveDetailed(inets: readonly string[]): Resolution;
  /** Every network containing the address, most specific first (the chain; base ones included). */
  chain(inet: string): CatalogNetwork[];
}

const bits = (family: Family) => (family === 4 ? 32 : 128);
const maskOf = (family: Family, prefix: number) => {
  const b = BigInt(bits(family));
  return ((1n << b) - 1n) ^ ((1n << (b - BigInt(prefix))) - 1n);
};

export function createAbuseResolver(
  networks: readonly CatalogNetwork[],
  options: AbuseResolverOptions = {},
): AbuseResolver {
  // family -> prefix -> base -> entries; probing each present prefix length keeps a lookup
  // O(distinct prefix lengths) however many networks the catalog holds.
  const index = new Map<Family, Map<number, Map<bigint, Entry[]>>>([
    [4, new Map()],
    [6, new Map()],
  ]);
  // The same for IPv4 keyed by plain numbers: every event's addresses are looked up here.
  const index4 = new Map<number, Map<number, Entry[]>>();
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
  for (const [prefix, byBase] of index.get(4)!)
    index4.set(prefix, new Map([...byBase].map(([base, entries]) => [Number(base), entries])));
  const prefixes = new Map<Family, number[]>(
    [...index].map(([family, byPrefix]) => [family, [...byPrefix.keys()].sort((a, b) => b - a)]),
  );

  const containing = (inet: string): Entry[] => {
    const target4 = parseIpv4Network(inet);
    if (target4) {
      // Found under its own prefix and masked base, an entry contains the target by construction.
      const out: Entry[] = [];
      for (const prefix of prefixes.get(4)!) {
        if (prefix > target4.prefix) continue;
        const entries = index4.get(prefix)!.get((target4.base & ipv4Mask(prefix)) >>> 0);
        if (entries) out.push(...entries);
      }
      return out;
    }
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

  // Several groups may own the very same most specific network.
  const addHeads = (chain: Entry[], into: Set<string>) => {
    const head = chain[0];
    if (!head) return;
    for (const entry of chain)
      if (entry.net.prefix === head.net.prefix && entry.rank === head.rank) into.add(entry.group);
  };
  const resolveDetailed = (inets: readonly string[]): Resolution => {
    const groups = new Set<string>();
    const baseOnly = new Set<string>();
    for (const inet of inets) {
      const all = containing(inet);
      const owned = all.filter((entry) => !entry.isBase);
      if (owned.length > 0) addHeads(owned, groups);
      else if (all.length > 0) {
        addHeads(all, baseOnly);
        if (options.reportBaseOnly) addHeads(all, groups);
      }
    }
    return { groups: [...groups], baseOnly: [...baseOnly] };
  };

  return {
    resolve: (inets) => resolveDetailed(inets).groups,
    resolveDetailed,
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
