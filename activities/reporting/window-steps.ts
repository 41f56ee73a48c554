// What the fetching steps share: the wait for the window's late writers (docs/mentat.md, "Late writers"), the window query,
// the relapsed events read in slices, and the shape a stored event is classified in.
import type { Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { Queryable } from '../../db/queryable';
import {
  eventsByRef,
  type WindowEventRow,
  type WindowQuery,
  waitUntilWindowClosed,
} from '../../db/reporting/window-events';
import type { ClassifiedEvent } from '../../domain/reporting/classify';
import type { DocumentKeys } from '../../domain/reporting/document-keys';
import type { RelapsedEvent } from '../../domain/reporting/relapse';
import type { Pass } from '../../domain/reporting/threshold-key';
import type { ActivityDeps } from '../deps';
import type { SeverityRunInput } from './types';

/** How long a fetch waits for writers still stamping events inside the window (docs/mentat.md, "Late writers"). */
const LATE_WRITER_WAIT_MS = 120_000;

/** Waits until the window is closed; false (and a warning) when writers were still open. */
export async function waitForWindow(
  deps: ActivityDeps,
  to: Date,
  ctx: Pick<Context, 'heartbeat' | 'sleep'>,
  log: Logger,
): Promise<boolean> {
  const closed = await waitUntilWindowClosed(deps.pool, to, {
    deadline: Date.now() + LATE_WRITER_WAIT_MS,
    heartbeat: () => ctx.heartbeat({ stage: 'waiting-for-window' }),
    sleep: (ms) => ctx.sleep(ms),
  });
  if (!closed)
    log.warn({ to: to.toISOString() }, 'writers inside the window still open; fetching what is committed');
  return closed;
}

/** A stored event as the classifier takes it; `ips` replaces the pass's IPs (relapses). */
export function toClassified(event: WindowEventRow, ips: readonly string[] = event.ips): ClassifiedEvent {
  return {
    id: event.id,
    ips,
    nodeNames: event.node_names,
    event: event.event,
    classification: {
      eventClass: event.event_class,
      targetClass: event.target_class,
      severity: event.event_severity,
      targetSeverity: event.target_severity,
    },
  };
}

/**
 * Events read per batch or slice. What a run holds at once is one batch of parsed event documents
 * (a few KiB each), times the worker's concurrent runs (up to 50): with 5,000 the 1M-event cycle's
 * worker peaked at 1.1 GiB though no run kept its hits. Each batch is a round trip, and on a busy
 * machine its socket write and wake-up cost more than its rows: 250 made 4,600 of them in the
 * 1M-event cycle, with 14 of the worker's CPU seconds in socket writes.
 */
export const BATCH = 1000;

/** The window query of a run's pass. */
export function windowQuery(input: SeverityRunInput, pass: Pass, document: DocumentKeys): WindowQuery {
  return {
    group: input.group,
    severity: input.severity,
    pass,
    from: new Date(input.window.from),
    to: new Date(input.window.to),
    testData: input.testData,
    document,
    batchSize: BATCH,
  };
}

/** The relapsed events in slices, each with its stored events by id (and how many are done). */
export async function* relapseSlices(
  db: Queryable,
  relapses: readonly RelapsedEvent[],
  storageTimes: ReadonlyMap<string, string>,
  pass: Pass,
): AsyncGenerator<{ slice: RelapsedEvent[]; events: Map<string, WindowEventRow>; done: number }> {
  for (let i = 0; i < relapses.length; i += BATCH) {
    const slice = relapses.slice(i, i + BATCH);
    const refs = [...new Set(slice.map((r) => r.eventId))].map((eventId) => ({
      eventId,
      storageTime: storageTimes.get(eventId)!,
    }));
    const events = new Map((await eventsByRef(db, refs, pass)).map((e) => [e.id, e]));
    yield { slice, events, done: i + slice.length };
  }
}
