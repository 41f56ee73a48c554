// IDEA events are shallow (event → Source[] → {} → IP4[]), but extension keys may hold any JSON.
// JSON.parse takes 10,000 levels, JSON.stringify and the recursive walks after it do not: a stack
// overflow there would stop the whole ingest. Deeper events are rejected instead, checked
// without recursion.

/** Most nested objects/arrays an event may have, the event itself included. */
export const MAX_EVENT_NESTING = 100;

/** The top-level field (e.g. `_Extension`, `Source`) under which `value` nests deeper than `max`, or null. */
export function tooDeeplyNested(value: unknown, max = MAX_EVENT_NESTING): string | null {
  const stack: { node: object; depth: number; field: string }[] = [];
  if (value && typeof value === 'object') stack.push({ node: value, depth: 1, field: '(root)' });
  for (let item = stack.pop(); item; item = stack.pop()) {
    if (item.depth > max) return item.field;
    for (const [key, child] of Object.entries(item.node))
      if (child && typeof child === 'object')
        stack.push({ node: child, depth: item.depth + 1, field: item.depth === 1 ? key : item.field });
  }
  return null;
}
