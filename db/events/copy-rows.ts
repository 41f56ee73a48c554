// Event rows as PostgreSQL COPY text lines: the fastest way into the event store (no JSON round
// trip through jsonb_to_recordset, no per-row INSERT). Format: docs of COPY, "Text Format" —
// tab-separated, \N for NULL, backslash escapes; arrays as their literal {"a","b"} text.
import type { EventRow } from '../../domain/idea/extract';
import { arrayLiteral, copyText } from '../reporting/copy-rows';

/** The stored columns in the order each line has them. */
export const copyColumns = [
  'id',
  'storage_time',
  'detect_time',
  'event_time',
  'cease_time',
  'categories',
  'description',
  'tlp',
  'source_ips',
  'target_ips',
  'source_ip4_net',
  'source_ip6_net',
  'target_ip4_net',
  'target_ip6_net',
  'source_ports',
  'target_ports',
  'source_types',
  'target_types',
  'protocols',
  'node_names',
  'node_types',
  'resolved_abuses',
  'target_abuses',
  'base_abuses',
  'event_class',
  'event_subclasses',
  'target_class',
  'target_subclasses',
  'event_severity',
  'target_severity',
  'inspection_errors',
  'shadow_reporting',
  'shadow_reporting_target',
  'is_test',
  'event',
] as const;

const nullable = (value: string | null) => (value === null ? '\\N' : copyText(value));

/** text[] / inet[] literal: every element quoted, so commas, braces and spaces need no thought. */
const textArray = (values: readonly string[]) =>
  values.length === 0 ? '{}' : copyText(arrayLiteral(values));

const intArray = (values: readonly number[]) => `{${values.join(',')}}`;
const bool = (value: boolean) => (value ? 't' : 'f');

/**
 * The stored IDEA JSON with _Mentat (StorageTime included). Given the input's own text (an event
 * that had neither _Mentat nor _CESNET and needed no repair), _Mentat is appended to it instead
 * of serialising the whole event again: a fifth of ingest's CPU. jsonb keeps no key order and,
 * like JSON.parse, the last of duplicate keys, so both store the same value.
 */
function storedJson(row: EventRow, storageTime: string, inputText?: string): string {
  const mentat = { ...(row.event._Mentat as object), StorageTime: storageTime };
  if (inputText === undefined) return JSON.stringify({ ...row.event, _Mentat: mentat });
  const end = inputText.lastIndexOf('}');
  return `${inputText.slice(0, end)},"_Mentat":${JSON.stringify(mentat)}${inputText.slice(end)}`;
}

/**
 * One COPY line for a row stored at `storageTime` (text as PostgreSQL printed it, microseconds
 * kept); the stored IDEA JSON gets the same time as _Mentat.StorageTime.
 */
export function copyLine(row: EventRow, storageTime: string, inputText?: string): string {
  return `${[
    copyText(row.id),
    storageTime,
    row.detect_time,
    nullable(row.event_time),
    nullable(row.cease_time),
    textArray(row.categories),
    nullable(row.description),
    nullable(row.tlp),
    textArray(row.source_ips),
    textArray(row.target_ips),
    nullable(row.source_ip4_net),
    nullable(row.source_ip6_net),
    nullable(row.target_ip4_net),
    nullable(row.target_ip6_net),
    intArray(row.source_ports),
    intArray(row.target_ports),
    textArray(row.source_types),
    textArray(row.target_types),
    textArray(row.protocols),
    textArray(row.node_names),
    textArray(row.node_types),
    textArray(row.resolved_abuses),
    textArray(row.target_abuses),
    textArray(row.base_abuses),
    nullable(row.event_class),
    textArray(row.event_subclasses),
    nullable(row.target_class),
    textArray(row.target_subclasses),
    nullable(row.event_severity),
    nullable(row.target_severity),
    textArray(row.inspection_errors),
    bool(row.shadow_reporting),
    bool(row.shadow_reporting_target),
    bool(row.is_test),
    copyText(storedJson(row, storageTime, inputText)),
  ].join('\t')}\n`;
}
