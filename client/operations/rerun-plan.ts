// What `herald rerun` will do, worked out before anything starts: the windows, and per severity
// the events in the period and who would get the mail — shown to the operator before confirming.
import type pg from 'pg';
import { countEvents } from '../../db/events/search';
import { loadGlobalSettings, loadGroups, loadTimings } from '../../db/reporting/catalog';
import { SEVERITIES, type Severity } from '../../domain/reporting/severities';
import { rerunWindows } from '../../domain/reporting/time-window';
import type { ForceOverrides } from '../../workflows/report-messages';
import { UsageError, UserError } from '../errors';

export interface RerunPlan {
  group: string;
  from: string;
  to: string;
  windowSeconds: number;
  windows: { from: string; to: string }[];
  mode: string;
  mailTestMode: boolean;
  severities: { severity: Severity; events: number; recipients: string[] }[];
  /** Events of the period (all severities) the re-run will look at. */
  events: number;
  note: string;
}

export interface RerunRequest {
  group: string;
  from: string;
  to: string;
  windowSeconds?: number;
  severities?: Severity[];
  force: ForceOverrides;
  mailFrom: string;
}

export async function planRerun(pool: pg.Pool, r: RerunRequest): Promise<RerunPlan> {
  if (!(Date.parse(r.from) < Date.parse(r.to)))
    throw new UsageError(`--from must be before --to (got ${r.from} and ${r.to})`);
  if (Date.parse(r.to) > Date.now())
    throw new UsageError(`--to must lie in the past (got ${r.to}); a re-run reports closed windows only`);
  const group = (await loadGroups(pool, [r.group])).get(r.group);
  if (!group) throw new UserError(`unknown group: ${r.group}`);
  const timings = await loadTimings(pool);
  const severities = r.severities ?? [...SEVERITIES];
  // Default window: the longest period of the severities, so every severity is run once per window.
  const windowSeconds = r.windowSeconds ?? Math.max(...severities.map((s) => timings[s].per));
  const windows = rerunWindows(r.from, r.to, windowSeconds);
  const admins = (await loadGlobalSettings(pool)).adminEmails;
  const testTo = r.force.mailTo?.length ? r.force.mailTo : admins.length ? admins : [r.mailFrom];
  const rows = [];
  let total = 0;
  for (const severity of severities) {
    const events = await countEvents(pool, {
      groups: [r.group],
      severities: [severity],
      from: r.from,
      to: r.to,
      notCategories: ['Test'],
    });
    total += events;
    rows.push({
      severity,
      events,
      recipients: r.force.mailTestMode ? testTo : [...(group.emails[severity] ?? [])],
    });
  }
  const mode = r.force.mode ?? group.mode ?? 'summary';
  return {
    group: r.group,
    from: r.from,
    to: r.to,
    windowSeconds,
    windows,
    mode,
    mailTestMode: r.force.mailTestMode === true,
    severities: rows,
    events: total,
    note: r.force.mailTestMode
      ? 'mail test mode: every mail goes only to the listed addresses (no Cc, no Bcc)'
      : 'reports go to the group (and to owners of more specific networks); events still under a live threshold are not reported again',
  };
}

export function describeRerunPlan(p: RerunPlan): string {
  const lines = [
    `re-run of group ${p.group} from ${p.from} to ${p.to}: ${p.windows.length} window${p.windows.length === 1 ? '' : 's'} of ${p.windowSeconds / 3600} h, mode ${p.mode}`,
    ...p.severities.map(
      (s) =>
        `  ${s.severity.padEnd(8)} ${String(s.events).padStart(7)} events  → ${s.recipients.join(', ') || '(no address of the group; fallback recipients)'}`,
    ),
    `  ${p.note}`,
  ];
  return lines.join('\n');
}
