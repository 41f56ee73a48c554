// Steps 1–3 of a severity run (fetch, threshold, relapse), for the one-step run (prepare.ts): the
// window's events of the group and severity (both passes), split per IP and classified (chain,
// filters, credibility); hits of keys still live at time_h are thresholded; expired keys with an
// event in their relapse window report their suppressed events again. What the run keeps in the
// worker is counted per chain, IP and threshold key (counters, report aggregates, keys to arm);
// the per-event findings go to the run's scratch tables as they are found (db/reporting/run-scratch.ts),
// so the worker's memory does not grow with the window (docs/reporting.md, "Memory of a run").
// Reads and scratch writes go through the run's one connection; the step's transaction stores
// the outcome (prepare.ts).
import type { Context } from '@temporalio/activity';
import type pg from 'pg';
import type { RunScratch } from '../../db/reporting/run-scratch';
import { liveThresholdKeys, relapseCandidates } from '../../db/reporting/thresholds';
import type { WindowEventRow } from '../../db/reporting/window-events';
import { windowEventBatches } from '../../db/reporting/window-events';
import type { FilterDefinition } from '../../domain/filters/filter';
import { ChainTally, type EventHit } from '../../domain/reporting/chain-tally';
import { chainKey } from '../../domain/reporting/chains';
import { createClassifier } from '../../domain/reporting/classify';
import { documentKeys } from '../../domain/reporting/document-keys';
import { EventAggregates } from '../../domain/reporting/event-aggregates';
import { relapsedEvents } from '../../domain/reporting/relapse';
import { type EventFacts, StatisticsTally, softwareOf } from '../../domain/reporting/statistics-tally';
import { PASSES, type Pass, thresholdKey, wholeClass } from '../../domain/reporting/threshold-key';
import type { ActivityDeps } from '../deps';
import { loadClassifierCatalog } from './classifier-catalog';
import type { SeverityRunInput } from './types';
import { relapseSlices, toClassified, waitForWindow, windowQuery } from './window-steps';

const UNKNOWN_DETECTORS_LIMIT = 50;
const YIELD_EVERY = 500;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A reported threshold key and the IP it names (the report covering that IP labels it). */
export interface ReportedKey {
  pass: Pass;
  key: string;
  ip: string;
}

export interface GatheredRun {
  /** Counters and chains per pass, from every (event, IP) of the window and of the relapses. */
  tally: Record<Pass, ChainTally>;
  /** Of the passed hits: what the report bodies show. */
  aggregates: EventAggregates;
  /** The statistics of each (pass, chain): its summary or target report. */
  statistics: StatisticsTally;
  /** Every key with a passed hit, once (by pass and key). */
  reportedKeys: Map<string, ReportedKey>;
  /** Events suppressed by a live key (Mentat's events_thresholded), once per pass, key and event. */
  thresholded: number;
  fetched: { source: number; target: number };
  filterHits: Record<string, number>;
  detectorHits: Record<string, number>;
  definitions: FilterDefinition[];
  /** Events reported again (per pass). */
  relapsed: number;
}

const NO_CHAINS: ReadonlySet<string> = new Set();

/** What a fetched event adds to the statistics of a report of its pass. */
function factsOf(event: WindowEventRow, pass: Pass): EventFacts {
  const target = pass === 'target';
  return {
    class: target ? event.target_class : event.event_class,
    categories: event.categories,
    detector: event.node_names[event.node_names.length - 1] ?? null,
    software: softwareOf(event.node_software),
    sources: target ? event.other_ips : event.ips,
    targets: target ? event.ips : event.other_ips,
    abuses: event.abuses,
    severity: target ? event.target_severity : event.event_severity,
  };
}

/** The class part of a threshold key (`whole class+++ip`). */
const classOfKey = (key: string) => key.slice(0, Math.max(0, key.lastIndexOf('+++')));

export interface RunSetting {
  catalog: Awaited<ReturnType<typeof loadClassifierCatalog>>;
  /** Keys live at time_h, as `pass\0key`. */
  live: Set<string>;
}

