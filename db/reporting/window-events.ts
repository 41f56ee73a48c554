// The events of one window, read in batches through a cursor, after making sure every event
// stamped inside the window is visible (docs/mentat.md, "Late writers").
import type pg from 'pg';
import type { DocumentKeys } from '../../domain/reporting/document-keys';
import type { Pass } from '../../domain/reporting/threshold-key';
import type { Queryable } from '../queryable';

/**
 * Storage times travel as PostgreSQL's own text (microseconds), never as JS Dates (milliseconds):
 * they are half of the events' primary key.
 */
export type StorageTimeText = string;

export interface WindowEventRow {
  id: string;
  storage_time: StorageTimeText;
  ips: string[];
  /** The other side's IPs (targets in the source pass, sources in the target pass). */
  other_ips: string[];
  /** The pass's abuse groups (resolved, or the targets'). */
  abuses: string[];
  class: string | null;
  subclasses: string[];
  categories: string[];
  node_names: string[];
  event_class: string | null;
  target_class: string | null;
  event_severity: string | null;
  target_severity: string | null;
  /** Epoch milliseconds of EventTime, else DetectTime: where the event's activity began. */
  first_ms: number;
  /** Epoch milliseconds of CeaseTime, else EventTime, else DetectTime: where it ended. */
  last_ms: number;
  /** The document, whole or only the keys asked for (WindowQuery.document). */
  event: Record<string, unknown> | null;
  /** IDEA ConnCount as stored (null when absent). */
  conn_count: unknown;
  /** Every Port of every target, as stored. */
  target_ports: unknown[];
  /** Every Proto of every source, as stored. */
  source_protocols: unknown[];
  /** SW of the last node, as stored (null when absent). */
  node_software: unknown;
}

/**
 * Late writers (docs/mentat.md): `storage_time` is stamped when a row is inserted, not when its transaction commits, so an
 * event stamped before `to` may become visible only later. Waits until the database clock has
 * passed `to` and every transaction that was running at that moment has finished; after that, no
 * row stamped (clock_timestamp) before `to` can still appear. The writers waited for are this
 * database's (or, for a role that cannot see other sessions, the whole server's), so a long
 * idle-in-transaction session delays fetches up to `deadline`, after which the fetch proceeds
 * with what is committed (and says so). Returns false when `deadline` passed.
 */
export async function waitUntilWindowClosed(
  pool: pg.Pool,
  to: Date,
  options: { deadline: number; heartbeat: () => void; sleep?: (ms: number) => Promise<void> },
): Promise<boolean> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  for (;;) {
    const { rows } = await pool.query<{ ahead_ms: number }>(
      'SELECT GREATEST(0, EXTRACT(EPOCH FROM ($1::timestamptz - clock_timestamp())) * 1000)::float8 AS ahead_ms',
      [to],
    );
    const ahead = rows[0]?.ahead_ms ?? 0;
    if (ahead <= 0) break;
    if (Date.now() + ahead > options.deadline) return false;
    options.heartbeat();
    await sleep(Math.min(ahead + 5, 5000));
  }
  return (await canSeeAllSessions(pool))
    ? waitForWritersOfThisDatabase(pool, options)
    : waitForWritersOfTheCluster(pool, options);
}

/** Superusers and pg_read_all_stats members see every session's backend_xid in pg_stat_activity. */
async function canSeeAllSessions(pool: pg.Pool): Promise<boolean> {
  const { rows } = await pool.query<{ all: boolean }>(
    `SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
            OR pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER') AS all`,
  );
  return rows[0]?.all === true;
}

/**
 * Events are written to this database only, so the writers that matter are the sessions of this
 * database holding an xid now: wait until each of them has finished that transaction. Sessions
 * of other databases on the same server (another application, another test) never delay a fetch.
 */
async function waitForWritersOfThisDatabase(
  pool: pg.Pool,
  options: { deadline: number; heartbeat: () => void; sleep?: (ms: number) => Promise<void> },
): Promise<boolean> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const writers = `SELECT pid::text || ':' || backend_xid::text AS writer FROM pg_stat_activity
                    WHERE datname = current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()`;
  const { rows } = await pool.query<{ writer: string }>(writers);
  let waitingFor = new Set(rows.map((r) => r.writer));
  while (waitingFor.size > 0) {
    if (Date.now() > options.deadline) return false;
    options.heartbeat();
    await sleep(250);
    const now = await pool.query<{ writer: string }>(writers);
    const still = new Set(now.rows.map((r) => r.writer));
    waitingFor = new Set([...waitingFor].filter((writer) => still.has(writer)));
  }
  return true;
}

