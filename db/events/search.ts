// Typed search/count over the event store (Mentat's search_events), used by the CLI and the
// re-run planner. All predicates are AND-ed; list parameters are OR-ed within themselves and their
// `not*` twins exclude every listed value. Time windows are half-open [from, to).
import {
  envelope,
  formatNetwork,
  ideaAddressToInets,
  type Network,
  parseNetwork,
} from '../../domain/idea/network';
import { ideaCategories } from '../../domain/idea/taxonomy';
import type { Queryable } from '../queryable';
import { fieldCondition, type ListKey, type NotKey, notKey, searchFields } from './query-fields';

export type SortColumn = 'storage_time' | 'detect_time';

export type FieldLists = { [K in ListKey | NotKey]?: readonly (string | number)[] };

export interface EventQuery extends FieldLists {
  /** storage_time >= from */
  from?: Date | string;
  /** storage_time < to */
  to?: Date | string;
  detectFrom?: Date | string;
  detectTo?: Date | string;
  /** Address, CIDR or IDEA range a-b (v4 or v6) overlapping any source or target address. */
  ips?: string[];
  sourceIps?: string[];
  targetIps?: string[];
  /** Case-insensitive substring of Description. */
  description?: string;
  /** true: any inspection error; text: an inspection error containing it (case-insensitive). */
  inspectionError?: true | string;
  /** Some abuse group for a source or target address (Mentat's __ANY__). */
  anyGroup?: boolean;
  /** No abuse group for any source or target address (Mentat's __EMPTY__). */
  noGroup?: boolean;
  /** Neither an event class nor a target class. */
  noClass?: boolean;
  /** Some address is covered only by base networks. */
  baseOnly?: boolean;
  /** Some category is outside the IDEA taxonomy. */
  unknownCategory?: boolean;
  limit?: number;
  /** 1-based page of `limit` rows (OFFSET paging, for operators). */
  page?: number;
  /** Default: storage time, newest first. */
  sort?: { by: SortColumn; direction: 'asc' | 'desc' };
}

export class EventQueryError extends Error {
  override name = 'EventQueryError';
}

interface Built {
  where: string;
  values: unknown[];
}

const NO_GROUP = `(resolved_abuses = '{}' AND target_abuses = '{}')`;
const ANY_GROUP = `(resolved_abuses <> '{}' OR target_abuses <> '{}')`;
const NO_CLASS = '(event_class IS NULL AND target_class IS NULL)';
const BASE_ONLY = `base_abuses <> '{}'`;

/** A search address: the exact networks it covers and their envelope (for the GiST prefilter). */
export interface SearchAddress {
  family: 4 | 6;
  networks: string[];
  envelope: string;
}

