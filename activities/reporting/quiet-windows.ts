// Before a group run starts its severity children: the due windows with nothing to do get their
// `skipped-no-events` ledger row here, in one activity, instead of a child workflow each (a child
// costs ≈70 history events and six activities even when its window is empty).
import { Context } from '@temporalio/activity';
import { writeLedger } from '../../db/reporting/ledger';
import { quietWindows } from '../../db/reporting/quiet-windows';
import { waitUntilWindowClosed } from '../../db/reporting/window-events';
import { ZERO_COUNTERS } from '../../domain/reporting/chains';
import type { Realm } from '../../domain/reporting/realm';
import type { Severity } from '../../domain/reporting/severities';
import type { TimeWindow } from '../../domain/reporting/time-window';
import type { ActivityDeps } from '../deps';
import type { RunKind } from './types';

/**
 * How long the check waits for writers still stamping events inside the window (docs/mentat.md, "Late writers"). Shorter
 * than fetch's wait: past it the check decides nothing and the children wait as they always did.
 */
const LATE_WRITER_WAIT_MS = 10_000;

export interface QuietWindowsInput {
  group: string;
  testData: boolean;
  realm: Realm;
  runKind: RunKind;
  /** Due severities, all windows ending at the run's time_h; workflowId = the child's id. */
  windows: { severity: Severity; window: TimeWindow; workflowId: string }[];
}

export function createQuietWindowsActivity(deps: ActivityDeps) {
  return async function settleQuietWindows(input: QuietWindowsInput): Promise<{ quiet: Severity[] }> {
    if (input.windows.length === 0) return { quiet: [] };
    const ctx = Context.current();
    const to = input.windows[0]!.window.to;
    // Only windows that cannot gain a row any more are judged; otherwise the children fetch.
    const closed = await waitUntilWindowClosed(deps.pool, new Date(to), {
      deadline: Date.now() + LATE_WRITER_WAIT_MS,
      heartbeat: () => ctx.heartbeat({ stage: 'waiting-for-window' }),
      sleep: (ms) => ctx.sleep(ms),
    });
    if (!closed || input.windows.some((w) => w.window.to !== to)) return { quiet: [] };
    const quiet = await quietWindows(deps.pool, {
      group: input.group,
      testData: input.testData,
      realm: input.realm,
      to: new Date(to),
      windows: input.windows.map((w) => ({ severity: w.severity, from: new Date(w.window.from) })),
    });
    // The row a severity run of an empty window writes (idempotent per workflow id and window).
    for (const w of input.windows.filter((w) => quiet.includes(w.severity)))
      await writeLedger(deps.pool, {
        workflowId: w.workflowId,
        group: input.group,
        severity: w.severity,
        window: w.window,
        testData: input.testData,
        runKind: input.runKind,
        result: 'skipped-no-events',
        counters: { ...ZERO_COUNTERS },
        reports: [],
        filterHits: {},
        cleanup: { thresholds: 0, events: 0 },
      });
    return { quiet };
  };
}
