// The event store's operator commands: delete by search (dry run, batches, re-ingest stores the
// events again), the watchdog's exit code, the thresholding cache and `db status`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteEvents } from '../../../db/events/delete';
import { countEvents } from '../../../db/events/search';
import { watchdogCheck } from '../../../db/events/watchdog';
import { clearThresholds, countThresholds, listThresholds } from '../../../db/reporting/threshold-listing';
import { isolatedEnv, runCli } from '../../support/cli';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { idea, importDemoCatalogs, ingestValues } from './helpers';

let db: TestDatabase;
const HOUR = 3_600_000;
const doomed = () => [
  idea({ ID: 'doomed-1', Node: [{ Name: 'cz.example.doomed' }], Source: [{ IP4: ['192.0.2.20'] }] }),
  idea({ ID: 'doomed-2', Node: [{ Name: 'cz.example.doomed' }], Source: [{ IP4: ['192.0.2.21'] }] }),
  idea({ ID: 'doomed-3', Node: [{ Name: 'cz.example.doomed' }], Source: [{ IP4: ['192.0.2.22'] }] }),
];
const env = () =>
  isolatedEnv({
    HERALD_DATABASE_URL: db.url,
    HERALD_HOME: mkdtempSync(path.join(tmpdir(), 'herald-admin-')),
  });

beforeAll(async () => {
  db = await freshDatabase();
  await importDemoCatalogs(db.pool);
  // Stored now (the database's clock), except the old detector's event, stored two hours ago.
  await ingestValues(db.pool, [idea({ ID: 'kept', Node: [{ Name: 'cz.example.kept' }] }), ...doomed()]);
  await ingestValues(db.pool, [idea({ ID: 'old', Node: [{ Name: 'cz.example.old' }] })], {
    storageTime: new Date(Date.now() - 2 * HOUR),
  });
  const t = Date.now();
  await db.pool.query(
    `INSERT INTO report_thresholds (group_name, severity, pass, key, threshold_time, relapse_time, ttl_time)
     VALUES ('university', 'low', 'source', 'recon-scanning+++192.0.2.7', $1, $2, $3),
            ('university', 'high', 'source', 'attempt-login/ssh+++192.0.2.8', $1, $2, $3),
            ('isp-example', 'low', 'target', 'recon-scanning+++198.51.100.9', $1, $2, $4)`,
    [new Date(t - 3 * HOUR), new Date(t - HOUR), new Date(t + HOUR), new Date(t - 60_000)],
  );
  await db.pool.query(
    `INSERT INTO report_thresholded_events (group_name, severity, pass, key, event_id, storage_time, create_time)
     VALUES ('university', 'low', 'source', 'recon-scanning+++192.0.2.7', 'x-1', now(), now()),
            ('university', 'low', 'source', 'recon-scanning+++192.0.2.7', 'x-2', now(), now()),
            ('university', 'high', 'source', 'attempt-login/ssh+++192.0.2.8', 'x-3', now(), now())`,
  );
});
afterAll(async () => {
  await db?.drop();
});

describe('events delete', () => {
  it('counts on a dry run, refuses without --yes off a terminal, then deletes; a re-ingest stores again', async () => {
    const args = ['events', 'delete', '--detector', 'cz.example.doomed'];
    const dry = await runCli([...args, '--dry-run', '--json'], env());
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toEqual({ dryRun: true, matching: 3, deleted: 0 });
    const unasked = await runCli(args, env());
    expect(unasked.code).toBe(2);
    expect(unasked.stderr.trim()).toBe(
      'herald: 3 events match; pass --yes to delete them (stdin is not a terminal)',
    );
    expect(await countEvents(db.pool, { detectors: ['cz.example.doomed'] })).toBe(3);

    const deleted = await runCli([...args, '--yes', '--batch-size', '2'], env());
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toBe('3 events deleted\n');
    expect(await countEvents(db.pool, { detectors: ['cz.example.doomed'] })).toBe(0);
    expect(await countEvents(db.pool, {})).toBe(2);
    const ids = await db.pool.query(`SELECT count(*)::int AS n FROM event_ids WHERE id LIKE 'doomed-%'`);
    expect(ids.rows[0].n).toBe(0);

    const again = await ingestValues(db.pool, doomed());
    expect(again).toMatchObject({ accepted: 3, duplicates: 0 });
    expect(await countEvents(db.pool, { detectors: ['cz.example.doomed'] })).toBe(3);
  });

  it('deletes in batches of the given size', async () => {
    await ingestValues(db.pool, [
      idea({ ID: 'batch-1', Node: [{ Name: 'cz.example.batch' }] }),
      idea({ ID: 'batch-2', Node: [{ Name: 'cz.example.batch' }] }),
      idea({ ID: 'batch-3', Node: [{ Name: 'cz.example.batch' }] }),
    ]);
    const progress: number[] = [];
    const deleted = await deleteEvents(
      db.pool,
      { detectors: ['cz.example.batch'] },
      { batchSize: 2, onBatch: (n) => progress.push(n) },
    );
    expect(deleted).toBe(3);
    expect(progress).toEqual([2, 3]);
  });
});

