// The load test's input: the benchmark catalog (default event classes, demo detectors and global
// filter, N generated groups, each owning one /24 and mailed a summary for every severity) and
// a million IDEA events of the benchmark generator, all stamped with one storage time.
// The real ingest runs at ≈4,000 events/s here (bench/ingest.md), so only a base set goes through
// it (classification, group resolution); the rest are copies of those stored rows made inside
// PostgreSQL (like the benchmark's row-copy baseline), each copy with its own ID and its source
// moved to another host of another group (resolved abuses to match), so the million events
// carry ≈50,000 source IPs and every group every severity, as the generator's own million would.
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { groupName, importBenchCatalog } from '../../../bench/lib/catalog';
import { writeEventsFile } from '../../../bench/lib/events-file';
import { ingestEvents } from '../../../db/events/ingest';
import { ndjsonRecords } from '../../../db/events/read-records';
import type { Severity } from '../../../domain/reporting/severities';

/**
 * The load tests' size: HERALD_LOAD_EVENTS (a multiple of `baseEvents`; CI runs them at 200,000),
 * else `fallback`.
 */
export function eventsFromEnvironment(
  value: string | undefined,
  fallback: number,
  baseEvents: number,
): number {
  if (value === undefined || value === '') return fallback;
  const events = Number(value);
  if (!Number.isSafeInteger(events) || events < baseEvents || events % baseEvents !== 0)
    throw new Error(
      `HERALD_LOAD_EVENTS: expected a multiple of ${baseEvents} (at least that), got "${value}"`,
    );
  return events;
}

export interface LoadInput {
  groups: number;
  events: number;
  /** Events generated and ingested for real; `events / baseEvents` copies of each are stored. */
  baseEvents: number;
  seed: number;
  /** The group interval (seconds) every group's schedule ticks at. */
  intervalSeconds: number;
  /** The storage time of every event. */
  storageTime: Date;
  /**
   * Every non-test event's source severity, when given (one severity window holds them all: a
   * scanning campaign against one constituency); else each event's class decides it.
   */
  severity?: Severity;
}

export interface LoadedDataset {
  events: number;
  distinctSourceIps: number;
  ingestSeconds: number;
  copySeconds: number;
}

