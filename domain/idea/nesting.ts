// IDEA events are shallow (event → Source[] → {} → IP4[]), but extension keys may hold any JSON.
// JSON.parse takes 10,000 levels, JSON.stringify and the recursive walks after it do not: a stack
// overflow there would stop the whole ingest. Deeper events are rejected instead, checked
// without recursion.

/** Most nested objects/arrays an event may have, the event itself included. */
export const MAX_EVENT_NESTING = 100;

/** The top-level field (e.g. `_Extension`, `Source`) under which `value` nests deeper than `max`, or null. */
export function tooDeeplyNested(value: unknown, max = MAX_EVENT_NESTING): string | null {
  // Parallel stacks and for…in: no array of entries per object (this runs on every event).
  const nodes: object[] = [];
  const depths: number[] = [];
  const fields: string[] = [];
  if (value && typeof value === 'object') {
    nodes.push(value);
    depths.push(1);
    fields.push('(root)');
  }
  while (nodes.length > 0) {
    const node = nodes.pop() as Record<string, unknown>;
    const depth = depths.pop()!;
    const field = fields.pop()!;
    if (depth > max) return field;
    for (const key in node) {
      if (!Object.hasOwn(node, key)) continue;
      const child = node[key];
      if (child && typeof child === 'object') {
        nodes.push(child);
        depths.push(depth + 1);
        fields.push(depth === 1 ? key : field);
      }
    }
  }
  return null;
}
