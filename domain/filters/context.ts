// The variables a CEL filter or event-class rule sees: the whole event plus short names for the
// fields filters use most. Missing IDEA fields are empty lists/strings so that expressions such
// as `Target.exists(t, …)` never fail on an event without targets.
import type { IdeaEvent, IdeaSourceOrTarget } from '../idea/schema';

export interface FilterContext {
  event: Record<string, unknown>;
  ID: string;
  Category: string[];
  Description: string;
  Node: unknown[];
  Source: unknown[];
  Target: unknown[];
  detectors: string[];
  sourceIPs: string[];
  targetIPs: string[];
  sourcePorts: number[];
  targetPorts: number[];
  protocols: string[];
  eventClass: string;
  targetClass: string;
  severity: string;
  targetSeverity: string;
}

/** Names of the CEL variables (used by the compiler to reject unknown identifiers). */
export const filterVariables = [
  'event',
  'ID',
  'Category',
  'Description',
  'Node',
  'Source',
  'Target',
  'detectors',
  'sourceIPs',
  'targetIPs',
  'sourcePorts',
  'targetPorts',
  'protocols',
  'eventClass',
  'targetClass',
  'severity',
  'targetSeverity',
] as const satisfies readonly (keyof FilterContext)[];

const ips = (items: IdeaSourceOrTarget[] | undefined) =>
  (items ?? []).flatMap((item) => [...(item.IP4 ?? []), ...(item.IP6 ?? [])]);
const ports = (items: IdeaSourceOrTarget[] | undefined) => (items ?? []).flatMap((item) => item.Port ?? []);

export interface ContextClassification {
  eventClass?: string | null;
  targetClass?: string | null;
  severity?: string | null;
  targetSeverity?: string | null;
}

export function filterContext(event: IdeaEvent, classification: ContextClassification = {}): FilterContext {
  const meta = event._Mentat ?? event._CESNET;
  const protocols = new Set<string>();
  for (const item of [...(event.Source ?? []), ...(event.Target ?? [])])
    for (const proto of item.Proto ?? []) protocols.add(proto.toLowerCase());
  return {
    event: event as Record<string, unknown>,
    ID: event.ID,
    Category: event.Category,
    Description: event.Description ?? '',
    Node: event.Node ?? [],
    Source: event.Source ?? [],
    Target: event.Target ?? [],
    detectors: (event.Node ?? []).flatMap((node) => (node.Name ? [node.Name] : [])),
    sourceIPs: ips(event.Source),
    targetIPs: ips(event.Target),
    sourcePorts: ports(event.Source),
    targetPorts: ports(event.Target),
    protocols: [...protocols].sort(),
    eventClass: classification.eventClass ?? meta?.EventClass ?? '',
    targetClass: classification.targetClass ?? meta?.TargetClass ?? '',
    severity: classification.severity ?? meta?.EventSeverity ?? '',
    targetSeverity: classification.targetSeverity ?? meta?.TargetSeverity ?? '',
  };
}
