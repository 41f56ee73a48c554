// A severity run's step, one activity: fetch, threshold and relapse (gather-run.ts), then ONE
// transaction writes the run's thresholded events, reports with their events, rendered outbox
// rows, armed thresholds and its outcome (docs/mentat.md, "One transaction per run"); the
// catalog's hit counters move once per run in a short transaction before it. The per-event
// findings wait in the run's temporary tables (db/reporting/run-scratch.ts) on its one
// connection, so the worker holds counts, not the window (docs/reporting.md, "Memory of a run").
//
// Idempotent: a repeated call, or a second attempt racing a stuck one, finds the run's outcome
// (under the run's advisory lock) and returns it with the stored reports,
// without fetching again. A worker dying mid-step loses only work in progress; PostgreSQL rolls
// the transaction back, drops the connection's temporary tables, and the retry starts over.
import { Context } from '@temporalio/activity';
import type pg from 'pg';
import { inTransactionOn, withClient } from '../../db/pool';
import { takeRenderLock } from '../../db/reporting/render-lock';
import { loadRunOutcome, type RunOutcome, saveRunOutcome } from '../../db/reporting/run-outcomes';
import { loadRunOverrides } from '../../db/reporting/run-overrides';
import { reportsOfRun } from '../../db/reporting/run-reports';
import { RunScratch } from '../../db/reporting/run-scratch';
import { upsertThresholdKeys } from '../../db/reporting/thresholds';
import { addCounters, type ChainResult, chainKey, ZERO_COUNTERS } from '../../domain/reporting/chains';
import { PASSES, type Pass } from '../../domain/reporting/threshold-key';
import type { ActivityDeps } from '../deps';
import { chargeRunHits } from './charge-hits';
import { type GatheredRun, gatherRun, loadRunSetting, type ReportedKey } from './gather-run';
import { heartbeat, resultOf } from './run-result';
import { storeRunReports } from './store-reports';
import type { RenderOptions, RenderResult, SeverityRunInput } from './types';

export interface PrepareResult extends RenderResult {
  fetched: { source: number; target: number };
  /** Filter name → events it dropped (for the ledger). */
  filterHits: Record<string, number>;
}

/** Counters of the whole run (both passes) and the chains of each pass. */
function passResults(run: GatheredRun) {
  let counters = { ...ZERO_COUNTERS };
  const chains = {} as Record<Pass, ChainResult[]>;
  for (const pass of PASSES) {
    counters = addCounters(counters, run.tally[pass].counters(run.fetched[pass]));
    chains[pass] = run.tally[pass].results();
  }
  return { counters, chains };
}

/** Every reported key once, with the first label (by text) of a report covering its IP. */
function labelledKeys(
  keys: ReadonlyMap<string, ReportedKey>,
  extraLabels: readonly { pass: Pass; ip: string; label: string }[],
) {
  const labels = new Map<string, string>();
  for (const l of extraLabels) {
    const id = `${l.pass}\u0000${l.ip}`;
    const known = labels.get(id);
    if (known === undefined || l.label < known) labels.set(id, l.label);
  }
  // A key names its IP, so every hit of a key finds the same label.
  return [...keys.values()].map(({ pass, key, ip }) => ({
    pass,
    key,
    label: labels.get(`${pass}\u0000${ip}`) ?? null,
  }));
}

function resultFrom(outcome: RunOutcome, reports: Parameters<typeof resultOf>[1]): PrepareResult {
  return { ...resultOf(outcome.counters, reports), fetched: outcome.fetched, filterHits: outcome.filterHits };
}

export function createPrepareActivity(deps: ActivityDeps) {
  /** Stores what the run found, in one transaction on the run's connection. */
  async function storeRun(
    client: pg.PoolClient,
    scratch: RunScratch,
    input: SeverityRunInput,
    run: GatheredRun,
  ): Promise<PrepareResult> {
    const { counters, chains } = passResults(run);
    const scope = {
      group: input.group,
      severity: input.severity,
      realm: input.realm,
      timeHigh: new Date(input.window.to),
    };
    // Catalog hit counters first, in a short transaction of their own (once per run however often
    // this is retried): every run updates the same filter and detector rows, and holding their
    // locks through the render below made the runs' transactions wait for each other.
    await inTransactionOn(client, (c) =>
      chargeRunHits(c, {
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
      return await inTransactionOn(client, async (c) => {
        // Two attempts of the same run serialise here; the second finds the first one's outcome.
        await takeRenderLock(c, input.runId);
        const stored = await loadRunOutcome(c, input.runId);
        if (stored) return resultFrom(stored, await reportsOfRun(c, input.runId));
        // `herald force` that reached the run while this step fetched (run-overrides.ts): from
        // here on, under the lock, it is refused as too late.
        const options = (await loadRunOverrides<RenderOptions>(c, input.runId)) ?? input;

        await scratch.storeThresholded(scope);
        await storeRunReports(
          deps,
          c,
          { ...input, force: options.force, mail: options.mail, filterHits: run.filterHits },
          {
            counters,
            chains,
            aggregates: async () => run.aggregates.toRows(),
            // A summary or target report holds its chain's events of the pass; an extra report
            // (one IP) is counted by PostgreSQL.
            statistics: (report) =>
              report.ip === null
                ? run.statistics.statistics(
                    report.pass,
                    chainKey(report),
                    new Set([...report.regular.keys(), ...report.relapsed.keys()]).size,
                  )
                : undefined,
          },
          {
            reportEvents: async (_c, reportId, report) => {
              await scratch.copyReportEvents(reportId, {
                pass: report.pass,
                chainKey: chainKey(report),
                ip: report.ip,
              });
            },
            thresholds: async (tc, times, extraLabels) => {
              await upsertThresholdKeys(
                tc,
                { group: input.group, severity: input.severity, realm: input.realm, times },
                labelledKeys(run.reportedKeys, extraLabels),
              );
            },
          },
        );
        const outcome: RunOutcome = {
          counters,
          fetched: run.fetched,
          filterHits: run.filterHits,
          thresholded: run.thresholded,
          relapsed: run.relapsed,
        };
        await saveRunOutcome(c, input.runId, outcome);
        return resultFrom(outcome, await reportsOfRun(c, input.runId));
      });
    } finally {
      clearInterval(beat);
    }
  }

  return async function prepareReports(input: SeverityRunInput): Promise<PrepareResult> {
    const done = await loadRunOutcome(deps.pool, input.runId);
    if (done) return resultFrom(done, await reportsOfRun(deps.pool, input.runId));

    const ctx = Context.current();
    const setting = await loadRunSetting(deps, input, ctx);
    // The run's one connection from here on: its scratch tables live in this session, and the
    // run never waits for a second connection while it holds one (the pool is shared by the
    // worker's activities).
    return withClient(deps.pool, async (client) => {
      const scratch = await RunScratch.open(client);
      try {
        const run = await gatherRun(deps, input, ctx, setting, client, scratch);
        return await storeRun(client, scratch, input, run);
      } finally {
        await scratch.close().catch(() => {});
      }
    });
  };
}