/** "addr", "addr/len" or an IDEA range "a-b"; null when it is none of these. */
export function parseSearchAddress(text: string): SearchAddress | null {
  const trimmed = text.trim();
  if (trimmed.includes('-')) {
    const family = trimmed.includes(':') ? 6 : 4;
    const networks = ideaAddressToInets(trimmed, family);
    if (!networks) return null;
    const parsed = networks.map((n) => parseNetwork(n)).filter((n): n is NonNullable<typeof n> => n !== null);
    return { family, networks, envelope: formatNetwork(envelope(parsed as Network[])!) };
  }
  const net = parseNetwork(trimmed);
  if (!net) return null;
  return { family: net.family, networks: [trimmed], envelope: trimmed };
}

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function buildEventWhere(query: EventQuery): Built {
  const values: unknown[] = [];
  const clauses: string[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const ipClause = (side: 'source' | 'target', list: string[]) =>
    list.map((text) => {
      const address = parseSearchAddress(text);
      if (!address)
        throw new EventQueryError(`${JSON.stringify(text)} is not an IP address, network or range a-b`);
      // GiST-indexed envelope first, then the exact per-address test.
      const prefilter = `${side}_ip${address.family}_net && ${param(address.envelope)}::inet`;
      if (address.networks.length === 1) {
        const p = param(address.networks[0]);
        return `(${prefilter} AND ${p}::inet && ANY(${side}_ips))`;
      }
      const p = param(address.networks);
      return `(${prefilter} AND EXISTS (SELECT 1 FROM unnest(${side}_ips) a JOIN unnest(${p}::inet[]) n ON a && n))`;
    });

  if (query.from !== undefined) clauses.push(`storage_time >= ${param(query.from)}::timestamptz`);
  if (query.to !== undefined) clauses.push(`storage_time < ${param(query.to)}::timestamptz`);
  if (query.detectFrom !== undefined) clauses.push(`detect_time >= ${param(query.detectFrom)}::timestamptz`);
  if (query.detectTo !== undefined) clauses.push(`detect_time < ${param(query.detectTo)}::timestamptz`);
  for (const field of searchFields) {
    const list = query[field.key];
    if (list?.length) clauses.push(fieldCondition(field, list, param, false));
    const excluded = query[notKey(field.key)];
    if (excluded?.length) clauses.push(fieldCondition(field, excluded, param, true));
  }
  if (query.description !== undefined)
    clauses.push(`description ILIKE ${param(likePattern(query.description))}`);
  if (query.inspectionError === true) clauses.push(`inspection_errors <> '{}'`);
  else if (query.inspectionError !== undefined)
    clauses.push(
      `EXISTS (SELECT 1 FROM unnest(inspection_errors) e WHERE e ILIKE ${param(likePattern(query.inspectionError))})`,
    );
  if (query.anyGroup) clauses.push(ANY_GROUP);
  if (query.noGroup) clauses.push(NO_GROUP);
  if (query.noClass) clauses.push(NO_CLASS);
  if (query.baseOnly) clauses.push(BASE_ONLY);
  if (query.unknownCategory) clauses.push(`NOT (categories <@ ${param(ideaCategories)}::text[])`);
  const ipOr = [
    ...ipClause('source', [...(query.ips ?? []), ...(query.sourceIps ?? [])]),
    ...ipClause('target', [...(query.ips ?? []), ...(query.targetIps ?? [])]),
  ];
  if (ipOr.length) clauses.push(`(${ipOr.join(' OR ')})`);
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', values };
}

export interface EventSummary {
  id: string;
  storageTime: Date;
  detectTime: Date;
  categories: string[];
  description: string | null;
  /** Source addresses as the event has them (ranges a-b as written, not split into CIDRs). */
  sourceIps: string[];
  targetIps: string[];
  detectors: string[];
  resolvedAbuses: string[];
  targetAbuses: string[];
  eventClass: string | null;
  eventSeverity: string | null;
  targetClass: string | null;
  targetSeverity: string | null;
}

export interface StoredEvent extends EventSummary {
  /** The full IDEA event as stored (with _Mentat filled in). */
  event: Record<string, unknown>;
}

// The stored inet[] columns hold ranges split into CIDRs; the IDEA JSON has them as written.
const writtenAddresses = (side: 'Source' | 'Target') =>
  `jsonb_path_query_array(event, '$.${side}[*].IP4[*]') || jsonb_path_query_array(event, '$.${side}[*].IP6[*]')`;

const summaryColumns = `id, storage_time, detect_time, categories, description,
  ${writtenAddresses('Source')} AS source_ips, ${writtenAddresses('Target')} AS target_ips,
  node_names, resolved_abuses, target_abuses, event_class, event_severity, target_class, target_severity`;

const toSummary = (row: Record<string, unknown>): EventSummary => ({
  id: row.id as string,
  storageTime: row.storage_time as Date,
  detectTime: row.detect_time as Date,
  categories: row.categories as string[],
  description: row.description as string | null,
  sourceIps: row.source_ips as string[],
  targetIps: row.target_ips as string[],
  detectors: row.node_names as string[],
  resolvedAbuses: row.resolved_abuses as string[],
  targetAbuses: row.target_abuses as string[],
  eventClass: row.event_class as string | null,
  eventSeverity: row.event_severity as string | null,
  targetClass: row.target_class as string | null,
  targetSeverity: row.target_severity as string | null,
});

function paging(query: EventQuery, values: unknown[]): string {
  const { by, direction } = query.sort ?? { by: 'storage_time', direction: 'desc' };
  const order = direction === 'asc' ? 'ASC' : 'DESC';
  let sql = ` ORDER BY ${by === 'detect_time' ? 'detect_time' : 'storage_time'} ${order}, id ${order}`;
  if (query.limit !== undefined) {
    if (!Number.isInteger(query.limit) || query.limit < 1)
      throw new EventQueryError('limit must be a positive integer');
    values.push(query.limit);
    sql += ` LIMIT $${values.length}`;
    if (query.page !== undefined && query.page > 1) {
      values.push((query.page - 1) * query.limit);
      sql += ` OFFSET $${values.length}`;
    }
  }
  return sql;
}

/** The SQL of a search (for EXPLAIN in tests and the bench). */
export function searchEventsSql(query: EventQuery): { text: string; values: unknown[] } {
  const { where, values } = buildEventWhere(query);
  return { text: `SELECT ${summaryColumns} FROM events ${where}${paging(query, values)}`, values };
}

export async function searchEvents(db: Queryable, query: EventQuery): Promise<EventSummary[]> {
  const { text, values } = searchEventsSql(query);
  const { rows } = await db.query(text, values);
  return rows.map(toSummary);
}

export function countEventsSql(query: EventQuery): { text: string; values: unknown[] } {
  const { where, values } = buildEventWhere({ ...query, limit: undefined, page: undefined });
  return { text: `SELECT count(*)::bigint AS n FROM events ${where}`, values };
}

export async function countEvents(db: Queryable, query: EventQuery): Promise<number> {
  const { text, values } = countEventsSql(query);
  const { rows } = await db.query(text, values);
  return Number(rows[0].n);
}

export async function fetchEvent(db: Queryable, id: string): Promise<StoredEvent | null> {
  const { rows } = await db.query(
    `SELECT ${summaryColumns.replace(/\b(id|storage_time|event)\b(?!_)/g, 'e.$1')}, e.event
       FROM event_ids i JOIN events e ON e.id = i.id AND e.storage_time = i.storage_time
      WHERE i.id = $1`,
    [id],
  );
  const row = rows[0];
  return row ? { ...toSummary(row), event: row.event } : null;
}

/** Names of the catalog's abuse groups (to refuse a misspelt --group). */
export async function knownGroups(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>('SELECT name FROM groups ORDER BY name');
  return rows.map((row) => row.name);
}

export interface UnreportedSince {
  since: string;
  stored: number;
  noGroup: number;
  noClass: number;
  baseOnly: number;
  unknownCategory: number;
}

/**
 * Events stored since `since` that nothing may report, by reason (the same counts ingest prints).
 * One pass over the partitions of the window (a day for `herald status`).
 */
export async function unreportedSince(db: Queryable, since: Date | string): Promise<UnreportedSince> {
  const { rows } = await db.query(
    `SELECT count(*)::bigint AS stored,
            count(*) FILTER (WHERE ${NO_GROUP})::bigint AS no_group,
            count(*) FILTER (WHERE ${NO_CLASS})::bigint AS no_class,
            count(*) FILTER (WHERE ${BASE_ONLY})::bigint AS base_only,
            count(*) FILTER (WHERE NOT (categories <@ $2::text[]))::bigint AS unknown_category
       FROM events WHERE storage_time >= $1::timestamptz`,
    [since, ideaCategories],
  );
  const row = rows[0];
  return {
    since: new Date(since).toISOString(),
    stored: Number(row.stored),
    noGroup: Number(row.no_group),
    noClass: Number(row.no_class),
    baseOnly: Number(row.base_only),
    unknownCategory: Number(row.unknown_category),
  };
}
