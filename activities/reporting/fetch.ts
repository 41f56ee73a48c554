// Step 1, fetch: the window's events of the group and severity (both passes), split per IP,
// classified (chain, filters, credibility) and staged for this run in PostgreSQL.
import { Context } from '@temporalio/activity';
import { inTransaction } from '../../db/pool';
import { clearStaged, insertStaged, type StagedHitRow } from '../../db/reporting/staging';
import { windowEventBatches } from '../../db/reporting/window-events';
import { createClassifier } from '../../domain/reporting/classify';
import { PASSES, thresholdKey, wholeClass } from '../../domain/reporting/threshold-key';
import type { ActivityDeps } from '../deps';
import { chargeRunHits } from './charge-hits';
import { loadClassifierCatalog } from './classifier-catalog';
import type { FetchResult, SeverityRunInput } from './types';
import { toClassified, waitForWindow, windowQuery } from './window-steps';

const UNKNOWN_DETECTORS_LIMIT = 50;

export function createFetchActivity(deps: ActivityDeps) {
  return async function fetchReportEvents(input: SeverityRunInput): Promise<FetchResult> {
    const ctx = Context.current();
    const log = deps.logger.child({ runId: input.runId });
    const to = new Date(input.window.to);
    const closed = await waitForWindow(deps, to, ctx, log);

    const catalog = await loadClassifierCatalog(deps.pool, log);
    await clearStaged(deps.pool, input.runId, false);

    const fetched = { source: 0, target: 0 };
    const filterEvents = new Map<string, number>();
    const detectorHits: Record<string, number> = {};
    const unknown = new Set<string>();
    let filterErrors = 0;
    let staged = 0;
    for (const pass of PASSES) {
      const classify = createClassifier(catalog, input.group, pass, (e) => {
        filterErrors++;
        if (filterErrors <= 10) log.warn(e, 'filter failed on an event; skipped');
      });
      const batches = windowEventBatches(deps.pool, windowQuery(input, pass, catalog.filters.length > 0));
      for await (const batch of batches) {
        const rows: StagedHitRow[] = [];
        for (const event of batch) {
          fetched[pass]++;
          const verdict = classify(toClassified(event));
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
    await inTransaction(deps.pool, (client) =>
      chargeRunHits(client, {
        runId: input.runId,
        filterHits,
        detectorHits,
        definitions: catalog.definitions,
      }),
    );
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
