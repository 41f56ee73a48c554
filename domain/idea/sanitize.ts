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

/**
 * The first string (value or key) holding half of a UTF-16 surrogate pair (`"\ud800"` in JSON):
 * PostgreSQL cannot store it, and unlike U+0000 there is no character to drop. Its path and
 * the code unit, or null.
 */
export function findLoneSurrogate(value: unknown): { path: string; unit: string } | null {
  const lone = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
  const check = (text: string, path: string) => {
    const match = lone.exec(text);
    return match ? { path: path || '(root)', unit: `\\u${match[0].charCodeAt(0).toString(16)}` } : null;
  };
  const walk = (node: unknown, path: string): { path: string; unit: string } | null => {
    if (typeof node === 'string') return check(node, path);
    if (Array.isArray(node)) {
      for (const [i, item] of node.entries()) {
        const found = walk(item, `${path}[${i}]`);
        if (found) return found;
      }
      return null;
    }
    if (node && typeof node === 'object')
      for (const [key, item] of Object.entries(node)) {
        const at = path ? `${path}.${key}` : key;
        const found = check(key, `${at} (key)`) ?? walk(item, at);
        if (found) return found;
      }
    return null;
  };
  return walk(value, '');
}

/** Cheap pre-check on the raw line: a surrogate can only come from a `\uD800`–`\uDFFF` escape. */
export const mayContainSurrogate = (rawJson: string) => /\\u[dD][89a-fA-F]/.test(rawJson);

/**
 * Control characters (C0, DEL, C1, U+2028/2029) as `\uXXXX`: reasons and IDs quote hostile input
 * and are printed on terminals, where CR/LF or an escape sequence would forge or hide output.
 */
export function escapeControl(text: string): string {
  return text.replace(
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
