// Replays recorded histories against the current workflow code (the prebuilt bundle when
// HERALD_WORKFLOW_BUNDLE is set, else workflows/) and reports, per history, whether it replays;
// for non-determinism the first event the code no longer produces the same way.
import proto from '@temporalio/proto';

const { temporal } = proto;

import {
  DefaultLogger,
  makeTelemetryFilterString,
  type ReplayResult,
  Runtime,
  Worker,
} from '@temporalio/worker';
import { workflowSource } from '../../worker/bundle';
import type { History } from './histories';

export interface ReplayOutcome {
  workflowId: string;
  source: string;
  workflowType: string | null;
  events: number;
  ok: boolean;
  /** 'nondeterminism' | 'failure' when not ok. */
  kind?: string;
  error?: string;
  firstMismatch?: { eventId: number; eventType: string } | null;
}

/** Replay's findings go into the report, not into SDK log lines on the terminal. */
function quietRuntime(): void {
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: {
        logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }), forward: {} },
      },
    });
  } catch {
    // A runtime exists already (embedded use): keep it.
  }
}

export interface ReplayItem {
  workflowId: string;
  source: string;
  history: History;
}

const EVENT_TYPE_PREFIX = 'EVENT_TYPE_';

function eventTypeName(type: unknown): string {
  const name = typeof type === 'number' ? temporal.api.enums.v1.EventType[type] : String(type);
  return (name ?? String(type)).replace(EVENT_TYPE_PREFIX, '');
}

/** The core's own sentence, without the Rust debug wrapping around it. */
export function shortReason(message: string): string {
  const core = /\[TMPRL\d+\][^"]*/.exec(message);
  return core ? core[0].trim() : (message.split('\n')[0] ?? message);
}

/**
 * The first event the current code does not reproduce: the event the core names by id, else the
 * first event carrying a name the core quotes (activity type, timer, child workflow type, signal).
 */
export function firstMismatch(message: string, history: History): ReplayOutcome['firstMismatch'] {
  const events = history.events ?? [];
  const describe = (event: (typeof events)[number]) => ({
    eventId: Number(event.eventId),
    eventType: eventTypeName(event.eventType),
  });
  const byId = /event(?:[ _]?id)?[:=\s#(]*(\d+)/i.exec(message) ?? /\bid:\s*(\d+)/i.exec(message);
  if (byId) {
    const event = events.find((e) => Number(e.eventId) === Number(byId[1]));
    if (event) return describe(event);
  }
  for (const [, name] of message.matchAll(/'([^']+)'/g)) {
    const event = events.find((e) => {
      const json = JSON.stringify(e, (_k, v) => (typeof v === 'object' && v?.data ? undefined : v));
      return json.includes(`"name":${JSON.stringify(name)}`) || json.includes(`:${JSON.stringify(name)}`);
    });
    if (event) return describe(event);
  }
  return null;
}

export async function replayHistories(items: ReplayItem[]): Promise<ReplayOutcome[]> {
  const byId = new Map(items.map((item) => [item.workflowId, item]));
  const outcomes: ReplayOutcome[] = [];
  quietRuntime();
  const results: AsyncIterableIterator<ReplayResult> = Worker.runReplayHistories(
    { ...workflowSource(), replayName: 'herald-replay' },
    items.map((item) => ({ workflowId: item.workflowId, history: item.history })),
  );
  for await (const r of results) {
    const item = byId.get(r.workflowId)!;
    const started = item.history.events?.[0]?.workflowExecutionStartedEventAttributes;
    const base = {
      workflowId: r.workflowId,
      source: item.source,
      workflowType: started?.workflowType?.name ?? null,
      events: item.history.events?.length ?? 0,
    };
    if (!r.error) {
      outcomes.push({ ...base, ok: true });
      continue;
    }
    const message = shortReason(r.error.message);
    const kind = r.error.name === 'DeterminismViolationError' ? 'nondeterminism' : 'failure';
    outcomes.push({
      ...base,
      ok: false,
      kind,
      error: message,
      firstMismatch: firstMismatch(r.error.message, item.history),
    });
  }
  return outcomes;
}
