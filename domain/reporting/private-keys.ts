// IDEA reserves keys that start with "_" for the private data of whoever handles an event (herald's
// `_Mentat` block: resolved abuse groups, classes, severities). They are herald's bookkeeping, not
// part of the event a recipient was told about, so attachments carry events without them.

/** The value with every `_`-prefixed object key removed, at any depth. */
export function withoutPrivateKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPrivateKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value))
    if (!key.startsWith('_')) out[key] = withoutPrivateKeys(inner);
  return out;
}
