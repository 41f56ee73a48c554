// `herald run`: an ad-hoc reporter run for one, several or every enabled group (Mentat's
// `mentat-reporter.py` with its force options). Same workflows as the schedules; a window that a
// schedule already ran is not reported again.
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { config } from '../../config/env';
import { createPool } from '../../db/pool';
import { loadGroups } from '../../db/reporting/catalog';
import {
  adhocGroupWorkflowId,
  heraldGroupKey,
  heraldRunKindKey,
  type ReportGroupResult,
} from '../../workflows/report-messages';
import { UserError } from '../errors';
import { requireHeraldSearchAttributes } from '../operations/temporal';
import { formatTable, printJson, tableWindow } from '../output';
import { type RunCliOptions, runInput } from '../reporting/run-options';
import { runJson } from '../reporting/run-output';
import { withTemporal } from '../reporting/temporal';

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerRunCommands(program: Command): void {
  program
    .command('run')
    .description('run the reporter now for some or all enabled groups')
    .option('--group <name>', 'a group to report (repeatable); default: every enabled group', collect, [])
    .option(
      '--time-high <time>',
      'upper bound of the windows (a time: RFC 3339, a date or Unix seconds); floored to the interval',
    )
    .option('--severity <severity>', 'only this severity (repeatable)', collect, [])
    .option('--force-mode <mode>', 'summary | extra | both | none for every group')
    .option('--force-template <name>', 'template set for the mails')
    .option('--force-locale <locale>', 'locale for the mails (en, cs)')
    .option('--force-timezone <tz>', 'time zone for the mails (IANA name)')
    .option('--test-data', 'report only events of category Test')
    .option('--mail-test-mode', 'send every mail to --mail-to (or the admins) only; no Cc, no Bcc')
    .option('--mail-to <address>', 'the test address (repeatable; with --mail-test-mode)', collect, [])
    .option('--wait', 'wait for the runs to finish and print their results')
    .option('--json', 'print as JSON')
    .action(async (o: RunCliOptions) => {
      const pool = createPool(undefined, 2);
      try {
        const catalog = await loadGroups(pool);
        let groups = o.group ?? [];
        if (groups.length === 0) groups = [...catalog.values()].filter((g) => g.enabled).map((g) => g.name);
        const unknown = groups.filter((g) => !catalog.has(g));
        if (unknown.length > 0)
          throw new UserError(`unknown group${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`);
        if (groups.length === 0)
          throw new UserError('no enabled group to report (import a catalog first: herald catalog import)');
        const inputs = groups.map((g) =>
          runInput(g, { ...o, severity: o.severity?.length ? o.severity : undefined }),
        );

        await withTemporal(async (client) => {
          await requireHeraldSearchAttributes(client);
          const nonce = randomUUID().slice(0, 8);
          const handles = await Promise.all(
            inputs.map((input) =>
              client.workflow.start('reportGroup', {
                taskQueue: config().HERALD_TASK_QUEUE,
                workflowId: adhocGroupWorkflowId(input.group, input.timeHigh, nonce),
                args: [input],
                memo: { group: input.group },
                typedSearchAttributes: [
                  { key: heraldGroupKey, value: input.group },
                  { key: heraldRunKindKey, value: input.force?.testData ? 'test-data' : 'adhoc' },
                ],
              }),
            ),
          );
          if (!o.wait) {
            const started = handles.map((h, i) => ({ group: inputs[i]!.group, workflowId: h.workflowId }));
            if (o.json) printJson({ runs: started });
            else for (const s of started) process.stdout.write(`started ${s.workflowId}\n`);
            return;
          }
          const results = await Promise.all(handles.map((h) => h.result() as Promise<ReportGroupResult>));
          const runs = await Promise.all(results.map((r, i) => runJson(pool, handles[i]!.workflowId, r)));
          if (o.json) {
            printJson({ runs });
            return;
          }
          const rows = runs.flatMap((run) =>
            Object.entries(run.severities).map(([severity, s]) => [
              run.group,
              severity,
              s.result,
              tableWindow(s.window),
              s.counters.new,
              s.counters.rep,
              s.reports.map((r) => r.label).join(' '),
            ]),
          );
          process.stdout.write(
            `${formatTable(
              ['group', 'severity', 'result', 'window (UTC)', 'new', 'reported', 'reports'],
              rows,
              {
                empty: 'no severity was due: its windows were reported already',
              },
            )}\n`,
          );
        });
      } finally {
        await pool.end();
      }
    });
}
