// `herald events search | count | show`: list, count and print stored events.
import type { Command } from 'commander';
import { countEvents, fetchEvent, searchEvents } from '../../db/events/search';
import { sharedPool } from '../../db/pool';
import { UserError } from '../errors';
import { formatTable, printJson, tableTime, tableWidth, WIDE_HELP } from '../output';
import { parsePositiveInt } from '../parse-options';
import { checkGroups, type QueryOptions, queryOptions, toQuery, withQueryErrors } from './events-query';

const shortList = (list: string[], keep = 2) =>
  list.slice(0, keep).join(',') + (list.length > keep ? ',…' : '') || '-';

/** "showing 51–100 of 230; next page: --page 3", or how many matched when all are shown. */
export function pageLine(total: number, shown: number, limit: number, page: number): string {
  if (total === 0) return 'no events match';
  if (shown === 0)
    return `${total} events match; page ${page} is past the last (${Math.ceil(total / limit)})`;
  const first = (page - 1) * limit + 1;
  const last = first + shown - 1;
  if (first === 1 && last === total) return `${total} event${total === 1 ? '' : 's'} match`;
  const next = last < total ? `; next page: --page ${page + 1}` : '';
  return `showing ${first}–${last} of ${total}${next}`;
}

export function registerEventsSearchCommands(events: Command): void {
  queryOptions(events.command('search').description('list stored events (newest stored first)'), {
    sortable: true,
  })
    .option('--limit <n>', 'at most n events', '50')
    .option('--page <n>', 'page n of --limit events', '1')
    .option('--wide', WIDE_HELP)
    .action(async (options: QueryOptions & { wide?: boolean }) => {
      const limit = parsePositiveInt('--limit', options.limit ?? '50');
      const page = parsePositiveInt('--page', options.page ?? '1');
      const query = { ...toQuery(options), limit, page };
      const [rows, total] = await withQueryErrors(async () => {
        await checkGroups(query);
        return Promise.all([searchEvents(sharedPool(), query), countEvents(sharedPool(), query)]);
      });
      if (options.json) return printJson({ total, page, limit, events: rows });
      if (rows.length)
        process.stdout.write(
          `${formatTable(
            ['stored (UTC)', 'id', 'class', 'severity', 'groups', 'source', 'target', 'category'],
            rows.map((r) => [
              tableTime(r.storageTime.toISOString()),
              r.id,
              r.eventClass ?? '-',
              r.eventSeverity ?? '-',
              r.resolvedAbuses.join(',') || '-',
              shortList(r.sourceIps),
              shortList(r.targetIps, 1),
              r.categories.join(','),
            ]),
            {
              width: tableWidth(options.wide),
              drop: ['category', 'target', 'class'],
              whole: ['id', 'stored (UTC)'],
            },
          )}\n`,
        );
      process.stdout.write(`${pageLine(total, rows.length, limit, page)}\n`);
    });

  events
    .command('show')
    .description('print one stored event (the IDEA JSON as stored, with _Mentat filled in)')
    .argument('<id>', 'event ID')
    .option('--json', 'print as JSON (the default: the event is JSON)')
    .action(async (id: string) => {
      const stored = await withQueryErrors(() => fetchEvent(sharedPool(), id));
      if (!stored) throw new UserError(`no stored event with ID ${JSON.stringify(id)}`);
      printJson(stored.event);
    });

  queryOptions(events.command('count').description('count stored events')).action(
    async (options: QueryOptions) => {
      const query = toQuery(options);
      const count = await withQueryErrors(async () => {
        await checkGroups(query);
        return countEvents(sharedPool(), query);
      });
      if (options.json) printJson({ count });
      else process.stdout.write(`${count}\n`);
    },
  );
}