/** Waits for the window to close, then reads the catalog and the live keys (through the pool). */
export async function loadRunSetting(
  deps: ActivityDeps,
  input: SeverityRunInput,
  ctx: Pick<Context, 'heartbeat' | 'sleep'>,
): Promise<RunSetting> {
  const log = deps.logger.child({ runId: input.runId });
  const to = new Date(input.window.to);
  await waitForWindow(deps, to, ctx, log);
  const scope = { group: input.group, severity: input.severity, realm: input.realm, timeHigh: to };
  const [catalog, live] = await Promise.all([
    loadClassifierCatalog(deps.pool, log),
    liveThresholdKeys(deps.pool, scope),
  ]);
  return { catalog, live };
}

export async function gatherRun(
  deps: ActivityDeps,
  input: SeverityRunInput,
  ctx: Pick<Context, 'heartbeat' | 'cancellationSignal'>,
  { catalog, live }: RunSetting,
  client: pg.PoolClient,
  scratch: RunScratch,
): Promise<GatheredRun> {
  const log = deps.logger.child({ runId: input.runId });
  const to = new Date(input.window.to);
  const timeHigh = to.getTime();
  const scope = { group: input.group, severity: input.severity, realm: input.realm, timeHigh: to };
  const tally: Record<Pass, ChainTally> = { source: new ChainTally(), target: new ChainTally() };
  const aggregates = new EventAggregates();
  const statistics = new StatisticsTally();
  const reportedKeys = new Map<string, ReportedKey>();
  const fetched = { source: 0, target: 0 };
  const filterEvents = new Map<string, number>();
  const detectorHits: Record<string, number> = {};
  const unknown = new Set<string>();
  let filterErrors = 0;
  const onFilterError = (e: unknown) => {
    filterErrors++;
    if (filterErrors <= 10) log.warn(e, 'filter failed on an event; skipped');
  };
  const noteReportedKey = (pass: Pass, key: string, ip: string) => {
    const id = `${pass}\u0000${key}`;
    if (!reportedKeys.has(id)) reportedKeys.set(id, { pass, key, ip });
  };

  // Of the document, only the keys the filters read (whole if one reads `event`).
  const document = documentKeys(catalog.filters);
  for (const pass of PASSES) {
    const classify = createClassifier(catalog, input.group, pass, onFilterError);
    const batches = windowEventBatches(client, windowQuery(input, pass, document));
    for await (const batch of batches) {
      for (const event of batch) {
        // Classifying is CPU work in the worker's one thread: let its workflow tasks and the other
        // activities in between now and then (a 5,000-event page took up to half a second).
        if (++fetched[pass] % YIELD_EVERY === 0) await yieldToEventLoop();
        const verdict = classify(toClassified(event));
        const whole = wholeClass(event.class, event.subclasses, event.categories);
        // An event has a hit or two here: lists, not sets (one of each per event of a million).
        const filtersHit: string[] = [];
        const eventHits: EventHit[] = [];
        const passedChains: string[] = [];
        for (const hit of verdict.hits) {
          if (hit.filter && !filtersHit.includes(hit.filter)) filtersHit.push(hit.filter);
          if (eventHits.some((h) => h.ip === hit.ip)) continue; // one (event, IP) once, as staging's key had it
          const key = thresholdKey(whole, hit.ip);
          let stage: EventHit['stage'] = hit.stage;
          if (stage === 'passed' && live.has(`${pass}\u0000${key}`)) {
            stage = 'thresholded';
            scratch.thresholded.push({ pass, key, eventId: event.id, storageTime: event.storage_time });
          }
          eventHits.push({ ip: hit.ip, chain: hit.chain, fallback: hit.fallback, stage });
          if (stage !== 'passed') continue;
          scratch.passed.push({
            pass,
            chainKey: chainKey(hit),
            ip: hit.ip,
            eventId: event.id,
            storageTime: event.storage_time,
            relapsed: false,
          });
          noteReportedKey(pass, key, hit.ip);
          const chain = chainKey(hit);
          if (!passedChains.includes(chain)) passedChains.push(chain);
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
        tally[pass].addEvent(eventHits);
        if (passedChains.length > 0) {
          const facts = factsOf(event, pass);
          for (const chain of passedChains) statistics.add(pass, chain, facts);
        }
        for (const f of filtersHit) filterEvents.set(f, (filterEvents.get(f) ?? 0) + 1);
        if (verdict.blockedBy) detectorHits[verdict.blockedBy] = (detectorHits[verdict.blockedBy] ?? 0) + 1;
        for (const name of verdict.unknownDetectors)
          if (unknown.size < UNKNOWN_DETECTORS_LIMIT) unknown.add(name);
      }
      if (scratch.full) await scratch.flush();
      ctx.heartbeat({ stage: 'fetch', pass, fetched: fetched[pass] });
      // `herald cancel`: stop between batches (the reason is the CancelledFailure to propagate).
      ctx.cancellationSignal.throwIfAborted();
    }
  }
  await scratch.flush();
  if (unknown.size > 0)
    log.info({ detectors: [...unknown] }, 'unknown detectors counted with credibility 1.0');

  // Relapse: over the stored records plus the ones this run just made (a key that
  // expires exactly at time_h is both live and expired), as the staged steps saw them.
  let relapsed = 0;
  for (const pass of PASSES) {
    const candidates = await relapseCandidates(client, { ...scope, pass });
    if (candidates.thresholds.length === 0) continue;
    const expired = new Map(candidates.thresholds.map((t) => [t.key, t]));
    const records = [...candidates.records];
    const stored = new Set(records.map((r) => `${r.key}\u0000${r.eventId}`));
    // Events suppressed in this window may have passed under another IP: reported once.
    for (const r of await scratch.thresholdedOf(pass, [...expired.keys()]))
      if (!stored.has(`${r.key}\u0000${r.eventId}`))
        records.push({ key: r.key, eventId: r.eventId, storageTime: r.storageTime, createTime: timeHigh });
    const relapses = relapsedEvents(candidates.thresholds, records, timeHigh);
    if (relapses.length === 0) continue;
    // The chains each relapsed event passed in this window (only an event suppressed here can
    // have: the others were stored in earlier windows), so neither counters nor statistics count
    // it twice.
    const passedIn = await scratch.passedChainsOf(pass, [...new Set(relapses.map((r) => r.eventId))]);
    const counted = new Set<string>();
    const classify = createClassifier(catalog, input.group, pass, onFilterError);
    const storageTimes = new Map(records.map((r) => [r.eventId, r.storageTime]));
    const reported = new Set<string>();
    const seen = new Set<string>();
    for await (const { slice, events, done } of relapseSlices(client, relapses, storageTimes, pass)) {
      for (const relapse of slice) {
        const event = events.get(relapse.eventId);
        if (!event) continue; // removed by retention since it was suppressed
        const verdict = classify(toClassified(event, [relapse.ip]));
        for (const hit of verdict.hits) {
          const id = `${event.id}\u0000${hit.ip}`;
          if (seen.has(id)) continue;
          seen.add(id);
          if (hit.stage !== 'passed') continue;
          reported.add(event.id);
          const passedChains = passedIn.get(event.id) ?? NO_CHAINS;
          tally[pass].addRelapse(event.id, hit, passedChains);
          const chain = chainKey(hit);
          if (!passedChains.has(chain) && !counted.has(`${event.id}\u0000${chain}`)) {
            counted.add(`${event.id}\u0000${chain}`);
            statistics.add(pass, chain, factsOf(event, pass));
          }
          scratch.passed.push({
            pass,
            chainKey: chainKey(hit),
            ip: hit.ip,
            eventId: event.id,
            storageTime: event.storage_time,
            relapsed: true,
          });
          noteReportedKey(pass, relapse.key, hit.ip);
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
      await scratch.flush();
      ctx.heartbeat({ stage: 'relapse', pass, done });
      ctx.cancellationSignal.throwIfAborted();
    }
    relapsed += reported.size;
  }

  return {
    tally,
    aggregates,
    statistics,
    reportedKeys,
    thresholded: scratch.thresholded.count,
    fetched,
    filterHits: Object.fromEntries(filterEvents),
    detectorHits,
    definitions: catalog.definitions,
    relapsed,
  };
}