/**
 * Without the right to see other sessions' xids: every writer already running has an xid below
 * a fresh one; once the oldest running xid is past it, all of them have finished. (A snapshot's
 * xip list is not enough: xids at or above its xmax are running but not listed.) This counts
 * the transactions of the whole server.
 */
async function waitForWritersOfTheCluster(
  pool: pg.Pool,
  options: { deadline: number; heartbeat: () => void; sleep?: (ms: number) => Promise<void> },
): Promise<boolean> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const { rows } = await pool.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
  const fence = rows[0]!.xid;
  for (;;) {
    const clear = await pool.query<{ clear: boolean }>(
      'SELECT pg_snapshot_xmin(pg_current_snapshot()) > $1::xid8 AS clear',
      [fence],
    );
    if (clear.rows[0]?.clear) break;
    if (Date.now() > options.deadline) return false;
    options.heartbeat();
    await sleep(250);
  }
  return true;
}

// Times as float8 epoch milliseconds: parsing three timestamps per row into Dates would cost a
// tenth of the worker's time in a 1M-event cycle.
const EVENT_SPAN = `(extract(epoch FROM coalesce(e.event_time, e.detect_time)) * 1000)::float8 AS first_ms,
  (extract(epoch FROM coalesce(e.cease_time, e.event_time, e.detect_time)) * 1000)::float8 AS last_ms`;

/** The pass's IPs and abuse groups, and the other side's IPs (for the report statistics). */
const PASS_SIDES = (target: boolean) =>
  target
    ? 'e.target_ips AS ips, e.source_ips AS other_ips, e.target_abuses AS abuses'
    : 'e.source_ips AS ips, e.target_ips AS other_ips, e.resolved_abuses AS abuses';

export interface WindowQuery {
  group: string;
  severity: string;
  pass: Pass;
  from: Date;
  to: Date;
  testData: boolean;
  /** Of the event document: all of it, or these top-level keys (the report facts come apart). */
  document: DocumentKeys;
  batchSize: number;
}

/**
 * What the report tables and statistics read of the document, as leaves: ConnCount, the targets'
 * ports and the sources' protocols (IDEA's lax paths, as domain/reporting/event-aggregates.ts
 * reads them), the last node's SW. Far cheaper for PostgreSQL than the document as text.
 */
const REPORT_FACTS = `e.event->'ConnCount' AS conn_count,
  jsonb_path_query_array(e.event, '$.Target[*].Port[*]') AS target_ports,
  jsonb_path_query_array(e.event, '$.Source[*].Proto[*]') AS source_protocols,
  e.event->'Node'->-1->'SW' AS node_software`;

const keyAlias = (key: string) => `document.${key}`;

/**
 * The document's columns: whole, or one text column per key (SQL NULL when the key is absent,
 * the text `null` when its value is). Building a smaller jsonb in SQL cost PostgreSQL more than
 * writing out the whole document; extracting keys costs less.
 */
export function documentColumns(keys: DocumentKeys): string {
  if (keys === 'whole') return 'e.event';
  const columns = keys.map((key) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`not a document key: ${key}`);
    return `(e.event->'${key}')::text AS "${keyAlias(key)}"`;
  });
  return ['NULL::jsonb AS event', ...columns].join(', ');
}

/** The row's `event`: the keys' values as stored, an absent key absent (whole: as fetched). */
function assembleDocument(rows: WindowEventRow[], keys: DocumentKeys): void {
  if (keys === 'whole') return;
  for (const row of rows) {
    const document: Record<string, unknown> = {};
    const columns = row as unknown as Record<string, string | null>;
    for (const key of keys) {
      const text = columns[keyAlias(key)];
      if (text !== null && text !== undefined) document[key] = JSON.parse(text);
    }
    row.event = document;
  }
}

/**
 * The key of events_report_scopes_idx (migration 0600) for one pass, severity and group: the
 * events whose source (target) severity is `severity` and whose source (target) IPs belong to
 * `group`. Neither pass nor severity holds a ':', so the key names exactly one scope.
 */
