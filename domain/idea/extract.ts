// IDEA event -> the `events` row: the columns the reporter queries. Classes come from _Mentat
// when present, else from the catalog's rules; abuse groups always from the catalog's networks
// (an incoming _Mentat.ResolvedAbuses/TargetAbuses is kept as ReceivedResolvedAbuses/
// ReceivedTargetAbuses and decides nothing). A category outside the IDEA taxonomy is stored
// with an inspection warning.
import type { AbuseResolver } from './abuse';
import { type Classification, type CompiledEventClass, classifyEvent } from './classify';
import { mentatBlock, readMentatMeta } from './mentat-meta';
import {
  envelope,
  formatNetwork,
  ideaAddressToInets,
  ipv4Envelope,
  ipv4Mask,
  type Network,
  parseIpv4,
  parseIpv4Network,
  parseNetwork,
} from './network';
import { type IdeaEvent, type IdeaSourceOrTarget, ideaTimestampToIso, type Severity } from './schema';
import { isIdeaCategory } from './taxonomy';

export interface EventRow {
  id: string;
  detect_time: string;
  event_time: string | null;
  cease_time: string | null;
  categories: string[];
  description: string | null;
  tlp: string | null;
  source_ips: string[];
  target_ips: string[];
  source_ip4_net: string | null;
  source_ip6_net: string | null;
  target_ip4_net: string | null;
  target_ip6_net: string | null;
  source_ports: number[];
  target_ports: number[];
  source_types: string[];
  target_types: string[];
  protocols: string[];
  node_names: string[];
  node_types: string[];
  resolved_abuses: string[];
  target_abuses: string[];
  base_abuses: string[];
  event_class: string | null;
  event_subclasses: string[];
  target_class: string | null;
  target_subclasses: string[];
  event_severity: Severity | null;
  target_severity: Severity | null;
  inspection_errors: string[];
  shadow_reporting: boolean;
  shadow_reporting_target: boolean;
  is_test: boolean;
  event: Record<string, unknown>;
}

export interface ExtractOptions {
  classes: readonly CompiledEventClass[];
  abuses: AbuseResolver;
  /** Repairs done before validation (e.g. U+0000 removed), recorded in inspection_errors. */
  repairs?: readonly string[];
}

const uniq = <T>(values: Iterable<T>) => [...new Set(values)];
// Validated before: a timestamp that names no point in time never gets here.
const time = (value: string | undefined) => (value === undefined ? null : ideaTimestampToIso(value));

/** The inspection warning of a category outside the IDEA taxonomy (searched for by its prefix). */
export const UNKNOWN_CATEGORY_WARNING = 'Category not in the IDEA taxonomy: ';
const unknownCategoryWarning = (category: string) => `${UNKNOWN_CATEGORY_WARNING}${category}`;
const subclasses = (value: string | string[] | undefined) =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

function addresses(items: IdeaSourceOrTarget[] | undefined) {
  const inets: string[] = [];
  // IPv4 in plain numbers (the envelope is the range low4..high4); BigInt only for IPv6.
  let low4 = -1;
  let high4 = -1;
  const widen4 = (first: number, last: number) => {
    if (low4 < 0 || first < low4) low4 = first;
    if (last > high4) high4 = last;
  };
  const nets6: Network[] = [];
  for (const item of items ?? []) {
    for (const text of item.IP4 ?? []) {
      // A strict dotted quad is already its own inet text.
      const value = parseIpv4(text);
      if (value !== null) {
        inets.push(text);
        widen4(value, value);
        continue;
      }
      for (const inet of ideaAddressToInets(text, 4) ?? []) {
        inets.push(inet);
        const net = parseIpv4Network(inet);
        if (net) widen4(net.base, (net.base | ~ipv4Mask(net.prefix)) >>> 0);
      }
    }
    for (const text of item.IP6 ?? []) {
      for (const inet of ideaAddressToInets(text, 6) ?? []) {
        inets.push(inet);
        const net = parseNetwork(inet);
        if (net) nets6.push(net);
      }
    }
  }
  const env6 = envelope(nets6);
  return {
    inets: uniq(inets),
    ip4: low4 < 0 ? null : ipv4Envelope(low4, high4),
    ip6: env6 ? formatNetwork(env6) : null,
  };
}

