// A severity run's step, one activity: fetch, threshold and relapse in memory (gather-run.ts),
// then ONE transaction writes the run's thresholded events, reports with their events, rendered
// outbox rows, armed thresholds and its outcome (docs/mentat.md, "One transaction per run"); the
// catalog's hit counters move once per run in a short transaction before it. Nothing is written
// between fetch and render: writing and re-reading every hit would cost more database time than
// the rest of the cycle.
//
// Idempotent: a repeated call, or a second attempt racing a stuck one, finds the run's outcome
// (under the run's advisory lock) and returns it with the stored reports,
// without fetching again. A worker dying mid-step loses only work in memory; PostgreSQL rolls the
// transaction back and the retry starts over.
import { Context } from '@temporalio/activity';
import { inTransaction } from '../../db/pool';
import { takeRenderLock } from '../../db/reporting/render-lock';
import { insertReportEventRows, type ReportEventRow } from '../../db/reporting/report-events';
import { loadRunOutcome, type RunOutcome, saveRunOutcome } from '../../db/reporting/run-outcomes';
import { loadRunOverrides } from '../../db/reporting/run-overrides';
import { reportsOfRun } from '../../db/reporting/run-reports';
import { insertThresholdedEvents, upsertThresholdKeys } from '../../db/reporting/thresholds';
import { chainKey } from '../../domain/reporting/chains';
import type { PlannedReport } from '../../domain/reporting/report-plan';
import type { RunHit } from '../../domain/reporting/run-hit';
import type { Pass } from '../../domain/reporting/threshold-key';
import type { ActivityDeps } from '../deps';
import { chargeRunHits } from './charge-hits';
import { gatherRun } from './gather-run';
import { heartbeat, passResults, resultOf } from './run-result';
import { storeRunReports } from './store-reports';
import type { RenderOptions, RenderResult, SeverityRunInput } from './types';

export interface PrepareResult extends RenderResult {
  fetched: { source: number; target: number };
  /** Filter name → events it dropped (for the ledger). */
  filterHits: Record<string, number>;
}

const passChain = (pass: Pass, ref: { chain: readonly string[]; fallback: readonly string[] }) =>
  `${pass}\u0000${chainKey(ref)}`;

/** Passed hits by pass and chain: the events of each report are read from here. */
function passedByChain(hits: readonly RunHit[]): Map<string, RunHit[]> {
  const index = new Map<string, RunHit[]>();
  for (const hit of hits) {
    if (hit.stage !== 'passed') continue;
    const key = passChain(hit.pass, hit);
    const list = index.get(key);
    if (list) list.push(hit);
    else index.set(key, [hit]);
  }
  return index;
}

/** One row per (event, IP) of the report: its earliest storage time, relapsed if only relapsed. */
function reportEventRows(
  reportId: number,
  report: PlannedReport,
  passed: ReadonlyMap<string, RunHit[]>,
): ReportEventRow[] {
  const rows = new Map<string, ReportEventRow>();
  for (const hit of passed.get(passChain(report.pass, report)) ?? []) {
    if (report.ip !== null && hit.ip !== report.ip) continue;
    const id = `${hit.eventId}\u0000${hit.ip}`;
    const row = rows.get(id);
    if (!row)
      rows.set(id, {
        reportId,
        eventId: hit.eventId,
        storageTime: hit.storageTime,
        ip: hit.ip,
        relapsed: hit.relapsed,
      });
    else {
      if (hit.storageTime < row.storageTime) row.storageTime = hit.storageTime;
      row.relapsed &&= hit.relapsed;
    }
  }
  return [...rows.values()];
}

/** Every reported key once, with the first label (by text) of a report covering its IP. */
function reportedKeys(
  passed: ReadonlyMap<string, RunHit[]>,
  extraLabels: readonly { pass: Pass; ip: string; label: string }[],
) {
  const labels = new Map<string, string>();
  for (const l of extraLabels) {
    const id = `${l.pass}\u0000${l.ip}`;
    const known = labels.get(id);
    if (known === undefined || l.label < known) labels.set(id, l.label);
  }
  const keys = new Map<string, { pass: Pass; key: string; label: string | null }>();
  // A key names its IP, so every hit of a key finds the same label.
  for (const list of passed.values())
    for (const hit of list) {
      const id = `${hit.pass}\u0000${hit.thresholdKey}`;
      if (keys.has(id)) continue;
      const label = labels.get(`${hit.pass}\u0000${hit.ip}`) ?? null;
      keys.set(id, { pass: hit.pass, key: hit.thresholdKey, label });
    }
  return [...keys.values()];
}

function resultFrom(outcome: RunOutcome, reports: Parameters<typeof resultOf>[1]): PrepareResult {
  return { ...resultOf(outcome.counters, reports), fetched: outcome.fetched, filterHits: outcome.filterHits };
}

export function createPrepareActivity(deps: ActivityDeps) {
  return async function prepareReports(input: SeverityRunInput): Promise<PrepareResult> {
    const done = await loadRunOutcome(deps.pool, input.runId);
    if (done) return resultFrom(done, await reportsOfRun(deps.pool, input.runId));

    const run = await gatherRun(deps, input, Context.current());
    const { counters, chains } = passResults(run.hits, run.fetched);
    const passed = passedByChain(run.hits);
    const scope = {
      group: input.group,
      severity: input.severity,
      realm: input.realm,
      timeHigh: new Date(input.window.to),
    };
    // Catalog hit counters first, in a short transaction of their own (once per run however often
    // this is retried): every run updates the same filter and detector rows, and holding their
    // locks through the render below made the runs' transactions wait for each other.
    await inTransaction(deps.pool, (client) =>
      chargeRunHits(client, {
        runId: input.runId,
        filterHits: run.filterHits,
        detectorHits: run.detectorHits,
        definitions: run.definitions,
      }),
    );
    // Heartbeats while it writes and renders: a worker that dies here is noticed within the
    // heartbeat timeout (PostgreSQL rolls the transaction back).
    const beat = setInterval(heartbeat(), 5000);
    try {
      return await inTransaction(deps.pool, async (client) => {
        // Two attempts of the same run serialise here; the second finds the first one's outcome.
        await takeRenderLock(client, input.runId);
        const stored = await loadRunOutcome(client, input.runId);
        if (stored) return resultFrom(stored, await reportsOfRun(client, input.runId));
        // `herald force` that reached the run while this step fetched (run-overrides.ts): from
        // here on, under the lock, it is refused as too late.
        const options = (await loadRunOverrides<RenderOptions>(client, input.runId)) ?? input;

        await insertThresholdedEvents(client, scope, run.thresholded);
        await storeRunReports(
          deps,
          client,
          { ...input, force: options.force, mail: options.mail, filterHits: run.filterHits },
          { counters, chains, aggregates: async () => run.aggregates.toRows() },
          {
            reportEvents: async (c, reportId, report) => {
              await insertReportEventRows(c, reportEventRows(reportId, report, passed));
            },
            thresholds: async (c, times, extraLabels) => {
              await upsertThresholdKeys(
                c,
                { group: input.group, severity: input.severity, realm: input.realm, times },
                reportedKeys(passed, extraLabels),
              );
            },
          },
        );
        const outcome: RunOutcome = {
          counters,
          fetched: run.fetched,
          filterHits: run.filterHits,
          thresholded: run.thresholded.length,
          relapsed: run.relapsed,
        };
        await saveRunOutcome(client, input.runId, outcome);
        return resultFrom(outcome, await reportsOfRun(client, input.runId));
      });
    } finally {
      clearInterval(beat);
    }
  };
}
