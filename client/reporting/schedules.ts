// One Temporal Schedule per enabled group (`report:<group>`): every group interval (default 10
// minutes), overlap SKIP (a tick never runs beside the previous one), a short catch-up window,
// memo and search attributes naming the group. `syncSchedules` converges the schedules on the
// catalog; overrides stored in a schedule's action arguments survive a sync.
import {
  type Client,
  type ScheduleDescription,
  ScheduleNotFoundError,
  type ScheduleOptions,
  ScheduleOverlapPolicy,
} from '@temporalio/client';
import type { CatalogGroup } from '../../db/reporting/catalog';
import { DEFAULT_GROUP_INTERVAL_SECONDS } from '../../domain/reporting/timing';
import {
  heraldGroupKey,
  heraldRunKindKey,
  type ReportGroupInput,
  type ReportGroupRunInput,
  scheduleIdFor,
} from '../../workflows/report-messages';

export const CATCHUP_WINDOW = '15 minutes';
const PREFIX = 'report:';

export function groupOfSchedule(scheduleId: string): string | null {
  return scheduleId.startsWith(PREFIX) ? scheduleId.slice(PREFIX.length) : null;
}

export function scheduleOptions(
  group: CatalogGroup,
  taskQueue: string,
  previous?: ReportGroupRunInput,
): ScheduleOptions {
  const seconds = group.intervalSeconds ?? DEFAULT_GROUP_INTERVAL_SECONDS;
  const args: ReportGroupRunInput = {
    group: group.name,
    runKind: 'schedule',
    // A stored override (`herald force`) and its expiry survive a re-sync of the schedule.
    ...(previous?.force ? { force: previous.force } : {}),
    ...(previous?.force && previous.forceUntil ? { forceUntil: previous.forceUntil } : {}),
  };
  return {
    scheduleId: scheduleIdFor(group.name),
    spec: { intervals: [{ every: `${seconds}s` }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'reportGroup',
      workflowId: scheduleIdFor(group.name),
      taskQueue,
      args: [args],
      memo: { group: group.name },
      typedSearchAttributes: [
        { key: heraldGroupKey, value: group.name },
        { key: heraldRunKindKey, value: 'schedule' },
      ],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: CATCHUP_WINDOW },
    memo: { group: group.name },
    typedSearchAttributes: [{ key: heraldGroupKey, value: group.name }],
  };
}

export async function reportScheduleIds(client: Client): Promise<string[]> {
  const ids: string[] = [];
  for await (const s of client.schedule.list())
    if (groupOfSchedule(s.scheduleId) !== null) ids.push(s.scheduleId);
  return ids.sort();
}

export interface SyncChange {
  group: string;
  action: 'created' | 'updated' | 'unchanged' | 'deleted';
  interval?: number;
}

function intervalOf(description: ScheduleDescription): number | undefined {
  const every = description.spec.intervals?.[0]?.every;
  return typeof every === 'number' ? Math.round(every / 1000) : undefined;
}

export async function syncSchedules(
  client: Client,
  groups: ReadonlyMap<string, CatalogGroup>,
  taskQueue: string,
): Promise<SyncChange[]> {
  // The schedule list is a visibility query, which lags on a production server (a schedule just
  // deleted is still listed, one just created not yet): each group's schedule is described by id,
  // and the list only names schedules of groups no longer enabled.
  const stale = new Set(await reportScheduleIds(client));
  const changes: SyncChange[] = [];
  for (const group of groups.values()) {
    if (!group.enabled) continue;
    const id = scheduleIdFor(group.name);
    stale.delete(id);
    const options = scheduleOptions(group, taskQueue);
    const interval = group.intervalSeconds ?? DEFAULT_GROUP_INTERVAL_SECONDS;
    const handle = client.schedule.getHandle(id);
    const description = await handle.describe().catch((error: unknown) => {
      if (error instanceof ScheduleNotFoundError) return null;
      throw error;
    });
    if (!description) {
      await client.schedule.create(options);
      changes.push({ group: group.name, action: 'created', interval });
      continue;
    }
    const action = description.action as { args?: unknown[]; taskQueue?: string };
    const previous = action.args?.[0] as ReportGroupInput | undefined;
    if (intervalOf(description) === interval && action.taskQueue === taskQueue) {
      changes.push({ group: group.name, action: 'unchanged', interval });
      continue;
    }
    const next = scheduleOptions(group, taskQueue, previous);
    await handle.update((prev) => ({
      ...prev,
      spec: next.spec,
      action: next.action,
      policies: next.policies,
    }));
    changes.push({ group: group.name, action: 'updated', interval });
  }
  for (const id of stale) {
    try {
      await client.schedule.getHandle(id).delete();
      changes.push({ group: groupOfSchedule(id)!, action: 'deleted' });
    } catch (error) {
      // Deleted already, still listed by lagging visibility.
      if (!(error instanceof ScheduleNotFoundError)) throw error;
    }
  }
  return changes.sort((a, b) => a.group.localeCompare(b.group));
}

/**
 * herald's schedules described one by one; a listed schedule that is gone (deleted, still in the
 * lagging visibility list) is left out.
 */
export async function describeReportSchedules(
  client: Client,
): Promise<{ id: string; description: ScheduleDescription }[]> {
  const out: { id: string; description: ScheduleDescription }[] = [];
  for (const id of await reportScheduleIds(client)) {
    try {
      out.push({ id, description: await client.schedule.getHandle(id).describe() });
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
    }
  }
  return out;
}

export { ScheduleNotFoundError };
