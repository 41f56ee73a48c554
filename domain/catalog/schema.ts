// The catalog file (YAML or JSON): groups with networks, reporting settings and filters; global
// filters, detectors, event classes and settings. Validation reports every problem at once, one
// line each, naming its path: `groups[2].networks[0].cidr: "10.0.0.0/33" is not a network`.
import { z } from 'zod';
import { basicFilterExpression } from '../filters/basic';
import { compileExpression, FilterCompileError } from '../filters/compile';
import { formatNetwork, parseNetwork } from '../idea/network';
import { formatPath, isRfc3339, severities, typeIssueMessage } from '../idea/schema';
import { intervalSeconds } from './intervals';

const quoted = (value: unknown) => JSON.stringify(value);

/**
 * Names end up in e-mail headers and subjects: no CR/LF or other control characters (C0, C1 —
 * NEL included — and the Unicode line/paragraph separators).
 */
const name = z
  .string({ error: 'expected a name (a string)' })
  .min(1, 'must not be empty')
  .max(250, 'is longer than 250 characters')
  .refine((value) => !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(value), {
    error: (issue) => `${quoted(issue.input)} contains a line break or control character`,
  });
const description = z.string().max(10_000).default('');

export const emailAddress = z
  .string()
  .refine((value) => !/[\r\n]/.test(value), {
    error: (issue) => `${quoted(issue.input)} contains a line break (header injection)`,
    abort: true,
  })
  .refine(
    (value) =>
      /^[^\s@<>,;"()\\[\]:]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*$/.test(value),
    {
      error: (issue) => `${quoted(issue.input)} is not an e-mail address`,
    },
  );
const emails = z.array(emailAddress).default([]);

export const cidr = z
  .string({ error: 'expected a network such as 192.0.2.0/24' })
  .superRefine((value, ctx) => {
    const net = parseNetwork(value);
    if (!net) ctx.addIssue({ code: 'custom', message: `${quoted(value)} is not a network` });
    else if (net.hostBits)
      ctx.addIssue({
        code: 'custom',
        message: `${quoted(value)} is not a network (host bits set; did you mean ${formatNetwork(net)}?)`,
      });
  });

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
const timeZone = z.string().refine(isTimeZone, {
  error: (issue) => `${quoted(issue.input)} is not a time zone (expected an IANA name such as Europe/Prague)`,
});
const locale = z.string().regex(/^[a-z]{2,3}(?:[-_][A-Za-z]{2,4})?$/, {
  error: (issue) => `${quoted(issue.input)} is not a locale (expected e.g. en or cs)`,
});
const interval = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const seconds = intervalSeconds(value);
  if (seconds === null) {
    ctx.addIssue({
      code: 'custom',
      message: `${quoted(value)} is not an interval (expected a name such as 10mins, 1hr, 1day or seconds)`,
    });
    return z.NEVER;
  }
  return seconds;
});
const dateTime = z.union([z.date(), z.string()]).transform((value, ctx) => {
  if (value instanceof Date) return value;
  if (!isRfc3339(value)) {
    ctx.addIssue({ code: 'custom', message: `${quoted(value)} is not an RFC 3339 timestamp` });
    return z.NEVER;
  }
  return new Date(value);
});
const severity = z.enum(severities, {
  error: (issue) => `${quoted(issue.input)} is not a severity (expected ${severities.join(', ')})`,
});
const modes = ['summary', 'extra', 'both', 'none'] as const;
const mode = z.enum(modes, {
  error: (issue) => `${quoted(issue.input)} is not a mode (expected summary, extra, both or none)`,
});

const filterSchema = z.strictObject({
  name,
  description,
  enabled: z.boolean().default(true),
  type: z.enum(['basic', 'advanced'], {
    error: (issue) => `${quoted(issue.input)} is not a filter type (expected basic or advanced)`,
  }),
  source_based: z.boolean().default(true),
  expression: z.string().optional(),
  valid_from: dateTime.optional(),
  valid_to: dateTime.optional(),
  categories: z.array(z.string()).default([]),
  detectors: z.array(z.string()).default([]),
  event_classes: z.array(z.string()).default([]),
  sources: z.array(cidr).default([]),
  targets: z.array(cidr).default([]),
  protocols: z.array(z.string()).default([]),
});

