// What a report mail says, decided once for both parts: the HTML template and the plain text
// render this same view, so the two parts always carry the same content. Lists are cut at
// ITEM_LIMIT (Mentat's `item_limit = 15`) with "and N more".

import { UNKNOWN } from '../domain/reporting/report-statistics';
import {
  fill,
  formatNumber,
  formatTime,
  type Language,
  language,
  moreText,
  pluralText,
  severityName,
  WORDS,
  type Words,
} from './i18n';
import type { ClassTable, ReportData } from './render-report';

export const ITEM_LIMIT = 15;

export interface LimitedList {
  items: string[];
  /** How many were left out. */
  more: number;
}

export interface IpRow {
  ip: string;
  first: string;
  last: string;
  count: string;
  detectors: LimitedList;
  ports: LimitedList;
  protocols: LimitedList;
  connections: string;
}

export interface ClassSection {
  key: string;
  label: string;
  /** http(s) URL of the class description, else null. */
  reference: string | null;
  rows: IpRow[];
  moreIps: number;
  /** Relapsed sections: the labels of the earlier reports. */
  earlier: string[];
}

export interface ReportView {
  lang: Language;
  words: Words;
  subject: string;
  intro: string;
  facts: [string, string][];
  testData: boolean;
  regular: ClassSection[];
  relapsed: ClassSection[];
  /** Sentences about the attachment (what is attached, what did not fit). */
  attachment: string[];
  more: (n: number) => string;
}

export function limited(values: readonly string[], limit = ITEM_LIMIT): LimitedList {
  return { items: values.slice(0, limit), more: Math.max(0, values.length - limit) };
}

/** Only web links become links: a catalog reference such as `javascript:` stays text. */
function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.toString() : null;
  } catch {
    return null;
  }
}

const byNumberThenText = (a: string, b: string) => {
  const na = Number(a);
  const nb = Number(b);
  return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
};

function sections(report: ReportData, table: ClassTable, lang: Language, timezone: string): ClassSection[] {
  return Object.keys(table)
    .sort()
    .map((key) => {
      const byIp = table[key]!;
      const info = report.classes?.[key.split('/')[0]!];
      const name = (lang === 'cs' ? info?.cs || info?.en : info?.en) || '';
      const ips = Object.keys(byIp); // already in address order
      const earlier = [...new Set(ips.map((ip) => byIp[ip]!.earlierLabel).filter((l): l is string => !!l))];
      return {
        key,
        label: name ? `${name} (${key})` : key,
        reference: safeUrl(info?.reference ?? report.references[key]),
        earlier,
        moreIps: Math.max(0, ips.length - ITEM_LIMIT),
        rows: ips.slice(0, ITEM_LIMIT).map((ip) => {
          const row = byIp[ip]!;
          return {
            ip,
            first: formatTime(row.firstTime, lang, timezone),
            last: formatTime(row.lastTime, lang, timezone),
            count: formatNumber(row.count, lang),
            detectors: limited(row.detectors),
            ports: limited([...(row.ports ?? [])].sort(byNumberThenText)),
            protocols: limited(row.protocols ?? []),
            connections: row.connCount > 0 ? formatNumber(row.connCount, lang) : '–',
          };
        }),
      };
    });
}

/** Classes and categories with their event counts, and the number of source addresses. */
function statisticsFacts(stats: NonNullable<ReportData['statistics']>, lang: Language): [string, string][] {
  const words = WORDS[lang];
  const counted = (map: Record<string, number>) => {
    const list = limited(Object.entries(map).map(([k, n]) => `${k} (${formatNumber(n, lang)})`));
    return listText(list, (n) => moreText(n, lang));
  };
  const facts: [string, string][] = [];
  if (Object.keys(stats.classes).length > 0) facts.push([words.classes, counted(stats.classes)]);
  if (Object.keys(stats.categories).length > 0) facts.push([words.categories, counted(stats.categories)]);
  const sources = Object.keys(stats.sources).filter((ip) => ip !== UNKNOWN).length;
  if (sources > 0) facts.push([words.sources, formatNumber(sources, lang)]);
  return facts;
}

export function reportView(
  report: ReportData,
  subject: string,
  locale: string,
  timezone: string,
): ReportView {
  const lang = language(locale);
  const words = WORDS[lang];
  const facts: [string, string][] = [
    [words.label, report.label],
    [words.group, report.group],
    [words.severity, severityName(report.severity, lang)],
    [
      words.window,
      `${formatTime(report.window.from, lang, timezone)} – ${formatTime(report.window.to, lang, timezone)}`,
    ],
    [words.timezone, timezone],
    [words.events, formatNumber(report.counters.rep ?? 0, lang)],
  ];
  // Naming a summary the recipient never got would only puzzle them.
  if (report.parentLabel && report.parentReceived) facts.push([words.parent, report.parentLabel]);
  if (report.statistics) facts.push(...statisticsFacts(report.statistics, lang));
  const attachment: string[] = [];
  if (report.attachment) {
    const a = report.attachment;
    if (a.events > 0) attachment.push(pluralText(words.attachment, a.events, lang, { file: a.filename }));
    if (a.omitted > 0) attachment.push(pluralText(words.attachmentOmitted, a.omitted, lang));
  }
  return {
    lang,
    words,
    subject,
    intro: fill(words.intro[report.type], { ip: report.ip ?? '' }),
    facts,
    testData: report.testData,
    regular: sections(report, report.regular, lang, timezone),
    relapsed: sections(report, report.relapsed, lang, timezone),
    attachment,
    more: (n) => moreText(n, lang),
  };
}

export function listText(list: LimitedList, more: (n: number) => string): string {
  const text = list.items.join(', ');
  if (list.more === 0) return text || '–';
  return `${text} ${more(list.more)}`;
}
