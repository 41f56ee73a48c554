// Typed search/count over the event store (Mentat's search_events), used by the
// CLI and the reporter. All predicates are AND-ed; list parameters are OR-ed within themselves.
// Time windows are half-open [from, to) on storage_time.
import { parseNetwork } from '../../domain/idea/network';
import type { Severity } from '../../domain/idea/schema';
import { ideaCategories } from '../../domain/idea/taxonomy';
import type { Queryable } from '../queryable';

export interface EventQuery {
  /** resolved_abuses overlaps these groups. */
  groups?: string[];
  /** target_abuses overlaps these groups. */
  targetGroups?: string[];
  severities?: Severity[];
  targetSeverities?: Severity[];
  /** storage_time >= from */
  from?: Date | string;
  /** storage_time < to */
  to?: Date | string;
  detectFrom?: Date | string;
  detectTo?: Date | string;
  /** Address or CIDR (v4 or v6) matching any source or target address. */
  ips?: string[];
  sourceIps?: string[];
  targetIps?: string[];
  categories?: string[];
  /** Negate `categories` (e.g. exclude Test). */
  notCategories?: boolean;
  classes?: string[];
  targetClasses?: string[];
  /** Node names. */
  detectors?: string[];
  shadow?: boolean;
  shadowTarget?: boolean;
  /** No abuse group for any source or target address. */
  noGroup?: boolean;
  /** Neither an event class nor a target class. */
  noClass?: boolean;
  /** Some address is covered only by base networks. */
  baseOnly?: boolean;
  /** Some category is outside the IDEA taxonomy. */
  unknownCategory?: boolean;
  /** Keyset paging: rows strictly after this (storage_time, id), ascending order only. */
  after?: { storageTime: Date | string; id: string };
  limit?: number;
  /** 1-based page of `limit` rows (OFFSET paging, for operators). */
  page?: number;
  order?: 'asc' | 'desc';
}

export class EventQueryError extends Error {
  override name = 'EventQueryError';
}

interface Built {
  where: string;
  values: unknown[];
}

const NO_GROUP = `(resolved_abuses = '{}' AND target_abuses = '{}')`;
const NO_CLASS = '(event_class IS NULL AND target_class IS NULL)';
const BASE_ONLY = `base_abuses <> '{}'`;

