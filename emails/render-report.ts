// A report as a mail: Mentat-compatible subject (reference §4.9) and a plain text and HTML body.
// The one place a report becomes text; react-email templates (issue 5) replace the bodies here.
import type { Counters } from '../domain/reporting/chains';
import type { ReportType } from '../domain/reporting/labels';
import type { Severity } from '../domain/reporting/severities';

export interface ReportClassIp {
  count: number;
  firstTime: string;
  lastTime: string;
  detectors: string[];
  connCount: number;
}

/** Whole class → IP → what happened. */
export type ClassTable = Record<string, Record<string, ReportClassIp>>;

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
  references: Record<string, string>;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const SEVERITY_NAMES: Record<string, Record<Severity, string>> = {
  en: { info: 'Info', low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' },
  cs: { info: 'Informativní', low: 'Nízká', medium: 'Střední', high: 'Vysoká', critical: 'Kritická' },
};

const SUBJECTS: Record<string, Record<ReportType, (ip: string | null) => string>> = {
  en: {
    summary: () => 'Notice about possible problems in your network',
    extra: (ip) => `Notice about possible problems regarding host ${ip ?? ''}`,
    target: () => 'Notice about attacks against your network',
  },
  cs: {
    summary: () => 'Upozornění na možné problémy ve vaší síti',
    extra: (ip) => `Upozornění na možné problémy týkající se stroje ${ip ?? ''}`,
    target: () => 'Upozornění na útoky proti vaší síti',
  },
};

const TEXT = {
  en: {
    window: 'Time window',
    group: 'Group',
    events: 'Events in this report',
    relapsed: 'Relapsed (reported again)',
    test: 'TEST DATA',
    reply: 'Reply to this message to reach the CSIRT.',
  },
  cs: {
    window: 'Časové okno',
    group: 'Skupina',
    events: 'Události v tomto hlášení',
    relapsed: 'Opakované (znovu hlášené)',
    test: 'TESTOVACÍ DATA',
    reply: 'Odpovězte na tuto zprávu, pokud chcete kontaktovat CSIRT.',
  },
};

const ITEM_LIMIT = 15;

function language(locale: string): 'en' | 'cs' {
  return locale.toLowerCase().startsWith('cs') ? 'cs' : 'en';
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
  const subject = `[${label}] ${SEVERITY_NAMES[lang]![severity]} - ${SUBJECTS[lang]![type](ip)}`;
  return subject.replace(/[\r\n]+/g, ' ');
}

export function formatTime(iso: string, locale: string, timezone: string): string {
  try {
    return new Intl.DateTimeFormat(language(locale) === 'cs' ? 'cs-CZ' : 'en-GB', {
      timeZone: timezone,
      dateStyle: 'medium',
      timeStyle: 'long', // includes the zone (timeZoneName cannot be combined with timeStyle)
    }).format(new Date(iso));
  } catch {
    return iso;
  }
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

function tableLines(table: ClassTable, locale: string, timezone: string): string[] {
  const lines: string[] = [];
  for (const cls of Object.keys(table).sort()) {
    lines.push(`  ${cls}`);
    const ips = Object.keys(table[cls]!);
    for (const ip of ips.slice(0, ITEM_LIMIT)) {
      const row = table[cls]![ip]!;
      lines.push(
        `    ${ip}  ${row.count}×  ${formatTime(row.firstTime, locale, timezone)} – ${formatTime(row.lastTime, locale, timezone)}  ${row.detectors.join(', ')}`,
      );
    }
    if (ips.length > ITEM_LIMIT) lines.push(`    … and ${ips.length - ITEM_LIMIT} more`);
  }
  return lines;
}

export function renderReport(report: ReportData, locale: string, timezone: string): RenderedMail {
  const lang = language(locale);
  const t = TEXT[lang];
  const subject = reportSubject(report.label, report.type, report.severity, report.ip, locale);
  const window = `${formatTime(report.window.from, locale, timezone)} – ${formatTime(report.window.to, locale, timezone)}`;
  const lines = [
    subject,
    '',
    ...(report.testData ? [t.test, ''] : []),
    `${t.group}: ${report.group}`,
    `${t.window}: ${window}`,
    `${t.events}: ${report.counters.rep ?? 0}`,
    '',
    ...tableLines(report.regular, locale, timezone),
  ];
  if (Object.keys(report.relapsed).length > 0)
    lines.push('', `${t.relapsed}:`, ...tableLines(report.relapsed, locale, timezone));
  lines.push('', '--', t.reply, '');
  const text = lines.join('\n');
  const html = `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body><pre style="font-family:monospace">${escapeHtml(text)}</pre></body></html>`;
  return { subject, text, html };
}