export function extractEventRow(event: IdeaEvent, options: ExtractOptions): EventRow {
  const meta = readMentatMeta(event);
  const block = mentatBlock(event) ?? {};
  const source = addresses(event.Source);
  const target = addresses(event.Target);

  const needsClass = meta.EventClass === undefined && meta.TargetClass === undefined;
  const classification: Classification | null = needsClass ? classifyEvent(event, options.classes) : null;

  const eventClass = meta.EventClass ?? classification?.eventClass ?? null;
  const eventSeverity = meta.EventSeverity ?? classification?.eventSeverity ?? null;
  const targetClass = meta.TargetClass ?? classification?.targetClass ?? null;
  const targetSeverity = meta.TargetSeverity ?? classification?.targetSeverity ?? null;
  const sourceGroups = options.abuses.resolveDetailed(source.inets);
  const targetGroups = options.abuses.resolveDetailed(target.inets);
  const resolvedAbuses = sourceGroups.groups;
  const targetAbuses = targetGroups.groups;
  const baseAbuses = uniq([...sourceGroups.baseOnly, ...targetGroups.baseOnly]);
  const shadow = meta.ShadowReporting ?? classification?.shadow ?? false;
  const shadowTarget = meta.ShadowReportingTarget ?? classification?.shadowTarget ?? false;
  const inspectionErrors = [
    ...(meta.InspectionErrors ?? []),
    ...(options.repairs ?? []).map((path) => `U+0000 removed from ${path}`),
    ...event.Category.filter((c) => !isIdeaCategory(c)).map(unknownCategoryWarning),
    ...(classification?.errors ?? []),
  ];

  const protocols = new Set<string>();
  for (const item of [...(event.Source ?? []), ...(event.Target ?? [])])
    for (const proto of item.Proto ?? []) protocols.add(proto.toLowerCase());

  const stored: Record<string, unknown> = { ...event };
  delete stored._CESNET;
  stored._Mentat = {
    ...block,
    ...(block.ResolvedAbuses !== undefined && { ReceivedResolvedAbuses: block.ResolvedAbuses }),
    ...(block.TargetAbuses !== undefined && { ReceivedTargetAbuses: block.TargetAbuses }),
    ResolvedAbuses: resolvedAbuses,
    TargetAbuses: targetAbuses,
    ...(eventClass !== null && { EventClass: eventClass }),
    ...(meta.EventSubclass === undefined &&
      classification?.eventSubclasses.length && { EventSubclass: classification.eventSubclasses }),
    ...(meta.TargetSubclass === undefined &&
      classification?.targetSubclasses.length && { TargetSubclass: classification.targetSubclasses }),
    ...(eventSeverity !== null && { EventSeverity: eventSeverity }),
    ...(targetClass !== null && { TargetClass: targetClass }),
    ...(targetSeverity !== null && { TargetSeverity: targetSeverity }),
    ...(shadow && { ShadowReporting: true }),
    ...(shadowTarget && { ShadowReportingTarget: true }),
    ...(inspectionErrors.length && { InspectionErrors: inspectionErrors }),
  };

  return {
    id: event.ID,
    detect_time: time(event.DetectTime)!,
    event_time: time(event.EventTime),
    cease_time: time(event.CeaseTime),
    categories: event.Category,
    description: event.Description ?? null,
    tlp: typeof event.TLP === 'string' ? event.TLP : null,
    source_ips: source.inets,
    target_ips: target.inets,
    source_ip4_net: source.ip4,
    source_ip6_net: source.ip6,
    target_ip4_net: target.ip4,
    target_ip6_net: target.ip6,
    source_ports: uniq((event.Source ?? []).flatMap((s) => s.Port ?? [])),
    target_ports: uniq((event.Target ?? []).flatMap((t) => t.Port ?? [])),
    source_types: uniq((event.Source ?? []).flatMap((s) => s.Type ?? [])),
    target_types: uniq((event.Target ?? []).flatMap((t) => t.Type ?? [])),
    protocols: [...protocols].sort(),
    node_names: uniq((event.Node ?? []).flatMap((n) => (n.Name ? [n.Name] : []))),
    node_types: uniq((event.Node ?? []).flatMap((n) => n.Type ?? [])),
    resolved_abuses: resolvedAbuses,
    target_abuses: targetAbuses,
    base_abuses: baseAbuses,
    event_class: eventClass,
    event_subclasses:
      meta.EventSubclass !== undefined
        ? subclasses(meta.EventSubclass)
        : (classification?.eventSubclasses ?? []),
    target_class: targetClass,
    target_subclasses:
      meta.TargetSubclass !== undefined
        ? subclasses(meta.TargetSubclass)
        : (classification?.targetSubclasses ?? []),
    event_severity: eventSeverity,
    target_severity: targetSeverity,
    inspection_errors: inspectionErrors,
    shadow_reporting: shadow,
    shadow_reporting_target: shadowTarget,
    is_test: event.Category.includes('Test'),
    event: stored,
  };
}
