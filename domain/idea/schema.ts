// The IDEA0 event format as a zod schema: required Format/ID/DetectTime/Category, types of the
// rest. Unknown keys are kept (IDEA allows extensions such as _Mentat, _CESNET).
import { z } from 'zod';
import { ideaAddressToInets } from './network';
import { isIdeaCategory } from './taxonomy';

export const severities = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof severities)[number];

/** RFC 3339 date-time: a "T" between date and time and an explicit offset (Z or ±hh:mm). */
const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function isRfc3339(value: string): boolean {
  const m = rfc3339.exec(value);
  if (!m) return false;
  const [, , month, day, hour, minute, second] = m.map(Number) as number[];
  return (
    month! >= 1 &&
    month! <= 12 &&
    day! >= 1 &&
    day! <= 31 &&
    hour! <= 23 &&
    minute! <= 59 &&
    second! <= 60 &&
    !Number.isNaN(Date.parse(value))
  );
}

const timestamp = z.string().refine(isRfc3339, {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is not an RFC 3339 timestamp (expected e.g. 2024-05-01T12:00:00Z)`,
});

const text = z.string();
const texts = z.array(text);
const id = z
  .string()
  .min(1, 'must not be empty')
  .max(1024, 'is longer than 1024 characters')
  .refine((value) => !/[\s\u0000-\u001f]/.test(value), { error: 'must not contain whitespace' });
const count = z.number().int().nonnegative();
const port = z.number().int().min(0).max(65535);

const addressList = (family: 4 | 6) =>
  z.array(
    z.string().refine((value) => ideaAddressToInets(value, family) !== null, {
      error: (issue) => `${JSON.stringify(issue.input)} is not an IPv${family} address, network or range`,
    }),
  );

const sourceOrTarget = z.looseObject({
  Type: texts.optional(),
  Hostname: texts.optional(),
  IP4: addressList(4).optional(),
  IP6: addressList(6).optional(),
  MAC: texts.optional(),
  Port: z.array(port).optional(),
  Proto: texts.optional(),
  URL: texts.optional(),
  Email: texts.optional(),
  AttachHand: texts.optional(),
  Note: text.optional(),
  Spoofed: z.boolean().optional(),
  Imprecise: z.boolean().optional(),
  Anonymised: z.boolean().optional(),
  ASN: z.array(z.number().int().nonnegative()).optional(),
  Router: texts.optional(),
  Netname: texts.optional(),
  Ref: texts.optional(),
});

const attachment = z.looseObject({
  Handle: text.optional(),
  FileName: texts.optional(),
  Type: texts.optional(),
  Hash: texts.optional(),
  Size: count.optional(),
  Ref: texts.optional(),
  Note: text.optional(),
  ContentType: text.optional(),
  ContentCharset: text.optional(),
  ContentEncoding: text.optional(),
  Content: text.optional(),
  ContentID: texts.optional(),
  ExternalURI: texts.optional(),
});

const node = z.looseObject({
  Name: text.optional(),
  Type: texts.optional(),
  SW: texts.optional(),
  AggrWin: text.optional(),
  Note: text.optional(),
});

const severity = z
  .string()
  .transform((value) => value.toLowerCase())
  .pipe(z.enum(severities, { error: (issue) => `${JSON.stringify(issue.input)} is not a severity` }));

/** Mentat's metadata block (_Mentat, legacy _CESNET): only the keys herald uses are typed. */
export const mentatMetaSchema = z.looseObject({
  ResolvedAbuses: texts.optional(),
  TargetAbuses: texts.optional(),
  EventClass: text.optional(),
  EventSubclass: z.union([text, texts]).optional(),
  TargetClass: text.optional(),
  TargetSubclass: z.union([text, texts]).optional(),
  EventSeverity: severity.optional(),
  TargetSeverity: severity.optional(),
  StorageTime: text.optional(),
  InspectionErrors: texts.optional(),
  ShadowReporting: z.boolean().optional(),
  ShadowReportingTarget: z.boolean().optional(),
});
export type MentatMeta = z.infer<typeof mentatMetaSchema>;

export const ideaEventSchema = z.looseObject({
  Format: z.literal('IDEA0', { error: (issue) => `${JSON.stringify(issue.input)} is not "IDEA0"` }),
  ID: id,
  AltNames: texts.optional(),
  CorrelID: z.array(id).optional(),
  AggrID: z.array(id).optional(),
  PredID: z.array(id).optional(),
  RelID: z.array(id).optional(),
  CreateTime: timestamp.optional(),
  DetectTime: timestamp,
  EventTime: timestamp.optional(),
  CeaseTime: timestamp.optional(),
  WinStartTime: timestamp.optional(),
  WinEndTime: timestamp.optional(),
  ConnCount: count.optional(),
  FlowCount: count.optional(),
  PacketCount: count.optional(),
  ByteCount: count.optional(),
  Category: z
    .array(
      z.string().refine(isIdeaCategory, {
        error: (issue) => `${JSON.stringify(issue.input)} is not an IDEA category`,
      }),
    )
    .min(1, 'must list at least one category'),
  Ref: texts.optional(),
  Confidence: z.number().min(0).max(1).optional(),
  Description: text.optional(),
  Note: text.optional(),
  TLP: text.optional(),
  Source: z.array(sourceOrTarget).optional(),
  Target: z.array(sourceOrTarget).optional(),
  Attach: z.array(attachment).optional(),
  Node: z.array(node).optional(),
  _Mentat: mentatMetaSchema.optional(),
  _CESNET: mentatMetaSchema.optional(),
});

export type IdeaEvent = z.infer<typeof ideaEventSchema>;
export type IdeaSourceOrTarget = z.infer<typeof sourceOrTarget>;

/** A value as shown in a message: JSON, numbers as written (Infinity, not null), at most 60 characters. */
export function shownValue(input: unknown): string {
  const text = typeof input === 'number' ? String(input) : (JSON.stringify(input) ?? String(input));
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

/**
 * The message of a wrong-type issue: "is required" only when the value is missing (the issue
 * must be made with `reportInput: true`), else what was expected and what came.
 */
export function typeIssueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'invalid_type') return issue.message;
  if (issue.input === undefined) return 'is required';
  // zod's own wording ("Invalid input: expected number, received number") hides the value.
  if (!issue.message.startsWith('Invalid input')) return issue.message;
  return `expected ${issue.expected}, got ${shownValue(issue.input)}`;
}

/** One line per problem: `Source[0].IP4[1]: "1.2.3" is not an IPv4 address…`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = formatPath(issue.path);
      const message = typeIssueMessage(issue);
      return path ? `${path}: ${message}` : message;
    })
    .join('; ');
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

export type IdeaParseResult = { ok: true; event: IdeaEvent } | { ok: false; message: string };

export function parseIdeaEvent(value: unknown): IdeaParseResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, message: 'not a JSON object' };
  const result = ideaEventSchema.safeParse(value, { reportInput: true });
  return result.success
    ? { ok: true, event: result.data }
    : { ok: false, message: describeIssues(result.error) };
}
