// `herald schedules sync|list|pause|unpause|trigger|backfill|delete`: the group schedules
// (`report:<group>`), one operation per command, mapped onto Temporal's Schedule API.
import { type Client, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Command } from 'commander';
import { config } from '../../config/env';
import { createPool } from '../../db/pool';
import { loadGroups } from '../../db/reporting/catalog';
import { scheduleIdFor } from '../../workflows/report-messages';
import { UsageError, UserError } from '../errors';
import { requireHeraldSearchAttributes } from '../operations/temporal';
import { formatTable, printJson, tableTime, tableWidth, WIDE_HELP } from '../output';
import { parseTime } from '../parse-options';
import {
  describeReportSchedules,
  groupOfSchedule,
  ScheduleNotFoundError,
  syncSchedules,
} from '../reporting/schedules';
import { withTemporal } from '../reporting/temporal';

async function onSchedule(group: string, work: (client: Client, id: string) => Promise<void>): Promise<void> {
  await withTemporal(async (client) => {
    try {
      await work(client, scheduleIdFor(group));
    } catch (error) {
      if (error instanceof ScheduleNotFoundError)
        throw new UserError(`no schedule for group "${group}" (run: herald schedules sync)`);
      throw error;
    }
  });
}

export function registerSchedulesCommands(program: Command): void {
  const schedules = program
    .command('schedules')
    .description('the reporting schedules, one per enabled group');

  schedules
    .command('sync')
    .description('create, update or delete schedules so that every enabled group has one')
    .option('--json', 'print as JSON')
    .action(async (o: { json?: boolean }) => {
      const pool = createPool(undefined, 1);
      try {
        const groups = await loadGroups(pool);
        const changes = await withTemporal(async (client) => {
          await requireHeraldSearchAttributes(client);
          return syncSchedules(client, groups, config().HERALD_TASK_QUEUE);
        });
        if (o.json) printJson({ changes });
        else
          process.stdout.write(
            `${formatTable(
              ['group', 'action', 'interval (s)'],
              changes.map((c) => [c.group, c.action, c.interval ?? '']),
              { empty: 'no enabled group and no schedule: nothing to sync (herald catalog import first)' },
            )}\n`,
          );
      } finally {
        await pool.end();
      }
    });

  schedules
    .command('list')
    .description('the reporting schedules with their state and next runs')
    .option('--wide', WIDE_HELP)
    .option('--json', 'print as JSON')
    .action(async (o: { wide?: boolean; json?: boolean }) => {
      const list = await withTemporal(async (client) => {
        const out = [];
        for (const { id, description: d } of await describeReportSchedules(client)) {
          const every = d.spec.intervals?.[0]?.every;
          out.push({
            group: groupOfSchedule(id)!,
            scheduleId: id,
            paused: d.state.paused,
            note: d.state.note ?? null,
            intervalSeconds: typeof every === 'number' ? Math.round(every / 1000) : null,
            nextRuns: d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()),
            lastRun: d.info.recentActions.at(-1)?.takenAt.toISOString() ?? null,
            running: d.info.runningActions.map((a) => a.workflow.workflowId),
          });
        }
        return out;
      });
      if (o.json) printJson({ schedules: list });
      else
        process.stdout.write(
          `${formatTable(
            ['group', 'state', 'every (s)', 'next run (UTC)', 'last run (UTC)'],
            list.map((s) => [
              s.group,
              s.paused ? 'paused' : 'active',
              s.intervalSeconds ?? '',
              s.nextRuns[0] ? tableTime(s.nextRuns[0]) : '-',
              s.lastRun ? tableTime(s.lastRun) : '-',
            ]),
            {
              width: tableWidth(o.wide),
              drop: ['last run (UTC)'],
              empty: 'no schedules (herald schedules sync creates one for every enabled group)',
            },
          )}\n`,
        );
    });

  schedules
    .command('pause <group>')
    .description("pause a group's schedule")
    .option('--note <text>', 'why (shown in list and in the Temporal UI)')
    .action(async (group: string, o: { note?: string }) => {
      await onSchedule(group, (client, id) =>
        client.schedule.getHandle(id).pause(o.note ?? 'paused with herald'),
      );
      process.stdout.write(`paused ${scheduleIdFor(group)}\n`);
    });

  schedules
    .command('unpause <group>')
    .description("resume a group's schedule")
    .action(async (group: string) => {
      await onSchedule(group, (client, id) => client.schedule.getHandle(id).unpause('unpaused with herald'));
      process.stdout.write(`unpaused ${scheduleIdFor(group)}\n`);
    });

  schedules
    .command('trigger <group>')
    .description("run a group's schedule now (its overlap policy applies)")
    .action(async (group: string) => {
      await onSchedule(group, (client, id) => client.schedule.getHandle(id).trigger());
      process.stdout.write(`triggered ${scheduleIdFor(group)}\n`);
    });

  schedules
    .command('backfill <group>')
    .description("run a group's schedule for the ticks of a past interval, one after another")
    .requiredOption('--from <time>', 'start (RFC 3339 or a date)')
    .requiredOption('--to <time>', 'end (RFC 3339 or a date)')
    .action(async (group: string, o: { from: string; to: string }) => {
      const from = new Date(parseTime('--from', o.from));
      const to = new Date(parseTime('--to', o.to));
      if (!(from < to)) throw new UsageError(`--from must be before --to (got ${o.from} and ${o.to})`);
      await onSchedule(group, (client, id) =>
        client.schedule
          .getHandle(id)
          .backfill({ start: from, end: to, overlap: ScheduleOverlapPolicy.BUFFER_ALL }),
      );
      process.stdout.write(
        `backfilling ${scheduleIdFor(group)} from ${from.toISOString()} to ${to.toISOString()}\n`,
      );
    });

  schedules
    .command('delete <group>')
    .description("delete a group's schedule (its cursors stay in the report_runs ledger)")
    .action(async (group: string) => {
      await onSchedule(group, (client, id) => client.schedule.getHandle(id).delete());
      process.stdout.write(`deleted ${scheduleIdFor(group)}\n`);
    });
}
