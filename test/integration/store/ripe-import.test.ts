// `herald catalog import-ripe` on the hand-made RPSL fixture (test/fixtures/ripe): the groups,
// networks and chains it builds; events from those ranges reported by a real run to the
// abuse-mailbox of the most specific range that has one; a second dump's diff (a mailbox changed,
// a range gone) shown by --dry-run and applied, leaving a hand-made group and an operator's
// settings alone; --country.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { importRipeDumps } from '../../../client/ripe/import-ripe-dumps';
import { ripeImportJson } from '../../../client/ripe/report';
import { ingestEvents } from '../../../db/events/ingest';
import { loadNetworks } from '../../../db/reporting/catalog';
import { createWhois } from '../../../domain/reporting/whois';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { isolatedEnv, runCli } from '../../support/cli';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { createTestWorker, randomTaskQueue, testClient } from '../../support/temporal';
import { alignedPast, reportingActivities, reportRows, runGroup } from '../reporting/support';

const fixtures = path.resolve(__dirname, '../../fixtures/ripe');
const dir = mkdtempSync(path.join(tmpdir(), 'herald-ripe-'));
// The inetnum dump gzipped, as RIPE publishes it; the rest plain.
const inetnumGz = path.join(dir, 'ripe.db.inetnum.gz');
writeFileSync(inetnumGz, gzipSync(readFileSync(path.join(fixtures, 'ripe.db.inetnum'))));
const first = [
  inetnumGz,
  path.join(fixtures, 'ripe.db.inet6num'),
  path.join(fixtures, 'ripe.db.role'),
  path.join(fixtures, 'ripe.db.organisation'),
];
const second = [
  path.join(fixtures, 'second/ripe.db.inetnum'),
  path.join(fixtures, 'ripe.db.inet6num'),
  path.join(fixtures, 'second/ripe.db.role'),
  path.join(fixtures, 'ripe.db.organisation'),
];

let db: TestDatabase;
let env: NodeJS.ProcessEnv;
let mail: MailCatcher;

/** The command as a user runs it (a whole CLI process). */
const importRipe = async (args: string[]) => {
  const result = await runCli(['catalog', 'import-ripe', ...args], env);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
};
/** The same work in this process, printed as `--json` prints it (a CLI process costs seconds). */
const importJson = async (
  database: TestDatabase,
  files: string[],
  options: { dryRun: boolean; countries?: string[] },
) => {
  const { plan, diff } = await importRipeDumps(database.pool, files, options);
  return ripeImportJson(files, plan, diff, options.dryRun);
};
type CatalogRow = Record<string, unknown> & { name: string };
const catalogRows = async (database: TestDatabase): Promise<CatalogRow[]> =>
  (
    await database.pool.query(
      `SELECT g.id, g.name, g.origin, g.enabled, s.mode, s.emails_info, s.emails_high, s.emails_critical,
              ARRAY(SELECT n.network::text || ' ' || n.name || ' ' || n.origin FROM networks n
                     WHERE n.group_id = g.id ORDER BY n.network) AS networks
         FROM groups g LEFT JOIN group_settings s ON s.group_id = g.id ORDER BY g.name`,
    )
  ).rows;

beforeAll(async () => {
  db = await freshDatabase();
  env = isolatedEnv({ HERALD_DATABASE_URL: db.url, HERALD_HOME: dir });
  mail = await startMailCatcher({ smtpPort: 0 });
});
afterAll(async () => {
  await mail?.close();
  await db?.drop();
});

