// Mentat's metadata block (_Mentat, legacy _CESNET) is a private key: IDEA0 leaves it free-form,
// so other systems put anything there (a numeric StorageTime, a severity herald does not know).
// Only values of the expected type are read; the block itself is stored as it came.
import { type Severity, severities } from './schema';

export interface MentatMeta {
  ResolvedAbuses?: string[];
  TargetAbuses?: string[];
  EventClass?: string;
  EventSubclass?: string[];
  TargetClass?: string;
  TargetSubclass?: string[];
  EventSeverity?: Severity;
  TargetSeverity?: Severity;
  InspectionErrors?: string[];
  ShadowReporting?: boolean;
  ShadowReportingTarget?: boolean;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const strings = (value: unknown) =>
  Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : undefined;
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
const flag = (value: unknown) => (typeof value === 'boolean' ? value : undefined);
const severity = (value: unknown) => {
  const lower = typeof value === 'string' ? value.toLowerCase() : undefined;
  return lower && (severities as readonly string[]).includes(lower) ? (lower as Severity) : undefined;
};
const subclass = (value: unknown) => (typeof value === 'string' ? [value] : strings(value));

/** The raw block: _Mentat if it is an object, else _CESNET if that is, else null. */
export function mentatBlock(event: { _Mentat?: unknown; _CESNET?: unknown }): Record<string, unknown> | null {
  if (isObject(event._Mentat)) return event._Mentat;
  if (isObject(event._CESNET)) return event._CESNET;
  return null;
}

/** The typed view of the block; a value of another type is absent here (and kept in the event). */
export function readMentatMeta(event: { _Mentat?: unknown; _CESNET?: unknown }): MentatMeta {
  const block = mentatBlock(event);
  if (!block) return {};
  const out: MentatMeta = {
    ResolvedAbuses: strings(block.ResolvedAbuses),
    TargetAbuses: strings(block.TargetAbuses),
    EventClass: text(block.EventClass),
    EventSubclass: subclass(block.EventSubclass),
    TargetClass: text(block.TargetClass),
    TargetSubclass: subclass(block.TargetSubclass),
    EventSeverity: severity(block.EventSeverity),
    TargetSeverity: severity(block.TargetSeverity),
    InspectionErrors: strings(block.InspectionErrors),
    ShadowReporting: flag(block.ShadowReporting),
    ShadowReportingTarget: flag(block.ShadowReportingTarget),
  };
  for (const key of Object.keys(out) as (keyof MentatMeta)[]) if (out[key] === undefined) delete out[key];
  return out;
}
