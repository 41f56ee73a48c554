// Every search option of `events search | count` (Mentat's search_events parameters) against a
// five-event corpus whose answers are known by construction. The options are read by the CLI's own
// commander definitions in-process (a spawned CLI per case would take minutes); the last tests run
// the real CLI for what only it does: paging lines, ranges as written, errors, values and stats.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryOptions, toQuery } from '../../../client/commands/events-query';
import { aggregateField, distinctValues, fieldStats } from '../../../db/events/aggregate';
import { countEvents, searchEvents } from '../../../db/events/search';
import { isolatedEnv, runCli } from '../../support/cli';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { idea, importDemoCatalogs, ingestValues } from './helpers';

let db: TestDatabase;
const at = (hhmm: string) => `2024-05-01T${hhmm}:00Z`;

beforeAll(async () => {
  db = await freshDatabase();
  await importDemoCatalogs(db.pool);
  await ingestValues(
    db.pool,
    [
      idea({
        ID: 'a-ddos',
        DetectTime: at('09:00'),
        Category: ['Availability.DDoS'],
        Description: 'Massive SYN flood',
        TLP: 'AMBER',
        Source: [{ IP4: ['192.0.2.10'], Port: [80], Proto: ['TCP'], Type: ['Botnet'] }],
        Node: [{ Name: 'cz.example.ddos_detector', Type: ['Flow', 'Statistical'] }],
      }),
      idea({
        ID: 'b-scan',
        DetectTime: at('08:00'),
        Category: ['Recon.Scanning'],
        Description: 'SSH scanning',
        Source: [{ IP4: ['192.0.2.11'], Port: [40000], Proto: ['tcp'] }],
        Target: [{ IP4: ['203.0.113.5'], Port: [22], Type: ['Backscatter'] }],
        Node: [{ Name: 'cz.example.scan_detector', Type: ['Honeypot'] }],
      }),
      idea({
        ID: 'c-range',
        DetectTime: at('10:00'),
        Category: ['Recon.Scanning'],
        TLP: 'GREEN',
        Source: [{ IP4: ['198.51.100.16-198.51.100.23'], Proto: ['udp'], Type: ['Scanner'] }],
        Node: [{ Name: 'cz.example.scan_detector' }],
      }),
      idea({
        ID: 'd-nogroup',
        DetectTime: at('07:00'),
        Category: ['Intrusion.Botnet'],
        Description: 'Botnet C&C, 100% sure',
        Source: [{ IP4: ['8.8.8.8'] }],
        Node: [{ Name: 'cz.example.ids' }],
        _Mentat: {
          InspectionErrors: ['Missing source port'],
          EventClass: 'botnet-drone',
          EventSeverity: 'high',
          TargetClass: 'botnet-victim',
          TargetSeverity: 'medium',
        },
      }),
    ],
    { storageTime: new Date(at('10:00')) },
  );
  await ingestValues(
    db.pool,
    [
      idea({
        ID: 'e-weird',
        DetectTime: at('11:30'),
        Category: ['Weird.Thing'],
        Source: [{ IP6: ['2001:db8:100::5'] }],
        Node: [{ Name: 'cz.example.scan_detector' }],
      }),
    ],
    { storageTime: new Date(at('11:00')) },
  );
});
afterAll(async () => {
  await db?.drop();
});

/** The events matching CLI arguments, read by the CLI's own option definitions. */
async function matching(args: string[], sorted = true): Promise<string[]> {
  const command = queryOptions(new Command('search').exitOverride(), { sortable: true });
  command.parse(args, { from: 'user' });
  const query = toQuery(command.opts());
  const rows = await searchEvents(db.pool, { ...query, limit: 100 });
  expect(await countEvents(db.pool, query)).toBe(rows.length);
  const ids = rows.map((row) => row.id);
  return sorted ? ids.sort() : ids;
}

