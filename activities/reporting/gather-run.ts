// Steps 1–3 of a severity run in memory (fetch, threshold, relapse), for the one-step run
// (prepare.ts): the window's events of the group and severity (both passes), split per IP and
// classified (chain, filters, credibility); hits of keys still live at time_h are thresholded;
// expired keys with an event in their relapse window report their suppressed events again. The
// report aggregates are counted on the way, so nothing is written and no event is read twice.
// Writes nothing: prepare.ts stores the outcome in one transaction.
import type { Context } from '@temporalio/activity';
import {
  liveThresholdKeys,
  relapseCandidates,
  type ThresholdedEventRow,
} from '../../db/reporting/thresholds';
import { windowEventBatches } from '../../db/reporting/window-events';
import type { FilterDefinition } from '../../domain/filters/filter';
import { createClassifier } from '../../domain/reporting/classify';
import { EventAggregates } from '../../domain/reporting/event-aggregates';
import { relapsedEvents } from '../../domain/reporting/relapse';
import type { RunHit } from '../../domain/reporting/run-hit';
import { PASSES, thresholdKey, wholeClass } from '../../domain/reporting/threshold-key';
import type { ActivityDeps } from '../deps';
import { loadClassifierCatalog } from './classifier-catalog';
import type { SeverityRunInput } from './types';
import { relapseSlices, toClassified, waitForWindow, windowQuery } from './window-steps';

const UNKNOWN_DETECTORS_LIMIT = 50;
const YIELD_EVERY = 500;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface GatheredRun {
  /** Every (event, IP) of the window and of the relapses, at its final stage. */
  hits: RunHit[];
  /** Of the passed hits: what the report bodies show. */
  aggregates: EventAggregates;
  /** Events suppressed by a live key (Mentat's events_thresholded), once per pass, key and event. */
  thresholded: ThresholdedEventRow[];
  fetched: { source: number; target: number };
  filterHits: Record<string, number>;
  detectorHits: Record<string, number>;
  definitions: FilterDefinition[];
  /** Events reported again (per pass). */
  relapsed: number;
}

/** The class part of a threshold key (`whole class+++ip`). */
const classOfKey = (key: string) => key.slice(0, Math.max(0, key.lastIndexOf('+++')));

