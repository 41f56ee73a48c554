// `herald force --group G …`: Mentat's force options on a live system. Validated here, then sent
// to the group's running runs through the `forceOverrides` update (whose validator refuses bad
// values too; the severities not yet rendered take them), and stored in the group schedule's
// arguments so later scheduled runs honour them until --until or --clear.
import type { Client } from '@temporalio/client';
import { ScheduleNotFoundError } from '@temporalio/client';
import type { Command } from 'commander';
import {
  type ForceOverrides,
  forceOverridesUpdate,
  type ReportGroupRunInput,
  scheduleIdFor,
} from '../../workflows/report-messages';
import { UsageError } from '../errors';
import { listVisibility } from '../operations/runs';
import { withOperatorClient } from '../operations/temporal';
import { printJson } from '../output';
import { parseOptionalTime } from '../parse-options';
import { runInput } from '../reporting/run-options';

interface ForceCliOptions {
  group: string;
  workflowId: string[];
  mode?: string;
  template?: string;
  locale?: string;
  timezone?: string;
  testData?: boolean;
  mailTestMode?: boolean;
  mailTo: string[];
  until?: string;
  clear?: boolean;
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

async function runningGroupRuns(client: Client, group: string, explicit: string[]): Promise<string[]> {
  const ids = new Set(explicit);
  const q = `WorkflowType = 'reportGroup' AND HeraldGroup = '${group.replace(/'/g, "\\'")}' AND ExecutionStatus = 'Running'`;
  for (const info of await listVisibility(client, q, 100)) ids.add(info.workflowId);
  return [...ids];
}

async function storeOnSchedule(
  client: Client,
  group: string,
  overrides: ForceOverrides,
  until: string | undefined,
  clear: boolean,
): Promise<'updated' | 'cleared' | 'no-schedule'> {
  try {
    await client.schedule.getHandle(scheduleIdFor(group)).update((prev) => {
      const action = prev.action as typeof prev.action & { args?: unknown[] };
      const previous = (action.args?.[0] ?? { group, runKind: 'schedule' }) as ReportGroupRunInput;
      const { force: _f, forceUntil: _u, ...rest } = previous;
      const next: ReportGroupRunInput = clear
        ? rest
        : { ...rest, force: { ...previous.force, ...overrides }, ...(until ? { forceUntil: until } : {}) };
      return { ...prev, action: { ...action, args: [next] } as typeof prev.action };
    });
    return clear ? 'cleared' : 'updated';
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return 'no-schedule';
    throw error;
  }
}

/** `herald run`'s validation, with this command's option names in the messages. */
function forceInput(o: ForceCliOptions) {
  try {
    return runInput(o.group, {
      forceMode: o.mode,
      forceTemplate: o.template,
      forceLocale: o.locale,
      forceTimezone: o.timezone,
      mailTestMode: o.mailTestMode,
      mailTo: o.mailTo,
    });
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(error.message.replace(/^--force-/, '--'));
    throw error;
  }
}

export function registerForceCommands(program: Command): void {
  program
    .command('force')
    .description("override mode, template, locale, time zone, test data or mail test mode of a group's runs")
    .requiredOption('--group <name>', 'the group')
    .option('--workflow-id <id>', 'also this running group run (repeatable)', collect, [])
    .option('--mode <mode>', 'summary | extra | both | none')
    .option('--template <name>', 'template set for the mails')
    .option('--locale <locale>', 'locale for the mails (en, cs)')
    .option('--timezone <tz>', 'time zone for the mails (IANA name)')
    .option('--test-data', 'report only events of category Test (severities not yet started)')
    .option('--no-test-data', 'report real events again')
    .option('--mail-test-mode', 'send every mail to --mail-to (or the admins) only; no Cc, no Bcc')
    .option('--mail-to <address>', 'the test address (repeatable; with --mail-test-mode)', collect, [])
    .option(
      '--until <time>',
      'stored overrides apply to scheduled runs before this time (RFC 3339 or a date)',
    )
    .option('--clear', "remove the overrides stored on the group's schedule")
    .option('--json', 'print as JSON')
    .action(async (o: ForceCliOptions) => {
      const clear = o.clear === true;
      const parsed = forceInput(o);
      const overrides: ForceOverrides = { ...parsed.force };
      if (o.testData !== undefined) overrides.testData = o.testData;
      const until = parseOptionalTime('--until', o.until);
      if (until && Date.parse(until) <= Date.now())
        throw new UsageError(`--until must lie in the future (got ${until})`);
      if (clear && (Object.keys(overrides).length > 0 || until))
        throw new UsageError('--clear takes no other override');
      if (!clear && Object.keys(overrides).length === 0)
        throw new UsageError(
          'nothing to force: give --mode, --template, --locale, --timezone, --[no-]test-data or --mail-test-mode, or --clear',
        );

      const result = await withOperatorClient(async (client) => {
        const signalled: { workflowId: string; overrides: ForceOverrides }[] = [];
        if (!clear) {
          for (const id of await runningGroupRuns(client, o.group, o.workflowId)) {
            const merged = await client.workflow
              .getHandle(id)
              .executeUpdate(forceOverridesUpdate, { args: [overrides] });
            signalled.push({ workflowId: id, overrides: merged });
          }
        }
        const schedule = await storeOnSchedule(client, o.group, overrides, until, clear);
        return {
          group: o.group,
          overrides: clear ? {} : overrides,
          until: until ?? null,
          signalled,
          schedule,
        };
      });
      if (o.json) return printJson(result);
      for (const s of result.signalled)
        process.stdout.write(`forced ${s.workflowId}: ${JSON.stringify(s.overrides)}\n`);
      if (!clear && result.signalled.length === 0)
        process.stdout.write(`no running run of group ${o.group}\n`);
      process.stdout.write(
        result.schedule === 'no-schedule'
          ? `no schedule for group ${o.group}: nothing stored\n`
          : `${result.schedule} overrides on ${scheduleIdFor(o.group)}${until ? ` until ${until}` : ''}\n`,
      );
    });
}