describe('events search options (known answers)', () => {
  it.each([
    [['--port', '80'], ['a-ddos']],
    [['--port', '22'], ['b-scan']],
    [['--source-port', '40000'], ['b-scan']],
    [['--target-port', '22'], ['b-scan']],
    [['--target-port', '80'], []],
    [
      ['--not-port', '22'],
      ['a-ddos', 'c-range', 'd-nogroup', 'e-weird'],
    ],
    [
      ['--not-source-port', '80', '--not-source-port', '40000'],
      ['c-range', 'd-nogroup', 'e-weird'],
    ],
    [
      ['--not-target-port', '22'],
      ['a-ddos', 'c-range', 'd-nogroup', 'e-weird'],
    ],
    [
      ['--protocol', 'TCP'],
      ['a-ddos', 'b-scan'],
    ],
    [['--protocol', 'udp', '--protocol', 'sctp'], ['c-range']],
    [
      ['--not-protocol', 'tcp'],
      ['c-range', 'd-nogroup', 'e-weird'],
    ],
    [['--source-type', 'Botnet'], ['a-ddos']],
    [
      ['--not-source-type', 'Botnet'],
      ['b-scan', 'c-range', 'd-nogroup', 'e-weird'],
    ],
    [['--target-type', 'Backscatter'], ['b-scan']],
    [
      ['--not-target-type', 'Backscatter'],
      ['a-ddos', 'c-range', 'd-nogroup', 'e-weird'],
    ],
    [['--node-type', 'Flow'], ['a-ddos']],
    [
      ['--not-node-type', 'Flow', '--not-node-type', 'Honeypot'],
      ['c-range', 'd-nogroup', 'e-weird'],
    ],
    [
      ['--detector', 'cz.example.scan_detector'],
      ['b-scan', 'c-range', 'e-weird'],
    ],
    [
      ['--not-detector', 'cz.example.scan_detector'],
      ['a-ddos', 'd-nogroup'],
    ],
    [
      ['--category', 'Recon.Scanning'],
      ['b-scan', 'c-range'],
    ],
    [
      ['--not-category', 'Recon.Scanning'],
      ['a-ddos', 'd-nogroup', 'e-weird'],
    ],
    [
      ['--class', 'recon-scanning'],
      ['b-scan', 'c-range'],
    ],
    [
      ['--not-class', 'recon-scanning'],
      ['a-ddos', 'd-nogroup', 'e-weird'],
    ],
    [['--no-class'], ['e-weird']],
    [
      ['--class', 'botnet-drone', '--class', 'availability-ddos'],
      ['a-ddos', 'd-nogroup'],
    ],
    [['--target-class', 'botnet-victim'], ['d-nogroup']],
    [
      ['--not-target-class', 'botnet-victim'],
      ['a-ddos', 'b-scan', 'c-range', 'e-weird'],
    ],
    [['--target-severity', 'medium'], ['d-nogroup']],
    [
      ['--not-target-severity', 'medium'],
      ['a-ddos', 'b-scan', 'c-range', 'e-weird'],
    ],
    [
      ['--severity', 'high'],
      ['a-ddos', 'd-nogroup'],
    ],
    [
      ['--not-severity', 'high'],
      ['b-scan', 'c-range', 'e-weird'],
    ],
    [
      ['--severity', 'low', '--severity', 'high', '--not-category', 'Intrusion.Botnet'],
      ['a-ddos', 'b-scan', 'c-range'],
    ],
    [
      ['--group', 'university'],
      ['a-ddos', 'b-scan', 'e-weird'],
    ],
    [['--group', 'isp-example', '--group', 'university-dorms'], ['c-range']],
    [
      ['--not-group', 'university'],
      ['c-range', 'd-nogroup'],
    ],
    [['--target-group', 'hosting-example'], ['b-scan']],
    [
      ['--not-target-group', 'hosting-example'],
      ['a-ddos', 'c-range', 'd-nogroup', 'e-weird'],
    ],
    [['--any-group'], ['a-ddos', 'b-scan', 'c-range', 'e-weird']],
    [['--no-group'], ['d-nogroup']],
    [['--ip', '198.51.100.20'], ['c-range']],
    [['--ip', '198.51.100.0-198.51.100.16'], ['c-range']],
    [['--ip', '198.51.100.24-198.51.100.30'], []],
    [['--source-ip', '203.0.113.5'], []],
    [['--target-ip', '203.0.113.0/24'], ['b-scan']],
    [['--ip', '2001:db8:100::/48'], ['e-weird']],
    [['--ip', '2001:db8:100::1-2001:db8:100::9'], ['e-weird']],
    [['--description', 'syn FLOOD'], ['a-ddos']],
    [['--description', '100%'], ['d-nogroup']],
    [['--description', '_'], []],
    [['--tlp', 'amber'], ['a-ddos']],
    [
      ['--not-tlp', 'AMBER'],
      ['b-scan', 'c-range', 'd-nogroup', 'e-weird'],
    ],
    [['--inspection-error'], ['d-nogroup', 'e-weird']],
    [['--inspection-error', 'SOURCE PORT'], ['d-nogroup']],
    [['--unknown-category'], ['e-weird']],
    [['--from', at('10:30')], ['e-weird']],
    [
      ['--to', at('10:30')],
      ['a-ddos', 'b-scan', 'c-range', 'd-nogroup'],
    ],
    [
      ['--detect-from', at('08:30'), '--detect-to', at('10:30')],
      ['a-ddos', 'c-range'],
    ],
    [
      ['--detector', 'cz.example.scan_detector', '--not-category', 'Weird.Thing', '--protocol', 'udp'],
      ['c-range'],
    ],
  ])('%j', async (args, expected) => {
    expect(await matching(args)).toEqual(expected);
  });

  it('sorts by storage or detect time, either way, and pages', async () => {
    expect(await matching([], false)).toEqual(['e-weird', 'd-nogroup', 'c-range', 'b-scan', 'a-ddos']);
    expect(await matching(['--sort', 'storage-time:asc'], false)).toEqual([
      'a-ddos',
      'b-scan',
      'c-range',
      'd-nogroup',
      'e-weird',
    ]);
    expect(await matching(['--sort', 'detect-time'], false)).toEqual([
      'e-weird',
      'c-range',
      'a-ddos',
      'b-scan',
      'd-nogroup',
    ]);
    expect(await matching(['--sort', 'detect-time:asc'], false)).toEqual([
      'd-nogroup',
      'b-scan',
      'a-ddos',
      'c-range',
      'e-weird',
    ]);
    const page2 = await searchEvents(db.pool, {
      sort: { by: 'detect_time', direction: 'asc' },
      limit: 2,
      page: 2,
    });
    expect(page2.map((row) => row.id)).toEqual(['a-ddos', 'c-range']);
  });

  it('refuses bad values with the option and what was expected', () => {
    const parse = (args: string[]) => {
      const command = queryOptions(new Command('search').exitOverride(), { sortable: true });
      command.parse(args, { from: 'user' });
      return () => toQuery(command.opts());
    };
    expect(parse(['--port', '70000'])).toThrow('--port: expected a port number (0-65535), got "70000"');
    expect(parse(['--not-severity', 'urgent'])).toThrow('--not-severity: "urgent" is not a severity');
    expect(parse(['--sort', 'id'])).toThrow('--sort: expected storage-time or detect-time');
    expect(parse(['--ip', '10.0.0.9-10.0.0.1'])).toThrow(
      '--ip: "10.0.0.9-10.0.0.1" is not an IP address, CIDR network or range a-b',
    );
    expect(parse(['--any-group', '--no-group'])).toThrow('--any-group and --no-group exclude each other');
  });
});

