// Step 4 of runs recorded before the one-step run (prepare.ts): turns the staged hits into reports
// (summary/extra/target per chain), and writes in ONE transaction the report rows, their events,
// the threshold updates and one outbox row per mail (fixes W-2; store-reports.ts). Idempotent:
// labels derive from the run (labels.ts); a repeated call finds the run's reports and returns them.
import { Context } from '@temporalio/activity';
import { inTransaction } from '../../db/pool';
import { takeRenderLock } from '../../db/reporting/render-lock';
import { aggregateRunEvents, insertReportEvents, reportsOfRun } from '../../db/reporting/reports';
import { loadStaged, type StagedHitRow } from '../../db/reporting/staging';
import { upsertThresholds } from '../../db/reporting/thresholds';
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
import { PASSES, type Pass } from '../../domain/reporting/threshold-key';
import { mentatHeaders } from '../../emails/render-report';
import type { ActivityDeps } from '../deps';
import { storeRunReports } from './store-reports';
import { REPORT_REF_LIMIT, type RenderResult, type ReportRef, type SeverityRunInput } from './types';

export interface RenderInput extends SeverityRunInput {
  fetched: { source: number; target: number };
  filterHits: Record<string, number>;
}

/** Counters of the whole run (both passes) and the chains of each pass. */
export function passResults(staged: readonly StagedHitRow[], fetched: Record<Pass, number>) {
  let counters: Counters = { ...ZERO_COUNTERS };
  const chains = {} as Record<Pass, ChainResult[]>;
  for (const pass of PASSES) {
    const hits: Hit[] = [];
    const relapses: RelapseHit[] = [];
    for (const row of staged) {
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

export function createRenderActivity(deps: ActivityDeps) {
  return async function renderReports(input: RenderInput): Promise<RenderResult> {
    // Heartbeats while it works: a worker that dies mid-render is noticed within the heartbeat
    // timeout (PostgreSQL rolls its transaction back), not after the 15-minute start-to-close.
    const beat = setInterval(heartbeat(), 5000);
    return inTransaction(deps.pool, async (client) => {
      // Two attempts of the same run (a retry racing a stuck predecessor) serialise here.
      await takeRenderLock(client, input.runId);
      const staged = await loadStaged(client, input.runId);
      const { counters, chains } = passResults(staged, input.fetched);
      const done = await reportsOfRun(client, input.runId);
      if (done.length > 0) return resultOf(counters, done);

      await storeRunReports(
        deps,
        client,
        input,
        { counters, chains, aggregates: () => aggregateRunEvents(client, input.runId, input) },
        {
          reportEvents: async (c, reportId, report) => {
            await insertReportEvents(c, reportId, { ...report, runId: input.runId });
          },
          thresholds: async (c, times, extraLabels) => {
            await upsertThresholds(
              c,
              { runId: input.runId, group: input.group, severity: input.severity, times },
              extraLabels,
            );
          },
        },
      );
      return resultOf(counters, await reportsOfRun(client, input.runId));
    }).finally(() => clearInterval(beat));
  };
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

export { mentatHeaders };
