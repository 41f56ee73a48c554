// The counters of a pass and of each of its chains, added up one event at a time, so a severity run
// holds counts per chain and IP instead of its window's hits (docs/reporting.md, "Memory of a
// run"). An event's hits are given together (the window fetch reads each event once per pass), so
// "distinct events" is one increment per event; relapsed events are few by comparison and are
// kept as a set per chain to count them once.
import {
  type ChainRef,
  type ChainResult,
  type Counters,
  chainKey,
  type Hit,
  type HitStage,
  type RelapseHit,
} from './chains';

/** One (event, IP) of the event being added. */
export interface EventHit extends ChainRef {
  ip: string;
  stage: HitStage;
}

const RANK: Record<HitStage, number> = { filtered: 0, uncredible: 1, thresholded: 2, passed: 3 };

/** Distinct events of a pass or chain by the furthest stage one of their hits reached. */
class StageCounts {
  events = 0;
  /** Past the filters (any hit uncredible or further). */
  flt = 0;
  /** Past credibility (any hit thresholded or passed). */
  det = 0;
  /** Passed (any hit). */
  thr = 0;
  readonly relapsed = new Set<string>();
  /** Relapsed events that also passed in the window (reported once). */
  both = 0;

  addEvent(rank: number): void {
    this.events++;
    if (rank >= RANK.uncredible) this.flt++;
    if (rank >= RANK.thresholded) this.det++;
    if (rank === RANK.passed) this.thr++;
  }

  /** A relapsed event; `passed`: it also passed in this window (then it is reported once). */
  addRelapsed(eventId: string, passed: boolean): void {
    if (this.relapsed.has(eventId)) return;
    this.relapsed.add(eventId);
    if (passed) this.both++;
  }

  counters(fetched = 0): Counters {
    const fresh = Math.max(fetched, this.events);
    const rlp = this.relapsed.size;
    return {
      new: fresh,
      flt: this.flt,
      fltBlk: fresh - this.flt,
      det: this.det,
      detBlk: this.flt - this.det,
      thr: this.thr,
      thrBlk: this.det - this.thr,
      rlp,
      all: fresh + rlp,
      rep: this.thr + rlp - this.both,
    };
  }
}

interface ChainTallyEntry {
  ref: ChainRef;
  counts: StageCounts;
  /** IP → events reported as new. */
  regular: Map<string, number>;
  /** IP → events reported as relapsed. */
  relapsed: Map<string, number>;
  relapsedPairs: Set<string>;
}

export class ChainTally {
  private readonly pass = new StageCounts();
  private readonly chains = new Map<string, ChainTallyEntry>();

  private entry(ref: ChainRef): ChainTallyEntry {
    const key = chainKey(ref);
    let found = this.chains.get(key);
    if (!found) {
      found = {
        ref: { chain: ref.chain, fallback: ref.fallback },
        counts: new StageCounts(),
        regular: new Map(),
        relapsed: new Map(),
        relapsedPairs: new Set(),
      };
      this.chains.set(key, found);
    }
    return found;
  }

  /** Every hit of one event of the window (one per IP; none when its IPs reach no chain). */
  addEvent(hits: readonly EventHit[]): void {
    if (hits.length === 0) return;
    let furthest = RANK.filtered;
    // An event has a hit or two: the chains it reaches are found by scanning, not hashing.
    const reached: { entry: ChainTallyEntry; rank: number }[] = [];
    for (const hit of hits) {
      const rank = RANK[hit.stage];
      if (rank > furthest) furthest = rank;
      const entry = this.entry(hit);
      const seen = reached.find((r) => r.entry === entry);
      if (seen) seen.rank = Math.max(seen.rank, rank);
      else reached.push({ entry, rank });
      if (rank === RANK.passed) entry.regular.set(hit.ip, (entry.regular.get(hit.ip) ?? 0) + 1);
    }
    this.pass.addEvent(furthest);
    for (const { entry, rank } of reached) entry.counts.addEvent(rank);
  }

  /**
   * A relapsed (event, IP) that passed; `passedIn` holds the chain keys in which the same event
   * passed in this window (an event suppressed under one IP and reported under another).
   */
  addRelapse(eventId: string, hit: ChainRef & { ip: string }, passedIn: ReadonlySet<string>): void {
    const entry = this.entry(hit);
    const pair = `${hit.ip}\u0000${eventId}`;
    if (!entry.relapsedPairs.has(pair)) {
      entry.relapsedPairs.add(pair);
      entry.relapsed.set(hit.ip, (entry.relapsed.get(hit.ip) ?? 0) + 1);
    }
    entry.counts.addRelapsed(eventId, passedIn.has(chainKey(hit)));
    this.pass.addRelapsed(eventId, passedIn.size > 0);
  }

  /** The pass's counters; `fetched` counts events whose IPs reached no chain as filtered. */
  counters(fetched?: number): Counters {
    return this.pass.counters(fetched);
  }

  /** The chains with something to report, by key. */
  results(): ChainResult[] {
    const results: ChainResult[] = [];
    for (const [key, { ref, counts, regular, relapsed }] of this.chains) {
      if (regular.size === 0 && relapsed.size === 0) continue;
      results.push({ ...ref, key, counters: counts.counters(), regular, relapsed });
    }
    return results.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}

/** A tally of hits given as lists (any order): grouped by event first. */
function tallyOf(hits: readonly Hit[], relapses: readonly RelapseHit[]): ChainTally {
  const byEvent = new Map<string, Hit[]>();
  for (const hit of hits) {
    const list = byEvent.get(hit.eventId);
    if (list) list.push(hit);
    else byEvent.set(hit.eventId, [hit]);
  }
  const tally = new ChainTally();
  for (const eventHits of byEvent.values()) tally.addEvent(eventHits);
  for (const relapse of relapses) {
    const passedIn = new Set(
      (byEvent.get(relapse.eventId) ?? []).filter((h) => h.stage === 'passed').map((h) => chainKey(h)),
    );
    tally.addRelapse(relapse.eventId, relapse, passedIn);
  }
  return tally;
}

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
  return tallyOf(hits, relapses).counters(fetched);
}

/** Groups hits and relapses by chain; only chains with something to report are returned. */
export function chainResults(hits: readonly Hit[], relapses: readonly RelapseHit[]): ChainResult[] {
  return tallyOf(hits, relapses).results();
}
