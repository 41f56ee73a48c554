// Basic filters (lists picked in a UI or a catalog file) compiled to the same CEL predicate as
// advanced ones: the filter matches when every non-empty list matches (AND of the lists, OR
// within a list).
export interface BasicFilterLists {
  categories?: readonly string[];
  detectors?: readonly string[];
  eventClasses?: readonly string[];
  sources?: readonly string[];
  targets?: readonly string[];
  protocols?: readonly string[];
}

const literal = (value: string) => JSON.stringify(value);
const list = (values: readonly string[]) => `[${values.map(literal).join(', ')}]`;
const anyIn = (variable: string, nets: readonly string[]) =>
  `${variable}.exists(ip, ${nets.map((net) => `ipIn(ip, ${literal(net)})`).join(' || ')})`;

/** The CEL text of a basic filter; `true` (matches everything) when all lists are empty. */
export function basicFilterExpression(lists: BasicFilterLists, sourceBased = true): string {
  const parts: string[] = [];
  if (lists.categories?.length) parts.push(`Category.exists(c, c in ${list(lists.categories)})`);
  if (lists.detectors?.length) parts.push(`detectors.exists(d, d in ${list(lists.detectors)})`);
  if (lists.eventClasses?.length)
    parts.push(`${sourceBased ? 'eventClass' : 'targetClass'} in ${list(lists.eventClasses)}`);
  if (lists.sources?.length) parts.push(anyIn('sourceIPs', lists.sources));
  if (lists.targets?.length) parts.push(anyIn('targetIPs', lists.targets));
  if (lists.protocols?.length)
    parts.push(`protocols.exists(p, p in ${list(lists.protocols.map((p) => p.toLowerCase()))})`);
  return parts.length ? parts.join(' && ') : 'true';
}