const networkSchema = z.strictObject({
  cidr,
  name: name.optional(),
  description,
  base: z.boolean().default(false),
  rank: z.number().int().nullable().optional(),
});

/** A group's own timing of a severity, over the global table (Mentat's timing_cfg). */
const groupTimingSchema = z.strictObject({ per: interval, thr: interval, rel: interval });

const reportingSchema = z.strictObject({
  mode: mode.optional(),
  emails: z
    .strictObject({
      info: emails,
      low: emails,
      medium: emails,
      high: emails,
      critical: emails,
    })
    .default({ info: [], low: [], medium: [], high: [], critical: [] }),
  locale: locale.optional(),
  timezone: timeZone.optional(),
  redirect: z.boolean().default(false),
  interval: interval.optional(),
  timing: z.partialRecord(severity, groupTimingSchema).optional(),
  /** The report's events attached as JSON, CSV or both (Mentat's `attachments`), see docs/mail.md. */
  attachments: z
    .enum(['none', 'json', 'csv', 'both'], { message: 'expected none, json, csv or both' })
    .default('none'),
  /** none, gzip (one .gz per file) or zip (one archive); `true` is read as gzip, `false` as none. */
  compress: z
    .union([z.boolean().transform((on) => (on ? 'gzip' : 'none')), z.enum(['none', 'gzip', 'zip'])], {
      message: 'expected none, gzip or zip',
    })
    .default('none'),
  /** Bytes of uncompressed attachment per mail (0 = no limit); events that do not fit are counted in the body. */
  max_attachment_bytes: z
    .number({ message: 'expected a number of bytes' })
    .int('expected a whole number of bytes')
    .min(0, 'expected a number of bytes ≥ 0')
    .default(10 * 1024 * 1024),
});

const groupSchema = z.strictObject({
  name,
  description,
  enabled: z.boolean().default(true),
  parent: name.nullable().optional(),
  networks: z.array(networkSchema).default([]),
  reporting: reportingSchema.optional(),
  filters: z.array(filterSchema).default([]),
});

const detectorSchema = z.strictObject({
  name,
  description,
  source: z.string().default('catalog'),
  credibility: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').default(1),
});

const eventClassSchema = z.strictObject({
  name: name.regex(/^[a-z0-9][a-z0-9._-]*$/, {
    error: (issue) => `${quoted(issue.input)} is not a class name (lower-case letters, digits, . _ -)`,
  }),
  rule: z.string(),
  severity,
  source_based: z.boolean().default(true),
  priority: z.number().int().default(0),
  state: z
    .enum(['enabled', 'shadow', 'disabled'], {
      error: (issue) => `${quoted(issue.input)} is not a state (expected enabled, shadow or disabled)`,
    })
    .default('enabled'),
  labels: z
    .strictObject({ en: z.string().default(''), cs: z.string().default('') })
    .default({ en: '', cs: '' }),
  reference: z.url({ error: (issue) => `${quoted(issue.input)} is not a URL` }).optional(),
  displayed: z
    .strictObject({
      main: z.array(z.string()).default([]),
      source: z.array(z.string()).default([]),
      target: z.array(z.string()).default([]),
    })
    .default({ main: [], source: [], target: [] }),
  subclassing: z.string().optional(),
});

const timingSchema = z.strictObject({
  per: interval,
  thr: interval,
  rel: interval,
  thr_target: interval.optional(),
  rel_target: interval.optional(),
});

