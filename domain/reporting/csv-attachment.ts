// The CSV attachment of a report: one row per (event, reported IP), the columns a network operator
// filters on, RFC 4180 (CRLF, quotes doubled) in UTF-8 with a BOM so spreadsheets read non-ASCII
// text. A cell that a spreadsheet would run as a formula (= + - @, or a leading tab or CR) gets a
// leading apostrophe: event data is written by whoever sent the event (see docs/mail.md).
import { stringify } from 'csv-stringify/sync';

export const CSV_COLUMNS = [
  'detect_time',
  'class',
  'category',
  'source_ip',
  'source_ports',
  'target_ip',
  'target_ports',
  'protocol',
  'detector',
  'description',
  'event_id',
] as const;

/** An event of the report with the IPs it was reported for (source IPs, or target IPs in a target report). */
export interface AttachedEvent {
  event: Record<string, unknown>;
  ips: readonly string[];
}

type Section = { IP4?: unknown; IP6?: unknown; Port?: unknown; Proto?: unknown };

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const texts = (value: unknown): string[] =>
  list(value)
    .filter((v) => typeof v === 'string' || typeof v === 'number')
    .map(String);
const sections = (value: unknown): Section[] =>
  list(value).filter((s): s is Section => s !== null && typeof s === 'object');
const unique = (values: readonly string[]) => [...new Set(values)];
const ipsOf = (s: Section) => [...texts(s.IP4), ...texts(s.IP6)];
const portsOf = (list: readonly Section[]) =>
  unique(list.flatMap((s) => texts(s.Port))).sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));

/** A cell as a spreadsheet shows it: never a formula. */
export function neutralised(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function utcTime(value: unknown): string {
  if (typeof value !== 'string') return '';
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? value : time.toISOString();
}

function eventClass(mentat: Record<string, unknown>, target: boolean): string {
  const cls = mentat[target ? 'TargetClass' : 'EventClass'];
  if (typeof cls !== 'string') return '';
  const sub = texts(mentat[target ? 'TargetSubclass' : 'EventSubclass']);
  return sub.length > 0 ? `${cls}/${sub.join(', ')}` : cls;
}

/** The rows of one event; `target`: the report is about attacked addresses (a target report). */
export function csvRows(attached: AttachedEvent, target: boolean): string[][] {
  const e = attached.event;
  const mentat = (e._Mentat ?? {}) as Record<string, unknown>;
  const source = sections(e.Source);
  const targets = sections(e.Target);
  const nodes = sections(e.Node) as Record<string, unknown>[];
  const detector = nodes.length > 0 ? String(nodes[nodes.length - 1]!.Name ?? '') : '';
  const protocols = unique(
    [...source, ...targets].flatMap((s) => texts(s.Proto).map((p) => p.toLowerCase())),
  );
  const common = {
    detect_time: utcTime(e.DetectTime),
    class: eventClass(mentat, target),
    category: texts(e.Category).join(', '),
    protocol: protocols.join(' '),
    detector,
    description: typeof e.Description === 'string' ? e.Description : '',
    event_id: typeof e.ID === 'string' ? e.ID : '',
  };
  return attached.ips.map((ip) => {
    const own = (target ? targets : source).filter((s) => ipsOf(s).includes(ip));
    const other = target ? source : targets;
    const row: Record<(typeof CSV_COLUMNS)[number], string> = {
      ...common,
      source_ip: target ? unique(other.flatMap(ipsOf)).join(' ') : ip,
      source_ports: portsOf(target ? other : own).join(' '),
      target_ip: target ? ip : unique(other.flatMap(ipsOf)).join(' '),
      target_ports: portsOf(target ? own : other).join(' '),
    };
    return CSV_COLUMNS.map((column) => neutralised(row[column]));
  });
}

// Quotes and delimiters are quoted by default; line breaks inside a value only when asked.
const OPTIONS = { record_delimiter: 'windows', quoted_match: /[\r\n]/ } as const;

/** The header line, with the BOM. */
export function csvHeader(): string {
  return `\uFEFF${stringify([[...CSV_COLUMNS]], OPTIONS)}`;
}

/** The lines of rows (each ends with CRLF). */
export function csvLines(rows: readonly string[][]): string {
  return rows.length === 0 ? '' : stringify(rows as string[][], OPTIONS);
}
