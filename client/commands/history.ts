// `herald history export WORKFLOW-ID > file.json`: a workflow's history in Temporal's standard JSON
// (the format of `temporal workflow show --output json`), e.g. a fixture for `herald replay`.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { fetchHistory, historyJson } from '../operations/histories';
import { withOperatorClient } from '../operations/temporal';

export function registerHistoryCommands(program: Command): void {
  const history = program.command('history').description('workflow histories');
  history
    .command('export <workflow-id>')
    .description('write the history of a workflow run as JSON (stdout, or --output)')
    .option('--run-id <id>', 'this run instead of the latest')
    .option('--output <file>', 'write to this file')
    .action(async (workflowId: string, o: { runId?: string; output?: string }) => {
      const json = await withOperatorClient(async (client) =>
        historyJson(await fetchHistory(client, workflowId, o.runId)),
      );
      if (o.output) {
        writeFileSync(o.output, `${json}\n`);
        process.stderr.write(`wrote ${o.output}\n`);
      } else process.stdout.write(`${json}\n`);
    });
}
