// The dashboard as text: one section per concern, the runlog as Mentat's table.
import { formatTable, paint } from '../output';
import type { Dashboard, RunlogTotals } from './status';

const ok = (good: boolean, text: string) => paint(good ? 'green' : 'red', text);
const mib = (bytes: number) => `${Math.round(bytes / 1048576)} MiB`;

function runlogRow(label: string, t: RunlogTotals): (string | number)[] {
  return [
    label,
    t.processed,
    t.reported,
    t.new,
    t.relapsed,
    t.filtered,
    t.thresholded,
    t.uncredible,
    t.reports,
  ];
}

export function renderDashboard(d: Dashboard): string {
  const out: string[] = [];
  out.push(paint('bold', `herald status at ${d.at}`));
  out.push(
    `temporal   ${ok(d.temporal.reachable, d.temporal.reachable ? 'reachable' : 'UNREACHABLE')} (${d.temporal.address})${d.temporal.error ? ` ${ok(false, d.temporal.error)}` : ''}`,
  );
  out.push(
    `postgresql ${ok(d.postgres.reachable, d.postgres.reachable ? 'reachable' : 'UNREACHABLE')}${d.postgres.error ? ` ${d.postgres.error}` : ''}`,
  );
  out.push('', paint('bold', `workers (task queue ${d.taskQueue})`));
  if (!d.postgres.reachable) out.push('  unknown: their heartbeats are in PostgreSQL');
  else if (d.workers.length === 0) out.push(`  ${ok(false, 'none has a heartbeat: runs will wait')}`);
  else
    out.push(
      formatTable(
        ['worker', 'state', 'heard', 'rss / limit', 'activities', 'last task', 'version'],
        d.workers.map((w) => [
          w.identity,
          paint(w.state === 'running' ? 'green' : w.state === 'stopped' ? 'yellow' : 'red', w.state),
          `${Math.round(w.silentSeconds)} s ago`,
          `${mib(w.rssBytes)} / ${w.memoryLimitBytes ? mib(w.memoryLimitBytes) : 'none'}`,
          w.activitiesRunning,
          w.lastTaskAt ?? '-',
          w.version,
        ]),
      )
        .split('\n')
        .map((line) => `  ${line}`)
        .join('\n'),
    );
  if (d.temporal.reachable) {
    const identities = [...new Set(d.pollers.map((p) => p.identity))];
    out.push(
      `  pollers: ${ok(identities.length > 0, `${identities.length}`)}${identities.length ? ` (${identities.join(', ')})` : ' (no worker polls: runs will wait)'}`,
    );
    // Workers of an older herald poll only the main queue: their runs' mails would wait.
    if (identities.length > 0 && !d.pollers.some((p) => p.kind === 'mail'))
      out.push(`  ${ok(false, 'no worker polls the mail task queue: mails will wait')}`);
    out.push('', paint('bold', 'schedules'));
    out.push(
      d.schedules.length === 0
        ? '  none (herald schedules sync)'
        : formatTable(
            ['group', 'state', 'next run', 'last run'],
            d.schedules.map((s) => [
              s.group,
              s.paused ? 'paused' : 'active',
              s.nextRun ?? '-',
              s.lastRun ?? '-',
            ]),
          ),
    );
    out.push('', paint('bold', 'runs in progress'));
    if (d.running.length === 0) out.push('  none');
    for (const r of d.running) {
      out.push(`  ${r.workflowId} (since ${r.startTime})`);
      for (const [severity, p] of Object.entries(r.progress ?? {})) {
        const c = p?.counters;
        out.push(
          `    ${severity.padEnd(8)} ${p?.stage ?? '?'}${c ? `  processed ${c.all} new ${c.new} reported ${c.rep}` : ''}`,
        );
      }
    }
  }
  out.push('', paint('bold', `runlog since ${d.runlog.since}`));
  out.push(
    formatTable(
      [
        'group',
        'processed',
        'reported',
        'new',
        'relapsed',
        'filtered',
        'thresholded',
        'uncredible',
        'reports',
      ],
      [...d.runlog.groups.map((g) => runlogRow(g.group, g)), runlogRow('total', d.runlog.total)],
    ),
  );
  if (d.mail) {
    const m = d.mail;
    out.push('', paint('bold', 'mail'));
    out.push(
      `  ${m.pending} pending, ${ok(m.retrying === 0, `${m.retrying} being retried`)}, ${ok(m.failedSince === 0, `${m.failedSince} refused for good`)} since ${d.runlog.since} (herald mail outbox)`,
    );
    if (m.lastError) out.push(`  last failed attempt ${m.lastError.at}: ${m.lastError.error.split('\n')[0]}`);
  }
  if (d.unreported) {
    const u = d.unreported;
    out.push('', paint('bold', `events stored since ${u.since} that nothing may report`));
    out.push(
      `  ${u.stored} stored: ${ok(u.noGroup === 0, `${u.noGroup} with no group`)}, ${ok(u.noClass === 0, `${u.noClass} with no class`)}, ${ok(u.baseOnly === 0, `${u.baseOnly} base-only`)}, ${ok(u.unknownCategory === 0, `${u.unknownCategory} with an unknown category`)} (herald events search --no-group | --no-class | --base-only | --unknown-category)`,
    );
  }
  if (d.temporal.reachable) {
    out.push('', paint('bold', 'failed runs'));
    out.push(
      d.failed.length === 0
        ? '  none'
        : d.failed
            .map((f) => `  ${paint('red', f.status.toLowerCase())} ${f.workflowId} ${f.closeTime ?? ''}`)
            .join('\n'),
    );
    out.push('', paint('bold', 'monitors in alert'));
    out.push(
      d.monitorsInAlert.length === 0
        ? '  none'
        : d.monitorsInAlert.map((m) => `  ${paint('red', 'ALERT')} ${m.source ?? m.workflowId}`).join('\n'),
    );
  }
  return out.join('\n');
}
