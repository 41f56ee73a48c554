// CESNET Mentat's own unit tests with an observable reporting outcome (lib/mentat/reports/
// test_utils.py and test_event.py, lib/mentat/services/test_eventstorage.py and test_whois.py,
// lib/mentat/stats/test_idea.py), replayed on herald's real stack: the catalog (groups,
// networks, filters, detectors, event classes) and the IDEA events are files, imported with
// `herald catalog import` and `herald events ingest`; every run is `herald run --wait --json`, and
// reports are read with `herald reports list|show`. Each test's title names the Mentat file and
// test it mirrors. Where herald deliberately differs, the title says so and the test asserts
// herald's behaviour as docs/mentat.md describes it.
//
// Each test uses its own group and network and its own days in the past (runs may name any past
// time_h), so no test sees another's events, cursors or thresholds.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { RunJsonSeverity } from '../../../client/reporting/run-output';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { randomTaskQueue, startTestWorker } from '../../support/temporal';
import { cliEnv, herald } from './cli';
import { reportingActivities } from './support';

const DAY = 86_400_000;
const MIN = 60_000;

const SCANNING = {
  en: 'The machine performed some type of active scanning.',
  cs: 'Stroj se pokoušel o nějakou formu aktivního skenování.',
};
const SCANNING_REFERENCE = 'https://csirt.cesnet.cz/cs/services/eventclass/recon-scanning';

// Mentat's test catalog (test_event.py setUp), one group per test.
const catalog = {
  event_classes: [
    {
      name: 'recon-scanning',
      rule: '"Recon.Scanning" in Category',
      severity: 'low',
      labels: SCANNING,
      reference: SCANNING_REFERENCE,
      displayed: {
        main: ['ConnCount', 'FlowCount', 'protocols', 'Ref'],
        source: ['Port'],
        target: ['Port', 'ips'],
      },
    },
    {
      name: 'fraud-phishing',
      rule: '"Fraud.Phishing" in Category',
      severity: 'medium',
      labels: { en: 'Phishing attempt.', cs: 'Pokus o phishing.' },
      reference: 'https://csirt.cesnet.cz/cs/services/eventclass/fraud-phishing',
    },
    {
      name: 'recon-scanning-target',
      rule: '"Recon.Scanning" in Category',
      severity: 'low',
      source_based: false,
      labels: { en: 'Your IP range was scanned.', cs: 'Váš IP rozsah byl skenován.' },
      reference: 'https://csirt.cesnet.cz/cs/services/eventclass/recon-scanning-target',
      displayed: {
        main: ['ConnCount', 'FlowCount', 'protocols', 'Ref'],
        source: ['ips', 'Port'],
        target: ['Port'],
      },
    },
  ],
  // test_09's detectors (their own names: the other tests' detectors are not in the catalog, so
  // credibility 1, as Mentat's filter and render tests run without the credibility step).
  detectors: [
    { name: 'cred.kippo_honey', credibility: 0.72 },
    { name: 'cred.dionaea', credibility: 0.36 },
  ],
  groups: [
    {
      name: 'abuse',
      networks: [{ cidr: '10.0.0.0/8', name: 'UNET1' }],
      reporting: { emails: { low: ['abuse@abuse.test'] } },
      filters: [
        { name: 'FLT1', type: 'basic', detectors: ['org.example.kippo_honey'] },
        { name: 'FLT2', type: 'basic', sources: ['10.0.0.0/24'] },
        { name: 'FLT3', type: 'basic', sources: ['10.0.1.0/28'] },
      ],
    },
    {
      name: 'plain',
      networks: [{ cidr: '172.17.0.0/16' }],
      reporting: { emails: { low: ['soc@plain.test'] } },
    },
    {
      name: 'info',
      networks: [{ cidr: '172.18.0.0/16' }],
      reporting: { emails: { info: ['soc@info.test'] } },
    },
    {
      name: 'victim',
      networks: [{ cidr: '172.19.0.0/16' }],
      reporting: { emails: { low: ['soc@victim.test'] } },
    },
    {
      name: 'ranges',
      networks: [{ cidr: '192.168.0.0/24' }],
      reporting: { emails: { low: ['soc@ranges.test'] } },
    },
    {
      name: 'render',
      networks: [{ cidr: '172.20.0.0/16' }],
      reporting: { emails: { low: ['soc@render.test'] }, mode: 'both', attachments: 'json' },
    },
    {
      name: 'cred',
      networks: [{ cidr: '172.21.0.0/16' }],
      reporting: { emails: { low: ['soc@cred.test'] } },
    },
    {
      name: 'keys',
      networks: [{ cidr: '172.22.0.0/16' }],
      reporting: { emails: { low: ['soc@keys.test'] } },
    },
    // test_whois.py's networks (its ranges are these exact CIDRs).
    {
      name: 'muni',
      networks: [{ cidr: '195.178.86.0/23' }, { cidr: '147.251.0.0/16' }, { cidr: '2001:718:800:5::/64' }],
      reporting: { emails: { low: ['abuse@muni.test'] } },
    },
    {
      name: 'cesnet',
      networks: [
        { cidr: '195.179.86.0/23' },
        { cidr: '195.179.0.0/16' },
        { cidr: '147.252.0.0/16' },
        { cidr: '2001:718:1:6::/64' },
      ],
      reporting: { emails: { low: ['abuse@cesnet.test'] } },
    },
    {
      name: 'relapse',
      networks: [{ cidr: '172.23.0.0/16' }],
      reporting: { emails: { low: ['soc@relapse.test'], critical: ['soc@relapse.test'] } },
    },
    {
      name: 'fetch',
      networks: [{ cidr: '172.16.0.0/16' }],
      reporting: { emails: { low: ['soc@fetch.test'], medium: ['soc@fetch.test'] } },
    },
  ],
};

