// What a local activity records in history: a `core_local_activity` marker whose `data` detail is
// JSON with its type and attempt (there is no ACTIVITY_TASK_* event to read them from).
import type proto from '@temporalio/proto';

export interface LocalActivityMarker {
  activity_type?: string;
  attempt?: number;
}

/** The local activity a history event records, or undefined for any other event. */
export function localActivityMarker(
  event: proto.temporal.api.history.v1.IHistoryEvent,
): LocalActivityMarker | undefined {
  const data = event.markerRecordedEventAttributes?.details?.data?.payloads?.[0]?.data;
  if (!data) return undefined;
  return JSON.parse(Buffer.from(data).toString()) as LocalActivityMarker;
}
