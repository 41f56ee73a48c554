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
  /** IP → events reported as new (passed every stage). */
  regular: Map<string, number>;
  /** IP → events reported as relapsed. */
  relapsed: Map<string, number>;
}

export function addCounters(a: Counters, b: Counters): Counters {
  const sum = { ...a };
  for (const name of Object.keys(sum) as (keyof Counters)[]) sum[name] = a[name] + b[name];
  return sum;
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
