// What a severity run's step returns, from its hits or its stored reports.
import { Context } from '@temporalio/activity';
import {
  addCounters,
  type ChainResult,
  type Counters,
  chainResults,
  countersOf,
  type Hit,
  type RelapseHit,
  ZERO_COUNTERS,
} from '../../domain/reporting/chains';
import type { RunHit } from '../../domain/reporting/run-hit';
import { PASSES, type Pass } from '../../domain/reporting/threshold-key';
import { REPORT_REF_LIMIT, type RenderResult, type ReportRef } from './types';

/** Counters of the whole run (both passes) and the chains of each pass. */
export function passResults(runHits: readonly RunHit[], fetched: Record<Pass, number>) {
  let counters: Counters = { ...ZERO_COUNTERS };
  const chains = {} as Record<Pass, ChainResult[]>;
  for (const pass of PASSES) {
    const hits: Hit[] = [];
    const relapses: RelapseHit[] = [];
    for (const row of runHits) {
      if (row.pass !== pass) continue;
      if (!row.relapsed)
        hits.push({
          eventId: row.eventId,
          ip: row.ip,
          chain: row.chain,
          fallback: row.fallback,
          stage: row.stage,
        });
      else if (row.stage === 'passed')
        relapses.push({ eventId: row.eventId, ip: row.ip, chain: row.chain, fallback: row.fallback });
    }
    counters = addCounters(counters, countersOf(hits, relapses, fetched[pass]));
    chains[pass] = chainResults(hits, relapses);
  }
  return { counters, chains };
}

/** The activity's heartbeat; a no-op when called outside an activity (tests call it directly). */
export function heartbeat(): () => void {
  try {
    const ctx = Context.current();
    return () => ctx.heartbeat();
  } catch {
    return () => {};
  }
}

export function resultOf(
  counters: Counters,
  reports: {
    label: string;
    type: ReportRef['type'];
    ip: string | null;
    to: string[];
    cc: string[];
    outboxId: number | null;
  }[],
): RenderResult {
  return {
    result: reports.length > 0 ? 'reported' : 'skipped-no-events',
    counters,
    reports: reports
      .slice(0, REPORT_REF_LIMIT)
      .map(({ label, type, ip, to, cc }) => ({ label, type, ip, to, cc })),
    reportCount: reports.length,
    outboxIds: reports.flatMap((r) => (r.outboxId === null ? [] : [r.outboxId])),
  };
}
