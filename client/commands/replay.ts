// `herald replay`: replay recorded histories (files, workflow ids, or every herald run since a
// time) against the current workflow code before a deploy; exit 1 on any non-determinism.
import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors';
import { fetchHistory, readHistoryFile } from '../operations/histories';
import { withSpinner } from '../operations/progress';
import type { ReplayItem } from '../operations/replay';
import { listVisibility } from '../operations/runs';
import { withOperatorClient } from '../operations/temporal';
import { formatTable, paint, printJson } from '../output';
import { parseOptionalTime, parsePositiveInt } from '../parse-options';

const collect = (value: string, previous: string[]) => [...previous, value];
const HERALD_TYPES = ['reportGroup', 'reportSeverity', 'reportRerun', 'accessLogMonitor'];

interface ReplayCliOptions {
  history: string[];
  workflowId: string[];
  since?: string;
  limit: string;
  json?: boolean;
}

export function registerReplayCommands(program: Command): void {
  program
    .command('replay')
    .description('replay workflow histories against the current workflow code (non-determinism check)')
    .option('--history <file>', 'a history JSON file (repeatable)', collect, [])
    .option('--workflow-id <id>', "a workflow's latest run from the server (repeatable)", collect, [])
    .option('--since <time>', 'every herald workflow started since this time (RFC 3339 or a date)')
    .option('--limit <n>', 'at most this many workflows with --since', '200')
    .option('--json', 'print as JSON')
    .action(async (o: ReplayCliOptions) => {
      if (o.history.length === 0 && o.workflowId.length === 0 && o.since === undefined)
        throw new UsageError('nothing to replay: give --history FILE, --workflow-id ID or --since TIME');
      const limit = parsePositiveInt('--limit', o.limit);
      const since = parseOptionalTime('--since', o.since);
      const items: ReplayItem[] = o.history.map((file) => ({
        workflowId: path.basename(file),
        source: file,
        history: readHistoryFile(file),
      }));
      if (o.workflowId.length > 0 || since) {
        await withOperatorClient(async (client) => {
          const targets = o.workflowId.map((id) => ({
            workflowId: id,
            runId: undefined as string | undefined,
          }));
          if (since) {
            const types = HERALD_TYPES.map((t) => `'${t}'`).join(', ');
            const infos = await listVisibility(
              client,
              `WorkflowType IN (${types}) AND StartTime >= '${since}'`,
              limit,
            );
            targets.push(...infos.map((i) => ({ workflowId: i.workflowId, runId: i.runId })));
          }
          await withSpinner(`fetching ${targets.length} histories`, async () => {
            for (const t of targets)
              items.push({
                workflowId: t.runId ? `${t.workflowId} (run ${t.runId})` : t.workflowId,
                source: 'server',
                history: await fetchHistory(client, t.workflowId, t.runId),
              });
          });
        });
      }
      // The worker SDK (native core, webpack) is loaded only when something is replayed.
      const { replayHistories } = await import('../operations/replay');
      const outcomes =
        items.length === 0
          ? []
          : await withSpinner(`replaying ${items.length} histories`, () => replayHistories(items));
      const failed = outcomes.filter((r) => !r.ok);
      if (failed.length > 0) process.exitCode = 1;
      if (o.json) return printJson({ replayed: outcomes.length, failed: failed.length, results: outcomes });
      if (outcomes.length === 0) return void process.stdout.write('no histories to replay\n');
      process.stdout.write(
        `${formatTable(
          ['workflow', 'type', 'events', 'result'],
          outcomes.map((r) => [
            r.workflowId,
            r.workflowType ?? '?',
            r.events,
            r.ok ? paint('green', 'ok') : paint('red', r.kind ?? 'failed'),
          ]),
        )}\n`,
      );
      for (const r of failed) {
        const at = r.firstMismatch
          ? ` at event ${r.firstMismatch.eventId} (${r.firstMismatch.eventType})`
          : '';
        process.stderr.write(`herald: ${r.workflowId}: ${r.kind}${at}: ${r.error}\n`);
      }
      process.stdout.write(`${outcomes.length - failed.length}/${outcomes.length} histories replay\n`);
    });
}