describe('the first import', () => {
  let json: Awaited<ReturnType<typeof importJson>>;
  beforeAll(async () => {
    json = JSON.parse(await importRipe([...first, '--json']));
  });

  it('reads every object, skips and names the malformed ones, lists the range without a contact', () => {
    expect(json.counts).toEqual({
      objects: 19,
      byClass: { inetnum: 8, inet6num: 2, role: 6, organisation: 2 },
      malformed: 3,
      ranges: 9,
      outsideCountries: 0,
      withContact: 6,
      inherited: 2,
      unresolved: 1,
      groups: 4,
      networks: 9,
    });
    // Roles and organisations are read first, whatever the order of the files.
    expect(json.problems).toEqual([
      {
        file: first[2],
        line: 43,
        attribute: 'abuse-mailbox',
        message: '"not-an-address" is not an e-mail address',
      },
      {
        file: inetnumGz,
        line: 49,
        attribute: 'inetnum',
        message: '"10.9.9.300 - 10.9.9.1" is not an IPv4 range (expected e.g. 192.0.2.0 - 192.0.2.255)',
      },
      {
        file: inetnumGz,
        line: 57,
        message:
          'expected "attribute: value", got "this line has no attribute name" (in the inetnum object of line 55)',
      },
    ]);
    expect(json.unresolved).toEqual([
      {
        file: inetnumGz,
        line: 38,
        range: '172.16.0.0 - 172.16.0.255',
        netname: 'ORPHAN-NET',
        reason: 'no abuse-c and no org',
      },
    ]);
  });

  it('makes one RIPE group per abuse mailbox, its networks the ranges as minimal CIDRs', async () => {
    const every = (mailbox: string) => [mailbox];
    expect(await catalogRows(db)).toEqual([
      expect.objectContaining({
        name: 'abuse@isp.example',
        origin: 'ripe',
        mode: null,
        emails_info: every('abuse@isp.example'),
        emails_critical: every('abuse@isp.example'),
        networks: ['10.0.0.0/8 ISP-NET ripe', '2001:db8::/32 ISP-V6 ripe'],
      }),
      expect.objectContaining({ name: 'abuse@sk.example', networks: ['192.0.2.0/24 SK-NET ripe'] }),
      expect.objectContaining({
        name: 'abuse@uni.example',
        emails_high: every('abuse@uni.example'),
        networks: ['10.1.0.0/16 UNI-NET ripe', '2001:db8:1::/48 UNI-V6 ripe'],
      }),
      expect.objectContaining({
        name: 'cert@hosting.example',
        // 10.1.2.10 - 10.1.2.20 is not one CIDR.
        networks: [
          '10.1.2.10/31 HOSTING-RANGE ripe',
          '10.1.2.12/30 HOSTING-RANGE ripe',
          '10.1.2.16/30 HOSTING-RANGE ripe',
          '10.1.2.20/32 HOSTING-RANGE ripe',
        ],
      }),
    ]);
    expect(json.diff.counts).toMatchObject({ groupsAdded: 4, networksAdded: 9, groupsRemoved: 0 });
  });

  it('nests the networks into chains: most specific contact first, contactless ranges inherit', async () => {
    const whois = createWhois(await loadNetworks(db.pool));
    expect(whois.lookup('10.1.2.15').chain).toEqual([
      'cert@hosting.example',
      'abuse@uni.example',
      'abuse@isp.example',
    ]);
    expect(whois.lookup('10.1.2.21').chain).toEqual(['abuse@uni.example', 'abuse@isp.example']);
    expect(whois.lookup('10.1.3.7').chain).toEqual(['abuse@uni.example', 'abuse@isp.example']); // UNI-LAB
    expect(whois.lookup('10.2.0.9').chain).toEqual(['abuse@isp.example']); // NOC-NET: its role has no mailbox
    expect(whois.lookup('2001:db8:1::5').chain).toEqual(['abuse@uni.example', 'abuse@isp.example']);
    expect(whois.lookup('2001:db8:2::5').chain).toEqual(['abuse@isp.example']);
    expect(whois.lookup('172.16.0.1').chain).toEqual([]);
  });

  it('reports events from those ranges to the abuse-mailbox of the most specific range that has one', async () => {
    const timeHigh = alignedPast();
    const storageTime = new Date(timeHigh.getTime() - 5 * 60_000);
    const sources = ['10.1.2.15', '10.1.3.7', '10.2.0.9', '2001:db8:1::5'];
    const events = sources.map((ip) => ({
      Format: 'IDEA0',
      ID: randomUUID(),
      DetectTime: new Date(storageTime.getTime() - 60_000).toISOString(),
      Category: ['Recon.Scanning'],
      Source: [ip.includes(':') ? { IP6: [ip] } : { IP4: [ip] }],
      Node: [{ Name: 'cz.example.sensor' }],
      // No ResolvedAbuses: the store resolves them from the imported networks.
      _Mentat: { EventClass: 'recon-scanning', EventSeverity: 'high' },
    }));
    async function* records() {
      for (const [i, value] of events.entries()) yield { line: i + 1, value };
    }
    const summary = await ingestEvents(db.pool, records(), { storageTime });
    expect(summary.rejected).toBe(0);
    const stored = await db.pool.query(
      'SELECT host(source_ips[1]) AS ip, resolved_abuses FROM events ORDER BY resolved_abuses, source_ips',
    );
    expect(stored.rows.map((r) => [r.ip, r.resolved_abuses])).toEqual([
      ['10.2.0.9', ['abuse@isp.example']],
      ['10.1.3.7', ['abuse@uni.example']],
      ['2001:db8:1::5', ['abuse@uni.example']],
      ['10.1.2.15', ['cert@hosting.example']],
    ]);

    const taskQueue = randomTaskQueue('ripe');
    const worker = await createTestWorker({
      taskQueue,
      activities: reportingActivities(db.pool, mail.smtpUrl),
    });
    const { client, close } = await testClient();
    try {
      await worker.run(() =>
        Promise.all(
          ['abuse@isp.example', 'abuse@uni.example', 'cert@hosting.example'].map((group) =>
            runGroup(client, taskQueue, { group, timeHigh: timeHigh.toISOString() }),
          ),
        ),
      );
    } finally {
      await close();
    }
    // A group the import made sets no mode: Mentat's default, extra, one report and mail per source
    // (and the unmailed summary they hang off).
    const reports = await reportRows(db.pool);
    expect(
      reports.map((r) => [r.group_name, r.severity, r.type, r.ip, r.chain.join(' > '), r.mail_to.join(',')]),
    ).toEqual([
      ['abuse@isp.example', 'high', 'extra', '10.2.0.9', 'abuse@isp.example', 'abuse@isp.example'],
      ['abuse@isp.example', 'high', 'summary', null, 'abuse@isp.example', ''],
      [
        'abuse@uni.example',
        'high',
        'extra',
        '10.1.3.7',
        'abuse@uni.example > abuse@isp.example',
        'abuse@uni.example',
      ],
      [
        'abuse@uni.example',
        'high',
        'extra',
        '2001:db8:1::5',
        'abuse@uni.example > abuse@isp.example',
        'abuse@uni.example',
      ],
      ['abuse@uni.example', 'high', 'summary', null, 'abuse@uni.example > abuse@isp.example', ''],
      [
        'cert@hosting.example',
        'high',
        'extra',
        '10.1.2.15',
        'cert@hosting.example > abuse@uni.example > abuse@isp.example',
        'cert@hosting.example',
      ],
      [
        'cert@hosting.example',
        'high',
        'summary',
        null,
        'cert@hosting.example > abuse@uni.example > abuse@isp.example',
        '',
      ],
    ]);
    const received = (await mail.messages()).map((m) => [
      m.to.join(','),
      [...new Set(m.text.match(/\b10\.\d+\.\d+\.\d+|2001:db8:1::5/g))].sort(),
    ]);
    expect(received.sort()).toEqual([
      ['abuse@isp.example', ['10.2.0.9']],
      ['abuse@uni.example', ['10.1.3.7']],
      ['abuse@uni.example', ['2001:db8:1::5']],
      ['cert@hosting.example', ['10.1.2.15']],
    ]);
  }, 120_000);
});

