// Three groups (parent network, child network, an ISP reached only as the owner of a
// base network), one low-credibility detector, one filter, events of every severity → the
// expected reports per group, severity and type, with their counters and To/Cc, received
// on a real SMTP server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_PATTERN } from '../../../domain/reporting/labels';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import type { ReportGroupResult } from '../../../workflows/report-messages';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { createTestWorker, randomTaskQueue, testClient } from '../../support/temporal';
import { alignedPast, reportingActivities, reportRows, runGroup, seedCatalog, storeEvents } from './support';

let db: TestDatabase;
let mail: MailCatcher;
let child: ReportGroupResult;
let parent: ReportGroupResult;
const timeHigh = alignedPast();
const stored = new Date(timeHigh.getTime() - 5 * 60_000);

beforeAll(async () => {
  db = await freshDatabase();
  mail = await startMailCatcher({ smtpPort: 0 });
  await seedCatalog(db.pool, {
    groups: [
      {
        name: 'parent',
        networks: [{ network: '10.0.0.0/16' }],
        mode: 'summary',
        emails: { medium: ['noc@parent.test'], high: ['soc@parent.test'] },
      },
      {
        name: 'child',
        networks: [{ network: '10.0.1.0/24' }],
        mode: 'both',
        emails: { high: ['soc@child.test'] },
      },
      {
        name: 'isp',
        networks: [{ network: '10.0.0.0/8', isBase: true }],
        emails: { info: ['abuse@isp.test'] },
      },
    ],
    detectors: [
      { name: 'cz.example.sensor', credibility: 1 },
      { name: 'cz.lowcred', credibility: 0.3 },
    ],
    filters: [{ group: 'child', name: 'noisy-host', expression: "'10.0.1.99' in sourceIPs" }],
  });
  await storeEvents(
    db.pool,
    [
      { group: 'child', severity: 'high', ip: '10.0.1.1' },
      { group: 'child', severity: 'high', ip: '10.0.1.2' },
      { group: 'child', severity: 'high', ip: '10.0.1.1', cls: 'attempt-login', category: 'Attempt.Login' },
      { group: 'child', severity: 'high', ip: '10.0.1.99' }, // filtered
      { group: 'child', severity: 'high', ip: '10.0.1.3', detector: 'cz.lowcred' }, // not credible
      { group: 'child', severity: 'high', ip: ['10.0.1.4', '10.0.1.99'] }, // one IP filtered, one reported
      { group: 'child', severity: 'low', ip: '10.0.1.10' },
      { group: 'child', severity: 'info', ip: '10.0.1.11' },
      { group: 'child', severity: 'medium', ip: '10.0.1.12' },
      { group: 'child', severity: 'critical', ip: '10.0.1.13', detector: 'cz.unknown.detector' },
      { group: 'parent', severity: 'medium', ip: '10.0.2.1' },
      { group: 'parent', severity: 'high', ip: '10.0.3.3', detector: 'cz.lowcred' },
      { group: 'child', severity: 'high', ip: '10.0.1.50', category: 'Test' }, // test data: never in a real run
    ],
    stored,
  );
  // Microsecond storage times, as clock_timestamp() stamps them (the run must keep them exact).
  await db.pool.query("UPDATE events SET storage_time = storage_time + interval '987 microseconds'");
  const taskQueue = randomTaskQueue('reporting');
  const worker = await createTestWorker({
    taskQueue,
    activities: reportingActivities(db.pool, mail.smtpUrl),
  });
  const { client, close } = await testClient();
  try {
    [child, parent] = await worker.run(() =>
      Promise.all([
        runGroup(client, taskQueue, { group: 'child', timeHigh: timeHigh.toISOString() }),
        runGroup(client, taskQueue, { group: 'parent', timeHigh: timeHigh.toISOString() }),
      ]),
    );
  } finally {
    await close();
  }
}, 120_000);

afterAll(async () => {
  await mail?.close();
  await db?.drop();
});

