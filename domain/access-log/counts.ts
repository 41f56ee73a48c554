// Bounded "top N" counters (sections, clients): exact while few keys, approximate (the smallest
// keys are dropped) once a map grows past its cap, so state and payloads stay small.

export type Counts = Record<string, number>;

export function topEntries(counts: Counts, n: number): [string, number][] {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n);
}

/** Keeps the `keep` largest keys once `counts` has more than `cap` keys. */
export function pruneCounts(counts: Counts, cap: number, keep = Math.floor(cap * 0.8)): Counts {
  if (Object.keys(counts).length <= cap) return counts;
  return Object.fromEntries(topEntries(counts, keep));
}

export function addCounts(target: Counts, source: Counts, cap: number): Counts {
  for (const [key, value] of Object.entries(source)) target[key] = (target[key] ?? 0) + value;
  return pruneCounts(target, cap);
}

/** The `cap` largest entries of `map` in one pass (no sort of the whole map: it runs per bucket). */
export function mapToCappedCounts(map: Map<string, number>, cap: number): Counts {
  if (map.size <= cap) return Object.fromEntries(map);
  const top: [string, number][] = [];
  for (const entry of map) {
    if (top.length === cap && entry[1] <= top[cap - 1]![1]) continue;
    let i = top.length < cap ? top.length : cap - 1;
    while (i > 0 && top[i - 1]![1] < entry[1]) i--;
    top.splice(i, 0, entry);
    if (top.length > cap) top.pop();
  }
  return Object.fromEntries(top);
}
