// Step 4, render: turns the staged hits into reports (summary/extra/target per chain), and writes
// in ONE transaction the report rows, their events, the threshold updates and one outbox row per
// mail (fixes W-2). Idempotent: labels derive from the run (labels.ts); a repeated call finds the
// run's reports and returns them.

import { gzipSync } from 'node:zlib';
import { Context } from '@temporalio/activity';
import { inTransaction } from '../../db/pool';
import { loadGlobalSettings, loadGroups, loadTimings } from '../../db/reporting/catalog';
import {
  aggregateRunEvents,
  type EventAggregateRow,
  freeLabel,
  insertOutbox,
  insertReport,
  insertReportEvents,
  loadAttachmentSettings,
  loadClassInfo,
  type OutboxAttachment,
  reportEventsJson,
  reportsOfRun,
} from '../../db/reporting/reports';
import { loadStaged, type StagedHitRow } from '../../db/reporting/staging';
import { upsertThresholds } from '../../db/reporting/thresholds';
import {
  addCounters,
  type ChainResult,
  type Counters,
  chainResults,
  countersOf,
  type Hit,
  type RelapseHit,
  ZERO_COUNTERS,
} from '../../domain/reporting/chains';
import { reportKey } from '../../domain/reporting/labels';
import { resolveRecipients } from '../../domain/reporting/recipients';
import {
  type GroupReportSettings,
  type PlannedReport,
  planReports,
} from '../../domain/reporting/report-plan';
import { type Pass, thresholdTimes } from '../../domain/reporting/threshold-key';
import {
  type ClassTable,
  earlierMessageIds,
  mentatHeaders,
  type ReportData,
  renderReport,
} from '../../emails/render-report';
import { REPORT_TEMPLATES } from '../../emails/templates';
import type { ActivityDeps } from '../deps';
import { REPORT_REF_LIMIT, type RenderResult, type ReportRef, type SeverityRunInput } from './types';

export interface RenderInput extends SeverityRunInput {
  fetched: { source: number; target: number };
  filterHits: Record<string, number>;
}

const PASSES: Pass[] = ['source', 'target'];

/** Counters of the whole run (both passes) and the chains of each pass. */
export function passResults(staged: readonly StagedHitRow[], fetched: Record<Pass, number>) {
  let counters: Counters = { ...ZERO_COUNTERS };
  const chains = {} as Record<Pass, ChainResult[]>;
  for (const pass of PASSES) {
    const hits: Hit[] = [];
    const relapses: RelapseHit[] = [];
    for (const row of staged) {
      if (row.pass !== pass) continue;
      if (!row.relapsed)
        hits.push({
          eventId: row.eventId,
          ip: row.ip,
          chain: row.chain,
          fallback: row.fallback,
          stage: row.stage,
        });
      else if (row.stage === 'passed')
        relapses.push({ eventId: row.eventId, ip: row.ip, chain: row.chain, fallback: row.fallback });
    }
    counters = addCounters(counters, countersOf(hits, relapses, fetched[pass]));
    chains[pass] = chainResults(hits, relapses);
  }
  return { counters, chains };
}

function classTables(aggregates: readonly EventAggregateRow[], report: PlannedReport) {
  const tables: { regular: ClassTable; relapsed: ClassTable; references: Record<string, string> } = {
    regular: {},
    relapsed: {},
    references: {},
  };
  for (const a of aggregates) {
    if (
      a.pass !== report.pass ||
      JSON.stringify([a.chain, a.fallback]) !== JSON.stringify([report.chain, report.fallback])
    )
      continue;
    if (report.ip !== null && a.ip !== report.ip) continue;
    const table = a.relapsed ? tables.relapsed : tables.regular;
    table[a.wholeClass] ??= {};
    table[a.wholeClass]![a.ip] = {
      count: a.count,
      firstTime: a.firstTime,
      lastTime: a.lastTime,
      detectors: a.detectors,
      connCount: a.connCount,
      ports: a.ports,
      protocols: a.protocols,
      ...(a.relapsed ? { earlierLabel: a.earlierLabel } : {}),
    };
    if (a.reference) tables.references[a.wholeClass] = a.reference;
  }
  return tables;
}