describe('a second dump: the university mailbox changed, the hosting range is gone', () => {
  let secondDb: TestDatabase;
  let before: CatalogRow[];
  let dryRun: Awaited<ReturnType<typeof importJson>>;
  let dryRunText: string;
  let afterDryRun: CatalogRow[];
  let applied: Awaited<ReturnType<typeof importJson>>;
  let after: CatalogRow[];
  let again: Awaited<ReturnType<typeof importJson>>;
  beforeAll(async () => {
    secondDb = await freshDatabase();
    await importJson(secondDb, first, { dryRun: false });
    // A hand-made group, and an operator's changes on a RIPE group (mode, one severity's e-mails).
    const catalog = path.join(dir, 'hand-made.yaml');
    writeFileSync(
      catalog,
      YAML.stringify({
        groups: [
          {
            name: 'uni-lab',
            networks: [{ cidr: '10.1.3.0/24', name: 'lab' }],
            reporting: { mode: 'both', emails: { high: ['lab@uni.example'] } },
          },
        ],
      }),
    );
    const secondEnv = isolatedEnv({ HERALD_DATABASE_URL: secondDb.url, HERALD_HOME: dir });
    const handMade = await runCli(['catalog', 'import', catalog], secondEnv);
    expect([handMade.code, handMade.stderr]).toEqual([0, '']);
    await secondDb.pool.query(
      `UPDATE group_settings SET mode = 'extra', emails_high = '{soc@uni.example}'
        WHERE group_id = (SELECT id FROM groups WHERE name = 'abuse@uni.example')`,
    );
    before = await catalogRows(secondDb);
    dryRun = await importJson(secondDb, second, { dryRun: true });
    const text = await runCli(['catalog', 'import-ripe', ...second, '--dry-run'], secondEnv);
    expect([text.code, text.stderr]).toEqual([0, '']);
    dryRunText = text.stdout;
    afterDryRun = await catalogRows(secondDb);
    applied = await importJson(secondDb, second, { dryRun: false });
    after = await catalogRows(secondDb);
    again = await importJson(secondDb, second, { dryRun: false });
  }, 120_000);
  afterAll(async () => {
    await secondDb?.drop();
  });

  it('--dry-run shows exactly those changes and changes nothing', () => {
    expect(dryRun.dryRun).toBe(true);
    expect(dryRun.diff).toEqual({
      counts: {
        groupsAdded: 0,
        groupsRemoved: 1,
        mailboxChanged: 1,
        conflicts: 0,
        groupsUnchanged: 2,
        networksAdded: 0,
        networksRemoved: 4,
        networksChanged: 0,
        networksUnchanged: 5,
      },
      groupsAdded: [],
      groupsRemoved: [{ name: 'cert@hosting.example', networks: 4 }],
      mailboxChanged: [{ from: 'abuse@uni.example', to: 'csirt@uni.example' }],
      conflicts: [],
      networksAdded: [],
      networksRemoved: ['10.1.2.10/31', '10.1.2.12/30', '10.1.2.16/30', '10.1.2.20/32'].map((network) => ({
        group: 'cert@hosting.example',
        network,
        name: 'HOSTING-RANGE',
      })),
      networksChanged: [],
    });
    expect(dryRunText).toContain(
      'groups: 0 added, 1 removed, 1 mailbox changed, 0 conflict(s), 2 unchanged\n',
    );
    expect(dryRunText).toContain(
      '  - cert@hosting.example (4 network(s))\n  ~ abuse@uni.example → csirt@uni.example\n',
    );
    expect(dryRunText).toContain('networks: 0 added, 4 removed, 0 changed, 5 unchanged\n');
    expect(dryRunText).toContain('  - 10.1.2.12/30 HOSTING-RANGE (cert@hosting.example)\n');
    expect(dryRunText).toContain('malformed objects (skipped):\n');
    expect(dryRunText).toContain(`  ${second[0]}:43: inetnum: "10.9.9.300 - 10.9.9.1" is not an IPv4 range`);
    expect(dryRunText.trimEnd().split('\n').at(-1)).toBe('dry run: nothing changed');
    expect(afterDryRun).toEqual(before);
  });

  it('applies them; the hand-made group and the operator’s settings are untouched', async () => {
    expect(applied.applied).toBe(true);
    expect(applied.diff).toEqual(dryRun.diff);
    const uniBefore = before.find((g) => g.name === 'abuse@uni.example');
    expect(after.map((g) => g.name)).toEqual([
      'abuse@isp.example',
      'abuse@sk.example',
      'csirt@uni.example',
      'uni-lab',
    ]);
    expect(after.find((g) => g.name === 'csirt@uni.example')).toEqual({
      ...uniBefore,
      name: 'csirt@uni.example',
      mode: 'extra',
      // Severities still at the old mailbox follow it; the operator's high e-mails stay.
      emails_info: ['csirt@uni.example'],
      emails_high: ['soc@uni.example'],
      emails_critical: ['csirt@uni.example'],
    });
    const handMade = before.find((g) => g.name === 'uni-lab');
    expect(handMade).toMatchObject({
      origin: 'catalog',
      mode: 'both',
      networks: ['10.1.3.0/24 lab catalog'],
    });
    expect(after.find((g) => g.name === 'uni-lab')).toEqual(handMade);
    expect(after.find((g) => g.name === 'abuse@isp.example')).toEqual(
      before.find((g) => g.name === 'abuse@isp.example'),
    );
    const whois = createWhois(await loadNetworks(secondDb.pool));
    expect(whois.lookup('10.1.2.15').chain).toEqual(['csirt@uni.example', 'abuse@isp.example']);
    expect(whois.lookup('10.1.3.7').chain).toEqual(['uni-lab', 'csirt@uni.example', 'abuse@isp.example']);
  });

  it('a re-import of the same dump changes nothing', () => {
    expect(again.diff.counts).toEqual({
      groupsAdded: 0,
      groupsRemoved: 0,
      mailboxChanged: 0,
      conflicts: 0,
      groupsUnchanged: 3,
      networksAdded: 0,
      networksRemoved: 0,
      networksChanged: 0,
      networksUnchanged: 5,
    });
  });
});