export function buildEventWhere(query: EventQuery): Built {
  const values: unknown[] = [];
  const clauses: string[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const ipClause = (side: 'source' | 'target', list: string[]) =>
    list.map((text) => {
      const net = parseNetwork(text);
      if (!net) throw new EventQueryError(`${JSON.stringify(text)} is not an IP address or network`);
      const p = param(text);
      // GiST-indexed envelope first, then the exact per-address test.
      return `(${side}_ip${net.family}_net && ${p}::inet AND ${p}::inet && ANY(${side}_ips))`;
    });

  if (query.from !== undefined) clauses.push(`storage_time >= ${param(query.from)}::timestamptz`);
  if (query.to !== undefined) clauses.push(`storage_time < ${param(query.to)}::timestamptz`);
  if (query.detectFrom !== undefined) clauses.push(`detect_time >= ${param(query.detectFrom)}::timestamptz`);
  if (query.detectTo !== undefined) clauses.push(`detect_time < ${param(query.detectTo)}::timestamptz`);
  if (query.groups?.length) clauses.push(`resolved_abuses && ${param(query.groups)}::text[]`);
  if (query.targetGroups?.length) clauses.push(`target_abuses && ${param(query.targetGroups)}::text[]`);
  if (query.severities?.length) {
    const sevs = query.severities;
    // `= ANY` on one value would not match the partial (event_severity, storage_time) index.
    clauses.push(
      sevs.length === 1
        ? `event_severity = ${param(sevs[0])}`
        : `event_severity = ANY(${param(sevs)}::text[])`,
    );
  }
  if (query.targetSeverities?.length) {
    const sevs = query.targetSeverities;
    clauses.push(
      sevs.length === 1
        ? `target_severity = ${param(sevs[0])}`
        : `target_severity = ANY(${param(sevs)}::text[])`,
    );
  }
  if (query.categories?.length) {
    const c = `categories && ${param(query.categories)}::text[]`;
    clauses.push(query.notCategories ? `NOT (${c})` : c);
  }
  if (query.classes?.length) clauses.push(`event_class = ANY(${param(query.classes)}::text[])`);
  if (query.targetClasses?.length) clauses.push(`target_class = ANY(${param(query.targetClasses)}::text[])`);
  if (query.detectors?.length) clauses.push(`node_names && ${param(query.detectors)}::text[]`);
  if (query.shadow !== undefined) clauses.push(`shadow_reporting = ${param(query.shadow)}`);
  if (query.shadowTarget !== undefined)
    clauses.push(`shadow_reporting_target = ${param(query.shadowTarget)}`);
  if (query.noGroup) clauses.push(NO_GROUP);
  if (query.noClass) clauses.push(NO_CLASS);
  if (query.baseOnly) clauses.push(BASE_ONLY);
  if (query.unknownCategory) clauses.push(`NOT (categories <@ ${param(ideaCategories)}::text[])`);
  const ipOr = [
    ...ipClause('source', [...(query.ips ?? []), ...(query.sourceIps ?? [])]),
    ...ipClause('target', [...(query.ips ?? []), ...(query.targetIps ?? [])]),
  ];
  if (ipOr.length) clauses.push(`(${ipOr.join(' OR ')})`);
  if (query.after)
    clauses.push(
      `(storage_time, id) > (${param(query.after.storageTime)}::timestamptz, ${param(query.after.id)})`,
    );
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', values };
}

export interface EventSummary {
  id: string;
  storageTime: Date;
  detectTime: Date;
  categories: string[];
  description: string | null;
  sourceIps: string[];
  targetIps: string[];
  detectors: string[];
  resolvedAbuses: string[];
  targetAbuses: string[];
  eventClass: string | null;
  eventSeverity: Severity | null;
  targetClass: string | null;
  targetSeverity: Severity | null;
}

export interface StoredEvent extends EventSummary {
  /** The full IDEA event as stored (with _Mentat filled in). */
  event: Record<string, unknown>;
}

const summaryColumns = `id, storage_time, detect_time, categories, description, source_ips::text[] AS source_ips,
  target_ips::text[] AS target_ips, node_names, resolved_abuses, target_abuses, event_class, event_severity,
  target_class, target_severity`;

/** inet text of a single host without its /32 or /128. */
const hostless = (inets: string[]) => inets.map((inet) => inet.replace(/\/(32|128)$/, ''));

const toSummary = (row: Record<string, unknown>): EventSummary => ({
  id: row.id as string,
  storageTime: row.storage_time as Date,
  detectTime: row.detect_time as Date,
  categories: row.categories as string[],
  description: row.description as string | null,
  sourceIps: hostless(row.source_ips as string[]),
  targetIps: hostless(row.target_ips as string[]),
  detectors: row.node_names as string[],
  resolvedAbuses: row.resolved_abuses as string[],
  targetAbuses: row.target_abuses as string[],
  eventClass: row.event_class as string | null,
  eventSeverity: row.event_severity as Severity | null,
  targetClass: row.target_class as string | null,
  targetSeverity: row.target_severity as Severity | null,
});

function paging(query: EventQuery, values: unknown[]): string {
  const order = query.after || query.order !== 'desc' ? 'ASC' : 'DESC';
  let sql = ` ORDER BY storage_time ${order}, id ${order}`;
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

/** The SQL of a search (for EXPLAIN in tests and `events search --explain`). */
export function searchEventsSql(query: EventQuery, withEvent = false): { text: string; values: unknown[] } {
  const { where, values } = buildEventWhere(query);
  const columns = withEvent ? `${summaryColumns}, event` : summaryColumns;
  return { text: `SELECT ${columns} FROM events ${where}${paging(query, values)}`, values };
}

export async function searchEvents(db: Queryable, query: EventQuery): Promise<EventSummary[]> {
  const { text, values } = searchEventsSql(query);
  const { rows } = await db.query(text, values);
  return rows.map(toSummary);
}

/** Like searchEvents, with the full IDEA event of each row. */
export async function searchFullEvents(db: Queryable, query: EventQuery): Promise<StoredEvent[]> {
  const { text, values } = searchEventsSql(query, true);
  const { rows } = await db.query(text, values);
  return rows.map((row) => ({ ...toSummary(row), event: row.event }));
}

export async function countEvents(db: Queryable, query: EventQuery): Promise<number> {
  const { where, values } = buildEventWhere({ ...query, limit: undefined, page: undefined });
  const { rows } = await db.query(`SELECT count(*)::bigint AS n FROM events ${where}`, values);
  return Number(rows[0].n);
}

export interface WindowQuery {
  group: string;
  severity: Severity;
  from: Date | string;
  to: Date | string;
  /** Target pass: target_abuses / target_severity / shadow_reporting_target. */
  target?: boolean;
  shadow?: boolean;
  /** Include events with the Test category (test-data mode). Default: exclude them. */
  includeTest?: boolean;
  /** Keyset paging for large windows. */
  after?: { storageTime: Date | string; id: string };
  limit?: number;
}

/** The reporter's fetch as an EventQuery. */
export function windowQuery(window: WindowQuery): EventQuery {
  return {
    from: window.from,
    to: window.to,
    ...(window.target
      ? {
          targetGroups: [window.group],
          targetSeverities: [window.severity],
          shadowTarget: window.shadow ?? false,
        }
      : { groups: [window.group], severities: [window.severity], shadow: window.shadow ?? false }),
    ...(window.includeTest ? {} : { categories: ['Test'], notCategories: true }),
    ...(window.after && { after: window.after }),
    ...(window.limit !== undefined && { limit: window.limit }),
  };
}

/** Events of one reporting window, oldest first, with the full IDEA JSON. */
export function windowEvents(db: Queryable, window: WindowQuery): Promise<StoredEvent[]> {
  return searchFullEvents(db, windowQuery(window));
}

export async function fetchEvent(db: Queryable, id: string): Promise<StoredEvent | null> {
  const { rows } = await db.query(
    `SELECT ${summaryColumns.replace(/\b(id|storage_time)\b/g, 'e.$1')}, e.event
       FROM event_ids i JOIN events e ON e.id = i.id AND e.storage_time = i.storage_time
      WHERE i.id = $1`,
    [id],
  );
  const row = rows[0];
  return row ? { ...toSummary(row), event: row.event } : null;
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
