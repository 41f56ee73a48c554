// What a severity run found, per (event, IP), and how it adds up per group chain. Counters are computed per chain from that chain's own hits (docs/mentat.md, "Counters").

/** How far one (event, IP) got: dropped by a filter, by credibility, by a live threshold, or passed. */
export type HitStage = 'filtered' | 'uncredible' | 'thresholded' | 'passed';

export interface ChainRef {
  /** Non-base network owners of the IP, most specific first; always contains the processed group. */
  chain: readonly string[];
  /** Owners of base networks of the IP (recipients of last resort). */
  fallback: readonly string[];
}

export interface Hit extends ChainRef {
  eventId: string;
  ip: string;
  stage: HitStage;
}

/** A previously thresholded event reported again, under the IP of the key that relapsed. */
export interface RelapseHit extends ChainRef {
  eventId: string;
  ip: string;
}

export interface Counters {
  new: number;
  flt: number;
  fltBlk: number;
  det: number;
  detBlk: number;
  thr: number;
  thrBlk: number;
  rlp: number;
  all: number;
  rep: number;
}

export const ZERO_COUNTERS: Counters = {
  new: 0,
  flt: 0,
  fltBlk: 0,
  det: 0,
  detBlk: 0,
  thr: 0,
  thrBlk: 0,
  rlp: 0,
  all: 0,
  rep: 0,
};

// Keys by list identity: the whois hands out one chain and fallback list per IP, so a run's
// million hits need a few thousand JSON texts, not a million (lists are never changed in place).
const chainKeys = new WeakMap<readonly string[], WeakMap<readonly string[], string>>();

export function chainKey(ref: ChainRef): string {
  let byFallback = chainKeys.get(ref.chain);
  if (!byFallback) {
    byFallback = new WeakMap();
    chainKeys.set(ref.chain, byFallback);
  }
  let key = byFallback.get(ref.fallback);
  if (key === undefined) {
    key = JSON.stringify([ref.chain, ref.fallback]);
    byFallback.set(ref.fallback, key);
  }
  return key;
}

export interface ChainResult extends ChainRef {
  key: string;
  counters: Counters;
  /** IP → event IDs reported as new (passed every stage). */
  regular: Map<string, string[]>;
  /** IP → event IDs reported as relapsed. */
  relapsed: Map<string, string[]>;
}

const afterFilter = new Set<HitStage>(['uncredible', 'thresholded', 'passed']);
const afterCredibility = new Set<HitStage>(['thresholded', 'passed']);

/**
 * Counters for one set of hits (a chain's, or a whole pass's). `fetched` counts events whose IPs
 * reached no chain of the processed group: they were fetched but are not this group's (counted as
 * filtered at pass level, as Mentat's `fetched − passed`).
 */
export function countersOf(
  hits: readonly Hit[],
  relapses: readonly RelapseHit[],
  fetched?: number,
): Counters {
  const events = new Set<string>();
  const flt = new Set<string>();
  const det = new Set<string>();
  const thr = new Set<string>();
  for (const hit of hits) {
    events.add(hit.eventId);
    if (afterFilter.has(hit.stage)) flt.add(hit.eventId);
    if (afterCredibility.has(hit.stage)) det.add(hit.eventId);
    if (hit.stage === 'passed') thr.add(hit.eventId);
  }
  const relapsed = new Set(relapses.map((r) => r.eventId));
  const reported = new Set([...thr, ...relapsed]);
  const fresh = Math.max(fetched ?? 0, events.size);
  return {
    new: fresh,
    flt: flt.size,
    fltBlk: fresh - flt.size,
    det: det.size,
    detBlk: flt.size - det.size,
    thr: thr.size,
    thrBlk: det.size - thr.size,
    rlp: relapsed.size,
    all: fresh + relapsed.size,
    rep: reported.size,
  };
}

export function addCounters(a: Counters, b: Counters): Counters {
  const sum = { ...a };
  for (const name of Object.keys(sum) as (keyof Counters)[]) sum[name] = a[name] + b[name];
  return sum;
}

function push(map: Map<string, string[]>, ip: string, eventId: string) {
  const list = map.get(ip);
  if (!list) map.set(ip, [eventId]);
  else if (!list.includes(eventId)) list.push(eventId);
}

/** Groups hits and relapses by chain; only chains with something to report are returned. */
export function chainResults(hits: readonly Hit[], relapses: readonly RelapseHit[]): ChainResult[] {
  const byChain = new Map<string, { ref: ChainRef; hits: Hit[]; relapses: RelapseHit[] }>();
  const entry = (ref: ChainRef) => {
    const key = chainKey(ref);
    let found = byChain.get(key);
    if (!found) {
      found = { ref: { chain: ref.chain, fallback: ref.fallback }, hits: [], relapses: [] };
      byChain.set(key, found);
    }
    return found;
  };
  for (const hit of hits) entry(hit).hits.push(hit);
  for (const relapse of relapses) entry(relapse).relapses.push(relapse);

  const results: ChainResult[] = [];
  for (const [key, { ref, hits: chainHits, relapses: chainRelapses }] of byChain) {
    const regular = new Map<string, string[]>();
    for (const hit of chainHits) if (hit.stage === 'passed') push(regular, hit.ip, hit.eventId);
    const relapsed = new Map<string, string[]>();
    for (const relapse of chainRelapses) push(relapsed, relapse.ip, relapse.eventId);
    if (regular.size === 0 && relapsed.size === 0) continue;
    results.push({ ...ref, key, counters: countersOf(chainHits, chainRelapses), regular, relapsed });
  }
  return results.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** IPs in a stable order: IPv4 numerically, then IPv6 as text (Mentat sorts ipaddress objects). */
export function compareIps(a: string, b: string): number {
  const a4 = !a.includes(':');
  const b4 = !b.includes(':');
  if (a4 !== b4) return a4 ? -1 : 1;
  if (a4) {
    const pa = a.split('.').map(Number);
    const pb = b.split('.').map(Number);
    for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