let db: TestDatabase;
let mail: MailCatcher;
let env: NodeJS.ProcessEnv;
let home: string;
let stopWorker: () => Promise<void>;

beforeAll(async () => {
  db = await freshDatabase();
  mail = await startMailCatcher({ smtpPort: 0 });
  home = mkdtempSync(path.join(tmpdir(), 'herald-mentat-tests-'));
  const taskQueue = randomTaskQueue('mentat-tests');
  env = cliEnv(db.url, taskQueue, home);
  await cli(['catalog', 'import', file('catalog.yaml', YAML.stringify(catalog))]);
  stopWorker = await startTestWorker({ taskQueue, activities: reportingActivities(db.pool, mail.smtpUrl) });
}, 120_000);

afterAll(async () => {
  await stopWorker?.();
  await mail?.close();
  await db?.drop();
  if (home) rmSync(home, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const at = path.join(home, name);
  writeFileSync(at, text);
  return at;
}

async function cli(args: string[]): Promise<string> {
  const result = await herald(args, env);
  if (result.code !== 0) throw new Error(`herald ${args.join(' ')}: exit ${result.code}\n${result.stderr}`);
  return result.stdout;
}

/** UTC midnight `days` days before today: every test reports its own days in the past. */
function daysAgo(days: number): Date {
  return new Date(Math.floor(Date.now() / DAY) * DAY - days * DAY);
}

type Idea = Record<string, unknown>;

/** An IDEA event as Mentat's tests write them (classes and severities given in _Mentat). */
function idea(id: string, fields: Idea, mentat: Idea): Idea {
  return {
    Format: 'IDEA0',
    ID: `${id}-${randomUUID().slice(0, 8)}`,
    DetectTime: '2018-01-01T13:00:00Z',
    Category: ['Recon.Scanning'],
    Node: [{ Name: 'org.example.dionaea', SW: ['Dionaea'] }],
    ...fields,
    _Mentat: { EventClass: 'recon-scanning', EventSeverity: 'low', ...mentat },
  };
}

async function ingest(events: Idea[], storageTime: Date): Promise<void> {
  const ndjson = `${events.map((e) => JSON.stringify(e)).join('\n')}\n`;
  const summary = JSON.parse(
    await cli([
      'events',
      'ingest',
      file(`${randomUUID()}.ndjson`, ndjson),
      '--storage-time',
      storageTime.toISOString(),
      '--json',
    ]),
  );
  expect(summary).toMatchObject({ accepted: events.length, rejected: 0 });
}

/** `herald run --wait --json` of one group at time_h; the result per severity. */
async function run(
  group: string,
  timeHigh: Date,
  severities: string[],
  options: string[] = [],
): Promise<Record<string, RunJsonSeverity>> {
  const out = await cli([
    'run',
    '--group',
    group,
    '--time-high',
    timeHigh.toISOString(),
    ...severities.flatMap((s) => ['--severity', s]),
    ...options,
    '--wait',
    '--json',
  ]);
  return JSON.parse(out).runs[0].severities;
}

const brief = (s: RunJsonSeverity | undefined) =>
  (s?.reports ?? []).map((r) => ({ type: r.type, ip: r.ip, to: r.to })).sort(byTypeThenIp);
const byTypeThenIp = (a: { type: string; ip: string | null }, b: { type: string; ip: string | null }) =>
  `${a.type} ${a.ip}`.localeCompare(`${b.type} ${b.ip}`);

interface ShownReport {
  label: string;
  type: string;
  ip: string | null;
  locale: string;
  mailTo: string[];
  filtering: Record<string, number> | null;
  statistics: Record<string, unknown>;
  text: string | null;
}

async function show(label: string): Promise<ShownReport> {
  return JSON.parse(await cli(['reports', 'show', label, '--json']));
}

function labelOf(s: RunJsonSeverity | undefined, type: string, ip: string | null = null): string {
  const report = s?.reports.find((r) => r.type === type && r.ip === ip);
  if (!report) throw new Error(`no ${type} report ${ip ?? ''} in ${JSON.stringify(s?.reports)}`);
  return report.label;
}

describe("Mentat's unit tests on herald", () => {
  it('test_utils.py test_04_reporting_settings and test_event.py test_06_render_report_summary: a group without settings reports in mode extra; force_mode and force_locale override it', async () => {
    const T = daysAgo(300);
    await ingest(
      [idea('plain', { Source: [{ IP4: ['172.17.0.1', '172.17.0.2'] }] }, {})],
      new Date(T.getTime() - 5 * MIN),
    );
    const low = (await run('plain', T, ['low'])).low;
    expect(low?.result).toBe('reported');
    // mode extra: one mail per source IP; the summary is stored, but nobody wants it by mail.
    expect(brief(low)).toEqual([
      { type: 'extra', ip: '172.17.0.1', to: ['soc@plain.test'] },
      { type: 'extra', ip: '172.17.0.2', to: ['soc@plain.test'] },
      { type: 'summary', ip: null, to: [] },
    ]);

    const next = new Date(T.getTime() + DAY);
    await ingest(
      [idea('plain-forced', { Source: [{ IP4: ['172.17.0.3'] }] }, {})],
      new Date(next.getTime() - 5 * MIN),
    );
    const forced = (await run('plain', next, ['low'], ['--force-mode', 'both', '--force-locale', 'cs'])).low;
    expect(brief(forced)).toEqual([
      { type: 'extra', ip: '172.17.0.3', to: ['soc@plain.test'] },
      { type: 'summary', ip: null, to: ['soc@plain.test'] },
    ]);
    const summary = await show(labelOf(forced, 'summary'));
    expect(summary.locale).toBe('cs');
    expect(summary.text).toContain(SCANNING.cs);
  }, 120_000);

  it("test_utils.py test_04_reporting_settings: timing_cfg is Mentat's default table (info per 1 day, thr 28 days, rel 7 days; thr_target = rel_target = 0)", async () => {
    const exported = YAML.parse(await cli(['catalog', 'export']));
    expect(exported.settings.timings).toEqual({
      info: { per: '1day', thr: '4weeks', rel: '1week', thr_target: 'none', rel_target: 'none' },
      low: { per: '1day', thr: '6days', rel: '2days', thr_target: 'none', rel_target: 'none' },
      medium: { per: '2hrs', thr: '6days', rel: '2days', thr_target: 'none', rel_target: 'none' },
      high: { per: '10mins', thr: '1day', rel: '12hrs', thr_target: 'none', rel_target: 'none' },
      critical: { per: '10mins', thr: '2hrs', rel: 'none', thr_target: 'none', rel_target: 'none' },
    });
  });

  it('test_utils.py test_04_reporting_settings: an info key stays suppressed for 28 days, its last 7 days the relapse window', async () => {
    const T = daysAgo(270);
    const event = () => idea('info', { Source: [{ IP4: ['172.18.0.1'] }] }, { EventSeverity: 'info' });
    await ingest([event()], new Date(T.getTime() - 5 * MIN));
    expect((await run('info', T, ['info'])).info).toMatchObject({ result: 'reported', counters: { rep: 1 } });
    const { rows } = await db.pool.query(
      `SELECT extract(epoch FROM ttl_time - threshold_time)::int AS thr, extract(epoch FROM ttl_time - relapse_time)::int AS rel
         FROM report_thresholds WHERE group_name = 'info'`,
    );
    expect(rows).toEqual([{ thr: 28 * 86400, rel: 7 * 86400 }]);
    // Eight days later (past low's six): the same key is still suppressed.
    const later = new Date(T.getTime() + 8 * DAY);
    await ingest([event()], new Date(later.getTime() - 5 * MIN));
    expect((await run('info', later, ['info'])).info).toMatchObject({ counters: { thrBlk: 1, rep: 0 } });
  }, 120_000);

  it('test_utils.py test_04_reporting_settings: thr_target = 0, a target key is reported again in the next window', async () => {
    const T = daysAgo(240);
    const event = () =>
      idea(
        'target',
        { Source: [{ IP4: ['203.0.113.7'] }], Target: [{ IP4: ['172.19.0.10'] }] },
        { TargetClass: 'recon-scanning-target', TargetSeverity: 'low' },
      );
    await ingest([event()], new Date(T.getTime() - 5 * MIN));
    const first = (await run('victim', T, ['low'])).low;
    expect(brief(first)).toEqual([{ type: 'target', ip: null, to: ['soc@victim.test'] }]);
    const next = new Date(T.getTime() + DAY);
    await ingest([event()], new Date(next.getTime() - 5 * MIN));
    const second = (await run('victim', next, ['low'])).low;
    expect(second).toMatchObject({ result: 'reported', counters: { thrBlk: 0 } });
    expect(brief(second)).toEqual([{ type: 'target', ip: null, to: ['soc@victim.test'] }]);
  }, 120_000);

  it('test_utils.py test_01_generate_cache_keys and test_03_storage_thr_cache, herald differs (docs/mentat.md, "Ranges as networks"): a range is keyed and reported as its CIDR networks; a network written as such is its own key', async () => {
    const T = daysAgo(210);
    await ingest(
      [idea('range', { Source: [{ IP4: ['192.168.0.2-192.168.0.5'] }] }, {})],
      new Date(T.getTime() - 5 * MIN),
    );
    const first = (await run('ranges', T, ['low'])).low;
    // Mentat: one key and one extra report for "192.168.0.2-192.168.0.5".
    expect(brief(first)).toEqual([
      { type: 'extra', ip: '192.168.0.2/31', to: ['soc@ranges.test'] },
      { type: 'extra', ip: '192.168.0.4/31', to: ['soc@ranges.test'] },
      { type: 'summary', ip: null, to: [] },
    ]);
    const { rows } = await db.pool.query(
      "SELECT key FROM report_thresholds WHERE group_name = 'ranges' ORDER BY key",
    );
    expect(rows.map((r) => r.key)).toEqual([
      'recon-scanning+++192.168.0.2/31',
      'recon-scanning+++192.168.0.4/31',
    ]);

    // As Mentat: thresholding the range does not threshold 192.168.0.0/25 …
    const day2 = new Date(T.getTime() + DAY);
    await ingest(
      [idea('net', { Source: [{ IP4: ['192.168.0.0/25'] }] }, {})],
      new Date(day2.getTime() - 5 * MIN),
    );
    const second = (await run('ranges', day2, ['low'])).low;
    expect(brief(second)).toEqual([
      { type: 'extra', ip: '192.168.0.0/25', to: ['soc@ranges.test'] },
      { type: 'summary', ip: null, to: [] },
    ]);
    // … and once set, 192.168.0.0/25 is thresholded. herald also suppresses the narrower range
    // 192.168.0.2-192.168.0.3 (= 192.168.0.2/31); Mentat would report it as a new key.
    const day3 = new Date(T.getTime() + 2 * DAY);
    await ingest(
      [
        idea('net-again', { Source: [{ IP4: ['192.168.0.0/25'] }] }, {}),
        idea('narrower', { Source: [{ IP4: ['192.168.0.2-192.168.0.3'] }] }, {}),
      ],
      new Date(day3.getTime() - 5 * MIN),
    );
    const third = (await run('ranges', day3, ['low'])).low;
    expect(third).toMatchObject({ counters: { thrBlk: 2, rep: 0 } });
    expect(third?.reports).toEqual([]);
  }, 180_000);

  it('test_event.py test_03_filter_events (an address keeps its prefix, 10.0.0.0/22) and stats/test_idea.py test_06_evaluate_events (statistics count events): reports list and show print 192.168.0.0/25, and an event with two IPs counts once', async () => {
    const T = daysAgo(180);
    await ingest(
      [idea('stats', { Source: [{ IP4: ['192.168.0.0/25', '192.168.0.200'] }] }, {})],
      new Date(T.getTime() - 5 * MIN),
    );
    const low = (await run('ranges', T, ['low'])).low;
    const extra = await show(labelOf(low, 'extra', '192.168.0.0/25'));
    expect(extra.ip).toBe('192.168.0.0/25');
    const listed = JSON.parse(await cli(['reports', 'list', '--group', 'ranges', '--json'])).reports;
    expect(listed.filter((r: { label: string }) => r.label === extra.label)).toEqual([
      expect.objectContaining({ ip: '192.168.0.0/25' }),
    ]);
    const summary = await show(labelOf(low, 'summary'));
    expect(summary.statistics).toMatchObject({
      cnt_events: 1,
      cnt_ips: 2,
      classes: { 'recon-scanning': 1 },
      sources: { '192.168.0.0/25': 1, '192.168.0.200': 1 },
    });
  }, 120_000);

  it('test_event.py test_03_filter_events: FLT1 drops the kippo event, FLT2 and FLT3 drop some sources of the other; 10.0.2.1 and 10.0.0.0/22 are reported', async () => {
    const T = daysAgo(150);
    await ingest(
      [
        idea(
          'msg01',
          {
            DetectTime: '2018-01-01T12:00:00Z',
            Category: ['Fraud.Phishing'],
            Source: [{ IP4: ['10.0.0.1'], Proto: ['ssh'] }],
            Node: [{ Name: 'org.example.kippo_honey', SW: ['Kippo'] }],
          },
          { EventClass: 'fraud-phishing' },
        ),
        idea(
          'msg02',
          {
            ConnCount: 42,
            Source: [{ IP4: ['10.0.1.2-10.0.1.5', '10.0.0.0/25', '10.0.0.0/22', '10.0.2.1'], Port: [22] }],
          },
          {},
        ),
      ],
      new Date(T.getTime() - 5 * MIN),
    );
    const low = (await run('abuse', T, ['low'])).low;
    expect(low?.counters).toMatchObject({ new: 2, fltBlk: 1, rep: 1 });
    expect(brief(low)).toEqual([
      { type: 'extra', ip: '10.0.0.0/22', to: ['abuse@abuse.test'] },
      { type: 'extra', ip: '10.0.2.1', to: ['abuse@abuse.test'] },
      { type: 'summary', ip: null, to: [] },
    ]);
    expect((await show(labelOf(low, 'summary'))).filtering).toEqual({
      'abuse/FLT1': 1,
      'abuse/FLT2': 1,
      'abuse/FLT3': 1,
    });
  }, 120_000);

  it('test_event.py test_04_fetch_severity_events: a run fetches the events of its severity, source and target apart, and only inside its window', async () => {
    const T = daysAgo(120);
    await ingest(
      [
        idea(
          'msg01',
          {
            Category: ['Fraud.Phishing'],
            Source: [{ IP4: ['172.16.0.1'] }],
            Target: [{ IP4: ['172.16.10.0/24'] }],
          },
          { EventClass: 'fraud-phishing', TargetClass: 'fraud-phishing-target', TargetSeverity: 'medium' },
        ),
        idea(
          'msg02',
          { Source: [{ IP4: ['172.16.0.2'] }], Target: [{ IP4: ['172.16.11.0/24'] }] },
          { TargetClass: 'recon-scanning-target', TargetSeverity: 'low' },
        ),
      ],
      new Date(T.getTime() - 5 * MIN),
    );
    // A window that ends before the events were stored fetches nothing.
    const before = await run('fetch', new Date(T.getTime() - DAY), ['low']);
    expect(before.low?.result).toBe('skipped-no-events');
    const runs = await run('fetch', T, ['low', 'medium', 'high']);
    expect(brief(runs.low)).toEqual([
      { type: 'extra', ip: '172.16.0.1', to: ['soc@fetch.test'] },
      { type: 'extra', ip: '172.16.0.2', to: ['soc@fetch.test'] },
      { type: 'summary', ip: null, to: [] },
      { type: 'target', ip: null, to: ['soc@fetch.test'] },
    ]);
    const lowTarget = await show(labelOf(runs.low, 'target'));
    expect(lowTarget.text).toContain('172.16.11.0/24');
    expect(lowTarget.text).not.toContain('172.16.10.0/24');
    expect(brief(runs.medium)).toEqual([{ type: 'target', ip: null, to: ['soc@fetch.test'] }]);
    expect((await show(labelOf(runs.medium, 'target'))).text).toContain('172.16.10.0/24');
    expect(runs.high?.result).toBe('skipped-no-events');
  }, 120_000);

  it('test_event.py test_07_render_report_extra and test_08_render_report_target, herald differs (docs/mentat.md, "Report body"): the fixed facts per IP, the other side\'s addresses in the attachment', async () => {
    const T = daysAgo(90);
    await ingest(
      [
        idea(
          'msg02',
          {
            ConnCount: 42,
            Source: [{ IP4: ['172.20.2.1'], Port: [22] }],
            Target: [{ IP4: ['172.20.9.0/24', '11.2.2.0/24'], IP6: ['2004:ffff::ff00:42:0/112'] }],
          },
          { TargetClass: 'recon-scanning-target', TargetSeverity: 'low' },
        ),
      ],
      new Date(T.getTime() - 5 * MIN),
    );
    const low = (await run('render', T, ['low'])).low;
    const extra = await show(labelOf(low, 'extra', '172.20.2.1'));
    for (const shown of [
      SCANNING.en,
      SCANNING_REFERENCE,
      '172.20.2.1',
      'First seen: 1 Jan 2018, 13:00:00 UTC',
      'Detectors: org.example.dionaea',
      'Connections: 42',
    ])
      expect(extra.text).toContain(shown);
    // Mentat lists "Target IP addresses" (displayed_target: ips) in the body; herald attaches them.
    expect(extra.text).not.toContain('11.2.2.0/24');
    const attached = await cli(['reports', 'show', extra.label, '--attachment']);
    expect(attached).toContain('11.2.2.0/24');
    expect(attached).toContain('2004:ffff::ff00:42:0/112');

    const target = await show(labelOf(low, 'target'));
    for (const shown of [
      'Your IP range was scanned.',
      '172.20.9.0/24',
      'First seen: 1 Jan 2018, 13:00:00 UTC',
      'Detectors: org.example.dionaea',
    ])
      expect(target.text).toContain(shown);
    // Mentat lists "Source IP addresses" (displayed_source: ips) in a target report's body.
    expect(target.text).not.toContain('172.20.2.1');
    expect(await cli(['reports', 'show', target.label, '--attachment'])).toContain('172.20.2.1');
  }, 120_000);

  it('test_event.py test_09_filter_events_by_credibility: the 0.36 detector is blocked and charged, an unknown detector counts as credible', async () => {
    const T = daysAgo(60);
    const node = (name: string) => ({ Node: [{ Name: name, SW: ['x'] }] });
    await ingest(
      [
        idea('ev1', { Source: [{ IP4: ['172.21.0.1'] }], ...node('cred.kippo_honey') }, {}),
        idea('ev2', { Source: [{ IP4: ['172.21.0.1', '172.21.0.2'] }], ...node('cred.dionaea') }, {}),
        idea('ev3', { Source: [{ IP4: ['172.21.0.3'] }], ...node('cred.new_detector') }, {}),
      ],
      new Date(T.getTime() - 5 * MIN),
    );
    const low = (await run('cred', T, ['low'])).low;
    expect(low?.counters).toMatchObject({ detBlk: 1, rep: 2 });
    expect(brief(low).map((r) => r.ip)).toEqual(['172.21.0.1', '172.21.0.3', null]);
    const { rows } = await db.pool.query(
      "SELECT name, hits FROM detectors WHERE name LIKE 'cred.%' ORDER BY name",
    );
    expect(rows).toEqual([
      { name: 'cred.dionaea', hits: 1 },
      { name: 'cred.kippo_honey', hits: 0 },
    ]);
  }, 120_000);

  it('test_utils.py test_01_generate_cache_keys: a class/subclass key for the source pass; the target key expires with its window (thr_target = 0)', async () => {
    const T = daysAgo(30);
    await ingest(
      [
        idea(
          'subclass',
          { Category: ['Vulnerable.Config'], Source: [{ IP4: ['172.22.0.1'] }] },
          { EventClass: 'vulnerable-implementation', EventSubclass: ['cvr:73'] },
        ),
        idea(
          'target-subclass',
          {
            Category: ['Anomaly.Traffic'],
            Source: [{ IP4: ['198.18.0.1'] }],
            Target: [{ IP4: ['172.22.0.2'] }],
          },
          {
            EventClass: 'anomaly-traffic',
            TargetClass: 'anomaly-traffic-target',
            TargetSubclass: ['123'],
            TargetSeverity: 'low',
          },
        ),
      ],
      new Date(T.getTime() - 5 * MIN),
    );
    const low = (await run('keys', T, ['low'])).low;
    expect(brief(low).map((r) => r.type)).toEqual(['extra', 'summary', 'target']);
    // The target key (anomaly-traffic-target/123+++172.22.0.2) expires with its window
    // (thr_target = 0), so only the source key is kept.
    const { rows } = await db.pool.query(
      "SELECT pass, key FROM report_thresholds WHERE group_name = 'keys' ORDER BY pass, key",
    );
    expect(rows).toEqual([{ pass: 'source', key: 'vulnerable-implementation/cvr:73+++172.22.0.1' }]);
  }, 120_000);

  it('test_whois.py test_01_basic, test_02_sql: an address resolves to the group whose network holds it, or to none', async () => {
    const T = daysAgo(20);
    await ingest(
      [
        idea(
          'whois',
          {
            Source: [
              {
                IP4: ['195.179.86.10', '95.179.86.10', '147.251.0.30', '47.251.0.30'],
                IP6: ['2001:718:1:6::134:183'],
              },
            ],
          },
          {},
        ),
      ],
      new Date(T.getTime() - 5 * MIN),
    );
    const cesnet = (await run('cesnet', T, ['low'])).low;
    expect(brief(cesnet).filter((r) => r.type === 'extra')).toEqual([
      { type: 'extra', ip: '195.179.86.10', to: ['abuse@cesnet.test'] },
      { type: 'extra', ip: '2001:718:1:6::134:183', to: ['abuse@cesnet.test'] },
    ]);
    const muni = (await run('muni', T, ['low'])).low;
    expect(brief(muni).filter((r) => r.type === 'extra')).toEqual([
      { type: 'extra', ip: '147.251.0.30', to: ['abuse@muni.test'] },
    ]);
  }, 120_000);

  it('test_eventstorage.py test_13_relapse: only a key with an event in its relapse window relapses, with every event since its report; with rel = 0 nothing relapses', async () => {
    const D = daysAgo(10);
    const at = (days: number) => new Date(D.getTime() + days * DAY);
    const event = (ip: string, severity = 'low') =>
      idea('relapse', { Source: [{ IP4: [ip] }] }, { EventSeverity: severity });
    // low: thr 6 days, the last 2 of them the relapse window [D + 4d, D + 6d).
    await ingest([event('172.23.0.1'), event('172.23.0.2')], new Date(D.getTime() - 5 * MIN));
    expect((await run('relapse', D, ['low'])).low).toMatchObject({ counters: { rep: 2 } });
    // Both keys see an event before their relapse window …
    await ingest([event('172.23.0.1'), event('172.23.0.2')], new Date(at(2).getTime() - 5 * MIN));
    expect((await run('relapse', at(2), ['low'])).low).toMatchObject({ counters: { thrBlk: 2, rep: 0 } });
    // … only 172.23.0.1 one inside it.
    await ingest([event('172.23.0.1')], new Date(at(5).getTime() - 5 * MIN));
    expect((await run('relapse', at(5), ['low'])).low).toMatchObject({ counters: { thrBlk: 1, rep: 0 } });
    const expired = (await run('relapse', at(6), ['low'])).low;
    expect(expired).toMatchObject({ counters: { rlp: 2 } });
    expect(brief(expired)).toEqual([
      { type: 'extra', ip: '172.23.0.1', to: ['soc@relapse.test'] },
      { type: 'summary', ip: null, to: [] },
    ]);

    // critical: thr 2 hours, rel 0: an event suppressed up to the end is not a relapse.
    const C = at(7);
    await ingest([event('172.23.0.3', 'critical')], new Date(C.getTime() - 5 * MIN));
    expect((await run('relapse', C, ['critical'])).critical).toMatchObject({ counters: { rep: 1 } });
    const later = new Date(C.getTime() + 2 * 3_600_000);
    await ingest([event('172.23.0.3', 'critical')], new Date(later.getTime() - 5 * MIN));
    const end = (await run('relapse', later, ['critical'])).critical;
    expect(end?.counters).toMatchObject({ thrBlk: 1, rlp: 0 });
  }, 180_000);
});
