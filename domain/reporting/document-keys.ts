// What of an event's document a severity run's filters read (docs/reporting.md, "The document a
// run reads"): the top-level keys their variables come from, or the whole document when one reads
// `event`. The reports read leaves the window query extracts apart (db/reporting/window-events.ts).
import type { filterVariables } from '../filters/context';

/** The whole document, or only these top-level keys (as stored: present, null or absent). */
export type DocumentKeys = 'whole' | readonly string[];

type FilterVariable = (typeof filterVariables)[number];

// The classes and severities come from the event's columns, else from its Mentat block.
const MENTAT = ['_Mentat', '_CESNET'] as const;

/** The keys each filter variable is made from (domain/filters/context.ts). */
const KEYS_OF: Record<FilterVariable, 'whole' | readonly string[]> = {
  event: 'whole',
  ID: ['ID'],
  Category: ['Category'],
  Description: ['Description'],
  Node: ['Node'],
  detectors: ['Node'],
  Source: ['Source'],
  Target: ['Target'],
  sourceIPs: ['Source'],
  targetIPs: ['Target'],
  sourcePorts: ['Source'],
  targetPorts: ['Target'],
  protocols: ['Source', 'Target'],
  eventClass: MENTAT,
  targetClass: MENTAT,
  severity: MENTAT,
  targetSeverity: MENTAT,
};

/** The keys filters like these read, sorted; 'whole' when one of them reads `event`. */
export function documentKeys(
  filters: readonly { compiled: { variables: ReadonlySet<string> } }[],
): DocumentKeys {
  const keys = new Set<string>();
  for (const filter of filters)
    for (const variable of filter.compiled.variables) {
      const of = KEYS_OF[variable as FilterVariable];
      // A variable this table does not know: read everything rather than guess.
      if (of === undefined || of === 'whole') return 'whole';
      for (const key of of) keys.add(key);
    }
  return [...keys].sort();
}