function statisticsOf(tables: { regular: ClassTable; relapsed: ClassTable }) {
  const classes: Record<string, number> = {};
  const ips = new Set<string>();
  const detectors: Record<string, number> = {};
  for (const table of [tables.regular, tables.relapsed])
    for (const [cls, byIp] of Object.entries(table))
      for (const [ip, row] of Object.entries(byIp)) {
        classes[cls] = (classes[cls] ?? 0) + row.count;
        ips.add(ip);
        for (const d of row.detectors) detectors[d] = (detectors[d] ?? 0) + row.count;
      }
  return { cnt_ips: ips.size, classes, detectors };
}

export function createRenderActivity(deps: ActivityDeps) {
  return async function renderReports(input: RenderInput): Promise<RenderResult> {
    // Heartbeats while it works: a worker that dies mid-render is noticed within the heartbeat
    // timeout (PostgreSQL rolls its transaction back), not after the 15-minute start-to-close.
    const beat = setInterval(heartbeat(), 5000);
    return inTransaction(deps.pool, async (client) => {
      // Two attempts of the same run (a retry racing a stuck predecessor) serialise here.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`herald-render:${input.runId}`]);
      const staged = await loadStaged(client, input.runId);
      const { counters, chains } = passResults(staged, input.fetched);
      const done = await reportsOfRun(client, input.runId);
      if (done.length > 0) return resultOf(counters, done);

      const planned = PASSES.flatMap((pass) => chains[pass]).length;
      if (planned === 0) return resultOf(counters, []);

      const groupNames = new Set<string>();
      for (const pass of PASSES)
        for (const c of chains[pass]) for (const g of [...c.chain, ...c.fallback]) groupNames.add(g);
      // One transaction, one connection: sequential queries.
      const groups = await loadGroups(client, [...groupNames]);
      const global = await loadGlobalSettings(client);
      const timings = await loadTimings(client);
      const aggregates = await aggregateRunEvents(client, input.runId, input);
      const classes = await loadClassInfo(client, [
        ...new Set(aggregates.map((a) => a.wholeClass.split('/')[0]!)),
      ]);
      const attachmentSettings = await loadAttachmentSettings(client, [...groupNames]);
      if (input.force.template && !REPORT_TEMPLATES[input.force.template])
        deps.logger.warn({ template: input.force.template }, 'unknown template; using default');
      const settings = new Map<string, GroupReportSettings>(groups);
      const defaults = {
        locale: global.defaultLocale,
        timezone: global.defaultTimezone,
        template: 'default',
      };
      const windowFrom = new Date(input.window.from);
      const windowTo = new Date(input.window.to);
      const extraLabels: { pass: Pass; ip: string; label: string }[] = [];

      for (const pass of PASSES) {
        const plan = planReports(pass, chains[pass], settings, input.force, defaults);
        const labels: string[] = [];
        for (const report of plan) {
          const identity = {
            group: input.group,
            severity: input.severity,
            windowEnd: input.window.to,
            type: report.type,
            chain: report.chain,
            ip: report.ip,
            testData: input.testData,
          };
          const label = await freeLabel(client, identity);
          labels.push(label);
          const parentLabel = report.parent === null ? null : (labels[report.parent] ?? null);
          const mailed = report.mailGroups.length > 0;
          const recipients = mailed
            ? resolveRecipients({
                severity: input.severity,
                groups: report.mailGroups.map((g) => settings.get(g)).filter((g) => g !== undefined),
                fallbackGroups: report.fallback.map((g) => settings.get(g)).filter((g) => g !== undefined),
                globalFallback: global.fallbackEmails,
                redirect: report.redirect,
                mailTestMode: input.mail.mailTestMode === true,
                testAddresses: input.mail.mailTo ?? [],
                adminAddresses: global.adminEmails.length > 0 ? global.adminEmails : [deps.mail.from],
              })
            : { to: [], cc: [], bcc: [] };
          const tables = classTables(aggregates, report);
          const reportId = await insertReport(client, {
            label,
            reportKey: reportKey(identity),
            runId: input.runId,
            group: input.group,
            severity: input.severity,
            type: report.type,
            pass,
            chain: report.chain,
            fallback: report.fallback,
            ip: report.ip,
            parentLabel,
            windowFrom,
            windowTo,
            testData: input.testData,
            counters: report.counters,
            filtering: report.type === 'extra' ? {} : input.filterHits,
            mailGroups: report.mailGroups,
            to: recipients.to,
            cc: recipients.cc,
            locale: report.locale,
            timezone: report.timezone,
            template: report.template,
            statistics: statisticsOf(tables),
            structuredData: { ...tables, timezone: report.timezone },
          });
          await insertReportEvents(client, reportId, { ...report, runId: input.runId });
          // Every reported key remembers its report, so a later relapse mail can refer to it.
          if (report.type === 'extra' && report.ip) extraLabels.push({ pass, ip: report.ip, label });
          else for (const ip of report.regular.keys()) extraLabels.push({ pass, ip, label });
          if (!mailed) continue;
          if (recipients.to.length === 0) {
            deps.logger.warn(
              { label, group: input.group },
              'report has no recipient (no addresses, no fallback); stored only',
            );
            continue;
          }
          const data: ReportData = {
            label,
            type: report.type,
            severity: input.severity,
            group: input.group,
            ip: report.ip,
            window: input.window,
            testData: input.testData,
            parentLabel,
            counters: report.counters,
            ...tables,
            classes,
          };
          const wants = report.decidingGroup ? attachmentSettings.get(report.decidingGroup) : undefined;
          let attachment: OutboxAttachment | null = null;
          if (wants?.attachments === 'json') {
            const { events, total } = await reportEventsJson(client, reportId, wants.maxBytes);
            const json = Buffer.from(`[\n${events.join(',\n')}\n]\n`);
            // gzip (node:zlib) rather than Mentat's zip: one file needs no archive format.
            attachment = {
              filename: `security-report-${label}.json${wants.compress ? '.gz' : ''}`,
              contentType: wants.compress ? 'application/gzip' : 'application/json',
              content: wants.compress ? gzipSync(json) : json,
              events: events.length,
              omitted: total - events.length,
            };
            data.attachment = {
              filename: attachment.filename,
              events: events.length,
              omitted: attachment.omitted,
            };
          }
          const mail = await renderReport(data, report.locale, report.timezone, report.template);
          const earlier = earlierMessageIds(data, deps.mail.domain);
          await insertOutbox(client, {
            reportId,
            messageId: `<${label}@${deps.mail.domain}>`,
            to: recipients.to,
            cc: recipients.cc,
            bcc: recipients.bcc,
            subject: mail.subject,
            text: mail.text,
            html: mail.html,
            headers: {
              ...mentatHeaders(data),
              ...(earlier.length > 0 ? { References: earlier.join(' '), 'In-Reply-To': earlier[0]! } : {}),
            },
            attachment,
          });
        }
      }
      const timing = timings[input.severity];
      const timeHigh = windowTo.getTime();
      await upsertThresholds(
        client,
        {
          runId: input.runId,
          group: input.group,
          severity: input.severity,
          times: {
            source: thresholdTimes(timeHigh, timing.thr, timing.rel),
            target: thresholdTimes(timeHigh, timing.thrTarget, timing.relTarget),
          },
        },
        extraLabels,
      );
      return resultOf(counters, await reportsOfRun(client, input.runId));
    }).finally(() => clearInterval(beat));
  };
}

/** The activity's heartbeat; a no-op when called outside an activity (tests call it directly). */
function heartbeat(): () => void {
  try {
    const ctx = Context.current();
    return () => ctx.heartbeat();
  } catch {
    return () => {};
  }
}

function resultOf(
  counters: Counters,
  reports: {
    label: string;
    type: ReportRef['type'];
    ip: string | null;
    to: string[];
    cc: string[];
    outboxId: number | null;
  }[],
): RenderResult {
  return {
    result: reports.length > 0 ? 'reported' : 'skipped-no-events',
    counters,
    reports: reports
      .slice(0, REPORT_REF_LIMIT)
      .map(({ label, type, ip, to, cc }) => ({ label, type, ip, to, cc })),
    reportCount: reports.length,
    outboxIds: reports.flatMap((r) => (r.outboxId === null ? [] : [r.outboxId])),
  };
}

export { mentatHeaders };
