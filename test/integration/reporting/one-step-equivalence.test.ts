// The one-step severity run (prepareReports: fetch, threshold, relapse and render in memory, one
// write transaction) stores exactly what the staged steps it replaces stored (collectReportEvents
// staging every hit in PostgreSQL, then renderReports): reports with their counters, tables and
// rendered mails, report events, thresholds, thresholded records, relapses and catalog hit
// counters, window after window in two databases fed the same events. Covers filters, detector
// credibility, fallback groups, extra reports, the target pass, thresholding, and a key expiring
// exactly at a run's time_h (thresholded and relapsed in the same run).
//
// The activities run in the SDK's activity context (MockActivityEnvironment: heartbeats and
// cancellation for a direct call), against real PostgreSQL databases and a real SMTP catcher.
import { MockActivityEnvironment } from '@temporalio/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvents } from '../../../db/events/ingest';
import type { Severity } from '../../../domain/reporting/severities';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { alignedPast, reportingActivities, seedCatalog } from './support';

const MIN = 60_000;
const T0 = alignedPast(2 * 24 * 60);
const at = (minutes: number) => new Date(T0.getTime() + minutes * MIN);
const severity: Severity = 'high';

let staged: TestDatabase;
let oneStep: TestDatabase;
let mail: MailCatcher;

interface Spec {
  id: string;
  ips: string[];
  abuses: string[];
  cls?: string;
  detector?: string;
  ports?: number[];
  proto?: string[];
  conn?: number | string;
  target?: { ip: string; group: string };
  minutesBefore?: number;
}

function event(spec: Spec, storedAt: Date): Record<string, unknown> {
  const detect = new Date(storedAt.getTime() - (spec.minutesBefore ?? 1) * MIN);
  return {
    Format: 'IDEA0',
    ID: spec.id,
    DetectTime: detect.toISOString(),
    EventTime: new Date(detect.getTime() - 30_000).toISOString(),
    CeaseTime: new Date(detect.getTime() - 10_000).toISOString(),
    Category: ['Attempt.Login'],
    ...(spec.conn !== undefined ? { ConnCount: spec.conn } : {}),
    Source: [{ IP4: spec.ips, Proto: spec.proto ?? ['tcp', 'SSH'] }],
    Target: [{ IP4: [spec.target?.ip ?? '198.51.100.1'], Port: spec.ports ?? [22] }],
    Node: [{ Name: 'cz.example.relay' }, { Name: spec.detector ?? 'cz.example.sensor' }],
    _Mentat: {
      ResolvedAbuses: spec.abuses,
      EventClass: spec.cls ?? 'attempt-login',
      EventSeverity: severity,
      ...(spec.target
        ? { TargetAbuses: [spec.target.group], TargetClass: 'ddos-victim', TargetSeverity: severity }
        : {}),
    },
  };
}

/** Each window's events: a key reported, thresholded, then relapsing as its suppression ends. */
const windows: { timeHigh: Date; events: Spec[] }[] = [
  {
    timeHigh: at(0),
    events: [
      { id: 'w1-a', ips: ['10.0.1.1'], abuses: ['child'], ports: [22, 8080], conn: 5 },
      {
        id: 'w1-a2',
        ips: ['10.0.1.1', '10.0.1.2'],
        abuses: ['child'],
        ports: [443],
        conn: 7,
        minutesBefore: 4,
      },
      { id: 'w1-b', ips: ['10.0.2.9'], abuses: ['parent'], cls: 'recon-scanning', proto: ['UDP'] },
      { id: 'w1-filtered', ips: ['10.0.1.3'], abuses: ['child'], ports: [25] },
      { id: 'w1-uncredible', ips: ['10.0.1.4'], abuses: ['child'], detector: 'cz.example.flaky' },
      { id: 'w1-base', ips: ['10.9.0.1'], abuses: ['parent'] },
      {
        id: 'w1-target',
        ips: ['203.0.113.5'],
        abuses: ['outsider'],
        target: { ip: '10.0.1.200', group: 'child' },
      },
    ],
  },
  {
    timeHigh: at(10),
    events: [
      { id: 'w2-a', ips: ['10.0.1.1'], abuses: ['child'], ports: [22] },
      { id: 'w2-c', ips: ['10.0.1.5'], abuses: ['child'], conn: 2 },
    ],
  },
  {
    // The key of 10.0.1.1 expires at this time_h: its new event is thresholded (live: ttl ≥ time_h)
    // and its records relapse (expired: ttl ≤ time_h), the new one among them.
    timeHigh: at(20),
    events: [
      { id: 'w3-a', ips: ['10.0.1.1'], abuses: ['child'], ports: [3389] },
      { id: 'w3-b', ips: ['10.0.2.9'], abuses: ['parent'], cls: 'recon-scanning' },
    ],
  },
  { timeHigh: at(30), events: [{ id: 'w4-a', ips: ['10.0.1.1'], abuses: ['child'] }] },
];

