// `herald events values FIELD` and `herald events stats --by FIELD`: what values a field has among
// the matching events, and how many events have each (top N, and a timeline per interval).
import type { Command } from 'commander';
import { aggregateField, aggregateFieldNames, distinctValues, fieldStats } from '../../db/events/aggregate';
import { sharedPool } from '../../db/pool';
import { UsageError } from '../errors';
import { formatTable, printJson, tableTime, tableWidth, WIDE_HELP } from '../output';
import { parseDuration, parsePositiveInt } from '../parse-options';
import { checkGroups, type QueryOptions, queryOptions, toQuery, withQueryErrors } from './events-query';

function fieldNamed(option: string, name: string) {
  const field = aggregateField(name);
  if (!field)
    throw new UsageError(`${option}: unknown field "${name}" (expected ${aggregateFieldNames.join(', ')})`);
  return field;
}

const TIMELINE_COLUMNS = 6;

export function registerEventsStatsCommands(events: Command): void {
  queryOptions(
    events
      .command('values')
      .description('distinct values of a field among the matching events')
      .argument('<field>', aggregateFieldNames.join('|')),
  ).action(async (name: string, options: QueryOptions) => {
    const field = fieldNamed('field', name);
    const query = toQuery(options);
    const values = await withQueryErrors(async () => {
      await checkGroups(query);
      return distinctValues(sharedPool(), field, query);
    });
    if (options.json) return printJson({ field: name, values });
    process.stdout.write(
      values.length ? `${values.join('\n')}\n` : `no ${name} values among the matching events\n`,
    );
  });

  queryOptions(events.command('stats').description('events per value of a field: top N and a timeline'))
    .requiredOption('--by <field>', aggregateFieldNames.join('|'))
    .option('--top <n>', 'the n values with most events', '10')
    .option('--interval <duration>', 'also a timeline of storage time in buckets of this width (15m, 1h, 1d)')
    .option('--wide', WIDE_HELP)
    .action(
      async (options: QueryOptions & { by: string; top: string; interval?: string; wide?: boolean }) => {
        const field = fieldNamed('--by', options.by);
        const top = parsePositiveInt('--top', options.top);
        const intervalSeconds =
          options.interval === undefined ? undefined : parseDuration('--interval', options.interval);
        const query = toQuery(options);
        const stats = await withQueryErrors(async () => {
          await checkGroups(query);
          return fieldStats(sharedPool(), field, query, {
            top,
            ...(intervalSeconds !== undefined && { intervalSeconds }),
          });
        });
        if (options.json) return printJson({ by: options.by, ...stats });
        const width = tableWidth(options.wide);
        const share = (n: number) => (stats.events ? `${((100 * n) / stats.events).toFixed(1)}%` : '-');
        process.stdout.write(
          `${formatTable(
            [options.by, 'events', 'share'],
            stats.top.map((t) => [String(t.value), t.count, share(t.count)]),
            { width, empty: `no ${options.by} values among the matching events` },
          )}\n`,
        );
        process.stdout.write(
          `${stats.events} events match; ${stats.distinct} distinct ${options.by} values (top ${Math.min(top, stats.distinct)} shown); ${stats.withoutValue} events have none\n`,
        );
        if (!stats.timeline) return;
        const shown = stats.top.slice(0, TIMELINE_COLUMNS).map((t) => String(t.value));
        process.stdout.write(
          `\n${formatTable(
            ['from (UTC)', 'events', ...shown],
            stats.timeline.map((b) => [tableTime(b.from), b.total, ...shown.map((v) => b.counts[v] ?? 0)]),
            { width, empty: 'no events in the time range' },
          )}\n`,
        );
      },
    );
}