describe('events values and stats', () => {
  it('lists distinct values of a field within a search', async () => {
    expect(await distinctValues(db.pool, aggregateField('detector')!, {})).toEqual([
      'cz.example.ddos_detector',
      'cz.example.ids',
      'cz.example.scan_detector',
    ]);
    expect(await distinctValues(db.pool, aggregateField('protocol')!, {})).toEqual(['tcp', 'udp']);
    expect(await distinctValues(db.pool, aggregateField('port')!, {})).toEqual([22, 80, 40000]);
    expect(await distinctValues(db.pool, aggregateField('group')!, { from: at('10:30') })).toEqual([
      'university',
    ]);
  });

  it('counts events per value: the top N and a timeline per interval', async () => {
    const stats = await fieldStats(
      db.pool,
      aggregateField('detector')!,
      {},
      { top: 2, intervalSeconds: 1800 },
    );
    expect(stats).toEqual({
      events: 5,
      withoutValue: 0,
      distinct: 3,
      top: [
        { value: 'cz.example.scan_detector', count: 3 },
        { value: 'cz.example.ddos_detector', count: 1 },
      ],
      timeline: [
        {
          from: '2024-05-01T10:00:00.000Z',
          total: 4,
          counts: { 'cz.example.scan_detector': 2, 'cz.example.ddos_detector': 1 },
        },
        {
          from: '2024-05-01T10:30:00.000Z',
          total: 0,
          counts: { 'cz.example.scan_detector': 0, 'cz.example.ddos_detector': 0 },
        },
        {
          from: '2024-05-01T11:00:00.000Z',
          total: 1,
          counts: { 'cz.example.scan_detector': 1, 'cz.example.ddos_detector': 0 },
        },
      ],
    });
    const tlp = await fieldStats(
      db.pool,
      aggregateField('tlp')!,
      { notGroups: ['isp-example'] },
      { top: 10 },
    );
    expect(tlp).toEqual({ events: 4, withoutValue: 3, distinct: 1, top: [{ value: 'AMBER', count: 1 }] });
  });
});

