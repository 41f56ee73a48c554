// The IDEA0 event: what the vendored IDEA0 JSON schema (domain/idea/schema/) accepts, checked by
// Ajv compiled once, plus herald's own checks on what the store needs (ID length, timestamps
// that denote a point in time). Keys the schema does not define, such as the private _Mentat
// and _CESNET blocks, are kept as they come and read leniently (domain/idea/mentat-meta.ts).
import type { z } from 'zod';
import { validateIdea0 } from './idea0-validator';
import { shownValue } from './shown-value';

export { shownValue };

export const severities = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof severities)[number];

/** RFC 3339 date-time: a "T" between date and time and an explicit offset (Z or ±hh:mm). */
const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Strict RFC 3339 with a real date and time (the CLI's time options). */
export function isRfc3339(value: string): boolean {
  return rfc3339.test(value) && ideaTimestampToIso(value) !== null;
}

/**
 * An IDEA timestamp (the schema allows "T", "t" or a space, and a missing offset, read as UTC)
 * as the text PostgreSQL stores, or null when it names no point in time (month 13, hour 25).
 */
const ideaTimestamp = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$/;

export function ideaTimestampToIso(value: string): string | null {
  const m = ideaTimestamp.exec(value);
  if (!m) return null;
  const [, year, month, day, hour, minute, second, fraction, offset] = m;
  const mo = Number(month);
  const d = Number(day);
  const s = Number(second);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || Number(hour) > 23 || Number(minute) > 59 || s > 60) return null;
  const zone = !offset || offset === 'z' ? 'Z' : offset;
  const text = `${year}-${month}-${day}T${hour}:${minute}:${second}${fraction ?? ''}${zone}`;
  // A UTC time in the first 28 days of a month names a point in time whatever the month: Date.parse,
  // the costly part of ingest's two calls per time field, is only asked about the rest.
  if (zone === 'Z' && d <= 28 && s < 60) return text;
  // Date.parse refuses 24:00 forms and the like; a leap second (":60") is checked one second back.
  const probe = s === 60 ? text.replace(/:60(\.\d+)?/, ':59') : text;
  return Number.isNaN(Date.parse(probe)) ? null : text;
}

export interface IdeaSourceOrTarget {
  Type?: string[];
  Hostname?: string[];
  IP4?: string[];
  IP6?: string[];
  MAC?: string[];
  Port?: number[];
  Proto?: string[];
  URL?: string[];
  Email?: string[];
  AttachHand?: string[];
  Note?: string;
  Spoofed?: boolean;
  Imprecise?: boolean;
  Anonymised?: boolean;
  ASN?: number[];
  Router?: string[];
  Netname?: string[];
  Ref?: string[];
  [extension: string]: unknown;
}

export interface IdeaNode {
  Name?: string;
  Type?: string[];
  SW?: string[];
  AggrWin?: string;
  Note?: string;
  [extension: string]: unknown;
}

export interface IdeaEvent {
  Format: 'IDEA0';
  ID: string;
  AltNames?: string[];
  CorrelID?: string[];
  AggrID?: string[];
  PredID?: string[];
  RelID?: string[];
  CreateTime?: string;
  DetectTime: string;
  EventTime?: string;
  CeaseTime?: string;
  WinStartTime?: string;
  WinEndTime?: string;
  ConnCount?: number;
  FlowCount?: number;
  PacketCount?: number;
  ByteCount?: number;
  Category: string[];
  Ref?: string[];
  Confidence?: number;
  Description?: string;
  Note?: string;
  Source?: IdeaSourceOrTarget[];
  Target?: IdeaSourceOrTarget[];
  Attach?: Record<string, unknown>[];
  Node?: IdeaNode[];
  /** Not part of IDEA0: free-form, read leniently. */
  _Mentat?: unknown;
  _CESNET?: unknown;
  [extension: string]: unknown;
}

/**
 * The message of a zod wrong-type issue (catalog files): "is required" only when the value is
 * missing (the issue must be made with `reportInput: true`), else what was expected and what came.
 */
export function typeIssueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'invalid_type') return issue.message;
  if (issue.input === undefined) return 'is required';
  // zod's own wording ("Invalid input: expected number, received number") hides the value.
  if (!issue.message.startsWith('Invalid input')) return issue.message;
  return `expected ${issue.expected}, got ${shownValue(issue.input)}`;
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

const timeKeys = [
  'CreateTime',
  'DetectTime',
  'EventTime',
  'CeaseTime',
  'WinStartTime',
  'WinEndTime',
] as const;

export function parseIdeaEvent(value: unknown): IdeaParseResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, message: 'not a JSON object' };
  const problem = validateIdea0(value);
  if (problem) return { ok: false, message: problem };
  const event = value as IdeaEvent;
  // herald's own limits, beyond the schema: what the store and its indexes can hold.
  if (event.ID.length > 1024) return { ok: false, message: 'ID: is longer than 1024 characters' };
  for (const key of timeKeys) {
    const time = event[key];
    if (time !== undefined && ideaTimestampToIso(time) === null)
      return { ok: false, message: `${key}: ${shownValue(time)} is not a valid date and time` };
  }
  return { ok: true, event };
}
