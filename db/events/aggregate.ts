// Distinct values and counts per value of one search field (Mentat's distinct_values and the
// web UI's statistics): `events values` and `events stats`. Both take the same search as
// `events search`, so "which detectors sent Recon.Scanning yesterday" is one command.
import type { Queryable } from '../queryable';
import { type SearchField, searchFields } from './query-fields';
import { buildEventWhere, type EventQuery, EventQueryError } from './search';

const MAX_BUCKETS = 10_000;

/** Field names as the CLI spells them (the search options' names). */
export const aggregateFieldNames = searchFields.map((field) => field.option);

export function aggregateField(name: string): SearchField | undefined {
  return searchFields.find((field) => field.option === name);
}

/** One row per value an event has for the field (each value once per event). */
function valuesOf(field: SearchField): string {
  const [column, other] = field.columns;
  if (field.kind === 'scalar') return `SELECT ${column} WHERE ${column} IS NOT NULL`;
  if (other) return `SELECT DISTINCT unnest(${column} || ${other})`;
  return `SELECT DISTINCT unnest(${column})`;
}

const fromEvents = (field: SearchField, where: string) =>
  `FROM events CROSS JOIN LATERAL (${valuesOf(field)}) AS x(value) ${where}`;

export async function distinctValues(
  db: Queryable,
  field: SearchField,
  query: EventQuery,
): Promise<(string | number)[]> {
  const { where, values } = buildEventWhere(query);
  const { rows } = await db.query(`SELECT DISTINCT value ${fromEvents(field, where)} ORDER BY value`, values);
  return rows.map((row) => row.value);
}

export interface ValueCount {
  value: string | number;
  count: number;
}

export interface TimelineBucket {
  from: string;
  /** Events in the bucket (with or without a value of the field). */
  total: number;
  /** Events per top value in the bucket (zero when none). */
  counts: Record<string, number>;
}

export interface FieldStats {
  /** Matching events (with or without a value of the field). */
  events: number;
  /** Matching events without any value of the field. */
  withoutValue: number;
  /** Events per value, most first, at most `top` values. */
  top: ValueCount[];
  /** How many distinct values there are in all. */
  distinct: number;
  timeline?: TimelineBucket[];
}

export interface StatsOptions {
  top: number;
  /** Timeline bucket width in seconds (buckets aligned to the Unix epoch, on storage time). */
  intervalSeconds?: number;
}

export async function fieldStats(
  db: Queryable,
  field: SearchField,
  query: EventQuery,
  options: StatsOptions,
): Promise<FieldStats> {
  const { where, values } = buildEventWhere({ ...query, limit: undefined, page: undefined });
  const hasValue =
    field.kind === 'scalar'
      ? `${field.columns[0]} IS NOT NULL`
      : field.columns.map((c) => `${c} <> '{}'`).join(' OR ');
  const totals = await db.query(
    `SELECT count(*)::bigint AS events, count(*) FILTER (WHERE NOT (${hasValue}))::bigint AS without_value
       FROM events ${where}`,
    values,
  );
  const { rows } = await db.query(
    `SELECT value, count(*)::bigint AS n, count(*) OVER ()::bigint AS distinct_values
       ${fromEvents(field, where)} GROUP BY value ORDER BY n DESC, value LIMIT ${options.top}`,
    values,
  );
  const top = rows.map((row) => ({ value: row.value, count: Number(row.n) }));
  const stats: FieldStats = {
    events: Number(totals.rows[0].events),
    withoutValue: Number(totals.rows[0].without_value),
    top,
    distinct: rows.length ? Number(rows[0].distinct_values) : 0,
  };
  if (options.intervalSeconds !== undefined)
    stats.timeline = await timeline(db, field, query, options.intervalSeconds, top);
  return stats;
}

async function timeline(
  db: Queryable,
  field: SearchField,
  query: EventQuery,
  seconds: number,
  top: ValueCount[],
): Promise<TimelineBucket[]> {
  const { where, values } = buildEventWhere({ ...query, limit: undefined, page: undefined });
  const bucket = `date_bin(make_interval(secs => ${seconds}), storage_time, timestamptz 'epoch')`;
  const totals = await db.query(
    `SELECT ${bucket} AS bucket, count(*)::bigint AS n FROM events ${where} GROUP BY 1 ORDER BY 1`,
    values,
  );
  if (totals.rows.length === 0) return [];
  values.push(top.map((t) => String(t.value)));
  const perValue = await db.query(
    `SELECT ${bucket} AS bucket, value, count(*)::bigint AS n
       ${fromEvents(field, where)} ${where ? 'AND' : 'WHERE'} value::text = ANY($${values.length}::text[])
      GROUP BY 1, 2`,
    values,
  );
  const counted = new Map<string, number>();
  for (const row of perValue.rows)
    counted.set(`${(row.bucket as Date).toISOString()} ${row.value}`, Number(row.n));
  const totalAt = new Map(totals.rows.map((row) => [(row.bucket as Date).toISOString(), Number(row.n)]));
  // Every bucket from the first to the last, empty ones included, so the timeline has no holes.
  const out: TimelineBucket[] = [];
  const first = (totals.rows[0].bucket as Date).getTime();
  const last = (totals.rows.at(-1)!.bucket as Date).getTime();
  if ((last - first) / (seconds * 1000) > MAX_BUCKETS)
    throw new EventQueryError(
      `the timeline would have more than ${MAX_BUCKETS} buckets: use a longer interval or a shorter time range`,
    );
  for (let at = first; at <= last; at += seconds * 1000) {
    const from = new Date(at).toISOString();
    const counts: Record<string, number> = {};
    for (const t of top) counts[String(t.value)] = counted.get(`${from} ${t.value}`) ?? 0;
    out.push({ from, total: totalAt.get(from) ?? 0, counts });
  }
  return out;
}
