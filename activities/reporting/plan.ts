// What a group run needs before it decides which severities are due: the group's interval and
// enabled flag, the per-severity periods, and the ledger's cursors (the fallback for a run whose
// workflow has no previous result).
import { groupTimings, loadGroups, loadTimings } from '../../db/reporting/catalog';
import { ledgerCursors } from '../../db/reporting/ledger';
import { DEFAULT_GROUP_INTERVAL_SECONDS } from '../../domain/reporting/timing';
import type { ActivityDeps } from '../deps';
import type { GroupPlan } from './types';

export function createPlanActivity(deps: ActivityDeps) {
  return async function loadReportGroupPlan(input: { group: string }): Promise<GroupPlan> {
    const [groups, timings, cursors] = await Promise.all([
      loadGroups(deps.pool, [input.group]),
      loadTimings(deps.pool),
      ledgerCursors(deps.pool, input.group),
    ]);
    const group = groups.get(input.group);
    const timing = Object.fromEntries(
      Object.entries(groupTimings(timings, group?.timing)).map(([severity, t]) => [
        severity,
        { per: t.per, thr: t.thr, rel: t.rel },
      ]),
    ) as GroupPlan['timing'];
    return {
      exists: group !== undefined,
      enabled: group?.enabled ?? false,
      intervalSeconds: group?.intervalSeconds ?? DEFAULT_GROUP_INTERVAL_SECONDS,
      timing,
      ledgerCursors: cursors,
    };
  };
}