export async function gatherRun(
  deps: ActivityDeps,
  input: SeverityRunInput,
  ctx: Pick<Context, 'heartbeat' | 'sleep' | 'cancellationSignal'>,
): Promise<GatheredRun> {
  const log = deps.logger.child({ runId: input.runId });
  const to = new Date(input.window.to);
  const timeHigh = to.getTime();
  await waitForWindow(deps, to, ctx, log);

  const scope = { group: input.group, severity: input.severity, realm: input.realm, timeHigh: to };
  const [catalog, live] = await Promise.all([
    loadClassifierCatalog(deps.pool, log),
    liveThresholdKeys(deps.pool, scope),
  ]);
  const hits: RunHit[] = [];
  const aggregates = new EventAggregates();
  const thresholded = new Map<string, ThresholdedEventRow>();
  const fetched = { source: 0, target: 0 };
  const filterEvents = new Map<string, number>();
  const detectorHits: Record<string, number> = {};
  const unknown = new Set<string>();
  let filterErrors = 0;
  const onFilterError = (e: unknown) => {
    filterErrors++;
    if (filterErrors <= 10) log.warn(e, 'filter failed on an event; skipped');
  };

  for (const pass of PASSES) {
    const classify = createClassifier(catalog, input.group, pass, onFilterError);
    const batches = windowEventBatches(deps.pool, windowQuery(input, pass, true));
    for await (const batch of batches) {
      for (const event of batch) {
        // Classifying is CPU work in the worker's one thread: let its workflow tasks and the other
        // activities in between now and then (a 5,000-event page took up to half a second).
        if (++fetched[pass] % YIELD_EVERY === 0) await yieldToEventLoop();
        const verdict = classify(toClassified(event));
        const whole = wholeClass(event.class, event.subclasses, event.categories);
        // An event has a hit or two here: lists, not sets (one of each per event of a million).
        const filtersHit: string[] = [];
        const seenIps: string[] = [];
        for (const hit of verdict.hits) {
          if (hit.filter && !filtersHit.includes(hit.filter)) filtersHit.push(hit.filter);
          if (seenIps.includes(hit.ip)) continue; // one (event, IP) once, as staging's key had it
          seenIps.push(hit.ip);
          const key = thresholdKey(whole, hit.ip);
          let stage: RunHit['stage'] = hit.stage;
          if (stage === 'passed' && live.has(`${pass}\u0000${key}`)) {
            stage = 'thresholded';
            const id = `${pass}\u0000${key}\u0000${event.id}`;
            if (!thresholded.has(id))
              thresholded.set(id, { pass, key, eventId: event.id, storageTime: event.storage_time });
          }
          hits.push({
            pass,
            relapsed: false,
            eventId: event.id,
            storageTime: event.storage_time,
            ip: hit.ip,
            chain: hit.chain,
            fallback: hit.fallback,
            thresholdKey: key,
            stage,
          });
          if (stage === 'passed')
            aggregates.add(
              {
                pass,
                relapsed: false,
                chain: hit.chain,
                fallback: hit.fallback,
                ip: hit.ip,
                wholeClass: whole,
              },
              event,
            );
        }
        for (const f of filtersHit) filterEvents.set(f, (filterEvents.get(f) ?? 0) + 1);
        if (verdict.blockedBy) detectorHits[verdict.blockedBy] = (detectorHits[verdict.blockedBy] ?? 0) + 1;
        for (const name of verdict.unknownDetectors)
          if (unknown.size < UNKNOWN_DETECTORS_LIMIT) unknown.add(name);
      }
      ctx.heartbeat({ stage: 'fetch', pass, fetched: fetched[pass] });
      // `herald cancel`: stop between batches (the reason is the CancelledFailure to propagate).
      ctx.cancellationSignal.throwIfAborted();
    }
  }
  if (unknown.size > 0)
    log.info({ detectors: [...unknown] }, 'unknown detectors counted with credibility 1.0');

  // Relapse: over the stored records plus the ones this run just made (a key that
  // expires exactly at time_h is both live and expired), as the staged steps saw them.
  let relapsed = 0;
  for (const pass of PASSES) {
    const candidates = await relapseCandidates(deps.pool, { ...scope, pass });
    if (candidates.thresholds.length === 0) continue;
    const expired = new Map(candidates.thresholds.map((t) => [t.key, t]));
    const records = [...candidates.records];
    const stored = new Set(records.map((r) => `${r.key}\u0000${r.eventId}`));
    for (const r of thresholded.values())
      if (r.pass === pass && expired.has(r.key) && !stored.has(`${r.key}\u0000${r.eventId}`))
        records.push({ key: r.key, eventId: r.eventId, storageTime: r.storageTime, createTime: timeHigh });
    const relapses = relapsedEvents(candidates.thresholds, records, timeHigh);
    if (relapses.length === 0) continue;
    const classify = createClassifier(catalog, input.group, pass, onFilterError);
    const storageTimes = new Map(records.map((r) => [r.eventId, r.storageTime]));
    const reported = new Set<string>();
    const seen = new Set<string>();
    for await (const { slice, events, done } of relapseSlices(deps.pool, relapses, storageTimes, pass)) {
      for (const relapse of slice) {
        const event = events.get(relapse.eventId);
        if (!event) continue; // removed by retention since it was suppressed
        const verdict = classify(toClassified(event, [relapse.ip]));
        for (const hit of verdict.hits) {
          const id = `${event.id}\u0000${hit.ip}`;
          if (seen.has(id)) continue;
          seen.add(id);
          hits.push({
            pass,
            relapsed: true,
            eventId: event.id,
            storageTime: event.storage_time,
            ip: hit.ip,
            chain: hit.chain,
            fallback: hit.fallback,
            thresholdKey: relapse.key,
            stage: hit.stage,
          });
          if (hit.stage !== 'passed') continue;
          reported.add(event.id);
          aggregates.add(
            {
              pass,
              relapsed: true,
              chain: hit.chain,
              fallback: hit.fallback,
              ip: hit.ip,
              wholeClass: classOfKey(relapse.key),
              earlierLabel: expired.get(relapse.key)?.reportLabel ?? null,
            },
            event,
          );
        }
      }
      ctx.heartbeat({ stage: 'relapse', pass, done });
      ctx.cancellationSignal.throwIfAborted();
    }
    relapsed += reported.size;
  }

  return {
    hits,
    aggregates,
    thresholded: [...thresholded.values()],
    fetched,
    filterHits: Object.fromEntries(filterEvents),
    detectorHits,
    definitions: catalog.definitions,
    relapsed,
  };
}