async function seed(pool: pg.Pool) {
  await seedCatalog(pool, {
    groups: [
      { name: 'parent', networks: [{ network: '10.0.0.0/8' }], emails: { high: ['soc@parent.test'] } },
      {
        name: 'child',
        networks: [{ network: '10.0.1.0/24' }],
        mode: 'both',
        emails: { high: ['soc@child.test'] },
      },
      {
        name: 'base',
        networks: [{ network: '10.9.0.0/16', isBase: true }],
        emails: { high: ['noc@base.test'] },
      },
      { name: 'outsider', networks: [{ network: '203.0.113.0/24' }], emails: { high: ['soc@out.test'] } },
    ],
    detectors: [{ name: 'cz.example.flaky', credibility: 0.2 }],
    filters: [{ group: 'child', name: 'no-smtp', expression: "'10.0.1.3' in sourceIPs" }],
    timings: { high: { per: 600, thr: 1200, rel: 600 } },
  });
}

async function store(pool: pg.Pool, specs: Spec[], storedAt: Date) {
  async function* records() {
    for (const [i, spec] of specs.entries()) yield { line: i + 1, value: event(spec, storedAt) };
  }
  const summary = await ingestEvents(pool, records(), { storageTime: storedAt });
  if (summary.rejected > 0) throw new Error(`ingest rejected events: ${JSON.stringify(summary.errors)}`);
}

/** Everything a severity run leaves behind, without ids and times of writing. */
async function snapshot(pool: pg.Pool) {
  const q = async (sql: string) => (await pool.query(sql)).rows;
  return {
    reports: await q(`SELECT label, run_id, group_name, type, chain, fallback, host(ip) AS ip, parent_label,
        evcount_rep, evcount_all, evcount_new, evcount_flt, evcount_flt_blk, evcount_det, evcount_det_blk,
        evcount_thr, evcount_thr_blk, evcount_rlp, filtering, mail_groups, mail_to, mail_cc, locale,
        timezone, statistics, structured_data FROM reports ORDER BY label`),
    reportEvents: await q(`SELECT r.label, e.event_id, e.storage_time, host(e.ip) AS ip, e.relapsed
        FROM report_events e JOIN reports r ON r.id = e.report_id ORDER BY 1, 2, 4`),
    outbox:
      await q(`SELECT r.label, o.message_id, o.to_addrs, o.cc_addrs, o.subject, o.text_body, o.html_body,
        o.headers, o.status FROM report_outbox o JOIN reports r ON r.id = o.report_id ORDER BY 1`),
    thresholds: await q(`SELECT group_name, severity, pass, key, threshold_time, relapse_time, ttl_time,
        report_label FROM report_thresholds ORDER BY 1, 2, 3, 4`),
    thresholded: await q(`SELECT group_name, severity, pass, key, event_id, storage_time, create_time
        FROM report_thresholded_events ORDER BY 1, 2, 3, 4, 5`),
    runHits: await q('SELECT run_id, kind, name, hits FROM report_run_hits ORDER BY 1, 2, 3'),
    catalogHits: await q(`SELECT 'filter' AS kind, name, hits FROM filters UNION ALL
        SELECT 'detector', name, hits FROM detectors ORDER BY 1, 2`),
    staging: Number((await q('SELECT count(*) AS n FROM report_staged_hits'))[0].n),
  };
}

type Activities = ReturnType<typeof reportingActivities>;

/** Runs a call inside an activity context (heartbeat, cancellation signal). */
function inActivity<T>(call: () => Promise<T>): Promise<T> {
  return new MockActivityEnvironment().run(call) as Promise<T>;
}

