// Step 1, fetch: the window's events of the group and severity (both passes), split per IP,
// classified (chain, filters, credibility) and staged for this run in PostgreSQL.
import { Context } from '@temporalio/activity';
import { inTransaction } from '../../db/pool';
import { chargeCatalogHits } from '../../db/reporting/catalog';
import { clearStaged, insertStaged, recordRunHits, type StagedHitRow } from '../../db/reporting/staging';
import { waitUntilWindowClosed, windowEventBatches } from '../../db/reporting/window-events';
import { createClassifier, filterKey } from '../../domain/reporting/classify';
import { type Pass, thresholdKey, wholeClass } from '../../domain/reporting/threshold-key';
import type { ActivityDeps } from '../deps';
import { loadClassifierCatalog } from './classifier-catalog';
import type { FetchResult, SeverityRunInput } from './types';

const BATCH = 5000;
/** How long fetch waits for writers still stamping events inside the window (W-5). */
const LATE_WRITER_WAIT_MS = 120_000;
const UNKNOWN_DETECTORS_LIMIT = 50;

export function createFetchActivity(deps: ActivityDeps) {
  return async function fetchReportEvents(input: SeverityRunInput): Promise<FetchResult> {
    const ctx = Context.current();
    const log = deps.logger.child({ runId: input.runId });
    const to = new Date(input.window.to);
    const closed = await waitUntilWindowClosed(deps.pool, to, {
      deadline: Date.now() + LATE_WRITER_WAIT_MS,
      heartbeat: () => ctx.heartbeat({ stage: 'waiting-for-window' }),
      sleep: (ms) => ctx.sleep(ms),
    });
    if (!closed)
      log.warn({ to: input.window.to }, 'writers inside the window still open; fetching what is committed');

    const catalog = await loadClassifierCatalog(deps.pool, log);
    const filterGroups = new Map(catalog.definitions.map((d) => [filterKey(d), d]));
    await clearStaged(deps.pool, input.runId, false);

    const fetched = { source: 0, target: 0 };
    const filterEvents = new Map<string, number>();
    const detectorHits: Record<string, number> = {};
    const unknown = new Set<string>();
    let filterErrors = 0;
    let staged = 0;
    for (const pass of ['source', 'target'] as Pass[]) {
      const classify = createClassifier(catalog, input.group, pass, (e) => {
        filterErrors++;
        if (filterErrors <= 10) log.warn(e, 'filter failed on an event; skipped');
      });
      const batches = windowEventBatches(deps.pool, {
        group: input.group,
        severity: input.severity,
        pass,
        from: new Date(input.window.from),
        to,
        testData: input.testData,
        withEvent: catalog.filters.length > 0,
        batchSize: BATCH,
      });
      for await (const batch of batches) {
        const rows: StagedHitRow[] = [];
        for (const event of batch) {
          fetched[pass]++;
          const verdict = classify({
            id: event.id,
            ips: event.ips,
            nodeNames: event.node_names,
            event: event.event,
            classification: {
              eventClass: event.event_class,
              targetClass: event.target_class,
              severity: event.event_severity,
              targetSeverity: event.target_severity,
            },
          });
          const whole = wholeClass(event.class, event.subclasses, event.categories);
          const filtersHit = new Set<string>();
          for (const hit of verdict.hits) {
            if (hit.filter) filtersHit.add(hit.filter);
            rows.push({
              pass,
              relapsed: false,
              eventId: event.id,
              storageTime: event.storage_time,
              ip: hit.ip,
              chain: [...hit.chain],
              fallback: [...hit.fallback],
              thresholdKey: thresholdKey(whole, hit.ip),
              stage: hit.stage,
            });
          }
          for (const f of filtersHit) filterEvents.set(f, (filterEvents.get(f) ?? 0) + 1);
          if (verdict.blockedBy) detectorHits[verdict.blockedBy] = (detectorHits[verdict.blockedBy] ?? 0) + 1;
          for (const name of verdict.unknownDetectors)
            if (unknown.size < UNKNOWN_DETECTORS_LIMIT) unknown.add(name);
        }
        await insertStaged(deps.pool, input.runId, rows);
        staged += rows.length;
        ctx.heartbeat({ stage: 'fetch', pass, fetched: fetched[pass] });
        // `herald cancel`: stop between batches (the reason is the CancelledFailure to propagate).
        ctx.cancellationSignal.throwIfAborted();
      }
    }
    if (unknown.size > 0)
      log.info({ detectors: [...unknown] }, 'unknown detectors counted with credibility 1.0');

    const filterHits = Object.fromEntries(filterEvents);
    // Catalog hit counters move once per run, however often this activity is retried.
    await inTransaction(deps.pool, async (client) => {
      const newFilterHits = await recordRunHits(client, input.runId, 'filter', filterHits);
      const newDetectorHits = await recordRunHits(client, input.runId, 'detector', detectorHits);
      await chargeCatalogHits(
        client,
        Object.entries(newFilterHits).map(([key, hits]) => {
          const def = filterGroups.get(key);
          return { group: def?.group ?? null, name: def?.name ?? key, hits };
        }),
        newDetectorHits,
      );
    });
    return {
      fetched,
      staged,
      filterHits,
      detectorHits,
      unknownDetectors: [...unknown],
      filterErrors,
      lateWritersPending: !closed,
    };
  };
}
