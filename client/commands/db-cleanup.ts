// `herald db cleanup --keep 30d`: event retention by dropping whole daily partitions.
import type { Command } from 'commander';
import { dropEventsBefore, parseRetention } from '../../db/events/partitions';
import { closeSharedPool, sharedPool } from '../../db/pool';
import { UsageError } from '../errors';
import { printJson } from '../output';

export function registerDbCleanupCommand(db: Command): void {
  db.command('cleanup')
    .description('drop stored events older than --keep (whole daily partitions)')
    .requiredOption('--keep <duration>', 'how much to keep, e.g. 30d, 12h, 2w')
    .option('--json', 'print the result as JSON')
    .action(async (options: { keep: string; json?: boolean }) => {
      const keepMs = parseRetention(options.keep);
      if (keepMs === null)
        throw new UsageError(
          `--keep: ${JSON.stringify(options.keep)} is not a duration (expected e.g. 30d, 12h, 2w)`,
        );
      // Partitions are whole UTC days: keep every day that still holds events newer than the cutoff.
      const cutoff = new Date(Date.now() - keepMs);
      try {
        const result = await dropEventsBefore(sharedPool(), cutoff);
        if (options.json) return printJson(result);
        process.stdout.write(
          `kept events stored since ${cutoff.toISOString()}: dropped ${result.droppedPartitions.length} partition(s)` +
            `${result.droppedPartitions.length ? ` (${result.droppedPartitions.join(', ')})` : ''}, ` +
            `${result.deletedDefaultRows} row(s) from the default partition, ${result.deletedIds} id(s)\n`,
        );
      } finally {
        await closeSharedPool();
      }
    });
}