describe('a group run over every severity', () => {
  it('reports each due severity over [time_h − period, time_h)', () => {
    expect(child.timeHigh).toBe(timeHigh.toISOString());
    expect(Object.fromEntries(Object.entries(child.severities).map(([s, r]) => [s, r?.result]))).toEqual({
      info: 'reported',
      low: 'reported',
      medium: 'reported',
      high: 'reported',
      critical: 'reported',
    });
    expect(child.severities.high?.window).toEqual({
      from: new Date(timeHigh.getTime() - 600_000).toISOString(),
      to: timeHigh.toISOString(),
    });
    expect(child.severities.low?.window.from).toBe(new Date(timeHigh.getTime() - 86_400_000).toISOString());
    expect(child.cursors.high).toBe(timeHigh.toISOString());
    expect(Object.fromEntries(Object.entries(parent.severities).map(([s, r]) => [s, r?.result]))).toEqual({
      info: 'skipped-no-events',
      low: 'skipped-no-events',
      medium: 'reported',
      high: 'skipped-no-events',
      critical: 'skipped-no-events',
    });
  });

  it('counts per run: fetched, filtered, not credible, reported (Test events excluded)', () => {
    expect(child.severities.high?.counters).toEqual({
      new: 6,
      flt: 5,
      fltBlk: 1,
      det: 4,
      detBlk: 1,
      thr: 4,
      thrBlk: 0,
      rlp: 0,
      all: 6,
      rep: 4,
    });
    expect(parent.severities.high?.counters).toMatchObject({ new: 1, flt: 1, det: 0, detBlk: 1, rep: 0 });
  });

  it('stores summary and extra reports per chain with per-chain counters and Mentat recipients', async () => {
    const rows = await reportRows(db.pool);
    const view = rows.map((r) => [
      r.group_name,
      r.severity,
      r.type,
      r.ip,
      r.chain.join('>'),
      r.mail_to.join(','),
      r.mail_cc.join(','),
    ]);
    expect(view).toEqual([
      ['child', 'critical', 'extra', '10.0.1.13', 'child>parent', 'soc@child.test', ''],
      [
        'child',
        'critical',
        'summary',
        null,
        'child>parent',
        'soc@child.test',
        'soc@parent.test,noc@parent.test',
      ],
      ['child', 'high', 'extra', '10.0.1.1', 'child>parent', 'soc@child.test', ''],
      ['child', 'high', 'extra', '10.0.1.2', 'child>parent', 'soc@child.test', ''],
      ['child', 'high', 'extra', '10.0.1.4', 'child>parent', 'soc@child.test', ''],
      ['child', 'high', 'summary', null, 'child>parent', 'soc@child.test', 'soc@parent.test,noc@parent.test'],
      ['child', 'info', 'extra', '10.0.1.11', 'child>parent', 'abuse@isp.test', ''],
      ['child', 'info', 'summary', null, 'child>parent', 'abuse@isp.test', ''],
      ['child', 'low', 'extra', '10.0.1.10', 'child>parent', 'abuse@isp.test', ''],
      ['child', 'low', 'summary', null, 'child>parent', 'abuse@isp.test', ''],
      ['child', 'medium', 'extra', '10.0.1.12', 'child>parent', 'abuse@isp.test', ''],
      ['child', 'medium', 'summary', null, 'child>parent', 'noc@parent.test', ''],
      ['parent', 'medium', 'summary', null, 'parent', 'noc@parent.test', ''],
    ]);
    const highSummary = rows.find(
      (r) => r.group_name === 'child' && r.severity === 'high' && r.type === 'summary',
    )!;
    expect(highSummary).toMatchObject({
      evcount_new: 6,
      evcount_flt_blk: 1,
      evcount_det_blk: 1,
      evcount_thr_blk: 0,
      evcount_rep: 4,
      evcount_all: 6,
    });
    const extra = rows.find((r) => r.ip === '10.0.1.1')!;
    expect(extra).toMatchObject({ evcount_rep: 2, evcount_all: 4, parent_label: highSummary.label });
    for (const r of rows) expect(r.label).toMatch(LABEL_PATTERN);
    const data = await db.pool.query(
      "SELECT structured_data->'regular' AS regular FROM reports WHERE label = $1",
      [highSummary.label],
    );
    expect(Object.keys(data.rows[0].regular).sort()).toEqual(['attempt-login', 'recon-scanning']);
    expect(data.rows[0].regular['recon-scanning']['10.0.1.1']).toMatchObject({
      count: 1,
      detectors: ['cz.example.sensor'],
    });
    expect(highSummary.label.slice(0, 11)).toBe(
      `M${timeHigh.toISOString().slice(0, 10).replaceAll('-', '')}SH`,
    );
  });

  it('mails every report once with its stable Message-ID, Mentat subject and headers', async () => {
    const messages = await mail.messages();
    const rows = await reportRows(db.pool);
    expect(messages).toHaveLength(rows.length);
    const summary = messages.find(
      (m) =>
        m.headers['x-mentat-report-type'] === 'summary' && m.headers['x-mentat-report-severity'] === 'high',
    )!;
    const label = summary.headers['x-mentat-report-id']!;
    expect(summary.messageId).toBe(`<${label}@csirt.test>`);
    expect(summary.subject).toBe(`[${label}] High - Notice about possible problems in your network`);
    expect(summary.to).toEqual(['soc@child.test']);
    expect(summary.cc.sort()).toEqual(['noc@parent.test', 'soc@parent.test']);
    expect(summary.text).toContain('10.0.1.1');
    const extra = messages.find((m) => m.headers['x-mentat-report-src-ip'] === '10.0.1.2')!;
    expect(extra.subject).toMatch(
      /^\[M\d{8}EH-[A-Z0-9]{5}\] High - Notice about possible problems regarding host 10\.0\.1\.2$/,
    );
    expect(extra.headers['x-mentat-report-parent-id']).toBe(label);
  });

  it('charges the filter and the blocking detector once, and logs the filter hit on the summary', async () => {
    const filters = await db.pool.query("SELECT hits FROM filters WHERE name = 'noisy-host'");
    expect(Number(filters.rows[0].hits)).toBe(2);
    const detectors = await db.pool.query("SELECT hits FROM detectors WHERE name = 'cz.lowcred'");
    expect(Number(detectors.rows[0].hits)).toBe(2);
    const ledger = await db.pool.query(
      "SELECT severity, result, filter_hits FROM report_runs WHERE group_name = 'child' ORDER BY severity",
    );
    expect(ledger.rows).toHaveLength(5);
    expect(ledger.rows.find((r) => r.severity === 'high').filter_hits).toEqual({ 'child/noisy-host': 2 });
  });
});
