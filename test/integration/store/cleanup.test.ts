import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listEventPartitions } from '../../../db/events/partitions';
import { isolatedEnv, runCli } from '../../support/cli';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { idea, ingestValues } from './helpers';

let db: TestDatabase;
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

beforeAll(async () => {
  db = await freshDatabase();
  for (const days of [45, 40, 31, 2, 0])
    await ingestValues(db.pool, [idea({ ID: `age-${days}` })], { storageTime: daysAgo(days) });
});
afterAll(async () => {
  await db?.drop();
});

describe('db cleanup --keep', () => {
  it('drops whole partitions older than the retention and forgets their IDs', async () => {
    const env = isolatedEnv({
      HERALD_DATABASE_URL: db.url,
      HERALD_HOME: mkdtempSync(path.join(tmpdir(), 'herald-cleanup-')),
    });
    const bad = await runCli(['db', 'cleanup', '--keep', 'forever'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(
      'herald: --keep: "forever" is not a duration (expected e.g. 30d, 12h, 2w)',
    );

    const result = await runCli(['db', 'cleanup', '--keep', '30d', '--json'], env);
    expect(result.stderr).toBe('');
    const summary = JSON.parse(result.stdout);
    const day = (days: number) => `events_${daysAgo(days).toISOString().slice(0, 10).replaceAll('-', '')}`;
    expect(summary.droppedPartitions).toEqual(expect.arrayContaining([day(45), day(40), day(31)]));
    expect(summary.deletedIds).toBe(3);
    const remaining = (await db.pool.query('SELECT id FROM events ORDER BY id')).rows.map((r) => r.id);
    expect(remaining).toEqual(['age-0', 'age-2']);
    const partitions = (await listEventPartitions(db.pool)).map((p) => p.name);
    expect(partitions).toContain(day(2));
    expect(partitions).not.toContain(day(40));
    // The forgotten IDs can be stored again (they are new to the store now).
    expect(await ingestValues(db.pool, [idea({ ID: 'age-40' })])).toMatchObject({ accepted: 1 });
  });
});
