// A large ingest leaves its partition with planner statistics (db/events/analyze-after-ingest.ts):
// without them the window query of a reporting cycle started right after it walks the whole day
// through the storage-time index for every severity run. Small ingests leave it to autovacuum.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { windowEventsQuery } from '../../../db/reporting/window-events';
import { generateEvents } from '../../../scripts/demo/generate-events';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { idea, importDemoCatalogs, ingestValues, planNodes } from './helpers';

let db: TestDatabase;
const storageTime = new Date('2024-05-02T10:00:00Z');
const partition = 'events_20240502';
const day = [...generateEvents({ count: 12_000, seed: 7, now: new Date('2024-05-02T09:30:00Z') })];

beforeEach(async () => {
  db = await freshDatabase();
  await importDemoCatalogs(db.pool);
});
afterEach(async () => {
  await db?.drop();
});

/** The partition's row count as the planner knows it, and when ANALYZE (not autovacuum) last ran. */
async function statistics() {
  const { rows } = await db.pool.query<{ tuples: number; analyzedAt: Date | null }>(
    `SELECT c.reltuples::float8 AS tuples, s.last_analyze AS "analyzedAt"
       FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.relname = $1`,
    [partition],
  );
  return rows[0]!;
}

/** The indexes PostgreSQL picks for a severity run's window over the whole day. */
async function windowIndexes(): Promise<string[]> {
  const fetch = windowEventsQuery({
    group: 'university',
    severity: 'low',
    pass: 'source',
    from: new Date('2024-05-02T00:00:00Z'),
    to: new Date('2024-05-03T00:00:00Z'),
    testData: false,
    document: [],
    batchSize: 1000,
  });
  const nodes = await planNodes(db.pool, fetch.text, fetch.values);
  return nodes.flatMap((n) => (n['Index Name'] ? [n['Index Name']] : []));
}

describe('statistics after an ingest', () => {
  it('analyzes the partition a large ingest filled, so a window is read through its scope alone', async () => {
    const summary = await ingestValues(db.pool, day, { storageTime });
    expect(summary.accepted).toBe(day.length);
    expect(await statistics()).toEqual({ tuples: day.length, analyzedAt: expect.any(Date) });
    const indexes = await windowIndexes();
    expect(indexes.some((name) => name.includes('herald_report_scopes'))).toBe(true);
    expect(indexes.filter((name) => name.includes('storage_time'))).toEqual([]);
  });

  it('without the statistics the same window also walks the day by storage time', async () => {
    await ingestValues(db.pool, day, { storageTime, analyzeAfterRows: Number.POSITIVE_INFINITY });
    expect((await statistics()).analyzedAt).toBeNull();
    expect((await windowIndexes()).filter((name) => name.includes('storage_time'))).not.toEqual([]);
  });

  it('leaves small ingests, and a tenth or less of new rows, to autovacuum', async () => {
    await ingestValues(db.pool, day.slice(0, 500), { storageTime });
    expect((await statistics()).analyzedAt).toBeNull();

    await ingestValues(db.pool, day.slice(500, 2_000), { storageTime, analyzeAfterRows: 1_000 });
    const analyzed = await statistics();
    expect(analyzed).toEqual({ tuples: 2_000, analyzedAt: expect.any(Date) });

    // 150 new rows on 2,000 counted: not stale yet, whatever the floor.
    const more = Array.from({ length: 150 }, () => idea({ Source: [{ IP4: ['192.0.2.10'] }] }));
    await ingestValues(db.pool, more, { storageTime, analyzeAfterRows: 100 });
    expect(await statistics()).toEqual(analyzed);
  });
});
