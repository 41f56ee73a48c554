// The reports of a severity run, written inside the caller's transaction: report rows, their
// events, one rendered outbox row per mail (with its attachment) and the armed thresholds (fixes
// docs/mentat.md, "One transaction per run"). The caller
// (prepare.ts) gives the report events and the keys to arm.
import type pg from 'pg';
import { groupTimings, loadGlobalSettings, loadGroups, loadTimings } from '../../db/reporting/catalog';
import { insertOutboxAttachments } from '../../db/reporting/outbox-attachments';
import { insertOutbox } from '../../db/reporting/outbox-rows';
import { freeLabel, insertReport } from '../../db/reporting/report-rows';
import { loadAttachmentSettings, loadClassInfo } from '../../db/reporting/report-settings';
import { storeReportStatistics } from '../../db/reporting/report-statistics';
import { type ChainResult, type Counters, chainKey } from '../../domain/reporting/chains';
import type { EventAggregateRow } from '../../domain/reporting/event-aggregates';
import { reportKey } from '../../domain/reporting/labels';
import { resolveRecipients } from '../../domain/reporting/recipients';
import {
  type GroupReportSettings,
  type PlannedReport,
  planReports,
} from '../../domain/reporting/report-plan';
import type { ReportStatistics } from '../../domain/reporting/report-statistics';
import { PASSES, type Pass, type ThresholdTimes, thresholdTimes } from '../../domain/reporting/threshold-key';
import {
  type ClassTable,
  earlierMessageIds,
  mentatHeaders,
  type ReportData,
  renderReport,
} from '../../emails/render-report';
import { REPORT_TEMPLATES } from '../../emails/templates';
import type { ActivityDeps } from '../deps';
import { mailAttachments } from './mail-attachments';
import type { SeverityRunInput } from './types';

export interface RunFindings {
  counters: Counters;
  chains: Record<Pass, ChainResult[]>;
  /** Read once the run has something to report. */
  aggregates: () => Promise<EventAggregateRow[]>;
  /** A report's statistics as the run counted them; without, PostgreSQL counts its stored events. */
  statistics?: (report: PlannedReport) => ReportStatistics | undefined;
}

export interface ReportWriters {
  /** Stores the events of a report just inserted (before its attachment reads them). */
  reportEvents(client: pg.PoolClient, reportId: number, report: PlannedReport): Promise<void>;
  /** Arms the thresholds of every reported key; `extraLabels` maps pass + IP to a report label. */
  thresholds(
    client: pg.PoolClient,
    times: Record<Pass, ThresholdTimes>,
    extraLabels: { pass: Pass; ip: string; label: string }[],
  ): Promise<void>;
}

export interface StoreInput extends SeverityRunInput {
  filterHits: Record<string, number>;
}

type ClassInfo = Awaited<ReturnType<typeof loadClassInfo>>;

function classTables(aggregates: readonly EventAggregateRow[], report: PlannedReport, classes: ClassInfo) {
  const tables: { regular: ClassTable; relapsed: ClassTable; references: Record<string, string> } = {
    regular: {},
    relapsed: {},
    references: {},
  };
  const wanted = chainKey(report);
  for (const a of aggregates) {
    if (a.pass !== report.pass || chainKey(a) !== wanted) continue;
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
    const reference = a.reference ?? classes[a.wholeClass.split('/')[0]!]?.reference ?? null;
    if (reference) tables.references[a.wholeClass] = reference;
  }
  return tables;
}

/** Plans, renders and stores the run's reports (nothing when no chain has anything to report). */
export async function storeRunReports(
  deps: ActivityDeps,
  client: pg.PoolClient,
  input: StoreInput,
  findings: RunFindings,
  writers: ReportWriters,
): Promise<void> {
  if (PASSES.every((pass) => findings.chains[pass].length === 0)) return;

  const groupNames = new Set<string>();
  for (const pass of PASSES)
    for (const c of findings.chains[pass]) for (const g of [...c.chain, ...c.fallback]) groupNames.add(g);
  // One transaction, one connection: sequential queries.
  const groups = await loadGroups(client, [...groupNames]);
  const global = await loadGlobalSettings(client);
  const timings = await loadTimings(client);
  const aggregates = await findings.aggregates();
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
  // Label → the addresses its mail went to: an extra report names its summary only to those who got it.
  const mailedTo = new Map<string, Set<string>>();

  for (const pass of PASSES) {
    const plan = planReports(pass, findings.chains[pass], settings, input.force, defaults);
    const labels: string[] = [];
    for (const report of plan) {
      const identity = {
        group: input.group,
        severity: input.severity,
        windowEnd: input.window.to,
        type: report.type,
        chain: report.chain,
        fallback: report.fallback,
        ip: report.ip,
        testData: input.testData,
        ...(input.realm.startsWith('rerun:') ? { rerun: input.realm } : {}),
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
            bcc: deps.mail.archiveBcc ?? [],
          })
        : { to: [], cc: [], bcc: [] };
      const tables = classTables(aggregates, report, classes);
      const counted = findings.statistics?.(report);
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
        statistics: counted ?? {},
        structuredData: { ...tables, timezone: report.timezone },
      });
      await writers.reportEvents(client, reportId, report);
      const statistics = counted ?? (await storeReportStatistics(client, reportId, report.type === 'target'));
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
        statistics,
        parentReceived:
          parentLabel !== null &&
          [...recipients.to, ...recipients.cc].every((a) => mailedTo.get(parentLabel)?.has(a) === true),
      };
      mailedTo.set(label, new Set([...recipients.to, ...recipients.cc]));
      const wants = report.decidingGroup ? attachmentSettings.get(report.decidingGroup) : undefined;
      const attached =
        wants && wants.attachments !== 'none'
          ? await mailAttachments(
              client,
              { id: reportId, label, target: report.type === 'target', windowTo },
              wants,
            )
          : null;
      if (attached)
        data.attachment = {
          filename: attached.files.map((f) => f.filename).join(', '),
          events: attached.events,
          omitted: attached.omitted,
        };
      const mail = await renderReport(data, report.locale, report.timezone, report.template);
      const earlier = earlierMessageIds(data, deps.mail.domain);
      const outboxId = await insertOutbox(client, {
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
      });
      if (attached) await insertOutboxAttachments(client, outboxId, attached);
    }
  }
  // The run's group decides how long its keys stay suppressed (its own timing, else the global).
  const own = groups.get(input.group) ?? (await loadGroups(client, [input.group])).get(input.group);
  const timing = groupTimings(timings, own?.timing)[input.severity];
  const timeHigh = windowTo.getTime();
  await writers.thresholds(
    client,
    {
      source: thresholdTimes(timeHigh, timing.thr, timing.rel),
      target: thresholdTimes(timeHigh, timing.thrTarget, timing.relTarget),
    },
    extraLabels,
  );
}
