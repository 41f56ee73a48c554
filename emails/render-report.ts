// A report as a mail: Mentat-compatible subject and headers, and an HTML part
// (react-email) and a plain-text part rendered from the same view (report-view.ts).
import { render } from '@react-email/render';
import type { Counters } from '../domain/reporting/chains';
import type { ReportType } from '../domain/reporting/labels';
import type { ReportStatistics } from '../domain/reporting/report-statistics';
import type { Severity } from '../domain/reporting/severities';
import { language, severityName, subjectText } from './i18n';
import { reportView } from './report-view';
import { reportTemplate } from './templates';

export interface ReportClassIp {
  count: number;
  firstTime: string;
  lastTime: string;
  detectors: string[];
  connCount: number;
  ports?: string[];
  protocols?: string[];
  /** Relapsed rows: the label of the earlier report of this key. */
  earlierLabel?: string | null;
}

/** Whole class → IP → what happened. */
export type ClassTable = Record<string, Record<string, ReportClassIp>>;

export interface ClassInfo {
  en: string;
  cs: string;
  reference: string | null;
}

export interface ReportData {
  label: string;
  type: ReportType;
  severity: Severity;
  group: string;
  ip: string | null;
  window: { from: string; to: string };
  testData: boolean;
  parentLabel: string | null;
  counters: Partial<Counters>;
  regular: ClassTable;
  relapsed: ClassTable;
  /** Whole class → reference URL of its class. */
  references: Record<string, string>;
  /** Class name (before "/") → labels and reference from the catalog. */
  classes?: Record<string, ClassInfo>;
  /** The attachment (or the one zip, or the files joined by ", "), when the group wants one. */
  attachment?: { filename: string; events: number; omitted: number } | null;
  /** The extra report's summary was mailed to this report's recipients too (so it can be named). */
  parentReceived?: boolean;
  /** Per-event counts (domain/reporting/report-statistics.ts), shown in the facts. */
  statistics?: Pick<ReportStatistics, 'classes' | 'categories' | 'sources'>;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** One line subject: no CR/LF can come from event data or the IP. */
export function reportSubject(
  label: string,
  type: ReportType,
  severity: Severity,
  ip: string | null,
  locale: string,
): string {
  const lang = language(locale);
  const subject = `[${label}] ${severityName(severity, lang)} - ${subjectText(type, ip, lang)}`;
  return subject.replace(/[\r\n]+/g, ' ');
}

export async function renderReport(
  report: ReportData,
  locale: string,
  timezone: string,
  template = 'default',
): Promise<RenderedMail> {
  const subject = reportSubject(report.label, report.type, report.severity, report.ip, locale);
  const view = reportView(report, subject, locale, timezone);
  const chosen = reportTemplate(template);
  const html = await render(chosen.html(view));
  return { subject, text: chosen.text(view), html };
}

const headerValue = (value: string) => value.replace(/[\r\n]+/g, ' ');

/** Mentat's report headers, so recipients' mail filters keep working. */
export function mentatHeaders(r: ReportData): Record<string, string> {
  const headers: Record<string, string> = {
    'X-Mentat-Report-Class': 'events',
    'X-Mentat-Report-Type': r.type,
    'X-Cesnet-Report-Type': r.type,
    'X-Mentat-Report-Id': r.label,
    'X-Cesnet-Report-Id': r.label,
    'X-Mentat-Report-Severity': r.severity,
    'X-Cesnet-Report-Severity': r.severity,
    'X-Mentat-Report-Event-Count': String(r.counters.rep ?? 0),
    'X-Mentat-Report-Time-Window': `${r.window.from}___${r.window.to}`,
    'X-Mentat-Report-Test-Data': r.testData ? 'True' : 'False',
  };
  if (r.type === 'extra') {
    if (r.parentLabel) headers['X-Mentat-Report-Parent-Id'] = r.parentLabel;
    if (r.ip) {
      headers['X-Mentat-Report-Src-IP'] = headerValue(r.ip);
      headers['X-Cesnet-Report-Srcip'] = headerValue(r.ip);
    }
  }
  return headers;
}

/** Message-IDs of the earlier reports of this report's relapsed keys (threading). */
export function earlierMessageIds(r: ReportData, domain: string): string[] {
  const labels = new Set<string>();
  for (const byIp of Object.values(r.relapsed))
    for (const row of Object.values(byIp)) if (row.earlierLabel) labels.add(row.earlierLabel);
  return [...labels].sort().map((label) => `<${label}@${domain}>`);
}
