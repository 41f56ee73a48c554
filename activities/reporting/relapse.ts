// Step 3, relapse: events suppressed since an expired key's report are reported again when one of
// them fell into the key's relapse window (reference §3.5, §4.6). They go through the chain,
// filter and credibility checks again (W-15: Mentat skipped credibility), under the key's IP only.
import { Context } from '@temporalio/activity';
import { clearStaged, insertStaged, type StagedHitRow } from '../../db/reporting/staging';
import { relapseCandidates } from '../../db/reporting/thresholds';
import { createClassifier } from '../../domain/reporting/classify';
import { relapsedEvents } from '../../domain/reporting/relapse';
import { PASSES } from '../../domain/reporting/threshold-key';
import type { ActivityDeps } from '../deps';
import { loadClassifierCatalog } from './classifier-catalog';
import type { SeverityRunInput } from './types';
import { relapseSlices, toClassified } from './window-steps';

export function createRelapseActivity(deps: ActivityDeps) {
  return async function relapseReportEvents(
    input: SeverityRunInput,
  ): Promise<{ relapsed: number; keys: number }> {
    const ctx = Context.current();
    const timeHigh = new Date(input.window.to);
    await clearStaged(deps.pool, input.runId, true);
    let catalog: Awaited<ReturnType<typeof loadClassifierCatalog>> | undefined;
    const reported = new Set<string>();
    const keys = new Set<string>();
    for (const pass of PASSES) {
      const candidates = await relapseCandidates(deps.pool, {
        group: input.group,
        severity: input.severity,
        pass,
        timeHigh,
      });
      const relapses = relapsedEvents(candidates.thresholds, candidates.records, timeHigh.getTime());
      if (relapses.length === 0) continue;
      catalog ??= await loadClassifierCatalog(deps.pool, deps.logger);
      const classify = createClassifier(catalog, input.group, pass);
      const storageTimes = new Map(candidates.records.map((r) => [r.eventId, r.storageTime]));
      for await (const { slice, events, done } of relapseSlices(deps.pool, relapses, storageTimes, pass)) {
        const rows: StagedHitRow[] = [];
        for (const relapse of slice) {
          const event = events.get(relapse.eventId);
          if (!event) continue; // removed by retention since it was suppressed
          const verdict = classify(toClassified(event, [relapse.ip]));
          for (const hit of verdict.hits) {
            rows.push({
              pass,
              relapsed: true,
              eventId: event.id,
              storageTime: event.storage_time,
              ip: hit.ip,
              chain: [...hit.chain],
              fallback: [...hit.fallback],
              thresholdKey: relapse.key,
              stage: hit.stage,
            });
            if (hit.stage === 'passed') {
              reported.add(`${pass}\u0000${event.id}`);
              keys.add(`${pass}\u0000${relapse.key}`);
            }
          }
        }
        await insertStaged(deps.pool, input.runId, rows);
        ctx.heartbeat({ stage: 'relapse', pass, done });
        // `herald cancel`: stop between slices (the reason is the CancelledFailure to propagate).
        ctx.cancellationSignal.throwIfAborted();
      }
    }
    return { relapsed: reported.size, keys: keys.size };
  };
}