const settingsSchema = z.strictObject({
  fallback_emails: emails.optional(),
  /** Where redirected reports go (group `redirect: true`); column added by the reporting schema. */
  admin_emails: emails.optional(),
  default_locale: locale.optional(),
  default_timezone: timeZone.optional(),
  timings: z.partialRecord(severity, timingSchema).optional(),
  /** Report an address covered only by base networks to the base network's owner (Mentat: never). */
  report_base_only: z.boolean().optional(),
});

export const catalogSchema = z.strictObject({
  settings: settingsSchema.optional(),
  detectors: z.array(detectorSchema).default([]),
  event_classes: z.array(eventClassSchema).default([]),
  // Optional, not []: a file without `filters` leaves the global filters alone; `filters: []` clears them.
  filters: z.array(filterSchema).optional(),
  groups: z.array(groupSchema).default([]),
});

export type Catalog = z.infer<typeof catalogSchema>;
export type CatalogFilter = z.infer<typeof filterSchema>;
export type CatalogGroup = z.infer<typeof groupSchema>;
export type CatalogEventClass = z.infer<typeof eventClassSchema>;

/** The CEL text stored for a filter: its expression, or the one generated from its lists. */
export function filterExpression(filter: CatalogFilter): string {
  if (filter.type === 'advanced') return filter.expression ?? '';
  return basicFilterExpression(
    {
      categories: filter.categories,
      detectors: filter.detectors,
      eventClasses: filter.event_classes,
      sources: filter.sources,
      targets: filter.targets,
      protocols: filter.protocols,
    },
    filter.source_based,
  );
}

const filterOwner = (name: string, group: string | null) =>
  group ? `filter "${name}" of group "${group}"` : `global filter "${name}"`;

function compileProblem(owner: string, source: string): string | null {
  try {
    compileExpression(owner, source);
    return null;
  } catch (error) {
    if (!(error instanceof FilterCompileError)) throw error;
    return error.message;
  }
}

const record = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const items = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/**
 * Compiles every advanced filter expression and event-class rule of the raw document, so an
 * uncompilable filter is reported even when other parts of the file are malformed too.
 */