describe('events watchdog', () => {
  it('exits 0 right after an ingest and 1 when nothing arrived within the duration', async () => {
    const [fresh, old, never, json] = await Promise.all([
      runCli(['events', 'watchdog', '--within', '10m'], env()),
      runCli(['events', 'watchdog', '--within', '1h', '--detector', 'cz.example.old'], env()),
      runCli(
        [
          'events',
          'watchdog',
          '--within',
          '1d',
          '--detector',
          'cz.example.kept',
          '--detector',
          'cz.example.none',
        ],
        env(),
      ),
      runCli(['events', 'watchdog', '--within', '3h', '--detector', 'cz.example.old', '--json'], env()),
    ]);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toMatch(/^OK: events stored within 10m: any detector \(last stored \S+Z\)\n$/);
    expect(old.code).toBe(1);
    expect(old.stdout).toMatch(
      /^CRITICAL: no event stored within 1h: cz\.example\.old \(last stored \S+Z\)\n$/,
    );
    expect(never.code).toBe(1);
    expect(never.stdout).toBe('CRITICAL: no event stored within 1d: cz.example.none (last stored never)\n');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: true,
      within: '3h',
      checks: [{ detector: 'cz.example.old', ok: true }],
    });
    expect((await watchdogCheck(db.pool, 3600, 'cz.example.old')).ok).toBe(false);
  });
});

describe('thresholds', () => {
  it('lists and counts by group, severity, IP and class', async () => {
    expect(await countThresholds(db.pool, { realm: 'real', groups: ['university', 'isp-example'] })).toEqual({
      thresholds: 3,
      active: 2,
      suppressedEvents: 3,
    });
    const uni = await listThresholds(db.pool, { realm: 'real', groups: ['university'] }, 10);
    expect(uni.map((t) => [t.key, t.suppressed, t.active])).toEqual([
      ['attempt-login/ssh+++192.0.2.8', 1, true],
      ['recon-scanning+++192.0.2.7', 2, true],
    ]);
    const byClass = await listThresholds(db.pool, { realm: 'real', classes: ['attempt-login'] }, 10);
    expect(byClass.map((t) => t.key)).toEqual(['attempt-login/ssh+++192.0.2.8']);
    const byIp = await listThresholds(
      db.pool,
      { realm: 'real', ips: ['198.51.100.9'], severities: ['low'] },
      10,
    );
    expect(byIp.map((t) => [t.group, t.active])).toEqual([['isp-example', false]]);
    expect(await countThresholds(db.pool, { realm: 'test' })).toMatchObject({ thresholds: 0 });
  });

  it('clears through the CLI with the events they suppressed', async () => {
    const t = Date.now();
    await db.pool.query(
      `INSERT INTO report_thresholds (group_name, severity, pass, key, threshold_time, relapse_time, ttl_time)
       VALUES ('hosting-example', 'low', 'source', 'recon-scanning+++203.0.113.7', $1, $2, $3),
              ('hosting-example', 'low', 'source', 'recon-scanning+++203.0.113.8', $1, $2, $3)`,
      [new Date(t - 3 * HOUR), new Date(t - HOUR), new Date(t + HOUR)],
    );
    await db.pool.query(
      `INSERT INTO report_thresholded_events (group_name, severity, pass, key, event_id, storage_time, create_time)
       SELECT 'hosting-example', 'low', 'source', 'recon-scanning+++203.0.113.7', 'h-' || n, now(), now()
         FROM generate_series(1, 2) n`,
    );
    const [listed, dry] = await Promise.all([
      runCli(['thresholds', 'list', '--ip', '203.0.113.7', '--json'], env()),
      runCli(['thresholds', 'clear', '--ip', '203.0.113.7', '--dry-run'], env()),
    ]);
    expect(JSON.parse(listed.stdout).thresholds).toMatchObject([
      { group: 'hosting-example', severity: 'low', key: 'recon-scanning+++203.0.113.7', suppressed: 2 },
    ]);
    expect(dry.stdout).toBe('1 thresholds would be cleared, with 2 suppressed events\n');
    const cleared = await runCli(['thresholds', 'clear', '--ip', '203.0.113.7', '--json'], env());
    expect(JSON.parse(cleared.stdout)).toEqual({ dryRun: false, thresholds: 1, suppressedEvents: 2 });
    expect(await countThresholds(db.pool, { realm: 'real', groups: ['hosting-example'] })).toEqual({
      thresholds: 1,
      active: 1,
      suppressedEvents: 0,
    });
    expect(await clearThresholds(db.pool, { realm: 'real', groups: ['nobody'] })).toEqual({
      thresholds: 0,
      suppressedEvents: 0,
    });
  });
});

describe('db status', () => {
  it('lists tables and event partitions with rows and sizes, and the storage-time range', async () => {
    await db.pool.query('ANALYZE');
    const status = await runCli(['db', 'status', '--json'], env());
    expect(status.code).toBe(0);
    const { storage, pending } = JSON.parse(status.stdout);
    expect(pending).toBe(0);
    const events = storage.tables.find((t: { name: string }) => t.name === 'events');
    expect(events.rows).toBe(await countEvents(db.pool, {}));
    expect(events.bytes).toBeGreaterThan(0);
    expect(storage.tables.map((t: { name: string }) => t.name)).toContain('report_thresholds');
    expect(storage.partitions.map((p: { name: string }) => p.name)).toContain('events_default');
    expect(storage.partitions.some((p: { name: string }) => /^events_\d{8}$/.test(p.name))).toBe(true);
    const range = await db.pool.query('SELECT min(storage_time) AS o, max(storage_time) AS n FROM events');
    expect(storage.oldestStorageTime).toBe(range.rows[0].o.toISOString());
    expect(storage.newestStorageTime).toBe(range.rows[0].n.toISOString());
    const text = await runCli(['db', 'status'], env());
    expect(text.stdout).toMatch(/^events +\d+ +[\d.]+ +[\d.]+$/m);
    expect(text.stdout).toMatch(/^storage time: oldest \S+Z, newest \S+Z$/m);
  });
});
