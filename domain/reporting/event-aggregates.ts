// What a report body shows about the events of one (pass, relapsed, chain, IP, class): how many,
// first and last time, detectors, connections, ports and protocols. Counted in the worker while it
// classifies, from the event it already holds.
import { byCodePoint } from '../code-point-order';
import type { ChainRef } from './chains';
import { chainKey } from './chains';
import type { Pass } from './threshold-key';

/** The columns and document leaves of a stored event that the aggregates read. */
export interface AggregatedEvent {
  /** Epoch ms of EventTime, else DetectTime. */
  first_ms: number;
  /** Epoch ms of CeaseTime, else EventTime, else DetectTime. */
  last_ms: number;
  node_names: readonly string[];
  /** The document's ConnCount, targets' ports and sources' protocols, as stored. */
  conn_count: unknown;
  target_ports: readonly unknown[];
  source_protocols: readonly unknown[];
}

/** One passed (event, IP) of a run: where it is reported and under which class. */
export interface AggregatedHit extends ChainRef {
  pass: Pass;
  relapsed: boolean;
  ip: string;
  wholeClass: string;
  /** Relapsed hits: the report that last covered the key (for threading). */
  earlierLabel?: string | null;
}

/** One row per (pass, relapsed, chain, fallback, IP, class). Times are ISO strings. */
export interface EventAggregateRow {
  pass: Pass;
  relapsed: boolean;
  chain: string[];
  fallback: string[];
  ip: string;
  wholeClass: string;
  count: number;
  firstTime: string;
  lastTime: string;
  detectors: string[];
  connCount: number;
  /** The class's reference link; null here, filled from the class catalog when rendering. */
  reference: string | null;
  ports: string[];
  protocols: string[];
  earlierLabel: string | null;
}

interface Accumulator {
  hit: AggregatedHit;
  count: number;
  first: number;
  last: number;
  detectors: Set<string>;
  connCount: number;
  ports: Set<string>;
  protocols: Set<string>;
  earlierLabel: string | null;
}

function textOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return null;
  return JSON.stringify(value);
}

/** The ConnCount leaf when it is a whole number (a number, or digits as text); anything else is 0. */
export function connCountOf(value: unknown): number {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : 0;
  if (typeof value === 'string' && /^[0-9]+$/.test(value)) return Number(value);
  return 0;
}

/**
 * The target-port and source-protocol leaves (db/reporting/window-events.ts) as text, protocols
 * lower-case; what is neither text nor a value is left out.
 */
export function portsAndProtocols(portValues: readonly unknown[], protocolValues: readonly unknown[]) {
  const ports: string[] = [];
  for (const p of portValues) {
    const text = textOf(p);
    if (text !== null) ports.push(text);
  }
  const protocols: string[] = [];
  for (const p of protocolValues) {
    const text = textOf(p);
    if (text !== null) protocols.push(text.toLowerCase());
  }
  return { ports, protocols };
}

export class EventAggregates {
  private readonly rows = new Map<string, Accumulator>();

  add(hit: AggregatedHit, event: AggregatedEvent): void {
    const key = `${hit.pass}\u0000${hit.relapsed}\u0000${chainKey(hit)}\u0000${hit.ip}\u0000${hit.wholeClass}`;
    let acc = this.rows.get(key);
    if (!acc) {
      acc = {
        hit,
        count: 0,
        first: Number.POSITIVE_INFINITY,
        last: Number.NEGATIVE_INFINITY,
        detectors: new Set(),
        connCount: 0,
        ports: new Set(),
        protocols: new Set(),
        earlierLabel: null,
      };
      this.rows.set(key, acc);
    }
    acc.count++;
    if (event.first_ms < acc.first) acc.first = event.first_ms;
    if (event.last_ms > acc.last) acc.last = event.last_ms;
    // The detector is the last node of the event's path (the one that reported it).
    const detector = event.node_names[event.node_names.length - 1];
    if (detector !== undefined) acc.detectors.add(detector);
    acc.connCount += connCountOf(event.conn_count);
    const { ports, protocols } = portsAndProtocols(event.target_ports, event.source_protocols);
    for (const p of ports) acc.ports.add(p);
    for (const p of protocols) acc.protocols.add(p);
    if (hit.earlierLabel && (acc.earlierLabel === null || hit.earlierLabel > acc.earlierLabel))
      acc.earlierLabel = hit.earlierLabel;
  }

  get size(): number {
    return this.rows.size;
  }

  /** The rows, in a stable order (insertion order of their first hit). */
  toRows(): EventAggregateRow[] {
    return [...this.rows.values()].map((a) => ({
      pass: a.hit.pass,
      relapsed: a.hit.relapsed,
      chain: [...a.hit.chain],
      fallback: [...a.hit.fallback],
      ip: a.hit.ip,
      wholeClass: a.hit.wholeClass,
      count: a.count,
      firstTime: new Date(a.first).toISOString(),
      lastTime: new Date(a.last).toISOString(),
      detectors: [...a.detectors].sort(byCodePoint),
      connCount: a.connCount,
      reference: null,
      ports: [...a.ports].sort(byCodePoint),
      protocols: [...a.protocols].sort(byCodePoint),
      earlierLabel: a.earlierLabel,
    }));
  }
}