describe('--country', () => {
  let empty: TestDatabase;
  beforeAll(async () => {
    empty = await freshDatabase();
  });
  afterAll(async () => {
    await empty?.drop();
  });

  it('keeps only the ranges of that country', async () => {
    const cz = await importJson(empty, first, { dryRun: true, countries: ['cz'] });
    expect(cz.counts).toMatchObject({
      ranges: 9,
      outsideCountries: 1,
      groups: 3,
      networks: 8,
      unresolved: 1,
    });
    expect(cz.diff.groupsAdded.map((g) => g.name)).toEqual([
      'abuse@isp.example',
      'abuse@uni.example',
      'cert@hosting.example',
    ]);
    const sk = await importJson(empty, first, { dryRun: true, countries: ['SK', 'AT'] });
    expect(sk.counts).toMatchObject({
      ranges: 9,
      outsideCountries: 8,
      groups: 1,
      networks: 1,
      unresolved: 0,
    });
    expect(sk.diff.networksAdded).toEqual([
      { group: 'abuse@sk.example', network: '192.0.2.0/24', name: 'SK-NET' },
    ]);
  });

  it('refuses a country that is not a two-letter code, an unreadable file and broken gzip, changing nothing', async () => {
    const emptyEnv = isolatedEnv({ HERALD_DATABASE_URL: empty.url, HERALD_HOME: dir });
    const bad = await runCli(['catalog', 'import-ripe', ...first, '--country', 'Czechia'], emptyEnv);
    expect([bad.code, bad.stdout, bad.stderr]).toEqual([
      2,
      '',
      'herald: --country: expected a two-letter country code such as CZ, got Czechia\n',
    ]);
    const missing = path.join(dir, 'missing.db');
    await expect(importJson(empty, [...first, missing], { dryRun: false })).rejects.toThrow(
      `${missing}: cannot read (ENOENT)`,
    );
    const truncated = path.join(dir, 'truncated.gz');
    writeFileSync(truncated, gzipSync(readFileSync(second[0]!)).subarray(0, 100));
    await expect(importJson(empty, [truncated], { dryRun: false })).rejects.toThrow(
      `${truncated}: not a valid gzip file`,
    );
    expect(await catalogRows(empty)).toEqual([]);
  });
});
