// One (event, IP) through Mentat's steps B and C: chain resolution,
// filters (global ones once, then every chain group's; a fallback group whose filter matches is
// dropped from the fallback list), then detector credibility.

import { filterContext } from '../filters/context';
import { type CompiledFilter, type FilterRuntimeError, firstMatchingFilter } from '../filters/filter';
import type { IdeaEvent } from '../idea/schema';
import type { ChainRef, HitStage } from './chains';
import { credibilityOf } from './credibility';
import { singleIpCopy } from './single-ip-event';
import type { Pass } from './threshold-key';
import type { Whois } from './whois';

export interface ClassifierCatalog {
  whois: Whois;
  /** Compiled filters, global ones (group null) included, in evaluation order. */
  filters: readonly CompiledFilter[];
  credibility: ReadonlyMap<string, number>;
  now: Date;
}

export interface ClassifiedEvent {
  id: string;
  ips: readonly string[];
  nodeNames: readonly string[];
  /** The IDEA event; needed only when filters apply. */
  event: Record<string, unknown> | null;
  classification: {
    eventClass: string | null;
    targetClass: string | null;
    severity: string | null;
    targetSeverity: string | null;
  };
}

export interface ClassifiedHit extends ChainRef {
  ip: string;
  stage: Exclude<HitStage, 'thresholded'>;
  /** The filter that dropped it (name), if any. */
  filter: string | null;
}

export interface EventVerdict {
  hits: ClassifiedHit[];
  /** The detector charged with the credibility block, if blocked. */
  blockedBy: string | null;
  unknownDetectors: string[];
}

/** How a filter is named in counters: `name` for a global filter, `group/name` otherwise. */
export function filterKey(f: { name: string; group: string | null }): string {
  return f.group ? `${f.group}/${f.name}` : f.name;
}

export function createClassifier(
  catalog: ClassifierCatalog,
  group: string,
  pass: Pass,
  onError?: (e: FilterRuntimeError) => void,
) {
  const target = pass === 'target';
  const section = target ? 'Target' : 'Source';
  const byGroup = new Map<string | null, CompiledFilter[]>();
  for (const f of catalog.filters) {
    const list = byGroup.get(f.group) ?? [];
    list.push(f);
    byGroup.set(f.group, list);
  }
  const matching = (
    filters: readonly CompiledFilter[] | undefined,
    context: ReturnType<typeof filterContext>,
  ) =>
    filters && filters.length > 0
      ? firstMatchingFilter(filters, context, { target, now: catalog.now, onError })
      : null;

  return function classify(event: ClassifiedEvent): EventVerdict {
    const verdict = credibilityOf(event.nodeNames, catalog.credibility);
    const hits: ClassifiedHit[] = [];
    for (const ip of event.ips) {
      const ref = catalog.whois.lookup(ip);
      if (!ref.chain.includes(group)) continue; // not this group's IP: contributes nothing
      let filter: string | null = null;
      let fallback = ref.fallback;
      const groupsWithFilters = [null, ...ref.chain, ...ref.fallback].some((g) => byGroup.has(g));
      if (groupsWithFilters && event.event) {
        const whole = event.event as IdeaEvent;
        // The single-IP copy is made only if a filter reads the event, its sections or their IPs.
        const context = filterContext(
          whole,
          event.classification,
          () => singleIpCopy(whole, section, ip) as IdeaEvent,
        );
        for (const g of [null, ...ref.chain]) {
          const hit = matching(byGroup.get(g), context);
          if (hit) {
            filter = filterKey(hit);
            break;
          }
        }
        // The same list when no fallback group drops the IP: chain keys are memoized by list.
        if (!filter && ref.fallback.some((g) => byGroup.has(g))) {
          const kept = ref.fallback.filter((g) => !matching(byGroup.get(g), context));
          if (kept.length < ref.fallback.length) fallback = kept;
        }
      }
      hits.push({
        ip,
        chain: ref.chain,
        fallback,
        filter,
        stage: filter ? 'filtered' : verdict.blocked ? 'uncredible' : 'passed',
      });
    }
    const reached = hits.some((h) => h.stage !== 'filtered');
    return {
      hits,
      blockedBy: reached && verdict.blocked ? verdict.charged : null,
      unknownDetectors: verdict.unknown,
    };
  };
}
