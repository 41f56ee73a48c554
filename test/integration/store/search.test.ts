import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countEvents, searchEvents, searchEventsSql } from '../../../db/events/search';
import { generateEvents } from '../../../scripts/demo/generate-events';
import { isolatedEnv, runCli } from '../../support/cli';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { idea, importDemoCatalogs, ingestValues, planNodes } from './helpers';

let db: TestDatabase;
const at = (hhmm: string) => new Date(`2024-05-01T${hhmm}:00Z`);

beforeAll(async () => {
  db = await freshDatabase();
  await importDemoCatalogs(db.pool);
  // Hand-made events at known storage times; classes/severities come from the default catalog.
  const put = (time: string, events: Record<string, unknown>[]) =>
    ingestValues(db.pool, events, { storageTime: at(time) });
  await put('10:00', [
    idea({ ID: 'uni-high-1', Category: ['Availability.DDoS'], Source: [{ IP4: ['192.0.2.10'] }] }),
    idea({ ID: 'uni-low-1', Category: ['Recon.Scanning'], Source: [{ IP4: ['192.0.2.11'] }] }),
    idea({ ID: 'isp-high-1', Category: ['Availability.DDoS'], Source: [{ IP4: ['198.51.100.20'] }] }),
  ]);
  await put('10:30', [
    idea({ ID: 'uni-v6-high', Category: ['Intrusion.Botnet'], Source: [{ IP6: ['2001:db8:100::abcd'] }] }),
    idea({
      ID: 'target-v4',
      Category: ['Recon.Scanning'],
      Source: [{ IP4: ['8.8.8.8'] }],
      Target: [{ IP4: ['203.0.113.0/28'] }],
    }),
  ]);
  await put('11:00', [
    idea({ ID: 'uni-high-2', Category: ['Availability.DDoS'], Source: [{ IP4: ['192.0.2.12'] }] }),
  ]);
  // Bulk data over a whole day so the planner has realistic statistics for EXPLAIN.
  const bulk = [...generateEvents({ count: 24_000, seed: 3, now: at('23:00') })];
  for (let hour = 0; hour < 24; hour++)
    await ingestValues(db.pool, bulk.slice(hour * 1000, (hour + 1) * 1000), {
      storageTime: new Date(Date.UTC(2024, 4, 2, hour, 7)),
    });
  await db.pool.query('ANALYZE events');
});
afterAll(async () => {
  await db?.drop();
});

const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();

