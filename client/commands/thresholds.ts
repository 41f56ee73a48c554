// `herald thresholds list | count | clear`: the reporter's thresholding cache by group, severity,
// IP and class (Mentat's thresholds_count / thresholds_clean), e.g. to let a fixed host be
// reported again at once.
import type { Command } from 'commander';
import { closeSharedPool, sharedPool } from '../../db/pool';
import {
  clearThresholds,
  countThresholds,
  listThresholds,
  type ThresholdFilter,
} from '../../db/reporting/threshold-listing';
import { severities } from '../../domain/idea/schema';
import { UsageError } from '../errors';
import { formatTable, printJson, tableTime, tableWidth, WIDE_HELP } from '../output';
import { parsePositiveInt } from '../parse-options';

const collect = (value: string, previous: string[] = []) => [...previous, value];

interface FilterOptions {
  group?: string[];
  severity?: string[];
  ip?: string[];
  class?: string[];
  realm: string;
  json?: boolean;
}

function filterOptions(command: Command): Command {
  return command
    .option('--group <name>', 'abuse group whose reports set the threshold; repeatable', collect)
    .option('--severity <severity>', `severity run (${severities.join('|')}); repeatable`, collect)
    .option('--ip <addr>', 'the IP of the key, as reported; repeatable', collect)
    .option('--class <class>', 'the class of the key (with or without /subclass); repeatable', collect)
    .option('--realm <realm>', 'real, test or rerun:<nonce> (whose runs set them)', 'real')
    .option('--json', 'print as JSON');
}

function toFilter(options: FilterOptions): ThresholdFilter {
  for (const s of options.severity ?? [])
    if (!(severities as readonly string[]).includes(s))
      throw new UsageError(
        `--severity: ${JSON.stringify(s)} is not a severity (expected ${severities.join(', ')})`,
      );
  return {
    realm: options.realm,
    ...(options.group && { groups: options.group }),
    ...(options.severity && { severities: options.severity }),
    ...(options.ip && { ips: options.ip }),
    ...(options.class && { classes: options.class }),
  };
}

async function withPool<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    await closeSharedPool();
  }
}

export function registerThresholdsCommands(program: Command): void {
  const thresholds = program
    .command('thresholds')
    .description("the reporter's thresholding cache: keys that suppress repeated reports");

  filterOptions(thresholds.command('list').description('list thresholds'))
    .option('--limit <n>', 'at most n thresholds', '100')
    .option('--wide', WIDE_HELP)
    .action(async (options: FilterOptions & { limit: string; wide?: boolean }) => {
      const limit = parsePositiveInt('--limit', options.limit);
      const rows = await withPool(() => listThresholds(sharedPool(), toFilter(options), limit));
      if (options.json) return printJson({ thresholds: rows });
      process.stdout.write(
        `${formatTable(
          ['group', 'severity', 'pass', 'key', 'suppressed', 'until (UTC)', 'relapse from (UTC)', 'state'],
          rows.map((r) => [
            r.group,
            r.severity,
            r.pass,
            r.key,
            r.suppressed,
            tableTime(r.ttlTime.toISOString()),
            tableTime(r.relapseTime.toISOString()),
            r.active ? 'active' : 'expired',
          ]),
          {
            width: tableWidth(options.wide),
            drop: ['relapse from (UTC)', 'pass'],
            whole: ['key'],
            empty: 'no thresholds match',
          },
        )}\n`,
      );
    });

  filterOptions(
    thresholds.command('count').description('count thresholds and the events they suppressed'),
  ).action(async (options: FilterOptions) => {
    const counts = await withPool(() => countThresholds(sharedPool(), toFilter(options)));
    if (options.json) return printJson(counts);
    process.stdout.write(
      `${counts.thresholds} thresholds (${counts.active} active), ${counts.suppressedEvents} suppressed events\n`,
    );
  });

  filterOptions(
    thresholds
      .command('clear')
      .description('delete thresholds (and the events they suppressed): their keys are reported again'),
  )
    .option('--dry-run', 'count what would be cleared, change nothing')
    .action(async (options: FilterOptions & { dryRun?: boolean }) => {
      const filter = toFilter(options);
      const result = await withPool(async () => {
        if (!options.dryRun) return clearThresholds(sharedPool(), filter);
        const counts = await countThresholds(sharedPool(), filter);
        return { thresholds: counts.thresholds, suppressedEvents: counts.suppressedEvents };
      });
      if (options.json) return printJson({ dryRun: options.dryRun ?? false, ...result });
      process.stdout.write(
        `${result.thresholds} thresholds${options.dryRun ? ' would be' : ''} cleared, with ${result.suppressedEvents} suppressed events\n`,
      );
    });
}
