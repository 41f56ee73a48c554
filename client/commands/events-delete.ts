// `herald events delete <search options>`: count, ask, then delete in batches (with their IDs,
// so a later ingest of the same events stores them again).
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { deleteEvents } from '../../db/events/delete';
import { countEvents } from '../../db/events/search';
import { sharedPool } from '../../db/pool';
import { UsageError, UserError } from '../errors';
import { printJson } from '../output';
import { parsePositiveInt } from '../parse-options';
import { checkGroups, type QueryOptions, queryOptions, toQuery, withQueryErrors } from './events-query';

async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

export function registerEventsDeleteCommand(events: Command): void {
  queryOptions(
    events
      .command('delete')
      .description('delete the events a search matches (and their IDs: a re-ingest stores them again)'),
  )
    .option('--dry-run', 'count the events that would be deleted, delete nothing')
    .option('--yes', 'do not ask (needed when stdin is not a terminal)')
    .option('--batch-size <n>', 'events deleted per statement', '5000')
    .action(async (options: QueryOptions & { dryRun?: boolean; yes?: boolean; batchSize: string }) => {
      const query = toQuery(options);
      const batchSize = parsePositiveInt('--batch-size', options.batchSize);
      const result = await withQueryErrors(async () => {
        await checkGroups(query);
        const matching = await countEvents(sharedPool(), query);
        if (options.dryRun || matching === 0) return { matching, deleted: 0 };
        if (!options.yes) {
          if (!process.stdin.isTTY)
            throw new UsageError(
              `${matching} events match; pass --yes to delete them (stdin is not a terminal)`,
            );
          if (!(await confirm(`delete ${matching} events? [y/N] `))) throw new UserError('nothing deleted');
        }
        const deleted = await deleteEvents(sharedPool(), query, {
          batchSize,
          onBatch: (n) => process.stderr.isTTY && process.stderr.write(`\r${n}/${matching} deleted`),
        });
        if (process.stderr.isTTY) process.stderr.write('\n');
        return { matching, deleted };
      });
      if (options.json) return printJson({ dryRun: options.dryRun ?? false, ...result });
      process.stdout.write(
        options.dryRun
          ? `${result.matching} events would be deleted\n`
          : `${result.deleted} events deleted${result.matching === 0 ? ' (none match)' : ''}\n`,
      );
    });
}
