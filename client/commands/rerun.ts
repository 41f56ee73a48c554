// `herald rerun`: report a past period of one group again (e.g. after a filter fix), window by
// window, as new workflows marked HeraldRunKind=rerun. The scheduled cursors do not move. Says what
// it will send and asks before starting (--yes skips the question; required without a terminal).
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { config } from '../../config/env';
import { createPool } from '../../db/pool';
import { isSeverity, type Severity } from '../../domain/reporting/severities';
import {
  type ForceOverrides,
  heraldGroupKey,
  heraldRunKindKey,
  type ReportRerunInput,
  type RerunProgress,
  rerunProgressQuery,
} from '../../workflows/report-messages';
import { UsageError } from '../errors';
import { confirm } from '../operations/confirm';
import { progressBar } from '../operations/progress';
import { describeRerunPlan, planRerun } from '../operations/rerun-plan';
import { requireHeraldSearchAttributes, withOperatorClient } from '../operations/temporal';
import { formatTable, printJson, tableWindow } from '../output';
import { parsePositiveInt, parseTime } from '../parse-options';
import { runInput } from '../reporting/run-options';

interface RerunCliOptions {
  group: string;
  from: string;
  to: string;
  windowSeconds?: string;
  severity: string[];
  mode?: string;
  mailTestMode?: boolean;
  mailTo: string[];
  wait?: boolean;
  yes?: boolean;
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export const rerunWorkflowId = (group: string, from: string, to: string, nonce: string) =>
  `report:${group}:rerun:${from}..${to}:${nonce}`;

export function registerRerunCommands(program: Command): void {
  program
    .command('rerun')
    .description('report a past period of a group again, window by window, as re-runs')
    .requiredOption('--group <name>', 'the group')
    .requiredOption('--from <time>', 'start of the period (RFC 3339 or a date)')
    .requiredOption('--to <time>', 'end of the period, exclusive (RFC 3339 or a date, in the past)')
    .option('--window-seconds <n>', 'window length (default: the longest severity period, 1 day)')
    .option('--severity <severity>', 'only this severity (repeatable)', collect, [])
    .option('--mode <mode>', 'summary | extra | both | none')
    .option('--mail-test-mode', 'send every mail to --mail-to (or the admins) only; no Cc, no Bcc')
    .option('--mail-to <address>', 'the test address (repeatable; with --mail-test-mode)', collect, [])
    .option('--wait', 'wait for every window, with a progress bar, and print the results')
    .option('--yes', 'do not ask for confirmation')
    .option('--json', 'print as JSON')
    .action(async (o: RerunCliOptions) => {
      const from = parseTime('--from', o.from);
      const to = parseTime('--to', o.to);
      const windowSeconds =
        o.windowSeconds === undefined ? undefined : parsePositiveInt('--window-seconds', o.windowSeconds);
      if (windowSeconds !== undefined && windowSeconds < 60)
        throw new UsageError(
          `--window-seconds: expected an integer of at least 60, got "${o.windowSeconds}"`,
        );
      for (const s of o.severity)
        if (!isSeverity(s))
          throw new UsageError(`--severity: expected one of info, low, medium, high, critical, got "${s}"`);
      // The same validation as `herald run` (mode, addresses, --mail-to needs --mail-test-mode).
      let force: ForceOverrides;
      try {
        force =
          runInput(o.group, { forceMode: o.mode, mailTestMode: o.mailTestMode, mailTo: o.mailTo }).force ??
          {};
      } catch (error) {
        if (error instanceof UsageError) throw new UsageError(error.message.replace(/^--force-/, '--'));
        throw error;
      }
      const severities = o.severity.length ? (o.severity as Severity[]) : undefined;

      const pool = createPool(undefined, 2);
      let plan: Awaited<ReturnType<typeof planRerun>>;
      try {
        plan = await planRerun(pool, {
          group: o.group,
          from,
          to,
          windowSeconds,
          severities,
          force,
          mailFrom: config().HERALD_MAIL_FROM,
        });
      } finally {
        await pool.end();
      }
      process.stderr.write(`${describeRerunPlan(plan)}\n`);
      await confirm(`start ${plan.windows.length} re-run window(s)?`, o.yes);

      await withOperatorClient(async (client) => {
        await requireHeraldSearchAttributes(client);
        const nonce = randomUUID().slice(0, 8);
        const input: ReportRerunInput = {
          group: o.group,
          from,
          to,
          windowSeconds: plan.windowSeconds,
          nonce,
          ...(severities ? { severities } : {}),
          ...(Object.keys(force).length ? { force } : {}),
        };
        const handle = await client.workflow.start('reportRerun', {
          taskQueue: config().HERALD_TASK_QUEUE,
          workflowId: rerunWorkflowId(o.group, from, to, nonce),
          args: [input],
          memo: { group: o.group, from, to },
          staticSummary: `${o.group} re-run ${from} → ${to}, ${plan.windows.length} windows`,
          typedSearchAttributes: [
            { key: heraldGroupKey, value: o.group },
            { key: heraldRunKindKey, value: 'rerun' },
          ],
        });
        if (!o.wait) {
          if (o.json) printJson({ workflowId: handle.workflowId, plan });
          else process.stdout.write(`started ${handle.workflowId}\n`);
          return;
        }
        const bar = progressBar('re-run');
        let finished = false;
        const poll = (async () => {
          while (!finished) {
            try {
              const p = await handle.query(rerunProgressQuery);
              bar.update(p.done, p.total, p.current ?? '');
            } catch {
              // Not yet picked up by a worker, or just finished: the next poll or the result tells.
            }
            await new Promise((r) => setTimeout(r, 1000));
          }
        })();
        let result: RerunProgress;
        try {
          result = (await handle.result()) as RerunProgress;
        } finally {
          finished = true;
          await poll;
        }
        bar.update(result.done, result.total, 'done');
        bar.stop();
        if (o.json) return printJson({ workflowId: handle.workflowId, plan, windows: result.windows });
        process.stdout.write(
          `${formatTable(
            ['window (UTC)', 'workflow', 'processed', 'reported', 'new', 'relapsed', 'reports', 'failed'],
            result.windows.map((w) => [
              tableWindow(w.window),
              w.workflowId,
              w.counters.all,
              w.counters.rep,
              w.counters.new,
              w.counters.rlp,
              w.reports,
              w.failed.join(' ') || '-',
            ]),
          )}\n`,
        );
      });
    });
}