function expressionProblems(document: unknown): string[] {
  const problems: string[] = [];
  const filters = (list: unknown, path: string, group: string | null) =>
    items(list).forEach((raw, i) => {
      const filter = record(raw);
      if (filter.type !== 'advanced' || typeof filter.expression !== 'string' || !filter.expression.trim())
        return;
      const problem = compileProblem(filterOwner(String(filter.name ?? `#${i}`), group), filter.expression);
      if (problem) problems.push(`${path}[${i}].expression: ${problem}`);
    });
  const doc = record(document);
  filters(doc.filters, 'filters', null);
  items(doc.groups).forEach((group, i) => {
    filters(record(group).filters, `groups[${i}].filters`, String(record(group).name ?? `#${i}`));
  });
  items(doc.event_classes).forEach((raw, i) => {
    const c = record(raw);
    if (typeof c.rule !== 'string') return;
    const problem = compileProblem(`event class "${String(c.name ?? `#${i}`)}"`, c.rule);
    if (problem) problems.push(`event_classes[${i}].rule: ${problem}`);
    if (typeof c.subclassing === 'string' && c.subclassing.trim()) {
      const sub = compileProblem(`subclassing of event class "${String(c.name ?? `#${i}`)}"`, c.subclassing);
      if (sub) problems.push(`event_classes[${i}].subclassing: ${sub}`);
    }
  });
  return problems;
}

function checkFilters(filters: CatalogFilter[], path: string, group: string | null, problems: string[]) {
  const seen = new Set<string>();
  filters.forEach((filter, i) => {
    const at = `${path}[${i}]`;
    if (seen.has(filter.name)) problems.push(`${at}.name: ${quoted(filter.name)} is listed twice`);
    seen.add(filter.name);
    const lists = [filter.categories, filter.detectors, filter.event_classes, filter.sources, filter.targets];
    if (filter.type === 'advanced' && !filter.expression?.trim())
      problems.push(`${at}.expression: an advanced filter needs an expression`);
    else if (filter.type === 'basic' && filter.expression !== undefined)
      problems.push(`${at}.expression: a basic filter is built from its lists; use type: advanced`);
    else if (filter.type === 'basic' && [...lists, filter.protocols].every((list) => list.length === 0))
      problems.push(`${at}: a basic filter needs at least one list (it would drop every event)`);
    else if (filter.type === 'basic') {
      const problem = compileProblem(filterOwner(filter.name, group), filterExpression(filter));
      if (problem) problems.push(`${at}: ${problem}`);
    }
    if (filter.valid_from && filter.valid_to && filter.valid_from > filter.valid_to)
      problems.push(`${at}.valid_to: is before valid_from`);
  });
}

function duplicates(names: string[], path: string, problems: string[]) {
  const seen = new Set<string>();
  names.forEach((value, i) => {
    if (seen.has(value)) problems.push(`${path}[${i}].name: ${quoted(value)} is listed twice`);
    seen.add(value);
  });
}

/** Checks that need the whole file: compilation, duplicates, references, timing order. */
function semanticProblems(catalog: Catalog): string[] {
  const problems: string[] = [];
  duplicates(
    catalog.groups.map((g) => g.name),
    'groups',
    problems,
  );
  duplicates(
    catalog.detectors.map((d) => d.name),
    'detectors',
    problems,
  );
  duplicates(
    catalog.event_classes.map((c) => c.name),
    'event_classes',
    problems,
  );
  checkFilters(catalog.filters ?? [], 'filters', null, problems);
  catalog.groups.forEach((group, i) => {
    checkFilters(group.filters, `groups[${i}].filters`, group.name, problems);
    if (group.parent === group.name) problems.push(`groups[${i}].parent: a group cannot be its own parent`);
    const seen = new Set<string>();
    group.networks.forEach((network, j) => {
      const key = formatNetwork(parseNetwork(network.cidr)!);
      if (seen.has(key))
        problems.push(`groups[${i}].networks[${j}].cidr: ${quoted(network.cidr)} is listed twice`);
      seen.add(key);
    });
  });
  catalog.groups.forEach((g, i) => {
    for (const [sev, timing] of Object.entries(g.reporting?.timing ?? {})) {
      if (timing && timing.rel > timing.thr)
        problems.push(`groups[${i}].reporting.timing.${sev}.rel: must not be longer than thr`);
      if (timing && timing.per <= 0)
        problems.push(`groups[${i}].reporting.timing.${sev}.per: must be longer than 0`);
    }
  });
  for (const [sev, timing] of Object.entries(catalog.settings?.timings ?? {})) {
    if (timing && timing.rel > timing.thr)
      problems.push(`settings.timings.${sev}.rel: must not be longer than thr`);
    if (timing && (timing.rel_target ?? 0) > (timing.thr_target ?? 0))
      problems.push(
        `settings.timings.${sev}.rel_target: must not be longer than thr_target (0 when not given)`,
      );
    if (timing && timing.per <= 0) problems.push(`settings.timings.${sev}.per: must be longer than 0`);
  }
  return problems;
}

export type CatalogParseResult = { ok: true; catalog: Catalog } | { ok: false; problems: string[] };

/** Validates a parsed YAML/JSON document; every problem is one line naming its path. */
export function parseCatalog(document: unknown): CatalogParseResult {
  const result = catalogSchema.safeParse(document ?? {}, { reportInput: true });
  const compileProblems = expressionProblems(document);
  if (!result.success) {
    return {
      ok: false,
      problems: [
        ...result.error.issues.map((issue) => {
          const path = formatPath(issue.path);
          let message = typeIssueMessage(issue);
          if (issue.code === 'unrecognized_keys')
            message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map(quoted).join(', ')}`;
          return path ? `${path}: ${message}` : message;
        }),
        ...compileProblems,
      ],
    };
  }
  const problems = [...compileProblems, ...semanticProblems(result.data)];
  return problems.length ? { ok: false, problems } : { ok: true, catalog: result.data };
}
