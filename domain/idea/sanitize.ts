// PostgreSQL text and jsonb cannot hold U+0000. IDEA strings may carry it (\u0000 in JSON), so
// ingest removes it from every string and key and records where, instead of failing the batch.
export interface SanitizeResult<T> {
  value: T;
  /** JSON paths where U+0000 was removed, e.g. `Description`, `Source[0].Hostname[1]`. */
  repaired: string[];
}

const NUL = '\u0000';

export function stripNul<T>(value: T): SanitizeResult<T> {
  const repaired: string[] = [];
  const walk = (node: unknown, path: string): unknown => {
    if (typeof node === 'string') {
      if (!node.includes(NUL)) return node;
      repaired.push(path || '(root)');
      return node.replaceAll(NUL, '');
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${path}[${i}]`));
    if (node && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(node)) {
        let clean = key;
        if (key.includes(NUL)) {
          clean = key.replaceAll(NUL, '');
          repaired.push(`${path ? `${path}.` : ''}${clean} (key)`);
        }
        out[clean] = walk(item, path ? `${path}.${clean}` : clean);
      }
      return out;
    }
    return node;
  };
  return { value: walk(value, '') as T, repaired };
}

/** Cheap pre-check on the raw line so clean events skip the walk. */
export const mayContainNul = (rawJson: string) => rawJson.includes('\\u0000');
