// The leaves the window query extracts for the report tables and statistics
// (db/reporting/window-events.ts), read from a whole IDEA document in JavaScript: the reference
// the SQL is held to. IDEA's lax JSON paths (`$.Target[*].Port[*]`) take a single value as a
// one-element list and skip what is not an object.

export interface ReportLeaves {
  conn_count: unknown;
  target_ports: unknown[];
  source_protocols: unknown[];
  node_software: unknown;
}

function laxList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === 'object' && !Array.isArray(value);

function membersOf(section: unknown, field: string): unknown[] {
  return laxList(section).flatMap((item) => (isObject(item) ? laxList(item[field]) : []));
}

/** ConnCount, every target's Port, every source's Proto and the last node's SW, as stored. */
export function reportLeavesOf(document: Record<string, unknown> | null): ReportLeaves {
  const nodes = document?.Node;
  const last = Array.isArray(nodes) ? nodes[nodes.length - 1] : undefined;
  return {
    conn_count: document?.ConnCount ?? null,
    target_ports: membersOf(document?.Target, 'Port'),
    source_protocols: membersOf(document?.Source, 'Proto'),
    node_software: isObject(last) ? (last.SW ?? null) : null,
  };
}