describe('event search', () => {
  it('filters by group, severity and a half-open storage-time window', async () => {
    const rows = await searchEvents(db.pool, {
      groups: ['university'],
      severities: ['high'],
      from: at('10:00'),
      to: at('11:00'),
    });
    expect(ids(rows)).toEqual(['uni-high-1', 'uni-v6-high']);
    const next = await searchEvents(db.pool, {
      groups: ['university'],
      severities: ['high'],
      from: at('11:00'),
      to: at('12:00'),
    });
    expect(ids(next)).toEqual(['uni-high-2']);
    expect(await countEvents(db.pool, { groups: ['university'], from: at('10:00'), to: at('12:00') })).toBe(
      4,
    );
  });

  it('finds IPv6 addresses and networks, and CIDRs on the target side', async () => {
    const window = { from: at('09:00'), to: at('12:00') };
    expect(ids(await searchEvents(db.pool, { ...window, ips: ['2001:db8:100::abcd'] }))).toEqual([
      'uni-v6-high',
    ]);
    expect(ids(await searchEvents(db.pool, { ...window, ips: ['2001:db8:100::/48'] }))).toEqual([
      'uni-v6-high',
    ]);
    expect(ids(await searchEvents(db.pool, { ...window, ips: ['2001:db8:200::/40'] }))).toEqual([]);
    expect(ids(await searchEvents(db.pool, { ...window, ips: ['192.0.2.0/28'] }))).toEqual([
      'uni-high-1',
      'uni-high-2',
      'uni-low-1',
    ]);
    // A single address inside a target network, and a network overlapping it.
    expect(ids(await searchEvents(db.pool, { ...window, ips: ['203.0.113.5'] }))).toEqual(['target-v4']);
    expect(ids(await searchEvents(db.pool, { ...window, targetIps: ['203.0.113.0/24'] }))).toEqual([
      'target-v4',
    ]);
    expect(ids(await searchEvents(db.pool, { ...window, sourceIps: ['203.0.113.0/24'] }))).toEqual([]);
  });

  it('filters by category, class and detector, and pages', async () => {
    const window = { from: at('09:00'), to: at('12:00') };
    expect(ids(await searchEvents(db.pool, { ...window, categories: ['Intrusion.Botnet'] }))).toEqual([
      'uni-v6-high',
    ]);
    expect(ids(await searchEvents(db.pool, { ...window, classes: ['recon-scanning'] }))).toEqual([
      'target-v4',
      'uni-low-1',
    ]);
    expect(await countEvents(db.pool, { ...window, detectors: ['cz.example.scan_detector'] })).toBe(6);
    const page1 = await searchEvents(db.pool, { ...window, limit: 4, page: 1 });
    const page2 = await searchEvents(db.pool, { ...window, limit: 4, page: 2 });
    expect(page1).toHaveLength(4);
    expect(page2).toHaveLength(2);
    expect(new Set([...ids(page1), ...ids(page2)]).size).toBe(6);
  });

  it('uses indexes for group + severity + window (EXPLAIN)', async () => {
    const { text, values } = searchEventsSql({
      groups: ['university'],
      severities: ['high'],
      from: new Date('2024-05-02T06:00:00Z'),
      to: new Date('2024-05-02T09:00:00Z'),
      limit: 50,
    });
    const nodes = await planNodes(db.pool, text, values);
    // Partition pruning leaves the one day's partition, read through an index, never sequentially.
    expect(nodes.filter((n) => n['Node Type'] === 'Seq Scan')).toEqual([]);
    const indexNodes = nodes.filter((n) => /Index/.test(n['Node Type']));
    expect(indexNodes.length).toBeGreaterThan(0);
    expect(indexNodes.every((n) => n['Index Name']?.startsWith('events_20240502_'))).toBe(true);

    // Newest first, 1,000 events per storage time: read from the (storage_time, id) index and
    // stopped after the page, never a pass over the ties.
    const newest = searchEventsSql({ limit: 50, page: 2 });
    const newestNodes = await planNodes(db.pool, newest.text, newest.values);
    expect(newestNodes.filter((n) => n['Node Type'] === 'Seq Scan' || n['Node Type'] === 'Sort')).toEqual([]);
    expect(newestNodes.some((n) => n['Index Name'] === 'events_20240502_storage_time_id_idx')).toBe(true);

    const ipSql = searchEventsSql({ ips: ['2001:db8:100::/48'] });
    const ipPlan = JSON.stringify(
      (await db.pool.query(`EXPLAIN (FORMAT JSON) ${ipSql.text}`, ipSql.values)).rows[0]['QUERY PLAN'],
    );
    expect(ipPlan).toMatch(/events_20240502_source_ip6_net_idx/);
  });

  it('is the same through the CLI, with one clear line for bad arguments', async () => {
    const env = isolatedEnv({
      HERALD_DATABASE_URL: db.url,
      HERALD_HOME: mkdtempSync(path.join(tmpdir(), 'herald-search-')),
    });
    const args = [
      '--group',
      'university',
      '--severity',
      'high',
      '--from',
      '2024-05-01T10:00:00Z',
      '--to',
      '2024-05-01T11:00:00Z',
    ];
    const search = await runCli(['events', 'search', ...args, '--json'], env);
    expect(search.code).toBe(0);
    expect(ids(JSON.parse(search.stdout).events)).toEqual(['uni-high-1', 'uni-v6-high']);
    const counted = await runCli(['events', 'count', ...args, '--ip', '2001:db8::/32', '--json'], env);
    expect(JSON.parse(counted.stdout)).toEqual({ count: 1 });
    const bad = await runCli(['events', 'search', '--ip', '10.0.0.0/33'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(
      'herald: --ip: "10.0.0.0/33" is not an IP address, CIDR network or range a-b',
    );
    const badTime = await runCli(['events', 'count', '--from', '2024-05-01 10:00'], env);
    expect(badTime.code).toBe(2);
    expect(badTime.stderr.trim()).toBe(
      'herald: --from: expected an RFC 3339 time with an offset (2026-12-03T07:19:30Z, 2026-12-03T08:19:30+01:00), ' +
        'a date (2026-12-03: midnight UTC) or Unix seconds, got "2024-05-01 10:00"',
    );
  });
});
