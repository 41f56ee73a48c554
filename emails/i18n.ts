// Words, dates and numbers of the mails in English and Czech (Mentat's `en` and `cs` catalogs).
// Every mail chooses one language; dates are shown in the group's time zone.
import type { ReportType } from '../domain/reporting/labels';
import type { Severity } from '../domain/reporting/severities';

export type Language = 'en' | 'cs';

export function language(locale: string): Language {
  return locale.toLowerCase().startsWith('cs') ? 'cs' : 'en';
}

const SEVERITY_NAMES: Record<Language, Record<Severity, string>> = {
  en: { info: 'Info', low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' },
  cs: { info: 'Informativní', low: 'Nízká', medium: 'Střední', high: 'Vysoká', critical: 'Kritická' },
};

export function severityName(severity: Severity, lang: Language): string {
  return SEVERITY_NAMES[lang][severity];
}

/** Subjects as Mentat writes them, so recipients' filters keep matching. */
const SUBJECTS: Record<Language, Record<ReportType, (ip: string) => string>> = {
  en: {
    summary: () => 'Notice about possible problems in your network',
    extra: (ip) => `Notice about possible problems regarding host ${ip}`,
    target: () => 'Notice about attacks against your network',
  },
  cs: {
    summary: () => 'Upozornění na možné problémy ve vaší síti',
    extra: (ip) => `Upozornění na možné problémy týkající se stroje ${ip}`,
    target: () => 'Upozornění na útoky proti vaší síti',
  },
};

export function subjectText(type: ReportType, ip: string | null, lang: Language): string {
  return SUBJECTS[lang][type](ip ?? '');
}

export const WORDS = {
  en: {
    intro: {
      summary: 'Our systems recorded the following security events concerning hosts in your network.',
      extra: 'Our systems recorded the following security events concerning host {ip} in your network.',
      target: 'Our systems recorded the following attacks against hosts in your network.',
    },
    group: 'Group',
    severity: 'Severity',
    window: 'Time window',
    timezone: 'Time zone',
    events: 'Events in this report',
    label: 'Report',
    parent: 'Part of report',
    testData: 'TEST DATA: this report was made from test events only.',
    regular: 'Events',
    relapsed: 'Relapsed events (reported again)',
    relapsedNote: 'Still seen after the earlier report {ref}.',
    relapsedNoRef: 'Still seen after an earlier report.',
    reference: 'More about this class',
    ip: 'IP address',
    targetIp: 'Attacked address',
    first: 'First seen',
    last: 'Last seen',
    count: 'Events',
    detectors: 'Detectors',
    ports: 'Ports',
    protocols: 'Protocols',
    connections: 'Connections',
    more: 'and {n} more',
    moreFew: 'and {n} more',
    attachment: {
      one: 'The event is attached as {file}.',
      other: 'The events are attached as {file} ({n} events).',
    },
    attachmentOmitted: {
      one: '{n} event did not fit into the attachment size limit and is not attached.',
      other: '{n} events did not fit into the attachment size limit and are not attached.',
    },
    classes: 'Event classes',
    categories: 'Categories',
    sources: 'Source addresses',
    footer:
      'You receive this report because your address is the security contact of the network named above. ' +
      'Reply to this message to reach the CSIRT; please keep the report label in the subject.',
  },
  cs: {
    intro: {
      summary: 'Naše systémy zaznamenaly následující bezpečnostní události týkající se strojů ve vaší síti.',
      extra:
        'Naše systémy zaznamenaly následující bezpečnostní události týkající se stroje {ip} ve vaší síti.',
      target: 'Naše systémy zaznamenaly následující útoky proti strojům ve vaší síti.',
    },
    group: 'Skupina',
    severity: 'Závažnost',
    window: 'Časové okno',
    timezone: 'Časové pásmo',
    events: 'Události v tomto hlášení',
    label: 'Hlášení',
    parent: 'Součást hlášení',
    testData: 'TESTOVACÍ DATA: toto hlášení vzniklo pouze z testovacích událostí.',
    regular: 'Události',
    relapsed: 'Opakované události (hlášené znovu)',
    relapsedNote: 'Stále pozorováno po dřívějším hlášení {ref}.',
    relapsedNoRef: 'Stále pozorováno po dřívějším hlášení.',
    reference: 'Více o této třídě',
    ip: 'IP adresa',
    targetIp: 'Napadená adresa',
    first: 'Poprvé',
    last: 'Naposledy',
    count: 'Události',
    detectors: 'Detektory',
    ports: 'Porty',
    protocols: 'Protokoly',
    connections: 'Spojení',
    more: 'a {n} dalších',
    moreFew: 'a {n} další',
    attachment: {
      one: 'Událost je v příloze {file}.',
      few: 'Události jsou v příloze {file} ({n} události).',
      other: 'Události jsou v příloze {file} ({n} událostí).',
    },
    attachmentOmitted: {
      one: '{n} událost se nevešla do limitu velikosti přílohy a není přiložena.',
      few: '{n} události se nevešly do limitu velikosti přílohy a nejsou přiloženy.',
      other: '{n} událostí se nevešlo do limitu velikosti přílohy a nejsou přiloženy.',
    },
    classes: 'Třídy událostí',
    categories: 'Kategorie',
    sources: 'Zdrojové adresy',
    footer:
      'Toto hlášení dostáváte, protože vaše adresa je bezpečnostním kontaktem výše uvedené sítě. ' +
      'Pro kontakt s CSIRT odpovězte na tuto zprávu; v předmětu prosím ponechte označení hlášení.',
  },
} as const;

export type Words = (typeof WORDS)[Language];

/** Fills `{name}` placeholders. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => String(values[key] ?? `{${key}}`));
}

const INTL_LOCALE: Record<Language, string> = { en: 'en-GB', cs: 'cs-CZ' };

// Intl formatters are costly to build (a report formats thousands of values): one per locale
// (and time zone), built on first use.
const formatters = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat | Intl.PluralRules>();
function cached<T extends Intl.DateTimeFormat | Intl.NumberFormat | Intl.PluralRules>(
  key: string,
  make: () => T,
): T {
  let f = formatters.get(key) as T | undefined;
  if (!f) {
    f = make();
    formatters.set(key, f);
  }
  return f;
}

/** A date and time in the time zone, with the zone's short name (an unknown zone falls back to UTC). */
export function formatTime(iso: string, lang: Language, timezone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const format = (timeZone: string) =>
    cached(
      `time\u0000${lang}\u0000${timeZone}`,
      () =>
        new Intl.DateTimeFormat(INTL_LOCALE[lang], {
          timeZone,
          year: 'numeric',
          month: 'short',
          day: 'numeric',
          hour: '2-digit',
          minute: '2-digit',
          second: '2-digit',
          timeZoneName: 'short',
        }),
    ).format(date);
  try {
    return format(timezone);
  } catch {
    return format('UTC');
  }
}

export function formatNumber(n: number, lang: Language): string {
  return cached(`number\u0000${lang}`, () => new Intl.NumberFormat(INTL_LOCALE[lang])).format(n);
}

/** The sentence for `n` in the language's plural form (`one`, `few`, else `other`). */
export function pluralText(
  forms: { one: string; few?: string; other: string },
  n: number,
  lang: Language,
  values: Record<string, string | number> = {},
): string {
  const form = cached(`plural\u0000${lang}`, () => new Intl.PluralRules(INTL_LOCALE[lang])).select(n);
  const chosen = form === 'one' ? forms.one : form === 'few' ? (forms.few ?? forms.other) : forms.other;
  return fill(chosen, { ...values, n: formatNumber(n, lang) });
}

/** "and N more" with the language's plural form (cs: a 3 další, a 5 dalších). */
export function moreText(n: number, lang: Language): string {
  const form = cached(`plural\u0000${lang}`, () => new Intl.PluralRules(INTL_LOCALE[lang])).select(n);
  const words = WORDS[lang];
  return fill(form === 'few' || form === 'one' ? words.moreFew : words.more, { n: formatNumber(n, lang) });
}
