// The search options shared by `events search | count | delete | values | stats`: every field of
// Mentat's search_events, its --not- negation, times, addresses and sort order, read into one
// EventQuery. Misspelt values (a severity, a port, a group) are usage errors naming what is known.
import type { Command } from 'commander';
import { searchFields } from '../../db/events/query-fields';
import {
  type EventQuery,
  EventQueryError,
  type FieldLists,
  knownGroups,
  parseSearchAddress,
  type SortColumn,
} from '../../db/events/search';
import { closeSharedPool, sharedPool } from '../../db/pool';
import { severities } from '../../domain/idea/schema';
import { UsageError } from '../errors';
import { parseOptionalTime } from '../parse-options';

const collect = (value: string, previous: string[] = []) => [...previous, value];

const camel = (option: string) => option.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export type QueryOptions = Record<string, unknown> & {
  /** false: --no-group (commander's negation of --group). */
  group?: string[] | false;
  /** false: --no-class. */
  class?: string[] | false;
  from?: string;
  to?: string;
  detectFrom?: string;
  detectTo?: string;
  ip?: string[];
  sourceIp?: string[];
  targetIp?: string[];
  description?: string;
  inspectionError?: string | true;
  anyGroup?: boolean;
  baseOnly?: boolean;
  unknownCategory?: boolean;
  sort?: string;
  limit?: string;
  page?: string;
  json?: boolean;
};

/** Adds the search options; `sortable` adds --sort (for commands that list events). */
export function queryOptions(command: Command, { sortable = false } = {}): Command {
  for (const field of searchFields) {
    command.option(`--${field.option} <value>`, `${field.help}; repeatable`, collect);
    command.option(`--not-${field.option} <value>`, `not this ${field.help}; repeatable`, collect);
  }
  command
    .option('--from <time>', 'storage time from (inclusive; RFC 3339 or a date)')
    .option('--to <time>', 'storage time to (exclusive)')
    .option('--detect-from <time>', 'detect time from (inclusive)')
    .option('--detect-to <time>', 'detect time to (exclusive)')
    .option('--ip <addr>', 'address, CIDR or range a-b on a source or target; repeatable', collect)
    .option('--source-ip <addr>', 'address, CIDR or range a-b on a source; repeatable', collect)
    .option('--target-ip <addr>', 'address, CIDR or range a-b on a target; repeatable', collect)
    .option('--description <text>', 'Description contains this text (case-insensitive)')
    .option('--inspection-error [text]', 'has an inspection error (containing text, case-insensitive)')
    .option('--any-group', 'only events with an abuse group (source or target)')
    .option('--no-group', 'only events with no abuse group (neither source nor target)')
    .option('--no-class', 'only events with no class (neither event nor target class)')
    .option('--base-only', 'only events with an address covered only by base networks')
    .option('--unknown-category', 'only events with a category outside the IDEA taxonomy');
  if (sortable)
    command.option(
      '--sort <order>',
      'storage-time|detect-time, optionally :asc or :desc (default storage-time:desc)',
      'storage-time:desc',
    );
  return command.option('--json', 'print as JSON');
}

function parseSort(text: string): NonNullable<EventQuery['sort']> {
  const match = /^(storage-time|detect-time)(?::(asc|desc))?$/.exec(text);
  if (!match)
    throw new UsageError(
      `--sort: expected storage-time or detect-time, optionally with :asc or :desc, got "${text}"`,
    );
  return { by: match[1]!.replace('-', '_') as SortColumn, direction: (match[2] ?? 'desc') as 'asc' | 'desc' };
}

function fieldLists(options: QueryOptions): FieldLists {
  const lists: Record<string, (string | number)[]> = {};
  for (const field of searchFields)
    for (const [prefix, key] of [
      ['', field.key],
      ['not-', `not${field.key[0]!.toUpperCase()}${field.key.slice(1)}`],
    ] as const) {
      const option = `${prefix}${field.option}`;
      const given = options[camel(option)];
      if (!Array.isArray(given)) continue;
      lists[key] = given.map((value: string) => {
        if (field.integer) {
          const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
          if (!(port <= 65535))
            throw new UsageError(`--${option}: expected a port number (0-65535), got "${value}"`);
          return port;
        }
        if (field.key === 'severities' || field.key === 'targetSeverities')
          if (!(severities as readonly string[]).includes(value))
            throw new UsageError(
              `--${option}: ${JSON.stringify(value)} is not a severity (expected ${severities.join(', ')})`,
            );
        return value;
      });
    }
  return lists;
}

export function toQuery(options: QueryOptions): EventQuery {
  for (const [option, list] of [
    ['--ip', options.ip],
    ['--source-ip', options.sourceIp],
    ['--target-ip', options.targetIp],
  ] as const)
    for (const ip of list ?? [])
      if (!parseSearchAddress(ip))
        throw new UsageError(
          `${option}: ${JSON.stringify(ip)} is not an IP address, CIDR network or range a-b`,
        );
  if (options.anyGroup && options.group === false)
    throw new UsageError('--any-group and --no-group exclude each other');
  const from = parseOptionalTime('--from', options.from);
  const to = parseOptionalTime('--to', options.to);
  const detectFrom = parseOptionalTime('--detect-from', options.detectFrom);
  const detectTo = parseOptionalTime('--detect-to', options.detectTo);
  const lists = fieldLists(options);
  return {
    ...lists,
    ...(options.group === false && { noGroup: true, groups: undefined }),
    ...(options.class === false && { noClass: true, classes: undefined }),
    ...(options.anyGroup && { anyGroup: true }),
    ...(options.baseOnly && { baseOnly: true }),
    ...(options.unknownCategory && { unknownCategory: true }),
    ...(from && { from }),
    ...(to && { to }),
    ...(detectFrom && { detectFrom }),
    ...(detectTo && { detectTo }),
    ...(options.ip && { ips: options.ip }),
    ...(options.sourceIp && { sourceIps: options.sourceIp }),
    ...(options.targetIp && { targetIps: options.targetIp }),
    ...(options.description !== undefined && { description: options.description }),
    ...(options.inspectionError !== undefined && { inspectionError: options.inspectionError }),
    ...(options.sort !== undefined && { sort: parseSort(options.sort) }),
  };
}

/** Refuses a group the catalog does not know, naming the known ones. */
export async function checkGroups(query: EventQuery): Promise<void> {
  const given = [
    ['--group', query.groups],
    ['--target-group', query.targetGroups],
    ['--not-group', query.notGroups],
    ['--not-target-group', query.notTargetGroups],
  ] as const;
  if (!given.some(([, list]) => list?.length)) return;
  const known = await knownGroups(sharedPool());
  for (const [option, list] of given)
    for (const group of list ?? [])
      if (!known.includes(String(group)))
        throw new UsageError(
          `${option}: unknown abuse group ${JSON.stringify(group)} (known: ${known.join(', ') || 'none; import a catalog'})`,
        );
}

/** Runs a store command: query mistakes become usage errors; the pool is closed afterwards. */
export async function withQueryErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof EventQueryError) throw new UsageError(error.message);
    throw error;
  } finally {
    await closeSharedPool();
  }
}