async function runWindow(activities: Activities, way: 'staged' | 'one-step', group: string, timeHigh: Date) {
  const input = {
    runId: `report:${group}:${severity}:${timeHigh.toISOString()}`,
    group,
    severity,
    window: { from: new Date(timeHigh.getTime() - 10 * MIN).toISOString(), to: timeHigh.toISOString() },
    testData: false,
    force: {},
    mail: {},
    runKind: 'adhoc' as const,
  };
  let result: { counters: unknown; reportCount: number; filterHits: Record<string, number> };
  if (way === 'staged') {
    const collected = await inActivity(() => activities.collectReportEvents(input));
    const rendered = await inActivity(() =>
      activities.renderReports({
        ...input,
        fetched: collected.fetched,
        filterHits: collected.filterHits,
      }),
    );
    result = { ...rendered, filterHits: collected.filterHits };
  } else result = await inActivity(() => activities.prepareReports(input));
  const rendered = result as Awaited<ReturnType<Activities['prepareReports']>>;
  await inActivity(() =>
    activities.finishReportRun({
      run: input,
      entry: {
        workflowId: input.runId,
        group,
        severity,
        window: input.window,
        testData: false,
        runKind: 'adhoc',
        result: rendered.result,
        counters: rendered.counters,
        filterHits: result.filterHits,
      },
    }),
  );
  return { counters: result.counters, reports: rendered.reports, reportCount: result.reportCount };
}

beforeAll(async () => {
  [staged, oneStep] = await Promise.all([freshDatabase(), freshDatabase()]);
  mail = await startMailCatcher({ smtpPort: 0 });
  for (const db of [staged, oneStep]) {
    await seed(db.pool);
    for (const w of windows) await store(db.pool, w.events, new Date(w.timeHigh.getTime() - 5 * MIN));
    // Storage times with microseconds, as the database stamps them.
    await db.pool.query("UPDATE events SET storage_time = storage_time + interval '123 microseconds'");
  }
});

afterAll(async () => {
  await mail?.close();
  await staged?.drop();
  await oneStep?.drop();
});

describe('one-step severity run against the staged steps', () => {
  it('stores the same reports, events, mails, thresholds and counters, window after window', async () => {
    const a = reportingActivities(staged.pool, mail.smtpUrl);
    const b = reportingActivities(oneStep.pool, mail.smtpUrl);
    const relapses: number[] = [];
    for (const w of windows)
      for (const group of ['child', 'parent']) {
        const before = await runWindow(a, 'staged', group, w.timeHigh);
        const after = await runWindow(b, 'one-step', group, w.timeHigh);
        expect(after).toEqual(before);
        const left = await snapshot(oneStep.pool);
        expect(left).toEqual(await snapshot(staged.pool));
        expect(left.staging).toBe(0);
        relapses.push(Number((after.counters as { rlp: number }).rlp));
      }
    const final = await snapshot(oneStep.pool);
    // The scenario exercised what it is about (else equality would prove little).
    expect(relapses.some((n) => n > 0)).toBe(true);
    expect(final.thresholded.length).toBeGreaterThan(0);
    expect(final.reports.map((r) => r.type)).toEqual(expect.arrayContaining(['summary', 'extra', 'target']));
    expect(final.reportEvents.some((e) => e.relapsed)).toBe(true);
    expect(final.catalogHits.every((h) => h.hits > 0)).toBe(true);
    const tables = final.reports.map((r) => JSON.stringify(r.structured_data));
    expect(tables.some((t) => t.includes('"8080"') && t.includes('"connCount":12'))).toBe(true);
  });

  it('returns the stored outcome when repeated, writing nothing more', async () => {
    const activities = reportingActivities(oneStep.pool, mail.smtpUrl);
    const timeHigh = at(40);
    await store(oneStep.pool, [{ id: 'w5-d', ips: ['10.0.1.6'], abuses: ['child'] }], at(35));
    const input = {
      runId: `report:child:${severity}:${timeHigh.toISOString()}`,
      group: 'child',
      severity,
      window: { from: at(30).toISOString(), to: timeHigh.toISOString() },
      testData: false,
      force: {},
      mail: {},
      runKind: 'adhoc' as const,
    };
    const first = await inActivity(() => activities.prepareReports(input));
    const written = await snapshot(oneStep.pool);
    const again = await inActivity(() => activities.prepareReports(input));
    expect(again).toEqual(first);
    expect(await snapshot(oneStep.pool)).toEqual(written);
    expect(first.reportCount).toBeGreaterThan(0);
    expect(first.counters.new).toBe(1);
  });
});