/** Catalog, base events through the real ingest, then the copies; returns what was stored. */
export async function loadDataset(pool: pg.Pool, input: LoadInput): Promise<LoadedDataset> {
  if (input.events % input.baseEvents !== 0) throw new Error('events must be a multiple of baseEvents');
  await importBenchCatalog(pool, input.groups);
  // Every group ticks at the same interval (a catalog setting: `reporting.interval`).
  await pool.query('UPDATE group_settings SET interval_seconds = $1', [input.intervalSeconds]);

  const dir = mkdtempSync(path.join(tmpdir(), 'herald-load-'));
  const file = path.join(dir, 'events.ndjson');
  let ingestSeconds: number;
  try {
    const began = performance.now();
    await writeEventsFile(file, {
      count: input.baseEvents,
      groups: input.groups,
      seed: input.seed,
      now: input.storageTime,
    });
    const summary = await ingestEvents(pool, ndjsonRecords(createReadStream(file)), {
      storageTime: input.storageTime,
    });
    if (summary.accepted !== input.baseEvents)
      throw new Error(`ingest stored ${summary.accepted} of ${input.baseEvents}: ${JSON.stringify(summary)}`);
    ingestSeconds = (performance.now() - began) / 1000;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  if (input.severity)
    await pool.query('UPDATE events SET event_severity = $1 WHERE NOT is_test', [input.severity]);
  const began = performance.now();
  await copyEvents(pool, input.events / input.baseEvents - 1, input.groups);
  const copySeconds = (performance.now() - began) / 1000;
  // The copies are one transaction's: without a vacuum, the first reads of their pages (inside the
  // measured cycle) would set every row's hint bits and write every page again, which a store
  // filled by ingest over days (and autovacuum) never pays at once.
  await pool.query('VACUUM (ANALYZE) events');
  await checkOwners(pool);
  const { rows } = await pool.query<{ events: number; ips: number }>(
    'SELECT count(*)::int AS events, count(DISTINCT source_ips[1])::int AS ips FROM events',
  );
  return { events: rows[0]!.events, distinctSourceIps: rows[0]!.ips, ingestSeconds, copySeconds };
}

// Copy k of an event: ID `<id>.<k>`, its source moved from host h of group g's /24 to host
// 1 + (h − 1 + 53k) mod 254 of group (g + 37k) mod G (bench/lib/catalog.ts: group i owns
// 10.<i/256>.<i%256>.0/24), so each group's events of a severity come from 20 groups' base
// events; resolved abuses and the stored JSON are changed to match. The generator's events have
// exactly one IPv4 source (bench/lib/events-file.ts), which the copy relies on.
const MOVED = `SELECT g2, ('10.0.0.0'::inet + (g2 * 256 + h2)) AS ip FROM (
    SELECT (((e.source_ips[1] - '10.0.0.0'::inet) >> 8) + k * 37) % $2 AS g2,
           1 + (((e.source_ips[1] - '10.0.0.0'::inet) & 255) - 1 + k * 53) % 254 AS h2) AS moved`;

async function copyEvents(pool: pg.Pool, copies: number, groups: number): Promise<void> {
  const { rows } = await pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM events WHERE cardinality(source_ips) <> 1 OR source_ip6_net IS NOT NULL',
  );
  if (rows[0]!.n > 0) throw new Error(`${rows[0]!.n} base events do not have exactly one IPv4 source`);
  // Every column of events, so a column added later is copied as it is.
  const { rows: columns } = await pool.query<{ name: string }>(
    `SELECT attname AS name FROM pg_attribute
      WHERE attrelid = 'events'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
  );
  const changed: Record<string, string> = {
    id: `e.id || '.' || k`,
    source_ips: 'ARRAY[m.ip]',
    source_ip4_net: 'm.ip',
    resolved_abuses: 'ARRAY[($3::text[])[m.g2 + 1]]',
    event: `jsonb_set(jsonb_set(jsonb_set(e.event, '{ID}', to_jsonb(e.id || '.' || k)),
                                '{Source,0,IP4}', jsonb_build_array(host(m.ip))),
                      '{_Mentat,ResolvedAbuses}', jsonb_build_array(($3::text[])[m.g2 + 1]))`,
  };
  const names = columns.map((c) => c.name);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO event_ids (id, storage_time)
       SELECT e.id || '.' || k, e.storage_time FROM events e CROSS JOIN generate_series(1, $1) AS k`,
      [copies],
    );
    await client.query(
      `INSERT INTO events (${names.join(', ')})
       SELECT ${names.map((n) => changed[n] ?? `e.${n}`).join(', ')}
         FROM events e CROSS JOIN generate_series(1, $1) AS k
         CROSS JOIN LATERAL (${MOVED}) AS m`,
      [copies, groups, Array.from({ length: groups }, (_, i) => groupName(i))],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** A 1 % sample of the events: each one's resolved abuses are the owners of its source network. */
async function checkOwners(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ sampled: number; wrong: number }>(
    `SELECT count(*)::int AS sampled,
            count(*) FILTER (WHERE e.resolved_abuses IS DISTINCT FROM ARRAY(
              SELECT g.name FROM networks n JOIN groups g ON g.id = n.group_id
               WHERE e.source_ips[1] <<= n.network ORDER BY g.name))::int AS wrong
       FROM events AS e TABLESAMPLE SYSTEM (1)`,
  );
  if (rows[0]!.wrong > 0 || rows[0]!.sampled === 0)
    throw new Error(`copied events resolve to the wrong groups: ${JSON.stringify(rows[0])}`);
}
