// Group chains from the catalog's networks: every network containing the IP,
// most specific first; owners of non-base networks form the chain, owners of base networks the
// fallback list; both de-duplicated in order. Parent/child group links play no part in it.
// An IP with no chain is never reported (Mentat), unless the catalog setting report_base_only
// makes its fallback list the chain (docs/reporting.md, "Base-only addresses").
import { networkContains, type ParsedNetwork, parseNetwork } from '../idea/network';
import type { ChainRef } from './chains';

export interface CatalogNetwork {
  group: string;
  network: string;
  isBase: boolean;
  rank: number | null;
}

export interface Whois {
  lookup(ip: string): ChainRef;
}

export interface WhoisOptions {
  reportBaseOnly?: boolean;
}

export function createWhois(networks: readonly CatalogNetwork[], options: WhoisOptions = {}): Whois {
  const parsed = networks
    .map((n) => ({ ...n, net: parseNetwork(n.network) }))
    .filter((n): n is CatalogNetwork & { net: ParsedNetwork } => n.net !== null)
    // Most specific first; equal prefixes by rank (nulls last), then by group name for stability.
    .sort(
      (a, b) =>
        b.net.prefix - a.net.prefix ||
        (a.rank ?? Number.MAX_SAFE_INTEGER) - (b.rank ?? Number.MAX_SAFE_INTEGER) ||
        (a.group < b.group ? -1 : a.group > b.group ? 1 : 0),
    );
  const cache = new Map<string, ChainRef>();
  return {
    lookup(ip: string): ChainRef {
      const cached = cache.get(ip);
      if (cached) return cached;
      const target = parseNetwork(ip);
      const chain: string[] = [];
      const fallback: string[] = [];
      if (target) {
        for (const n of parsed) {
          if (!networkContains(n.net, target)) continue;
          const list = n.isBase ? fallback : chain;
          if (!list.includes(n.group)) list.push(n.group);
        }
      }
      const ref =
        options.reportBaseOnly && chain.length === 0 && fallback.length > 0
          ? { chain: fallback, fallback: [] }
          : { chain, fallback };
      if (cache.size < 200_000) cache.set(ip, ref);
      return ref;
    },
  };
}
