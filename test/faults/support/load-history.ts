// What a workflow costs Temporal: its history length, its history size in bytes and the largest
// payload anywhere in it (workflow and child inputs and results, activity inputs and results,
// signals, queries' answers recorded as markers, memos, search attributes, failures' details).
import type { Client } from '@temporalio/client';

/**
 * Temporal's limits (server defaults): 51,200 history events (warning at 10,240), 50 MiB of
 * history, 2 MiB per payload. A reporting cycle must stay far below them.
 */
export const TEMPORAL_LIMITS = {
  historyEvents: 51_200,
  historyBytes: 50 * 2 ** 20,
  payloadBytes: 2 * 2 ** 20,
};

export interface HistoryFigures {
  workflowId: string;
  events: number;
  bytes: number;
  /** Bytes of the largest Payloads (one input/result: all its payloads with their metadata). */
  largestPayload: number;
  /** Where that payload is (the history event's attribute name). */
  largestPayloadAt: string;
  /** Per activity type: seconds from scheduled to closed (queueing and retries included), summed. */
  activitySeconds: Record<string, number>;
  /** The longest activity, scheduled to closed. */
  longestActivity: { type: string; seconds: number; attempts: number } | null;
  /** Activities that needed more than one attempt (history keeps the last attempt only). */
  retriedActivities: number;
}

const toMs = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : 0;

function payloadBytes(payload: { data?: Uint8Array | null; metadata?: Record<string, Uint8Array> | null }) {
  let bytes = payload.data?.length ?? 0;
  for (const [key, value] of Object.entries(payload.metadata ?? {})) bytes += key.length + value.length;
  return bytes;
}

const isPayload = (value: object): value is { data: Uint8Array } =>
  'data' in value && (value as { data: unknown }).data instanceof Uint8Array;

/** The largest payload (or list of payloads, summed) anywhere under `value`. */
export function largestPayload(value: unknown): number {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return 0;
  if (Array.isArray(value)) return Math.max(0, ...value.map(largestPayload));
  if (isPayload(value)) return payloadBytes(value);
  const record = value as Record<string, unknown>;
  let max = 0;
  if (Array.isArray(record.payloads))
    max = record.payloads.reduce(
      (sum: number, p) => sum + (p && typeof p === 'object' ? payloadBytes(p) : 0),
      0,
    );
  for (const child of Object.values(record)) max = Math.max(max, largestPayload(child));
  return max;
}

/** Which attributes of a history event are set (e.g. activityTaskCompletedEventAttributes). */
function attributeName(event: Record<string, unknown>): string {
  return Object.keys(event).find((k) => k.endsWith('EventAttributes') && event[k]) ?? 'event';
}

export async function historyFigures(
  client: Client,
  workflowId: string,
  runId?: string,
): Promise<HistoryFigures> {
  const handle = client.workflow.getHandle(workflowId, runId);
  const [description, history] = await Promise.all([handle.describe(), handle.fetchHistory()]);
  let largest = 0;
  let at = '';
  const types = new Map<string, { type: string; at: number }>();
  const attempts = new Map<string, number>();
  const activitySeconds: Record<string, number> = {};
  let longestActivity: HistoryFigures['longestActivity'] = null;
  let retriedActivities = 0;
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled)
      types.set(String(event.eventId), {
        type: scheduled.activityType?.name ?? '?',
        at: toMs(event.eventTime),
      });
    const start = event.activityTaskStartedEventAttributes;
    if (start) attempts.set(String(start.scheduledEventId), start.attempt ?? 1);
    const closed =
      event.activityTaskCompletedEventAttributes ??
      event.activityTaskFailedEventAttributes ??
      event.activityTaskTimedOutEventAttributes;
    if (closed) {
      const key = String(closed.scheduledEventId);
      const { type, at: scheduledAt } = types.get(key) ?? { type: '?', at: toMs(event.eventTime) };
      const seconds = (toMs(event.eventTime) - scheduledAt) / 1000;
      const tries = attempts.get(key) ?? 1;
      activitySeconds[type] = (activitySeconds[type] ?? 0) + seconds;
      if (!longestActivity || seconds > longestActivity.seconds)
        longestActivity = { type, seconds, attempts: tries };
      if (tries > 1) retriedActivities++;
    }
    const size = largestPayload(event);
    if (size > largest) {
      largest = size;
      at = attributeName(event as Record<string, unknown>);
    }
  }
  return {
    workflowId,
    events: history.events?.length ?? 0,
    bytes: description.historySize ?? 0,
    largestPayload: largest,
    largestPayloadAt: at,
    activitySeconds,
    longestActivity,
    retriedActivities,
  };
}

/** historyFigures for many workflows, `concurrency` at a time. */
export async function historiesOf(
  client: Client,
  workflows: { workflowId: string; runId?: string }[],
  concurrency = 8,
): Promise<HistoryFigures[]> {
  const out: HistoryFigures[] = [];
  let next = 0;
  const lane = async () => {
    while (next < workflows.length) {
      const w = workflows[next++]!;
      out.push(await historyFigures(client, w.workflowId, w.runId));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return out;
}
