// Group chains from the catalog's networks: every network containing the IP,
// most specific first; owners of non-base networks form the chain, owners of base networks the
// fallback list; both de-duplicated in order. Parent/child group links play no part in it.
// An IP with no chain is never reported (Mentat), unless the catalog setting report_base_only
// makes its fallback list the chain (docs/reporting.md, "Base-only addresses").
// The networks containing an IP come from ingest's resolver index (domain/idea/abuse.ts), one probe
// per prefix length the catalog holds: a RIPE import holds hundreds of thousands of networks, and
// a lookup must not visit each of them.
import { createAbuseResolver } from '../idea/abuse';
import { parseNetwork } from '../idea/network';
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

/** Lookups remembered per whois (a run's distinct IPs, up to this many). */
const CACHED_LOOKUPS = 200_000;

const prefixOf = (network: string) => parseNetwork(network)?.prefix ?? 0;

export function createWhois(networks: readonly CatalogNetwork[], options: WhoisOptions = {}): Whois {
  const index = createAbuseResolver(networks);
  const cache = new Map<string, ChainRef>();
  return {
    lookup(ip: string): ChainRef {
      const cached = cache.get(ip);
      if (cached) return cached;
      // Most specific first; equal prefixes by rank (nulls last), then by group name for stability.
      const containing = index
        .chain(ip)
        .map((n) => ({ ...n, prefix: prefixOf(n.network), rank: n.rank ?? Number.MAX_SAFE_INTEGER }))
        .sort(
          (a, b) =>
            b.prefix - a.prefix || a.rank - b.rank || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0),
        );
      const chain: string[] = [];
      const fallback: string[] = [];
      for (const n of containing) {
        const list = n.isBase ? fallback : chain;
        if (!list.includes(n.group)) list.push(n.group);
      }
      const ref =
        options.reportBaseOnly && chain.length === 0 && fallback.length > 0
          ? { chain: fallback, fallback: [] }
          : { chain, fallback };
      if (cache.size < CACHED_LOOKUPS) cache.set(ip, ref);
      return ref;
    },
  };
}