describe('through the CLI', () => {
  const env = () =>
    isolatedEnv({
      HERALD_DATABASE_URL: db.url,
      HERALD_HOME: mkdtempSync(path.join(tmpdir(), 'herald-options-')),
    });

  it('says how many matched and how to see the next page, and shows ranges as written', async () => {
    const page = await runCli(
      ['events', 'search', '--detector', 'cz.example.scan_detector', '--limit', '2', '--wide'],
      env(),
    );
    expect(page.code).toBe(0);
    expect(page.stdout).toMatch(/^showing 1–2 of 3; next page: --page 2$/m);
    expect(page.stdout).toMatch(/c-range .*198\.51\.100\.16-198\.51\.100\.23/);
    const json = JSON.parse(
      (await runCli(['events', 'search', '--ip', '198.51.100.20', '--json'], env())).stdout,
    );
    expect(json).toMatchObject({ total: 1, page: 1, limit: 50 });
    expect(json.events[0]).toMatchObject({ id: 'c-range', sourceIps: ['198.51.100.16-198.51.100.23'] });
  });

  it('refuses an unknown group naming the known ones; shows one event as JSON', async () => {
    const unknown = await runCli(['events', 'count', '--group', 'universty'], env());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toBe(
      'herald: --group: unknown abuse group "universty" (known: csirt-national, hosting-example, isp-example, university, university-dorms)',
    );
    const shown = await runCli(['events', 'show', 'c-range', '--json'], env());
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      ID: 'c-range',
      Source: [{ IP4: ['198.51.100.16-198.51.100.23'] }],
    });
  });

  it('prints values and stats as JSON', async () => {
    const values = await runCli(
      ['events', 'values', 'category', '--not-group', 'university', '--json'],
      env(),
    );
    expect(JSON.parse(values.stdout)).toEqual({
      field: 'category',
      values: ['Intrusion.Botnet', 'Recon.Scanning'],
    });
    const stats = await runCli(
      ['events', 'stats', '--by', 'group', '--top', '1', '--interval', '1h', '--json'],
      env(),
    );
    expect(JSON.parse(stats.stdout)).toEqual({
      by: 'group',
      events: 5,
      withoutValue: 1,
      distinct: 2,
      top: [{ value: 'university', count: 3 }],
      timeline: [
        { from: '2024-05-01T10:00:00.000Z', total: 4, counts: { university: 2 } },
        { from: '2024-05-01T11:00:00.000Z', total: 1, counts: { university: 1 } },
      ],
    });
  });
});