export function reportScope(pass: Pass, severity: string, group: string): string {
  return `${pass}:${severity}:${group}`;
}

/** The indexed expression of events_report_scopes_idx, as queries must spell it to use the index. */
export const REPORT_SCOPES_OF = (alias: string) =>
  `herald_report_scopes(${alias}.event_severity, ${alias}.resolved_abuses, ${alias}.target_severity, ${alias}.target_abuses)`;

/** The window query: the events of a scope's window in (storage_time, id) order. */
export function windowEventsQuery(q: WindowQuery): { text: string; values: unknown[] } {
  const target = q.pass === 'target';
  // The scope key stands for "severity = X AND the group is among the pass's abuse groups"; the
  // columns are qualified so ORDER BY sorts by the timestamp, not by the selected text alias.
  const text = `
    SELECT e.id, e.storage_time::text AS storage_time, ${PASS_SIDES(target)},
           ${target ? 'e.target_class' : 'e.event_class'} AS class,
           ${target ? 'e.target_subclasses' : 'e.event_subclasses'} AS subclasses,
           e.categories, e.node_names, e.event_class, e.target_class, e.event_severity, e.target_severity,
           ${EVENT_SPAN}, ${REPORT_FACTS}, ${documentColumns(q.document)}
      FROM events e
     WHERE e.storage_time >= $1 AND e.storage_time < $2
       AND ${REPORT_SCOPES_OF('e')} && ARRAY[$3::text]
       AND NOT ${target ? 'e.shadow_reporting_target' : 'e.shadow_reporting'}
       AND e.is_test = $4
     ORDER BY e.storage_time, e.id`;
  return { text, values: [q.from, q.to, reportScope(q.pass, q.severity, q.group), q.testData] };
}

/**
 * Iterates the window's events for a group and severity, ordered by (storage_time, id), through
 * one cursor in a transaction of its own on `client` (committed at the end; the caller may write
 * on the same connection between batches). Pages by keyset (`LIMIT` after the last row) read every
 * row of the scope again for each page when the window's rows share a storage time — quadratic
 * in a window of a million events; the cursor reads the window once. It is planned for the whole
 * result (cursor_tuple_fraction 1), as the scope index serves it best.
 */
export async function* windowEventBatches(
  client: pg.PoolClient,
  q: WindowQuery,
): AsyncGenerator<WindowEventRow[]> {
  const { text, values } = windowEventsQuery(q);
  await client.query('BEGIN');
  let committed = false;
  try {
    await client.query('SET LOCAL cursor_tuple_fraction = 1');
    await client.query(`DECLARE herald_window NO SCROLL CURSOR FOR ${text}`, values);
    for (;;) {
      const { rows } = await client.query<WindowEventRow>(`FETCH ${q.batchSize} FROM herald_window`);
      assembleDocument(rows, q.document);
      if (rows.length > 0) yield rows;
      if (rows.length < q.batchSize) break;
    }
    await client.query('COMMIT');
    committed = true;
  } finally {
    if (!committed) await client.query('ROLLBACK').catch(() => {});
  }
}

export interface StoredEventRef {
  eventId: string;
  storageTime: StorageTimeText;
}

/** Events by (id, storage_time), for relapses. */
export async function eventsByRef(
  db: Queryable,
  refs: readonly StoredEventRef[],
  pass: Pass,
): Promise<WindowEventRow[]> {
  if (refs.length === 0) return [];
  const target = pass === 'target';
  const { rows } = await db.query<WindowEventRow>(
    `SELECT e.id, e.storage_time::text AS storage_time, ${PASS_SIDES(target)},
            ${target ? 'e.target_class' : 'e.event_class'} AS class,
            ${target ? 'e.target_subclasses' : 'e.event_subclasses'} AS subclasses,
            e.categories, e.node_names, e.event_class, e.target_class, e.event_severity, e.target_severity,
            ${EVENT_SPAN}, ${REPORT_FACTS}, e.event
       FROM unnest($1::text[], $2::timestamptz[]) AS r(id, storage_time)
       JOIN events e ON e.id = r.id AND e.storage_time = r.storage_time`,
    [refs.map((r) => r.eventId), refs.map((r) => r.storageTime)],
  );
  return rows;
}
